// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation

/// `--json FILE`: `{"machine": {...}, "results": [...]}`, one record per measurement.
public enum JSONReport {
    public static func data(machine: MachineInfo, measurements: [Measurement]) throws -> Data {
        let results: [[String: Any]] = measurements.map { m in
            var record: [String: Any] = [
                "operation": m.scenario.operation.name,
                "profile": m.scenario.profile.description,
                "size": m.scenario.payloadSize,
                "header_extension": m.scenario.headerExtension,
                "implementation": m.implementation,
                "backend": m.backend,
                "batch": m.batch,
                "contexts": m.scenario.contexts,
            ]
            if let failure = m.failure {
                record["error"] = failure
            } else {
                record["ns_per_packet"] = ["median": m.median, "min": m.minimum, "max": m.maximum]
                record["packets_per_second"] = m.packetsPerSecond
                record["repetitions"] = m.samples.count
            }
            return record
        }
        return try JSONSerialization.data(withJSONObject: ["machine": machine.json, "results": results],
                                          options: [.prettyPrinted, .sortedKeys])
    }
}
