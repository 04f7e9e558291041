@testable import Charts
import XCTest

/// SVGBarChart.swift: one bar per value present, labelled, with a legend only when it names something.
final class SVGBarChartTests: XCTestCase {
    /// Bars carry a `<title>` tooltip; the background and legend swatches do not.
    private func bars(_ parsed: SVGParse) -> Int {
        parsed.all("rect").filter { $0.attributes["fill"] != "#ffffff" && $0.attributes["width"] != "14" }.count
    }

    func testOneBarPerValuePresentAndALegendForTwoSeries() {
        let chart = SVGBarChart(title: "Rates <per topic>", categories: ["billing", "account"], yLabel: "rate", series: [
            SVGBarChart.Series(name: "escalated", values: [0.25, nil]),
            SVGBarChart.Series(name: "resolved", values: [0.5, 0.75]),
        ])
        let parsed = SVGParse(chart.render())
        XCTAssertEqual(parsed.elements.first?.name, "svg")
        XCTAssertEqual(bars(parsed), 3, "a nil value draws no bar")
        XCTAssertEqual(parsed.all("rect").filter { $0.attributes["width"] == "14" }.count, 2, "one legend swatch per series")
        XCTAssertTrue(parsed.text.contains("Rates <per topic>"))
        XCTAssertTrue(parsed.text.contains("billing · escalated"))
        XCTAssertFalse(parsed.text.contains("account · escalated"))
    }

    func testTallerValueIsDrawnTaller() throws {
        let chart = SVGBarChart(title: "t", categories: ["a", "b"], yLabel: "questions",
                                series: [SVGBarChart.Series(name: "", values: [2, 8])])
        let parsed = SVGParse(chart.render())
        let heights = try parsed.all("rect").filter { $0.attributes["fill"] != "#ffffff" }
            .map { try XCTUnwrap(Double($0.attributes["height"] ?? "")) }
        XCTAssertEqual(heights.count, 2, "one unnamed series: bars only, no legend swatch")
        XCTAssertEqual(heights[1] / heights[0], 4, accuracy: 0.05)
    }

    func testLongCategoriesSlantAndAreShortened() {
        let long = String(repeating: "very long topic name ", count: 4)
        let chart = SVGBarChart(title: "t", categories: [long, long + "2"], yLabel: "n",
                                series: [SVGBarChart.Series(name: "", values: [1, 2])])
        let svg = chart.render()
        let labels = SVGParse(svg).all("text").filter { ($0.attributes["transform"] ?? "").hasPrefix("rotate(-40") }
        XCTAssertEqual(labels.count, 2)
        XCTAssertTrue(svg.contains(">very long topic n…</text>"), "an axis label is cut to 18 characters")
    }

    func testIntervalsAreDrawnAsWhiskersAndTheirEndsAreNamedInTheTooltip() {
        var chart = SVGBarChart(title: "t", categories: ["a", "b"], yLabel: "rate", series: [
            SVGBarChart.Series(name: "", values: [0.02, 0.03], intervals: [0.01...0.05, nil]),
        ])
        chart.yFormat = .percent
        let parsed = SVGParse(chart.render())
        XCTAssertEqual(parsed.all("path").filter { $0.attributes["class"] == "interval" }.count, 1, "one whisker, for the value with an interval")
        XCTAssertTrue(chart.render().contains("2 % (1 %–5 %)"), chart.render())
    }

    func testAPercentAxisFitsRatesOfAFewPercentInsteadOfRunningToAHundred() {
        var chart = SVGBarChart(title: "t", categories: ["a", "b"], yLabel: "rate",
                                series: [SVGBarChart.Series(name: "", values: [0.012, 0.03])])
        chart.yFormat = .percent
        let labels = SVGParse(chart.render()).all("text").count
        let svg = chart.render()
        XCTAssertTrue(svg.contains(">3 %<") || svg.contains(">3.0 %<"), "the axis reaches the highest rate")
        XCTAssertFalse(svg.contains(">100 %<"), "not a 0–100 % axis")
        XCTAssertTrue(svg.contains(">0.5 %<"), "ticks finer than a percent keep their decimal")
        XCTAssertGreaterThan(labels, 3)
    }
}
