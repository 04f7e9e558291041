import Foundation

/// BERT's "basic" tokenisation for uncased models: normalise the text, then cut
/// it into words at whitespace and around punctuation and CJK ideographs.
///
/// Normalisation follows Hugging Face `tokenizers`' `BertNormalizer`, in its
/// order: delete control characters and map whitespace to spaces; isolate CJK
/// ideographs; strip accents (Unicode NFD, then drop non-spacing marks); lower-case
/// each character. The reference tokenizer's token ids are the contract
/// (`Tests/EmbeddingTests/Fixtures/minilm-golden.json`).
///
/// Words are produced one at a time and the caller can stop early, so a huge
/// text costs only as much as the words that fit in the model's window.
struct BasicTokenizer: Sendable {
    /// Lower-case and strip accents (the uncased models); `false` keeps the text's case and accents.
    var lowercase = true

    /// Calls `body` with each word of `text`, as Unicode scalars, until `body` returns `false`.
    func forEachWord(in text: String, _ body: ([Unicode.Scalar]) -> Bool) {
        var word: [Unicode.Scalar] = []
        word.reserveCapacity(32)
        var stopped = false

        /// Ends the current word; returns `false` once the caller wants no more.
        func flush() -> Bool {
            if stopped { return false }
            if !word.isEmpty {
                stopped = !body(word)
                word.removeAll(keepingCapacity: true)
            }
            return !stopped
        }
        /// Adds one fully normalised character to the current word.
        func take(_ scalar: Unicode.Scalar) -> Bool {
            if UnicodeClasses.isWhitespace(scalar) { return flush() }
            if UnicodeClasses.isPunctuation(scalar) {
                guard flush() else { return false }
                word.append(scalar)
                return flush()
            }
            word.append(scalar)
            return true
        }

        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                // ASCII: no accents to strip, one-to-one lower-casing.
                if UnicodeClasses.isRemoved(scalar) { continue }
                var lowered = scalar
                if lowercase, (0x41...0x5A).contains(scalar.value) { lowered = Unicode.Scalar(scalar.value + 0x20)! }
                guard take(lowered) else { return }
                continue
            }
            if UnicodeClasses.isRemoved(scalar) { continue }
            if UnicodeClasses.isWhitespace(scalar) {
                guard flush() else { return }
                continue
            }
            let isolated = UnicodeClasses.isCJKIdeograph(scalar)
            if isolated { guard flush() else { return } }
            guard normalise(scalar, into: take) else { return }
            if isolated { guard flush() else { return } }
        }
        _ = flush()
    }

    /// Strips accents from and lower-cases one non-ASCII character, passing each
    /// resulting character to `take`; returns `false` when `take` does.
    ///
    /// NFD is applied a character at a time. That equals NFD of the whole text
    /// except for the canonical reordering of runs of combining marks, which
    /// cannot change the result here: the marks that reordering moves are the
    /// non-spacing ones, and those are dropped.
    private func normalise(_ scalar: Unicode.Scalar, into take: (Unicode.Scalar) -> Bool) -> Bool {
        guard lowercase else { return take(scalar) }
        let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping
        for part in decomposed.unicodeScalars where !UnicodeClasses.isNonSpacingMark(part) {
            let lowered = part.properties.lowercaseMapping
            if lowered.unicodeScalars.count == 1, lowered.unicodeScalars.first == part {
                guard take(part) else { return false }
                continue
            }
            for piece in lowered.unicodeScalars {
                guard take(piece) else { return false }
            }
        }
        return true
    }
}
