// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CLibSRTP
import PERC

/// A libsrtp2 (system library) AEAD_AES_128_GCM or AEAD_AES_256_GCM session for one SSRC in
/// one direction: the independent peer of the interop tests.
final class LibSRTPSession {
    struct Failure: Error, CustomStringConvertible {
        let call: String
        let status: srtp_err_status_t
        var description: String { "\(call) failed with libsrtp status \(status.rawValue)" }
    }

    private static let initialized: srtp_err_status_t = srtp_init()
    private var session: srtp_t?

    /// - Parameters:
    ///   - profile: the double profile whose half (single AEAD profile) this session runs.
    ///   - key: 16 or 32 bytes; salt: 12 bytes.
    ///   - roc: when non-zero, the ROC of the first packet (`srtp_set_stream_roc`).
    init(profile: DoubleProfile, key: [UInt8], salt: [UInt8], ssrc: UInt32, roc: UInt32 = 0,
         windowSize: UInt = 1024) throws {
        guard Self.initialized == srtp_err_status_ok else { throw Failure(call: "srtp_init", status: Self.initialized) }
        var policy = srtp_policy_t()
        if profile == .aes128Gcm {
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        } else {
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp)
        }
        policy.ssrc.type = ssrc_specific
        policy.ssrc.value = ssrc
        policy.window_size = windowSize
        policy.allow_repeat_tx = 0
        policy.next = nil
        var material = key + salt
        let status = material.withUnsafeMutableBufferPointer { buffer -> srtp_err_status_t in
            policy.key = buffer.baseAddress
            return srtp_create(&session, &policy)
        }
        guard status == srtp_err_status_ok else { throw Failure(call: "srtp_create", status: status) }
        if roc != 0 {
            let set = srtp_set_stream_roc(session, ssrc, roc)
            guard set == srtp_err_status_ok else { throw Failure(call: "srtp_set_stream_roc", status: set) }
        }
    }

    deinit { if let session { srtp_dealloc(session) } }

    /// `srtp_protect` on a copy of `packet`.
    func protect(_ packet: [UInt8]) throws -> [UInt8] {
        try run("srtp_protect", packet, extra: 16 + 16) { srtp_protect(session, $0, $1) }
    }

    /// `srtp_unprotect` on a copy of `packet`.
    func unprotect(_ packet: [UInt8]) throws -> [UInt8] {
        try run("srtp_unprotect", packet, extra: 0) { srtp_unprotect(session, $0, $1) }
    }

    /// `srtp_protect_rtcp` on a copy of `packet`.
    func protectRTCP(_ packet: [UInt8]) throws -> [UInt8] {
        try run("srtp_protect_rtcp", packet, extra: 16 + 4) { srtp_protect_rtcp(session, $0, $1) }
    }

    /// `srtp_unprotect_rtcp` on a copy of `packet`.
    func unprotectRTCP(_ packet: [UInt8]) throws -> [UInt8] {
        try run("srtp_unprotect_rtcp", packet, extra: 0) { srtp_unprotect_rtcp(session, $0, $1) }
    }

    private func run(_ call: String, _ packet: [UInt8], extra: Int,
                     _ body: (UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> srtp_err_status_t) throws -> [UInt8] {
        var buffer = packet + [UInt8](repeating: 0, count: extra)
        var length = Int32(packet.count)
        let status = buffer.withUnsafeMutableBytes { body($0.baseAddress!, &length) }
        guard status == srtp_err_status_ok else { throw Failure(call: call, status: status) }
        return Array(buffer[0..<Int(length)])
    }
}
