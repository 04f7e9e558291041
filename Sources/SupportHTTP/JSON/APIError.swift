import Foundation
import Hummingbird
import Support

/// A refusal made by the HTTP layer itself (authentication, bodies, query
/// parameters), answered like a ``SupportError``: `{"error": {"code", "message"}}`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// The response's HTTP status.
    public var status: HTTPResponse.Status
    /// Stable and machine-readable: `unauthorized`, `malformed_json`, `payload_too_large`, …
    public var code: String
    /// For people: what was wrong, with the offending value, and what to do.
    public var message: String
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPFields

    /// A refusal with `status`, answered as `{"error": {"code": code, "message": message}}`
    /// with `headers` added to the response.
    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// `401 unauthorized: …`, for logs.
    public var description: String { "\(status.code) \(code): \(message)" }

    /// 401, with `WWW-Authenticate: Bearer`.
    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message: message,
                 headers: [.wwwAuthenticate: #"Bearer realm="loopdesk""#])
    }

    /// 403: a valid token used where its scope does not reach (another workspace, an admin route).
    static func forbidden(_ message: String) -> APIError {
        APIError(.forbidden, code: "forbidden", message: message)
    }

    /// 400: the body is not JSON, or not the JSON the endpoint takes.
    static func malformedJSON(_ message: String) -> APIError {
        APIError(.badRequest, code: "malformed_json", message: message)
    }

    /// 400: a query parameter or path segment that cannot be used.
    static func invalidRequest(_ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_request", message: message)
    }

    /// 413: a body over the endpoint's limit.
    static func payloadTooLarge(limit: Int, what: String) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large",
                 message: "the \(what) body is larger than \(limit) bytes; send less per request")
    }
}

/// The JSON error body.
struct ErrorBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
    }
    var error: Detail

    init(code: String, message: String) { error = Detail(code: code, message: message) }
}

extension SupportError {
    /// The API's answer to this error: its status and, for a core that is down or a disk that
    /// cannot be written, `Retry-After`.
    var apiError: APIError {
        var headers: HTTPFields = [:]
        switch self {
        case let .coreUnavailable(_, retryAfter), let .storageUnavailable(_, retryAfter):
            headers[.retryAfter] = String(max(1, retryAfter))
        default:
            break
        }
        return APIError(HTTPResponse.Status(code: httpStatus), code: code, message: description, headers: headers)
    }
}
