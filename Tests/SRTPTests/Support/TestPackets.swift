// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// Small hand-built packets and keyed endpoints for the state and negative tests.
enum TestPackets {
    /// An RTP packet: `csrcCount` CSRCs, an optional one-byte extension block of
    /// `extensionWords` words, and `payload`.
    static func rtp(sequenceNumber: UInt16, ssrc: UInt32 = 0x1122_3344, csrcCount: Int = 0, extensionWords: Int? = nil,
                    payload: [UInt8] = Array(0..<32)) -> [UInt8] {
        var packet: [UInt8] = [0x80 | (extensionWords == nil ? 0 : 0x10) | UInt8(csrcCount), 0x60,
                               UInt8(sequenceNumber >> 8), UInt8(sequenceNumber & 0xFF), 0x00, 0x00, 0x10, 0x00]
        packet += bigEndian(ssrc)
        for i in 0..<csrcCount { packet += bigEndian(0xC5C5_0000 + UInt32(i)) }
        if let words = extensionWords {
            packet += [0xBE, 0xDE, UInt8(words >> 8), UInt8(words & 0xFF)]
            packet += [UInt8](repeating: 0x21, count: 4 * words)
        }
        return packet + payload
    }

    /// An RTCP receiver report from `ssrc` with `body` after the first 8 bytes.
    static func rtcp(ssrc: UInt32 = 0x1122_3344, body: [UInt8] = Array(0..<24)) -> [UInt8] {
        [0x81, 0xC9, 0x00, UInt8((body.count + 3) / 4)] + bigEndian(ssrc) + body
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func key(_ profile: ProtectionProfile) -> [UInt8] { (0..<profile.masterKeyLength).map { UInt8($0 &* 7 &+ 1) } }
    static func salt(_ profile: ProtectionProfile) -> [UInt8] { (0..<profile.masterSaltLength).map { UInt8($0 &* 13 &+ 5) } }

    static func sender(_ profile: ProtectionProfile, _ configure: (inout SRTPConfiguration) -> Void = { _ in }) throws -> SRTPSender {
        var configuration = SRTPConfiguration()
        configure(&configuration)
        return try SRTPSender(profile: profile, masterKey: key(profile), masterSalt: salt(profile), configuration: configuration)
    }

    static func receiver(_ profile: ProtectionProfile, _ configure: (inout SRTPConfiguration) -> Void = { _ in }) throws -> SRTPReceiver {
        var configuration = SRTPConfiguration()
        configure(&configuration)
        return try SRTPReceiver(profile: profile, masterKey: key(profile), masterSalt: salt(profile), configuration: configuration)
    }
}

/// The error `body` throws, or nil.
func thrownError<T>(_ body: () throws -> T) -> SRTPError? {
    do { _ = try body(); return nil } catch { return error as? SRTPError }
}

/// Whether `body` throws exactly `expected`.
func throwsError<T>(_ expected: SRTPError, _ body: () throws -> T) -> Bool {
    do { _ = try body(); return false } catch { return error as? SRTPError == expected }
}

/// Whether `body` throws ``SRTPError/replayed(ssrc:index:)``.
func throwsReplayed<T>(_ body: () throws -> T) -> Bool {
    do { _ = try body(); return false } catch {
        if case .replayed? = error as? SRTPError { return true }
        return false
    }
}

extension Array where Element == UInt8 {
    /// The RTP sequence number (bytes 2-3).
    var sequenceNumber: UInt16 { UInt16(self[2]) << 8 | UInt16(self[3]) }

    /// The 31-bit SRTCP index of the E||index word at `offset`.
    func loadIndex(at offset: Int) -> UInt32 {
        (UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])) & 0x7FFF_FFFF
    }
}
