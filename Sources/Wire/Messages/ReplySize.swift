/// The largest payload a reply can have, computed from the request before
/// any of it is executed: what a server compares with its reply limit
/// (`docs/PROTOCOL.md` §11) so that no request can make it build, hold or
/// send more than that.
///
/// Every bound is exact for the fixed part of a layout and saturates at
/// `Int.max` instead of overflowing, whatever numbers the request carries.
public enum ReplySize {
    /// `a × b`, or `Int.max` when that does not fit (or either is negative).
    @inlinable
    public static func product(_ a: Int, _ b: Int) -> Int {
        guard a >= 0, b >= 0 else { return .max }
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : value
    }

    /// `a + b`, or `Int.max` when that does not fit.
    @inlinable
    public static func sum(_ a: Int, _ b: Int) -> Int {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : value
    }
}

extension SearchResponse {
    /// The largest `SEARCH` reply for `queryCount` queries of `k` results:
    /// `u32 queryCount` and, per query, `u32 n`, `u64[n]` ids and `f32[n]`
    /// distances with `n = k` (every query finds k matches).
    public static func maxPayloadSize(queryCount: Int, k: Int) -> Int {
        let perQuery = ReplySize.sum(4, ReplySize.product(k, 12))
        return ReplySize.sum(4, ReplySize.product(queryCount, perQuery))
    }
}

extension GetResponse {
    /// The part of a `GET` reply that does not depend on the items' tags:
    /// the batch header and, per item, id, vector, group and tag count
    /// (every id found). The tags add `2 + length` bytes each.
    public static func fixedPayloadSize(count: Int, dimension: Int) -> Int {
        let perItem = ReplySize.sum(8 + 8 + 1, ReplySize.product(dimension, 4))
        return ReplySize.sum(12, ReplySize.product(count, perItem))
    }

    /// The bytes one item's tag list adds beyond its count byte.
    public static func tagBytes(_ tags: [String]) -> Int {
        tags.reduce(0) { $0 + 2 + $1.utf8.count }
    }
}

extension RankResponse {
    /// The largest `RANK` reply of `groups` groups carrying `featureNames`
    /// (empty when features were not asked for).
    public static func maxPayloadSize(groups: Int, featureNames: [String]) -> Int {
        let names = featureNames.reduce(0) { $0 + 2 + $1.utf8.count }
        let perGroup = ReplySize.sum(52, ReplySize.product(featureNames.count, 4))
        return ReplySize.sum(8 + 1 + 1 + 4 + names, ReplySize.product(groups, perGroup))
    }
}
