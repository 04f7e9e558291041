// libFuzzer target for what the answer service parses from a client: the JSON
// request bodies (ask, outcome), helpdesk webhook events, article uploads (JSON,
// JSON Lines, CSV, Markdown with front matter) and streamed ticket exports. Built
// by scripts/fuzz-json.sh, never in CI. The first input byte picks the parser;
// the rest is the body.
//
// Checked on every input, besides "never crashes, never reads out of bounds,
// never allocates more than the input justifies":
// 1. A body that decodes re-encodes and decodes to the same value.
// 2. A streamed ticket export gives the same tickets, or fails the same way,
//    whether its bytes arrive whole or in chunks (sizes taken from the input).
// 3. An error is a precise, named error (SupportError or APIError), never a crash.

import Foundation
@testable import Support
@testable import SupportHTTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Data(bytes: data + 1, count: size - 1)
    switch data[0] % 8 {
    case 0: checkAsk(body)
    case 1: checkOutcome(body)
    case 2: _ = try? HelpdeskEvents.parse(body)
    case 3: checkArticles(body, contentType: "application/json")
    case 4: checkArticles(body, contentType: "text/csv")
    case 5: checkMarkdown(body)
    default:
        let formats = HelpdeskExportFormat.allCases
        checkExport(body, format: formats[Int(data[0] >> 3) % formats.count])
    }
    return 0
}

private func checkAsk(_ body: Data) {
    guard let ask = try? JSONBody.decode(AskRequest.self, from: body, what: "ask") else { return }
    let again = try! JSONBody.decode(AskRequest.self, from: try! JSONBody.encoder.encode(ask), what: "ask")
    precondition(again.text == ask.text, "an ask's text changes in a round trip")
}

private func checkOutcome(_ body: Data) {
    guard let outcome = try? JSONBody.decode(OutcomeRequest.self, from: body, what: "outcome") else { return }
    let again = try! JSONBody.decode(OutcomeRequest.self, from: try! JSONBody.encoder.encode(outcome), what: "outcome")
    precondition(again == outcome, "an outcome changes in a round trip")
}

private func checkArticles(_ body: Data, contentType: String) {
    guard let articles = try? ArticleUpload.articles(in: body, contentType: contentType), contentType != "text/csv" else { return }
    // JSON and JSON Lines: the articles written back as JSON Lines read the same.
    let lines = articles.map { String(decoding: try! JSONBody.encoder.encode($0), as: UTF8.self) }.joined(separator: "\n")
    let again = try! KnowledgeBaseImport.parse(jsonl: Data(lines.utf8))
    precondition(again == articles, "articles change in a JSON Lines round trip")
}

private func checkMarkdown(_ body: Data) {
    _ = try? KnowledgeBaseImport.parse(markdown: String(decoding: body, as: UTF8.self), relativePath: "fuzz/article.md")
    _ = HTMLText.plain(String(decoding: body, as: UTF8.self))
}

private func checkExport(_ body: Data, format: HelpdeskExportFormat) {
    func read(chunked: Bool) -> (tickets: [ImportedTicket], failed: Bool) {
        var reader = HelpdeskExportReader(format: format, maxRecordBytes: 1 << 16)
        var tickets: [ImportedTicket] = []
        do {
            if chunked {
                var offset = body.startIndex
                while offset < body.endIndex {
                    let step = Int(body[offset] % 23) + 1
                    let end = min(offset + step, body.endIndex)
                    tickets += try reader.read(body[offset..<end])
                    offset = end
                }
            } else {
                tickets += try reader.read(body)
            }
            tickets += try reader.finish()
            return (tickets, false)
        } catch {
            precondition(error is SupportError, "an export fails with \(type(of: error)), not a SupportError")
            return (tickets, true)
        }
    }
    let whole = read(chunked: false), chunked = read(chunked: true)
    precondition(whole.failed == chunked.failed, "a \(format) export fails whole but not in chunks, or the reverse")
    if !whole.failed { precondition(whole.tickets == chunked.tickets, "a \(format) export reads differently in chunks") }
}

/// Seeds, written when LOOPDESK_FUZZ_SEEDS names a folder: one valid body per parser.
@_cdecl("LLVMFuzzerInitialize")
public func writeSeedsIfAsked(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let seeds = ProcessInfo.processInfo.environment["LOOPDESK_FUZZ_SEEDS"] else { return 0 }
    let formats = HelpdeskExportFormat.allCases
    func exportSelector(_ format: HelpdeskExportFormat) -> UInt8 {
        // A byte whose low three bits are 6 and whose higher bits pick the format.
        let i = formats.firstIndex(of: format)!
        return UInt8(6 | ((i % 32) << 3))
    }
    let samples: [(String, UInt8, String)] = [
        ("ask", 0, #"{"text":"How do I reset my password?","conversation_id":"c-1","tags":{"plan":"pro"}}"#),
        ("outcome", 1, #"{"impression_id":"i-1","outcome":"corrected","correct_article_id":"billing-2","rating":4}"#),
        ("zendesk-event", 2, #"{"type":"zen:event-type:ticket.status_changed","id":"e1","detail":{"id":"42","status":"solved"},"event":{"current":"solved","previous":"open"}}"#),
        ("articles-json", 3, #"[{"id":"a","title":"Reset","body":"Open settings.","tags":["account"]},{"id":"b","title":"Refunds","body":"Within 30 days."}]"#),
        ("articles-jsonl", 3, "{\"id\":\"a\",\"title\":\"T\",\"body\":\"B\"}\n{\"id\":\"b\",\"title\":\"U\",\"body\":\"C\"}\n"),
        ("articles-csv", 4, "id,title,body,tags\na,Reset,\"Open, then \"\"Settings\"\"\",account;login\n"),
        ("markdown", 5, "---\nid: reset\ntitle: \"Reset\"\ntags: [account, login]\n---\n# Reset\n\nOpen <b>settings</b> &amp; go.\n"),
        ("export-zendesk", exportSelector(.zendesk), #"{"tickets":[{"id":1,"subject":"Login","status":"solved","comments":[{"author_id":1,"public":true,"plain_body":"I cannot log in"},{"author_id":2,"public":true,"plain_body":"Reset it in settings."}]}]}"#),
        ("export-freshdesk", exportSelector(.freshdesk), #"[{"id":7,"subject":"Refund","description_text":"Money back?","status":5,"conversations":[{"incoming":false,"private":false,"body_text":"Refunded."}]}]"#),
        ("export-intercom", exportSelector(.intercom), #"{"conversations":[{"id":"9","state":"closed","source":{"body":"<p>Where is my invoice?</p>"},"conversation_parts":{"conversation_parts":[{"part_type":"comment","author":{"type":"admin"},"body":"Under Billing."}]}}]}"#),
        ("export-csv", exportSelector(.csv), "id,subject,question,agent_reply,status,tags\n1,Login,I cannot log in,Reset it,solved,account|login\n"),
    ]
    for (name, selector, body) in samples {
        FileManager.default.createFile(atPath: "\(seeds)/\(name)", contents: Data([selector]) + Data(body.utf8))
    }
    return 0
}
