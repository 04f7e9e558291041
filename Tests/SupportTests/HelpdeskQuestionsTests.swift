import Foundation
@testable import Support
import XCTest

/// Which webhook bodies are customers' questions (``HelpdeskQuestions``), read from bodies shaped
/// as each helpdesk documents them: a new ticket is asked, a customer's follow-up too, but never an
/// agent's comment (or Loopdesk's own reply coming back), and outcome events are not questions.
final class HelpdeskQuestionsTests: XCTestCase {
    private func parse(_ json: String) throws -> [HelpdeskQuestion] { try HelpdeskQuestions.parse(Data(json.utf8)) }

    private let zendeskCreated = #"""
    {"type":"zen:event-type:ticket.created","account_id":88888888,"id":"01HNX-CREATED","time":"2026-12-04T17:18:10Z",
     "zendesk_event_version":"2022-11-06","subject":"zen:ticket:35436",
     "detail":{"id":"35436","subject":"Password reset","description":"How do I reset my password? The link expired.",
               "status":"NEW","priority":"HIGH","tags":["vip","account"],"via":{"channel":"web"},"organization_id":"10002",
               "requester_id":"20978392"},
     "event":{}}
    """#

    func testAZendeskTicketCreatedIsAQuestionWithItsFieldsAsContext() throws {
        let questions = try parse(zendeskCreated)
        XCTAssertEqual(questions.count, 1)
        let question = try XCTUnwrap(questions.first)
        XCTAssertEqual(question.helpdesk, .zendesk)
        XCTAssertEqual(question.ticketID, "35436")
        XCTAssertEqual(question.text, "Password reset\nHow do I reset my password? The link expired.")
        XCTAssertEqual(question.context, ["tags": "account,vip", "priority": "HIGH", "channel": "web", "organization": "10002"])
        XCTAssertEqual(question.eventID, "zendesk:01HNX-CREATED")
        XCTAssertFalse(question.isFollowUp)
        XCTAssertEqual(try HelpdeskEvents.parse(Data(zendeskCreated.utf8)).count, 0, "a new ticket is no outcome")
        XCTAssertEqual(try parse(zendeskCreated), questions, "the same body is the same question")
    }

    private func zendeskComment(isStaff: Bool, isPublic: Bool) -> String {
        #"{"type":"zen:event-type:ticket.comment_added","id":"01HNX-C\#(isStaff)\#(isPublic)","time":"2026-12-04T17:20:00Z","#
            + #""detail":{"id":"35436","tags":["vip"]},"#
            + #""event":{"comment":{"id":"9001","body":"It still does not work","is_public":\#(isPublic),"#
            + #""author":{"id":"20978392","is_staff":\#(isStaff),"name":"Customer"}}}}"#
    }

    func testOnlyACustomersPublicZendeskCommentIsAFollowUp() throws {
        let followUp = try XCTUnwrap(try parse(zendeskComment(isStaff: false, isPublic: true)).first)
        XCTAssertTrue(followUp.isFollowUp)
        XCTAssertEqual(followUp.text, "It still does not work")
        XCTAssertEqual(followUp.ticketID, "35436")
        XCTAssertEqual(try parse(zendeskComment(isStaff: true, isPublic: true)).count, 0, "an agent's (or Loopdesk's own) reply")
        XCTAssertEqual(try parse(zendeskComment(isStaff: false, isPublic: false)).count, 0, "a private comment")
    }

    func testOutcomeEventsAreNoQuestions() throws {
        let solved = #"{"type":"zen:event-type:ticket.status_changed","id":"e1","detail":{"id":"1"},"event":{"previous":"open","current":"solved"}}"#
        XCTAssertEqual(try parse(solved).count, 0)
        let freshdeskSolved = #"{"freshdesk_webhook":{"ticket_id":"5","ticket_status":"Resolved"}}"#
        XCTAssertEqual(try parse(freshdeskSolved).count, 0)
    }

    func testAFreshdeskTicketCreationIsAQuestionAndNoOutcome() throws {
        let body = #"""
        {"freshdesk_webhook":{"ticket_id":"20","ticket_subject":"Card declined","ticket_description":"<div>Why was my <b>card</b> declined?</div>",
         "ticket_tags":"billing","ticket_priority":"Medium","ticket_source":"Email"}}
        """#
        let question = try XCTUnwrap(try parse(body).first)
        XCTAssertEqual(question.helpdesk, .freshdesk)
        XCTAssertEqual(question.ticketID, "20")
        XCTAssertEqual(question.text, "Card declined\nWhy was my card declined?")
        XCTAssertEqual(question.context, ["tags": "billing", "priority": "Medium", "channel": "Email"])
        XCTAssertTrue(question.eventID.hasPrefix("freshdesk:"))
        XCTAssertEqual(try HelpdeskEvents.parse(Data(body.utf8)).count, 0, "read as a question, not refused for lacking a status")
    }

    func testIntercomConversationsAndCustomerRepliesAreQuestions() throws {
        let created = #"""
        {"type":"notification_event","topic":"conversation.user.created","id":"notif_1","created_at":1733300000,
         "data":{"item":{"type":"conversation","id":"1911149811","source":{"subject":"","body":"<p>How do I export my data?</p>",
           "author":{"type":"user","id":"5bc8"}},"tags":{"type":"tag.list","tags":[{"type":"tag","name":"trial"}]}}}}
        """#
        let question = try XCTUnwrap(try parse(created).first)
        XCTAssertEqual(question.helpdesk, .intercom)
        XCTAssertEqual(question.ticketID, "1911149811")
        XCTAssertEqual(question.text, "How do I export my data?")
        XCTAssertEqual(question.context, ["tags": "trial"])
        XCTAssertEqual(question.eventID, "intercom:notif_1")
        let replied = #"""
        {"type":"notification_event","topic":"conversation.user.replied","id":"notif_2",
         "data":{"item":{"type":"conversation","id":"1911149811","conversation_parts":{"type":"conversation_part.list","conversation_parts":[
           {"part_type":"comment","body":"<p>Here you go</p>","author":{"type":"admin","id":"814860"}},
           {"part_type":"comment","body":"<p>And as Excel?</p>","author":{"type":"user","id":"5bc8"}}]}}}}
        """#
        let followUp = try XCTUnwrap(try parse(replied).first)
        XCTAssertTrue(followUp.isFollowUp)
        XCTAssertEqual(followUp.text, "And as Excel?")
    }

    func testAQuestionEventWithoutItsTicketIdIsRefusedSayingWhich() {
        let body = #"{"type":"zen:event-type:ticket.created","id":"x","detail":{"subject":"Hello","description":"Help"}}"#
        XCTAssertThrowsError(try parse(body)) { error in
            XCTAssertTrue("\(error)".contains("detail.id"), "\(error)")
        }
    }

    func testALongQuestionKeepsItsFirstPartWithinTheLimit() throws {
        let long = String(repeating: "é", count: AskRequest.maxTextBytes)
        let body = #"{"type":"zen:event-type:ticket.created","id":"y","detail":{"id":"1","description":"\#(long)"}}"#
        let question = try XCTUnwrap(try parse(body).first)
        XCTAssertLessThanOrEqual(question.text.utf8.count, AskRequest.maxTextBytes)
        XCTAssertGreaterThan(question.text.utf8.count, AskRequest.maxTextBytes - 2)
    }
}
