/// Every way a request to the index can be wrong, each with the offending value.
///
/// The index never traps on caller input: it throws one of these and stays usable.
public enum IndexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A vector (or a batch's component count) that does not match the index's `dimension`.
    case wrongDimension(expected: Int, got: Int)
    /// A NaN or infinite component, at `position` in the vector.
    case nonFiniteComponent(position: Int)
    /// A zero vector cannot be normalised for the cosine metric.
    case zeroVector
    /// `k` must be at least 1.
    case invalidK(Int)
    /// `ef` must be at least `k`, or the search could not fill its result list.
    case efBelowK(ef: Int, k: Int)
    /// No live vector has this id (delete of an absent or already deleted id).
    case unknownID(UInt64)
    /// An insert of an id already present, or an id twice in one batch.
    case duplicateID(UInt64)
    /// An index parameter or argument out of its range: which, its value, and the allowed range.
    case invalidParameter(name: String, value: String, reason: String)
    /// A batch call with no ids.
    case emptyBatch
    /// The index holds `limit` slots (its `capacity`) and none is free; nothing of the batch was stored.
    case capacityExceeded(limit: Int)

    /// A sentence naming the offending value, for logs and protocol errors.
    public var description: String {
        switch self {
        case let .wrongDimension(expected, got):
            return "wrong dimension: the index holds \(expected)-d vectors, got \(got)"
        case let .nonFiniteComponent(position):
            return "vector component \(position) is NaN or infinite"
        case .zeroVector:
            return "zero vector: a cosine index cannot normalise it"
        case let .invalidK(k):
            return "k must be at least 1, got \(k)"
        case let .efBelowK(ef, k):
            return "ef (\(ef)) must be at least k (\(k))"
        case let .unknownID(id):
            return "no vector with id \(id)"
        case let .duplicateID(id):
            return "id \(id) appears more than once in one batch"
        case let .invalidParameter(name, value, reason):
            return "invalid \(name) \(value): \(reason)"
        case .emptyBatch:
            return "the batch is empty"
        case let .capacityExceeded(limit):
            return "the index is full (\(limit) vectors)"
        }
    }
}
