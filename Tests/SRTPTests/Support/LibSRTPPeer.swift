// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CLibSRTP
import SRTP

/// One libsrtp2 session (the system library) for one SSRC in one direction: the peer of
/// record in the interop tests.
///
/// The policy is the one libsrtp builds for the profile: `srtp_crypto_policy_set_*` for SRTP,
/// and for SRTCP the `_80` variant (libsrtp, like RFC 3711, keeps an 80-bit SRTCP tag for the
/// `_32` suites). libsrtp sends its first SRTCP packet with index 1.
final class LibSRTPPeer {
    /// libsrtp's status codes the tests look at.
    enum Status: Equatable, Error {
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

    /// `srtp_init`, once per process.
    private static let initialized: Bool = srtp_init() == srtp_err_status_ok

    private var session: srtp_t?
    let ssrc: UInt32
    /// Whether packets carry an MKI (then the `_mki` calls run with master key 0).
    private let usesMKI: Bool

    /// The profiles libsrtp2 2.5 can run (every profile of ours).
    static let supportedProfiles: [ProtectionProfile] = ProtectionProfile.allCases

    /// Creates a session for `ssrc` (its direction follows from the first call). A non-zero
    /// `roc` is passed with `srtp_set_stream_roc` (libsrtp ignores a pending ROC of 0). With
    /// `mki`, the key is libsrtp's master key 0 with that MKI. `encryptSRTCP` overrides the
    /// SRTCP services (confidentiality and authentication, or authentication only: E=0).
    init(profile: ProtectionProfile, masterKey: [UInt8], masterSalt: [UInt8], ssrc: UInt32,
         roc: UInt32 = 0, windowSize: Int = 1024, mki: [UInt8]? = nil, encryptSRTCP: Bool? = nil) throws {
        precondition(Self.initialized, "srtp_init failed")
        self.ssrc = ssrc
        usesMKI = mki != nil
        var policy = srtp_policy_t()
        Self.setCryptoPolicies(profile, &policy)
        if let encryptSRTCP { policy.rtcp.sec_serv = encryptSRTCP ? sec_serv_conf_and_auth : sec_serv_auth }
        policy.ssrc.type = ssrc_specific
        policy.ssrc.value = ssrc
        policy.window_size = UInt(windowSize)
        policy.allow_repeat_tx = 0
        var keyAndSalt = masterKey + masterSalt
        var created: srtp_t? = nil
        var mkiBytes = mki ?? [0]
        let status = keyAndSalt.withUnsafeMutableBufferPointer { key -> srtp_err_status_t in
            mkiBytes.withUnsafeMutableBufferPointer { mkiBuffer in
                guard let mki else {
                    policy.key = key.baseAddress
                    return srtp_create(&created, &policy)
                }
                var master = srtp_master_key_t(key: key.baseAddress, mki_id: mkiBuffer.baseAddress, mki_size: UInt32(mki.count))
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
        if roc != 0 {
            let set = srtp_set_stream_roc(created, ssrc, roc)
            guard set == srtp_err_status_ok else { throw Status(set) }
        }
    }

    deinit { if let session { srtp_dealloc(session) } }

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

    func protect(_ packet: [UInt8]) -> Result<[UInt8], Status> {
        let mki: UInt32 = usesMKI ? 1 : 0
        return run(packet, extra: Int(SRTP_MAX_TRAILER_LEN)) { srtp_protect_mki(session, $0, $1, mki, 0) }
    }

    func unprotect(_ packet: [UInt8]) -> Result<[UInt8], Status> {
        let mki: UInt32 = usesMKI ? 1 : 0
        return run(packet, extra: 0) { srtp_unprotect_mki(session, $0, $1, mki) }
    }

    func protectRTCP(_ packet: [UInt8]) -> Result<[UInt8], Status> {
        let mki: UInt32 = usesMKI ? 1 : 0
        return run(packet, extra: Int(SRTP_MAX_TRAILER_LEN) + 4) { srtp_protect_rtcp_mki(session, $0, $1, mki, 0) }
    }

    func unprotectRTCP(_ packet: [UInt8]) -> Result<[UInt8], Status> {
        let mki: UInt32 = usesMKI ? 1 : 0
        return run(packet, extra: 0) { srtp_unprotect_rtcp_mki(session, $0, $1, mki) }
    }

    /// The ROC libsrtp holds for the stream.
    var rolloverCounter: UInt32? {
        var roc: UInt32 = 0
        return srtp_get_stream_roc(session, ssrc, &roc) == srtp_err_status_ok ? roc : nil
    }

    /// Runs a libsrtp call on a 4-byte aligned copy of `packet` with `extra` bytes of room.
    private func run(_ packet: [UInt8], extra: Int,
                     _ call: (UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> srtp_err_status_t)
        -> Result<[UInt8], Status>
    {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: packet.count + extra + 4, alignment: 16)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: packet)
        var length = Int32(packet.count)
        let status = call(buffer.baseAddress!, &length)
        guard status == srtp_err_status_ok else { return .failure(Status(status)) }
        return .success(Array(buffer[0..<Int(length)]))
    }
}
