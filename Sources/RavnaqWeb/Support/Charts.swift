import Foundation

/// Charts drawn by the server as SVG: lines (per-capita income against the poverty line, PAR by
/// month) and bars (disbursed against collected). Values come as decimal strings and are turned
/// into positions on the picture only; every figure a person reads is printed from the string,
/// in the table next to the chart. Each chart carries a title and a description for screen readers.
enum Charts {
    struct Series {
        let name: String
        /// A CSS class that gives the series its colour (web/assets/app.css).
        let style: String
        let values: [String?]
    }

    static let width = 640.0, height = 240.0
    static let left = 84.0, right = 16.0, top = 16.0, bottom = 40.0

    /// A line chart over `labels` (months); a missing value breaks the line.
    static func line(title: String, labels: [String], series: [Series], axis: (String) -> String) -> String {
        frame(title: title, labels: labels, series: series, axis: axis) { scale in
            series.map { one in
                var path = ""
                var drawing = false
                var dots = ""
                for (index, value) in one.values.enumerated() {
                    guard let y = value.flatMap(scale.y) else { drawing = false; continue }
                    let x = scale.x(index)
                    path += (drawing ? " L" : " M") + "\(fmt(x)) \(fmt(y))"
                    dots += "<circle class=\"\(one.style)\" cx=\"\(fmt(x))\" cy=\"\(fmt(y))\" r=\"3\"/>"
                    drawing = true
                }
                return "<path class=\"\(one.style)\" fill=\"none\" stroke-width=\"2\" d=\"\(path)\"/>" + dots
            }.joined()
        }
    }

    /// Bars side by side per label.
    static func bars(title: String, labels: [String], series: [Series], axis: (String) -> String) -> String {
        frame(title: title, labels: labels, series: series, axis: axis) { scale in
            let slot = (width - left - right) / Double(max(labels.count, 1))
            let barWidth = slot * 0.8 / Double(max(series.count, 1))
            var shapes = ""
            for (s, one) in series.enumerated() {
                for (index, value) in one.values.enumerated() {
                    guard let y = value.flatMap(scale.y) else { continue }
                    let x = left + slot * Double(index) + slot * 0.1 + barWidth * Double(s)
                    shapes += "<rect class=\"\(one.style)\" x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(barWidth))\" height=\"\(fmt(max(height - bottom - y, 0)))\"/>"
                }
            }
            return shapes
        }
    }

    private struct Scale {
        let maximum: Double
        let count: Int
        func x(_ index: Int) -> Double {
            let span = width - left - right
            return count <= 1 ? left + span / 2 : left + span * Double(index) / Double(count - 1)
        }
        func y(_ value: String) -> Double? {
            guard let number = Double(value) else { return nil }
            return height - bottom - (height - top - bottom) * (maximum > 0 ? number / maximum : 0)
        }
    }

    private static func frame(title: String, labels: [String], series: [Series], axis: (String) -> String,
                              shapes: (Scale) -> String) -> String {
        let largest = series.flatMap(\.values).compactMap { $0.flatMap(Double.init) }.max() ?? 0
        let maximum = niceCeiling(largest)
        let scale = Scale(maximum: maximum, count: labels.count)
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title>\(escape(title))</title>"
        for step in 0...4 {
            let value = maximum * Double(step) / 4
            let y = height - bottom - (height - top - bottom) * Double(step) / 4
            svg += "<line class=\"grid\" x1=\"\(fmt(left))\" x2=\"\(fmt(width - right))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\"/>"
            svg += "<text class=\"axis\" x=\"\(fmt(left - 6))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\">\(escape(axis(plain(value))))</text>"
        }
        let every = max(1, Int((Double(labels.count) / 6).rounded(.up)))
        for (index, label) in labels.enumerated() where index % every == 0 {
            let slot = (width - left - right) / Double(max(labels.count, 1))
            let x = series.isEmpty ? scale.x(index) : (shapesAreBars(series) ? left + slot * (Double(index) + 0.5) : scale.x(index))
            svg += "<text class=\"axis\" x=\"\(fmt(x))\" y=\"\(fmt(height - bottom + 18))\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        svg += shapes(scale)
        var legendX = left
        for one in series {
            svg += "<rect class=\"\(one.style)\" x=\"\(fmt(legendX))\" y=\"\(fmt(height - 12))\" width=\"10\" height=\"10\"/>"
            svg += "<text class=\"legend\" x=\"\(fmt(legendX + 14))\" y=\"\(fmt(height - 3))\">\(escape(one.name))</text>"
            legendX += 14 + Double(one.name.count) * 7 + 18
        }
        return svg + "</svg>"
    }

    /// Bar charts put labels in the middle of their slot; set by `bars` through the series' style.
    private static func shapesAreBars(_ series: [Series]) -> Bool { series.first?.style.hasPrefix("bar") ?? false }

    /// 1, 2 or 5 times a power of ten, at least `value` (the top of the axis).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * power >= value { return step * power }
        return 10 * power
    }

    /// An axis value as a decimal string without a fraction when it has none.
    private static func plain(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(format: "%.2f", value)
    }

    private static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
