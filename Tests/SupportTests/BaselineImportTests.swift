import Foundation
@testable import Support
import XCTest

/// The roll-out's baseline (`loopdesk baseline import`, Rollout/BaselineBuilder.swift): each
/// helpdesk's ticket metrics, the per-topic counts and medians, and how tickets find a topic.
final class BaselineImportTests: XCTestCase {
    static let csv = """
        id,subject,question,status,tags,created_at,first_reply_at,solved_at,reopens,csat
        1,Password,how do I reset my password,solved,account,2024-11-01T10:00:00Z,2024-11-01T10:10:00Z,2024-11-01T11:00:00Z,0,5
        2,Password again,I forgot my password,solved,topic:Account,2024-11-02T10:00:00Z,2024-11-02T10:30:00Z,2024-11-02T13:00:00Z,1,2
        3,Login,cannot log in,open,account,2024-11-03T10:00:00Z,2024-11-03T12:00:00Z,,,
        4,Refund,I want my money back for the double charge,closed,,2024-11-04T10:00:00Z,,2024-11-05T10:00:00Z,0,4
        """

    func testCSVMetricsAreReadAndCheckedPerRow() throws {
        let tickets = try HelpdeskExports.parse(Data(Self.csv.utf8), format: .csv)
        XCTAssertEqual(tickets.count, 4)
        XCTAssertEqual(tickets[0].metrics, TicketMetrics(firstReplySeconds: 600, resolutionSeconds: 3600, reopens: 0, satisfied: true))
        XCTAssertEqual(tickets[1].metrics.reopens, 1)
        XCTAssertEqual(tickets[1].metrics.satisfied, false)
        XCTAssertEqual(tickets[2].metrics, TicketMetrics(firstReplySeconds: 7200))
        let bad = "id,subject,question,status,csat\n1,s,q,solved,9\n"
        XCTAssertThrowsError(try HelpdeskExports.parse(Data(bad.utf8), format: .csv)) { error in
            XCTAssertEqual(error as? SupportError, .invalidRequest("csv export line 2: csat \"9\" is not 1–5"))
        }
        let noStart = "id,subject,question,status,solved_at\n1,s,q,solved,2024-11-01T10:00:00Z\n"
        XCTAssertThrowsError(try HelpdeskExports.parse(Data(noStart.utf8), format: .csv)) { error in
            XCTAssertEqual(error as? SupportError, .invalidRequest("csv export line 2: solved_at needs created_at"))
        }
    }

    func testEachHelpdeskKeepsItsMetricsWhereItsAPIPutsThem() throws {
        let zendesk = """
            {"tickets": [{"id": 7, "requester_id": 1, "status": "solved", "description": "reset my password",
              "satisfaction_rating": {"score": "good"},
              "metric_set": {"reopens": 2, "reply_time_in_minutes": {"calendar": 15, "business": 5},
                             "full_resolution_time_in_minutes": {"calendar": 120, "business": 60}}}]}
            """
        XCTAssertEqual(try HelpdeskExports.parse(Data(zendesk.utf8), format: .zendesk).first?.metrics,
                       TicketMetrics(firstReplySeconds: 900, resolutionSeconds: 7200, reopens: 2, satisfied: true))
        let freshdesk = """
            [{"id": 8, "status": 4, "description_text": "reset my password", "created_at": "2024-11-01T10:00:00Z",
              "stats": {"first_responded_at": "2024-11-01T10:05:00Z", "resolved_at": "2024-11-01T12:00:00Z", "reopened_at": null},
              "satisfaction_rating": {"ratings": {"default_question": -102}}}]
            """
        XCTAssertEqual(try HelpdeskExports.parse(Data(freshdesk.utf8), format: .freshdesk).first?.metrics,
                       TicketMetrics(firstReplySeconds: 300, resolutionSeconds: 7200, reopens: 0, satisfied: false))
        let intercom = """
            {"conversations": [{"id": "9", "state": "closed", "created_at": 1730455200, "source": {"body": "<p>reset my password</p>"},
              "statistics": {"first_admin_reply_at": 1730455260, "last_close_at": 1730458800, "count_reopens": 1},
              "conversation_rating": {"rating": 4}}]}
            """
        XCTAssertEqual(try HelpdeskExports.parse(Data(intercom.utf8), format: .intercom).first?.metrics,
                       TicketMetrics(firstReplySeconds: 60, resolutionSeconds: 3600, reopens: 1, satisfied: true))
    }

    func testTheBuilderCountsResolutionsReopensRatingsAndMedians() throws {
        var builder = BaselineBuilder()
        for ticket in try HelpdeskExports.parse(Data(Self.csv.utf8), format: .csv) { try builder.add(ticket, topic: "account") }
        let topic = try XCTUnwrap(builder.baseline(source: "csv", importedAt: Date()).topics.first)
        XCTAssertEqual(topic.tickets, 4)
        XCTAssertEqual(topic.solved, 3, "solved and closed; the open one is not")
        XCTAssertEqual(topic.resolved, 2, "solved and never reopened")
        XCTAssertEqual(topic.reopened, 1)
        XCTAssertEqual(topic.resolution, RolloutRate(2, of: 4))
        XCTAssertEqual(topic.reopen, RolloutRate(1, of: 3))
        XCTAssertEqual(topic.csat, RolloutRate(2, of: 3))
        XCTAssertEqual(topic.medianFirstReplySeconds, 1800, "600, 1 800 and 7 200 s")
        XCTAssertEqual(topic.medianResolutionSeconds, 3 * 3600, "1 h, 3 h and 24 h")
    }

    func testTicketsGoToTheTopicTheirTagNamesElseToTheirNearestArticlesAndTheBaselineIsStored() async throws {
        let harness = try SupportHarness()
        let service = try await harness.service()
        try await service.upsertArticles(SupportHarness.articles)
        let tickets = try HelpdeskExports.parse(Data(Self.csv.utf8), format: .csv)
        let summary = try await service.importBaseline(tickets, source: "csv")
        XCTAssertEqual(summary.tickets, 4)
        XCTAssertEqual(summary.mappedByTag, 3, "account and topic:Account name the topic account")
        XCTAssertEqual(summary.mappedByNearestArticle, 1, "the untagged refund ticket")
        let stored = try XCTUnwrap(try service.store.rolloutBaseline())
        XCTAssertEqual(stored.topics, summary.baseline.topics)
        XCTAssertEqual(stored.importedAt.timeIntervalSince1970, summary.baseline.importedAt.timeIntervalSince1970, accuracy: 0.001)
        XCTAssertEqual(stored.source, "csv")
        XCTAssertEqual(stored.firstTicketAt, try Date("2024-11-01T10:00:00Z", strategy: .iso8601))
        XCTAssertEqual(stored.topics.first { $0.topic == "account" }?.tickets, 3)
        XCTAssertEqual(stored.topics.first { $0.topic == "billing" }?.tickets, 1, "a refund question is nearest a billing article")

        // A second import replaces the first.
        _ = try await service.importBaseline(Array(tickets.prefix(1)), source: "csv")
        XCTAssertEqual(try service.store.rolloutBaseline()?.topics.map(\.tickets), [1])
        XCTAssertEqual(try service.rolloutReport().baseline?.topics.count, 1, "the report carries the stored baseline")
        await service.close()
    }
}
