// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation

/// `--svg FILE`: ns/packet against payload size, one panel per operation and profile, one
/// line per implementation (single context, no header extension).
public enum SVGReport {
    public static func render(_ measurements: [Measurement], machine: MachineInfo) -> String {
        let usable = measurements.filter { $0.failure == nil && $0.scenario.contexts == 1 && !$0.scenario.headerExtension }
        var panels: [String] = []
        var seen = Set<String>()
        for m in usable {
            let key = "\(m.scenario.operation.name) \(m.scenario.profile)"
            if seen.insert(key).inserted { panels.append(key) }
        }
        var implementations: [String] = []
        for m in usable where !implementations.contains(m.implementation) { implementations.append(m.implementation) }
        let palette = ["#1f77b4", "#2ca02c", "#17becf", "#d62728", "#ff7f0e", "#9467bd", "#7f7f7f", "#8c564b"]
        let columns = 4, panelWidth = 300.0, panelHeight = 200.0, legendHeight = 60.0
        let rows = (panels.count + columns - 1) / columns
        let width = Double(columns) * panelWidth, height = Double(rows) * panelHeight + legendHeight
        var svg = [##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" font-family="sans-serif" font-size="10">"##,
                   ##"<rect width="100%" height="100%" fill="white"/>"##,
                   ##"<text x="8" y="16" font-size="12">perc-bench ns/packet vs payload bytes: \##(escape(machine.cpuModel)), \##(machine.date)</text>"##]
        for (i, name) in implementations.enumerated() {
            let x = 8.0 + Double(i % 6) * 160, y = 34.0 + Double(i / 6) * 14
            svg.append(##"<rect x="\##(x)" y="\##(y - 8)" width="10" height="3" fill="\##(palette[i % palette.count])"/><text x="\##(x + 14)" y="\##(y)">\##(escape(name))</text>"##)
        }
        for (index, panel) in panels.enumerated() {
            let ox = Double(index % columns) * panelWidth, oy = legendHeight + Double(index / columns) * panelHeight
            let points = usable.filter { "\($0.scenario.operation.name) \($0.scenario.profile)" == panel }
            let maxY = (points.map(\.median).max() ?? 1) * 1.1
            let sizes = points.map { Double($0.scenario.payloadSize) }
            let minX = sizes.min() ?? 0, maxX = max(sizes.max() ?? 1, minX + 1)
            let plot = (x: ox + 45, y: oy + 20, w: panelWidth - 60, h: panelHeight - 50)
            svg.append(##"<text x="\##(ox + 45)" y="\##(oy + 14)" font-size="11">\##(escape(panel))</text>"##)
            svg.append(##"<rect x="\##(plot.x)" y="\##(plot.y)" width="\##(plot.w)" height="\##(plot.h)" fill="none" stroke="#ccc"/>"##)
            svg.append(##"<text x="\##(ox + 2)" y="\##(plot.y + 8)">\##(Int(maxY)) ns</text><text x="\##(ox + 2)" y="\##(plot.y + plot.h)">0</text>"##)
            svg.append(##"<text x="\##(plot.x)" y="\##(plot.y + plot.h + 12)">\##(Int(minX)) B</text><text x="\##(plot.x + plot.w - 30)" y="\##(plot.y + plot.h + 12)">\##(Int(maxX)) B</text>"##)
            if Set(points.map(\.scenario.payloadSize)).count == 1 {   // one size: a bar per implementation
                let barHeight = plot.h / Double(max(implementations.count, 1))
                for (i, name) in implementations.enumerated() {
                    guard let m = points.first(where: { $0.implementation == name }) else { continue }
                    let y = plot.y + Double(i) * barHeight
                    svg.append(##"<rect x="\##(plot.x)" y="\##(y + 1)" width="\##(m.median / maxY * plot.w)" height="\##(barHeight - 2)" fill="\##(palette[i % palette.count])"/><text x="\##(plot.x + 2)" y="\##(y + barHeight - 3)">\##(Int(m.median)) ns</text>"##)
                }
                continue
            }
            for (i, name) in implementations.enumerated() {
                let line = points.filter { $0.implementation == name }.sorted { $0.scenario.payloadSize < $1.scenario.payloadSize }
                guard !line.isEmpty else { continue }
                let coords = line.map { m -> String in
                    let x = plot.x + (Double(m.scenario.payloadSize) - minX) / (maxX - minX) * plot.w
                    let y = plot.y + plot.h - m.median / maxY * plot.h
                    return "\(String(format: "%.1f", x)),\(String(format: "%.1f", y))"
                }
                let color = palette[i % palette.count]
                svg.append(##"<polyline fill="none" stroke="\##(color)" stroke-width="1.5" points="\##(coords.joined(separator: " "))"/>"##)
                for c in coords {
                    let xy = c.split(separator: ",")
                    svg.append(##"<circle cx="\##(xy[0])" cy="\##(xy[1])" r="2" fill="\##(color)"/>"##)
                }
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
