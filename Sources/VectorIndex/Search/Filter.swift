/// A predicate over a vector's tags, evaluated *during* graph traversal.
///
/// Tags are short strings (`tenant:acme`, `category:billing`). A filter keeps
/// a vector when it has every tag of `allOf` and, if `anyOf` is not empty,
/// at least one tag of `anyOf`.
public struct Filter: Sendable, Equatable, Hashable {
    /// Tags a vector must all carry (an unknown tag matches nothing).
    public var allOf: [String]
    /// Tags of which a vector must carry at least one; empty means no such constraint.
    public var anyOf: [String]

    /// A filter from its two tag lists; both empty accepts everything.
    public init(allOf: [String] = [], anyOf: [String] = []) {
        self.allOf = allOf
        self.anyOf = anyOf
    }

    /// True when the filter accepts every vector (a search then skips filtering altogether).
    public var isEmpty: Bool { allOf.isEmpty && anyOf.isEmpty }
}

/// A filter with its tags resolved to the index's interned tag ids.
struct CompiledFilter {
    /// Sorted tag ids that must all be present.
    var allOf: [UInt32]
    /// Tag ids of which one must be present (empty: no constraint).
    var anyOf: [UInt32]
    /// True when the filter can match nothing (an `allOf` tag the index has never seen).
    var matchesNothing: Bool

    /// Whether a node's `[count, sorted ids…]` tag list passes.
    @inline(__always)
    func accepts(_ tags: UnsafeMutablePointer<UInt32>?) -> Bool {
        guard let tags else { return allOf.isEmpty && anyOf.isEmpty }
        let n = Int(tags.pointee)
        let list = tags + 1
        for want in allOf {
            var found = false
            for i in 0..<n where list[i] == want {
                found = true
                break
            }
            if !found { return false }
        }
        if anyOf.isEmpty { return true }
        for want in anyOf {
            for i in 0..<n where list[i] == want { return true }
        }
        return false
    }
}
