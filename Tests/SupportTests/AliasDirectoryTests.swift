import Foundation
import LoopdeskTestSupport
@testable import Support
import XCTest

/// AliasDirectory.swift: which group each alias vector stands for, as loaded from the store and kept current.
final class AliasDirectoryTests: XCTestCase {
    func testAnArticlesOwnVectorIsItsGroupWithoutAnyAlias() throws {
        let directory = try AliasDirectory(store: FakeLearningStore())
        XCTAssertEqual(directory.group(ofVector: 42), 42)
        XCTAssertEqual(directory.group(ofVector: VectorIDs.aliasBase - 1), VectorIDs.aliasBase - 1, "the last id below the alias range")
        XCTAssertNil(directory.group(ofVector: VectorIDs.aliasBase), "the first alias id is an alias, and unknown")
    }

    func testActiveAliasesAreLoadedAndTakenBackOnesAreNot() throws {
        let directory = try AliasDirectory(store: FakeLearningStore(aliases: [(1, 10, true), (2, 10, false), (3, 11, true)]))
        XCTAssertEqual(directory.group(ofVector: VectorIDs.alias(1)), VectorIDs.group(10))
        XCTAssertNil(directory.group(ofVector: VectorIDs.alias(2)))
        XCTAssertEqual(directory.group(ofVector: VectorIDs.alias(3)), VectorIDs.group(11))
    }

    func testTheSQLiteStoresAliasesAreLoadedWithoutTheTakenBackOnes() throws {
        let directory = try TemporaryDirectory(prefix: "ldalias")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("aliases.sqlite"))
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let (refund, kept, takenBack) = try store.write { w -> (Int64, Int64, Int64) in
            let articles = try w.upsertArticles([ArticleInput(id: "refund", title: "Refunds", body: "Within 30 days.")], origin: .knowledgeBase, status: .published, evidence: nil, at: now)
            let refund = try XCTUnwrap(articles.first).article.key
            let kept = try w.insertAlias(articleKey: refund, answerKey: nil, question: "money back", vector: [1, 0], origin: .resolved,
                                         evidence: nil, context: [], at: now)
            let takenBack = try w.insertAlias(articleKey: refund, answerKey: nil, question: "reopened", vector: [0, 1], origin: .resolved,
                                              evidence: nil, context: [], at: now)
            try w.endAlias(key: takenBack, reason: .reopened, at: now)
            return (refund, kept, takenBack)
        }
        let aliases = try AliasDirectory(store: store)
        XCTAssertEqual(aliases.group(ofVector: VectorIDs.alias(kept)), VectorIDs.group(refund))
        XCTAssertNil(aliases.group(ofVector: VectorIDs.alias(takenBack)), "a reopen took it back")
        XCTAssertEqual(aliases.group(ofVector: VectorIDs.article(refund)), VectorIDs.group(refund))
    }

    func testEveryPageOfAliasesIsRead() throws {
        // 4096 a page: 10,000 aliases take three full reads and one that comes back empty.
        let store = FakeLearningStore(aliases: (1...10_000).map { (Int64($0), Int64($0 % 50 + 1), true) })
        let directory = try AliasDirectory(store: store)
        XCTAssertEqual(store.pagesRead, [0, 4096, 8192, 10_000], "each page starts after the last key of the one before")
        for key: Int64 in [1, 4096, 4097, 8192, 8193, 10_000] {
            XCTAssertEqual(directory.group(ofVector: VectorIDs.alias(key)), VectorIDs.group(key % 50 + 1), "alias \(key)")
        }
        XCTAssertNil(directory.group(ofVector: VectorIDs.alias(10_001)))
    }

    func testPagingFollowsKeysNotCountsWhenKeysHaveGaps() throws {
        let store = FakeLearningStore(aliases: (1...5000).map { (Int64($0 * 3), 1, $0 % 2 == 0) })
        let directory = try AliasDirectory(store: store)
        XCTAssertEqual(store.pagesRead, [0, 15_000], "2,500 active aliases fit one page; their last key is 15,000")
        XCTAssertEqual(directory.group(ofVector: VectorIDs.alias(15_000)), 1)
        XCTAssertNil(directory.group(ofVector: VectorIDs.alias(14_997)), "inactive")
    }

    func testAFailedReadFailsTheDirectoryRatherThanLeavingItHalfLoaded() throws {
        let store = FakeLearningStore(aliases: (1...5000).map { (Int64($0), 1, true) })
        store.failReads(afterPages: 1)
        XCTAssertThrowsError(try AliasDirectory(store: store)) { error in
            XCTAssertEqual(error as? FakeLearningStore.ReadFailure, FakeLearningStore.ReadFailure())
        }
    }

    func testAddedAndRemovedAliasesAreSeenAtOnce() throws {
        let directory = try AliasDirectory(store: FakeLearningStore(aliases: [(1, 10, true)]))
        directory.add(alias: 2, article: 12, context: [])
        XCTAssertEqual(directory.group(ofVector: VectorIDs.alias(2)), VectorIDs.group(12))
        directory.add(alias: 1, article: 13, context: [])
        XCTAssertEqual(directory.group(ofVector: VectorIDs.alias(1)), VectorIDs.group(13), "an alias moved to another article")
        directory.remove(alias: 1)
        XCTAssertNil(directory.group(ofVector: VectorIDs.alias(1)))
        directory.remove(alias: 77)
        XCTAssertEqual(directory.group(ofVector: VectorIDs.alias(2)), VectorIDs.group(12), "removing an unknown alias changes nothing")
    }

    func testConcurrentChangesAndLookupsStayConsistent() async throws {
        let directory = try AliasDirectory(store: FakeLearningStore())
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in 0..<500 {
                        let key = Int64(worker * 1000 + i)
                        directory.add(alias: key, article: key % 7 + 1, context: [])
                        _ = directory.group(ofVector: VectorIDs.alias(key))
                        if i % 2 == 1 { directory.remove(alias: key) }
                    }
                }
            }
        }
        for worker in 0..<4 {
            for i in 0..<500 {
                let key = Int64(worker * 1000 + i)
                XCTAssertEqual(directory.group(ofVector: VectorIDs.alias(key)), i % 2 == 1 ? nil : VectorIDs.group(key % 7 + 1))
            }
        }
    }
}
