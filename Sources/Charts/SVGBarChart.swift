import Foundation

/// A bar chart rendered as a standalone inline SVG element: categories along
/// the x axis, one bar per series in each, y ticks and a legend — histograms
/// and per-topic rates on the dashboard. Like ``SVGChart``, no scripts and no
/// external resources. Axis ticks and labels follow ``SVGChart``'s rules.
///
/// ```swift
/// var chart = SVGBarChart(title: "Confidence", categories: ["0.0", "0.1"], yLabel: "answers")
/// chart.series = [SVGBarChart.Series(name: "score", values: [3, 7])]
/// let svg = chart.render()
/// ```
public struct SVGBarChart: Sendable, Equatable {
    /// One set of bars, one value per category; a `nil` value draws no bar.
    public struct Series: Sendable, Equatable {
        /// Its name in the legend; a chart of one unnamed series draws no legend.
        public var name: String
        /// One value per category, in the chart's order.
        public var values: [Double?]
        /// A CSS colour; `nil` picks from ``SVGChart/palette`` by position.
        public var color: String?
        /// Each value's confidence interval, drawn as a whisker over its bar; empty or `nil`: none.
        public var intervals: [ClosedRange<Double>?]

        /// A set of bars.
        public init(name: String, values: [Double?], color: String? = nil, intervals: [ClosedRange<Double>?] = []) {
            self.name = name
            self.values = values
            self.color = color
            self.intervals = intervals
        }

        /// The interval of category `c`, if one was given.
        func interval(_ c: Int) -> ClosedRange<Double>? {
            c < intervals.count ? intervals[c] : nil
        }
    }

    /// The heading above the plot.
    public var title: String
    /// The x axis's categories, in order.
    public var categories: [String]
    /// The y axis's name.
    public var yLabel: String
    /// The sets of bars, side by side in each category, in order.
    public var series: [Series] = []
    /// Width of the whole image, in pixels.
    public var width = 640
    /// Height of the whole image, in pixels.
    public var height = 300
    /// The y range; `nil` runs from 0 to the largest value (or interval end), so that rates of a
    /// few percent get an axis that shows them rather than a flat 0–100 %.
    public var yRange: ClosedRange<Double>?
    /// How y tick labels are written.
    public var yFormat: SVGChart.AxisFormat = .number(decimals: 0)

    /// A chart of `categories`; add ``series`` before rendering.
    public init(title: String, categories: [String], yLabel: String, series: [Series] = []) {
        self.title = title
        self.categories = categories
        self.yLabel = yLabel
        self.series = series
    }

    /// The `<svg>` element.
    public func render() -> String {
        let values = (series.flatMap { $0.values.compactMap { $0 } } + series.flatMap { $0.intervals.compactMap { $0?.upperBound } })
            .filter(\.isFinite)
        // Whole-number axes get at least 0...5, so their ticks are whole numbers too; percentages at least 0–1 %.
        let floor: Double = yFormat == .number(decimals: 0) ? 5 : yFormat == .percent ? 0.01 : 1
        let yr = SVGChart.fit(yRange, [0, floor] + values)
        let legend = series.count > 1 || !(series.first?.name.isEmpty ?? true)
        let left = 56.0, top = 30.0, right = Double(width) - (legend ? 130 : 16)
        let slot = (right - left) / Double(max(1, categories.count))
        // Labels slant when they would not fit their slot side by side (about 6.5 px a character).
        let rotate = Double(categories.map(\.count).max() ?? 0) * 6.5 > slot
        let bottom = Double(height) - (rotate ? 78 : 42)
        func py(_ y: Double) -> Double { bottom - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * (bottom - top) }
        let f = SVGChart.f, escape = SVGChart.escape

        var out = SVGChart.frame(width: width, height: height, title: title, left: left, right: right, yRange: yr,
                                 yFormat: yFormat, y: py)
        let barWidth = max(1, min(60, slot * 0.8 / Double(max(1, series.count))))
        for (c, category) in categories.enumerated() {
            let x0 = left + (Double(c) + 0.5) * slot - barWidth * Double(series.count) / 2
            for (s, line) in series.enumerated() {
                guard c < line.values.count, let value = line.values[c], value.isFinite else { continue }
                let color = escape(line.color ?? SVGChart.palette[s % SVGChart.palette.count])
                let y = py(min(max(value, yr.lowerBound), yr.upperBound)), base = py(max(yr.lowerBound, 0))
                out += "<rect x=\"\(f(x0 + Double(s) * barWidth))\" y=\"\(f(min(y, base)))\" width=\"\(f(barWidth))\" "
                    + "height=\"\(f(abs(base - y)))\" fill=\"\(color)\"><title>\(escape(category)) · \(escape(line.name)): "
                    + "\(escape(SVGChart.label(value, yFormat)))\(line.interval(c).map { " (\(SVGChart.label($0.lowerBound, yFormat))–\(SVGChart.label($0.upperBound, yFormat)))" } ?? "")"
                    + "</title></rect>\n"
                if let interval = line.interval(c), interval.lowerBound.isFinite, interval.upperBound.isFinite {
                    // The whisker: a vertical line over the interval with a cap at each end.
                    let cx = x0 + (Double(s) + 0.5) * barWidth, cap = min(6, barWidth / 3)
                    let lo = py(min(max(interval.lowerBound, yr.lowerBound), yr.upperBound))
                    let hi = py(min(max(interval.upperBound, yr.lowerBound), yr.upperBound))
                    out += "<path d=\"M\(f(cx)) \(f(lo)) V\(f(hi)) M\(f(cx - cap)) \(f(lo)) H\(f(cx + cap)) M\(f(cx - cap)) \(f(hi)) H\(f(cx + cap))\" "
                        + "stroke=\"#222222\" stroke-width=\"1.5\" fill=\"none\" class=\"interval\"/>\n"
                }
            }
            let cx = left + (Double(c) + 0.5) * slot
            if rotate {
                out += "<text x=\"\(f(cx))\" y=\"\(f(bottom + 12))\" text-anchor=\"end\" "
                    + "transform=\"rotate(-40 \(f(cx)) \(f(bottom + 12)))\">\(escape(Self.short(category)))</text>\n"
            } else {
                out += "<text x=\"\(f(cx))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(escape(category))</text>\n"
            }
        }
        out += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"#333333\"/>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\" stroke=\"#333333\"/>\n"
        out += "<text x=\"14\" y=\"\(f((top + bottom) / 2))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 14 \(f((top + bottom) / 2)))\">\(escape(yLabel))</text>\n"
        if legend {
            for (s, line) in series.enumerated() {
                let color = escape(line.color ?? SVGChart.palette[s % SVGChart.palette.count])
                let ly = top + 8 + Double(s) * 18
                out += "<rect x=\"\(f(right + 12))\" y=\"\(f(ly - 6))\" width=\"14\" height=\"12\" fill=\"\(color)\"/>\n"
                out += "<text x=\"\(f(right + 32))\" y=\"\(f(ly + 4))\">\(escape(line.name))</text>\n"
            }
        }
        out += "</svg>\n"
        return out
    }

    /// A category label cut to 18 characters for a slanted axis.
    static func short(_ text: String) -> String {
        text.count <= 18 ? text : String(text.prefix(17)) + "…"
    }
}
