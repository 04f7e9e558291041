import Foundation
import Wire

/// What ``SupportService/importTickets(_:source:progress:)`` did.
public struct TicketImportSummary: Codable, Sendable, Equatable {
    /// Tickets in the export.
    public var tickets = 0
    /// Resolved tickets with an agent reply: the ones that seed knowledge.
    public var seeded = 0
    /// Skipped: not resolved.
    public var skippedUnresolved = 0
    /// Skipped: resolved without a public agent reply.
    public var skippedWithoutReply = 0
    /// Skipped: an id seen earlier in the file.
    public var skippedDuplicateID = 0
    /// Skipped: a reply with too few content words once redacted and stripped of its
    /// greeting and sign-off ("Done!", "Thanks, fixed") — no article, no alias.
    public var skippedShortReply = 0
    /// Private data replaced in the replies that became articles, by kind (`email`, `card`, …).
    public var redacted: [String: Int] = [:]
    /// Articles written for replies not imported before.
    public var articlesCreated = 0
    /// Articles changed: a reply edited since the last import.
    public var articlesUpdated = 0
    /// Articles already present as they are.
    public var articlesUnchanged = 0
    /// Questions added as aliases.
    public var aliasesAdded = 0
    /// Questions already aliases of their article (or repeated within one reply's tickets).
    public var aliasesExisting = 0

    /// An empty summary, filled as the import goes.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case tickets, seeded
        case skippedUnresolved = "skipped_unresolved", skippedWithoutReply = "skipped_without_reply"
        case skippedDuplicateID = "skipped_duplicate_id", skippedShortReply = "skipped_short_reply", redacted
        case articlesCreated = "articles_created"
        case articlesUpdated = "articles_updated", articlesUnchanged = "articles_unchanged"
        case aliasesAdded = "aliases_added", aliasesExisting = "aliases_existing"
    }
}

