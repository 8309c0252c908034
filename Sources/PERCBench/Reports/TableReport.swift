// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation

/// The readable table: one block per scenario, one row per implementation, with the ratio of
/// each median to ipsec-mb's and to libsrtp2's in the same run.
public enum TableReport {
    public static func header(_ machine: MachineInfo) -> String {
        """
        perc-bench: \(machine.cpuModel), \(machine.cores) cores, \(machine.date)
        libraries: \(machine.libraries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        backends: \(machine.backends.joined(separator: ", ")) (default \(machine.defaultBackend))
        timing: \(machine.timing)
        ratios: median / median of ipsec-mb (x ipsec) and of libsrtp2 (x srtp2) in the same scenario

        """
    }

    /// The block of one scenario.
    public static func block(_ scenario: BenchScenario, _ measurements: [Measurement], elapsed: Duration? = nil) -> String {
        let title = "\(scenario.operation.name) \(scenario.profile) \(scenario.payloadSize) B"
            + (scenario.headerExtension ? " +ext" : "") + (scenario.contexts > 1 ? " \(scenario.contexts) contexts" : "")
            + (elapsed.map { String(format: "   (%.1f s)", Double($0.components.seconds) + Double($0.components.attoseconds) * 1e-18) } ?? "")
        let ipsec = measurements.first { $0.implementation == "ipsec-mb" && $0.failure == nil }?.median
        let srtp = measurements.first { $0.implementation == "libsrtp2" && $0.failure == nil }?.median
        var lines = [title]
        lines.append(pad("implementation", 22) + lpad("median ns", 11) + lpad("min", 9) + lpad("max", 9)
                     + lpad("Mpkt/s", 9) + lpad("x ipsec", 9) + lpad("x srtp2", 9) + lpad("batch", 7))
        for m in measurements {
            if let failure = m.failure {
                lines.append(pad(m.implementation, 22) + "  invalid: \(failure)")
                continue
            }
            lines.append(pad(m.implementation, 22) + lpad(fmt(m.median, 1), 11) + lpad(fmt(m.minimum, 1), 9)
                         + lpad(fmt(m.maximum, 1), 9) + lpad(fmt(m.packetsPerSecond / 1e6, 2), 9)
                         + lpad(ipsec.map { fmt(m.median / $0, 2) } ?? "-", 9)
                         + lpad(srtp.map { fmt(m.median / $0, 2) } ?? "-", 9) + lpad("\(m.batch)", 7))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
    static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
    static func lpad(_ s: String, _ width: Int) -> String { s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s }
}
