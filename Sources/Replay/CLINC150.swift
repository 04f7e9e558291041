import Foundation

/// The converter from CLINC150 (Larson et al., 2019, "An Evaluation Dataset for
/// Intent Classification and Out-of-Scope Prediction") to a ``ReplayDataset``.
/// The only data-set-specific code of the harness.
///
/// `data_full.json` holds splits `train`, `val`, `test` of in-scope
/// `[utterance, intent]` pairs and `oos_train`, `oos_val`, `oos_test` of
/// out-of-scope ones. The conversion:
/// - one article per intent: id = the intent, title from its name
///   (`card_declined` → `Card declined`), body = the title and the intent's
///   first two training utterances, label = the intent;
/// - tickets: every other in-scope utterance of train, val and test, plus one
///   out-of-scope utterance (label `oos`) for every 19 in-scope tickets, drawn
///   from the three out-of-scope splits; the whole stream shuffled with the seed
///   and left without days (the loader spreads them over the run).
public enum CLINC150 {
    /// The file the converter reads inside the data set's directory.
    public static let fileName = "data_full.json"
    /// In-scope tickets per out-of-scope ticket.
    public static let inScopePerOutOfScope = 19
    /// Training utterances of each intent that go into its article instead of the stream.
    public static let utterancesPerArticle = 2

    static let inScopeSplits = ["train", "val", "test"]
    static let outOfScopeSplits = ["oos_train", "oos_val", "oos_test"]

    /// Reads `directory/data_full.json` and converts it.
    /// - Parameters:
    ///   - directory: the CLINC150 folder (e.g. `../shared/data/clinc150`).
    ///   - seed: the shuffle's seed.
    /// - Throws: ``ReplayError/unreadable(path:reason:)`` or ``ReplayError/malformedDataset(path:reason:)``.
    ///   - domain: one of `domains.json`'s domains to keep (its 15 intents, and out-of-scope
    ///     tickets in the same proportion), or nil for all 150 intents.
    public static func load(directory: String, seed: UInt64, domain: String? = nil) throws -> ReplayDataset {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ReplayError.unreadable(path: path, reason: "\(error.localizedDescription) (expected CLINC150's \(fileName) here)")
        }
        let intents = try domain.map { try self.intents(ofDomain: $0, directory: directory) }
        return try convert(data, seed: seed, path: path, intents: intents)
    }

    /// The file naming each domain's intents, beside `data_full.json`.
    public static let domainsFileName = "domains.json"

    /// The intents of one domain, from `directory/domains.json` (an object of domain → intents).
    /// - Throws: ``ReplayError/unreadable(path:reason:)``, ``ReplayError/malformedDataset(path:reason:)``,
    ///   or ``ReplayError/invalidOption(_:)`` naming the domains there are.
    public static func intents(ofDomain domain: String, directory: String) throws -> Set<String> {
        let path = (directory as NSString).appendingPathComponent(domainsFileName)
        let domains: [String: [String]]
        do {
            domains = try JSONDecoder().decode([String: [String]].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as DecodingError {
            throw ReplayError.malformedDataset(path: path, reason: "expected an object of domain → intents: \(ReplayDataset.describe(error))")
        } catch {
            throw ReplayError.unreadable(path: path, reason: error.localizedDescription)
        }
        guard let intents = domains[domain], !intents.isEmpty else {
            throw ReplayError.invalidOption("no CLINC150 domain \(domain); there are \(domains.keys.sorted().joined(separator: ", "))")
        }
        return Set(intents)
    }

    /// Converts the contents of a `data_full.json`.
    /// - Parameters:
    ///   - data: the JSON object of splits.
    ///   - seed: the shuffle's seed; equal seeds give equal streams.
    ///   - path: the file's name, for errors.
    /// - Throws: ``ReplayError/malformedDataset(path:reason:)`` when the splits are missing or not pairs.
    ///   - intents: the intents to keep, nil for all; out-of-scope tickets stay one per 19 kept.
    public static func convert(_ data: Data, seed: UInt64, path: String = fileName, intents: Set<String>? = nil) throws -> ReplayDataset {
        let splits: [String: [[String]]]
        do {
            splits = try JSONDecoder().decode([String: [[String]]].self, from: data)
        } catch {
            throw ReplayError.malformedDataset(path: path, reason: "expected an object of splits, each a list of [text, intent] pairs: \(ReplayDataset.describe(error))")
        }
        guard splits["train"] != nil else {
            throw ReplayError.malformedDataset(path: path, reason: "no \"train\" split (found: \(splits.keys.sorted().joined(separator: ", ")))")
        }
        func pairs(_ split: String) throws -> [(text: String, intent: String)] {
            try (splits[split] ?? []).enumerated().map { index, row in
                guard row.count == 2 else {
                    throw ReplayError.malformedDataset(path: path, reason: "\(split)[\(index)] has \(row.count) fields; expected [text, intent]")
                }
                return (row[0], row[1])
            }
        }

        // Articles, in the order intents first appear in train.
        var articles: [ReplayArticle] = []
        var articleUtterances: [String: [String]] = [:]
        var tickets: [ReplayTicket] = []
        let kept: (String) -> Bool = { intent in intent != ReplayDataset.outOfScopeLabel && intents.map { $0.contains(intent) } ?? true }
        for (text, intent) in try pairs("train") where kept(intent) {
            if articleUtterances[intent] == nil {
                articleUtterances[intent] = []
                articles.append(ReplayArticle(id: intent, title: title(forIntent: intent), body: "", label: intent))
            }
            if articleUtterances[intent]!.count < utterancesPerArticle {
                articleUtterances[intent]!.append(text)
            } else {
                tickets.append(ReplayTicket(text: text, label: intent))
            }
        }
        for index in articles.indices {
            articles[index].body = ([articles[index].title] + articleUtterances[articles[index].id]!).joined(separator: "\n")
        }
        for split in inScopeSplits.dropFirst() {
            for (text, intent) in try pairs(split) where kept(intent) {
                tickets.append(ReplayTicket(text: text, label: intent))
            }
        }

        var random = SeededGenerator(seed: seed)
        var outOfScope = try outOfScopeSplits.flatMap { try pairs($0) }.map { ReplayTicket(text: $0.text, label: ReplayDataset.outOfScopeLabel) }
        random.shuffle(&outOfScope)
        tickets += outOfScope.prefix(tickets.count / inScopePerOutOfScope)
        random.shuffle(&tickets)
        return ReplayDataset(tickets: tickets, articles: articles)
    }

    /// An article title from an intent name: underscores become spaces and the
    /// first letter is capitalised (`card_declined` → `Card declined`).
    public static func title(forIntent intent: String) -> String {
        let words = intent.replacingOccurrences(of: "_", with: " ")
        guard let first = words.first else { return words }
        return first.uppercased() + words.dropFirst()
    }
}
