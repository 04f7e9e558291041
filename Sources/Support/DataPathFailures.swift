import Foundation
import Logging
import Primitives

/// A place on a data path where a failure does not stop the request it happens in, and so
/// must not go unseen: each is counted (``DataPathFailures``, `loopdesk_data_path_failures_total{path}`
/// in `/metrics`) and logged.
public enum DataPathFailure: String, CaseIterable, Sendable {
    /// Recording the result of a core outbox delivery (completed, failed) in the store.
    case outboxRecord = "outbox_record"
    /// Reading how many core operations wait, for background delivery.
    case outboxCount = "outbox_count"
    /// Moving "handled without an article" aliases onto a newly written article.
    case aliasAdoption = "alias_adoption"
    /// Encoding or decoding an article's stored tags.
    case storedTags = "stored_tags"
    /// A learned item's evidence that could not be encoded or read back.
    case storedEvidence = "stored_evidence"
    /// A stored answer's or alias's hashed context that could not be read back.
    case storedContext = "stored_context"
    /// Encoding a conversation's context for the store.
    case conversationContext = "conversation_context"
    /// Reading the webhook outbox to schedule the next retry.
    case webhookSchedule = "webhook_schedule"
    /// Reading or keeping the issue a tracker opened for a bug cluster (its comments need it).
    case trackerReference = "tracker_reference"
    /// Asking the core whether a gap's questions are covered now.
    case gapCoverage = "gap_coverage"
    /// Encoding an HTTP response body.
    case responseEncoding = "response_encoding"
}

/// Counts of ``DataPathFailure``s in this process, for `/metrics`, with one log line per failure.
///
/// One set per process (``shared``): the failures happen in places (row decoding, a background
/// retry) that have no service at hand to report to. Thread-safe.
public final class DataPathFailures: Sendable {
    /// The process's counts.
    public static let shared = DataPathFailures()

    private let counts = Locked([DataPathFailure: Int]())
    private let fallbackLogger = Logger(label: "loopdesk.support")

    /// Empty counts (tests make their own; the service uses ``shared``).
    public init() {}

    /// Counts a failure at `path` and logs it at `error` level.
    /// - Parameters:
    ///   - what: what was being done, for the log line.
    ///   - logger: where to log; the module's own logger when nil.
    public func record(_ path: DataPathFailure, _ error: any Error, what: String, logger: Logger? = nil) {
        counts.withLock { $0[path, default: 0] += 1 }
        (logger ?? fallbackLogger).error("\(what) failed: \(error)", metadata: ["data_path_failure": .string(path.rawValue)])
    }

    /// Failures counted at `path` so far.
    public func count(_ path: DataPathFailure) -> Int {
        counts.withLock { $0[path] ?? 0 }
    }

    /// Every path's count, zero included.
    public var snapshot: [DataPathFailure: Int] {
        counts.withLock { counts in Dictionary(uniqueKeysWithValues: DataPathFailure.allCases.map { ($0, counts[$0] ?? 0) }) }
    }
}
