import Foundation

/// Turns the HTML of a helpdesk message body into plain text for embedding and display.
///
/// Deliberately simple, not an HTML parser: it is meant for the small, well-formed HTML that
/// helpdesks store for emails and chat messages.
/// - `<br>` becomes a line break, and so does the start or end of a block (`p`, `div`, `li`, `ul`, `ol`, `tr`,
///   `table`, `h1`–`h6`, `blockquote`, `pre`) unless a line has just ended;
/// - `<script>` and `<style>` elements are dropped with their content; every other tag is removed;
///   a `<` that does not start a tag (`a < b`) is kept, so plain text passes through unchanged;
/// - the entities `&amp; &lt; &gt; &quot; &apos; &#39; &nbsp;` and numeric `&#NN;` / `&#xHH;` are decoded;
/// - runs of spaces collapse to one, lines are trimmed, and at most one blank line is kept in a row.
enum HTMLText {
    private static let blockTags: Set<String> = [
        "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "table",
    ]

    static func plain(_ html: String) -> String {
        var output = ""
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            output += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard afterOpen < rest.endIndex, rest[afterOpen].isLetter || "/!".contains(rest[afterOpen]),
                  let close = rest[afterOpen...].firstIndex(of: ">")
            else {
                output.append("<")
                rest = rest[afterOpen...]
                continue
            }
            let tag = rest[afterOpen..<close]
            let name = tag.drop(while: { $0 == "/" }).prefix(while: { $0.isLetter || $0.isNumber }).lowercased()
            rest = rest[rest.index(after: close)...]
            if (name == "script" || name == "style") && !tag.hasPrefix("/") {
                // Skip to the matching end tag (or to the end of the text).
                if let end = rest.range(of: "</\(name)", options: .caseInsensitive) {
                    rest = rest[end.upperBound...].drop(while: { $0 != ">" }).dropFirst()
                } else {
                    rest = rest[rest.endIndex...]
                }
            } else if name == "br" {
                output.append("\n")
            } else if blockTags.contains(name), let last = output.last, !last.isNewline {
                output.append("\n")
            }
        }
        output += rest
        return tidy(decodeEntities(output))
    }

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ",
    ]

    private static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            let afterAmp = rest.index(after: amp)
            if let semicolon = rest[afterAmp...].prefix(10).firstIndex(of: ";"),
               let decoded = entity(String(rest[afterAmp..<semicolon])) {
                output += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                output.append("&")
                rest = rest[afterAmp...]
            }
        }
        return output + rest
    }

    private static func entity(_ name: String) -> String? {
        if let named = namedEntities[name] { return named }
        guard name.hasPrefix("#") else { return nil }
        let digits = name.dropFirst()
        let code = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
        return code.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
    }

    private static func tidy(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{A0}" })
            let clean = words.joined(separator: " ")
            if clean.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(clean)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
