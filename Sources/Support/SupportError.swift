import Foundation

/// Every refusal of the answer service, with what was wrong and what to do.
/// `SupportHTTP` maps each case to one HTTP status (``httpStatus``).
public enum SupportError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The question was empty after trimming (400).
    case emptyQuestion
    /// The question is longer than ``AskRequest/maxTextBytes`` (400).
    case questionTooLong(bytes: Int, limit: Int)
    /// An article cannot be stored as given: the id, title, body or a tag breaks a rule, named in `reason` (400).
    case invalidArticle(id: String, reason: String)
    /// No article has this id, or it is not published where a published one is needed (404).
    case unknownArticle(String)
    /// No conversation has this id (404).
    case unknownConversation(String)
    /// No answer was given with this impression id (404).
    case unknownImpression(String)
    /// No learned item has this id (`alias-<n>`, `article-<n>` of an agent's or imported reply) (404).
    case unknownLearnedItem(String)
    /// The learned item was already taken back (409): `why` says how it ended.
    case alreadyUndone(String)
    /// The outcome cannot apply to its answer: the reason says which rule it breaks (400).
    case invalidOutcome(String)
    /// A field of the request cannot be used (a context tag, a vector, an id), named in the message (400).
    case invalidRequest(String)
    /// The core cannot be reached; `retryAfter` seconds is a sensible wait.
    case coreUnavailable(reason: String, retryAfter: Int)
    /// The core refused a request for a reason that is not the caller's.
    case coreFailure(String)
    /// The store failed: it cannot be opened or a query failed (500).
    case storeFailure(String)
    /// Something sent is over a size limit: `what` names it and the limit (413).
    case tooLarge(String)
    /// The core or the store cannot write to its disk (full, or failing): nothing of the
    /// request was recorded; retry after `retryAfter` seconds, once ops have made room (503).
    case storageUnavailable(String, retryAfter: Int)
    /// No workspace has this name (404): `loopdesk workspace list` shows the names.
    case unknownWorkspace(String)
    /// A workspace with this name exists already (409).
    case workspaceExists(String)
    /// An outcome's `event_id` was recorded already — by another instance on the same store,
    /// between this one's check and its write (409 if it ever escapes; ``SupportService/recordOutcome(_:)``
    /// answers it as `"status": "duplicate"`). A store's ``LearningStoreWriter/insertOutcome(_:)`` throws it.
    case duplicateEvent(String)

    /// Seconds a client is asked to wait after ``storageUnavailable(_:retryAfter:)``:
    /// freeing a disk takes a person, not a reconnect.
    public static let storageRetryAfterSeconds = 30

    /// What was wrong, in words a caller can act on (the JSON error body's `message`).
    public var description: String {
        switch self {
        case .emptyQuestion: "the question is empty"
        case let .questionTooLong(bytes, limit): "the question is \(bytes) bytes; at most \(limit) are accepted"
        case let .invalidArticle(id, reason): "article \"\(id)\": \(reason)"
        case let .unknownArticle(id): "no article with id \"\(id)\""
        case let .unknownConversation(id): "no conversation with id \"\(id)\""
        case let .unknownImpression(id): "no answer was given with impression id \"\(id)\""
        case let .unknownLearnedItem(id): "no learned item with id \"\(id)\" (ids are alias-<n> or article-<n>, as GET /v1/learned lists them)"
        case let .alreadyUndone(why): why
        case let .invalidOutcome(why): "invalid outcome: \(why)"
        case let .invalidRequest(why): why
        case let .coreUnavailable(reason, retry): "the core is unavailable (\(reason)); retry in \(retry) s"
        case let .coreFailure(why): "the core failed: \(why)"
        case let .storeFailure(why): "the store failed: \(why)"
        case let .tooLarge(what): what
        case let .storageUnavailable(why, retry): "\(why); nothing of this request was recorded; retry in \(retry) s"
        case let .unknownWorkspace(name): "no workspace named \"\(name)\" (GET /v1/workspaces lists them; POST /v1/workspaces creates one)"
        case let .workspaceExists(name): "a workspace named \"\(name)\" exists already"
        case let .duplicateEvent(id): "the event \"\(id)\" was recorded already"
        }
    }

    /// The HTTP status this error is answered with.
    public var httpStatus: Int {
        switch self {
        case .emptyQuestion, .questionTooLong, .invalidArticle, .invalidOutcome, .invalidRequest: 400
        case .unknownArticle, .unknownConversation, .unknownImpression, .unknownLearnedItem, .unknownWorkspace: 404
        case .alreadyUndone, .workspaceExists, .duplicateEvent: 409
        case .coreUnavailable, .storageUnavailable: 503
        case .coreFailure, .storeFailure: 500
        case .tooLarge: 413
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
        case .unknownLearnedItem: "unknown_learned_item"
        case .alreadyUndone: "already_undone"
        case .invalidOutcome: "invalid_outcome"
        case .invalidRequest: "invalid_request"
        case .coreUnavailable: "core_unavailable"
        case .coreFailure: "core_failure"
        case .storeFailure: "store_failure"
        case .tooLarge: "payload_too_large"
        case .storageUnavailable: "storage_unavailable"
        case .unknownWorkspace: "unknown_workspace"
        case .workspaceExists: "workspace_exists"
        case .duplicateEvent: "duplicate_event"
        }
    }
}
