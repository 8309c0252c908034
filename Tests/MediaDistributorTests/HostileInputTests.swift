// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import TestSupport
import Foundation
import MediaDistributor
import PERC
import PERCTunnel
import SRTP
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hostile input at the distributor: a real conference (three endpoints through a KD tunnel)
/// keeps sending media while a flooder sends garbage, oversized, malformed, forged, replayed
/// and unbound datagrams, and STUN joins past the association limit. Every bad datagram must
/// land in exactly one drop counter, valid media must keep flowing, and the bounds must hold.
///
/// `PERC_HOSTILE_SECONDS=60 swift test --filter HostileInputTests` floods for that long
/// and prints the figures (the README's "Hostile input at the MDD").
@Suite(.serialized) struct HostileInputTests {
    static let maximumAssociations = 16
    static let handshakeTimeout = Duration.milliseconds(1500)

    @Test func floodBesideARealConference() async throws {
        let floodSeconds = ProcessInfo.processInfo.environment["PERC_HOSTILE_SECONDS"].flatMap(Double.init)
        let directory = temporaryDirectory("md-hostile")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try DevelopmentCertificates.loadOrCreate(in: directory)
        let kd = try await FakeKeyDistributor.start(host: "127.0.0.1", credentials: certificates.keyDistributorCredentials())
        let md = try MediaDistributor(configuration: .init(
            mediaHost: "127.0.0.1", workers: 2, pinWorkers: false,
            keyDistributor: .init(host: "127.0.0.1", port: kd.server.port, credentials: certificates.mediaDistributorCredentials()),
            maximumAssociations: Self.maximumAssociations, handshakeTimeout: Self.handshakeTimeout))
        md.start()
        #expect(await kd.profiles.wait { !$0.isEmpty })
        let distributor = EndpointAddress(host: "127.0.0.1", port: md.mediaPort)!

        // The conference: three talkers and mallory, a keyed member who misbehaves.
        let ekt = try ForwardingTests.ektParameters()
        let names = ["alice", "bob", "carol", "mallory"]
        let members = try names.enumerated().map { i, name in
            try FakeEndpoint(name: name, host: "127.0.0.1", ssrc: 0x5000 + UInt32(i), ekt: ekt)
        }
        for member in members {
            kd.register(member.name, toDistributor: member.toDistributor, fromDistributor: member.fromDistributor)
            #expect(member.join(conference: "room", at: distributor)?.ok == true)
            member.send(FakeKeyDistributor.dtlsPrefix + Array(member.name.utf8), to: distributor)
            var reply: [UInt8]?   // the KD's DTLS answer, read so the media loop sees only media
            for _ in 0..<30 where reply == nil { reply = member.receive() }
            #expect(reply == FakeKeyDistributor.dtlsPrefix + Array("hello \(member.name)".utf8))
            let id = try #require(await firstAssociation(md, "room", member.name))
            #expect(await eventually { md.hopKeys(for: id) != nil })
        }
        try await Task.sleep(for: .milliseconds(200))   // workers apply the keys between batches
        let talkers = Array(members[0..<3]), mallory = members[3]
        #expect(md.associationCount == 4 && md.conferenceCount == 1)

        let media = MediaLoop(talkers: talkers, distributor: distributor)
        media.start()
        let unloaded = floodSeconds == nil ? 1.0 : 3.0
        let unloadedStart = ContinuousClock.now
        media.phase.store(MediaLoop.unloaded, ordering: .relaxed)
        try await Task.sleep(for: .seconds(unloaded))
        media.phase.store(MediaLoop.flood, ordering: .relaxed)
        let unloadedDuration = ContinuousClock.now - unloadedStart

        let floodStart = ContinuousClock.now
        let rssBefore = residentKilobytes()
        let flooder = Flooder(md: md, kd: kd, distributor: distributor, mallory: mallory, media: media)
        var rounds = 0
        repeat {
            try flooder.round(joins: md.associationCount == 4)
            rounds += 1
        } while floodSeconds.map { ContinuousClock.now - floodStart < .seconds($0) } ?? false
        media.phase.store(MediaLoop.after, ordering: .relaxed)
        let floodDuration = ContinuousClock.now - floodStart
        try await Task.sleep(for: .milliseconds(300))   // the last copies arrive
        media.stop()
        let rssAfter = residentKilobytes()

        // Bounds: never past the limit; the flood's bound-but-never-keyed joins expire, the
        // KD hears EndpointDisconnect for each, and their conferences' numbers are reclaimed.
        #expect(flooder.highestAssociationCount <= Self.maximumAssociations)
        #expect(flooder.joinsAccepted > 0 && flooder.totals.joinsRefused > 0)
        #expect(await eventually(timeout: .seconds(5)) { md.associationCount == 4 })
        #expect(md.conferenceCount == 1 && md.handshakesExpired == flooder.joinsAccepted)
        let joinsAccepted = flooder.joinsAccepted
        #expect(await kd.disconnects.wait { $0.count == joinsAccepted })
        // Unbound DTLS never reached the KD: it saw exactly what the distributor tunnelled
        // (the four members' handshakes and mallory's DTLS within its rate).
        #expect(await eventually { kd.tunnelledDTLS.load(ordering: .relaxed) == md.statistics.dtlsToKeyDistributor })
        #expect(md.statistics.dtlsToKeyDistributor == 4 + flooder.malloryDTLSTunnelled)

        // Valid media kept flowing.
        let quiet = media.delivery(MediaLoop.unloaded), loaded = media.delivery(MediaLoop.flood)
        let quietRate = Double(quiet.received) / unloadedDuration.seconds
        let floodRate = Double(loaded.received) / floodDuration.seconds
        #expect(media.failures.load(ordering: .relaxed) == 0, "every copy a talker received opened end to end")
        #expect(quiet.fraction >= 0.95 && loaded.fraction >= 0.95)

        let totals = flooder.totals
        print("""
            hostile input: \(rounds) rounds in \(String(format: "%.2f", floodDuration.seconds)) s, \
            \(flooder.sent) bad datagrams (\(String(format: "%.0f", Double(flooder.sent) / floodDuration.seconds))/s, \
            \(flooder.bytes / 1_000_000) MB)
              drops: unclassified \(totals.unclassified), oversized \(totals.oversized), malformed STUN \(totals.malformedSTUN), \
            joins refused \(totals.joinsRefused) (accepted then expired \(flooder.joinsAccepted)), \
            rate-limited \(totals.rateLimited), unbound DTLS \(totals.unboundDTLS), unknown source \(totals.unknownSource), \
            SSRC conflicts \(totals.ssrcConflicts), authentication failures \(totals.authenticationFailures)
              valid media: unloaded \(quiet.received)/\(quiet.expected) copies (\(String(format: "%.0f", quietRate))/s), \
            under flood \(loaded.received)/\(loaded.expected) (\(String(format: "%.0f", floodRate))/s), \
            \(String(format: "%.3f", floodRate / quietRate)) of the unloaded rate (the talkers send every 5 ms)
              associations: at most \(flooder.highestAssociationCount) (limit \(Self.maximumAssociations)); \
            RSS \(rssBefore) kB before, \(rssAfter) kB after
            """)
        await md.stop()
        await kd.server.close()
    }

