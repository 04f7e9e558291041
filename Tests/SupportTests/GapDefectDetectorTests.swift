import Foundation
@testable import Support
import XCTest

/// The defect detector's numbers: precision and recall on hand-labelled support
/// questions (written for this test from common SaaS support traffic, labelled by
/// whether the customer reports something broken), and its false-positive rate on
/// CLINC150, none of whose 150 intents is a software defect.
final class GapDefectDetectorTests: XCTestCase {
    static let defects = [
        "The app crashes when I open the calendar", "I get error 500 when saving my profile",
        "Export button doesn't work", "The dashboard is stuck on loading", "Page is blank after login",
        "Uploading a photo fails every time", "The mobile app keeps crashing on startup", "Search is broken since yesterday",
        "I get an error message when I try to pay", "Notifications stopped working after the update",
        "The invoice PDF won't load", "Sync failed with an unknown error", "The editor freezes when I paste text",
        "Password reset link gives a 404 error", "Checkout throws an exception", "Images are not loading on the product page",
        "The API returns 502 bad gateway", "My reports page shows a white screen", "Two-factor codes are not working",
        "The app is not responding when I tap save", "Login keeps failing even with the right password",
        "The chart is broken on Safari", "CSV import fails halfway through", "I see a glitch in the timeline view",
        "The webhook delivery failed with a timeout", "Attachments disappeared from my tickets",
        "The Android app crashed while uploading", "Nothing happens when I click Submit", "The page times out when I filter by date",
        "Dark mode is buggy on iPad", "Calendar invites are broken", "The save button does not work in Firefox",
        "Emails from the app aren't sending, something went wrong", "The app freezes on the payment screen",
        "Getting error code 503 on the status page", "My data is corrupted after the import", "The print preview is broken",
        "The desktop app won't start after updating", "Video calls keep freezing", "Filtering is not working anymore",
        "Scheduled posts failed to publish", "The mobile app logs me out and crashes", "Bug: totals are wrong on the invoice page",
        "The integration with Slack stopped working", "I keep getting 'something went wrong'", "Autosave is not saving my changes",
        "App hangs on the loading spinner", "The link in the email is broken", "Dropdown menus are glitchy in Chrome",
        "Report generation fails with an error",
    ]
    static let howTos = [
        "How do I reset my password?", "Can I change my billing date?", "How do I invite a teammate?",
        "Where can I download my invoices?", "What plans do you offer?", "How do I export my data to CSV?",
        "Can I use the app offline?", "How do I cancel my subscription?", "Is there a mobile app?",
        "How do I change the language?", "Can I get a refund?", "How do I add a custom domain?", "What payment methods do you accept?",
        "How do I turn on two-factor authentication?", "Can I merge two accounts?", "How many users can I add?",
        "How do I connect Slack?", "Where do I find my API key?", "How do I delete my account?", "Can I change my username?",
        "Do you have a student discount?", "How do I set up webhooks?", "How do I report a bug?", "What does error 404 mean?",
        "How long do you keep backups?", "Can I schedule posts?", "How do I print an invoice?", "How do I upgrade my plan?",
        "Is my data encrypted?", "How do I import contacts?", "Can I customise the dashboard?", "Where are you located?",
        "How do I enable dark mode?", "How do I add a payment method?", "Can I transfer ownership of a workspace?",
        "What are your support hours?", "How do I create a report?", "Do you integrate with Zapier?", "How do I share a file?",
        "What's new in the latest release?", "How do I filter by date?", "Can I undo a deletion?", "How do I change my email address?",
        "Do you offer an annual plan?", "How do I set up SSO?", "What browsers do you support?", "How do I add a signature to emails?",
        "Can I get an invoice with my VAT number?", "How do I archive a project?", "How do I contact sales?",
    ]

    func testPrecisionAndRecallOnLabelledQuestionsAndCLINC150() throws {
        let tp = Self.defects.filter { DefectDetector.looksLikeDefect($0) }.count
        let fp = Self.howTos.filter { DefectDetector.looksLikeDefect($0) }
        let precision = Double(tp) / Double(tp + fp.count)
        let recall = Double(tp) / Double(Self.defects.count)
        print(String(format: "defect detector, hand-labelled %d defect / %d how-to: precision %.1f %%, recall %.1f %% (false positives: %@)",
                     Self.defects.count, Self.howTos.count, precision * 100, recall * 100, fp.description))
        print("missed: \(Self.defects.filter { !DefectDetector.looksLikeDefect($0) })")
        XCTAssertGreaterThan(precision, 0.9)
        XCTAssertGreaterThan(recall, 0.85)

        let clinc = try CLINC.load()
        var flagged: [String: Int] = [:]
        var total = 0
        for split in ["train", "val", "test", "oos_train", "oos_val", "oos_test"] {
            for row in clinc.splits[split] ?? [] where row.count == 2 {
                total += 1
                if DefectDetector.looksLikeDefect(row[0]) { flagged[row[1], default: 0] += 1 }
            }
        }
        let count = flagged.values.reduce(0, +)
        let rate = Double(count) / Double(total)
        let top = flagged.sorted { $0.value > $1.value }.prefix(6).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print(String(format: "defect detector on all %d CLINC150 utterances (no software defects): %d flagged (%.2f %%); most: %@",
                     total, count, rate * 100, top))
        XCTAssertLessThan(rate, 0.03)
    }

    func testHelpdeskTagsDecideFirst() {
        XCTAssertTrue(DefectDetector.isDefect("How do I export?", context: ["tags": "billing, Bug"]))
        XCTAssertTrue(DefectDetector.isDefect("How do I export?", context: ["type": "incident"]))
        XCTAssertFalse(DefectDetector.isDefect("The export crashes", context: ["bug": "false"]))
        XCTAssertTrue(DefectDetector.isDefect("The export crashes"))
        XCTAssertFalse(DefectDetector.isDefect("The export crashes", lexical: false))
    }
}
