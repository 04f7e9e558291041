import Foundation
import Logging

/// A log that keeps what a `Logger` built from it emits, for tests that check
/// what a component reports (a failure logged, a success announced).
final class CapturedLog: @unchecked Sendable {
    /// One message as logged.
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lock = NSLock()
    private var entries: [Entry] = []

    /// A logger that records into this log, at every level.
    var logger: Logger {
        var logger = Logger(label: "test.captured") { _ in Handler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Everything logged so far, in order.
    var all: [Entry] { lock.withLock { entries } }

    /// The entries whose message starts with `prefix`.
    func entries(startingWith prefix: String) -> [Entry] { all.filter { $0.message.hasPrefix(prefix) } }

    fileprivate func record(_ entry: Entry) { lock.withLock { entries.append(entry) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            log.record(Entry(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
