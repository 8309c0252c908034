// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import TestSupport
import Testing

/// The `perc` tool with the RFC 8723 double profiles (issue 3, item 3): `protect` and
/// `unprotect` with `double-aes128-gcm` / `double-aes256-gcm` (key 32/64 bytes, salt 24,
/// inner half first), and `forward` (outer halves only) single-shot and `--batch`, with
/// `seq=`, `pt=`, `m=` edits. Outputs are compared byte for byte with the vector and with the
/// library (which the other suites check against libsrtp2 and the RFC rules).
@Suite struct PercDoubleCLITests {
    let sender: [String: Any]
    let distributor: [String: Any]

    init() throws {
        let vector = try Fixtures.json("perc-double-selfgen.json")
        sender = try vector.object("sender_A")
        distributor = try vector.object("media_distributor")
    }

    func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

    /// The vector's keys as tool options.
    var innerKey: [UInt8] { get throws { try sender.bytes("inner_master_key(E2E, sent in EKT)") } }
    var innerSalt: [UInt8] { get throws { try sender.bytes("inner_master_salt(from EKTKey.srtp_master_salt)") } }
    var hopA: SRTPMasterKey {
        get throws { SRTPMasterKey(key: try sender.bytes("outer_master_key(A<->MD HBH)"), salt: try sender.bytes("outer_master_salt")) }
    }
    var hopB: SRTPMasterKey {
        get throws {
            SRTPMasterKey(key: try distributor.bytes("outer_master_key(MD<->B HBH)"), salt: try distributor.bytes("outer_master_salt"))
        }
    }

    func doubleOptions(_ profile: String = "double-aes128-gcm", inner: SRTPMasterKey, outer: SRTPMasterKey) -> [String] {
        ["--profile", profile, "--key", hex(inner.key + outer.key), "--salt", hex(inner.salt + outer.salt)]
    }

    func forwardOptions(_ profile: String = "double-aes128-gcm", from: SRTPMasterKey, to: SRTPMasterKey) -> [String] {
        ["--profile", profile, "--in-key", hex(from.key), "--in-salt", hex(from.salt), "--out-key", hex(to.key),
         "--out-salt", hex(to.salt)]
    }

    /// One successful single-shot run: exit 0, nothing on stderr, one line.
    func runOne(_ arguments: [String], input: String = "") throws -> String {
        let result = try PercTool.run(arguments, input: input)
        #expect(result.status == 0, "\(arguments.first ?? ""): \(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.lines.count == 1)
        return result.lines.first ?? ""
    }

    // MARK: - The self-generated vector

    @Test func protectMatchesTheVector() throws {
        let inner = SRTPMasterKey(key: try innerKey, salt: try innerSalt)
        let plain = hex(try sender.bytes("rtp_packet_plain"))
        let expected = hex(try sender.bytes("srtp_packet"))
        #expect(try runOne(["protect"] + doubleOptions(inner: inner, outer: try hopA) + [plain]) == expected)
        let rfcName = doubleOptions("DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM", inner: inner, outer: try hopA)
        #expect(try runOne(["protect"] + rfcName, input: plain + "\n") == expected)
    }

    /// `unprotect` prints the original packet: PT/SEQ/M from the OHB, X and the extension as
    /// received (the distributor's extension edit stays), then the payload.
    @Test func unprotectPrintsTheReconstructedOriginal() throws {
        let inner = SRTPMasterKey(key: try innerKey, salt: try innerSalt)
        var expected = try sender.bytes("rtp_packet_plain")
        expected[21] = 0x43
        let relayed = hex(try distributor.bytes("srtp_packet"))
        #expect(try runOne(["unprotect"] + doubleOptions(inner: inner, outer: try hopB) + [relayed]) == hex(expected))
    }

