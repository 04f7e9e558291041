import Primitives

/// Everything that can go wrong while loading an embedder, with the offending
/// file, tensor, value and what to do about it.
///
/// Embedding itself never fails once a model is loaded: any text, including an
/// empty or a huge one, becomes a vector. Only loading can fail, and it fails
/// loudly rather than mixing vectors from a half-read model into an index.
public enum EmbeddingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A required model file does not exist.
    case fileNotFound(path: String)
    /// A file exists but could not be opened, sized or memory-mapped.
    case cannotRead(path: String, reason: String)
    /// A safetensors file whose header or layout breaks the format.
    case malformedSafeTensors(path: String, reason: String)
    /// A tensor the model needs is not in the safetensors file.
    case missingTensor(path: String, tensor: String)
    /// A tensor is stored in an element type this reader does not accept.
    case unexpectedDType(path: String, tensor: String, found: String, expected: String)
    /// A tensor's shape does not match the model configuration.
    case unexpectedShape(path: String, tensor: String, found: [Int], expected: [Int])
    /// `vocab.txt` is empty, lacks a special token, or is otherwise unusable.
    case malformedVocabulary(path: String, reason: String)
    /// `config.json` is unreadable or describes a model this forward pass cannot run.
    case unsupportedConfiguration(path: String, reason: String)
    /// An index built with one embedder was opened with another.
    case identityMismatch(stored: EmbedderIdentity, current: EmbedderIdentity)

    /// The failure in words, naming the file and what is wrong with it.
    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "model file not found: \(path) (run scripts/install-model.sh, or set LOOPDESK_MODEL_DIR)"
        case let .cannotRead(path, reason):
            return "cannot read \(path): \(reason)"
        case let .malformedSafeTensors(path, reason):
            return "malformed safetensors file \(path): \(reason) (re-run scripts/install-model.sh to fetch a clean copy)"
        case let .missingTensor(path, tensor):
            return "tensor '\(tensor)' is missing from \(path)"
        case let .unexpectedDType(path, tensor, found, expected):
            return "tensor '\(tensor)' in \(path) has dtype \(found); expected \(expected)"
        case let .unexpectedShape(path, tensor, found, expected):
            return "tensor '\(tensor)' in \(path) has shape \(found); expected \(expected)"
        case let .malformedVocabulary(path, reason):
            return "unusable vocabulary \(path): \(reason)"
        case let .unsupportedConfiguration(path, reason):
            return "unsupported model configuration \(path): \(reason)"
        case let .identityMismatch(stored, current):
            return "embedder mismatch: the index was built with \(stored) but this process embeds with \(current); "
                + "install the same model (scripts/install-model.sh) or rebuild the index"
        }
    }
}

extension EmbeddingError {
    /// The loading error for a model file that could not be mapped, worded as
    /// `cannotRead` has always worded it.
    init(mapping error: MappedFileError) {
        switch error.cause {
        case .notFound: self = .fileNotFound(path: error.path)
        case .empty: self = .cannotRead(path: error.path, reason: "the file is empty")
        case let .systemCall("open", message): self = .cannotRead(path: error.path, reason: message)
        case let .systemCall(name, message): self = .cannotRead(path: error.path, reason: "\(name): \(message)")
        }
    }
}
