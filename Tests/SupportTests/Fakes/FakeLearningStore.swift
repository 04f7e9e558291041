import Foundation
@testable import Support

/// An in-memory ``LearningStore`` that keeps only aliases, pages them the way the
/// SQLite store does (key order, above a key, at most a limit) and records every
/// page asked for; it can be told to fail a read. For units that read aliases
/// without the rest of a store (``AliasDirectory``, ``NeighbourVote``).
final class FakeLearningStore: LearningStore, @unchecked Sendable {
    /// The error a failing read throws.
    struct ReadFailure: Error, Equatable {}

    private let lock = NSLock()
    private var aliases: [AliasRecord] = []
    private var pages: [Int64] = []
    private var failAfterPages: Int?

    /// A store holding `aliases` (active or not), each an alias key with its article key.
    init(aliases: [(key: Int64, article: Int64, active: Bool)] = []) {
        let records = aliases.map { alias in
            AliasRecord(key: alias.key, articleKey: alias.article, answerKey: nil, question: "question \(alias.key)", vector: [1, 0],
                        active: alias.active, createdAt: Date(timeIntervalSince1970: 0))
        }
        self.aliases = records.sorted { $0.key < $1.key }
    }

    /// The `after` key of every page read so far, in order.
    var pagesRead: [Int64] { lock.withLock { pages } }

    /// Makes reads fail once `pages` pages were served.
    func failReads(afterPages count: Int) { lock.withLock { failAfterPages = count } }

    func activeAliases(after key: Int64, limit: Int) throws -> [AliasRecord] {
        try lock.withLock {
            if let failAfterPages, pages.count >= failAfterPages { throw ReadFailure() }
            pages.append(key)
            return Array(aliases.filter { $0.active && $0.key > key }.prefix(limit))
        }
    }

    func activeAliases(articleKey: Int64) throws -> [AliasRecord] {
        lock.withLock { aliases.filter { $0.active && $0.articleKey == articleKey } }
    }

    /// Learned items are not what this fake's units read: none.
    func learnedItems(kind: LearnedItem.Kind?, since: Date?, limit: Int) throws -> [LearnedItem] { [] }

    func learnedItem(kind: LearnedItem.Kind, key: Int64) throws -> LearnedItem? { nil }

    func alias(key: Int64) throws -> AliasRecord? { lock.withLock { aliases.first { $0.key == key } } }

    func aliasCount(articleKey: Int64?) throws -> Int {
        lock.withLock { aliases.filter { $0.active && (articleKey == nil || $0.articleKey == articleKey) }.count }
    }

    func hasEvent(id: String) throws -> Bool { false }

    func outcomes(answerKey: Int64) throws -> [OutcomeEventRecord] { [] }
}
