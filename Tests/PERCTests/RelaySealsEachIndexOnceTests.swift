// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import Testing

/// An outbound hop seals each (SSRC, index) at most once, whichever inbound hop the packet
/// came from: a second endpoint using a member's SSRC (or a member that joined again on a
/// new association) cannot make the distributor reuse a GCM nonce under a receiver's key.
/// The refusal changes nothing, and every other copy still goes out.
@Suite struct RelaySealsEachIndexOnceTests {
    static let ssrc: UInt32 = 0x0A11_CE00

    /// hops[0]: alice to the distributor, hops[1]: the distributor to bob, hops[2]: mallory
    /// to the distributor, hops[3]: the distributor to carol.
    let keys = DoubleTestKeys(.aes128Gcm, hopCount: 4, seed: 91)

    func inbound(_ hop: Int) throws -> RelayHop {
        try RelayHop(profile: .aes128Gcm, direction: .inbound, outer: keys.hops[hop])
    }

    func outbound(_ hop: Int) throws -> RelayHop {
        try RelayHop(profile: .aes128Gcm, direction: .outbound, outer: keys.hops[hop])
    }

    /// Mallory's inner key (her own, not alice's).
    let malloryInner = DoubleTestKeys(.aes128Gcm, hopCount: 1, seed: 92).inner

    /// Mallory's sender: her hop key, her inner key; she uses alice's SSRC.
    func mallory() throws -> DoubleSender {
        try DoubleSender(profile: .aes128Gcm, inner: malloryInner, outer: keys.hops[2])
    }

    func packet(_ sequenceNumber: UInt16, _ text: String) -> [UInt8] {
        RTPPacketFactory.packet(sequenceNumber: sequenceNumber, ssrc: Self.ssrc, payload: Array(text.utf8))
    }

    @Test func anIndexSealedForOneSourceIsRefusedForAnother() throws {
        let alice = try keys.sender()
        let mallory = try mallory()
        let (fromAlice, fromMallory, toBob) = (try inbound(0), try inbound(2), try outbound(1))
        let bob = try keys.receiver(hop: 1)
        for sequence: UInt16 in 2000...2001 {
            let copy = try fromAlice.forward(try alice.protect(packet(sequence, "alice \(sequence)")), to: RelayTarget(hop: toBob))
            #expect(Array(try bob.unprotect(copy)[12...]) == Array("alice \(sequence)".utf8))
        }
        // Mallory's packets open on her own hop, but bob's hop sealed 2000 and 2001 already.
        for sequence: UInt16 in 2000...2001 {
            let wire = try mallory.protect(packet(sequence, "mallory \(sequence)"))
            #expect(throws: SRTPError.replayed(ssrc: Self.ssrc, index: UInt64(sequence))) {
                try fromMallory.forward(wire, to: RelayTarget(hop: toBob))
            }
        }
        // Behind the window (1024 by default): too old, not a replay.
        let old = try mallory.protect(packet(2001 - 1024, "mallory old"))
        #expect(throws: SRTPError.tooOld(ssrc: Self.ssrc, index: 2001 - 1024)) {
            try fromMallory.forward(old, to: RelayTarget(hop: toBob))
        }
        // The refusals changed nothing: alice's next packet goes through as before.
        let next = try fromAlice.forward(try alice.protect(packet(2002, "alice 2002")), to: RelayTarget(hop: toBob))
        #expect(Array(try bob.unprotect(next)[12...]) == Array("alice 2002".utf8))
        #expect(toBob.rolloverCounter(for: Self.ssrc) == 0)
    }

    /// In a fan-out, only the copy for the hop that sealed the index fails; a hop that never
    /// saw the SSRC gets its copy.
    @Test func aFanOutRefusesOnlyTheCopyWhoseHopSealedTheIndex() throws {
        let alice = try keys.sender()
        let mallory = try mallory()
        let (fromAlice, fromMallory, toBob, toCarol) = (try inbound(0), try inbound(2), try outbound(1), try outbound(3))
        _ = try fromAlice.forward(try alice.protect(packet(7, "alice")), to: RelayTarget(hop: toBob))
        let output = PacketBatch(maximumCount: 2)
        let wire = try mallory.protect(packet(7, "mallory"))
        try wire.withUnsafeBytes { try fromMallory.fanOut($0, to: [RelayTarget(hop: toBob), RelayTarget(hop: toCarol)], into: output) }
        #expect(output.count == 2)
        #expect(output.result(at: 0) == .failed(.replayed(ssrc: Self.ssrc, index: 7)))
        #expect(output.result(at: 1) == .ok)
        let carol = try DoubleReceiver(profile: .aes128Gcm, inner: malloryInner, outer: keys.hops[3])
        #expect(Array(try carol.unprotect(output.packet(at: 1))[12...]) == Array("mallory".utf8))
    }

    /// A hop named twice in one fan-out with the same header gets the packet once: the second
    /// copy would seal the same index again.
    @Test func aHopNamedTwiceSealsTheIndexOnce() throws {
        let alice = try keys.sender()
        let (fromAlice, toBob) = (try inbound(0), try outbound(1))
        let output = PacketBatch(maximumCount: 2)
        let wire = try alice.protect(packet(9, "twice"))
        try wire.withUnsafeBytes { try fromAlice.fanOut($0, to: [RelayTarget(hop: toBob), RelayTarget(hop: toBob)], into: output) }
        #expect(output.result(at: 0) == .ok)
        #expect(output.result(at: 1) == .failed(.replayed(ssrc: Self.ssrc, index: 9)))
    }
}
