import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where bug clusters become issues, beside (or instead of) the generic bug webhook:
///
/// | tracker | flags | environment | API |
/// | --- | --- | --- | --- |
/// | Linear | `--linear-team TEAM_ID` (`--linear-url`, default `https://api.linear.app`) | `LINEAR_API_KEY` | GraphQL `issueCreate`, then `commentCreate`, `POST /graphql` with `Authorization: API_KEY` (<https://linear.app/developers/graphql>) |
/// | Jira Cloud | `--jira https://SITE.atlassian.net`, `--jira-project KEY` | `JIRA_EMAIL`, `JIRA_API_TOKEN` | `POST /rest/api/3/issue` (type Bug), then `POST /rest/api/3/issue/{key}/comment`, basic auth `EMAIL:API_TOKEN`, bodies in Atlassian Document Format (<https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post>) |
///
/// Once per cluster: an issue when the cluster crosses ``GapConfiguration/bugEventThreshold``
/// within ``GapConfiguration/bugWindow`` (the moment the `bug.threshold` webhook fires), with its
/// title, count, trend and example questions; then one comment each time the cluster doubles
/// (``growthStep(count:threshold:)``: at 2×, 4×, 8× … the threshold). Every write goes through
/// the webhook outbox under an event id of its cluster and step, so none is made twice.
public struct IssueTrackers: Sendable, Equatable {
    /// A tracker.
    public enum Tracker: String, Sendable, CaseIterable {
        case linear, jira
    }

    /// One tracker's account.
    public struct Account: Sendable, Equatable {
        /// The API's base URL.
        public var baseURL: URL
        /// Linear: the team id; Jira: the project key.
        public var container: String
        /// Jira: the account's e-mail; Linear: unused.
        public var user: String
        /// Linear: the API key; Jira: the API token.
        public var secret: String

        /// An account.
        public init(baseURL: URL, container: String, user: String, secret: String) {
            self.baseURL = baseURL
            self.container = container
            self.user = user
            self.secret = secret
        }
    }

    /// The accounts by tracker.
    public var accounts: [Tracker: Account] = [:]

    /// No tracker.
    public init() {}

    /// The environment variables a tracker's credentials come from.
    public static func environmentVariables(_ tracker: Tracker) -> [String] {
        switch tracker {
        case .linear: ["LINEAR_API_KEY"]
        case .jira: ["JIRA_EMAIL", "JIRA_API_TOKEN"]
        }
    }

    /// The accounts the flags name, credentials from `environment`.
    /// - Throws: ``SupportError/invalidRequest(_:)`` naming what is missing or unsafe.
    public static func from(linearTeam: String?, linearURL: String = "https://api.linear.app", jiraURL: String?, jiraProject: String?,
                            environment: [String: String]) throws -> IssueTrackers {
        var result = IssueTrackers()
        func value(_ name: String, for flag: String) throws -> String {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                throw SupportError.invalidRequest("\(flag) needs \(name) in the environment (docs/HELPDESKS.md)")
            }
            return value
        }
        func url(_ text: String, flag: String) throws -> URL {
            guard let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text), url.scheme != nil else {
                throw SupportError.invalidRequest("\(flag) \"\(text)\" is not a URL")
            }
            if let problem = GapConfiguration.problem(with: url) { throw SupportError.invalidRequest("\(flag) \(text): \(problem)") }
            return url
        }
        if let team = linearTeam?.trimmingCharacters(in: .whitespaces), !team.isEmpty {
            result.accounts[.linear] = Account(baseURL: try url(linearURL, flag: "--linear-url"), container: team, user: "",
                                               secret: try value("LINEAR_API_KEY", for: "--linear-team"))
        }
        if let jiraURL {
            guard let project = jiraProject?.trimmingCharacters(in: .whitespaces), !project.isEmpty else {
                throw SupportError.invalidRequest("--jira needs --jira-project KEY")
            }
            result.accounts[.jira] = Account(baseURL: try url(jiraURL, flag: "--jira"), container: project,
                                             user: try value("JIRA_EMAIL", for: "--jira"), secret: try value("JIRA_API_TOKEN", for: "--jira"))
        }
        return result
    }

    /// The outbox kind of a tracker's writes: `tracker.linear`, `tracker.jira`.
    public static func outboxKind(_ tracker: Tracker) -> String { "tracker.\(tracker.rawValue)" }

    /// The key under which the issue opened for a cluster is kept (``SupportStore/value(forKey:)``).
    static func referenceKey(_ tracker: Tracker, clusterID: Int64) -> String { "tracker.\(tracker.rawValue).issue.\(clusterID)" }

    /// Which doubling a cluster of `count` questions has reached: 0 below 2× the threshold, 1
    /// from 2×, 2 from 4×, …; a comment goes out for each step from 1.
    public static func growthStep(count: Int, threshold: Int) -> Int {
        guard threshold > 0, count >= 2 * threshold else { return 0 }
        var step = 0
        var mark = threshold
        while count >= mark * 2 { mark *= 2; step += 1 }
        return step
    }
}