/// Helpdesk history in: resolved tickets with their final agent reply seed the
/// knowledge base (the reply) and the alias memory (the customer's question).
extension SupportService {
    /// Seeds the knowledge base and the alias memory from helpdesk tickets.
    ///
    /// Each distinct final agent reply (compared after trimming and collapsing
    /// white space) becomes one article, `ticket-<source>-<externalID>` of the
    /// first ticket that gave it, titled by its subject (else its question) and
    /// tagged with its tags; every ticket with that reply adds its question as an
    /// alias of the article. Each reply is redacted first (``ReplyRedactor``: e-mails, phone
    /// and card numbers, IBANs, long digit runs; the greeting and sign-off); unresolved tickets,
    /// tickets without a public reply and replies with too few words left are skipped. Importing the same file again adds nothing: articles are
    /// upserted by id (unchanged ones are left alone) and a question already an
    /// active alias of its article is not added twice.
    ///
    /// - Parameters:
    ///   - tickets: parsed by ``HelpdeskExports/parse(_:format:)``.
    ///   - source: names the helpdesk in article ids (`zendesk`, `freshdesk`, `intercom`, `csv`).
    ///   - progress: called after each batch with (tickets done, tickets in all).
    /// - Returns: counts of what was written and skipped.
    /// - Throws: ``SupportError/invalidArticle(id:reason:)`` when a reply cannot be an article
    ///   (nothing of its batch is written); the store's errors. A core that is down does not
    ///   fail the import: the vectors wait in the outbox.
    @discardableResult
    public func importTickets(_ tickets: [ImportedTicket], source: String,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> TicketImportSummary {
        var (summary, groups) = Self.groupByReply(tickets, source: source)
        let known = try knownAliasQuestions()
        var done = summary.tickets - summary.seeded
        progress?(done, summary.tickets)
        for start in stride(from: 0, to: groups.count, by: Self.articleBatchSize) {
            let batch = groups[start..<min(start + Self.articleBatchSize, groups.count)]
            let evidence = LearningEvidence(impressionID: nil, outcome: "ticket_import", source: "import:\(source)", receivedAt: clock.now)
            let written = try await upsertArticles(batch.map(\.article), origin: .ticketImport, evidence: evidence)
            summary.articlesCreated += written.created
            summary.articlesUpdated += written.updated
            summary.articlesUnchanged += written.unchanged
            let pending = try newAliases(in: batch, known: known, summary: &summary)
            if !pending.isEmpty {
                try await seedAliases(pending, evidence: evidence)
                summary.aliasesAdded += pending.count
            }
            done += batch.reduce(0) { $0 + $1.questions.count }
            progress?(done, summary.tickets)
        }
        return summary
    }

    /// One distinct final reply: the article it becomes and the questions of every ticket that got it.
    struct ReplyGroup {
        var article: ArticleInput
        var questions: [String]
    }

    /// The seeding tickets grouped by reply (compared after collapsing white space and
    /// case), in file order, with the skipped ones counted.
    static func groupByReply(_ tickets: [ImportedTicket], source: String) -> (TicketImportSummary, [ReplyGroup]) {
        var summary = TicketImportSummary()
        summary.tickets = tickets.count
        var groups: [ReplyGroup] = []
        var groupOfReply: [String: Int] = [:]
        var seenIDs = Set<String>()
        for ticket in tickets {
            guard seenIDs.insert(ticket.externalID).inserted else { summary.skippedDuplicateID += 1; continue }
            guard ticket.resolved else { summary.skippedUnresolved += 1; continue }
            guard let raw = ticket.agentReply?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else {
                summary.skippedWithoutReply += 1
                continue
            }
            // Nothing private becomes knowledge, and greetings are not answers.
            let prepared = ReplyRedactor.prepare(raw)
            guard let reply = prepared.article else {
                summary.skippedShortReply += 1
                continue
            }
            for (kind, count) in prepared.replaced { summary.redacted[kind.rawValue, default: 0] += count }
            summary.seeded += 1
            let key = reply.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
            if let index = groupOfReply[key] {
                groups[index].questions.append(ticket.question)
                continue
            }
            let subject = ticket.subject.trimmingCharacters(in: .whitespacesAndNewlines)
            let title = titleForAgentArticle(question: subject.isEmpty ? ticket.question : subject)
            groupOfReply[key] = groups.count
            groups.append(ReplyGroup(article: ArticleInput(id: ticketArticleID(source: source, externalID: ticket.externalID),
                                                           title: title, body: reply, tags: ticket.tags),
                                     questions: [ticket.question]))
        }
        return (summary, groups)
    }

    /// The questions of `batch` that are not yet aliases of their article (nor repeated
    /// within their group); the others are counted as existing.
    func newAliases(in batch: ArraySlice<ReplyGroup>, known: Set<AliasKey>,
                    summary: inout TicketImportSummary) throws -> [(articleKey: Int64, question: String)] {
        var pending: [(articleKey: Int64, question: String)] = []
        for group in batch {
            guard let article = try store.article(id: group.article.id) else { continue }
            var added = Set<String>()
            for question in group.questions {
                let normalized = Self.normalizedQuestion(question)
                if known.contains(AliasKey(articleKey: article.key, question: normalized)) || !added.insert(normalized).inserted {
                    summary.aliasesExisting += 1
                } else {
                    pending.append((article.key, question))
                }
            }
        }
        return pending
    }

    /// Embeds the questions, stores them as aliases of their articles in one
    /// transaction with their core upserts, and delivers them.
    func seedAliases(_ pending: [(articleKey: Int64, question: String)], evidence: LearningEvidence) async throws {
        let vectors = embedder.embed(pending.map(\.question))
        let now = clock.now
        let inserted = try writeLearning { w -> [(key: Int64, article: Int64)] in
            var operations: [CoreOperation] = []
            var keys: [(key: Int64, article: Int64)] = []
            for (alias, vector) in zip(pending, vectors) {
                let key = try w.insertAlias(articleKey: alias.articleKey, answerKey: nil, question: alias.question,
                                            vector: vector, origin: .ticketImport, evidence: evidence, context: [], at: now)
                operations.append(.upsert(ids: [VectorIDs.alias(key)], vectors: vector,
                                          groups: [VectorIDs.group(alias.articleKey)], tags: [["alias"]]))
                keys.append((key, alias.articleKey))
            }
            try w.enqueue(operations)
            return keys
        }
        for alias in inserted { aliasDirectory.add(alias: alias.key, article: alias.article, context: []) }
        await outbox.flush()
    }

    /// The article id of a ticket's reply: `ticket-<source>-<externalID>`.
    public static func ticketArticleID(source: String, externalID: String) -> String {
        "ticket-\(source)-\(externalID)"
    }

    /// An alias by article and normalised question: what makes a second import add nothing.
    struct AliasKey: Hashable {
        var articleKey: Int64
        var question: String
    }

    /// A question with its white space collapsed, as aliases are compared.
    static func normalizedQuestion(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Every active alias as (article, question), to leave existing ones alone.
    func knownAliasQuestions() throws -> Set<AliasKey> {
        var out = Set<AliasKey>()
        var after: Int64 = 0
        while true {
            let page = try store.activeAliases(after: after, limit: 1_000)
            guard let last = page.last else { break }
            after = last.key
            for alias in page { out.insert(AliasKey(articleKey: alias.articleKey, question: Self.normalizedQuestion(alias.question))) }
        }
        return out
    }
}
