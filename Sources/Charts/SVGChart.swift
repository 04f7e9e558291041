import Foundation

/// A line chart rendered as a standalone inline SVG element: series of (x, y)
/// points, axes with ticks, a legend. No scripts and no external resources, so
/// a report or a dashboard page works offline and from a file.
///
/// ```swift
/// var chart = SVGChart(title: "Resolution", xLabel: "week", yLabel: "rate")
/// chart.yFormat = .percent
/// chart.series = [SVGChart.Series(name: "learning", points: [.init(x: 1, y: 0.5), .init(x: 2, y: 0.8)])]
/// let svg = chart.render()
/// ```
public struct SVGChart: Sendable, Equatable {
    /// One point; a `nil` y leaves a gap in the line.
    public struct Point: Sendable, Equatable {
        /// Where along the x axis.
        public var x: Double
        /// The value; nil for none.
        public var y: Double?

        /// A point.
        public init(x: Double, y: Double?) {
            self.x = x
            self.y = y
        }
    }

    /// One line.
    public struct Series: Sendable, Equatable {
        /// Its name in the legend.
        public var name: String
        /// Its points, joined in the order given.
        public var points: [Point]
        /// A CSS colour; `nil` picks from ``SVGChart/palette`` by position.
        public var color: String?
        /// Drawn dashed (a baseline, a ceiling) rather than solid.
        public var dashed: Bool

        /// A line.
        public init(name: String, points: [Point], color: String? = nil, dashed: Bool = false) {
            self.name = name
            self.points = points
            self.color = color
            self.dashed = dashed
        }
    }

    /// How tick labels are written.
    public enum AxisFormat: Sendable, Equatable {
        /// With this many decimals.
        case number(decimals: Int)
        /// Fractions as percentages (0.25 → `25 %`).
        case percent
    }

    /// Colours given to series without their own, in order.
    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f"]

    /// The heading above the plot.
    public var title: String
    /// The x axis's name.
    public var xLabel: String
    /// The y axis's name.
    public var yLabel: String
    /// The lines, drawn in order (the last on top).
    public var series: [Series] = []
    /// Width of the whole image, in pixels.
    public var width = 640
    /// Height of the whole image, in pixels.
    public var height = 320
    /// The x axis's range; `nil` fits the data.
    public var xRange: ClosedRange<Double>?
    /// The y axis's range; `nil` fits the data.
    public var yRange: ClosedRange<Double>?
    /// How x tick labels are written.
    public var xFormat: AxisFormat = .number(decimals: 0)
    /// How y tick labels are written.
    public var yFormat: AxisFormat = .number(decimals: 2)