    /// A conference's number is reclaimed when its last endpoint leaves, and a new conference
    /// that gets it starts clean: an SSRC the old members owned is free there.
    @Test func conferenceNumbersAreReclaimedClean() async throws {
        let md = try MediaDistributor(configuration: .init(mediaHost: "127.0.0.1", pinWorkers: false))
        md.start()
        let distributor = EndpointAddress(host: "127.0.0.1", port: md.mediaPort)!
        let ekt = try ForwardingTests.ektParameters()
        func join(_ endpoint: FakeEndpoint, _ conference: String) throws {
            #expect(endpoint.join(conference: conference, at: distributor)?.ok == true)
            let id = try #require(md.association(conference: conference, participant: endpoint.name))
            try md.handle(.mediaKeys(MediaKeys(
                associationID: id, protectionProfile: 0x0009,
                clientWriteMasterKey: SecretBytes(endpoint.toDistributor.key),
                serverWriteMasterKey: SecretBytes(endpoint.fromDistributor.key),
                clientWriteMasterSalt: endpoint.toDistributor.salt, serverWriteMasterSalt: endpoint.fromDistributor.salt)))
        }
        let alice = try FakeEndpoint(name: "alice", host: "127.0.0.1", ssrc: 0xA, ekt: ekt)
        let bob = try FakeEndpoint(name: "bob", host: "127.0.0.1", ssrc: 0xB, ekt: ekt)
        let carol = try FakeEndpoint(name: "carol", host: "127.0.0.1", ssrc: 0xC, ekt: ekt)
        try join(alice, "one")
        try join(bob, "one")
        try join(carol, "two")
        try await Task.sleep(for: .milliseconds(200))
        try ForwardingTests.exchangeMedia([alice, bob], rounds: 2, to: distributor, tag: "one")   // alice owns SSRC 0xA in "one"
        #expect(md.conferenceCount == 2)
        // Both leave "one" for "two" (a new USERNAME from the same address): "one" empties.
        try join(alice, "two")
        try join(bob, "two")
        #expect(md.conferenceCount == 1 && md.associationCount == 3)
        // "three" takes the reclaimed number; dave uses alice's old SSRC there.
        let dave = try FakeEndpoint(name: "dave", host: "127.0.0.1", ssrc: 0xA, ekt: ekt)
        let erin = try FakeEndpoint(name: "erin", host: "127.0.0.1", ssrc: 0xE, ekt: ekt)
        try join(dave, "three")
        try join(erin, "three")
        #expect(md.conferenceCount == 2)
        try await Task.sleep(for: .milliseconds(200))
        try ForwardingTests.exchangeMedia([dave, erin], rounds: 3, to: distributor, tag: "three")
        for endpoint in [alice, bob] { while endpoint.receive() != nil {} }
        try ForwardingTests.exchangeMedia([alice, bob, carol], rounds: 3, to: distributor, tag: "two")
        #expect(md.statistics.ssrcConflicts == 0)
        await md.stop()
    }

