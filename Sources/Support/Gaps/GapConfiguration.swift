import Foundation

/// Settings of knowledge-gap and bug-cluster tracking (``GapTracker``).
///
/// The defaults were measured with MiniLM on CLINC150 (docs and numbers in
/// `Tests/SupportTests/GapMeasurementTests.swift`); with the hashed fallback
/// embedder the similarities are on another scale and clustering is coarse.
public struct GapConfiguration: Sendable {
    /// Tracking on. Off, nothing is clustered and no event is written.
    public var enabled = true
    /// The core collection holding the centroids of open clusters (id = cluster id).
    public var collection = "gaps"
    /// A question joins the nearest open cluster of its kind whose centroid is within
    /// this cosine distance (1 − cos) — wider while the cluster is small
    /// (``GapMath/joinRadius(_:count:)``: 0.70 for a lone question, 0.59 at 3, 0.50 at 10);
    /// two open clusters whose centroids come this close merge.
    /// 0.45 measured: 30 CLINC150 intents × 20 interleaved questions give 88.3 % purity
    /// with 23 of 30 intents kept ≥ 15/20 in one cluster (0.40: 95.5 %, 21/30). The fixed
    /// radius gave 95.8 % purity, but a new product's first three questions (cos 0.40–0.56
    /// to each other) opened three gaps; the wider young radius flags 23 of 30 released
    /// labels in the `product-updates` replay instead of 13 (Benchmarks/RESULTS.md, issue 17).
    public var radius = 0.45
    /// A question whose best knowledge-base match (article or alias) is at least this
    /// cosine similarity counts as covered: escalating it is a confidence problem of
    /// the policy, not a hole in the knowledge base. Also the bar a gap's questions
    /// must clear against the knowledge base for an added article to close the gap.
    /// 0.40 measured (best Youden's J): 86.5 % of CLINC150 oos_test questions fall
    /// under it against a 150-article knowledge base, 14.8 % of in-scope ones.
    public var coveredSimilarity = 0.40
    /// A changed article also covers a gap question when it is the question's nearest
    /// knowledge-base vector at this similarity or more: the article RANK would now put
    /// first. Lower than ``coveredSimilarity`` because a gap's questions were, by
    /// definition, far from everything; a CLINC150 article (title and two example
    /// utterances) is 0.21–0.47 from its own intent's questions (median 0.37 on the
    /// held-out `weather` burst), so the bar that opens a gap cannot be the one that closes it.
    public var closeSimilarity = 0.30
    /// A gap closes when at least this fraction of its questions are covered after an article change.
    public var closeFraction = 0.5
    /// Questions shown per cluster (the newest).
    public var questionsShown = 10
    /// A `gap.threshold` event is written when a gap reaches this many questions.
    public var gapEventThreshold = 10
    /// A `bug.threshold` event is written when a bug cluster gets this many questions ...
    public var bugEventThreshold = 5
    /// ... within this many seconds.
    public var bugWindow: TimeInterval = 24 * 3600
    /// Use the lexical defect detector (``DefectDetector``) besides the helpdesk's tags.
    public var detectDefects = true
    /// Where `bug.threshold` events are POSTed; nil keeps them in the outbox only.
    /// ``GapConfiguration/init(environment:)`` reads `LOOPDESK_BUG_WEBHOOK`.
    public var bugWebhookURL: URL?
    /// Where `gap.threshold` events are POSTed; nil keeps them in the outbox only
    /// (`LOOPDESK_GAP_WEBHOOK`).
    public var gapWebhookURL: URL?
    /// The first retry of a failed webhook waits this long, each next one twice as long ...
    public var webhookBackoff: TimeInterval = 5
    /// ... up to this long.
    public var webhookMaxBackoff: TimeInterval = 3600
    /// Attempts after which a webhook delivery is given up (its row stays, undelivered).
    public var webhookMaxAttempts = 12
    /// Seconds one POST may take.
    public var webhookTimeout: TimeInterval = 10
    /// The secret every webhook body is signed with (``WebhookSignature``: HMAC-SHA256 in
    /// `X-Loopdesk-Signature`), shared with the receivers; `LOOPDESK_WEBHOOK_SECRET`. Without
    /// one, deliveries go unsigned and the service warns when it starts.
    public var webhookSecret: String?

    /// The defaults, with webhook URLs from `LOOPDESK_BUG_WEBHOOK` and `LOOPDESK_GAP_WEBHOOK`
    /// and their secret from `LOOPDESK_WEBHOOK_SECRET`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        bugWebhookURL = environment["LOOPDESK_BUG_WEBHOOK"].flatMap { $0.isEmpty ? nil : URL(string: $0) }
        gapWebhookURL = environment["LOOPDESK_GAP_WEBHOOK"].flatMap { $0.isEmpty ? nil : URL(string: $0) }
        webhookSecret = environment["LOOPDESK_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Checks the webhook URLs: `https`, or `http` to a loopback host only (a receiver on this
    /// machine, or a local TLS-terminating relay), so an event and its signature never cross a
    /// network in clear text.
    /// - Throws: ``SupportError/invalidRequest(_:)`` naming the setting and the host (never the whole URL,
    ///   which may carry a receiver's secret path or query).
    public func validateWebhookURLs() throws {
        for (name, url) in [("LOOPDESK_BUG_WEBHOOK", bugWebhookURL), ("LOOPDESK_GAP_WEBHOOK", gapWebhookURL)] {
            guard let url else { continue }
            if let problem = Self.problem(with: url) {
                throw SupportError.invalidRequest("\(name) (host \(url.host ?? "none")): \(problem)")
            }
        }
    }

    /// Why `url` may not receive webhooks, or nil when it may.
    static func problem(with url: URL) -> String? {
        guard let host = url.host, !host.isEmpty else { return "the URL has no host" }
        switch url.scheme?.lowercased() {
        case "https": return nil
        case "http": return LoopbackHost.isLoopback(host: host) ? nil : "must be https:// (plain http only to localhost, 127.0.0.1 or [::1])"
        default: return "must be an https:// URL"
        }
    }
}