    /// An empty chart; add ``series`` before rendering.
    public init(title: String, xLabel: String, yLabel: String, series: [Series] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    private var plot: (left: Double, top: Double, right: Double, bottom: Double) {
        (56, 30, Double(width) - 150, Double(height) - 42)
    }

    /// The `<svg>` element.
    public func render() -> String {
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.compactMap(\.y) }.filter(\.isFinite)
        let xr = Self.fit(xRange, xs.filter(\.isFinite))
        let yr = Self.fit(yRange, ys)
        let p = plot
        func px(_ x: Double) -> Double { p.left + (x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * (p.right - p.left) }
        func py(_ y: Double) -> Double { p.bottom - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * (p.bottom - p.top) }

        var out = Self.frame(width: width, height: height, title: title, left: p.left, right: p.right, yRange: yr,
                             yFormat: yFormat, y: py)
        for tick in Self.ticks(xr) {
            let x = px(tick)
            out += "<line x1=\"\(Self.f(x))\" y1=\"\(Self.f(p.bottom))\" x2=\"\(Self.f(x))\" y2=\"\(Self.f(p.bottom + 4))\" stroke=\"#333333\"/>\n"
            out += "<text x=\"\(Self.f(x))\" y=\"\(Self.f(p.bottom + 16))\" text-anchor=\"middle\">\(Self.escape(Self.label(tick, xFormat)))</text>\n"
        }
        out += "<line x1=\"\(Self.f(p.left))\" y1=\"\(Self.f(p.bottom))\" x2=\"\(Self.f(p.right))\" y2=\"\(Self.f(p.bottom))\" stroke=\"#333333\"/>\n"
        out += "<line x1=\"\(Self.f(p.left))\" y1=\"\(Self.f(p.top))\" x2=\"\(Self.f(p.left))\" y2=\"\(Self.f(p.bottom))\" stroke=\"#333333\"/>\n"
        out += "<text x=\"\(Self.f((p.left + p.right) / 2))\" y=\"\(height - 6)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        out += "<text x=\"14\" y=\"\(Self.f((p.top + p.bottom) / 2))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 14 \(Self.f((p.top + p.bottom) / 2)))\">\(Self.escape(yLabel))</text>\n"

        for (i, s) in series.enumerated() {
            let color = Self.escape(s.color ?? Self.palette[i % Self.palette.count])
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            var segment: [String] = []
            func flush() {
                if segment.count > 1 {
                    out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) points=\"\(segment.joined(separator: " "))\"/>\n"
                }
                segment = []
            }
            for point in s.points {
                guard let y = point.y, y.isFinite, point.x.isFinite else { flush(); continue }
                segment.append("\(Self.f(px(point.x))),\(Self.f(py(y)))")
                out += "<circle cx=\"\(Self.f(px(point.x)))\" cy=\"\(Self.f(py(y)))\" r=\"2.5\" fill=\"\(color)\"/>\n"
            }
            flush()
            let ly = p.top + 8 + Double(i) * 18
            out += "<line x1=\"\(Self.f(p.right + 12))\" y1=\"\(Self.f(ly))\" x2=\"\(Self.f(p.right + 32))\" y2=\"\(Self.f(ly))\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
            out += "<text x=\"\(Self.f(p.right + 38))\" y=\"\(Self.f(ly + 4))\">\(Self.escape(s.name))</text>\n"
        }
        out += "</svg>\n"
        return out
    }

    /// The start of a chart's `<svg>` element: the element, its title, a white
    /// background, the heading, and the horizontal grid lines with y tick labels
    /// between `left` and `right`; `y` maps a value to its pixel row.
    static func frame(width: Int, height: Int, title: String, left: Double, right: Double, yRange: ClosedRange<Double>,
                      yFormat: AxisFormat, y: (Double) -> Double) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\" "
            + "font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<title>\(escape(title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        out += "<text x=\"\(f(left))\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>\n"
        for tick in ticks(yRange) {
            let row = y(tick)
            out += "<line x1=\"\(f(left))\" y1=\"\(f(row))\" x2=\"\(f(right))\" y2=\"\(f(row))\" stroke=\"#e5e5e5\"/>\n"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(row + 4))\" text-anchor=\"end\">\(escape(label(tick, yFormat)))</text>\n"
        }
        return out
    }

    /// The range to draw: the given one, else the data's, widened when it is a single value.
    static func fit(_ given: ClosedRange<Double>?, _ values: [Double]) -> ClosedRange<Double> {
        if let given, given.upperBound > given.lowerBound { return given }
        guard let lo = values.min(), let hi = values.max() else { return 0...1 }
        return lo < hi ? lo...hi : (lo - 1)...(hi + 1)
    }

    /// Three to eight round tick values inside `range` (steps of 1, 2 or 5 × 10ⁿ).
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / 5, magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { span / $0 <= 7 + 1e-9 } ?? 10 * magnitude
        var ticks: [Double] = []
        var k = ceil(range.lowerBound / step - 1e-9)
        while k * step <= range.upperBound + step * 1e-9, ticks.count < 50 {
            ticks.append(k * step + 0) // + 0 turns -0 into 0, which would print as "-0"
            k += 1
        }
        return ticks
    }

    static func label(_ value: Double, _ format: AxisFormat) -> String {
        switch format {
        case let .number(decimals): String(format: "%.\(max(0, decimals))f", value)
        case .percent:
            // Whole percentages plainly; a finer axis (0.5 %, 1.5 %) with its decimal.
            abs(value * 100 - (value * 100).rounded()) < 1e-6 ? String(format: "%.0f %%", value * 100)
                : String(format: "%.1f %%", value * 100)
        }
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Escapes text for XML content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
