import Embedding

/// What the service turns text into vectors with: `Embedding`'s sentence
/// embedder (MiniLM, or the hashed fallback when the model is not installed)
/// under the name Support's API uses.
///
/// A module that drives the service — the replay harness, the HTTP layer, a
/// test — holds and passes an `any TextEmbedder` without importing `Embedding`
/// itself; only the code that loads a model (the executables) needs it.
public typealias TextEmbedder = SentenceEmbedder
