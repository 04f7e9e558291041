/// One search result: the caller's id and its distance to the query
/// (`1 - cosine` or `1 - dot` for cosine/ip, squared Euclidean for l2; smaller is closer).
public struct SearchHit: Sendable, Equatable {
    public var id: UInt64
    public var distance: Float
    public init(id: UInt64, distance: Float) {
        self.id = id
        self.distance = distance
    }
}
