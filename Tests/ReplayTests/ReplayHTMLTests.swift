import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Replay
import XCTest

/// ReplayHTML.swift: one self-contained page whose charts are well-formed SVG of both runs.
final class ReplayHTMLTests: XCTestCase {
    /// The character data of a well-formed XML fragment, or nil when it is malformed.
    private final class TextCollector: NSObject, XMLParserDelegate {
        var text = ""
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        static func text(of xml: String) -> String? {
            let parser = XMLParser(data: Data(xml.utf8))
            let collector = TextCollector()
            parser.delegate = collector
            return parser.parse() ? collector.text : nil
        }
    }

    func testReportPageHoldsWellFormedChartsOfBothRuns() throws {
        let records = (0..<21).map { ReplayRecord(index: $0, day: $0, label: "a", inScope: true, decision: .answer, articleID: "a",
                                                  right: $0 > 5, answerable: true) }
        let report = ReplayReport(ReplayResult(days: 21, learning: records, baseline: records))
        let html = ReplayHTML.page(report)
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
        var svgs: [String] = []
        var rest = Substring(html)
        while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            svgs.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        XCTAssertEqual(svgs.count, 3)
        for svg in svgs {
            let names = try XCTUnwrap(TextCollector.text(of: svg), "not well-formed: \(svg.prefix(200))")
            XCTAssertTrue(names.contains("learning") && names.contains("baseline"), names)
        }
    }
}
