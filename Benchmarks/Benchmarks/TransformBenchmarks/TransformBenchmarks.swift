// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Benchmark
import PERC
import SRTP

/// Each benchmark processes one batch per iteration; the packets are prepared and the
/// stream state created (one warm-up batch) before the measurement starts, so the malloc
/// counters show what the steady-state transform allocates (the goal is zero).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        maxDuration: .seconds(3),
        maxIterations: TransformFixture.iterations
    )

    for batch in [1, 32] {
        Benchmark("protect_aes128-gcm_1200B_batch_\(batch)") { benchmark in
            let fixture = TransformFixture(batch: batch)
            let sender = try SRTPSender(profile: .aeadAes128Gcm, masterKey: fixture.key16, masterSalt: fixture.salt12)
            sender.protect(fixture.inputs[0], into: fixture.output)
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations {
                sender.protect(fixture.inputs[i % fixture.inputs.count], into: fixture.output)
                blackHole(fixture.output.count)
            }
        }

        Benchmark("protectInPlace_aes128-gcm_1200B_batch_\(batch)") { benchmark in
            let fixture = TransformFixture(batch: batch)
            let sender = try SRTPSender(profile: .aeadAes128Gcm, masterKey: fixture.key16, masterSalt: fixture.salt12)
            sender.protect(fixture.inputs[0], into: fixture.output)
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations {
                let slot = fixture.inputs[i % fixture.inputs.count]
                benchmark.stopMeasurement()
                fixture.refill(slot)
                benchmark.startMeasurement()
                sender.protect(slot)
            }
        }

        Benchmark("unprotect_aes128-gcm_1200B_batch_\(batch)") { benchmark in
            let fixture = TransformFixture(batch: batch)
            let sender = try SRTPSender(profile: .aeadAes128Gcm, masterKey: fixture.key16, masterSalt: fixture.salt12)
            let receiver = try SRTPReceiver(profile: .aeadAes128Gcm, masterKey: fixture.key16, masterSalt: fixture.salt12)
            let protected = fixture.inputs.map { input in
                let out = PacketBatch(maximumCount: batch)
                sender.protect(input, into: out)
                return out
            }
            receiver.unprotect(protected[0], into: fixture.output)
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations {
                receiver.unprotect(protected[1 + i % (protected.count - 1)], into: fixture.output)
                blackHole(fixture.output.count)
            }
        }

        Benchmark("double-protect_double-aes128-gcm_1200B_batch_\(batch)") { benchmark in
            let fixture = TransformFixture(batch: batch)
            let sender = try DoubleSender(profile: .aes128Gcm, masterKey: fixture.key32, masterSalt: fixture.salt24)
            sender.protect(fixture.inputs[0], into: fixture.output)
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations {
                sender.protect(fixture.inputs[i % fixture.inputs.count], into: fixture.output)
                blackHole(fixture.output.count)
            }
        }

        Benchmark("double-unprotect_double-aes128-gcm_1200B_batch_\(batch)") { benchmark in
            let fixture = TransformFixture(batch: batch)
            let sender = try DoubleSender(profile: .aes128Gcm, masterKey: fixture.key32, masterSalt: fixture.salt24)
            let receiver = try DoubleReceiver(profile: .aes128Gcm, masterKey: fixture.key32, masterSalt: fixture.salt24)
            let protected = fixture.doubleProtected(by: sender)
            receiver.unprotect(protected[0], into: fixture.output)
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations {
                receiver.unprotect(protected[1 + i % (protected.count - 1)], into: fixture.output)
                blackHole(fixture.output.count)
            }
        }

        Benchmark("forward_double-aes128-gcm_1200B_batch_\(batch)") { benchmark in
            let fixture = TransformFixture(batch: batch)
            let sender = try DoubleSender(profile: .aes128Gcm, masterKey: fixture.key32, masterSalt: fixture.salt24)
            let protected = fixture.doubleProtected(by: sender)
            let inbound = try RelayHop(profile: .aes128Gcm, direction: .inbound,
                                       outer: SRTPMasterKey(key: Array(fixture.key32[16...]), salt: Array(fixture.salt24[12...])))
            let outbound = try RelayHop(profile: .aes128Gcm, direction: .outbound,
                                        outer: SRTPMasterKey(key: fixture.key16, salt: fixture.salt12))
            let target = RelayTarget(hop: outbound, edits: HeaderEdits(payloadType: 100))
            inbound.forward(protected[0], to: target, into: fixture.output)
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations {
                inbound.forward(protected[1 + i % (protected.count - 1)], to: target, into: fixture.output)
                blackHole(fixture.output.count)
            }
        }
    }

    // Fan-out: one outer open, one outer seal per receiver hop; an iteration relays one packet
    // to every receiver (divide by the receiver count for the cost per delivered copy).
    for receivers in [4, 16] {
        Benchmark("fanout-\(receivers)_double-aes128-gcm_1200B") { benchmark in
            let fixture = TransformFixture(batch: 1)
            let sender = try DoubleSender(profile: .aes128Gcm, masterKey: fixture.key32, masterSalt: fixture.salt24)
            let protected = fixture.doubleProtected(by: sender)
            let inbound = try RelayHop(profile: .aes128Gcm, direction: .inbound,
                                       outer: SRTPMasterKey(key: Array(fixture.key32[16...]), salt: Array(fixture.salt24[12...])))
            let targets = try (0..<receivers).map { receiver in
                RelayTarget(hop: try RelayHop(profile: .aes128Gcm, direction: .outbound,
                                              outer: SRTPMasterKey(key: [UInt8](repeating: UInt8(receiver + 1), count: 16),
                                                                   salt: fixture.salt12)))
            }
            let copies = PacketBatch(maximumCount: receivers)
            try fixture.fanOut(protected[0], from: inbound, to: targets, into: copies)
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations {
                try fixture.fanOut(protected[1 + i % (protected.count - 1)], from: inbound, to: targets, into: copies)
                blackHole(copies.count)
            }
        }
    }
}

