// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import CBenchPeers
import Foundation
import PERCBench

/// `perc-bench`: per-packet cost of every transform against libsrtp2, OpenSSL EVP, Intel
/// ipsec-mb and memcpy, all measured in one run on this machine.
@main
struct PercBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perc-bench",
        abstract: "Measure per-packet SRTP/PERC crypto cost against libsrtp2, OpenSSL and ipsec-mb in one run.",
        discussion: """
            Every figure is thread CPU time (CLOCK_THREAD_CPUTIME_ID) per delivered packet: median, \
            min and max over repetitions, each after a warm-up and an untimed reset. Ratios compare \
            medians within the same scenario and run. Example: perc-bench --quick --json bench.json
            """
    )

    @Flag(help: "Every operation at 1200 B with fewer repetitions (about a minute).")
    var quick = false

    @Option(help: "Payload sizes in bytes, comma-separated (default 160,500,1200).")
    var sizes: String?

    @Option(help: "Context counts, comma-separated (default 1,10000; the many-context case runs for a few featured operations).")
    var contexts: String?

    @Option(help: "Fan-out widths, comma-separated (default 1,4,8,16).")
    var fanouts: String?

    @Option(help: "Only these operations, comma-separated (protect, unprotect, srtcp-protect, double-protect, double-unprotect, forward, fanout-N).")
    var operations: String?

    @Option(help: "Only these profiles, comma-separated (perc names).")
    var profiles: String?

    @Option(help: "Only these implementations, comma-separated (names as in the table, e.g. swift-perc/vaes256,ipsec-mb).")
    var implementations: String?

    @Option(help: "Timed repetitions per measurement.")
    var repetitions: Int?

    @Option(help: "Packets per timed run.")
    var packets: Int?

    @Option(help: "Packets per call of our batch API (default 32).")
    var batch: Int?

    @Option(help: "Pin the benchmark thread to this CPU.")
    var cpu: Int?

    @Option(help: "Write all records as JSON to this file.")
    var json: String?

    @Option(help: "Draw ns/packet against size per implementation as SVG into this file.")
    var svg: String?

    func run() throws {
        var plan = quick ? BenchPlan.quick : BenchPlan()
        if let sizes { plan.sizes = try Self.integers(sizes, "--sizes") }
        if let contexts { plan.contexts = try Self.integers(contexts, "--contexts") }
        if let fanouts { plan.fanouts = try Self.integers(fanouts, "--fanouts") }
        if let operations { plan.operations = Set(operations.split(separator: ",").map(String.init)) }
        if let profiles { plan.profiles = Set(profiles.split(separator: ",").map(String.init)) }
        if let repetitions { plan.repetitions = max(repetitions, 1) }
        if let packets { plan.packetsPerRun = max(packets, 1) }
        if let batch { plan.batch = max(batch, 1) }
        if let cpu, bench_pin_to_cpu(Int32(cpu)) != 0 { throw ValidationError("could not pin to CPU \(cpu)") }

        let machine = MachineInfo.current()
        print(TableReport.header(machine))
        var chosen = availableImplementations()
        if let implementations {
            let names = Set(implementations.split(separator: ",").map(String.init))
            chosen = chosen.filter { names.contains($0.name) }
            if chosen.isEmpty { throw ValidationError("--implementations names none of this machine's implementations") }
        }
        let measurements = runBench(plan, implementations: chosen) { scenario, measured, elapsed in
            print(TableReport.block(scenario, measured, elapsed: elapsed))
            fflush(nil)
        }
        if let json {
            try JSONReport.data(machine: machine, measurements: measurements).write(to: URL(fileURLWithPath: json))
            print("wrote \(measurements.count) records to \(json)")
        }
        if let svg {
            try SVGReport.render(measurements, machine: machine).write(toFile: svg, atomically: true, encoding: .utf8)
            print("wrote \(svg)")
        }
        let invalid = measurements.filter { $0.failure != nil }
        if !invalid.isEmpty {
            throw ValidationError("\(invalid.count) measurements were invalid (packets failed); see the table")
        }
    }

    static func integers(_ text: String, _ name: String) throws -> [Int] {
        let values = text.split(separator: ",").compactMap { Int($0) }
        guard !values.isEmpty, values.count == text.split(separator: ",").count, values.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("\(name) takes positive integers separated by commas")
        }
        return values
    }
}
