import Foundation
import Hummingbird
import Logging
import NIOCore
import Support

/// Answers every error a route throws as `{"error": {"code", "message"}}`:
/// ``APIError`` and ``SupportError`` with their own status, Hummingbird's own
/// errors (404 for an unknown route, 413 for an oversized body) with theirs,
/// and anything else as a logged 500 that does not leak internals.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, request: request)
            if apiError.status.code >= 500, apiError.code != "core_unavailable" {
                logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            }
            var response = JSONBody.response(ErrorBody(code: apiError.code, message: apiError.message), status: apiError.status)
            for field in apiError.headers { response.headers.append(field) }
            return response
        }
    }

    static func apiError(for error: any Error, request: Request) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as SupportError:
            return error.apiError
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is too large")
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return APIError(.notFound, code: "not_found", message: "no endpoint \(request.method) \(request.uri.path); see docs/API.md")
            case .methodNotAllowed:
                return APIError(.methodNotAllowed, code: "method_not_allowed",
                                message: "\(request.uri.path) does not take \(request.method); see docs/API.md")
            default:
                return APIError(error.status, code: error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"),
                                message: error.body ?? error.status.reasonPhrase, headers: error.headers)
            }
        case let error as any HTTPResponseError:
            return APIError(error.status, code: error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"),
                            message: "\(error)")
        default:
            return APIError(.internalServerError, code: "internal", message: "an unexpected error occurred; see the service's log")
        }
    }
}
