/// Word tokens for the lexical side of the service: passage choice, titles of
/// agent-written articles and of knowledge gaps. Lower-cased, letters and digits,
/// English stop words dropped, a light plural/-ing/-ed stem.
enum TextTokens {
    static let stopWords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as",
        "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "have", "has", "had", "i", "me", "my",
        "you", "your", "we", "our", "it", "its", "this", "that", "these", "those", "can", "could", "would", "should",
        "will", "what", "how", "why", "when", "where", "which", "who", "there", "please", "tell", "know", "need",
        "want", "get", "just", "so", "not", "no", "yes", "some", "any", "about", "up", "out", "into", "than", "too",
        "very", "let", "im", "dont", "cant", "whats", "hi", "hello", "thanks", "thank",
    ]

    /// The content words of `text`, stemmed, in order (repeats kept).
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty, !stopWords.contains(current) { out.append(stem(current)) }
            current = ""
        }
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if scalar == "'" {
                continue
            } else {
                flush()
            }
        }
        flush()
        return out
    }

    static func stem(_ word: String) -> String {
        guard word.count > 4 else { return word }
        for suffix in ["ing", "ies", "ed", "es", "s"] where word.hasSuffix(suffix) {
            let base = String(word.dropLast(suffix.count))
            return suffix == "ies" ? base + "y" : base
        }
        return word
    }
}
