import Foundation

/// A test double of an issue tracker, as far as Loopdesk writes to it — Linear's GraphQL API
/// (`POST /graphql`, `Authorization: API_KEY`, mutations `issueCreate` and `commentCreate`:
/// <https://linear.app/developers/graphql>) or Jira Cloud's REST API v3 (`POST /rest/api/3/issue`
/// and `POST /rest/api/3/issue/{key}/comment`, basic auth `EMAIL:API_TOKEN`, Atlassian Document
/// Format bodies: <https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/>).
/// It checks each request and answers in the tracker's documented shapes.
public final class FakeIssueTracker: @unchecked Sendable {
    /// An issue it opened.
    public struct Issue: Sendable, Equatable {
        /// Linear: the issue's id; Jira: its key.
        public var id: String
        public var title: String
        /// The description as plain text (Jira's document flattened, a line per paragraph).
        public var description: String
    }

    /// A comment it accepted.
    public struct Comment: Sendable, Equatable {
        public var issueID: String
        public var body: String
    }

    private let lock = NSLock()
    private var faults: [FakeHelpdeskFault]
    private var openedIssues: [Issue] = []
    private var acceptedComments: [Comment] = []
    /// The HTTP server.
    public private(set) var server: FakeHTTPServer!

    private init(faults: [FakeHelpdeskFault]) { self.faults = faults }

    /// A Linear double accepting `apiKey` for `team`.
    public static func linear(apiKey: String, team: String, faults: [FakeHelpdeskFault] = []) throws -> FakeIssueTracker {
        let fake = FakeIssueTracker(faults: faults)
        fake.server = try FakeHTTPServer { [unowned fake] request in fake.linear(request, apiKey: apiKey, team: team) }
        return fake
    }

    /// A Jira double accepting `email`/`apiToken` for `project`.
    public static func jira(email: String, apiToken: String, project: String, faults: [FakeHelpdeskFault] = []) throws -> FakeIssueTracker {
        let fake = FakeIssueTracker(faults: faults)
        let auth = FakeHelpdeskState.basic("\(email):\(apiToken)")
        fake.server = try FakeHTTPServer { [unowned fake] request in fake.jira(request, auth: auth, project: project) }
        return fake
    }

    /// The issues opened, in order.
    public var issues: [Issue] { lock.withLock { openedIssues } }
    /// The comments accepted, in order.
    public var comments: [Comment] { lock.withLock { acceptedComments } }
    /// Every request.
    public var requests: [FakeHTTPServer.Request] { server.requests }
    /// Its base URL.
    public var baseURL: URL { server.url() }
    /// Stops it.
    public func stop() { server.stop() }

    private func fault() -> FakeHTTPServer.Reply? {
        switch lock.withLock({ faults.isEmpty ? nil : faults.removeFirst() }) {
        case nil: nil
        case .hangUp: .hangUp
        case .rateLimited(let seconds): .respond(.json(429, ["errors": [["message": "rate limited"]]], headers: [("Retry-After", String(seconds))]))
        case .status(let status): .respond(.json(status, ["errors": [["message": "fault injected by the test"]]]))
        }
    }

    private func linear(_ request: FakeHTTPServer.Request, apiKey: String, team: String) -> FakeHTTPServer.Reply {
        if let fault = fault() { return fault }
        guard request.method == "POST", request.path == "/graphql" else { return .respond(.init(status: 404)) }
        guard request.headers["authorization"] == apiKey else {
            return .respond(.json(401, ["errors": [["message": "Authentication required, not authenticated",
                                                     "extensions": ["code": "AUTHENTICATION_ERROR"]]]]))
        }
        guard let json = request.json, let query = json["query"] as? String,
              let input = (json["variables"] as? [String: Any])?["input"] as? [String: Any] else {
            return .respond(.json(400, ["errors": [["message": "Must provide query string."]]]))
        }
        if query.contains("issueCreate(") {
            guard input["teamId"] as? String == team, let title = input["title"] as? String, !title.isEmpty else {
                return .respond(.json(200, ["errors": [["message": "Argument Validation Error", "extensions": ["code": "INVALID_INPUT"]]]]))
            }
            let id = UUID().uuidString.lowercased()
            lock.withLock { openedIssues.append(Issue(id: id, title: title, description: input["description"] as? String ?? "")) }
            return .respond(.json(200, ["data": ["issueCreate": ["success": true, "issue": [
                "id": id, "identifier": "ENG-\(issues.count)", "url": "https://linear.app/acme/issue/ENG-\(issues.count)"]]]]))
        }
        if query.contains("commentCreate(") {
            guard let issue = input["issueId"] as? String, issues.contains(where: { $0.id == issue }),
                  let body = input["body"] as? String, !body.isEmpty else {
                return .respond(.json(200, ["errors": [["message": "Entity not found", "extensions": ["code": "INVALID_INPUT"]]]]))
            }
            lock.withLock { acceptedComments.append(Comment(issueID: issue, body: body)) }
            return .respond(.json(200, ["data": ["commentCreate": ["success": true, "comment": ["id": UUID().uuidString.lowercased()]]]]))
        }
        return .respond(.json(400, ["errors": [["message": "Unknown operation"]]]))
    }

    private func jira(_ request: FakeHTTPServer.Request, auth: String, project: String) -> FakeHTTPServer.Reply {
        if let fault = fault() { return fault }
        guard request.method == "POST" else { return .respond(.init(status: 405)) }
        guard request.headers["authorization"] == auth else { return .respond(.json(401, ["errorMessages": ["Unauthorized"], "errors": [:]])) }
        if request.path == "/rest/api/3/issue" {
            guard let fields = request.json?["fields"] as? [String: Any],
                  (fields["project"] as? [String: Any])?["key"] as? String == project,
                  (fields["issuetype"] as? [String: Any])?["name"] as? String == "Bug",
                  let summary = fields["summary"] as? String, !summary.isEmpty,
                  let description = Self.plain(fields["description"]) else {
                return .respond(.json(400, ["errorMessages": [], "errors": ["summary": "You must specify a summary of the issue."]]))
            }
            let key = "\(project)-\(issues.count + 1)"
            lock.withLock { openedIssues.append(Issue(id: key, title: summary, description: description)) }
            return .respond(.json(201, ["id": String(10000 + issues.count), "key": key,
                                        "self": "https://acme.atlassian.net/rest/api/3/issue/\(10000 + issues.count)"]))
        }
        if let key = FakeHelpdeskState.capture(#"^/rest/api/3/issue/([A-Z0-9]+-[0-9]+)/comment$"#, in: request.path) {
            guard issues.contains(where: { $0.id == key }) else {
                return .respond(.json(404, ["errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": [:]]))
            }
            guard let body = Self.plain(request.json?["body"]) else {
                return .respond(.json(400, ["errorMessages": ["Comment body can not be empty!"], "errors": [:]]))
            }
            lock.withLock { acceptedComments.append(Comment(issueID: key, body: body)) }
            return .respond(.json(201, ["id": String(20000 + comments.count)]))
        }
        return .respond(.json(404, ["errorMessages": ["Not found"], "errors": [:]]))
    }

    /// An Atlassian Document Format document's text, a line per paragraph; nil when it is not one.
    static func plain(_ value: Any?) -> String? {
        guard let doc = value as? [String: Any], doc["type"] as? String == "doc", doc["version"] as? Int == 1,
              let content = doc["content"] as? [[String: Any]], !content.isEmpty else { return nil }
        return content.map { paragraph in
            ((paragraph["content"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.joined()
        }.joined(separator: "\n")
    }
}
