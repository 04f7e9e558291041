import Hummingbird

/// The media types a route reads its body as, checked before a byte of the body is parsed.
///
/// A browser can post `text/plain`, `application/x-www-form-urlencoded` and `multipart/form-data`
/// from any page without asking the server first; every other type needs a CORS preflight,
/// which this service never grants. So a JSON route that also parsed a `text/plain` body would
/// take a cross-site form post; each route names the types its documentation promises instead,
/// and anything else is 415.
enum ContentType {
    /// `application/json`: the JSON routes.
    static let json: Set<String> = ["application/json"]
    /// What `POST /v1/articles` reads: JSON, JSON Lines and CSV.
    static let articles: Set<String> = ["application/json", "application/x-ndjson", "application/jsonl",
                                        "application/x-jsonlines", "application/jsonlines", "text/csv"]
    /// The dashboard's login form.
    static let form: Set<String> = ["application/x-www-form-urlencoded"]

    /// The request's media type, lower case, without parameters (`charset=…`); nil without the header.
    static func mediaType(of request: Request) -> String? {
        guard let value = request.headers[.contentType] else { return nil }
        return value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// Checks the request's `Content-Type` against `allowed`.
    /// - Parameters:
    ///   - allowed: the media types the route documents.
    ///   - what: the body's name for the message ("ask").
    ///   - optional: whether a request without a `Content-Type` passes (routes that take no body).
    /// - Returns: the media type, when there is one.
    /// - Throws: ``APIError`` 415 `unsupported_media_type` naming the expected types and the one sent.
    @discardableResult
    static func require(_ request: Request, _ allowed: Set<String>, what: String, optional: Bool = false) throws -> String? {
        let type = mediaType(of: request)
        if type == nil, optional { return nil }
        guard let type, allowed.contains(type) else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message:
                "the \(what) body must be sent as Content-Type: \(allowed.sorted().joined(separator: " or ")) "
                    + "(this request sent \(type.map { "\"\($0)\"" } ?? "none"))")
        }
        return type
    }
}
