/// One search result: the caller's id and its distance to the query
/// (`1 - cosine` or `1 - dot` for cosine/ip, squared Euclidean for l2; smaller is closer).
public struct SearchHit: Sendable, Equatable {
    /// The id the vector was inserted under.
    public var id: UInt64
    /// Distance to the query under the index's metric; smaller is closer.
    public var distance: Float
    /// A hit, for callers that build or merge result lists.
    public init(id: UInt64, distance: Float) {
        self.id = id
        self.distance = distance
    }
}
