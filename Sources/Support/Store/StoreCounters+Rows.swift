import Foundation

extension StoreCounters {
    /// The counters from the rows of a store's `counters` table (name, value), as every store
    /// keeps them: `asks`, `answers`, `escalations`, `score_sum`, `outbox_pending`,
    /// `outcomes:<kind>`, `open_gaps:<kind>` and `score_bucket:<bound>`. A name it does not know
    /// (a newer version's) is left out. `package` so the stores of this package share it.
    package init(counterRows rows: [(name: String, value: Double)]) {
        self.init()
        let bucketNames = StoreCounters.scoreBucketBounds.map { String(format: "%.1f", $0) } + ["+Inf"]
        for (name, value) in rows {
            let count = Int(value.rounded())
            switch name {
            case "asks": asks = count
            case "answers": answered = count
            case "escalations": escalated = count
            case "score_sum": scoreSum = value
            case "outbox_pending": outboxPending = count
            default:
                if name.hasPrefix("outcomes:"), let kind = OutcomeKind(rawValue: String(name.dropFirst("outcomes:".count))) {
                    outcomes[kind] = count
                } else if name.hasPrefix("open_gaps:"), let kind = GapKind(rawValue: String(name.dropFirst("open_gaps:".count))) {
                    openGaps[kind] = count
                } else if name.hasPrefix("score_bucket:"), let index = bucketNames.firstIndex(of: String(name.dropFirst("score_bucket:".count))) {
                    scoreBuckets[index] = count
                }
            }
        }
    }
}
