import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// An SVG document's elements and character data, read with a real XML parser so
/// that a chart that is not well-formed fails the test that drew it.
struct SVGParse {
    /// Every element in document order, with its attributes.
    var elements: [(name: String, attributes: [String: String])] = []
    /// All character data, concatenated.
    var text = ""

    private final class Collector: NSObject, XMLParserDelegate {
        var parsed = SVGParse()
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String]) {
            parsed.elements.append((name, attributes))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { parsed.text += string }
    }

    /// Parses `xml`, failing the calling test when it is malformed.
    @discardableResult
    init(_ xml: String, file: StaticString = #filePath, line: UInt = #line) {
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed: \(String(describing: parser.parserError))", file: file, line: line)
        self = collector.parsed
    }

    private init() {}

    /// The elements named `name`.
    func all(_ name: String) -> [(name: String, attributes: [String: String])] {
        elements.filter { $0.name == name }
    }
}
