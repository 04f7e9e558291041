import Foundation
@testable import Support
import XCTest

/// What every ``SupportStore`` must do, run against each store: `SQLiteStoreContractTests` and
/// `PostgresStoreContractTests` subclass this and provide ``makeStore()``; this class itself
/// runs nothing (its tests skip). The expectations are exact, so two stores passing them
/// answer alike; `PostgresStoreContractTests` also compares a whole workload's reads with SQLite's.
class StoreContractTests: XCTestCase {
    /// The store of the running test, fresh and empty.
    var store: (any SupportStore)!

    /// A fresh, empty store; subclasses override (and release it in ``releaseStore()``).
    func makeStore() throws -> any SupportStore {
        throw XCTSkip("StoreContractTests is abstract: its subclasses run it against each store")
    }

    /// Releases what ``makeStore()`` made.
    func releaseStore() {}

    override func setUpWithError() throws {
        store = try makeStore()
    }

    override func tearDown() {
        store = nil
        releaseStore()
    }

    typealias F = StoreFixtures

    // MARK: Knowledge

    func testArticlesUpsertVersionsAndLists() throws {
        let created = try F.articles(store, ["a1", "a2", "a3"])
        XCTAssertEqual(created.map(\.version), [1, 1, 1])
        XCTAssertEqual(Set(created.map(\.key)).count, 3)
        XCTAssertEqual(try store.article(id: "a2"), created[1])
        XCTAssertEqual(try store.article(key: created[2].key), created[2])
        XCTAssertNil(try store.article(id: "nope"))

        // Unchanged: left alone. Changed: a new version, the old one kept.
        let later = F.time(hours: 1)
        let again = try store.write { w in
            try w.upsertArticles([ArticleInput(id: "a1", title: "Title a1", body: "Body a1", tags: ["topic:billing"]),
                                  ArticleInput(id: "a2", title: "New title", body: "New body", tags: ["topic:billing", "x"])],
                                 origin: .agentReply, status: .published, evidence: nil, at: later)
        }
        XCTAssertEqual(again.map(\.changed), [false, true])
        XCTAssertEqual(again[1].article.version, 2)
        XCTAssertEqual(again[1].article.origin, .knowledgeBase, "an existing article keeps its origin")
        XCTAssertEqual(try store.article(id: "a2"), again[1].article)
        XCTAssertEqual(try store.articleVersions(key: created[1].key),
                       [ArticleVersion(version: 1, title: "Title a2", body: "Body a2", tags: ["topic:billing"], changedAt: F.monday)])
        XCTAssertEqual(try store.articleVersions(key: created[0].key), [])

        // Internal groups are never listed; archived ones only when asked.
        let internalGroup = try store.write { w in try w.internalArticle(id: "__escalated", title: "Handled", at: later) }
        XCTAssertEqual(internalGroup.status, .internal)
        XCTAssertEqual(try store.write { w in try w.internalArticle(id: "__escalated", title: "Other", at: later) }, internalGroup)
        let archived = try store.write { w in try w.setArticleStatus(id: "a3", to: .archived, at: later) }
        XCTAssertEqual(archived?.previous, .published)
        XCTAssertEqual(archived?.article.status, .archived)
        XCTAssertNil(try store.write { w in try w.setArticleStatus(id: "__escalated", to: .published, at: later) })
        XCTAssertNil(try store.write { w in try w.setArticleStatus(id: "nope", to: .published, at: later) })

        XCTAssertEqual(try store.listArticles(limit: 10, offset: 0, includeArchived: false).map(\.id), ["a1", "a2"])
        XCTAssertEqual(try store.listArticles(limit: 10, offset: 0, includeArchived: true).map(\.id), ["a1", "a2", "a3"])
        XCTAssertEqual(try store.listArticles(limit: 1, offset: 1, includeArchived: true).map(\.id), ["a2"])
        XCTAssertEqual(try store.listArticles(status: .archived, limit: 10, offset: 0).map(\.id), ["a3"])
        XCTAssertEqual(try store.listArticles(status: .internal, limit: 10, offset: 0).map(\.id), ["__escalated"])
        XCTAssertEqual(try store.articleCount(), 2)
        let byKey = try store.articles(keys: [created[0].key, created[2].key, 999])
        XCTAssertEqual(byKey.keys.sorted(), [created[0].key, created[2].key])
        XCTAssertEqual(byKey[created[2].key]?.status, .archived)
        XCTAssertEqual(try store.articles(keys: []), [:])
    }

