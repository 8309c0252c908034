// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SRTP

/// Runs a packet transform in single-shot or `--batch` mode.
///
/// Single-shot: the packet argument (or one line of standard input) in, one hex line out;
/// an error prints `error: ...` on standard error and exits 1. Batch: one output line per
/// input line, `error: <reason>` for a failed line; exit 0 at the end of input.
struct PacketLoop {
    /// Transforms one line (the packet hex and any trailing words) into output bytes.
    typealias LineTransform = (_ words: [Substring]) throws -> [UInt8]

    static func run(batch: Bool, arguments: [String], _ transform: LineTransform) throws {
        if batch {
            guard arguments.isEmpty else { throw ToolError("--batch reads packets from standard input; give no packet argument") }
            var output = OutputBuffer()
            while let line = readLine(strippingNewline: true) {
                do {
                    output.append(Hex.encode(try transform(words(of: line))))
                } catch {
                    output.append("error: \(describe(error))")
                }
            }
            output.flush()
            return
        }
        let words: [Substring]
        if arguments.isEmpty {
            guard let line = readLine(strippingNewline: true) else { throw ToolError("no packet given") }
            words = Self.words(of: line)
        } else {
            words = arguments.flatMap { Self.words(of: $0) }
        }
        let result: [UInt8]
        do {
            result = try transform(words)
        } catch {
            throw ToolError(describe(error))
        }
        writeAll(1, Array((Hex.encode(result) + "\n").utf8))
    }

    /// Decodes a packet's hex, reporting odd length or a non-hex character.
    static func packet(_ word: Substring?) throws -> [UInt8] {
        guard let word, !word.isEmpty else { throw ToolError("empty packet") }
        guard let bytes = Hex.decode(word) else {
            throw ToolError(word.utf8.count % 2 == 1 ? "odd-length hex" : "invalid hex character")
        }
        return bytes
    }

    private static func words(of line: String) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
    }

    private static func describe(_ error: Error) -> String {
        if let error = error as? ToolError { return error.message }
        return String(describing: error)
    }
}

/// Buffers output lines and writes them in large chunks.
struct OutputBuffer {
    private var bytes: [UInt8] = []

    mutating func append(_ line: String) {
        bytes.append(contentsOf: line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        writeAll(1, bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}

/// Writes all of `bytes` to file descriptor `fd`.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n <= 0 { return }
            offset += n
        }
    }
}
