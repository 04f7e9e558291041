import Foundation

/// The module's entry point: gives the best embedder this machine can run.
///
/// ```swift
/// let embedder = try Embedder.load()          // MiniLM, or the hashed fallback with a warning
/// let vectors = embedder.embed(["How do I reset my password?"])
/// try embedder.identity.requireMatch(storedIdentity)
/// ```
public enum Embedder {
    /// Loads MiniLM from `modelDirectory`, or from wherever ``ModelLocator``
    /// finds it; when the model is not installed, returns a ``HashedEmbedder``
    /// after one loud line through `warn` (standard error by default).
    ///
    /// - Parameters:
    ///   - modelDirectory: an explicit model directory; `nil` to search.
    ///   - options: MiniLM's options.
    ///   - environment: the process environment, for `LOOPDESK_MODEL_DIR`.
    ///   - searchDirectories: where ``ModelLocator`` starts walking up; the current directory by default.
    ///   - warn: where the fallback warning goes.
    /// - Throws: ``EmbeddingError`` when model files exist but cannot be used, or
    ///   when `modelDirectory` or `LOOPDESK_MODEL_DIR` names a directory without
    ///   them: a broken or misconfigured install is refused, never papered over.
    public static func load(
        modelDirectory: String? = nil,
        options: MiniLMEmbedder.Options = MiniLMEmbedder.Options(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        searchDirectories: [String] = [FileManager.default.currentDirectoryPath],
        warn: (String) -> Void = { warning in FileHandle.standardError.write(Data((warning + "\n").utf8)) }
    ) throws -> any SentenceEmbedder {
        let explicit = modelDirectory ?? environment[ModelLocator.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        if let explicit {
            return try MiniLMEmbedder(modelDirectory: explicit, options: options)
        }
        if let found = ModelLocator.locate(environment: environment, startDirectories: searchDirectories) {
            return try MiniLMEmbedder(modelDirectory: found, options: options)
        }
        let fallback = HashedEmbedder()
        warn("WARNING: MiniLM model not found (no \(ModelLocator.defaultRelativePath) above "
            + "\(searchDirectories.joined(separator: ", ")), \(ModelLocator.environmentVariable) unset); "
            + "using the weak \(fallback.identity) fallback embedder: \(ModelLocator.installHint)")
        return fallback
    }
}
