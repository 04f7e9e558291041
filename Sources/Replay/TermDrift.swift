import Foundation

/// Customer vocabulary that changes during a run (`--drift FILE`): from
/// ``startDay`` on, every ticket's text has each ``Substitution/from`` term
/// replaced by its ``Substitution/to`` term, as whole words, ignoring case.
///
/// The file has one `from<TAB>to` pair per line, an optional `day N` line
/// naming the first drifted day (or give it as `--drift-day`), and `#` comments.
public struct TermDrift: Sendable, Equatable {
    /// One term and its replacement.
    public struct Substitution: Sendable, Equatable {
        /// The term customers stop using.
        public var from: String
        /// The term they use instead.
        public var to: String

        /// A substitution.
        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    /// The first simulated day whose tickets are drifted.
    public var startDay: Int
    /// Applied in order.
    public var substitutions: [Substitution]

    /// A drift from `startDay` on.
    public init(startDay: Int, substitutions: [Substitution]) {
        self.startDay = startDay
        self.substitutions = substitutions
    }

    /// Reads a drift file.
    /// - Parameters:
    ///   - path: the file.
    ///   - day: the first drifted day when given on the command line; it overrides the file's `day N` line.
    /// - Throws: ``ReplayError`` when the file cannot be read, a line is malformed or no day is given anywhere.
    public static func load(path: String, day: Int? = nil) throws -> TermDrift {
        try parse(ReplayDataset.readText(path), path: path, day: day)
    }

    /// Parses a drift file's contents (see the type's description for the format).
    /// - Throws: ``ReplayError/malformedLine(path:line:reason:)`` or ``ReplayError/invalidOption(_:)`` without a day.
    public static func parse(_ text: String, path: String = "drift", day: Int? = nil) throws -> TermDrift {
        var fileDay: Int?
        var substitutions: [Substitution] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if !raw.contains("\t") {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                if words.count == 2, words[0].lowercased() == "day", let n = Int(words[1]), n >= 0 {
                    fileDay = n
                    continue
                }
                throw ReplayError.malformedLine(path: path, line: offset + 1,
                                                reason: "expected \"from<TAB>to\" or \"day N\", got \"\(line)\"")
            }
            let fields = raw.split(separator: "\t", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard fields.count == 2, !fields[0].isEmpty else {
                throw ReplayError.malformedLine(path: path, line: offset + 1,
                                                reason: "expected exactly \"from<TAB>to\" with a non-empty from term")
            }
            substitutions.append(Substitution(from: fields[0], to: fields[1]))
        }
        guard let startDay = day ?? fileDay else {
            throw ReplayError.invalidOption("\(path): no \"day N\" line and no --drift-day: say from which day the drift applies")
        }
        return TermDrift(startDay: startDay, substitutions: substitutions)
    }

    /// Applies the substitutions to texts (the patterns are compiled once for all of them).
    /// - Returns: the drifted texts, in order.
    public func apply(to texts: [String]) -> [String] {
        let patterns: [(NSRegularExpression, String)] = substitutions.compactMap { s in
            let pattern = "(?<![\\p{L}\\p{N}])" + NSRegularExpression.escapedPattern(for: s.from) + "(?![\\p{L}\\p{N}])"
            guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return nil }
            return (regex, NSRegularExpression.escapedTemplate(for: s.to))
        }
        return texts.map { text in
            var result = text
            for (regex, template) in patterns {
                result = regex.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result),
                                                        withTemplate: template)
            }
            return result
        }
    }

    /// Applies the substitutions to one text.
    public func apply(to text: String) -> String { apply(to: [text])[0] }
}