    private func firstAssociation(_ md: MediaDistributor, _ conference: String, _ name: String) async -> AssociationID? {
        _ = await eventually(timeout: .seconds(2)) { md.association(conference: conference, participant: name) != nil }
        return md.association(conference: conference, participant: name)
    }
}

/// The talkers' media: one thread sends an RTP packet from every talker every 5 ms, tagged
/// with the current phase; one thread per talker opens what it receives and counts the other
/// talkers' packets per phase.
final class MediaLoop: @unchecked Sendable {
    static let unloaded: UInt8 = 0, flood: UInt8 = 1, after: UInt8 = 2
    let phase = Atomic<UInt8>(after)
    /// Datagrams the talkers sent (the flooder's pacing counts them in flight).
    let datagramsSent = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    /// A few of alice's packets, for the flooder to replay from its own address.
    let recorded = Mutex<[[UInt8]]>([])
    private let talkers: [FakeEndpoint]
    private let distributor: EndpointAddress
    private let running = Atomic<Bool>(true)
    private let finished = Atomic<Int>(0)
    private let sent = Mutex<[Int]>([0, 0, 0])
    private let received = Mutex<[Int]>([0, 0, 0])

    init(talkers: [FakeEndpoint], distributor: EndpointAddress) {
        self.talkers = talkers
        self.distributor = distributor
    }

    func start() {
        Thread { self.send() }.start()
        for i in talkers.indices { Thread { self.receive(self.talkers[i]) }.start() }
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        while finished.load(ordering: .acquiring) < talkers.count + 1 { usleep(10_000) }
    }

    /// Copies received in `phase`, of those the distributor should have delivered.
    func delivery(_ phase: UInt8) -> (received: Int, expected: Int, fraction: Double) {
        let got = received.withLock { $0[Int(phase)] }
        let expected = sent.withLock { $0[Int(phase)] } * (talkers.count - 1)
        return (got, expected, expected == 0 ? 0 : Double(got) / Double(expected))
    }

    private func send() {
        var counter = 0
        while running.load(ordering: .relaxed) {
            let phase = self.phase.load(ordering: .relaxed)
            for talker in talkers {
                guard let packet = try? talker.protectedRTP(payload: [phase] + Array("\(talker.name) \(counter)".utf8)) else { continue }
                if talker === talkers[0] && counter < 16 { recorded.withLock { $0.append(packet) } }
                datagramsSent.add(1, ordering: .relaxed)
                talker.send(packet, to: distributor)
                sent.withLock { $0[Int(phase)] += 1 }
            }
            counter += 1
            usleep(5_000)
        }
        finished.add(1, ordering: .releasing)
    }

