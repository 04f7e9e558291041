import Foundation

/// One past ticket from a helpdesk export: a question a customer asked and, if an agent answered it
/// publicly, the answer — the material for seeding the knowledge base and for replaying history.
public struct ImportedTicket: Sendable, Equatable {
    /// The helpdesk's id of the ticket or conversation, as text.
    public var externalID: String
    /// The ticket's subject or conversation title; empty when it had none.
    public var subject: String
    /// The customer's first message, as plain text.
    public var question: String
    /// The last public reply by an agent, as plain text; `nil` when no agent replied publicly.
    public var agentReply: String?
    /// Whether the helpdesk counts the ticket as done (solved, resolved or closed).
    public var resolved: Bool
    /// The ticket's tags: they become the seeded article's tags (and so its topic).
    public var tags: [String]
    /// When the ticket was opened, when the export says.
    public var createdAt: Date?
    /// What the helpdesk measured on it (reply and solve times, reopens, rating), for the baseline.
    public var metrics: TicketMetrics

    /// A ticket as parsed from an export.
    public init(externalID: String, subject: String, question: String, agentReply: String?, resolved: Bool,
                tags: [String] = [], createdAt: Date? = nil, metrics: TicketMetrics = TicketMetrics()) {
        self.externalID = externalID
        self.subject = subject
        self.question = question
        self.agentReply = agentReply
        self.resolved = resolved
        self.tags = tags
        self.createdAt = createdAt
        self.metrics = metrics
    }
}

/// The helpdesk export files ``HelpdeskExports`` reads.
public enum HelpdeskExportFormat: String, Sendable, CaseIterable {
    /// `{"tickets": [...]}` (or a bare array) of Zendesk tickets, each with its `comments` as the
    /// Ticket Comments API returns them (`author_id`, `public`, `plain_body` or `body`).
    case zendesk
    /// An array (or `{"tickets": [...]}`) of Freshdesk tickets, each with its `conversations`
    /// (`incoming`, `private`, `body_text` or `body`), as `GET /api/v2/tickets/{id}?include=conversations` gives them.
    case freshdesk
    /// `{"conversations": [...]}` of Intercom conversations with `source` and `conversation_parts`.
    case intercom
    /// A CSV table with the header `id,subject,question,agent_reply,status,tags` (`agent_reply`,
    /// `tags` and `created_at` optional; tags separated by `;` or `|`), and for the roll-out
    /// baseline the optional `first_reply_at`, `solved_at` (ISO 8601), `reopens` and `csat` (1–5).
    case csv
}

/// Reads helpdesk exports into ``ImportedTicket``s.
///
/// | format | question | agent reply | resolved |
/// | --- | --- | --- | --- |
/// | zendesk | first comment by the requester (`author_id == requester_id`), else `description` | last `public` comment by anyone else | `status` solved or closed |
/// | freshdesk | `description_text` (or `description`), else the first `incoming` conversation | last conversation neither `incoming` nor `private` | `status` 4 (resolved) or 5 (closed) |
/// | intercom | `source.body` | last `conversation_parts` part by an `admin` of type `comment`, `close`, `open` or `assignment` with a body (notes are private) | `state` closed |
/// | csv | `question` | `agent_reply` | `status` solved, resolved or closed |
///
/// Bodies go through a simple HTML-to-text step (tags removed, block ends as line breaks, common
/// entities decoded; see `HTMLText`). Tickets without any customer message (e.g. outbound ones)
/// are skipped. Dates are ISO 8601 (Zendesk, Freshdesk, CSV `created_at`) or Unix seconds (Intercom).
public enum HelpdeskExports {
    /// Parses a whole export held in memory: ``HelpdeskExportReader`` fed `data` at once.
    /// - Returns: the tickets in the file's order, minus those without a customer message.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for JSON that does not parse, a document of the wrong
    ///   shape, a ticket without an id, or (CSV) a missing header or a malformed row; each names the ticket.
    public static func parse(_ data: Data, format: HelpdeskExportFormat) throws -> [ImportedTicket] {
        var reader = HelpdeskExportReader(format: format, maxRecordBytes: max(data.count, 1))
        return try reader.read(data) + reader.finish()
    }

    /// One exported record with what its error messages call it.
    struct Record {
        let value: ImportJSON
        let name: String
        let id: String
    }

    /// The key of the record array in a JSON export's top-level object (`tickets`, `conversations`);
    /// nil for CSV.
    static func recordKey(of format: HelpdeskExportFormat) -> String? {
        switch format {
        case .zendesk, .freshdesk: "tickets"
        case .intercom: "conversations"
        case .csv: nil
        }
    }

    /// One record of a JSON export, parsed: an object with an `id`.
    /// - Parameters:
    ///   - data: the record's JSON, as ``JSONRecordStream`` cut it out.
    ///   - number: its place in the export, from 1.
    static func record(_ data: Data, number: Int, format: HelpdeskExportFormat) throws -> Record {
        let name = "\(format.rawValue) export, \((recordKey(of: format) ?? "record").dropLast()) \(number)"
        let value = try ImportJSON.parse(data, what: name)
        guard value.isObject else { throw SupportError.invalidRequest("\(name): expected an object, found \(value.kindName)") }
        guard let id = value["id"]?.nonEmptyText else { throw SupportError.invalidRequest("\(name): \"id\" is missing") }
        return Record(value: value, name: name, id: id)
    }

    /// The ticket a JSON record holds, if it has a customer message.
    static func ticket(_ record: Record, format: HelpdeskExportFormat) -> ImportedTicket? {
        switch format {
        case .zendesk: zendesk(record)
        case .freshdesk: freshdesk(record)
        case .intercom: intercom(record)
        case .csv: nil
        }
    }

