// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTPPeers

/// libsrtp2 running one half of a double profile (its single AEAD profile) for one SSRC:
/// the independent peer of the layered interop tests, with throwing calls.
struct LibSRTPLayer {
    let session: LibSRTPSession

    /// - Parameters:
    ///   - key: 16 or 32 bytes; salt: 12 bytes.
    ///   - roc: when non-zero, the ROC of the first packet (`srtp_set_stream_roc`).
    init(profile: DoubleProfile, key: [UInt8], salt: [UInt8], ssrc: UInt32, roc: UInt32 = 0,
         windowSize: UInt = 1024) throws {
        session = try LibSRTPSession(profile: profile.halfProfile, masterKey: key, masterSalt: salt,
                                     streams: .ssrc(ssrc), roc: roc, windowSize: Int(windowSize))
    }

    func protect(_ packet: [UInt8]) throws -> [UInt8] { try session.protect(packet).get() }
    func unprotect(_ packet: [UInt8]) throws -> [UInt8] { try session.unprotect(packet).get() }
    func protectRTCP(_ packet: [UInt8]) throws -> [UInt8] { try session.protectRTCP(packet).get() }
    func unprotectRTCP(_ packet: [UInt8]) throws -> [UInt8] { try session.unprotectRTCP(packet).get() }
}
