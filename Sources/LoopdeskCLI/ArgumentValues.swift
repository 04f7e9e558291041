import ArgumentParser
import Foundation
import Replay
import Support

// The values the commands take from the command line, parsed by ArgumentParser itself so that
// a wrong one is refused before `run()` with the option's name and, for a closed set, its choices.
// Those `loopdesk-core` takes too (the log level) are in the CommandLineValues module.

extension HelpdeskExportFormat: ExpressibleByArgument {}

extension OutcomeKind: ExpressibleByArgument {}

extension ReplayScenario.HeldBackMode: ExpressibleByArgument {}

/// An ISO 8601 date-time on the command line (`--deployed-at 2025-01-31T09:00:00Z`, `--clock-from`).
struct ISODateArgument: ExpressibleByArgument {
    let date: Date

    init?(argument: String) {
        guard let date = try? Date(argument, strategy: .iso8601) else { return nil }
        self.date = date
    }
}

/// A replay world with a name (`loopdesk replay --scenario`).
enum NamedScenario: String, CaseIterable, ExpressibleByArgument {
    /// ``ReplayScenario/productUpdates(days:seed:)``.
    case productUpdates = "product-updates"
}

/// One `key=value` of `loopdesk ask --context`: the key up to the first `=`, the value after it
/// (which may hold more `=`, or be empty).
struct ContextPair: ExpressibleByArgument, Equatable {
    var key: String
    var value: String

    init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        self.init(key: String(argument[..<equals]), value: String(argument[argument.index(after: equals)...]))
    }

    var defaultValueDescription: String { key + "=" + value }
}

/// `--target-wrong-rate`, checked the same way by `up`, `serve` and `replay`.
enum TargetWrongRate {
    /// Refuses a target outside ``EscalationPolicy/Configuration/targetWrongRateRange``.
    static func validate(_ rate: Double) throws {
        let range = EscalationPolicy.Configuration.targetWrongRateRange
        guard range.contains(rate) else {
            throw ValidationError("--target-wrong-rate must be a fraction in \(range.lowerBound)…\(range.upperBound) (0.02 is 2 %), not \(rate)")
        }
    }
}