    func testDraftArticleWithEvidenceIsLearned() throws {
        let evidence = LearningEvidence(impressionID: "imp_1", outcome: "corrected", eventID: "e1", source: "api", receivedAt: F.monday)
        let draft = try store.write { w in
            try w.upsertArticles([ArticleInput(id: "agent-1", title: "Agent reply", body: "Do this", tags: [])],
                                 origin: .agentReply, status: .draft, evidence: evidence, at: F.monday)
        }
        XCTAssertEqual(draft.first?.article.status, .draft)
        let items = try store.learnedItems(kind: .article, since: nil, limit: 10)
        XCTAssertEqual(items.count, 1)
        XCTAssertEqual(items.first?.evidence, evidence)
        XCTAssertEqual(items.first?.status, "draft")
        XCTAssertEqual(try store.learnedItem(kind: .article, key: draft[0].article.key), items.first)
        XCTAssertEqual(try store.listArticles(status: .draft, limit: 10, offset: 0).map(\.id), ["agent-1"])
    }

    // MARK: Conversations

    func testConversationsTurnsAndAnswers() throws {
        XCTAssertFalse(try store.conversationExists(id: "c1"))
        let first = try F.ask(store, F.answer(at: F.time(hours: 1)))
        let second = try F.ask(store, F.answer(question: "and my invoice?", topic: nil, article: nil, decision: .escalate,
                                               at: F.time(hours: 2)))
        let other = try F.ask(store, F.answer(conversation: "c2", at: F.time(hours: 3)))
        XCTAssertTrue(try store.conversationExists(id: "c1"))
        XCTAssertGreaterThan(second, first)

        var expected = F.answer(at: F.time(hours: 1))
        expected.key = first
        XCTAssertEqual(try store.answer(key: first), expected, "every column reads back as written (vector, groups, context, bit patterns)")
        XCTAssertNil(try store.answer(key: 999_999))
        XCTAssertEqual(try store.latestAnswers(conversationID: "c1", limit: 5).map(\.key), [second, first])
        XCTAssertEqual(try store.latestAnswer(conversationID: "c1")?.key, second)
        XCTAssertEqual(try store.latestAnswers(conversationID: "nope", limit: 5), [])
        XCTAssertEqual(try store.recentAnswers(limit: 2).map(\.key), [other, second])

        // A later turn with no context keeps the conversation's; one with context replaces it.
        try store.write { w in
            try w.appendTurns(conversationID: "c1", context: [:], turns: [
                ConversationTurn(role: .service, text: "Here is how", answerKey: first, createdAt: F.time(hours: 4)),
                ConversationTurn(role: .agent, text: "Done", answerKey: first, createdAt: F.time(hours: 5)),
            ])
        }
        XCTAssertTrue(try store.conversationExists(id: "c1"))

        // Outcome, judgement and alias updates; judged answers newest-judged first.
        try store.write { w in
            try w.updateAnswer(AnswerUpdate(answerKey: other, topWasRight: false))
            try w.updateAnswer(AnswerUpdate(answerKey: first, outcome: .resolved, topWasRight: true, aliasKey: .some(77)))
            try w.updateAnswer(AnswerUpdate(answerKey: second, topWasRight: true))
        }
        let updated = try XCTUnwrap(try store.answer(key: first))
        XCTAssertEqual(updated.outcome, .resolved)
        XCTAssertEqual(updated.topWasRight, true)
        XCTAssertEqual(updated.aliasKey, 77)
        let judged = try store.judgedAnswers(limit: 10)
        XCTAssertEqual(judged.map(\.right), [true, false], "the candidate-less answer is no evidence; newest judged first")
        XCTAssertEqual(judged.map(\.topic), ["billing", "billing"])
        XCTAssertEqual(judged.map(\.lower), [0.6, 0.6])
        try store.write { w in try w.updateAnswer(AnswerUpdate(answerKey: first, aliasKey: .some(nil))) }
        XCTAssertNil(try store.answer(key: first)?.aliasKey)
        XCTAssertEqual(try store.answer(key: first)?.outcome, .resolved, "an update changes only what it gives")
    }

