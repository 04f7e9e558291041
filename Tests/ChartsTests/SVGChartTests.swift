@testable import Charts
import XCTest

/// SVGChart.swift: well-formed SVG with what was asked for in it.
final class SVGChartTests: XCTestCase {
    func testChartIsWellFormedWithOneLinePerSeriesAndALegend() {
        var chart = SVGChart(title: "Resolution <weekly> & more", xLabel: "week", yLabel: "rate")
        chart.yFormat = .percent
        chart.yRange = 0...1
        chart.series = [
            SVGChart.Series(name: "learning", points: (1...5).map { .init(x: Double($0), y: Double($0) / 5) }),
            SVGChart.Series(name: "baseline \"static\"", points: (1...5).map { .init(x: Double($0), y: 0.3) }, dashed: true),
        ]
        let svg = chart.render()
        let parsed = SVGParse(svg)
        XCTAssertEqual(parsed.elements.first?.name, "svg")
        let polylines = parsed.elements.filter { $0.name == "polyline" }
        XCTAssertEqual(polylines.count, 2)
        XCTAssertEqual(polylines[0].attributes["points"]?.split(separator: " ").count, 5)
        XCTAssertEqual(polylines[1].attributes["stroke-dasharray"], "6 4")
        XCTAssertTrue(parsed.text.contains("Resolution <weekly> & more"))
        XCTAssertTrue(parsed.text.contains("baseline \"static\""))
        XCTAssertTrue(parsed.text.contains("100 %"))
        XCTAssertTrue(parsed.text.contains("0 %"))
        // y = 1 sits at the top of the plot, y = 0.2 lower down.
        let ys = polylines[0].attributes["points"]!.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        XCTAssertEqual(ys, ys.sorted(by: >), "rising values are drawn upwards")
    }

    func testMissingValuesBreakTheLine() {
        let chart = SVGChart(title: "t", xLabel: "x", yLabel: "y", series: [
            SVGChart.Series(name: "s", points: [.init(x: 1, y: 1), .init(x: 2, y: 2), .init(x: 3, y: nil),
                                                .init(x: 4, y: 1), .init(x: 5, y: 3)]),
        ])
        let parsed = SVGParse(chart.render())
        XCTAssertEqual(parsed.elements.filter { $0.name == "polyline" }.count, 2)
        XCTAssertEqual(parsed.elements.filter { $0.name == "circle" }.count, 4)
    }

    func testEmptyChartStillRenders() {
        let parsed = SVGParse(SVGChart(title: "nothing", xLabel: "x", yLabel: "y").render())
        XCTAssertEqual(parsed.elements.filter { $0.name == "polyline" }.count, 0)
    }

    func testTicksAreRound() {
        let unit = SVGChart.ticks(0...1)
        XCTAssertEqual(unit.count, 6)
        for (tick, expected) in zip(unit, [0, 0.2, 0.4, 0.6, 0.8, 1]) { XCTAssertEqual(tick, expected, accuracy: 1e-12) }
        XCTAssertEqual(SVGChart.ticks(1...13), [2, 4, 6, 8, 10, 12])
    }
}
