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

    /// Starts `executable` (default: /usr/bin/openssl) with `arguments`.
    init(_ arguments: [String], executable: String = "/usr/bin/openssl") throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.collected.append(data)
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

    /// Waits (bounded) until the output contains `marker`; returns whether it did.
    func waitFor(_ marker: String, timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if text.contains(marker) { return true }
            if !process.isRunning { return text.contains(marker) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
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
        let child = try OpenSSLProcess(["x509", "-in", certificatePath, "-noout", "-fingerprint", "-sha256"])
        guard child.waitFor("Fingerprint=", timeout: .seconds(30)), child.waitForExit(),
              let hex = child.text.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines),
              let fingerprint = CertificateFingerprint(hex: hex)
        else { throw CocoaError(.fileReadCorruptFile) }
        return fingerprint
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
