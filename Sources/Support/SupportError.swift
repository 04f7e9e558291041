import Foundation

/// Every refusal of the answer service, with what was wrong and what to do.
/// `SupportHTTP` maps each case to one HTTP status (``httpStatus``).
public enum SupportError: Error, Equatable, CustomStringConvertible, Sendable {
    case emptyQuestion
    case questionTooLong(bytes: Int, limit: Int)
    case invalidArticle(id: String, reason: String)
    case unknownArticle(String)
    case unknownConversation(String)
    case unknownImpression(String)
    case invalidOutcome(String)
    case invalidRequest(String)
    /// The core cannot be reached; `retryAfter` seconds is a sensible wait.
    case coreUnavailable(reason: String, retryAfter: Int)
    /// The core refused a request for a reason that is not the caller's.
    case coreFailure(String)
    case storeFailure(String)

    public var description: String {
        switch self {
        case .emptyQuestion: "the question is empty"
        case let .questionTooLong(bytes, limit): "the question is \(bytes) bytes; at most \(limit) are accepted"
        case let .invalidArticle(id, reason): "article \"\(id)\": \(reason)"
        case let .unknownArticle(id): "no article with id \"\(id)\""
        case let .unknownConversation(id): "no conversation with id \"\(id)\""
        case let .unknownImpression(id): "no answer was given with impression id \"\(id)\""
        case let .invalidOutcome(why): "invalid outcome: \(why)"
        case let .invalidRequest(why): why
        case let .coreUnavailable(reason, retry): "the core is unavailable (\(reason)); retry in \(retry) s"
        case let .coreFailure(why): "the core failed: \(why)"
        case let .storeFailure(why): "the store failed: \(why)"
        }
    }

    /// The HTTP status this error is answered with.
    public var httpStatus: Int {
        switch self {
        case .emptyQuestion, .questionTooLong, .invalidArticle, .invalidOutcome, .invalidRequest: 400
        case .unknownArticle, .unknownConversation, .unknownImpression: 404
        case .coreUnavailable: 503
        case .coreFailure, .storeFailure: 500
        }
    }

    /// A stable machine-readable code for JSON error bodies.
    public var code: String {
        switch self {
        case .emptyQuestion: "empty_question"
        case .questionTooLong: "question_too_long"
        case .invalidArticle: "invalid_article"
        case .unknownArticle: "unknown_article"
        case .unknownConversation: "unknown_conversation"
        case .unknownImpression: "unknown_impression"
        case .invalidOutcome: "invalid_outcome"
        case .invalidRequest: "invalid_request"
        case .coreUnavailable: "core_unavailable"
        case .coreFailure: "core_failure"
        case .storeFailure: "store_failure"
        }
    }
}
