import Foundation
import Support

/// How a `POST /v1/articles` body is read: one JSON object, a JSON array, JSON Lines
/// (one object per line; also chosen by `Content-Type: application/x-ndjson` or
/// `application/jsonl`), or CSV (`Content-Type: text/csv`). The route has already refused
/// any other content type (``ContentType/articles``).
enum ArticleUpload {
    /// The articles of a `POST /v1/articles` body, in the format its content type names
    /// (for `application/json`: JSON Lines or one JSON document, by the body's look).
    /// - Throws: ``APIError/malformedJSON(_:)`` naming the line or the article that is wrong,
    ///   ``SupportError/invalidArticle(id:reason:)`` for an article that cannot be stored.
    static func articles(in body: Data, contentType: String?) throws -> [ArticleInput] {
        guard body.contains(where: { !JSONBody.isWhitespace($0) }) else {
            throw APIError.malformedJSON("the articles body is empty; send one {id, title, body, tags} object, an array, or JSON Lines")
        }
        do {
            return try KnowledgeBaseImport.parse(body, format: format(of: body, contentType: contentType), source: "request body")
        } catch let SupportError.invalidRequest(why) {
            throw APIError.malformedJSON(why)
        }
    }

    /// The format `contentType` names; for `application/json`, JSON Lines or JSON by the body's look.
    static func format(of body: Data, contentType: String?) -> KnowledgeBaseFormat {
        let type = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines": return .jsonl
        case "text/csv": return .csv
        default: return looksLikeJSONLines(body) ? .jsonl : .json
        }
    }

    /// More than one non-blank line, each holding one object: JSON Lines rather than one
    /// (possibly pretty-printed) JSON document.
    static func looksLikeJSONLines(_ body: Data) -> Bool {
        var objects = 0
        for line in body.split(separator: UInt8(ascii: "\n")) {
            let trimmed = line.drop(while: JSONBody.isWhitespace).reversed().drop(while: JSONBody.isWhitespace)
            guard let last = trimmed.first else { continue }
            guard line.first(where: { !JSONBody.isWhitespace($0) }) == UInt8(ascii: "{"), last == UInt8(ascii: "}") else { return false }
            objects += 1
        }
        return objects > 1
    }
}
