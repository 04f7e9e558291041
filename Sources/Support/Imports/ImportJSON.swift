import Foundation

/// A parsed JSON document, for the import parsers that must look at a document's shape before they
/// know what it is: a webhook from one of four helpdesks, an export from one of three, an article
/// whose fields may be of the wrong type. Reading into this value first lets every parser say
/// precisely which field was missing or of which wrong type, which `Codable` structs cannot.
///
/// Integers stay integers (`.integer`), so a ticket id `35436` reads back as the text `"35436"`.
enum ImportJSON: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([ImportJSON])
    case object([String: ImportJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ImportJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ImportJSON].self))
        }
    }

    /// Parses one JSON document.
    /// - Parameters:
    ///   - data: UTF-8 JSON text.
    ///   - what: how an error names the input, e.g. `"kb.json"` or `"kb.jsonl line 3"`.
    /// - Throws: ``SupportError/invalidRequest(_:)`` naming `what` and the parser's complaint.
    static func parse(_ data: Data, what: String) throws -> ImportJSON {
        // Spreadsheet and Windows tools start UTF-8 files with a byte-order mark; JSON has no place for it.
        let json = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
        do {
            return try JSONDecoder().decode(ImportJSON.self, from: json)
        } catch {
            throw SupportError.invalidRequest("\(what): not valid JSON (\(reason(of: error)))")
        }
    }

    /// The most specific human sentence a decoding error carries.
    private static func reason(of error: any Error) -> String {
        guard case let DecodingError.dataCorrupted(context) = error else { return "\(error)" }
        if let underlying = context.underlyingError {
            let text = (underlying as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(underlying)"
            return text
        }
        return context.debugDescription
    }

    // MARK: Reading

    /// The member `key` of an object; `nil` for a missing member and for a non-object.
    subscript(key: String) -> ImportJSON? {
        if case let .object(members) = self { members[key] } else { nil }
    }

    /// The value at a path of object members, e.g. `value[path: "data", "item", "id"]`.
    subscript(path keys: String...) -> ImportJSON? { at(keys) }

    /// The value at a path of object members; `nil` when any step is missing.
    func at(_ keys: [String]) -> ImportJSON? {
        keys.reduce(self as ImportJSON?) { value, key in value?[key] }
    }

    /// A string as it is, an integer (or a whole-valued number) as its decimal text; `nil` otherwise.
    /// Helpdesks send ids as numbers or as strings depending on product and version.
    var text: String? {
        switch self {
        case let .string(value): value
        case let .integer(value): String(value)
        case let .number(value) where value == value.rounded() && abs(value) < 1e15: String(Int64(value))
        default: nil
        }
    }

    /// ``text`` trimmed, or `nil` when that is empty: a helpdesk placeholder with no value renders as `""`.
    var nonEmptyText: String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// An integer, a whole-valued number, or a string holding an integer.
    var integer: Int64? {
        switch self {
        case let .integer(value): value
        case let .number(value) where value == value.rounded() && abs(value) < 1e15: Int64(value)
        case let .string(value): Int64(value.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    var bool: Bool? {
        if case let .bool(value) = self { value } else { nil }
    }

    var array: [ImportJSON]? {
        if case let .array(elements) = self { elements } else { nil }
    }

    var isObject: Bool {
        if case .object = self { true } else { false }
    }

    /// The object's member names, sorted; empty for a non-object. For error messages.
    var keys: [String] {
        if case let .object(members) = self { members.keys.sorted() } else { [] }
    }

    /// What kind of JSON value this is, for error messages ("found a number").
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    // MARK: Locating

    /// The 1-based line on which each element of a top-level JSON array starts, so that an error
    /// about the 3rd article of a `.json` file can name its line. Empty when `data` is not an array.
    /// Scans bytes only (strings and escapes aware); it never judges validity, ``parse(_:what:)`` does.
    static func arrayElementLines(_ data: Data) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var depth = 0
        var inString = false
        var escaped = false
        var expectingElement = false
        for byte in data {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                continue
            default:
                break
            }
            if depth == 0 && lines.isEmpty && !expectingElement && byte != UInt8(ascii: "[") { return [] }
            if depth == 1 && expectingElement && byte != UInt8(ascii: "]") {
                lines.append(line)
                expectingElement = false
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth == 1 { expectingElement = true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return lines }
            case UInt8(ascii: ","):
                if depth == 1 { expectingElement = true }
            default: break
            }
        }
        return lines
    }
}
