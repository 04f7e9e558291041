import Foundation

/// Tells a feature request ("can you add dark mode?", "would be nice to export
/// to PDF") from a how-to question or a defect report, by request vocabulary.
///
/// Measured on the hand-labelled list in `Tests/SupportTests/ReportInsightsTests.swift`
/// (requests, how-to questions that mention features, support and adding things,
/// and bug reports); that test prints precision and recall and holds them above a floor.
public enum FeatureRequestDetector {
    /// Phrases that ask for something the product does not do, as regular
    /// expressions over the lower-cased text with apostrophes straightened.
    public static let patterns: [String] = [
        #"\b(can|could|would|will) (you|u|your team) (please )?(add|adding|build|implement|introduce|make|allow|offer|provide|consider)\b"#,
        #"\b(please|pls|kindly) (add|build|implement|consider|allow|bring|introduce|make it possible)\b"#,
        #"\b(would|it'?d|it would|that would|that'?d) be (really |very |so |super )?(nice|great|helpful|useful|awesome|good|cool|handy)\b"#,
        #"\bfeature request\b"#,
        #"\b(request|suggest|propose)(ing)? (a |an |the )?(new )?(feature|option|setting)\b"#,
        #"\b(suggestion|wishlist|wish list)\b"#,
        #"\b(add|adding|need|want|missing|lacks?|lacking) (native |proper |built-in )?support for\b"#,
        #"\b(i|we) (really )?(wish|hope) (you|there|it|i|we)\b"#,
        #"\b(i|we)('d| would) (really )?(like|love) (to see|it if|you to add|an option|a way|the ability|the option|a feature|a setting)\b"#,
        #"\bany (plans?|chance|eta) (to|for|of|on) (add|support|build|get|introduce|implement|having)"#,
        #"\b(on|in) (the|your) roadmap\b"#,
        #"\b(you|u) (guys )?should (add|support|have|build|allow|offer|let)\b"#,
        #"\b(is|are) (there )?(you |u )?(planning|plans) to\b"#,
        #"\bmake it possible to\b"#,
        #"\bwhy (is there no|isn'?t there an?|can'?t (i|we) (just )?(choose|pick|set|have))\b"#,
    ]

    static let compiled: [NSRegularExpression] = patterns.map { try! NSRegularExpression(pattern: $0) }

    /// Whether `text` reads as a feature request.
    public static func isRequest(_ text: String) -> Bool {
        let normalized = text.lowercased()
            .replacingOccurrences(of: "\u{2019}", with: "'")
            .replacingOccurrences(of: "\u{2018}", with: "'")
        let range = NSRange(normalized.startIndex..., in: normalized)
        return compiled.contains { $0.firstMatch(in: normalized, range: range) != nil }
    }

    /// Words of the request vocabulary itself, left out of cluster titles.
    static let vocabulary: Set<String> = [
        "add", "adding", "feature", "featur", "request", "nice", "great", "support", "option", "ability", "would", "like",
        "love", "wish", "hope", "plan", "roadmap", "suggest", "suggestion", "allow", "implement", "build", "possible",
        "make", "way", "see", "guy", "team", "really", "new", "able", "cool", "useful", "helpful", "handy", "awesome",
        "good", "kindly", "pl", "pls", "consider", "introduce", "offer", "provide", "chance", "eta", "setting", "native",
        "proper", "built", "also", "even", "maybe", "think", "idea",
    ]
}
