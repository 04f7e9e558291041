import Embedding
import Foundation
import XCTest
@testable import Support

/// Asks through the queue `loopdesk serve` puts in front of the embedder (``BatchingEmbedder``),
/// end to end against a real core: questions asked at once share forward passes, and each
/// ask still gets, stores and ranks with its own question's vector.
final class BatchedAskTests: XCTestCase {
    private var harness: SupportHarness!
    private var service: SupportService!
    private let plain = HashedEmbedder()
    private var batching: BatchingEmbedder!

    override func setUp() async throws {
        harness = try SupportHarness()
        batching = BatchingEmbedder(plain)
        service = try await harness.service(embedder: batching)
        try await service.upsertArticles(SupportHarness.articles)
    }

    override func tearDown() async throws {
        await service?.close()
        service = nil
        harness = nil
    }

    func testConcurrentAsksEachKeepTheirOwnQuestionsVectorAndAnswer() async throws {
        let questions = [
            "how do I reset my password", "why was my card declined", "cancel my subscription please",
            "export all my data as csv", "the password reset email never arrived", "my bank refused the charge",
            "stop my plan at the end of the period", "download a zip of my projects",
        ]
        let service = try XCTUnwrap(self.service)
        let together = try await withThrowingTaskGroup(of: (Int, AskResponse).self) { group in
            for (index, question) in questions.enumerated() {
                group.addTask { (index, try await service.ask(AskRequest(text: question, conversationID: "batched-\(index)"))) }
            }
            var responses: [Int: AskResponse] = [:]
            for try await (index, response) in group { responses[index] = response }
            return responses
        }
        XCTAssertEqual(batching.batchCounts.texts, questions.count, "every question went through the queue")
        for (index, question) in questions.enumerated() {
            let stored = try XCTUnwrap(try service.store.latestAnswers(conversationID: "batched-\(index)", limit: 1).first)
            XCTAssertEqual(stored.question, question)
            XCTAssertEqual(stored.vector, plain.embed(question), "\"\(question)\" was stored with another question's vector")
            // Asked again alone (a pass of its own), in a fresh conversation: the same article.
            let alone = try await service.ask(AskRequest(text: question))
            XCTAssertEqual(together[index]?.article?.id, alone.article?.id, "\"\(question)\" ranked differently when batched")
        }
    }
}
