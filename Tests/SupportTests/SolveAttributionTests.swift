import Embedding
import Foundation
import XCTest
@testable import Support

/// ``SolveAttribution``: when an agent's solve of an escalated question shows the suggested
/// article was used — a named article first, then the agent's reply against the suggested passage.
final class SolveAttributionTests: XCTestCase {
    private let embedder = HashedEmbedder()

    private func article(_ key: Int64, _ id: String, _ title: String, _ body: String) -> Article {
        Article(key: key, id: id, title: title, body: body, tags: [], status: .published, version: 1, origin: .knowledgeBase,
                createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    }

    private var refund: Article {
        article(1, "refund", "Get a refund", "Refunds go back to the card you paid with within 5 to 10 business days.\n\nOpen Billing, then Invoices, and press Request refund.")
    }
    private var password: Article {
        article(2, "reset-password", "Reset your password", "Open Settings, choose Security and press Reset password. We email you a link that works for one hour.")
    }

    func testANamedArticleDecidesWhateverTheReplySays() {
        let named = SolveAttribution.attribute(suggested: refund, named: refund, reply: "something unrelated about passwords",
                                               question: "where is my refund", embedder: embedder)
        XCTAssertEqual(named, .namedSuggestion)
        XCTAssertEqual(named.evidenceName, "article_id")
        let other = SolveAttribution.attribute(suggested: refund, named: password, reply: nil, question: "where is my refund",
                                               embedder: embedder)
        XCTAssertEqual(other, .namedOther(password))
    }

    func testAReplySayingWhatTheSuggestedPassageSaysCountsAsUsingIt() {
        let reply = "Hi, refunds go back to the card you paid with within 5 to 10 business days. Open Billing, then Invoices, and press Request refund."
        let result = SolveAttribution.attribute(suggested: refund, named: nil, reply: reply, question: "where is my refund",
                                                embedder: embedder)
        guard case let .replyMatches(similarity) = result else { return XCTFail("expected a match, got \(result)") }
        XCTAssertGreaterThanOrEqual(similarity, SolveAttribution.replySimilarityThreshold)
        XCTAssertEqual(result.evidenceName, "agent_reply")
    }

    func testAReplyAboutSomethingElseIsNoEvidence() {
        let reply = "I reset the password for you: open Settings, Security, Reset password and use the emailed link within an hour."
        let result = SolveAttribution.attribute(suggested: refund, named: nil, reply: reply, question: "where is my refund",
                                                embedder: embedder)
        guard case let .notUsed(similarity) = result else { return XCTFail("expected not used, got \(result)") }
        XCTAssertLessThan(try XCTUnwrap(similarity), SolveAttribution.replySimilarityThreshold)
        XCTAssertNil(result.evidenceName)
    }

    func testNoReplyOrNoSuggestionIsNoEvidence() {
        XCTAssertEqual(SolveAttribution.attribute(suggested: refund, named: nil, reply: nil, question: "refund?", embedder: embedder),
                       .notUsed(similarity: nil))
        XCTAssertEqual(SolveAttribution.attribute(suggested: refund, named: nil, reply: "  \n ", question: "refund?", embedder: embedder),
                       .notUsed(similarity: nil))
        XCTAssertEqual(SolveAttribution.attribute(suggested: nil, named: nil, reply: "Refunds take 5 to 10 days.", question: "refund?",
                                                  embedder: embedder),
                       .notUsed(similarity: nil))
    }

    func testAnotherParagraphOfTheSuggestedArticleCountsToo() {
        // The passage for this question is the first paragraph; the agent pasted the second.
        let similarity = SolveAttribution.replySimilarity(reply: "Open Billing, then Invoices, and press Request refund.",
                                                          question: "how long does a refund take to reach my card", article: refund,
                                                          embedder: embedder)
        let passageOnly = embedder.embed([PassageExtractor.passage(for: "how long does a refund take to reach my card", in: refund),
                                          "Open Billing, then Invoices, and press Request refund."])
        let toPassage = zip(passageOnly[0], passageOnly[1]).map { $0 * $1 }.reduce(0, +)
        XCTAssertGreaterThan(similarity, toPassage, "the whole article is compared as well as the passage")
    }
}
