import Foundation
import Hummingbird
import Support

/// What the service taught itself, and taking it back:
///
/// - `GET /v1/learned?kind=alias|article&since=…&limit=…` — newest first; `since` is an ISO 8601
///   date (`2026-12-01`) or date-time (`2026-12-01T09:00:00Z`); `limit` 1–1000, default 50.
/// - `DELETE /v1/learned/{id}` — undoes one (``SupportService/undoLearned(id:)``) and answers
///   with the item as it is now; 404 for an unknown id, 409 for one already taken back.
struct LearnedRoutes: RouteGroup {
    let service: SupportService

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/v1/learned") { request, _ -> Response in
            let query = try LearnedQuery(request)
            let items = try service.learnedItems(kind: query.kind, since: query.since, limit: query.limit)
            return JSONBody.response(LearnedListJSON(items: items.map(LearnedItemJSON.init)))
        }
        router.delete("/v1/learned/:id") { _, context -> Response in
            let raw = try context.parameters.require("id")
            let item = try await service.undoLearned(id: raw.removingPercentEncoding ?? raw)
            return JSONBody.response(LearnedItemJSON(item))
        }
    }
}

/// The query of `GET /v1/learned` (and of the dashboard's page).
public struct LearnedQuery {
    var kind: LearnedItem.Kind?
    var since: Date?
    var limit: Int

    /// - Throws: ``APIError/invalidRequest(_:)`` naming the parameter that cannot be read.
    init(_ request: Request) throws {
        limit = try request.integerQueryParameter("limit", default: 50, range: 1...SupportService.maxLearnedPage)
        if let raw = request.uri.queryParameters.get("kind") {
            guard let kind = LearnedItem.Kind(rawValue: String(raw)) else {
                throw APIError.invalidRequest("query parameter kind=\(raw) must be alias or article")
            }
            self.kind = kind
        }
        if let raw = request.uri.queryParameters.get("since") {
            guard let since = Self.date(String(raw)) else {
                throw APIError.invalidRequest("query parameter since=\(raw) must be an ISO 8601 date (2026-12-01) or date-time (2026-12-01T09:00:00Z)")
            }
            self.since = since
        }
    }

    /// An ISO 8601 date-time (with or without fractional seconds) or a UTC date.
    public static func date(_ text: String) -> Date? {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }
}

/// `GET /v1/learned`'s body.
public struct LearnedListJSON: Codable, Sendable {
    public var items: [LearnedItemJSON]

    /// A list as the API answers it.
    public init(items: [LearnedItemJSON]) { self.items = items }
}

/// One learned item as the API shows it.
public struct LearnedItemJSON: Codable, Sendable {
    /// `alias-<n>` or `article-<n>`, what `DELETE /v1/learned/{id}` takes.
    public var id: String
    /// `alias` or `article`.
    public var kind: String
    /// The customer's words (aliases only).
    public var question: String?
    /// The article it teaches (an alias votes for it).
    public var article: ArticleReference
    /// `resolved`, `corrected`, `agent_reply`, `ticket_import`, or `escalated` (an example handled without an article).
    public var origin: String
    /// The impression, the outcome event (with the helpdesk's event id), its source, when; absent for
    /// items learned before evidence was kept.
    public var evidence: LearningEvidence?
    /// When it was learned.
    public var createdAt: Date
    /// An alias: `active`, `reopened`, `undone`, `moved`, `superseded`, or its article's `archived`/`draft`.
    /// An article: `published`, `draft` or `archived`.
    public var status: String

    /// The API's view of a learned item.
    public init(_ item: LearnedItem) {
        id = item.id
        kind = item.kind.rawValue
        question = item.question
        article = item.article
        origin = item.origin.rawValue
        evidence = item.evidence
        createdAt = item.createdAt
        status = item.status
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, question, article, origin, evidence, status
        case createdAt = "created_at"
    }
}
