// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The bandwidth floor: copying each delivered packet once, and nothing else.
public struct MemcpyImplementation: BenchImplementation {
    public var name: String { "memcpy" }
    public init() {}

    public func runner(for packets: BenchPackets) -> BenchRunner? {
        let copies = packets.scenario.operation.copiesPerPacket
        let out = WorkBuffers()
        let plain = packets.plain
        return BenchRunner(
            implementation: name, backend: "libc", batch: 1, expectedCopies: plain.count * copies, reset: {},
            run: {
                var delivered = 0
                for packet in plain {
                    packet.withUnsafeBytes { p in
                        for _ in 0..<copies { out.a.copyMemory(from: p.baseAddress!, byteCount: p.count) }
                    }
                    delivered += copies
                }
                return delivered
            })
    }
}
