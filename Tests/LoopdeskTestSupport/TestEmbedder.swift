import Embedding
import Foundation

/// The sentence embedder the service-level suites share: MiniLM when it is installed
/// at `./models` of the checkout, else the hashed fallback, loaded once per test process.
public enum TestEmbedder {
    /// The checkout's root (`Tests/LoopdeskTestSupport/` is two folders below it): where
    /// `models/` is, and `../shared` with the data sets.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// MiniLM when installed, else ``HashedEmbedder`` (quietly: tests that need MiniLM check ``isMiniLM``).
    public static let shared: any SentenceEmbedder = {
        do {
            return try Embedder.load(searchDirectories: [repositoryRoot], warn: { _ in })
        } catch {
            return HashedEmbedder()
        }
    }()

    /// Whether ``shared`` is MiniLM: the measurements whose numbers only mean something with it skip otherwise.
    public static var isMiniLM: Bool { shared.identity.name.lowercased().contains("minilm") }
}
