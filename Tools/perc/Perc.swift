// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `perc`: protect, unprotect and forward SRTP/SRTCP packets by hand.
@main
struct Perc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perc",
        abstract: "Work with SRTP, SRTCP and PERC double-encrypted packets by hand.",
        discussion: """
            Packets are hex on the command line or, with --batch, one per line on standard input \
            (one output line per input line; state carries across lines). Errors print a line \
            starting with 'error:'.
            """,
        subcommands: [ProtectCommand.self, UnprotectCommand.self, ForwardCommand.self, DTLSCommand.self, CertsCommand.self]
    )

    /// Parses and runs, turning every argument or run error into `error: ...` and exit code 1
    /// (instead of swift-argument-parser's `Error:` and 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .success {
                exit(withError: error)   // --help and friends
            }
            let message = (error as? ToolError)?.message ?? Self.message(for: error)
            standardError("error: \(message.split(separator: "\n").first.map(String.init) ?? message)\n")
            Glibc.exit(1)
        }
    }
}

/// An error the tool reports as `error: <message>`.
struct ToolError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Writes `text` to standard error.
func standardError(_ text: String) {
    writeAll(2, Array(text.utf8))
}
