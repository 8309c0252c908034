// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import MediaDistributor
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Where the media workers run: the placement plan for given topologies, and the machine's
/// topology as libnuma and sysfs report it.
@Suite struct WorkerPlacementTests {
    static func topology(_ nodes: [Int: [Int]]) -> CPUTopology {
        CPUTopology(cpus: nodes.flatMap { node, ids in ids.map { CPUTopology.CPU(id: $0, node: node) } })
    }

    static func plan(_ topology: CPUTopology, workers: Int) -> [String] {
        topology.placements(workers: workers).map(\.description)
    }

    @Test func oneNodeRoundRobinsTheUsableCPUsAndPlacesNoMemory() {
        #expect(Self.plan(Self.topology([0: [0, 1]]), workers: 3) == ["cpu 0", "cpu 1", "cpu 0"])
        // An affinity mask without CPU 0: the workers take the CPUs they may use.
        #expect(Self.plan(Self.topology([0: [6, 2]]), workers: 3) == ["cpu 2", "cpu 6", "cpu 2"])
    }

    @Test func severalNodesSpreadWorkersOverNodesThenOverEachNodesCPUs() {
        let twoSockets = Self.topology([0: [0, 1, 2, 3], 1: [4, 5, 6, 7]])
        #expect(Self.plan(twoSockets, workers: 5)
            == ["cpu 0 node 0", "cpu 4 node 1", "cpu 1 node 0", "cpu 5 node 1", "cpu 2 node 0"])
        // CPU ids interleaved between the nodes (as some firmware numbers them).
        #expect(Self.plan(Self.topology([0: [0, 2], 1: [1, 3]]), workers: 4)
            == ["cpu 0 node 0", "cpu 1 node 1", "cpu 2 node 0", "cpu 3 node 1"])
        // Uneven nodes, node ids with a gap: each node's CPUs wrap on their own.
        #expect(Self.plan(Self.topology([0: [0], 2: [8, 9, 10]]), workers: 5)
            == ["cpu 0 node 0", "cpu 8 node 2", "cpu 0 node 0", "cpu 9 node 2", "cpu 0 node 0"])
    }

    @Test func noKnownCPUMeansNoPinning() {
        #expect(CPUTopology(cpus: []).placements(workers: 2).isEmpty)
        #expect(Self.topology([0: [0, 1]]).placements(workers: 0).isEmpty)
    }

    /// The node directories sysfs lists (`node0`, `node1`, ...), nil without sysfs.
    static func sysfsNodes() -> [Int]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/sys/devices/system/node") else { return nil }
        return names.compactMap { $0.hasPrefix("node") ? Int($0.dropFirst(4)) : nil }.sorted()
    }

    @Test func theMachinesTopologyMatchesSysfs() throws {
        let libnuma = dlopen("libnuma.so.1", RTLD_NOW)
        defer { if let libnuma { dlclose(libnuma) } }
        let sysfs = Self.sysfsNodes()
        #expect(CPUTopology.isNUMAAvailable == (libnuma != nil && sysfs != nil))
        if libnuma != nil, let sysfs {
            // libnuma is there (Tools/bootstrap.sh installs it): its node count is sysfs's.
            #expect(CPUTopology.machineNodeCount == sysfs.count)
        } else {
            #expect(CPUTopology.machineNodeCount == 1, "without libnuma the machine counts as one node")
        }
        let current = CPUTopology.current()
        #expect(current.cpus.map(\.id) == Self.allowedCPUs(), "the CPUs /proc/self/status allows")
        for cpu in current.cpus {
            // sysfs links each CPU to its node: /sys/devices/system/cpu/cpuN/nodeM.
            let links = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/devices/system/cpu/cpu\(cpu.id)")) ?? []
            if libnuma != nil, let link = links.first(where: { $0.hasPrefix("node") }) {
                #expect(cpu.node == Int(link.dropFirst(4)), "cpu \(cpu.id)")
            }
        }
        let placements = current.placements(workers: 4)
        if current.nodes.count == 1 {
            #expect(placements == (0..<4).map { WorkerPlacement(cpu: current.cpus[$0 % current.cpus.count].id, node: nil) },
                    "one node: round robin, nothing to place")
        } else {
            #expect(placements.allSatisfy { placement in
                placement.node == current.cpus.first { $0.id == placement.cpu }?.node
            })
        }
    }

    /// `Cpus_allowed_list` of /proc/self/status ("0-3,8"), expanded.
    static func allowedCPUs() -> [Int]? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        return line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
            .split(separator: ",").flatMap { range -> [Int] in
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                return bounds.count == 2 ? Array(bounds[0]...bounds[1]) : bounds
            }
    }

    @Test func theDistributorPlacesItsWorkersByThePlan() async throws {
        let distributor = try MediaDistributor(configuration: .init(workers: 3, pinWorkers: true))
        #expect(distributor.workerPlacements == CPUTopology.current().placements(workers: 3).map(Optional.some))
        let unpinned = try MediaDistributor(configuration: .init(workers: 2, pinWorkers: false))
        #expect(unpinned.workerPlacements == [nil, nil])
        await distributor.stop()
        await unpinned.stop()
    }
}
