/// How the answer service names its vectors and groups in the core.
///
/// An article's group id is its store key, and so is the id of its own vector;
/// a learned alias lives in a separate id range (``aliasBase`` + alias key) in
/// the article's group, with the reserved tag `alias` (docs/PROTOCOL.md §7.10).
enum VectorIDs {
    /// The first alias vector id: far above any article key a store will reach.
    static let aliasBase: UInt64 = 1 << 48

    static func article(_ key: Int64) -> UInt64 { UInt64(key) }
    /// The reserved article id of the group of questions agents handled without any article.
    static let noArticleID = "_loopdesk:no-article"
    static func group(_ articleKey: Int64) -> UInt64 { UInt64(articleKey) }
    static func alias(_ key: Int64) -> UInt64 { aliasBase + UInt64(key) }
    static func articleKey(group: UInt64) -> Int64 { Int64(group) }

    /// The core's tag rules: 1–255 bytes, at most 64 per item.
    static func coreTags(_ tags: [String]) -> [String] {
        var out: [String] = []
        for tag in tags where !tag.isEmpty && tag != "alias" && out.count < 64 {
            out.append(tag.utf8.count <= 255 ? tag : String(decoding: tag.utf8.prefix(255), as: UTF8.self))
        }
        return out
    }
}