    /// `forward` with the vector's edits (the extension byte edit is made on the opened packet
    /// first, see DoubleTransformVectorTests), on the command line and on standard input.
    @Test func forwardMatchesTheVector() throws {
        let edited = try OuterLayer.reseal(try sender.bytes("srtp_packet"), profile: .aes128Gcm, key: try hopA) { $0[21] = 0x43 }
        let expected = hex(try distributor.bytes("srtp_packet"))
        let options = ["forward"] + forwardOptions(from: try hopA, to: try hopB)
        #expect(try runOne(options + [hex(edited), "seq=66", "pt=100", "m=0"]) == expected)
        #expect(try runOne(options + ["--batch"], input: hex(edited) + " seq=0x0042 pt=100 m=0\n") == expected)
        #expect(try runOne(options, input: hex(edited) + " seq=66 pt=100 m=0\n") == expected)
    }

    // MARK: - Both profiles against the library

    /// Random packets through `protect --batch`, `forward --batch` (random edits) and
    /// `unprotect --batch`, equal line for line to the library's results.
    @Test(arguments: DoubleProfile.allCases)
    func batchRunsMatchTheLibrary(profile: DoubleProfile) throws {
        let keys = DoubleTestKeys(profile, seed: 21)
        var rng = SeededGenerator(seed: 22)
        let packets = (0..<40).map { RTPPacketFactory.random(ssrc: 0x1234_5678, sequenceNumber: UInt16(truncatingIfNeeded: 0xFFF0 + $0), using: &rng) }
        let library = try keys.sender()
        let protected = try packets.map { try library.protect($0) }
        let protectRun = try PercTool.run(["protect", "--batch"] + doubleOptions(profile.name, inner: keys.inner, outer: keys.hops[0]),
                                          input: packets.map(hex).joined(separator: "\n") + "\n")
        #expect(protectRun.status == 0 && protectRun.lines == protected.map(hex))

        let (inbound, outbound) = try keys.relay(from: 0)
        var lines: [String] = [], relayed: [[UInt8]] = []
        for (n, packet) in protected.enumerated() {
            var edits = HeaderEdits(), words: [String] = []
            if n % 3 == 0 {   // 500 ahead of the stream: no index is sent twice on the outgoing hop
                let moved = UInt16(truncatingIfNeeded: 0xFFF0 + n + 500)
                edits.sequenceNumber = moved
                words.append("seq=\(moved)")
            }
            if n % 4 == 1 { edits.payloadType = UInt8(n); words.append("pt=\(n)") }
            if n % 5 == 2 { edits.marker = n % 2 == 0; words.append("m=\(n % 2 == 0 ? 1 : 0)") }
            lines.append(([hex(packet)] + words).joined(separator: " "))
            relayed.append(try inbound.forward(packet, to: RelayTarget(hop: outbound, edits: edits)))
        }
        let forwardRun = try PercTool.run(["forward", "--batch"] + forwardOptions(profile.name, from: keys.hops[0], to: keys.hops[1]),
                                          input: lines.joined(separator: "\n") + "\n")
        #expect(forwardRun.status == 0 && forwardRun.lines == relayed.map(hex))

        let unprotectRun = try PercTool.run(["unprotect", "--batch"] + doubleOptions(profile.name, inner: keys.inner, outer: keys.hops[1]),
                                            input: relayed.map(hex).joined(separator: "\n") + "\n")
        #expect(unprotectRun.status == 0 && unprotectRun.lines == packets.map(hex))
    }

    // MARK: - ROCs and replay windows

