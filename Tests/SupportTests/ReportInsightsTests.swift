import Foundation
import LoopdeskTestSupport
import XCTest
@testable import Support

/// Insights.swift and FeatureRequestDetector.swift.
final class ReportInsightsTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var store: SQLiteStore!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "ldinsights")
        store = try SQLiteStore(path: directory.file("i.sqlite"))
    }

    override func tearDownWithError() throws {
        store = nil
        directory.remove()
    }

    private func insights(at iso: String) -> Insights {
        Insights(store: store, clock: SimulatedClock(start: ReportTests.date(iso)))
    }

    /// `count` questions on `topic` on day `day` of March 2025.
    private func ask(_ topic: String, day: Int, count: Int, question: String = "q") throws {
        for i in 0..<count {
            try ReportTests.add(store, String(format: "2025-03-%02dT%02d:%02d:00Z", day, 8 + i / 60, i % 60), topic: topic, .escalate,
                                question: question)
        }
    }

    func testDailySpikeAgainstTheTopicsOwnBaseline() throws {
        // Two weeks of history: billing 2–4 a day, login a steady 10 a day.
        for day in 1...14 {
            try ask("billing", day: day, count: 2 + day % 3)
            try ask("login", day: day, count: 10)
        }
        // Today (15th): billing jumps to 14; login asks 12 (busier than billing's baseline, but normal for login).
        try ask("billing", day: 15, count: 14)
        try ask("login", day: 15, count: 12)
        let spikes = try insights(at: "2025-03-15T18:00:00Z").spikes(.day)
        XCTAssertEqual(spikes.map(\.topic), ["billing"])
        let billing = try XCTUnwrap(spikes.first)
        XCTAssertEqual(billing.label, "2025-03-15")
        XCTAssertEqual(billing.count, 14)
        XCTAssertEqual(billing.baselineMean, 3, accuracy: 0.2)
        XCTAssertLessThan(billing.threshold, 14)
    }

    func testNoSpikeWithoutHistoryOrBelowTheMinimum() throws {
        // First day of service: everything is new, nothing is a spike.
        try ask("billing", day: 10, count: 30)
        XCTAssertEqual(try insights(at: "2025-03-10T18:00:00Z").spikes(.day), [])
        // With history, a jump from 0 to 4 stays under the minimum count of 5.
        for day in 11...14 { try ask("billing", day: day, count: 1) }
        try ask("export", day: 15, count: 4)
        XCTAssertEqual(try insights(at: "2025-03-15T18:00:00Z").spikes(.day).map(\.topic), [])
        try ask("export", day: 15, count: 2)
        XCTAssertEqual(try insights(at: "2025-03-15T19:00:00Z").spikes(.day).map(\.topic), ["export"])
    }

    func testWeeklySpike() throws {
        // Mondays 3 Feb … 3 Mar: four weeks of 5 a week, then 40 in the week of 10 March.
        for day in [3, 10, 17, 24] {
            for i in 0..<5 {
                try ReportTests.add(store, String(format: "2025-02-%02dT09:%02d:00Z", day, i), topic: "refunds", .escalate)
            }
        }
        try ask("refunds", day: 3, count: 5)
        try ask("refunds", day: 11, count: 40)
        let weekly = try insights(at: "2025-03-12T10:00:00Z").spikes(.week)
        XCTAssertEqual(weekly.map(\.label), ["2025-W11"])
        XCTAssertEqual(weekly.first?.count, 40)
        XCTAssertEqual(weekly.first?.baselineMean ?? 0, 5, accuracy: 1e-9)
    }

    func testRecurringGapsComeFromOpenGapsWithSeveralActiveWeeks() {
        let now = ReportTests.date("2025-03-12T10:00:00Z")
        func gap(_ id: Int64, _ counts: [Int], status: GapStatus = .open) -> Gap {
            Gap(id: id, kind: .gap, status: status, title: "gap \(id)", count: counts.reduce(0, +), questions: ["how do I x?"],
                firstSeen: now.addingTimeInterval(-20 * 86_400), lastSeen: now,
                trend: counts.enumerated().map { GapWeek(week: String(format: "2025-W%02d", 8 + $0.offset), count: $0.element) }, confidence: 0.2)
        }
        let recurring = insights(at: "2025-03-12T10:00:00Z").recurring([
            gap(1, [0, 0, 0, 9]), gap(2, [1, 0, 2, 1]), gap(3, [3, 3, 0, 0], status: .closed), gap(4, [0, 4, 4, 0]),
        ])
        XCTAssertEqual(recurring.map(\.gapID), [2, 4])
        XCTAssertEqual(recurring.first?.weeks, ["2025-W08", "2025-W10", "2025-W11"])
    }

    func testFeatureRequestsClusterByWhatTheyAskFor() throws {
        let questions = [
            "Can you add a dark mode to the dashboard?",
            "It would be nice to have dark mode, my eyes hurt at night",
            "Feature request: dark mode for the dashboard",
            "Please add export to PDF for invoices",
            "Would be great if invoices could export as PDF",
            "How do I reset my password?",
            "The export button crashes the app",
        ]
        for (i, q) in questions.enumerated() {
            try ReportTests.add(store, String(format: "2025-03-10T09:%02d:00Z", i), topic: "ui", .escalate, question: q)
        }
        let clusters = try insights(at: "2025-03-12T10:00:00Z").featureRequests()
        XCTAssertEqual(clusters.map(\.count), [3, 2])
        XCTAssertTrue(clusters[0].title.contains("dark"), clusters[0].title)
        XCTAssertTrue(clusters[1].title.contains("pdf"), clusters[1].title)
        XCTAssertEqual(clusters[0].questions.first, "Feature request: dark mode for the dashboard", "newest first")

        let report = try insights(at: "2025-03-12T10:00:00Z").report()
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
        XCTAssertEqual(Set(json.keys), ["generated_at", "spikes", "recurring", "feature_requests"])
    }

    /// The detector on a hand-labelled list: requests, and how-to questions and defect reports
    /// that use the same words ("feature", "support", "add", "option").
    func testFeatureRequestDetectorPrecisionAndRecall() {
        let requests = [
            "Can you add a dark mode?",
            "Could you please add two-factor authentication by SMS?",
            "It would be nice to export reports to Excel",
            "Would be great to have keyboard shortcuts in the editor",
            "Feature request: bulk edit for contacts",
            "Please add support for Apple Pay",
            "We need support for SAML single sign-on",
            "I wish you had a mobile app for Android",
            "I'd love to see a Slack integration",
            "Any plans to add a German translation?",
            "Is a public API on your roadmap?",
            "You should add recurring invoices",
            "Are you planning to support multiple currencies?",
            "Please make it possible to schedule posts",
            "I would like an option to hide archived projects",
            "Could you build a Zapier integration?",
            "It'd be really helpful to filter by tag",
            "Suggestion: let us pin favourite reports",
            "Why is there no way to undo a deletion?",
            "We'd really like the ability to set custom roles",
            "Would you consider adding a calendar view?",
            "Can u add emoji reactions to comments",
            "Missing support for right-to-left languages, please add it",
            "Any chance of getting a dark theme soon?",
            "Please consider an offline mode for the app",
        ]
        let others = [
            "How do I add a teammate to my workspace?",
            "Where can I find the export feature?",
            "Does the Pro plan support custom domains?",
            "How do I contact support?",
            "The new feature you released broke my dashboard",
            "I can't add a payment method, the button is greyed out",
            "Is there an option to change the language?",
            "My invoice shows the wrong amount",
            "How can I turn off email notifications?",
            "The app crashes when I upload a photo",
            "Can you refund my last payment?",
            "Can you help me reset my password?",
            "What does the sync feature do?",
            "Support told me to reinstall but it still fails",
            "How do I add a custom field to a form?",
            "The dark mode setting doesn't save",
            "Would you tell me when my subscription renews?",
            "I'd like to cancel my account",
            "Could you check why my export is empty?",
            "Is two-factor authentication available on the free plan?",
            "The calendar view shows the wrong week",
            "Can I add more than five users?",
            "It would be nice if someone answered my ticket from last week",
            "Where is the option to download invoices?",
            "Please help, I can't log in",
        ]
        let truePositives = requests.filter(FeatureRequestDetector.isRequest).count
        let falsePositives = others.filter(FeatureRequestDetector.isRequest)
        let precision = Double(truePositives) / Double(max(1, truePositives + falsePositives.count))
        let recall = Double(truePositives) / Double(requests.count)
        print("FeatureRequestDetector on \(requests.count) requests + \(others.count) others: "
            + String(format: "precision %.2f, recall %.2f", precision, recall)
            + "; missed: \(requests.filter { !FeatureRequestDetector.isRequest($0) }); false alarms: \(falsePositives)")
        XCTAssertGreaterThanOrEqual(precision, 0.9)
        XCTAssertGreaterThanOrEqual(recall, 0.8)
    }
}