    func testAnAskIsRecordedWholeInOneCall() throws {
        func turns(_ question: String, _ reply: String, hours: Double) -> (ConversationTurn, ConversationTurn) {
            (ConversationTurn(role: .customer, text: question, answerKey: nil, createdAt: F.time(hours: hours)),
             ConversationTurn(role: .service, text: reply, answerKey: 424_242, createdAt: F.time(hours: hours)))
        }
        let (ask1, reply1) = turns("how do I reset my password?", "Open Settings", hours: 1)
        let first = try store.recordAsked(F.answer(at: F.time(hours: 1)), context: ["plan": "pro"], customerTurn: ask1, serviceTurn: reply1)
        let (ask2, reply2) = turns("and my invoice?", "(escalated to an agent)", hours: 2)
        let second = try store.recordAsked(F.answer(question: "and my invoice?", article: nil, decision: .escalate, at: F.time(hours: 2)),
                                           context: [:], customerTurn: ask2, serviceTurn: reply2)
        XCTAssertGreaterThan(second, first)
        var expected = F.answer(at: F.time(hours: 1))
        expected.key = first
        XCTAssertEqual(try store.answer(key: first), expected, "every column and the vector read back as written")
        XCTAssertTrue(try store.conversationExists(id: "c1"))
        var cited1 = reply1, cited2 = reply2
        cited1.answerKey = first
        cited2.answerKey = second
        XCTAssertEqual(try store.conversationTurns(id: "c1"), [ask1, cited1, ask2, cited2],
                       "the customer's turn, then the service's citing the new answer, in order")
        XCTAssertEqual(try store.latestAnswers(conversationID: "c1", limit: 5).map(\.key), [second, first])
        XCTAssertEqual(try store.counters().asks, 2, "the counters see the asks")
        XCTAssertEqual(try store.conversationTurns(id: "never-opened"), [])
    }

    // MARK: Learning

    func testOutcomesAliasesAndLearnedItems() throws {
        let article = try F.articles(store, ["a1", "a2"])[0]
        let answer = try F.ask(store, F.answer(article: article.key))
        let evidence = LearningEvidence(impressionID: "imp_\(answer)", outcome: "resolved", eventID: "e1", source: "zendesk",
                                        attribution: "article_id", similarity: 0.75, receivedAt: F.time(hours: 1))
        let context = [ContextHash(key: "plan", value: "pro")]
        let alias = try store.write { w in
            try w.insertOutcome(F.outcome(answer, .resolved, event: "e1", at: F.time(hours: 1)))
            try w.insertOutcome(F.outcome(answer, .csat, event: "e2", csat: 5, at: F.time(hours: 2)))
            return try w.insertAlias(articleKey: article.key, answerKey: answer, question: "reset password", vector: [1, 2, 3],
                                     origin: .resolved, evidence: evidence, context: context, at: F.time(hours: 1))
        }
        XCTAssertTrue(try store.hasEvent(id: "e1"))
        XCTAssertFalse(try store.hasEvent(id: "e3"))
        XCTAssertEqual(try store.outcomes(answerKey: answer).map(\.kind), [.resolved, .csat])
        XCTAssertEqual(try store.outcomes(answerKey: answer).last, F.outcome(answer, .csat, event: "e2", csat: 5, at: F.time(hours: 2)))
        XCTAssertEqual(try store.topicTallies(since: F.monday, until: F.time(days: 1)).first?.tally.csatSum, 5,
                       "a csat outcome sets its answer's rating")

        let stored = try XCTUnwrap(try store.alias(key: alias))
        XCTAssertEqual(stored, AliasRecord(key: alias, articleKey: article.key, answerKey: answer, question: "reset password",
                                           vector: [1, 2, 3], active: true, createdAt: F.time(hours: 1), origin: .resolved,
                                           evidence: evidence, context: context))
        XCTAssertEqual(try store.write { w in try w.activeAlias(articleKey: article.key, question: "reset password") }, alias)
        XCTAssertNil(try store.write { w in try w.activeAlias(articleKey: article.key, question: "other words") })
        let imported = try store.write { w in
            try w.insertAlias(articleKey: article.key, answerKey: nil, question: "imported", vector: [4], origin: .ticketImport,
                              evidence: nil, context: [], at: F.time(hours: 2))
        }
        XCTAssertEqual(try store.activeAliases(after: 0, limit: 10).map(\.key), [alias, imported])
        XCTAssertEqual(try store.activeAliases(after: alias, limit: 10).map(\.key), [imported])
        XCTAssertEqual(try store.activeAliases(after: 0, limit: 1).map(\.key), [alias])
        XCTAssertEqual(try store.activeAliases(articleKey: article.key).map(\.key), [alias, imported])
        XCTAssertEqual(try store.aliasCount(articleKey: article.key), 2)
        XCTAssertEqual(try store.aliasCount(articleKey: nil), 2)

        // An archived article's aliases stay active but do not vote; an ended alias is evidence.
        _ = try store.write { w in try w.setArticleStatus(id: "a1", to: .archived, at: F.time(hours: 3)) }
        XCTAssertEqual(try store.activeAliases(after: 0, limit: 10), [])
        XCTAssertEqual(try store.activeAliases(articleKey: article.key).count, 2)
        try store.write { w in try w.endAlias(key: imported, reason: .undone, at: F.time(hours: 4)) }
        XCTAssertEqual(try store.alias(key: imported)?.active, false)
        XCTAssertEqual(try store.aliasCount(articleKey: nil), 1)
        XCTAssertNil(try store.alias(key: 999_999))

        let learned = try store.learnedItems(kind: nil, since: nil, limit: 10)
        XCTAssertEqual(learned.map(\.id), [LearnedItem.id(alias: imported), LearnedItem.id(alias: alias)])
        XCTAssertEqual(learned.map(\.status), ["undone", "archived"])
        XCTAssertEqual(learned.map(\.origin), [.ticketImport, .resolved])
        XCTAssertEqual(learned.last?.evidence, evidence)
        XCTAssertEqual(try store.learnedItems(kind: .alias, since: F.time(hours: 2), limit: 10).map(\.id), [LearnedItem.id(alias: imported)])
        XCTAssertEqual(try store.learnedItems(kind: nil, since: nil, limit: 1).count, 1)
        XCTAssertEqual(try store.learnedItem(kind: .alias, key: alias)?.article, ArticleReference(id: "a1", title: "Title a1"))
        XCTAssertNil(try store.learnedItem(kind: .article, key: article.key), "a knowledge-base article is not learned")
    }

