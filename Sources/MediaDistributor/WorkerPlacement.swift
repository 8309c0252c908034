// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CNetShim

/// Where a media worker runs: the CPU it is pinned to and, on a machine with several NUMA
/// nodes, the node its memory should come from.
public struct WorkerPlacement: Sendable, Equatable, CustomStringConvertible {
    /// The CPU id (as `sched_setaffinity` and `/sys/devices/system/cpu/cpuN` number it).
    public let cpu: Int
    /// The CPU's NUMA node; nil on a single-node machine, where nothing is done about memory.
    public let node: Int?

    /// A placement; see the properties for each value.
    public init(cpu: Int, node: Int?) {
        self.cpu = cpu
        self.node = node
    }

    public var description: String { node.map { "cpu \(cpu) node \($0)" } ?? "cpu \(cpu)" }
}

/// The CPUs the process may run on and the NUMA node of each, and the plan that places the
/// media workers on them.
public struct CPUTopology: Sendable, Equatable {
    /// One usable CPU.
    public struct CPU: Sendable, Equatable {
        /// The CPU id.
        public let id: Int
        /// Its NUMA node (0 when the machine has no NUMA).
        public let node: Int

        public init(id: Int, node: Int) {
            self.id = id
            self.node = node
        }
    }

    /// The usable CPUs, in increasing id order.
    public let cpus: [CPU]

    /// A topology from a list of CPUs (any order).
    public init(cpus: [CPU]) { self.cpus = cpus.sorted { $0.id < $1.id } }

    /// The distinct nodes of the usable CPUs, ascending.
    public var nodes: [Int] { Array(Set(cpus.map(\.node))).sorted() }

    /// The calling thread's usable CPUs (`sched_getaffinity`), each with its node from libnuma
    /// (0 for all of them without libnuma or NUMA support).
    public static func current() -> CPUTopology {
        var ids = [Int32](repeating: 0, count: 1024)
        let count = min(Int(CNetShim_usableCPUs(&ids, Int32(ids.count))), ids.count)
        return CPUTopology(cpus: ids.prefix(count).map { id in
            CPU(id: Int(id), node: max(Int(CNetShim_numaNodeOfCPU(id)), 0))
        })
    }

    /// The NUMA nodes the machine has (libnuma's count; 1 without libnuma or NUMA support).
    public static var machineNodeCount: Int { Int(CNetShim_numaNodeCount()) }

    /// Whether libnuma could be loaded and reports NUMA available (without it nothing is
    /// done about memory placement).
    public static var isNUMAAvailable: Bool { CNetShim_numaAvailable() == 1 }

    /// Where each of `workers` workers goes.
    ///
    /// With one node among the usable CPUs, worker i takes usable CPU i mod n and no node
    /// (nothing to place). With several, the workers go round the nodes (worker 0 on the
    /// first, worker 1 on the second, ...) and round each node's CPUs in order, so that they
    /// spread over the memory controllers; each is placed on its CPU's node. Empty when no
    /// CPU is known (the workers are then not pinned).
    public func placements(workers: Int) -> [WorkerPlacement] {
        guard !cpus.isEmpty else { return [] }
        let nodes = self.nodes
        guard nodes.count > 1 else {
            return (0..<max(workers, 0)).map { WorkerPlacement(cpu: cpus[$0 % cpus.count].id, node: nil) }
        }
        let byNode = nodes.map { node in cpus.filter { $0.node == node } }
        return (0..<max(workers, 0)).map { worker in
            let local = byNode[worker % nodes.count]
            let cpu = local[(worker / nodes.count) % local.count]
            return WorkerPlacement(cpu: cpu.id, node: cpu.node)
        }
    }
}
