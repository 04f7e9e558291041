import Foundation
import LoopdeskTestSupport
import XCTest
@testable import Support

/// The files under `Fixtures/Import`, and a check that a call fails with one exact error.
enum ImportFixture {
    static var root: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures/Import") }

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func data(_ relative: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(relative)) }

    static func assertError<T>(_ expected: SupportError, file: StaticString = #filePath, line: UInt = #line,
                               _ call: () throws -> T) {
        XCTAssertThrowsError(try call(), file: file, line: line) { error in
            XCTAssertEqual(error as? SupportError, expected, file: file, line: line)
        }
    }

    /// The `invalidRequest` message a call fails with, for checks on its beginning.
    static func requestError<T>(file: StaticString = #filePath, line: UInt = #line, _ call: () throws -> T) -> String {
        do {
            _ = try call()
            XCTFail("expected an error", file: file, line: line)
        } catch let SupportError.invalidRequest(message) {
            return message
        } catch {
            XCTFail("expected invalidRequest, got \(error)", file: file, line: line)
        }
        return ""
    }
}

final class ImportKnowledgeBaseTests: XCTestCase {
    private func data(_ text: String) -> Data { Data(text.utf8) }

    // MARK: Formats

    func testDetectsFormatFromPath() throws {
        XCTAssertEqual(try KnowledgeBaseFormat.detect(path: ImportFixture.path("kb/articles.jsonl")), .jsonl)
        XCTAssertEqual(try KnowledgeBaseFormat.detect(path: ImportFixture.path("kb/articles.json")), .json)
        XCTAssertEqual(try KnowledgeBaseFormat.detect(path: ImportFixture.path("kb/articles.csv")), .csv)
        XCTAssertEqual(try KnowledgeBaseFormat.detect(path: ImportFixture.path("kb/markdown")), .markdown)
        XCTAssertEqual(try KnowledgeBaseFormat.detect(path: ImportFixture.path("kb/markdown/getting-started.md")), .markdown)
        let notes = ImportFixture.path("kb/markdown/notes.txt")
        ImportFixture.assertError(.invalidRequest(
            "\(notes): cannot tell the knowledge-base format from the extension \"txt\"; "
                + "give a folder of .md files, or a .jsonl, .ndjson, .json, .csv or .md file")) {
            try KnowledgeBaseFormat.detect(path: notes)
        }
        ImportFixture.assertError(.invalidRequest("/nonexistent/kb.jsonl: no such file or folder")) {
            try KnowledgeBaseImport.load(path: "/nonexistent/kb.jsonl")
        }
    }

    func testJSONLFixture() throws {
        let articles = try KnowledgeBaseImport.load(path: ImportFixture.path("kb/articles.jsonl"))
        XCTAssertEqual(articles, [
            ArticleInput(id: "reset-password", title: "Reset your password",
                         body: "Open Settings → Security and choose **Reset password**. A link arrives by email within five minutes.",
                         tags: ["account", "topic:login"]),
            ArticleInput(id: "refund-window", title: "How long refunds take",
                         body: "Refunds reach your card in 5–10 business days.\nBank transfers can take longer."),
            ArticleInput(id: "4021", title: "Export invoices as PDF", body: "Billing → Invoices → Download."),
        ])
    }

