import Foundation
import Hummingbird
import NIOCore
import Support

/// Request bodies in and JSON responses out, with the errors a caller can act on.
enum JSONBody {
    /// Collects a request body of at most `limit` bytes.
    /// - Parameter what: the endpoint's name for messages ("ask").
    /// - Throws: ``APIError/payloadTooLarge(limit:what:)`` as soon as the declared
    ///   length or the bytes received exceed `limit`.
    static func collect(_ request: Request, limit: Int, what: String) async throws -> Data {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.payloadTooLarge(limit: limit, what: what)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge(limit: limit, what: what)
        }
        return Data(buffer.readableBytesView)
    }

    /// Decodes `T` from a JSON body.
    /// - Throws: ``APIError/malformedJSON(_:)`` naming what is wrong: not JSON at all (with
    ///   the parser's reason), a missing key, a value of the wrong type or out of its set.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        guard data.contains(where: { !Self.isWhitespace($0) }) else {
            throw APIError.malformedJSON("the \(what) body is empty; send a JSON object (Content-Type: application/json)")
        }
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError.malformedJSON(describe(error, what: what))
        }
    }

    /// Collects a JSON body of at most `limit` bytes, sent as `Content-Type: application/json`,
    /// and decodes `T` from it.
    /// - Throws: 415 for another content type (``ContentType/require(_:_:what:optional:)``), the errors
    ///   of ``collect(_:limit:what:)`` and ``decode(_:from:what:)``.
    static func read<T: Decodable>(_ type: T.Type, from request: Request, limit: Int, what: String) async throws -> T {
        try ContentType.require(request, ContentType.json, what: what)
        return try decode(T.self, from: try await collect(request, limit: limit, what: what), what: what)
    }

    /// A decoding error in the API's words: `"outcome": must be one of resolved, …`.
    static func describe(_ error: DecodingError, what: String) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case let .keyNotFound(key, context):
            let full = path(context.codingPath + [key])
            return "the \(what) body lacks the key \"\(full)\""
        case let .typeMismatch(type, context):
            return "\"\(path(context.codingPath))\" in the \(what) body must be \(typeName(type))"
        case let .valueNotFound(type, context):
            return "\"\(path(context.codingPath))\" in the \(what) body must be \(typeName(type)), not null"
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                let reason = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                    ?? context.underlyingError.map { "\($0)" } ?? context.debugDescription
                return "the \(what) body is not valid JSON: \(reason)"
            }
            if context.codingPath.last?.stringValue == "outcome" {
                return "\"outcome\" must be one of \(OutcomeKind.allCases.map(\.rawValue).joined(separator: ", "))"
            }
            return "\"\(path(context.codingPath))\" in the \(what) body: \(context.debugDescription)"
        @unknown default:
            return "the \(what) body cannot be read: \(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String: String].Type: "an object whose values are strings"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }

    /// A JSON response (`Content-Type: application/json; charset=utf-8`).
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        var status = status
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            DataPathFailures.shared.record(.responseEncoding, error, what: "encoding a \(T.self) response")
            status = .internalServerError
            data = Data(#"{"error":{"code":"internal","message":"the response could not be encoded"}}"#.utf8)
        }
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        headers[.contentLength] = String(data.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
