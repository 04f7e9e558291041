import Foundation
import LoopdeskTestSupport
import XCTest
@testable import Support

/// See and undo what was learned, against a real core: every learned item is listed with its
/// evidence; undoing an alias takes it out of the vote and its credit back; undoing an agent's
/// article archives it; an archived article's aliases stop voting; review mode keeps agents'
/// replies as drafts that are never cited until published.
final class LearnedUndoTests: XCTestCase {
    private var harness: SupportHarness!
    private var service: SupportService!

    override func setUp() async throws {
        harness = try SupportHarness()
    }

    override func tearDown() async throws {
        await service?.close()
        service = nil
        harness = nil
    }

    /// A service that answers every question (threshold 0), or escalates every one (1).
    private func open(threshold: Double, review: Bool = false) async throws {
        service = try await harness.service { configuration in
            configuration.policy.fixedThreshold = threshold
            if review { configuration.agentArticles = .review }
        }
        try await service.upsertArticles(SupportHarness.articles)
    }

    private func key(_ articleID: String) throws -> Int64 { try XCTUnwrap(try service.store.article(id: articleID)).key }

    func testUndoingAResolutionsAliasTakesItOutOfTheVoteAndTheCreditBack() async throws {
        try await open(threshold: 0)
        let asked = try await service.ask(AskRequest(text: "I want to stop paying for the plan"))
        XCTAssertEqual(asked.decision, .answer)
        let cited = try XCTUnwrap(asked.article)
        _ = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .resolved, eventID: "evt-7"))
        let item = try XCTUnwrap(try service.learnedItems(kind: .alias).first)
        XCTAssertEqual(item.origin, .resolved)
        XCTAssertEqual(item.status, "active")
        XCTAssertEqual(item.article.id, cited.id)
        XCTAssertEqual(item.question, "I want to stop paying for the plan")
        XCTAssertEqual(item.evidence?.impressionID, asked.impressionID)
        XCTAssertEqual(item.evidence?.eventID, "evt-7")
        let aliasKey = try XCTUnwrap(LearnedItem.parse(item.id)).key
        XCTAssertNotNil(service.aliasDirectory.group(ofVector: VectorIDs.alias(aliasKey)))
        let feedbackBefore = try await harness.feedbackCount()

        let undone = try await service.undoLearned(id: item.id)
        XCTAssertEqual(undone.status, "undone")
        XCTAssertNil(service.aliasDirectory.group(ofVector: VectorIDs.alias(aliasKey)), "out of the neighbour vote at once")
        XCTAssertEqual(try service.store.aliasCount(articleKey: key(cited.id)), 0)
        let answer = try XCTUnwrap(try service.store.answer(key: XCTUnwrap(AnswerRecord.key(fromImpressionID: asked.impressionID))))
        XCTAssertEqual(answer.outcome, .reopened, "the credit is taken back as a reopen would")
        XCTAssertEqual(answer.topWasRight, false)
        let feedbackAfter = try await harness.feedbackCount()
        XCTAssertEqual(feedbackAfter, feedbackBefore + 1, "the ranker hears reopened")
        let hits = try await service.core.run { client in
            try await client.search(collection: "kb", query: answer.vector, k: 50)
        }
        XCTAssertFalse(hits.ids.contains(VectorIDs.alias(aliasKey)), "the alias's vector left the core")

        do {
            _ = try await service.undoLearned(id: item.id)
            XCTFail("a second undo must be refused")
        } catch let error as SupportError {
            XCTAssertEqual(error.code, "already_undone")
        }
        do {
            _ = try await service.undoLearned(id: "article-\(try key("export-data"))")
            XCTFail("a knowledge-base article is not a learned item")
        } catch let error as SupportError {
            XCTAssertEqual(error.code, "unknown_learned_item")
        }
    }

    func testUndoingAnAgentsArticleArchivesItAndItIsNeverCitedAgain() async throws {
        try await open(threshold: 1)
        let question = "How do I change the language of the interface to German?"
        let asked = try await service.ask(AskRequest(text: question))
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .corrected,
                                                                      agentReply: "Open Settings, Preferences, Language, and pick Deutsch. The interface switches at once."))
        let created = try XCTUnwrap(outcome.createdArticle)
        let items = try service.learnedItems()
        let article = try XCTUnwrap(items.first { $0.kind == .article })
        XCTAssertEqual(article.article.id, created.id)
        XCTAssertEqual(article.origin, .agentReply)
        XCTAssertEqual(article.evidence?.outcome, "corrected")
        XCTAssertEqual(items.first { $0.kind == .alias }?.origin, .agentReply, "the question became the new article's alias")
        let before = try await service.ask(AskRequest(text: question))
        XCTAssertEqual(before.article?.id, created.id)

        let undone = try await service.undoLearned(id: article.id)
        XCTAssertEqual(undone.status, "archived")
        let after = try await service.ask(AskRequest(text: question))
        XCTAssertNotEqual(after.article?.id, created.id, "an archived article is never cited")
        XCTAssertFalse(after.sources.contains { $0.id == created.id })
        XCTAssertEqual(try service.learnedItems(kind: .alias).first?.status, "archived", "its alias no longer votes")
    }

    func testAnArchivedArticlesAliasesStopVotingAndComeBackWhenPublished() async throws {
        try await open(threshold: 0)
        let asked = try await service.ask(AskRequest(text: "Export your data as CSV"))
        XCTAssertEqual(asked.article?.id, "export-data")
        _ = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .resolved))
        let alias = try XCTUnwrap(try service.store.activeAliases(articleKey: key("export-data")).first)
        XCTAssertNotNil(service.aliasDirectory.group(ofVector: VectorIDs.alias(alias.key)))

        let archived = try await service.archiveArticle(id: "export-data")
        XCTAssertEqual(archived.status, .archived)
        XCTAssertNil(service.aliasDirectory.group(ofVector: VectorIDs.alias(alias.key)), "an archived article's aliases do not vote")
        let unanswered = try await service.ask(AskRequest(text: "Export your data as CSV"))
        XCTAssertNotEqual(unanswered.article?.id, "export-data")
        XCTAssertEqual(try AliasDirectory(store: service.store).group(ofVector: VectorIDs.alias(alias.key)), nil,
                       "nor after a restart")

        _ = try await service.publishArticle(id: "export-data")
        XCTAssertEqual(service.aliasDirectory.group(ofVector: VectorIDs.alias(alias.key)), VectorIDs.group(alias.articleKey))
        let again = try await service.ask(AskRequest(text: "Export your data as CSV"))
        XCTAssertEqual(again.article?.id, "export-data")
    }

    func testAnEditIsANewVersionAndAStatusMove() async throws {
        try await open(threshold: 0)
        let edited = try await service.updateArticle(id: "export-data", ArticlePatch(body: "Under Settings, Data, press Export to get a ZIP of CSV files."))
        XCTAssertEqual(edited.version, 2)
        XCTAssertEqual(edited.title, "Export your data", "fields not given stay")
        let asked = try await service.ask(AskRequest(text: "how do I get a ZIP of my CSV files"))
        XCTAssertTrue(asked.sources.contains { $0.id == "export-data" })
        let moved = try await service.updateArticle(id: "export-data", ArticlePatch(status: .archived))
        XCTAssertEqual(moved.status, .archived)
        do {
            _ = try await service.updateArticle(id: "export-data", ArticlePatch(title: "  "))
            XCTFail("an empty title is refused")
        } catch let error as SupportError {
            XCTAssertEqual(error.code, "invalid_article")
        }
        do {
            _ = try await service.updateArticle(id: VectorIDs.noArticleID, ArticlePatch(status: .published))
            XCTFail("the service's internal group is out of reach")
        } catch let error as SupportError {
            XCTAssertEqual(error.code, "unknown_article")
        }
    }

    func testInReviewModeAnAgentsReplyIsADraftThatIsNeverCitedUntilPublished() async throws {
        try await open(threshold: 0, review: true)
        let question = "How do I change the language of the interface to German?"
        let asked = try await service.ask(AskRequest(text: question))
        let outcome = try await service.recordOutcome(OutcomeRequest(impressionID: asked.impressionID, outcome: .corrected,
                                                                      agentReply: "Open Settings, Preferences, Language, and pick Deutsch. The interface switches at once."))
        let created = try XCTUnwrap(outcome.createdArticle)
        XCTAssertEqual(try service.store.article(id: created.id)?.status, .draft)
        XCTAssertEqual(try service.store.listArticles(status: .draft, limit: 10, offset: 0).map(\.id), [created.id], "the review queue")
        let draftAsked = try await service.ask(AskRequest(text: question))
        XCTAssertNotEqual(draftAsked.article?.id, created.id, "a draft is never cited")
        XCTAssertFalse(draftAsked.sources.contains { $0.id == created.id })

        _ = try await service.publishArticle(id: created.id)
        let published = try await service.ask(AskRequest(text: question))
        XCTAssertEqual(published.article?.id, created.id, "cited once published")
        XCTAssertTrue(try service.store.listArticles(status: .draft, limit: 10, offset: 0).isEmpty)
    }
}
