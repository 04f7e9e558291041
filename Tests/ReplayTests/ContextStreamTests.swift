import Foundation
@testable import Replay
import XCTest

/// ContextStream.swift: the stream in which the same words need different articles by context.
final class ContextStreamTests: XCTestCase {
    private let source: ReplayDataset = {
        var dataset = Fixtures.dataset(labels: 10, perLabel: 20)
        dataset.tickets.append(ReplayTicket(text: "something else entirely", label: ReplayDataset.outOfScopeLabel))
        return dataset
    }()

    func testHalfTheLabelsAreSplitByProductIntoTwinArticles() {
        let stream = ContextStream.apply(to: source, seed: 1)
        let split = source.articles.filter { article in stream.articles.contains { $0.label == ContextStream.label(article.label, "alpha") } }
        XCTAssertEqual(split.count, 5, "half of 10 labels")
        XCTAssertEqual(stream.articles.count, 15, "5 kept + 5 × 2 twins")
        for article in split {
            let alpha = stream.articles.first { $0.label == ContextStream.label(article.label, "alpha") }
            let beta = stream.articles.first { $0.label == ContextStream.label(article.label, "beta") }
            XCTAssertEqual(alpha?.id, article.id + "-alpha")
            XCTAssertEqual(alpha?.title, article.title + " (Alpha)")
            XCTAssertEqual(beta?.body, "For Beta accounts.\n" + article.body, "twins differ only in the product's name")
            XCTAssertFalse(stream.articles.contains { $0.label == article.label }, "a split label keeps no article of its own")
        }
    }

    func testEveryTicketCarriesAProductAndAPlanAndASplitLabelFollowsTheProduct() {
        let stream = ContextStream.apply(to: source, seed: 1)
        XCTAssertEqual(stream.tickets.map(\.text), source.tickets.map(\.text), "same texts in the same order")
        let articleLabels = Set(stream.articles.map(\.label))
        var products: [String: Int] = [:], plans: [String: Int] = [:]
        for (ticket, original) in zip(stream.tickets, source.tickets) {
            let product = try? XCTUnwrap(ticket.context?["product"])
            let plan = ticket.context?["plan"]
            XCTAssertNotNil(plan)
            products[product ?? "", default: 0] += 1
            plans[plan ?? "", default: 0] += 1
            if original.label == ReplayDataset.outOfScopeLabel {
                XCTAssertEqual(ticket.label, original.label, "out of scope stays out of scope")
            } else if ticket.label != original.label {
                XCTAssertEqual(ticket.label, ContextStream.label(original.label, product ?? ""), "a split label's ticket follows its product")
            }
            if ticket.isInScope { XCTAssertTrue(articleLabels.contains(ticket.label), "every in-scope ticket has its article") }
        }
        XCTAssertEqual(Set(products.keys), Set(ContextStream.products))
        XCTAssertEqual(Set(plans.keys), Set(ContextStream.plans))
        XCTAssertGreaterThan(products["alpha"] ?? 0, 70, "products are drawn evenly (201 tickets)")
        XCTAssertGreaterThan(products["beta"] ?? 0, 70)
    }

    func testTheSeedDecidesTheSplitAndTheContexts() {
        XCTAssertEqual(ContextStream.apply(to: source, seed: 1), ContextStream.apply(to: source, seed: 1))
        XCTAssertNotEqual(ContextStream.apply(to: source, seed: 1).tickets.map(\.context),
                          ContextStream.apply(to: source, seed: 2).tickets.map(\.context))
    }
}
