// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import SRTPPeers

/// One libsrtp2 session for one SSRC in one direction (the shared `LibSRTPSession` of the
/// SRTPPeers target): the peer of record in the interop tests.
final class LibSRTPPeer {
    typealias Status = LibSRTPSession.Status

    /// The profiles libsrtp2 2.5 can run (every profile of ours).
    static let supportedProfiles: [ProtectionProfile] = ProtectionProfile.allCases

    let ssrc: UInt32
    private let session: LibSRTPSession

    /// `roc` is passed with `srtp_set_stream_roc`; with `mki`, the key is libsrtp's master
    /// key 0 with that MKI; `encryptSRTCP` overrides the SRTCP services (E=1 or E=0).
    init(profile: ProtectionProfile, masterKey: [UInt8], masterSalt: [UInt8], ssrc: UInt32,
         roc: UInt32 = 0, windowSize: Int = 1024, mki: [UInt8]? = nil, encryptSRTCP: Bool? = nil) throws {
        self.ssrc = ssrc
        session = try LibSRTPSession(profile: profile, masterKey: masterKey, masterSalt: masterSalt,
                                     streams: .ssrc(ssrc), roc: roc, windowSize: windowSize, mki: mki,
                                     encryptSRTCP: encryptSRTCP)
    }

    func protect(_ packet: [UInt8]) -> Result<[UInt8], Status> { session.protect(packet) }
    func unprotect(_ packet: [UInt8]) -> Result<[UInt8], Status> { session.unprotect(packet) }
    func protectRTCP(_ packet: [UInt8]) -> Result<[UInt8], Status> { session.protectRTCP(packet) }
    func unprotectRTCP(_ packet: [UInt8]) -> Result<[UInt8], Status> { session.unprotectRTCP(packet) }

    /// The ROC libsrtp holds for the stream.
    var rolloverCounter: UInt32? { session.rolloverCounter(ssrc: ssrc) }
}
