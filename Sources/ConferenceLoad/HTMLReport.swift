// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation

/// A load report as one self-contained HTML page (no script, no external file): the summary
/// table, inline SVG plots of the interval series (one-way latency percentiles, throughput,
/// loss, MDD CPU when known) with the rekey events as dashed lines, and the per-conference table.
public enum HTMLReport {
    /// One line of a plot.
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
    }

    /// The page for `report`.
    public static func render(_ report: LoadReport, title: String = "perc-load report") -> String {
        let intervals = report.intervals
        let step = intervals.count > 1 ? intervals[1].t - intervals[0].t : 1
        func points(_ value: (LoadReport.Interval) -> Double?) -> [(x: Double, y: Double)] {
            intervals.compactMap { interval in value(interval).map { (interval.t + step / 2, $0) } }
        }
        let rekeys = report.rekeyEvents.map(\.t)
        var plots = [
            chart(title: "One-way latency by interval of arrival", unit: "ms", series: [
                Series(name: "p50", color: "#1b9e77", points: points { $0.latencyMs.count > 0 ? $0.latencyMs.p50 : nil }),
                Series(name: "p90", color: "#7570b3", points: points { $0.latencyMs.count > 0 ? $0.latencyMs.p90 : nil }),
                Series(name: "p99", color: "#d95f02", points: points { $0.latencyMs.count > 0 ? $0.latencyMs.p99 : nil }),
            ], events: rekeys),
            chart(title: "Throughput", unit: "packets/s", series: [
                Series(name: "sent", color: "#1f78b4", points: points { Double($0.packetsSent) / step }),
                Series(name: "received", color: "#33a02c", points: points { Double($0.arrived) / step }),
            ], events: rekeys),
            chart(title: "Loss by interval of sending (expected - received)", unit: "packets", series: [
                Series(name: "lost", color: "#e31a1c", points: points { Double($0.lost) }),
            ], events: rekeys),
        ]
        if intervals.contains(where: { $0.mddCPUSeconds != nil }) {
            plots.append(chart(title: "CPU of the distributors", unit: "cores", series: [
                Series(name: "mdd", color: "#6a3d9a", points: points { $0.mddCPUSeconds.map { $0 / step } }),
                Series(name: "kmf", color: "#b15928", points: points { $0.kmfCPUSeconds.map { $0 / step } }),
            ], events: rekeys))
        }
        let summaryRows = report.summary.split(separator: "\n").map { line -> String in
            let text = String(line)
            let split = text.range(of: "  ")
            let name = split.map { String(text[..<$0.lowerBound]) } ?? text
            let value = split.map { String(text[$0.upperBound...]).trimmingCharacters(in: .whitespaces) } ?? ""
            return "<tr><th>\(escape(name))</th><td>\(escape(value))</td></tr>"
        }.joined(separator: "\n")
        let conferenceRows = report.perConference.map { c in
            "<tr><td>\(escape(c.conference))</td><td>\(c.participants)</td><td>\(c.joined)</td><td>\(c.packetsSent)</td>"
                + "<td>\(c.packetsExpected)</td><td>\(c.packetsReceived)</td><td>\(c.lost)</td><td>\(c.reordered)</td>"
                + "<td>\(c.duplicates)</td><td>\(format(c.latencyMs.p50))</td><td>\(format(c.latencyMs.p99))</td>"
                + "<td>\(format(c.jitterMs.mean))</td><td>\(c.rekeys)</td></tr>"
        }.joined(separator: "\n")
        let failures = report.failures.isEmpty ? "" :
            "<h2>Failures</h2><ul>" + report.failures.prefix(50).map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; max-width: 1100px; }
            table { border-collapse: collapse; margin: 1em 0; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
            th { background: #f3f3f3; }
            svg { display: block; margin: 1em 0; }
            </style></head><body>
            <h1>\(escape(title))</h1>
            <table>\(summaryRows)</table>
            <p>Dashed red lines: rekey events (a new EKTKey reached a conference).</p>
            \(plots.joined(separator: "\n"))
            <h2>Conferences</h2>
            <table><tr><th>conference</th><th>participants</th><th>joined</th><th>sent</th><th>expected</th><th>received</th>
            <th>lost</th><th>reordered</th><th>duplicates</th><th>latency p50 ms</th><th>p99 ms</th><th>jitter ms</th><th>rekeys</th></tr>
            \(conferenceRows)</table>
            \(failures)
            </body></html>
            """
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A line chart with axes, five grid lines, a legend and dashed vertical event lines.
    static func chart(title: String, unit: String, series: [Series], events: [Double]) -> String {
        let width = 760.0, height = 250.0, left = 60.0, right = 110.0, top = 30.0, bottom = 35.0
        let xs = series.flatMap { $0.points.map(\.x) } + events
        let xMax = max(xs.max() ?? 1, 1), yMax = niceCeiling(series.flatMap { $0.points.map(\.y) }.max() ?? 1)
        func px(_ x: Double) -> Double { left + x / xMax * (width - left - right) }
        func py(_ y: Double) -> Double { height - bottom - y / yMax * (height - top - bottom) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\">"
        svg += "<text x=\"\(left)\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(escape(title))</text>"
        for tick in 0...5 {
            let y = yMax * Double(tick) / 5
            svg += "<line x1=\"\(left)\" y1=\(q(py(y))) x2=\(q(width - right)) y2=\(q(py(y))) stroke=\"#e5e5e5\"/>"
            svg += "<text x=\(q(left - 6)) y=\(q(py(y) + 4)) font-size=\"11\" text-anchor=\"end\">\(label(y))</text>"
        }
        let xStep = niceCeiling(xMax / 6)
        for tick in 0...Int(xMax / xStep) {
            let x = xStep * Double(tick)
            svg += "<text x=\(q(px(x))) y=\(q(height - bottom + 16)) font-size=\"11\" text-anchor=\"middle\">\(label(x)) s</text>"
        }
        svg += "<text x=\"12\" y=\(q(top + (height - top - bottom) / 2)) font-size=\"11\" "
            + "transform=\"rotate(-90 12 \(Int(top + (height - top - bottom) / 2)))\" text-anchor=\"middle\">\(escape(unit))</text>"
        svg += "<line x1=\"\(left)\" y1=\(q(height - bottom)) x2=\(q(width - right)) y2=\(q(height - bottom)) stroke=\"#333\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\(q(height - bottom)) stroke=\"#333\"/>"
        for event in events {
            svg += "<line x1=\(q(px(event))) y1=\"\(top)\" x2=\(q(px(event))) y2=\(q(height - bottom)) "
                + "stroke=\"#e31a1c\" stroke-dasharray=\"4 3\"/>"
        }
        for (index, line) in series.enumerated() where !line.points.isEmpty {
            let path = line.points.map { "\(q0(px($0.x))),\(q0(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\" points=\"\(path)\"/>"
            let y = top + 14 + Double(index) * 18
            svg += "<line x1=\(q(width - right + 10)) y1=\(q(y - 4)) x2=\(q(width - right + 30)) y2=\(q(y - 4)) "
                + "stroke=\"\(line.color)\" stroke-width=\"3\"/>"
            svg += "<text x=\(q(width - right + 36)) y=\(q(y)) font-size=\"12\">\(escape(line.name))</text>"
        }
        return svg + "</svg>"
    }

    static func q(_ value: Double) -> String { "\"" + q0(value) + "\"" }
    static func q0(_ value: Double) -> String { String(format: "%.1f", value) }

    static func label(_ value: Double) -> String {
        value >= 100 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.2g", value)
    }

    /// 1, 2 or 5 times a power of ten at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 5, 10] where factor * power >= value { return factor * power }
        return 10 * power
    }
}
