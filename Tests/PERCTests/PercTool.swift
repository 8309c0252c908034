// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import SRTP

/// Runs the built `perc` executable (built next to the test bundle by
/// `swift build --build-tests`) and collects its exit status and output.
enum PercTool {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Standard output split into lines (without the final empty one).
        var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    struct NotFound: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "perc executable not found; looked in \(searched)" }
    }

    struct TimedOut: Error {}

    /// The `perc` binary: beside the running test executable, or in the package's .build.
    static func executable() throws -> URL {
        var candidates: [URL] = []
        let running = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var directory = running.deletingLastPathComponent()
        for _ in 0..<4 {   // the .xctest executable, or a bundle's Contents/MacOS
            candidates.append(directory.appendingPathComponent("perc"))
            directory = directory.deletingLastPathComponent()
        }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(package.appendingPathComponent(".build/debug/perc"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw NotFound(searched: candidates.map(\.path))
    }

    /// Runs `perc arguments...` with `input` on standard input. With `input` nil, standard
    /// input is a pipe that is never written or closed: a tool that reads it hangs, and after
    /// `timeout` seconds the run is killed and reported as ``TimedOut``.
    static func run(_ arguments: [String], input: String? = "", timeout: Double = 10) throws -> Result {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        // Read both pipes while the tool runs so that a large output cannot block it.
        let out = Collected(), err = Collected()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { out.data = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { err.data = stderr.fileHandleForReading.readDataToEndOfFile() }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            process.waitUntilExit()
            try? stdin.fileHandleForWriting.close()
            throw TimedOut()
        }
        group.wait()
        if input == nil { try? stdin.fileHandleForWriting.close() }
        return Result(status: process.terminationStatus, stdout: String(decoding: out.data, as: UTF8.self),
                      stderr: String(decoding: err.data, as: UTF8.self))
    }

    /// Output gathered on another thread; read only after the group finished.
    private final class Collected: @unchecked Sendable { var data = Data() }
}
