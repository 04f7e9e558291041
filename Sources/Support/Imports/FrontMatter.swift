import Foundation

/// The front matter of a knowledge-base Markdown file: a block between a first line `---` and the
/// next line `---` (or `...`), as static-site generators and help-centre exports write it.
///
/// This reads just the three keys an article needs, not YAML:
/// ```
/// ---
/// id: billing/refunds          # plain or quoted ("…" or '…') scalar
/// title: "Refunds: how long they take"
/// tags: [billing, refunds]     # a flow list …
/// tags:                        # … or a block list of `- item` lines
///   - billing
///   - refunds
/// ---
/// ```
/// `tags: billing, refunds` (a comma-separated scalar) is read as two tags too. Other keys (`date`,
/// `layout`, …) and their indented continuation lines are ignored, so files written for other tools
/// import as they are. A `#` starts a comment only at the start of a line or after a space, outside a quoted value.
struct FrontMatter: Equatable {
    var id: String?
    var title: String?
    var tags: [String]?
    /// How many lines of the file the block takes, both `---` lines included; 0 without front matter.
    var lineCount = 0

    /// Reads the front matter at the top of `lines`, if the first line is `---`.
    /// - Throws: ``SupportError/invalidRequest(_:)`` naming `source` and the line, for a block that is
    ///   never closed, a line that is not `key: value` or `- item`, and a list item under a key other
    ///   than `tags`.
    static func read(_ lines: [Substring], source: String) throws -> FrontMatter {
        var result = FrontMatter()
        guard let first = lines.first, first.trimmingCharacters(in: .whitespaces) == "---" else { return result }
        let isEnd = { (line: Substring) in ["---", "..."].contains(line.trimmingCharacters(in: .whitespaces)) }
        guard let end = lines.dropFirst().firstIndex(where: isEnd) else {
            throw SupportError.invalidRequest("\(source) line 1: the front matter opened here is never closed with a \"---\" line")
        }
        result.lineCount = end + 1
        var listKey: String?  // the key whose block list the following `- item` lines belong to
        for (offset, raw) in lines[1..<end].enumerated() {
            let lineNumber = offset + 2
            let line = stripComment(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("- ") || trimmed == "-" {
                guard let key = listKey else {
                    throw SupportError.invalidRequest("\(source) line \(lineNumber): a list item \"\(trimmed)\" with no key above it")
                }
                if key == "tags" { result.tags = (result.tags ?? []) + [unquote(trimmed.dropFirst())].filter { !$0.isEmpty } }
                continue
            }
            if line.first?.isWhitespace == true { continue }  // continuation of an ignored key's value
            guard let colon = trimmed.firstIndex(of: ":") else {
                throw SupportError.invalidRequest("\(source) line \(lineNumber): front matter line \"\(trimmed)\" is not \"key: value\"")
            }
            let key = trimmed[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            listKey = key
            switch key {
            case "id": result.id = nonEmpty(unquote(value[...]))
            case "title": result.title = nonEmpty(unquote(value[...]))
            case "tags":
                let items = value.hasPrefix("[") && value.hasSuffix("]") ? value.dropFirst().dropLast() : value[...]
                result.tags = items.split(separator: ",").map { unquote($0) }.filter { !$0.isEmpty }
            default: break
            }
        }
        return result
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// Trims and removes one pair of matching surrounding quotes.
    private static func unquote(_ text: Substring) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count >= 2, let first = trimmed.first, first == "\"" || first == "'", trimmed.last == first {
            return String(trimmed.dropFirst().dropLast())
        }
        return trimmed
    }

    /// The line without a trailing `# comment` (a `#` at the start or after a space, outside quotes).
    private static func stripComment(_ line: Substring) -> Substring {
        var quote: Character?
        var previous: Character = " "
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if (character == "\"" || character == "'") && (previous.isWhitespace || ":[,".contains(previous)) {
                quote = character
            } else if character == "#" && previous.isWhitespace {
                return line[..<index]
            }
            previous = character
        }
        return line
    }
}