    func testJSONFixtureArrayAndSingleObject() throws {
        let articles = try KnowledgeBaseImport.load(path: ImportFixture.path("kb/articles.json"))
        XCTAssertEqual(articles, [
            ArticleInput(id: "sso-okta", title: "Set up single sign-on with Okta",
                         body: "Add Loopdesk from the Okta app catalogue, then paste the metadata URL under Settings → SSO.",
                         tags: ["sso", "enterprise"]),
            ArticleInput(id: "api-rate-limits", title: "API rate limits",
                         body: "Each token may make 600 requests a minute; a 429 response carries Retry-After."),
        ])
        let one = try KnowledgeBaseImport.parse(json: data("\u{FEFF}" + #"{"id": "a", "title": "A", "body": "b", "tags": ["t"]}"#))
        XCTAssertEqual(one, [ArticleInput(id: "a", title: "A", body: "b", tags: ["t"])])
    }

    func testCSVFixtureWithQuotedMultiLineFields() throws {
        let articles = try KnowledgeBaseImport.load(path: ImportFixture.path("kb/articles.csv"))
        XCTAssertEqual(articles, [
            ArticleInput(id: "change-plan", title: "Change your plan",
                         body: "Go to Billing → Plan and pick a new plan.\nThe change applies at once; the price is prorated.",
                         tags: ["billing", "plans"]),
            ArticleInput(id: "delete-account", title: "Delete your account",
                         body: "Only an owner can delete an account. Type \"DELETE\" to confirm.", tags: ["account", "danger"]),
            ArticleInput(id: "two-factor", title: "Turn on two-factor authentication",
                         body: "Scan the QR code with an authenticator app."),
        ])
    }

    func testMarkdownFolderFixture() throws {
        let articles = try KnowledgeBaseImport.load(path: ImportFixture.path("kb/markdown"))
        XCTAssertEqual(articles, [
            ArticleInput(id: "account/reset_password", title: "reset password",
                         body: "Use the \"Forgot password\" link on the sign-in page."),
            ArticleInput(id: "billing/invoices", title: "Download an invoice",
                         body: "Open Billing → Invoices and press **Download**.\n\n```sh\n# the API works too\n"
                             + "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com/invoices\n```",
                         tags: ["billing", "invoices"]),
            ArticleInput(id: "billing-refunds", title: "Refunds: how long they take",
                         body: "# Refunds\n\nCard refunds take 5–10 business days.", tags: ["billing", "refunds"]),
            ArticleInput(id: "getting-started", title: "Getting started",
                         body: "Create a workspace, invite your team, and connect your helpdesk.\n\n## Next steps\n\nRead the billing articles."),
        ])
    }

    func testSingleMarkdownFile() throws {
        let articles = try KnowledgeBaseImport.load(path: ImportFixture.path("kb/markdown/billing/refunds.md"))
        XCTAssertEqual(articles.map(\.id), ["billing-refunds"])
        let bare = try KnowledgeBaseImport.parse(data("Just text.\n"), format: .markdown, source: "uploads/how-to_pay.md")
        XCTAssertEqual(bare, [ArticleInput(id: "how-to_pay", title: "how to pay", body: "Just text.")])
    }

    func testMarkdownHeadingInsideCodeFenceIsNotTheTitle() throws {
        let text = "```bash\n# not a title\n```\n\n# Install the CLI #\n\nRun the installer.\r\n"
        let article = try KnowledgeBaseImport.parse(markdown: text, relativePath: "cli/install.md")
        XCTAssertEqual(article, ArticleInput(id: "cli/install", title: "Install the CLI",
                                             body: "```bash\n# not a title\n```\n\n\nRun the installer."))
    }

    func testFrontMatterForms() throws {
        let text = """
        ---
        title: 'Plans # and prices'   # the comment goes, the quoted hash stays
        tags: billing, plans
        description: |
          ignored block text: with a colon
        ---
        Body.
        """
        let article = try KnowledgeBaseImport.parse(markdown: text, relativePath: "plans.md")
        XCTAssertEqual(article, ArticleInput(id: "plans", title: "Plans # and prices", body: "Body.", tags: ["billing", "plans"]))
    }

    // MARK: Errors

    func testBadJSONLineNamesTheLine() {
        let input = data("{\"id\": \"a\", \"title\": \"A\", \"body\": \"x\"}\n\n{\"id\": \"b\", \"title\": \n")
        let message = ImportFixture.requestError { try KnowledgeBaseImport.parse(jsonl: input, source: "kb.jsonl") }
        XCTAssertTrue(message.hasPrefix("kb.jsonl line 3: not valid JSON ("), message)
        ImportFixture.assertError(.invalidRequest("kb.jsonl line 1: expected an article object {\"id\", \"title\", \"body\", \"tags\"?}, found an array")) {
            try KnowledgeBaseImport.parse(jsonl: data("[1, 2]"), source: "kb.jsonl")
        }
    }

    func testMissingOrMistypedFields() {
        ImportFixture.assertError(.invalidArticle(id: "a", reason: "kb.jsonl line 1: \"title\" is missing")) {
            try KnowledgeBaseImport.parse(jsonl: data(#"{"id": "a", "body": "x"}"#), source: "kb.jsonl")
        }
        ImportFixture.assertError(.invalidArticle(id: "a", reason: "kb.jsonl line 1: title is empty")) {
            try KnowledgeBaseImport.parse(jsonl: data(#"{"id": "a", "title": "  ", "body": "x"}"#), source: "kb.jsonl")
        }
        ImportFixture.assertError(.invalidArticle(id: "", reason: "kb.jsonl line 2: \"id\" is missing")) {
            try KnowledgeBaseImport.parse(jsonl: data("\n{\"title\": \"T\", \"body\": \"x\"}"), source: "kb.jsonl")
        }
        ImportFixture.assertError(.invalidArticle(id: "a", reason: "kb.jsonl line 1: \"body\" must be a string, found a number")) {
            try KnowledgeBaseImport.parse(jsonl: data(#"{"id": "a", "title": "T", "body": 3}"#), source: "kb.jsonl")
        }
        ImportFixture.assertError(.invalidArticle(id: "a", reason: "kb.jsonl line 1: \"tags\" must be an array of strings, found a number in it")) {
            try KnowledgeBaseImport.parse(jsonl: data(#"{"id": "a", "title": "T", "body": "", "tags": ["x", 1]}"#), source: "kb.jsonl")
        }
    }

    func testJSONArrayErrorNamesTheArticlesLine() {
        let input = data("[\n  {\"id\": \"a\", \"title\": \"A\", \"body\": \"\"},\n  {\"id\": \"b\",\n   \"body\": \"\"}\n]")
        ImportFixture.assertError(.invalidArticle(id: "b", reason: "kb.json line 3 (article 2): \"title\" is missing")) {
            try KnowledgeBaseImport.parse(json: input, source: "kb.json")
        }
    }

    func testDuplicateIDIsRefused() {
        let input = data("id,title,body\nx,One,\nx,Two,\n")
        ImportFixture.assertError(.invalidArticle(id: "x", reason: "kb.csv line 3: the id is already used at kb.csv line 2")) {
            try KnowledgeBaseImport.parse(csv: input, source: "kb.csv")
        }
    }

    func testCSVErrors() {
        ImportFixture.assertError(.invalidRequest(
            "kb.csv line 1: the header row must name the columns id, title, body (optionally tags); "
                + "missing id, title, body in \"reset-password\", \"reset your password\", \"open settings\"")) {
            try KnowledgeBaseImport.parse(csv: data("reset-password,Reset your password,Open Settings\n"), source: "kb.csv")
        }
        ImportFixture.assertError(.invalidRequest("kb.csv: the file is empty; it needs a header row id,title,body,tags")) {
            try KnowledgeBaseImport.parse(csv: data("\n\n"), source: "kb.csv")
        }
        ImportFixture.assertError(.invalidRequest("kb.csv line 4: 4 fields where the header has 3")) {
            try KnowledgeBaseImport.parse(csv: data("id,title,body\na,A,\"two\nlines\"\nb,B,x,extra\n"), source: "kb.csv")
        }
        ImportFixture.assertError(.invalidRequest("kb.csv line 2: a quoted field opened on this line is never closed")) {
            try KnowledgeBaseImport.parse(csv: data("id,title,body\na,A,\"say \"\"hi\"\"\nb,B,x\n"), source: "kb.csv")
        }
        ImportFixture.assertError(.invalidArticle(id: "a", reason: "kb.csv line 2: title is empty")) {
            try KnowledgeBaseImport.parse(csv: data("ID, Title ,Body\na,,x\n"), source: "kb.csv")
        }
    }

    func testFrontMatterErrors() {
        ImportFixture.assertError(.invalidRequest("faq.md line 1: the front matter opened here is never closed with a \"---\" line")) {
            try KnowledgeBaseImport.parse(markdown: "---\ntitle: FAQ\n\nBody", relativePath: "faq.md")
        }
        ImportFixture.assertError(.invalidRequest("faq.md line 3: front matter line \"just words\" is not \"key: value\"")) {
            try KnowledgeBaseImport.parse(markdown: "---\ntitle: FAQ\njust words\n---\nBody", relativePath: "faq.md")
        }
    }

    func testFolderWithoutMarkdownIsAnError() throws {
        let folder = try TemporaryDirectory(prefix: "kb-empty")
        defer { folder.remove() }
        ImportFixture.assertError(.invalidRequest("\(folder.path): the folder holds no .md file")) {
            try KnowledgeBaseImport.load(path: folder.path)
        }
    }

    func testParsingIsDeterministic() throws {
        let path = ImportFixture.path("kb/markdown")
        XCTAssertEqual(try KnowledgeBaseImport.load(path: path), try KnowledgeBaseImport.load(path: path))
    }

    func testHTMLToText() {
        XCTAssertEqual(HTMLText.plain("<p>Hello&nbsp;<b>there</b></p><p>a &lt; b &amp;&amp; c &#8594; d</p><script>x()</script>"),
                       "Hello there\na < b && c → d")
        XCTAssertEqual(HTMLText.plain("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2")
        XCTAssertEqual(HTMLText.plain("line<br/>next<ul><li>one</li><li>two</li></ul>"), "line\nnext\none\ntwo")
    }
}
