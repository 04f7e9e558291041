import Foundation

/// One labelled question of a replayed stream (a line of the tickets JSONL:
/// `{"text": …, "label": …, "day": …, "context": {…}}`).
public struct ReplayTicket: Codable, Sendable, Equatable {
    /// The customer's question.
    public var text: String
    /// The topic the question belongs to: the `label` of the article that answers
    /// it, or ``ReplayDataset/outOfScopeLabel`` when no article can.
    public var label: String
    /// The simulated day it arrives on (0-based); `nil` to let the loader spread it.
    public var day: Int?
    /// Account context (plan, page, …) passed to the service as `context`.
    public var context: [String: String]?

    /// A ticket.
    public init(text: String, label: String, day: Int? = nil, context: [String: String]? = nil) {
        self.text = text
        self.label = label
        self.day = day
        self.context = context
    }

    /// Whether a right answer exists for the question.
    public var isInScope: Bool { label != ReplayDataset.outOfScopeLabel }
}

/// One article of the replayed knowledge base (a line of the articles JSONL:
/// `{"id": …, "title": …, "body": …, "label": …}`).
public struct ReplayArticle: Codable, Sendable, Equatable {
    /// The article's id in the knowledge base.
    public var id: String
    /// Its title.
    public var title: String
    /// Its body, paragraphs separated by blank lines.
    public var body: String
    /// The ticket label this article answers.
    public var label: String

    /// An article.
    public init(id: String, title: String, body: String, label: String) {
        self.id = id
        self.title = title
        self.body = body
        self.label = label
    }

    /// The text an agent would write for this label when the article is missing from the KB.
    public var agentReplyText: String { title + "\n" + body }
}

/// A labelled ticket stream and the articles that answer it: what a replay
/// runs on, from the two JSONL files or from a converter (``CLINC150``).
///
/// Nothing here knows a particular data set: any labelled tickets and any
/// articles with matching labels replay the same way.
public struct ReplayDataset: Sendable, Equatable {
    /// The label of out-of-scope questions: no right answer exists.
    public static let outOfScopeLabel = "oos"

    /// The tickets in arrival order.
    public var tickets: [ReplayTicket]
    /// The articles; at most one per label is used (the first).
    public var articles: [ReplayArticle]

    /// A data set in memory (converters and tests build them).
    public init(tickets: [ReplayTicket], articles: [ReplayArticle]) {
        self.tickets = tickets
        self.articles = articles
    }

    /// Reads the tickets and the articles JSONL files.
    /// - Throws: ``ReplayError/unreadable(path:reason:)`` or
    ///   ``ReplayError/malformedLine(path:line:reason:)`` naming the first bad line.
    public static func load(ticketsPath: String, articlesPath: String) throws -> ReplayDataset {
        let tickets = try decodeLines(ReplayTicket.self, text: readText(ticketsPath), path: ticketsPath)
        let articles = try decodeLines(ReplayArticle.self, text: readText(articlesPath), path: articlesPath)
        return ReplayDataset(tickets: tickets, articles: articles)
    }

    /// Decodes JSONL: one JSON object per non-blank line.
    /// - Parameters:
    ///   - type: the object type of each line.
    ///   - text: the file's contents.
    ///   - path: the file's name, for errors.
    /// - Throws: ``ReplayError/malformedLine(path:line:reason:)`` for the first line that does not decode.
    public static func decodeLines<T: Decodable>(_ type: T.Type, text: String, path: String) throws -> [T] {
        let decoder = JSONDecoder()
        var values: [T] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            do {
                values.append(try decoder.decode(T.self, from: Data(trimmed.utf8)))
            } catch {
                throw ReplayError.malformedLine(path: path, line: offset + 1, reason: describe(error))
            }
        }
        return values
    }

    /// The day each ticket arrives on, in `0..<days`: a ticket's own `day` when
    /// it has one (clamped into the run), otherwise the tickets without a day
    /// are spread evenly over the run in file order (the k-th of m on day ⌊k·days/m⌋).
    /// - Parameter days: the run's length; at least 1.
    /// - Returns: one day per ticket, in ticket order.
    public func arrivalDays(days: Int) -> [Int] {
        let undated = tickets.reduce(0) { $0 + ($1.day == nil ? 1 : 0) }
        var k = 0
        return tickets.map { ticket in
            if let day = ticket.day { return min(max(day, 0), days - 1) }
            defer { k += 1 }
            return k * days / max(undated, 1)
        }
    }

    /// The article that answers each label (the first one given for it).
    public var articleByLabel: [String: ReplayArticle] {
        var byLabel: [String: ReplayArticle] = [:]
        for article in articles where byLabel[article.label] == nil { byLabel[article.label] = article }
        return byLabel
    }

    static func readText(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReplayError.unreadable(path: path, reason: error.localizedDescription)
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): "missing field \"\(key.stringValue)\""
        case let DecodingError.typeMismatch(type, context):
            "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is not a \(type)"
        case let DecodingError.valueNotFound(_, context):
            "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is null"
        case DecodingError.dataCorrupted: "not a JSON object"
        default: "\(error)"
        }
    }
}