    private func receive(_ talker: FakeEndpoint) {
        let talkerSSRCs = Set(talkers.map(\.ssrc))
        while running.load(ordering: .relaxed) {
            guard let datagram = talker.receive() else { continue }
            let packet: [UInt8]
            do { packet = try talker.receiver.unprotect(datagram) } catch {
                failures.add(1, ordering: .relaxed)
                continue
            }
            let ssrc = packet[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard talkerSSRCs.contains(ssrc), packet.count > 12, packet[12] <= Self.after else { continue }
            received.withLock { $0[Int(packet[12])] += 1 }
        }
        finished.add(1, ordering: .releasing)
    }
}

/// A plain loopback UDP socket for the flooder.
final class FloodSocket {
    let fd: Int32

    init() {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        precondition(fd >= 0)
        var size: Int32 = 1 << 20
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let bound = EndpointAddress(host: "127.0.0.1", port: 0)!.withSocketAddress { bind(fd, $0, $1) }
        precondition(bound == 0)
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8], to destination: EndpointAddress) {
        let sent = bytes.withUnsafeBytes { raw in
            destination.withSocketAddress { sendto(fd, raw.baseAddress, raw.count, 0, $0, $1) }
        }
        precondition(sent == bytes.count, "send of \(bytes.count) bytes: errno \(errno)")
    }
}

/// Sends one class of bad datagrams at a time, paced so that the distributor's socket never
/// overflows (at most a window of datagrams in flight), and checks after each class that the
/// drop counters grew by exactly what it sent, in the counter that class belongs to.
final class Flooder {
    private let md: MediaDistributor
    private let kd: FakeKeyDistributor
    private let distributor: EndpointAddress
    private let mallory: FakeEndpoint
    private let media: MediaLoop
    private let stranger = FloodSocket(), chatty = FloodSocket()
    private let joiners = (0..<40).map { _ in FloodSocket() }
    private var generator = SystemRandomNumberGenerator()
    private var baseline: Int
    private let mediaBaseline: Int

    private(set) var sent = 0
    private(set) var bytes = 0
    private(set) var totals = MediaDistributorStatistics()
    private(set) var joinsAccepted = 0
    private(set) var malloryDTLSTunnelled = 0
    private(set) var highestAssociationCount = 0

    init(md: MediaDistributor, kd: FakeKeyDistributor, distributor: EndpointAddress, mallory: FakeEndpoint,
         media: MediaLoop) {
        (self.md, self.kd, self.distributor, self.mallory, self.media) = (md, kd, distributor, mallory, media)
        baseline = md.statistics.datagramsReceived
        mediaBaseline = media.datagramsSent.load(ordering: .relaxed)
    }

    /// Random bytes made once: datagrams are slices of it at random offsets (making fresh
    /// random bytes for every datagram would make the flooder, not the distributor, the limit).
    private lazy var pool: [UInt8] = (0..<(1 << 14)).flatMap { _ in
        withUnsafeBytes(of: UInt64.random(in: 0...UInt64.max, using: &generator)) { Array($0) }
    }

    private func random(_ count: Int) -> [UInt8] {
        let offset = Int.random(in: 0...(pool.count - count), using: &generator)
        return Array(pool[offset..<(offset + count)])
    }

    /// Datagrams sent (by the flooder and the talkers) that the distributor has not received yet.
    private var inFlight: Int {
        sent + (media.datagramsSent.load(ordering: .relaxed) - mediaBaseline) - (md.statistics.datagramsReceived - baseline)
    }

    private func send(_ datagram: [UInt8], from socket: FloodSocket, window: Int = 256) throws {
        socket.send(datagram, to: distributor)
        sent += 1
        bytes += datagram.count
        try settle(window: window)
    }

    private func send(_ datagram: [UInt8], fromMallory window: Int = 256) throws {
        mallory.send(datagram, to: distributor)
        sent += 1
        bytes += datagram.count
        try settle(window: window)
    }

