import Foundation
@testable import Replay

/// Small hand-made inputs shared by the tests.
enum Fixtures {
    /// A CLINC150-shaped `data_full.json`: intents `card_declined`, `pin_change`,
    /// `weather`; per intent 12 train, 4 val and 6 test utterances; 10 out-of-scope
    /// rows in each of the three oos splits.
    static func clincJSON(intents: [String] = ["card_declined", "pin_change", "weather"],
                          train: Int = 12, val: Int = 4, test: Int = 6, oosPerSplit: Int = 10) -> Data {
        func rows(_ split: String, _ n: Int) -> [[String]] {
            intents.flatMap { intent in (0..<n).map { ["\(split) \(intent) \($0)", intent] } }
        }
        let splits: [String: [[String]]] = [
            "train": rows("train", train), "val": rows("val", val), "test": rows("test", test),
            "oos_train": (0..<oosPerSplit).map { ["oos train \($0)", "oos"] },
            "oos_val": (0..<oosPerSplit).map { ["oos val \($0)", "oos"] },
            "oos_test": (0..<oosPerSplit).map { ["oos test \($0)", "oos"] },
        ]
        return try! JSONEncoder().encode(splits)
    }

    /// A data set of `labels` labels, each with an article and `perLabel` undated tickets, in round-robin order.
    static func dataset(labels: Int, perLabel: Int) -> ReplayDataset {
        let names = (0..<labels).map { "label\($0)" }
        let articles = names.map { ReplayArticle(id: "article-\($0)", title: "Title \($0)", body: "Body \($0)", label: $0) }
        var tickets: [ReplayTicket] = []
        for i in 0..<perLabel { for name in names { tickets.append(ReplayTicket(text: "question \(i) about \(name)", label: name)) } }
        return ReplayDataset(tickets: tickets, articles: articles)
    }
}
