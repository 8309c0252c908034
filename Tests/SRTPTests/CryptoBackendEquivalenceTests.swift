// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
import TestSupport
import Testing

/// Every crypto backend this machine runs gives the same packets as the portable OpenSSL
/// path (which the vector and libsrtp tests pin down), for every profile, on seeded random
/// packets of 0...1400 bytes, SRTP and SRTCP, and unprotects the others' packets.
@Suite struct CryptoBackendEquivalenceTests {
    @Test(arguments: ProtectionProfile.allCases)
    func sameOutputOnEveryBackend(profile: ProtectionProfile) throws {
        let backends = CryptoBackend.available
        #expect(backends.contains(.openssl))
        var rng = SeededGenerator(seed: 0xBAC0 + UInt64(ProtectionProfile.allCases.firstIndex(of: profile)!))
        let key = rng.bytes(profile.masterKeyLength), salt = rng.bytes(profile.masterSaltLength)
        func configuration(_ backend: CryptoBackend) -> SRTPConfiguration {
            var configuration = SRTPConfiguration()
            configuration.backend = backend
            return configuration
        }
        let reference = try SRTPSender(profile: profile, masterKey: key, masterSalt: salt, configuration: configuration(.openssl))
        let senders = try backends.map { try SRTPSender(profile: profile, masterKey: key, masterSalt: salt, configuration: configuration($0)) }
        let receivers = try backends.map { try SRTPReceiver(profile: profile, masterKey: key, masterSalt: salt, configuration: configuration($0)) }
        var failures = FailureLog(context: "\(profile)")
        for number in 0..<300 {
            let rtp = RandomPacket.rtp(sequenceNumber: UInt16(number), ssrc: 0xABCD_0001, using: &rng)
            let rtcp = RandomPacket.rtcp(ssrc: 0xABCD_0001, using: &rng)
            let expected = try reference.protect(rtp), expectedRTCP = try reference.protectRTCP(rtcp)
            for (i, backend) in backends.enumerated() {
                failures.check((try? senders[i].protect(rtp)) == expected, "\(backend) SRTP packet \(number)")
                failures.check((try? senders[i].protectRTCP(rtcp)) == expectedRTCP, "\(backend) SRTCP packet \(number)")
                failures.check((try? receivers[i].unprotect(expected)) == rtp, "\(backend) unprotect \(number)")
                failures.check((try? receivers[i].unprotectRTCP(expectedRTCP)) == rtcp, "\(backend) unprotectRTCP \(number)")
            }
        }
        failures.finish()
    }
}
