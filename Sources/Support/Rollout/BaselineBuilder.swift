import Foundation

/// Counts a pre-deployment helpdesk export into a ``RolloutBaseline``: per topic, the tickets,
/// the solved ones and those reopened, the ratings, and the medians of first-reply and
/// resolution times. It keeps three numbers per ticket at most (the times), so a large export
/// costs little; past ``maxTickets`` it refuses more.
///
/// Definitions (the same for every helpdesk): a ticket is *solved* when the export says it is
/// solved, resolved or closed; a *resolution* is a solved ticket never reopened; the reopen rate
/// is of the solved tickets; CSAT is the share of ratings that were satisfied.
public struct BaselineBuilder: Sendable {
    /// The most tickets one baseline counts.
    public static let maxTickets = 2_000_000

    private struct Counts: Sendable {
        var tickets = 0, solved = 0, resolved = 0, reopened = 0, csatCount = 0, csatSatisfied = 0
        var firstReply: [Double] = [], resolution: [Double] = []
    }

    private var topics: [String: Counts] = [:]
    /// Tickets counted so far.
    public private(set) var tickets = 0
    private var first: Date?
    private var last: Date?

    /// An empty baseline.
    public init() {}

    /// Counts one ticket under `topic`.
    /// - Throws: ``SupportError/tooLarge(_:)`` past ``maxTickets``.
    public mutating func add(_ ticket: ImportedTicket, topic: String) throws {
        guard tickets < Self.maxTickets else {
            throw SupportError.tooLarge("a baseline counts at most \(Self.maxTickets) tickets")
        }
        tickets += 1
        var counts = topics[topic] ?? Counts()
        counts.tickets += 1
        let reopened = (ticket.metrics.reopens ?? 0) > 0
        if ticket.resolved {
            counts.solved += 1
            if reopened { counts.reopened += 1 } else { counts.resolved += 1 }
            if let seconds = ticket.metrics.resolutionSeconds, seconds.isFinite { counts.resolution.append(max(0, seconds)) }
        }
        if let seconds = ticket.metrics.firstReplySeconds, seconds.isFinite { counts.firstReply.append(max(0, seconds)) }
        if let satisfied = ticket.metrics.satisfied {
            counts.csatCount += 1
            if satisfied { counts.csatSatisfied += 1 }
        }
        topics[topic] = counts
        if let created = ticket.createdAt {
            first = min(first ?? created, created)
            last = max(last ?? created, created)
        }
    }

    /// The baseline of every ticket counted, busiest topic first.
    public func baseline(source: String, importedAt: Date) -> RolloutBaseline {
        let rows = topics.map { topic, counts in
            BaselineTopic(topic: topic, tickets: counts.tickets, solved: counts.solved, resolved: counts.resolved,
                          reopened: counts.reopened, csatCount: counts.csatCount, csatSatisfied: counts.csatSatisfied,
                          medianFirstReplySeconds: RolloutReport.median(counts.firstReply),
                          medianResolutionSeconds: RolloutReport.median(counts.resolution))
        }.sorted { ($0.tickets, $1.topic) > ($1.tickets, $0.topic) }
        return RolloutBaseline(source: source, importedAt: importedAt, firstTicketAt: first, lastTicketAt: last, topics: rows)
    }
}
