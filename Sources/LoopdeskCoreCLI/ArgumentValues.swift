import ArgumentParser
import Foundation
import Ranking
import VectorIndex

// The values `loopdesk-core`'s commands take from the command line, parsed by
// ArgumentParser itself so that a wrong one is refused before `run()` with the
// option's name and, for a closed set, its choices. (The log level, which
// `loopdesk` takes too, is in the CommandLineValues module.)

/// `--metric cosine|ip|l2` (and the spellings ``Metric/init(name:)`` accepts).
extension Metric: ExpressibleByArgument {
    /// The metric `argument` names, in any spelling ``Metric/init(name:)`` knows.
    public init?(argument: String) { self.init(name: argument) }
}

/// `--storage f32|f16|int8`.
extension VectorStorage: ExpressibleByArgument {}

/// `--fsync always|everysec|no`.
extension FsyncPolicy: ExpressibleByArgument {}

/// Permission bits of a socket file, written in octal (`--socket-mode 0600`).
struct SocketMode: ExpressibleByArgument, Equatable {
    /// The bits, at most `0o777`.
    var bits: UInt32

    init(bits: UInt32) { self.bits = bits }

    init?(argument: String) {
        guard let bits = UInt32(argument, radix: 8), bits <= 0o777 else { return nil }
        self.bits = bits
    }

    var defaultValueDescription: String {
        let digits = String(bits, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// Comma-separated integers (`--ef 10,16,24`); each command checks their range.
struct IntegerList: ExpressibleByArgument, Equatable {
    var values: [Int]

    init(_ values: [Int]) { self.values = values }

    init?(argument: String) {
        var values: [Int] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(value)
        }
        self.values = values
    }

    var defaultValueDescription: String { values.map(String.init).joined(separator: ",") }
}

/// Feature weights by name, `name=value,name=value` (`eval-policy --weights`);
/// the names are checked against the ranker's schema by the command.
struct NamedWeights: ExpressibleByArgument, Equatable {
    var weights: [String: Double]

    init?(argument: String) {
        var weights: [String: Double] = [:]
        for pair in argument.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = Double(parts[1].trimmingCharacters(in: .whitespaces)) else { return nil }
            weights[parts[0].trimmingCharacters(in: .whitespaces)] = value
        }
        self.weights = weights
    }

    /// The first name that is not one of the ranker's features, if any.
    var unknownFeature: String? { weights.keys.sorted().first { FeatureSchema.index(of: $0) == nil } }
}

/// What one `bench wire-client` process measures.
enum WireBenchMode: String, CaseIterable, ExpressibleByArgument, Codable {
    case ping
    case search
}
