// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CPERCKernels
import SRTP
import Synchronization
import Testing

/// What the release observer saw: address -> whether every byte was zero, per size.
private let released = Mutex<[UInt: (size: Int, zero: Bool)]>([:])

private func observe(_ memory: UnsafeRawPointer?, _ size: Int) {
    guard let memory else { return }
    let bytes = UnsafeRawBufferPointer(start: memory, count: size)
    let zero = bytes.allSatisfy { $0 == 0 }
    released.withLock { $0[UInt(bitPattern: memory)] = (size, zero) }
}

/// Key memory is zeroed before it is freed: the C key structs (GCM, CTR, HMAC-SHA1 on every
/// backend) and `SecretBytes`, seen through the kernels' release observer
/// (`perc_set_release_observer`), which is shown each key's memory after the zeroing and
/// before the free.
@Suite(.serialized) struct KeyZeroingTests {
    static let raw: [UInt8] = (0..<32).map { 0xA0 | UInt8($0 & 0x0F) }

    /// Runs `body` with the observer set, then removes it.
    static func observing(_ body: () throws -> Void) rethrows {
        released.withLock { $0.removeAll() }
        perc_set_release_observer { observe($0, $1) }
        defer { perc_set_release_observer(nil) }
        try body()
    }

    @Test(arguments: CryptoBackend.available)
    func cKeysAreZeroedOnRelease(backend: CryptoBackend) throws {
        let c = perc_backend(rawValue: UInt32(backend.rawValue))
        var addresses: [UInt] = []
        try Self.observing {
            let gcm = try #require(perc_gcm_key_new(c, Self.raw, 16))
            let ctr = try #require(perc_ctr_key_new(c, Self.raw, 32))
            let hmac = try #require(perc_hmac_sha1_key_new(c, Self.raw, 20))
            addresses = [gcm, ctr, hmac].map { UInt(bitPattern: UnsafeRawPointer($0)) }
            perc_gcm_key_free(gcm)
            perc_ctr_key_free(ctr)
            perc_hmac_sha1_key_free(hmac)
        }
        let seen = released.withLock { $0 }
        for (name, address) in zip(["GCM", "CTR", "HMAC-SHA1"], addresses) {
            let release = try #require(seen[address], "the \(name) key's release was not observed")
            #expect(release.zero, "the \(name) key (\(release.size) bytes) was freed with bytes left")
            #expect(release.size >= 16, "the \(name) key struct is \(release.size) bytes")
        }
    }

    @Test func secretBytesAreZeroedOnRelease() throws {
        // A size no other key here has, so its release is easy to pick out.
        let size = 77
        Self.observing {
            do {
                let secret = SecretBytes((0..<size).map { UInt8(0x80 | $0) })
                #expect(secret.count == size)
            }
        }
        let ours = released.withLock { $0.values.filter { $0.size == size } }
        try #require(ours.count == 1, "saw \(ours.count) releases of \(size) bytes")
        #expect(ours[0].zero, "SecretBytes was freed with bytes left")
    }

    @Test(arguments: ProtectionProfile.allCases)
    func sessionKeysOfAReceiverAreZeroedOnRelease(profile: ProtectionProfile) throws {
        try Self.observing {
            _ = try SRTPReceiver(profile: profile, masterKey: Self.raw.prefix(profile.masterKeyLength),
                                 masterSalt: Self.raw.prefix(profile.masterSaltLength))
        }
        let seen = released.withLock { Array($0.values) }
        // RTP and RTCP each hold a cipher key (GCM, or CTR + HMAC, or HMAC for NULL).
        #expect(seen.count >= 2, "only \(seen.count) key releases seen for \(profile)")
        #expect(seen.allSatisfy { $0.zero }, "a key of \(profile) was freed with bytes left")
    }
}