    func testAnOutcomeEventIDIsRecordedOnce() throws {
        let answer = try F.ask(store, F.answer())
        try store.write { w in try w.insertOutcome(F.outcome(answer, .resolved, event: "dup")) }
        XCTAssertThrowsError(try store.write { w in
            try w.updateAnswer(AnswerUpdate(answerKey: answer, outcome: .reopened))
            try w.insertOutcome(F.outcome(answer, .reopened, event: "dup"))
        }, "a second outcome with the same event id is refused")
        XCTAssertEqual(try store.outcomes(answerKey: answer).map(\.kind), [.resolved])
        XCTAssertNil(try store.answer(key: answer)?.outcome, "the refused transaction wrote nothing")
        XCTAssertEqual(try store.counters().outcomes, [.resolved: 1])
        // Events without an id are never duplicates of each other.
        try store.write { w in
            try w.insertOutcome(F.outcome(answer, .csat, csat: 3))
            try w.insertOutcome(F.outcome(answer, .csat, csat: 4))
        }
        XCTAssertEqual(try store.outcomes(answerKey: answer).count, 3)
    }

    // MARK: Transactions and state

    func testAWriteThatThrowsLeavesNothing() throws {
        let before = try store.counters()
        XCTAssertThrowsError(try store.write { w -> Void in
            _ = try w.upsertArticles([ArticleInput(id: "a1", title: "T", body: "B")], origin: .knowledgeBase, status: .published,
                                     evidence: nil, at: F.monday)
            try w.appendTurns(conversationID: "c1", context: [:], turns: [])
            _ = try w.insertAnswer(F.answer())
            try w.enqueue([.delete(ids: [1, 2])])
            try w.setValue("7", forKey: "generation")
            try w.setTopicMode(topic: "billing", mode: .shadow, at: F.monday)
            throw F.Deliberate()
        }) { error in
            XCTAssertEqual(error as? F.Deliberate, F.Deliberate(), "the body's error comes out unchanged")
        }
        XCTAssertNil(try store.article(id: "a1"))
        XCTAssertFalse(try store.conversationExists(id: "c1"))
        XCTAssertEqual(try store.recentAnswers(limit: 10), [])
        XCTAssertEqual(try store.pendingOperationCount(), 0)
        XCTAssertEqual(try store.pendingOperations(limit: 10), [])
        XCTAssertNil(try store.value(forKey: "generation"))
        XCTAssertEqual(try store.topicModes(), [:])
        XCTAssertEqual(try store.counters(), before)
        // And the store goes on working.
        XCTAssertEqual(try F.articles(store, ["a1"]).first?.id, "a1")
    }

