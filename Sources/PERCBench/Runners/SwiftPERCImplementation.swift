// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP

/// Our core on one crypto backend, through the public batch API, out of place (input
/// batches stay intact, results land in one reused output batch).
public struct SwiftPERCImplementation: BenchImplementation {
    public let backend: CryptoBackend
    public var name: String { "swift-perc/\(backend)" }

    public init(backend: CryptoBackend) { self.backend = backend }

    public func runner(for packets: BenchPackets) -> BenchRunner? {
        let scenario = packets.scenario
        var configuration = SRTPConfiguration()
        configuration.backend = backend
        let batch = scenario.batch
        switch (scenario.operation, scenario.profile) {
        case (.protect, .single(let profile)):
            return singleRunner(packets, batch: batch) {
                let sender = try! SRTPSender(profile: profile, masterKey: packets.outerKey, masterSalt: packets.outerSalt,
                                             configuration: configuration)
                return { sender.protect($0, into: $1) }
            }
        case (.srtcpProtect, .single(let profile)):
            return singleRunner(packets, batch: batch) {
                let sender = try! SRTPSender(profile: profile, masterKey: packets.outerKey, masterSalt: packets.outerSalt,
                                             configuration: configuration)
                return { sender.protectRTCP($0, into: $1) }
            }
        case (.unprotect, .single(let profile)):
            let sender = try! SRTPSender(profile: profile, masterKey: packets.outerKey, masterSalt: packets.outerSalt)
            let protected = packets.map { try! sender.protect($0) }
            return singleRunner(protected, batch: batch) {
                let receiver = try! SRTPReceiver(profile: profile, masterKey: packets.outerKey,
                                                 masterSalt: packets.outerSalt, configuration: configuration)
                return { receiver.unprotect($0, into: $1) }
            }
        case (.doubleProtect, .double(let profile)):
            return singleRunner(packets, batch: batch) {
                let sender = try! DoubleSender(profile: profile, inner: packets.inner, outer: packets.outer,
                                               configuration: configuration)
                return { sender.protect($0, into: $1) }
            }
        case (.doubleUnprotect, .double(let profile)):
            let protected = packets.doubleProtected(profile)
            return singleRunner(protected, batch: batch) {
                let receiver = try! DoubleReceiver(profile: profile, inner: packets.inner, outer: packets.outer,
                                                   configuration: configuration)
                return { receiver.unprotect($0, into: $1) }
            }
        case (.forward, .double(let profile)):
            let protected = packets.doubleProtected(profile)
            return singleRunner(protected, batch: batch) {
                let (inbound, targets) = packets.relayHops(profile, configuration: configuration)
                return { inbound.forward($0, to: targets[0], into: $1) }
            }
        case (.fanout(let copies), .double(let profile)):
            return fanOutRunner(packets, profile: profile, copies: copies, configuration: configuration)
        default:
            return nil
        }
    }

    /// A runner that pushes every batch of `timed` through `make()`'s operation after the
    /// priming batch.
    private func singleRunner(_ packets: SplitPackets, batch: Int,
                              make: @escaping () -> (PacketBatch, PacketBatch) -> Void) -> BenchRunner {
        let inputs = packets.timed.chunked(batch)
        let priming = packets.priming.chunked(max(packets.priming.count, 1))
        let output = PacketBatch(maximumCount: max(batch, packets.priming.count))
        var operation = make()
        return BenchRunner(
            implementation: name, backend: backend.description, batch: batch, expectedCopies: packets.timed.count,
            reset: {
                operation = make()
                for b in priming { operation(b, output) }
            },
            run: {
                var delivered = 0
                for b in inputs {
                    operation(b, output)
                    delivered += output.succeededCount
                }
                return delivered
            })
    }

    private func singleRunner(_ packets: BenchPackets, batch: Int,
                              make: @escaping () -> (PacketBatch, PacketBatch) -> Void) -> BenchRunner {
        singleRunner(SplitPackets(timed: packets.plain, priming: packets.priming), batch: batch, make: make)
    }

    private func fanOutRunner(_ packets: BenchPackets, profile: DoubleProfile, copies: Int,
                              configuration: SRTPConfiguration) -> BenchRunner {
        let protected = packets.doubleProtected(profile)
        let output = PacketBatch(maximumCount: copies)
        var hops = packets.relayHops(profile, configuration: configuration)
        let fan = { (hops: (RelayHop, [RelayTarget]), packet: [UInt8]) -> Int in
            packet.withUnsafeBytes { raw in
                do { try hops.0.fanOut(raw, to: hops.1, into: output) } catch { return 0 }
                return output.succeededCount
            }
        }
        return BenchRunner(
            implementation: name, backend: backend.description, batch: 1, expectedCopies: protected.timed.count * copies,
            reset: {
                hops = packets.relayHops(profile, configuration: configuration)
                for packet in protected.priming { _ = fan(hops, packet) }
            },
            run: {
                var delivered = 0
                for packet in protected.timed { delivered += fan(hops, packet) }
                return delivered
            })
    }
}

/// Timed and priming packets after a transformation (for example, protected).
struct SplitPackets {
    let timed: [[UInt8]]
    let priming: [[UInt8]]
}

extension BenchPackets {
    /// Both packet sets through `transform`, priming first (so indices come in order).
    func map(_ transform: ([UInt8]) -> [UInt8]) -> SplitPackets {
        let priming = self.priming.map(transform)
        return SplitPackets(timed: plain.map(transform), priming: priming)
    }

    var inner: SRTPMasterKey { SRTPMasterKey(key: innerKey, salt: innerSalt) }
    var outer: SRTPMasterKey { SRTPMasterKey(key: outerKey, salt: outerSalt) }

    /// The packets double-protected by our sender (the bytes every implementation opens).
    func doubleProtected(_ profile: DoubleProfile) -> SplitPackets {
        let sender = try! DoubleSender(profile: profile, inner: inner, outer: outer)
        return map { try! sender.protect($0) }
    }

    /// A fresh inbound hop on the sender's outer key and one outbound hop per copy.
    func relayHops(_ profile: DoubleProfile, configuration: SRTPConfiguration) -> (RelayHop, [RelayTarget]) {
        let inbound = try! RelayHop(profile: profile, direction: .inbound, outer: outer, configuration: configuration)
        let targets = hopKeys.map { key in
            RelayTarget(hop: try! RelayHop(profile: profile, direction: .outbound,
                                           outer: SRTPMasterKey(key: key, salt: outerSalt), configuration: configuration))
        }
        return (inbound, targets)
    }
}

extension Array where Element == [UInt8] {
    /// The packets in batches of `size` (the last may be shorter).
    func chunked(_ size: Int) -> [PacketBatch] {
        stride(from: 0, to: count, by: size).map { start in
            let end = Swift.min(start + size, count)
            let batch = PacketBatch(maximumCount: end - start)
            for packet in self[start..<end] { batch.append(packet) }
            return batch
        }
    }
}