    /// Waits until at most `window` datagrams are in flight.
    private func settle(window: Int) throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while inFlight > window {
            guard ContinuousClock.now < deadline else {
                throw FloodError.lost(inFlight: inFlight)
            }
            usleep(100)
        }
    }

    enum FloodError: Error { case lost(inFlight: Int) }

    /// The receive-drop counters, in a fixed order.
    private static func drops(_ s: MediaDistributorStatistics) -> [Int] {
        [s.unclassified, s.oversized, s.malformedSTUN, s.joinsRefused, s.unboundSTUN, s.rateLimited, s.unboundDTLS,
         s.unknownSource, s.ssrcConflicts, s.authenticationFailures]
    }

    /// Runs `body` (one class), waits until everything sent arrived, and checks the drop
    /// counters grew by `expected` (a function of the class's own count); returns the delta.
    @discardableResult
    private func phase(_ name: String, _ body: () throws -> Void,
                       expect: (MediaDistributorStatistics) -> MediaDistributorStatistics) throws -> MediaDistributorStatistics {
        let before = md.statistics
        try body()
        try settle(window: 0)
        // The talkers count a datagram as sent just after the send call, so the in-flight
        // count can reach 0 with one flood datagram still on its way: give it a moment.
        var delta = md.statistics - before
        let deadline = ContinuousClock.now + .seconds(1)
        while Self.drops(delta) != Self.drops(expect(delta)), ContinuousClock.now < deadline {
            usleep(1000)
            delta = md.statistics - before
        }
        let expected = expect(delta)
        #expect(Self.drops(delta) == Self.drops(expected), "\(name): drops \(Self.drops(delta)), expected \(Self.drops(expected))")
        totals = totals + delta
        highestAssociationCount = max(highestAssociationCount, md.associationCount)
        return delta
    }

    func round(joins: Bool) throws {
        // Joins with random usernames from 40 new addresses: bound up to the limit, the rest refused.
        // First in the round: the rate-limit phases below drain a few buckets, which a
        // joiner could share.
        if joins {
            let room = md.maximumAssociationsFree
            let joined = try phase("joins", {
                for joiner in joiners {
                    let name = random(8).map { String($0, radix: 16) }.joined()
                    try send(STUNBinding.request(username: "flood-\(name):\(name)", transactionID: random(12)), from: joiner)
                }
            }, expect: { _ in var s = MediaDistributorStatistics(); s.joinsRefused = 40 - room; return s })
            #expect(joined.stunAnswered == room && md.associationCount == HostileInputTests.maximumAssociations)
            joinsAccepted += room
        }

        // Random datagrams, any first byte and length 0...1500, from an unbound address:
        // each lands in its class's counter.
        var garbage = MediaDistributorStatistics()
        try phase("garbage", {
            for _ in 0..<1500 {
                let datagram = random(Int.random(in: 0...1500, using: &generator))
                switch datagram.withUnsafeBytes({ PacketClass($0) }) {
                case .stun: garbage.malformedSTUN += 1
                case .dtls: garbage.unboundDTLS += 1
                case .rtp, .rtcp: garbage.unknownSource += 1
                case .other: garbage.unclassified += 1
                }
                try send(datagram, from: stranger)
            }
        }, expect: { _ in garbage })

        // Oversized: 2049 bytes (one past a receive slot) up to the largest UDP payload.
        try phase("oversized", {
            for i in 0..<120 {
                let length = i == 0 ? 65_507 : i == 1 ? 2049 : Int.random(in: 2049...65_507, using: &generator)
                try send([0x80, 96] + random(length - 2), from: stranger, window: 16)
            }
        }, expect: { _ in var s = MediaDistributorStatistics(); s.oversized = 120; return s })

        // Malformed STUN: truncated, corrupted cookie, wrong length field, random after byte 0.
        try phase("malformed STUN", {
            let valid = STUNBinding.request(username: "room:x", transactionID: random(12))
            for i in 0..<1000 {
                var datagram: [UInt8]
                switch i % 4 {
                case 0: datagram = Array(valid[0..<Int.random(in: 1..<valid.count, using: &generator)])
                case 1: datagram = valid; datagram[4 + Int.random(in: 0...3, using: &generator)] ^= 0x40
                case 2: datagram = valid; datagram[3] &+= UInt8(4 * Int.random(in: 1...8, using: &generator))
                default: datagram = [UInt8.random(in: 0...3, using: &generator)] + random(Int.random(in: 0...200, using: &generator))
                }
                try send(datagram, from: stranger)
            }
        }, expect: { _ in var s = MediaDistributorStatistics(); s.malformedSTUN = 1000; return s })

        // DTLS garbage from an address that never bound: never tunnelled.
        let tunnelledBefore = kd.tunnelledDTLS.load(ordering: .relaxed)
        try phase("unbound DTLS", {
            for _ in 0..<1000 {
                try send([22, 0xFE, 0xFD] + random(Int.random(in: 10...1200, using: &generator)), from: stranger)
            }
        }, expect: { _ in var s = MediaDistributorStatistics(); s.unboundDTLS = 1000; return s })
        #expect(kd.tunnelledDTLS.load(ordering: .relaxed) == tunnelledBefore)

        // SRTP and SRTCP-looking datagrams from an unbound address.
        try phase("unknown source", {
            for i in 0..<1000 {
                try send([0x80, i % 2 == 0 ? 96 : 200] + random(Int.random(in: 10...1200, using: &generator)), from: stranger)
            }
        }, expect: { _ in var s = MediaDistributorStatistics(); s.unknownSource = 1000; return s })

        // Mallory's forged tags and truncations, under its own SSRC: hop authentication fails.
        try phase("forged", {
            for i in 0..<1000 {
                let length = Int.random(in: 1...1000, using: &generator)
                var packet = try mallory.protectedRTP(payload: random(length))
                if i % 2 == 0 {
                    packet[12 + Int.random(in: 0..<length, using: &generator)] ^= 0x01   // ciphertext: the tag fails
                } else {
                    packet = Array(packet[0..<Int.random(in: 2..<packet.count, using: &generator)])
                }
                try send(packet, fromMallory: 256)
            }
        }, expect: { _ in var s = MediaDistributorStatistics(); s.authenticationFailures = 1000; return s })

        // Replays: mallory's own packets again (the replay check), and alice's packets sent
        // from mallory's address (alice owns that SSRC).
        let recorded = media.recorded.withLock { $0 }
        try phase("replayed", {
            let originals = try (0..<20).map { _ in try mallory.protectedRTP(payload: random(100)) }
            for original in originals { try send(original, fromMallory: 256) }
            try settle(window: 0)
            for _ in 0..<25 { for original in originals { try send(original, fromMallory: 256) } }
            for _ in 0..<(400 / recorded.count) { for packet in recorded { try send(packet, fromMallory: 256) } }
        }, expect: { _ in
            var s = MediaDistributorStatistics()
            s.authenticationFailures = 25 * 20
            s.ssrcConflicts = (400 / recorded.count) * recorded.count
            return s
        })

        // Consent checks from Mallory's bound address, far over its rate.
        let chat = try phase("STUN flood", {
            for _ in 0..<300 { try send(STUNBinding.request(username: "x", transactionID: random(12)), fromMallory: 256) }
        }, expect: { delta in var s = MediaDistributorStatistics(); s.rateLimited = 300 - delta.stunAnswered; return s })
        #expect(chat.stunAnswered <= 100 + 50 && chat.rateLimited >= 100)

        // Mallory's DTLS over its rate: only the first (a burst, unless the STUN flood
        // drained it) reaches the KD.
        let malloryDTLS = try phase("bound DTLS flood", {
            for _ in 0..<300 { try send([23, 0xFE, 0xFD] + random(100), fromMallory: 256) }
        }, expect: { delta in var s = MediaDistributorStatistics(); s.rateLimited = 300 - delta.dtlsToKeyDistributor; return s })
        #expect(malloryDTLS.dtlsToKeyDistributor <= 100 + 50 && malloryDTLS.rateLimited >= 100)
        malloryDTLSTunnelled += malloryDTLS.dtlsToKeyDistributor

        // Consent checks (no membership) from an address that never bound: never answered
        // (within the source's rate they count as unbound, beyond it as rate-limited).
        let unbound = try phase("unbound consent checks", {
            for _ in 0..<20 { try send(STUNBinding.request(username: "x", transactionID: random(12)), from: chatty) }
        }, expect: { delta in
            var s = MediaDistributorStatistics()
            (s.unboundSTUN, s.rateLimited) = (20 - delta.rateLimited, delta.rateLimited)
            return s
        })
        #expect(unbound.stunAnswered == 0 && unbound.unboundSTUN > 0)

    }
}

extension MediaDistributor {
    /// Endpoints that may still bind.
    var maximumAssociationsFree: Int { configuration.maximumAssociations - associationCount }
}

fileprivate extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The process's resident set size in kB (VmRSS), 0 where /proc is missing.
fileprivate func residentKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
}