    /// `--roc` is the initial ROC of both layers of `protect` and `unprotect`.
    @Test func rocIsTheInitialROCOfBothLayers() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 31)
        let packet = RTPPacketFactory.packet(sequenceNumber: 0x1000, payload: [1, 2, 3])
        let protected = try keys.sender(roc: 7).protect(packet)
        let protect = ["protect", "--roc", "7"] + doubleOptions(inner: keys.inner, outer: keys.hops[0])
        #expect(try runOne(protect + [hex(packet)]) == hex(protected))

        let unprotect = ["unprotect"] + doubleOptions(inner: keys.inner, outer: keys.hops[1])
        let forward = ["forward", "--in-roc", "7"] + forwardOptions(from: keys.hops[0], to: keys.hops[1])
        let sameROC = try runOne(forward + ["--out-roc", "7", hex(protected)])
        #expect(try runOne(unprotect + ["--roc", "7", sameROC]) == hex(packet))
        // Outer layer at ROC 3, inner at 7: no single --roc opens both.
        let otherROC = try runOne(forward + ["--out-roc", "3", hex(protected)])
        for roc in ["3", "7", "0"] {
            let result = try PercTool.run(unprotect + ["--roc", roc, otherROC])
            #expect(result.status == 1 && result.stderr.hasPrefix("error:") && result.stdout.isEmpty, "--roc \(roc)")
        }
    }

    /// `--replay-window N` sets the outer and the inner window: a packet too old for either
    /// window alone is refused with 64 and accepted with the default 1024.
    @Test func replayWindowSetsBothWindows() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 41)
        func relayed(_ pairs: [(inner: UInt16, outer: UInt16)]) throws -> String {
            let sender = try keys.sender()
            let (inbound, outbound) = try keys.relay(from: 0)
            return try pairs.map { pair in
                hex(try inbound.forward(try sender.protect(RTPPacketFactory.packet(sequenceNumber: pair.inner, payload: [9])),
                                        to: RelayTarget(hop: outbound, edits: HeaderEdits(sequenceNumber: pair.outer))))
            }.joined(separator: "\n") + "\n"
        }
        let unprotect = ["unprotect", "--batch"] + doubleOptions(inner: keys.inner, outer: keys.hops[1])
        let outerTooOld = try relayed([(1, 1000), (2, 930)])
        let innerTooOld = try relayed([(1000, 1), (930, 2)])
        for input in [outerTooOld, innerTooOld] {
            let narrow = try PercTool.run(unprotect + ["--replay-window", "64"], input: input)
            #expect(narrow.status == 0 && narrow.lines.count == 2)
            #expect(narrow.lines.last?.hasPrefix("error:") == true)
            let wide = try PercTool.run(unprotect, input: input)
            #expect(wide.lines.count == 2 && wide.lines.allSatisfy { !$0.hasPrefix("error:") })
        }
    }

    /// An authentic packet re-sent by a relay under a fresh outer SEQ fails the inner window.
    @Test func innerReplayIsRefused() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 51)
        let packet = RTPPacketFactory.packet(sequenceNumber: 77, csrcs: [1], payload: Array("replay".utf8))
        let protected = hex(try keys.sender().protect(packet))
        let forward = ["forward"] + forwardOptions(from: keys.hops[0], to: keys.hops[1])
        let first = try runOne(forward + [protected, "seq=500"])
        let again = try runOne(forward + [protected, "seq=501"])   // a fresh relay state: its own window is new
        let result = try PercTool.run(["unprotect", "--batch"] + doubleOptions(inner: keys.inner, outer: keys.hops[1]),
                                      input: first + "\n" + again + "\n" + first + "\n")
        #expect(result.lines.count == 3)
        #expect(result.lines.first == hex(packet))
        #expect(result.lines.dropFirst().allSatisfy { $0.hasPrefix("error:") })
    }

    /// An OHB with reserved bits or with B but not M is refused (RFC 8723 4).
    @Test func invalidOHBIsRefused() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 61)
        let sender = try keys.sender()
        let unprotect = ["unprotect"] + doubleOptions(inner: keys.inner, outer: keys.hops[0])
        var lines: [String] = []
        for (n, config) in [UInt8(0x10), 0x08, 0x8C, 0x40].enumerated() {
            let wire = try sender.protect(RTPPacketFactory.packet(sequenceNumber: UInt16(n), payload: [UInt8(n)]))
            let crafted = try OuterLayer.reseal(wire, profile: .aes128Gcm, key: keys.hops[0]) { $0[$0.count - 1] = config }
            let single = try PercTool.run(unprotect + [hex(crafted)])
            #expect(single.status == 1 && single.stderr.hasPrefix("error:") && single.stdout.isEmpty, "config \(config)")
            lines.append(hex(crafted))
        }
        let good = RTPPacketFactory.packet(sequenceNumber: 9, payload: [9])
        lines.append(hex(try sender.protect(good)))
        let batch = try PercTool.run(unprotect + ["--batch"], input: lines.joined(separator: "\n") + "\n")
        #expect(batch.status == 0 && batch.lines.count == 5)
        #expect(batch.lines.prefix(4).allSatisfy { $0.hasPrefix("error:") })
        #expect(batch.lines.last == hex(good))
    }

    // MARK: - forward

    /// The incoming hop keeps a 1024-packet replay window.
    @Test func forwardIncomingWindowIs1024() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 71)
        let sender = try keys.sender()
        let wires = try [3000, 2000, 1900, 3000 - 1023, 3000 - 1024, 3000].map {
            hex(try sender.protect(RTPPacketFactory.packet(sequenceNumber: UInt16($0), payload: [1])))
        }
        let result = try PercTool.run(["forward", "--batch"] + forwardOptions(from: keys.hops[0], to: keys.hops[1]),
                                      input: wires.joined(separator: "\n") + "\n")
        #expect(result.status == 0 && result.lines.count == 6)
        #expect(result.lines.map { $0.hasPrefix("error:") } == [false, false, true, false, true, true])
    }

    /// `--in-roc` is the incoming hop's ROC for its first accepted packet.
    @Test func forwardInROC() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 81)
        let wire = hex(try keys.sender(roc: 3).protect(RTPPacketFactory.packet(sequenceNumber: 5, payload: [5])))
        let forward = ["forward"] + forwardOptions(from: keys.hops[0], to: keys.hops[1])
        let refused = try PercTool.run(forward + [wire])
        #expect(refused.status == 1 && refused.stderr.hasPrefix("error:") && refused.stdout.isEmpty)
        let relayed = try runOne(forward + ["--in-roc", "3", wire])
        #expect(Hex.decode(relayed).map { $0.count } == Hex.decode(wire).map { $0.count })
    }

    /// `--out-roc` starts the outgoing hop; later ROCs are estimated relative to the highest
    /// index sent, so a packet forwarded late behind the SEQ wrap goes out with the previous ROC.
    @Test func forwardOutROCAndEstimation() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 91)
        let sender = try keys.sender()
        let wires = try [0xFFFE, 0xFFFF, 0x0000, 0x0001].map {
            try sender.protect(RTPPacketFactory.packet(sequenceNumber: UInt16($0), payload: [7]))
        }
        let order = [0, 2, 3, 1]
        let result = try PercTool.run(["forward", "--batch", "--out-roc", "9"] + forwardOptions(from: keys.hops[0], to: keys.hops[1]),
                                      input: order.map { hex(wires[$0]) }.joined(separator: "\n") + "\n")
        #expect(result.status == 0 && result.lines.count == 4)
        for (line, roc) in zip(result.lines, [UInt32(9), 10, 10, 9]) {
            let relayed = try #require(Hex.decode(line))
            _ = try OuterLayer.open(relayed, profile: .aes128Gcm, key: keys.hops[1], roc: roc)
            #expect(throws: SRTPError.self) { try OuterLayer.open(relayed, profile: .aes128Gcm, key: keys.hops[1], roc: roc + 1) }
        }
    }

    /// Streams are per SSRC: two interleaved senders, each outgoing stream starting at
    /// `--out-roc`, each incoming one at `--in-roc`, and `unprotect` keeping both apart.
    @Test func interleavedStreams() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 141)
        let senders = try (0..<2).map { _ in try keys.sender(roc: 2) }
        var wires: [[UInt8]] = [], originals: [[UInt8]] = []
        for n in 0..<6 {
            let ssrc: UInt32 = n % 2 == 0 ? 0x1111_1111 : 0x2222_2222
            let packet = RTPPacketFactory.packet(sequenceNumber: UInt16(truncatingIfNeeded: 0xFFFE + n / 2 + (n % 2) * 100),
                                                 ssrc: ssrc, payload: [UInt8(n)])
            originals.append(packet)
            wires.append(try senders[n % 2].protect(packet))
        }
        let forward = try PercTool.run(["forward", "--batch", "--in-roc", "2", "--out-roc", "2"]
                                       + forwardOptions(from: keys.hops[0], to: keys.hops[1]),
                                       input: wires.map(hex).joined(separator: "\n") + "\n")
        #expect(forward.status == 0 && forward.lines.count == 6)
        // The first packet of each SSRC went out at ROC 2; 0x0000 of the first SSRC at ROC 3.
        _ = try OuterLayer.open(try #require(Hex.decode(forward.lines[0])), profile: .aes128Gcm, key: keys.hops[1], roc: 2)
        _ = try OuterLayer.open(try #require(Hex.decode(forward.lines[1])), profile: .aes128Gcm, key: keys.hops[1], roc: 2)
        _ = try OuterLayer.open(try #require(Hex.decode(forward.lines[4])), profile: .aes128Gcm, key: keys.hops[1], roc: 3)
        let unprotect = try PercTool.run(["unprotect", "--batch", "--roc", "2"] + doubleOptions(inner: keys.inner, outer: keys.hops[1]),
                                         input: forward.stdout)
        #expect(unprotect.status == 0 && unprotect.lines == originals.map(hex))
    }

    /// Setting a field to its current value is no change: the same bytes as no edit, OHB 00.
    @Test func editToTheCurrentValueIsNoChange() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 101)
        let packet = RTPPacketFactory.packet(payloadType: 96, sequenceNumber: 4660, marker: true, payload: [1, 2])
        let wire = hex(try keys.sender().protect(packet))
        let forward = ["forward"] + forwardOptions(from: keys.hops[0], to: keys.hops[1])
        let plain = try runOne(forward + [wire])
        #expect(try runOne(forward + [wire, "seq=4660", "pt=96", "m=1"]) == plain)
        #expect(try OuterLayer.open(try #require(Hex.decode(plain)), profile: .aes128Gcm, key: keys.hops[1]).last == 0x00)
        let changed = try runOne(forward + [wire, "pt=97"])
        #expect(try OuterLayer.open(try #require(Hex.decode(changed)), profile: .aes128Gcm, key: keys.hops[1]).suffix(2) == [96, 0x02])
    }

    /// Per-line errors in `forward --batch` (bad hex, bad edit, forged packet) print
    /// `error: ...` and the following lines are still relayed.
    @Test func forwardBatchLineErrors() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 111)
        let sender = try keys.sender()
        let wires = try (0..<3).map { try sender.protect(RTPPacketFactory.packet(sequenceNumber: UInt16($0), payload: [3])) }
        var forged = wires[1]
        forged[forged.count - 1] ^= 1
        let input = [hex(wires[0]) + " pt=5", "zz", hex(wires[1]) + " pt=300", hex(wires[1]) + " q=1", hex(forged),
                     hex(wires[1]) + " m=1", hex(wires[2])]
        let result = try PercTool.run(["forward", "--batch"] + forwardOptions(from: keys.hops[0], to: keys.hops[1]),
                                      input: input.joined(separator: "\n") + "\n")
        #expect(result.status == 0)
        #expect(result.lines.map { $0.hasPrefix("error:") } == [false, true, true, true, true, false, false])
        let receiver = try keys.receiver(hop: 1)
        for (line, n) in zip([result.lines[0], result.lines[5], result.lines[6]], [0, 1, 2]) {
            #expect(try receiver.unprotect(try #require(Hex.decode(line))) == RTPPacketFactory.packet(sequenceNumber: UInt16(n), payload: [3]))
        }
    }

    /// Two `forward` runs in a row (the second sets PT back and changes SEQ again), then
    /// `unprotect`: the original packet.
    @Test func twoRelaysInARow() throws {
        let keys = DoubleTestKeys(.aes256Gcm, seed: 121)
        let packet = RTPPacketFactory.packet(payloadType: 96, sequenceNumber: 0xFFFF, marker: false, csrcs: [3, 4],
                                             extensionProfile: 0xBEDE, extensionBody: [0x10, 0xAA, 0, 0], payload: [1, 2, 3])
        let wire = hex(try keys.sender().protect(packet))
        let first = try runOne(["forward"] + forwardOptions("double-aes256-gcm", from: keys.hops[0], to: keys.hops[1])
                               + [wire, "seq=10", "pt=100", "m=1"])
        let second = try runOne(["forward"] + forwardOptions("double-aes256-gcm", from: keys.hops[1], to: keys.hops[2])
                                + [first, "seq=20", "pt=96"])
        let ohb = try OuterLayer.open(try #require(Hex.decode(second)), profile: .aes256Gcm, key: keys.hops[2]).suffix(3)
        #expect(Array(ohb) == [0xFF, 0xFF, 0x05], "original SEQ kept, PT dropped, M recorded (original 0)")
        #expect(try runOne(["unprotect"] + doubleOptions("double-aes256-gcm", inner: keys.inner, outer: keys.hops[2]) + [second])
                == hex(packet))
    }

    /// SRTCP with a double profile is hop-by-hop only: `--rtcp` uses the outer half.
    @Test func rtcpUsesTheOuterHalf() throws {
        let keys = DoubleTestKeys(.aes128Gcm, seed: 131)
        let report: [UInt8] = [0x80, 0xC9, 0x00, 0x01, 0x0B, 0xAD, 0xCA, 0xFE]
        let protected = try runOne(["protect", "--rtcp"] + doubleOptions(inner: keys.inner, outer: keys.hops[0]) + [hex(report)])
        #expect(try keys.sender().hopByHop.protectRTCP(report) == Hex.decode(protected))
        #expect(try runOne(["unprotect", "--rtcp"] + doubleOptions(inner: keys.inner, outer: keys.hops[0]) + [protected])
                == hex(report))
    }

    // MARK: - Argument errors

    /// Exit 1 with `error:` on stderr, nothing on stdout, before reading any input (standard
    /// input stays open and unwritten: a tool that read it would hang and be killed).
    @Test func argumentErrorsComeBeforeInput() throws {
        let k16 = String(repeating: "11", count: 16), k32 = String(repeating: "22", count: 32)
        let s12 = String(repeating: "33", count: 12), s24 = String(repeating: "44", count: 24)
        let forward = ["forward", "--in-key", k16, "--in-salt", s12, "--out-salt", s12]
        let cases: [[String]] = [
            forward + ["--profile", "aes128-gcm", "--out-key", String(repeating: "55", count: 16)],
            forward + ["--profile", "aes128-cm-sha1-80", "--out-key", String(repeating: "55", count: 16)],
            forward + ["--profile", "double-aes128-gcm", "--out-key", k16],
            forward + ["--profile", "double-aes128-gcm", "--out-key", k16.uppercased()],
            forward + ["--profile", "double-aes256-gcm", "--out-key", k32],           // 16-byte --in-key
            forward + ["--profile", "double-aes128-gcm", "--out-key", k32],           // 32-byte --out-key
            ["forward", "--profile", "double-aes128-gcm", "--in-key", k16, "--in-salt", s24, "--out-key", k32.prefix(32) + "",
             "--out-salt", s12],
            ["protect", "--profile", "double-aes128-gcm", "--key", k16, "--salt", s24],
            ["protect", "--profile", "double-aes128-gcm", "--key", k32, "--salt", s12],
            ["unprotect", "--profile", "double-aes256-gcm", "--key", k32, "--salt", s24],
            ["unprotect", "--profile", "double-aes128-gcm", "--key", k32 + "00", "--salt", s24],
        ]
        for (n, arguments) in cases.enumerated() {
            let mode = n % 2 == 0 ? ["--batch"] : []   // single-shot would read the packet from stdin
            let result = try PercTool.run(arguments + mode, input: nil, timeout: 10)
            #expect(result.status == 1, "\(arguments + mode)")
            #expect(result.stderr.hasPrefix("error:"), "\(arguments + mode): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }
}
