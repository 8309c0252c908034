// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import Foundation

/// An `openssl` (or other) child process for interop tests: stdin held open (so `s_client`/`s_server`
/// keep running), stdout and stderr collected, always killed at the end.
final class OpenSSLProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var collected = Data()
    /// Whether the output reached its end (the process closed it: it exited).
    private var outputEnded = false

    /// Starts `executable` (default: /usr/bin/openssl) with `arguments`.
    init(_ arguments: [String], executable: String = "/usr/bin/openssl") throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.lock()
            if data.isEmpty { self.outputEnded = true } else { self.collected.append(data) }
            self.lock.unlock()
        }
        try process.run()
    }

    /// Everything the process printed so far.
    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Waits (bounded) until the output has a whole line containing `marker` (output comes in
    /// chunks, so a line can be half there), or until the output ended; returns whether the
    /// marker came.
    func waitFor(_ marker: String, timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (text, ended) = snapshot
            if text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().contains(where: { $0.contains(marker) }) {
                return true
            }
            if ended { return text.contains(marker) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    private var snapshot: (text: String, ended: Bool) {
        lock.lock()
        defer { lock.unlock() }
        return (String(decoding: collected, as: UTF8.self), outputEnded)
    }

    /// The hex after `Keying material: `, upper-case as OpenSSL prints it.
    var keyingMaterial: String? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains("Keying material: ") }) else { return nil }
        return line.components(separatedBy: "Keying material: ").last?.trimmingCharacters(in: .whitespaces)
    }

    /// Waits (bounded) for the process to exit by itself; returns whether it did.
    func waitForExit(timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return !process.isRunning
    }

    /// The exit status (call after `waitForExit` returned true).
    var exitStatus: Int32 { process.terminationStatus }

    /// Kills the process (SIGKILL: s_client/s_server need no graceful end) and waits for it.
    func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        try? input.fileHandleForWriting.close()
    }

    deinit { if process.isRunning { terminate() } }

    /// Runs openssl to completion and returns everything it printed on standard output, read
    /// to the end (a readability handler may still hold the last chunk when the process exits).
    static func output(_ arguments: [String]) throws -> String {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs openssl to completion (bounded) and returns its exit status.
    @discardableResult
    static func runToCompletion(_ arguments: [String], timeout: Duration = .seconds(20)) throws -> Int32 {
        let child = try OpenSSLProcess(arguments)
        try? child.input.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + timeout
        while child.process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        child.terminate()
        return child.process.terminationStatus
    }
}

/// A temporary directory with an EC P-256 self-signed certificate made by `openssl req`.
struct OpenSSLCertificate {
    let directory: URL
    var certificatePath: String { directory.appendingPathComponent("cert.pem").path }
    var keyPath: String { directory.appendingPathComponent("key.pem").path }

    /// `curve`: an OpenSSL curve name (`prime256v1`, `secp384r1`).
    init(commonName: String, curve: String = "prime256v1") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dtls-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let status = try OpenSSLProcess.runToCompletion([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:\(curve)", "-nodes",
            "-keyout", directory.appendingPathComponent("key.pem").path, "-out", directory.appendingPathComponent("cert.pem").path,
            "-days", "1", "-subj", "/CN=\(commonName)",
        ])
        guard status == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// The SHA-256 fingerprint of the certificate, computed by `openssl x509 -fingerprint`.
    func fingerprint() throws -> CertificateFingerprint {
        let printed = try OpenSSLProcess.output(["x509", "-in", certificatePath, "-noout", "-fingerprint", "-sha256"])
        guard let hex = printed.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines),
              let fingerprint = CertificateFingerprint(hex: hex)
        else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "openssl printed: \(printed)"]) }
        return fingerprint
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
