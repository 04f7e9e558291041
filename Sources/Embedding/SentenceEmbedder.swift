/// Turns texts into fixed-size, L2-normalised vectors.
///
/// Two implementations ship: ``MiniLMEmbedder`` (all-MiniLM-L6-v2 on BLAS, the
/// real thing) and ``HashedEmbedder`` (a deterministic fallback for machines
/// without the model files). Callers hold an `any SentenceEmbedder`, usually
/// from ``Embedder/load(modelDirectory:options:warn:)``, and record its
/// ``identity`` with whatever they index.
///
/// Implementations are thread-safe: several tasks may embed at once.
public protocol SentenceEmbedder: Sendable {
    /// The model name and dimension of the vectors this embedder returns.
    var identity: EmbedderIdentity { get }

    /// Embeds texts, one unit-length vector of ``EmbedderIdentity/dimension``
    /// components per text, in the order given.
    ///
    /// Never fails: an empty text embeds like any other, and a text longer
    /// than the model's window is truncated.
    /// - Parameter texts: the texts to embed; an empty array gives an empty result.
    /// - Returns: `texts.count` vectors.
    func embed(_ texts: [String]) -> [[Float]]

    /// Embeds one text for a caller that can wait: an implementation may embed it
    /// together with other callers' texts in one pass (``BatchingEmbedder``). The
    /// default embeds it at once, on the caller's thread.
    /// - Returns: a unit-length vector of ``dimension`` components.
    func embedQueued(_ text: String) async -> [Float]
}

extension SentenceEmbedder {
    /// The number of components of every vector.
    public var dimension: Int { identity.dimension }

    /// Embeds one text.
    /// - Returns: a unit-length vector of ``dimension`` components.
    public func embed(_ text: String) -> [Float] {
        embed([text])[0]
    }

    /// Embeds `text` at once, on the caller's thread.
    public func embedQueued(_ text: String) async -> [Float] {
        embed(text)
    }
}
