import ArgumentParser
import CoreServer
import Foundation
import Ranking
import VectorIndex

/// `loopdesk-core eval-policy`: counterfactual evaluation of a ranking policy
/// on a collection's logged impressions (docs/RANKING.md, "Counterfactual evaluation").
struct EvalPolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-policy",
        abstract: "Estimate with IPS and self-normalised IPS how the logging policy and a target policy do on a collection's logged impressions.",
        discussion: """
        Restores the collection's ranker from its newest snapshot and write-ahead log. The data directory must not be \
        in use: stop the daemon first, or copy the directory (cp -a DATA COPY) and point --data at the copy.
        """
    )

    @Option(help: "Data directory of a stopped core (or a copy of a running one's).") var data: String
    @Option(help: "Collection whose impressions to evaluate.") var collection: String
    @Option(help: "Target weights by feature name, e.g. best_similarity=4,bias=-2,lexical_overlap=1 (unnamed features weigh 0; default: the learned weights).")
    var weights: NamedWeights?
    @Option(help: "Target policy's exploration rate ε in [0, 1].") var exploration: Double = 0
    @Option(help: "z of the confidence intervals (1.96: 95 %).") var z: Double = 1.96
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        if let name = weights?.unknownFeature {
            throw ValidationError("--weights: unknown feature \"\(name)\"; features are \(FeatureSchema.names.joined(separator: ", "))")
        }
    }

    func run() throws {
        let directory: DataDirectory
        do {
            directory = try DataDirectory(path: data)
        } catch PersistenceError.locked {
            throw ValidationError("""
                \(data) is locked by a running loopdesk-core. Stop it (SIGTERM snapshots and exits), or evaluate a copy: \
                cp -a \(data) /tmp/core-copy && loopdesk-core eval-policy --data /tmp/core-copy --collection \(collection)
                """)
        }
        guard directory.collectionNames().contains(collection) else {
            throw ValidationError("no collection \"\(collection)\" in \(data) (has: \(directory.collectionNames().sorted().joined(separator: ", ")))")
        }
        let opened = try OfflineCollection(directory, name: collection)
        defer { try? opened.close() }
        guard let ranker = opened.ranker else { throw ValidationError("the collection has no ranker") }

        let logging = try TargetPolicy(weights: ranker.weights, explorationRate: ranker.configuration.explorationRate)
        let target: TargetPolicy
        if let weights {
            target = try TargetPolicy(namedWeights: weights.weights, explorationRate: exploration)
        } else {
            target = try TargetPolicy(weights: ranker.weights, explorationRate: exploration)
        }
        let estimates = [("logging", ranker.evaluate(logging, z: z)), ("target", ranker.evaluate(target, z: z))]
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let document = Dictionary(uniqueKeysWithValues: estimates)
            print(String(decoding: try encoder.encode(document), as: UTF8.self))
            return
        }
        let stats = ranker.stats()
        print("collection \(collection): \(stats.liveImpressions) impressions kept, \(stats.updates) feedback updates; logging ε = \(ranker.configuration.explorationRate)")
        print("note: the logging policy is evaluated with today's weights on impressions logged under earlier ones;")
        print("      with ε = 0 logging, a target that disagrees with a logged choice has no support (log with some ε).")
        for (name, e) in estimates {
            print(name.padding(toLength: 8, withPad: " ", startingAt: 0)
                + String(format: " n %6d  logged %.4f  IPS %.4f [%.4f, %.4f]  SNIPS %.4f [%.4f, %.4f]  ESS %.1f",
                         e.impressions, e.loggedValue, e.ips, e.ipsLower, e.ipsUpper,
                         e.snips, e.snipsLower, e.snipsUpper, e.effectiveSampleSize))
        }
    }
}
