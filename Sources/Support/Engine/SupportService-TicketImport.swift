import Foundation
import Wire

/// What ``SupportService/importTickets(_:source:progress:)`` did.
public struct TicketImportSummary: Codable, Sendable, Equatable {
    /// Tickets in the export.
    public var tickets = 0
    /// Resolved tickets with an agent reply: the ones that seed knowledge.
    public var seeded = 0
    /// Skipped: not resolved, or resolved without a public agent reply, or an id seen earlier in the file.
    public var skippedUnresolved = 0
    public var skippedWithoutReply = 0
    public var skippedDuplicateID = 0
    /// Articles written, changed (a reply edited since the last import) and already present.
    public var articlesCreated = 0
    public var articlesUpdated = 0
    public var articlesUnchanged = 0
    /// Questions added as aliases, and those already present.
    public var aliasesAdded = 0
    public var aliasesExisting = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case tickets, seeded
        case skippedUnresolved = "skipped_unresolved", skippedWithoutReply = "skipped_without_reply"
        case skippedDuplicateID = "skipped_duplicate_id", articlesCreated = "articles_created"
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
    /// alias of the article. Unresolved tickets and tickets without a public reply
    /// are skipped. Importing the same file again adds nothing: articles are
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
        var summary = TicketImportSummary()
        summary.tickets = tickets.count
        // Group the seeding tickets by reply, in file order.
        var groups: [(article: ArticleInput, questions: [String])] = []
        var groupOfReply: [String: Int] = [:]
        var seenIDs = Set<String>()
        for ticket in tickets {
            guard seenIDs.insert(ticket.externalID).inserted else { summary.skippedDuplicateID += 1; continue }
            guard ticket.resolved else { summary.skippedUnresolved += 1; continue }
            guard let reply = ticket.agentReply?.trimmingCharacters(in: .whitespacesAndNewlines), !reply.isEmpty else {
                summary.skippedWithoutReply += 1
                continue
            }
            summary.seeded += 1
            let key = reply.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
            if let index = groupOfReply[key] {
                groups[index].questions.append(ticket.question)
                continue
            }
            let subject = ticket.subject.trimmingCharacters(in: .whitespacesAndNewlines)
            let title = Self.titleForAgentArticle(question: subject.isEmpty ? ticket.question : subject)
            groupOfReply[key] = groups.count
            groups.append((ArticleInput(id: Self.ticketArticleID(source: source, externalID: ticket.externalID),
                                        title: title, body: reply, tags: ticket.tags), [ticket.question]))
        }
        let known = try knownAliasQuestions()
        var done = summary.tickets - summary.seeded
        progress?(done, summary.tickets)
        for start in stride(from: 0, to: groups.count, by: Self.articleBatchSize) {
            let batch = groups[start..<min(start + Self.articleBatchSize, groups.count)]
            let written = try await upsertArticles(batch.map(\.article), origin: .agentReply)
            summary.articlesCreated += written.created
            summary.articlesUpdated += written.updated
            summary.articlesUnchanged += written.unchanged
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
            if !pending.isEmpty {
                let vectors = embedder.embed(pending.map(\.question))
                let now = clock.now
                let inserted = try store.write { w -> [(key: Int64, article: Int64)] in
                    var operations: [CoreOperation] = []
                    var keys: [(key: Int64, article: Int64)] = []
                    for (alias, vector) in zip(pending, vectors) {
                        let key = try w.insertAlias(articleKey: alias.articleKey, answerKey: nil, question: alias.question,
                                                    vector: vector, at: now)
                        operations.append(.upsert(ids: [VectorIDs.alias(key)], vectors: vector,
                                                  groups: [VectorIDs.group(alias.articleKey)], tags: [["alias"]]))
                        keys.append((key, alias.articleKey))
                    }
                    try w.enqueue(operations)
                    return keys
                }
                for alias in inserted { aliasDirectory.add(alias: alias.key, article: alias.article) }
                summary.aliasesAdded += pending.count
                await outbox.flush()
            }
            done += batch.reduce(0) { $0 + $1.questions.count }
            progress?(done, summary.tickets)
        }
        return summary
    }

    /// The article id of a ticket's reply: `ticket-<source>-<externalID>`.
    public static func ticketArticleID(source: String, externalID: String) -> String {
        "ticket-\(source)-\(externalID)"
    }

    private struct AliasKey: Hashable {
        var articleKey: Int64
        var question: String
    }

    private static func normalizedQuestion(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Every active alias as (article, question), to leave existing ones alone.
    private func knownAliasQuestions() throws -> Set<AliasKey> {
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
