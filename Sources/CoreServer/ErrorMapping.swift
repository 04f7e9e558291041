import Ranking
import VectorIndex
import Wire

/// Turns what the index and the persistence layer throw into the protocol's
/// error codes (`docs/PROTOCOL.md` §8.2), keeping their offending values in
/// the message and naming the request and collection it concerns.
enum ErrorMapping {
    /// The protocol error for `error`, thrown while serving `kind` on `collection`.
    static func wireError(_ error: any Error, kind: MessageKind, collection: String?) -> WireError {
        let context = collection.map { "\(kind.name) \($0)" } ?? kind.name
        switch error {
        case let error as WireError:
            return error
        case let error as IndexError:
            return WireError(code(of: error), "\(context): \(error)")
        case let error as RankingError:
            return WireError(code(of: error), "\(context): \(error)")
        case let error as PersistenceError:
            if case .readOnly = error { return WireError(.internal, "\(context): \(error)") }
            return WireError(.storageFailure, "\(context): \(error); the change was not acknowledged")
        default:
            return WireError(.internal, "\(context): \(error)")
        }
    }

    /// The code for each ``RankingError`` case (docs/PROTOCOL.md §8.2, codes 40–59).
    static func code(of error: RankingError) -> ErrorCode {
        switch error {
        case .unknownImpression: .unknownImpression
        case .expiredImpression: .impressionExpired
        case .groupNotInImpression: .groupNotInImpression
        case .outcomeAlreadyRecorded, .csatAlreadyRecorded: .outcomeAlreadyRecorded
        case .nothingToReopen, .csatOutOfRange: .invalidOutcome
        case .unknownCallerFeature: .unknownCallerFeature
        case .callerFeatureOutOfRange: .callerFeatureOutOfRange
        case .invalidK, .invalidTime: .invalidArgument
        // The core builds hits, weights and configurations itself: these are its bugs.
        case .nonFiniteSimilarity, .hitsNotInRankOrder, .groupInfoCount, .groupOfHitMismatch, .wrongDimension, .unknownFeature,
             .invalidConfiguration, .impressionOutOfOrder: .internal
        }
    }

    /// The code for each ``IndexError`` case.
    static func code(of error: IndexError) -> ErrorCode {
        switch error {
        case .wrongDimension: .wrongDimension
        case .nonFiniteComponent, .zeroVector: .invalidVector
        case .invalidK, .efBelowK, .duplicateID, .invalidParameter, .emptyBatch: .invalidArgument
        case .unknownID: .unknownID
        case .capacityExceeded: .resourceExhausted
        }
    }
}

/// The checks of `docs/PROTOCOL.md` §4 that need the collection: dimension,
/// and finite (and, under cosine, non-zero) components, with messages that
/// name the item id or query index, which the index alone cannot.
enum VectorCheck {
    /// Throws `WRONG_DIMENSION` when `dim` is not the collection's.
    static func dimension(_ dim: Int, of collection: DurableCollection, in kind: MessageKind) throws(WireError) {
        let expected = collection.index.parameters.dimension
        guard dim == expected else {
            throw WireError(.wrongDimension,
                            "\(kind.name) \(collection.name): dimension \(dim) does not match the collection's \(expected); re-embed with the collection's model or create another collection")
        }
    }

    /// Throws `INVALID_VECTOR` for the first row with a NaN or infinite
    /// component, or all zeros under cosine.
    /// - Parameter label: how a row is named in the message (`id 42`, `query 3`).
    static func finite(_ vectors: [Float], dim: Int, cosine: Bool, collection: String, kind: MessageKind,
                       label: (Int) -> String) throws(WireError) {
        let rows = vectors.count / max(dim, 1)
        let problem: (row: Int, what: String)? = vectors.withUnsafeBufferPointer { buffer in
            for row in 0..<rows {
                var zero = true
                for c in 0..<dim {
                    let x = buffer[row * dim + c]
                    if !x.isFinite { return (row, "component \(c) is \(x)") }
                    if x != 0 { zero = false }
                }
                if zero && cosine { return (row, "all components are 0, which has no cosine direction") }
            }
            return nil
        }
        if let problem {
            throw WireError(.invalidVector, "\(kind.name) \(collection): \(label(problem.row)): \(problem.what)")
        }
    }
}