    func testAGapWriteThatThrowsLeavesNothing() throws {
        XCTAssertThrowsError(try store.gapWrite { w -> Void in
            _ = try w.insertGap(GapRecord(kind: .gap, count: 1, firstSeen: F.monday, lastSeen: F.monday, centroid: [1], confidenceSum: 0.2))
            _ = try w.enqueueWebhook(WebhookDelivery(eventID: "ev", kind: "gap.threshold", gapID: 1, payload: Data("{}".utf8),
                                                     nextAttemptAt: F.monday, createdAt: F.monday))
            throw F.Deliberate()
        })
        XCTAssertEqual(try store.gaps(kind: .gap, status: nil, limit: 10), [])
        XCTAssertEqual(try store.webhookDeliveries(limit: 10), [])
        XCTAssertEqual(try store.counters().openGaps.filter { $0.value != 0 }, [:])
    }

    func testServiceStateValues() throws {
        XCTAssertNil(try store.value(forKey: "generation"))
        try store.write { w in
            try w.setValue("1", forKey: "generation")
            try w.setValue("minilm", forKey: "embedder")
        }
        try store.write { w in try w.setValue("2", forKey: "generation") }
        XCTAssertEqual(try store.value(forKey: "generation"), "2")
        XCTAssertEqual(try store.value(forKey: "embedder"), "minilm")
        XCTAssertEqual(try store.write { w in 42 }, 42, "write returns what its body returns")
    }

    // MARK: Outbox

    func testOutboxEnqueuePendingAndAcknowledge() throws {
        let operations: [CoreOperation] = [
            .feedback(generation: 2, impression: UInt64.max, group: 7, outcome: 1, groupUsedInstead: nil, csat: 5),
            .upsert(ids: [1, 2], vectors: [0.5, -0.5, 1, 2], groups: [1, 1], tags: [["a"], []]),
            .delete(ids: [9]),
        ]
        try store.write { w in try w.enqueue(operations) }
        let pending = try store.pendingOperations(limit: 10)
        XCTAssertEqual(pending.map(\.operation), operations)
        XCTAssertEqual(pending.map(\.attempts), [0, 0, 0])
        XCTAssertEqual(pending.map(\.sequence), pending.map(\.sequence).sorted())
        XCTAssertEqual(try store.pendingOperationCount(), 3)
        XCTAssertEqual(try store.pendingOperations(limit: 2).map(\.operation), Array(operations.prefix(2)))

        try store.write { w in
            try w.failOperation(sequence: pending[0].sequence, error: "core down")
            try w.failOperation(sequence: pending[0].sequence, error: "core down again")
            try w.completeOperation(sequence: pending[1].sequence)
        }
        XCTAssertEqual(try store.pendingOperations(limit: 10).map(\.attempts), [2, 0])
        XCTAssertEqual(try store.pendingOperations(limit: 10).map(\.sequence), [pending[0].sequence, pending[2].sequence])
        XCTAssertEqual(try store.pendingOperationCount(), 2)
        XCTAssertEqual(try store.counters().outboxPending, 2)
        try store.write { w in
            try w.completeOperation(sequence: pending[0].sequence)
            try w.completeOperation(sequence: pending[2].sequence)
            try w.completeOperation(sequence: 999_999)   // unknown: nothing to remove
        }
        XCTAssertEqual(try store.pendingOperationCount(), 0)
        try store.write { w in try w.enqueue([.delete(ids: [1])]) }
        XCTAssertGreaterThan(try XCTUnwrap(try store.pendingOperations(limit: 1).first).sequence, pending[2].sequence,
                             "a sequence is never reused")
    }
}