/// Packets with consecutive sequence numbers, one batch per iteration, so that receivers
/// never see a replay within a run.
final class TransformFixture {
    static let iterations = 1500
    let key16 = [UInt8](repeating: 0x11, count: 16)
    let key32 = (0..<32).map { UInt8($0) }
    let salt12 = [UInt8](repeating: 0x22, count: 12)
    let salt24 = (0..<24).map { UInt8(0x40 + $0) }
    let inputs: [PacketBatch]
    let output: PacketBatch
    private let payload = [UInt8](repeating: 0xAB, count: 1200)

    init(batch: Int) {
        var sequence: UInt16 = 0
        inputs = (0..<Self.iterations).map { _ in
            let b = PacketBatch(maximumCount: batch)
            for _ in 0..<batch {
                b.append(Self.packet(sequence: sequence, payload: [UInt8](repeating: 0xAB, count: 1200)))
                sequence &+= 1
            }
            return b
        }
        output = PacketBatch(maximumCount: batch)
    }

    /// Every input batch double-protected by `sender`, one output batch per input batch.
    func doubleProtected(by sender: DoubleSender) -> [PacketBatch] {
        inputs.map { input in
            let out = PacketBatch(maximumCount: input.maximumCount)
            sender.protect(input, into: out)
            return out
        }
    }

    /// Relays the first packet of `batch` through `inbound` to every target.
    func fanOut(_ batch: PacketBatch, from inbound: RelayHop, to targets: [RelayTarget], into copies: PacketBatch) throws {
        try batch.withUnsafeMutableSlot(at: 0) { slot, length in
            try inbound.fanOut(UnsafeRawBufferPointer(rebasing: slot[0..<length]), to: targets, into: copies)
        }
    }

    /// Puts plain packets back into `batch` (for the in-place benchmark).
    func refill(_ batch: PacketBatch) {
        let sequences = (0..<batch.count).map { i in batch.packet(at: i)[2...3].reduce(0) { UInt16($0) << 8 | UInt16($1) } }
        batch.removeAll()
        for sequence in sequences { batch.append(Self.packet(sequence: sequence, payload: payload)) }
    }

    static func packet(sequence: UInt16, payload: [UInt8]) -> [UInt8] {
        [0x80, 0x60, UInt8(sequence >> 8), UInt8(truncatingIfNeeded: sequence), 0, 0, 0, 1, 0xCA, 0xFE, 0xBA, 0xBE] + payload
    }
}