    private static func zendesk(_ record: Record) -> ImportedTicket? {
        let ticket = record.value
        let requester = ticket["requester_id"]?.text
        let comments = ticket["comments"]?.array ?? []
        func body(_ comment: ImportJSON) -> String { firstText(comment, ["plain_body", "body", "html_body"]) }
        let question = comments.first { requester != nil && $0["author_id"]?.text == requester }.map(body)
            ?? plainText(ticket["description"])
        let reply = comments.last { $0["public"]?.bool != false && $0["author_id"]?.text != requester && !body($0).isEmpty }
        return imported(record, subject: firstText(ticket, ["subject", "raw_subject"]), question: question,
                        agentReply: reply.map(body), resolved: ["solved", "closed"].contains(ticket["status"]?.text?.lowercased()),
                        tags: strings(ticket["tags"]), createdAt: isoDate(ticket["created_at"]), metrics: zendeskMetrics(ticket))
    }

    private static func freshdesk(_ record: Record) -> ImportedTicket? {
        let ticket = record.value
        let conversations = ticket["conversations"]?.array ?? []
        func body(_ value: ImportJSON) -> String { firstText(value, ["body_text", "body"]) }
        var question = firstText(ticket, ["description_text", "description"])
        if question.isEmpty, let first = conversations.first(where: { $0["incoming"]?.bool == true }) { question = body(first) }
        let reply = conversations.last { $0["incoming"]?.bool == false && $0["private"]?.bool != true && !body($0).isEmpty }
        let status = ticket["status"]?.integer
        return imported(record, subject: plainText(ticket["subject"]), question: question, agentReply: reply.map(body),
                        resolved: status == 4 || status == 5, tags: strings(ticket["tags"]), createdAt: isoDate(ticket["created_at"]),
                        metrics: freshdeskMetrics(ticket))
    }

    /// Intercom part types by an admin that can carry a public message (a `note` is private).
    private static let intercomReplyParts: Set<String> = ["comment", "close", "open", "assignment"]

    private static func intercom(_ record: Record) -> ImportedTicket? {
        let conversation = record.value
        let parts = conversation[path: "conversation_parts", "conversation_parts"]?.array ?? []
        let reply = parts.last { part in
            part[path: "author", "type"]?.text == "admin" && intercomReplyParts.contains(part["part_type"]?.text ?? "")
                && !plainText(part["body"]).isEmpty
        }
        let tags = (conversation[path: "tags", "tags"]?.array ?? []).compactMap { $0["name"]?.nonEmptyText }
        let created = conversation["created_at"]?.integer.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        let title = firstText(conversation, ["title"])
        let subject = title.isEmpty ? plainText(conversation[path: "source", "subject"]) : title
        return imported(record, subject: subject, question: plainText(conversation[path: "source", "body"]),
                        agentReply: reply.map { plainText($0["body"]) }, resolved: conversation["state"]?.text == "closed",
                        tags: tags, createdAt: created, metrics: intercomMetrics(conversation))
    }

    /// The tickets of a CSV export, or of one chunk of it (its header row and some rows).
    /// - Parameter lineOffset: what to add to the chunk's line numbers to get the export's.
    static func csv(_ data: Data, lineOffset: Int = 0) throws -> [ImportedTicket] {
        let source = "csv export"
        let table = try ImportCSVTable(data: data, source: source, required: ["id", "subject", "question", "status"],
                                       optional: ["agent_reply", "tags", "created_at", "first_reply_at", "solved_at", "reopens", "csat"],
                                       lineOffset: lineOffset)
        return try table.rows.compactMap { row in
            guard !row["id"].isEmpty else { throw SupportError.invalidRequest("\(source) line \(row.line): \"id\" is empty") }
            let createdAt: Date?
            if row["created_at"].isEmpty {
                createdAt = nil
            } else if let date = isoDate(.string(row["created_at"])) {
                createdAt = date
            } else {
                throw SupportError.invalidRequest("\(source) line \(row.line): created_at \"\(row["created_at"])\" is not an ISO 8601 date")
            }
            let metrics = try csvMetrics(row, createdAt: createdAt, source: source)
            guard !row["question"].isEmpty else { return nil }
            let reply = row["agent_reply"]
            return ImportedTicket(externalID: row["id"], subject: row["subject"], question: row["question"],
                                  agentReply: reply.isEmpty ? nil : reply,
                                  resolved: ["solved", "resolved", "closed"].contains(row["status"].lowercased()),
                                  tags: ImportCSVTable.tags(row["tags"]), createdAt: createdAt, metrics: metrics)
        }
    }

    // MARK: Shared

    private static func imported(_ record: Record, subject: String, question: String, agentReply: String?, resolved: Bool,
                                 tags: [String], createdAt: Date?, metrics: TicketMetrics) -> ImportedTicket? {
        guard !question.isEmpty else { return nil }
        return ImportedTicket(externalID: record.id, subject: subject, question: question, agentReply: agentReply,
                              resolved: resolved, tags: tags, createdAt: createdAt, metrics: metrics)
    }

    private static func plainText(_ value: ImportJSON?) -> String {
        guard case let .string(text)? = value else { return "" }
        return HTMLText.plain(text)
    }

    /// The plain text of the first of `keys` whose value has any text: exports often carry an empty
    /// plain-text field beside a filled HTML one.
    private static func firstText(_ value: ImportJSON, _ keys: [String]) -> String {
        for key in keys {
            let text = plainText(value[key])
            if !text.isEmpty { return text }
        }
        return ""
    }

    private static func strings(_ value: ImportJSON?) -> [String] {
        (value?.array ?? []).compactMap(\.nonEmptyText)
    }

    /// An ISO 8601 date-time with or without fractional seconds.
    static func isoDate(_ value: ImportJSON?) -> Date? {
        guard let text = value?.nonEmptyText else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
