// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CLibSRTP
import SRTP

/// A libsrtp2 session (the system library), the peer our interop tests and benchmarks run
/// against: one profile, one master key, either one SSRC or any SSRC in one direction.
///
/// The policy is the one libsrtp builds for the profile: `srtp_crypto_policy_set_*` for SRTP,
/// and for SRTCP the `_80` variant (libsrtp, like RFC 3711, keeps an 80-bit SRTCP tag for
/// the `_32` suites). libsrtp sends its first SRTCP packet with index 1.
public final class LibSRTPSession {
    /// Which SSRCs the session's policy covers.
    public enum Streams: Sendable {
        /// One SSRC, created with the session.
        case ssrc(UInt32)
        /// Any SSRC of outgoing packets (streams cloned on first use).
        case anyOutbound
        /// Any SSRC of incoming packets.
        case anyInbound
    }

    /// libsrtp's status, as the tests and benchmarks look at it.
    public enum Status: Equatable, Error {
        case authenticationFailed, replayed, tooOld, other(Int)

        init(_ status: srtp_err_status_t) {
            switch status {
            case srtp_err_status_auth_fail: self = .authenticationFailed
            case srtp_err_status_replay_fail: self = .replayed
            case srtp_err_status_replay_old: self = .tooOld
            default: self = .other(Int(status.rawValue))
            }
        }
    }

    /// Most bytes `srtp_protect_rtcp` adds (tag, MKI, E||index).
    public static let maximumTrailer = Int(SRTP_MAX_TRAILER_LEN) + 4

    private static let initialized: Bool = srtp_init() == srtp_err_status_ok
    private let session: srtp_t
    /// Whether packets carry an MKI (then the `_mki` calls run with master key 0).
    private let usesMKI: Bool

    /// The libsrtp version string.
    public static var version: String {
        _ = initialized
        return String(cString: srtp_get_version_string())
    }

    /// - Parameters:
    ///   - roc: for `.ssrc`, a non-zero starting ROC set with `srtp_set_stream_roc`.
    ///   - allowRepeatTransmit: let a sender protect the same index twice (benchmarks).
    ///   - mki: when set, the key is libsrtp's master key 0 with this MKI.
    ///   - encryptSRTCP: overrides the SRTCP services (E=1 confidentiality and
    ///     authentication, or E=0 authentication only).
    public init(profile: ProtectionProfile, masterKey: [UInt8], masterSalt: [UInt8], streams: Streams,
                roc: UInt32 = 0, windowSize: Int = 1024, allowRepeatTransmit: Bool = false,
                mki: [UInt8]? = nil, encryptSRTCP: Bool? = nil) throws(Status) {
        precondition(Self.initialized, "srtp_init failed")
        usesMKI = mki != nil
        var policy = srtp_policy_t()
        Self.setCryptoPolicies(profile, &policy)
        if let encryptSRTCP { policy.rtcp.sec_serv = encryptSRTCP ? sec_serv_conf_and_auth : sec_serv_auth }
        switch streams {
        case .ssrc(let ssrc):
            policy.ssrc.type = ssrc_specific
            policy.ssrc.value = ssrc
        case .anyOutbound:
            policy.ssrc.type = ssrc_any_outbound
        case .anyInbound:
            policy.ssrc.type = ssrc_any_inbound
        }
        policy.window_size = UInt(windowSize)
        policy.allow_repeat_tx = allowRepeatTransmit ? 1 : 0
        var keyAndSalt = masterKey + masterSalt
        var mkiBytes = mki ?? [0]
        var created: srtp_t? = nil
        let status = keyAndSalt.withUnsafeMutableBufferPointer { key -> srtp_err_status_t in
            mkiBytes.withUnsafeMutableBufferPointer { mkiBuffer in
                guard let mki else {
                    policy.key = key.baseAddress
                    return srtp_create(&created, &policy)
                }
                var master = srtp_master_key_t(key: key.baseAddress, mki_id: mkiBuffer.baseAddress,
                                               mki_size: UInt32(mki.count))
                return withUnsafeMutablePointer(to: &master) { masterPointer in
                    var list: UnsafeMutablePointer<srtp_master_key_t>? = masterPointer
                    return withUnsafeMutablePointer(to: &list) { listPointer in
                        policy.keys = listPointer
                        policy.num_master_keys = 1
                        return srtp_create(&created, &policy)
                    }
                }
            }
        }
        guard status == srtp_err_status_ok, let created else { throw Status(status) }
        session = created
        if case .ssrc(let ssrc) = streams, roc != 0 {
            let set = srtp_set_stream_roc(created, ssrc, roc)
            guard set == srtp_err_status_ok else { throw Status(set) }
        }
    }

