/// Which embedder produced a vector: its model name and dimension.
///
/// Vectors from different embedders live in different spaces; comparing them
/// gives plausible-looking nonsense. The answer service stores the identity of
/// the embedder beside every index it builds and calls ``requireMatch(_:)``
/// when it opens one, so a mismatch is refused rather than mixed.
public struct EmbedderIdentity: Hashable, Codable, Sendable, CustomStringConvertible {
    /// A stable model name, e.g. `all-MiniLM-L6-v2` or `hashed-ngram-v1`.
    public var name: String
    /// The number of components of every vector the embedder returns.
    public var dimension: Int

    /// Creates an identity from a model name and a vector dimension.
    public init(name: String, dimension: Int) {
        self.name = name
        self.dimension = dimension
    }

    /// `name (dimension-d)`, as logs and errors print it.
    public var description: String { "\(name) (\(dimension)-d)" }

    /// Throws ``EmbeddingError/identityMismatch(stored:current:)`` unless
    /// `stored` (the identity recorded with an index) equals this one.
    /// - Parameter stored: the identity read back from an index.
    public func requireMatch(_ stored: EmbedderIdentity) throws {
        guard stored == self else { throw EmbeddingError.identityMismatch(stored: stored, current: self) }
    }
}