/// What a tracker is asked to do for a cluster: a row of the webhook outbox.
public struct IssueTrackerWrite: Codable, Sendable, Equatable {
    /// Open the cluster's issue, or comment on it.
    public enum Action: String, Codable, Sendable {
        case create, comment
    }

    /// The bug cluster.
    public var clusterID: Int64
    /// What to do.
    public var action: Action
    /// The issue's title (for a comment, the cluster's title then).
    public var title: String
    /// The issue's description, or the comment: count, trend and examples, plain text.
    public var body: String

    enum CodingKeys: String, CodingKey {
        case action, title, body
        case clusterID = "cluster_id"
    }
}

/// Delivers one tracker's outbox rows as its API documents.
struct IssueTrackerReceiver: OutboxReceiver {
    let tracker: IssueTrackers.Tracker
    let account: IssueTrackers.Account
    /// Reads a remembered value (the issue opened for a cluster).
    let lookup: @Sendable (String) -> String?

    var host: String { account.baseURL.host ?? "?" }

    func request(for delivery: WebhookDelivery, timeout: TimeInterval) throws(NotSendable) -> URLRequest {
        let write: IssueTrackerWrite
        do {
            write = try JSONDecoder().decode(IssueTrackerWrite.self, from: delivery.payload)
        } catch {
            throw NotSendable(description: "not sent: the queued issue is not readable (\(type(of: error)))")
        }
        var issue: String?
        if write.action == .comment {
            guard let known = lookup(IssueTrackers.referenceKey(tracker, clusterID: write.clusterID)) else {
                throw NotSendable(description: "not sent yet: no \(tracker.rawValue) issue is known for cluster \(write.clusterID)",
                                  later: true)
            }
            issue = known
        }
        let path: String
        let body: [String: Any]
        let authorization: String
        switch tracker {
        case .linear:
            path = "/graphql"
            authorization = account.secret
            if let issue {
                body = ["query": "mutation CommentCreate($input: CommentCreateInput!) { commentCreate(input: $input) { success comment { id } } }",
                        "variables": ["input": ["issueId": issue, "body": write.body]]]
            } else {
                body = ["query": "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier url } } }",
                        "variables": ["input": ["teamId": account.container, "title": write.title, "description": write.body]]]
            }
        case .jira:
            authorization = "Basic " + Data("\(account.user):\(account.secret)".utf8).base64EncodedString()
            if let issue {
                path = "/rest/api/3/issue/\(issue)/comment"
                body = ["body": Self.document(write.body)]
            } else {
                path = "/rest/api/3/issue"
                body = ["fields": ["project": ["key": account.container], "issuetype": ["name": "Bug"], "summary": write.title,
                                   "description": Self.document(write.body), "labels": ["bug", "loopdesk"]]]
            }
        }
        guard let url = URL(string: account.baseURL.absoluteString + path),
              let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else {
            throw NotSendable(description: "not sent: cannot form the \(tracker.rawValue) request")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = data
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        request.setValue("loopdesk", forHTTPHeaderField: "User-Agent")
        return request
    }

    func verdict(status: Int, header: (String) -> String?, body: Data, now: Date) -> DeliveryVerdict {
        let verdict = HelpdeskResponse.verdict(status: status, service: tracker.rawValue,
                                               credentials: IssueTrackers.environmentVariables(tracker), header: header, now: now)
        // GraphQL answers 200 with "errors" for a refused mutation: not delivered.
        if verdict == .delivered, tracker == .linear, let object = Self.json(body) {
            if let errors = object["errors"] as? [[String: Any]], !errors.isEmpty {
                let message = (errors.first?["message"] as? String).map { String($0.prefix(200)) } ?? "an error"
                return .retry(reason: "linear GraphQL error: \(message)", wait: .backoff)
            }
        }
        return verdict
    }

    func reference(after delivery: WebhookDelivery, body: Data) -> (key: String, value: String)? {
        guard let write = try? JSONDecoder().decode(IssueTrackerWrite.self, from: delivery.payload), write.action == .create,
              let object = Self.json(body) else { return nil }
        let issue: String?
        switch tracker {
        case .linear: issue = ((object["data"] as? [String: Any])?["issueCreate"] as? [String: Any]).flatMap { ($0["issue"] as? [String: Any])?["id"] as? String }
        case .jira: issue = object["key"] as? String
        }
        guard let issue, HelpdeskComment.isValidTicketID(issue) else { return nil }
        return (IssueTrackers.referenceKey(tracker, clusterID: write.clusterID), issue)
    }

    static func json(_ body: Data) -> [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }

    /// Plain text as an Atlassian Document Format document: a paragraph per line.
    static func document(_ text: String) -> [String: Any] {
        let paragraphs: [[String: Any]] = text.components(separatedBy: "\n").filter { !$0.isEmpty }.map { line in
            ["type": "paragraph", "content": [["type": "text", "text": line]]]
        }
        return ["type": "doc", "version": 1, "content": paragraphs]
    }
}
