@testable import Support
import XCTest

/// The redaction that keeps private data out of the knowledge base, case by case: each
/// kind it must replace, and the look-alikes it must leave (prices, dates, times, versions,
/// short order numbers), then the greeting and sign-off and the content-word floor.
final class ReplyRedactorTests: XCTestCase {
    private func redacted(_ text: String) -> (String, [ReplyRedactor.Kind: Int]) {
        var counts: [ReplyRedactor.Kind: Int] = [:]
        return (ReplyRedactor.redact(text, counts: &counts), counts)
    }

    func testEachKindIsReplaced() {
        let cases: [(String, String, ReplyRedactor.Kind)] = [
            ("Write to anna.kovacs+billing@example.co.uk today", "Write to [email] today", .email),
            ("Your card 4111 1111 1111 1111 was charged", "Your card [card] was charged", .card),
            ("Your card 4111-1111-1111-1111 was charged", "Your card [card] was charged", .card),
            ("card 5500005555555559.", "card [card].", .card),
            ("Amex 378282246310005 works", "Amex [card] works", .card),
            ("Send it to DE89 3704 0044 0532 0130 00 please", "Send it to [iban] please", .iban),
            ("IBAN GB82WEST12345698765432.", "IBAN [iban].", .iban),
            ("Call +44 20 7946 0958 now", "Call [phone] now", .phone),
            ("Call (415) 555-2671 now", "Call [phone] now", .phone),
            ("Call 415-555-2671 now", "Call [phone] now", .phone),
            ("Call 030 1234 5678 now", "Call [phone] now", .phone),
            ("Your account 123456789 is closed", "Your account [number] is closed", .number),
            ("Reference 4111111111111112 (not a card)", "Reference [number] (not a card)", .number),
        ]
        for (input, expected, kind) in cases {
            let (out, counts) = redacted(input)
            XCTAssertEqual(out, expected, input)
            XCTAssertEqual(counts[kind], 1, "\(input): \(counts)")
        }
    }

    func testLookAlikesStay() {
        let kept = [
            "The Pro plan costs $1,299.00 a year, or €49.99 a month.",
            "It was fixed on 2024-03-15 at 10:30, and again on 15/03/2024.",
            "Update to version 2.14.3 (or v10.2.1) first.",
            "Your order 48219371 ships tomorrow; order #A12345 too.",
            "Ticket 1234567 is closed.",
            "It takes 5-10 business days.",
            "Use port 8080 and 2 GB of memory.",
            "Meeting on 2024-03-15 10:30 in room 4.",
            "Invoices 2023-0001 to 2023-0042 are ready.",
        ]
        for text in kept {
            let (out, counts) = redacted(text)
            XCTAssertEqual(out, text, "changed: \(counts)")
        }
    }

    func testLuhnAndIBANChecks() {
        XCTAssertTrue(ReplyRedactor.passesLuhn(ReplyRedactor.digits(of: "4111111111111111")))
        XCTAssertFalse(ReplyRedactor.passesLuhn(ReplyRedactor.digits(of: "4111111111111112")))
        XCTAssertFalse(ReplyRedactor.passesLuhn(ReplyRedactor.digits(of: "411111111111")), "12 digits is too short for a card")
        XCTAssertTrue(ReplyRedactor.isValidIBAN("DE89 3704 0044 0532 0130 00"))
        XCTAssertFalse(ReplyRedactor.isValidIBAN("DE88 3704 0044 0532 0130 00"), "a wrong check digit")
        let (out, counts) = redacted("Not an IBAN: DE88 3704 0044 0532 0130 00.")
        XCTAssertNil(counts[.iban])
        XCTAssertFalse(out.contains("3704 0044 0532"), "its long digit groups are still removed: \(out)")
    }

    func testGreetingAndSignOffAreDropped() {
        let reply = """
            Hi Anna,

            You can reset your password from the sign-in page: choose Forgot password and follow the link we email you.

            Thanks,
            Sam
            Support Team
            """
        let prepared = ReplyRedactor.prepare(reply)
        XCTAssertEqual(prepared.text, "You can reset your password from the sign-in page: choose Forgot password and follow the link we email you.")
        XCTAssertEqual(prepared.droppedLines, 4)
        XCTAssertNotNil(prepared.article)
    }

    func testAGreetingOpeningALineWithContentLeavesTheContent() {
        let prepared = ReplyRedactor.prepare("Hello Mr. Jones, the refund of your order reached your bank on Monday. Best regards")
        XCTAssertEqual(prepared.text, "the refund of your order reached your bank on Monday. Best regards")
    }

    func testAThankYouThatOpensContentIsKept() {
        let reply = "Thanks for waiting.\nThe export finished: open Reports, choose Exports and download the CSV file.\nIt stays there for seven days."
        let prepared = ReplyRedactor.prepare(reply)
        XCTAssertEqual(prepared.text, reply)
        XCTAssertEqual(prepared.droppedLines, 0)
    }

    func testAReplyWithTooFewContentWordsIsNotKnowledge() {
        for reply in ["Hi Sam,\nDone!\nCheers, Kim", "Fixed it for you. Thanks!", "Call [phone] or write to someone@example.com",
                      "All set now, let me know if anything else comes up"] {
            let prepared = ReplyRedactor.prepare(reply)
            XCTAssertLessThan(prepared.contentWords, ReplyRedactor.minimumContentWords, reply)
            XCTAssertNil(prepared.article, reply)
        }
        for reply in ["Open Settings, choose Billing and press Cancel plan.", "Settings → Team → Invite.", "Refunds take 5–10 business days."] {
            let enough = ReplyRedactor.prepare(reply)
            XCTAssertGreaterThanOrEqual(enough.contentWords, ReplyRedactor.minimumContentWords, reply)
            XCTAssertEqual(enough.article, reply)
        }
    }

    func testEveryPrivateThingInOneReplyIsGone() {
        let reply = "Hi Maria,\nI refunded the charge on card 4242 4242 4242 4242 to IBAN NL91ABNA0417164300; "
            + "confirmation went to maria.lopez@example.com and we called +1 415 555 2671.\nKind regards,\nTom"
        let prepared = ReplyRedactor.prepare(reply)
        for secret in ["4242", "NL91", "maria.lopez", "555 2671", "Maria", "Tom"] {
            XCTAssertFalse(prepared.text.contains(secret), "\(secret) survived: \(prepared.text)")
        }
        XCTAssertEqual(prepared.replaced, [.card: 1, .iban: 1, .email: 1, .phone: 1])
    }
}