    deinit { srtp_dealloc(session) }

    private static func setCryptoPolicies(_ profile: ProtectionProfile, _ policy: inout srtp_policy_t) {
        switch profile {
        case .aes128CmSha1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)
            srtp_crypto_policy_set_rtp_default(&policy.rtcp)
        case .aes128CmSha1_32:
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp)
            srtp_crypto_policy_set_rtp_default(&policy.rtcp)
        case .aes256CmSha1_80:
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&policy.rtp)
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&policy.rtcp)
        case .aes256CmSha1_32:
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&policy.rtp)
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&policy.rtcp)
        case .aeadAes128Gcm:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        case .aeadAes256Gcm:
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp)
        case .nullSha1_80:
            srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&policy.rtp)
            srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&policy.rtcp)
        case .nullSha1_32:
            // libsrtp has no setter for NULL/32 (srtp_profile_null_sha1_32 is "not yet
            // supported"): the _80 policy with a 4-byte SRTP tag is exactly the profile.
            srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&policy.rtp)
            policy.rtp.auth_tag_len = 4
            srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&policy.rtcp)
        }
    }

    // MARK: In place, on caller memory

    /// `srtp_protect` on `length` bytes at `packet` (4-byte aligned, with room for the
    /// trailer). Returns the new length.
    @inline(__always)
    public func protect(_ packet: UnsafeMutableRawPointer, length: Int) -> Result<Int, Status> {
        call(packet, length) { srtp_protect_mki(session, $0, $1, usesMKI ? 1 : 0, 0) }
    }

    /// `srtp_unprotect` in place. Returns the new length.
    @inline(__always)
    public func unprotect(_ packet: UnsafeMutableRawPointer, length: Int) -> Result<Int, Status> {
        call(packet, length) { srtp_unprotect_mki(session, $0, $1, usesMKI ? 1 : 0) }
    }

    /// `srtp_protect_rtcp` in place. Returns the new length.
    @inline(__always)
    public func protectRTCP(_ packet: UnsafeMutableRawPointer, length: Int) -> Result<Int, Status> {
        call(packet, length) { srtp_protect_rtcp_mki(session, $0, $1, usesMKI ? 1 : 0, 0) }
    }

    /// `srtp_unprotect_rtcp` in place. Returns the new length.
    @inline(__always)
    public func unprotectRTCP(_ packet: UnsafeMutableRawPointer, length: Int) -> Result<Int, Status> {
        call(packet, length) { srtp_unprotect_rtcp_mki(session, $0, $1, usesMKI ? 1 : 0) }
    }

    @inline(__always)
    private func call(_ packet: UnsafeMutableRawPointer, _ length: Int,
                      _ body: (UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> srtp_err_status_t)
        -> Result<Int, Status>
    {
        var length32 = Int32(length)
        let status = body(packet, &length32)
        return status == srtp_err_status_ok ? .success(Int(length32)) : .failure(Status(status))
    }

    // MARK: On copies

    /// Protects a copy of `packet`.
    public func protect(_ packet: [UInt8]) -> Result<[UInt8], Status> { onCopy(packet, extra: Self.maximumTrailer, protect) }
    /// Unprotects a copy of `packet`.
    public func unprotect(_ packet: [UInt8]) -> Result<[UInt8], Status> { onCopy(packet, extra: 0, unprotect) }
    /// Protects a copy of the RTCP `packet`.
    public func protectRTCP(_ packet: [UInt8]) -> Result<[UInt8], Status> { onCopy(packet, extra: Self.maximumTrailer, protectRTCP) }
    /// Unprotects a copy of the SRTCP `packet`.
    public func unprotectRTCP(_ packet: [UInt8]) -> Result<[UInt8], Status> { onCopy(packet, extra: 0, unprotectRTCP) }

    /// The ROC libsrtp holds for `ssrc`.
    public func rolloverCounter(ssrc: UInt32) -> UInt32? {
        var roc: UInt32 = 0
        return srtp_get_stream_roc(session, ssrc, &roc) == srtp_err_status_ok ? roc : nil
    }

    private func onCopy(_ packet: [UInt8], extra: Int,
                        _ operation: (UnsafeMutableRawPointer, Int) -> Result<Int, Status>) -> Result<[UInt8], Status> {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: packet.count + extra + 4, alignment: 16)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: packet)
        return operation(buffer.baseAddress!, packet.count).map { Array(buffer[0..<$0]) }
    }
}
