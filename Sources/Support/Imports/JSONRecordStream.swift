import Foundation

/// Splits a JSON export into its records as its bytes arrive: the elements of a top-level
/// array, or of the array under one key of a top-level object (`{"tickets": [...]}`).
///
/// Only the record being read is held: the bytes outside the array (other keys, their
/// values) are skipped as they pass, checked only for balanced brackets and strings; each
/// record is handed out whole, to be parsed on its own. So an export of any length is read in
/// memory bounded by its largest record (``maxRecordBytes``).
struct JSONRecordStream {
    /// The key whose array holds the records in a top-level object.
    let key: String
    /// How errors name the document ("zendesk export").
    let source: String
    /// How errors name one record ("ticket").
    let recordName: String
    /// A record larger than this is refused (``SupportError/tooLarge(_:)``).
    let maxRecordBytes: Int

    /// The brackets open around the current byte, outermost first.
    private var stack: [UInt8] = []
    private var inString = false
    private var escaped = false
    private var started = false
    private var finished = false
    private var topIsObject = false
    /// At depth 1 of the top-level object: the next string is a key.
    private var expectingKey = false
    private var capturingKey = false
    private var keyBytes: [UInt8] = []
    private var lastKey = ""
    /// After a key's `:` at depth 1: the next value belongs to ``lastKey``.
    private var expectingValue = false
    private var keys: [String] = []
    /// While inside the record array: the depth of its elements.
    private var elementDepth: Int?
    private var foundArray = false
    /// The record being read, with the depth it started at and whether it is a scalar.
    private var record: [UInt8]?
    private var recordIsScalar = false
    private var recordsRead = 0
    private var bytesSeen = 0

    init(key: String, source: String, recordName: String, maxRecordBytes: Int) {
        self.key = key
        self.source = source
        self.recordName = recordName
        self.maxRecordBytes = maxRecordBytes
    }

    /// The records completed by `bytes`, each with its 1-based number.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for a document that cannot be this shape,
    ///   ``SupportError/tooLarge(_:)`` for a record over ``maxRecordBytes``.
    mutating func feed<Bytes: Collection>(_ bytes: Bytes) throws -> [(number: Int, data: Data)] where Bytes.Element == UInt8 {
        var out: [(number: Int, data: Data)] = []
        for byte in bytes {
            bytesSeen += 1
            // A byte-order mark from a Windows tool: JSON has no place for it.
            if bytesSeen <= 3, !started, byte == [0xEF, 0xBB, 0xBF][bytesSeen - 1] { continue }
            try step(byte, into: &out)
        }
        return out
    }

    /// Checks that the document ended where it should.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for a document cut short, or one without the record array.
    mutating func finish() throws {
        guard started else { throw invalidJSON("the document is empty") }
        guard stack.isEmpty, !inString else {
            throw invalidJSON(inString ? "the document ends inside a string" : "the document ends before its closing \(closer(of: stack.last ?? UInt8(ascii: "[")))")
        }
        if topIsObject, !foundArray {
            throw SupportError.invalidRequest("\(source): expected {\"\(key)\": [...]} or an array, found an object with keys "
                + keys.sorted().joined(separator: ", "))
        }
    }

    private mutating func step(_ byte: UInt8, into out: inout [(number: Int, data: Data)]) throws {
        if finished {
            guard Self.isWhitespace(byte) else { throw invalidJSON("unexpected \(Self.show(byte)) after the end of the document") }
            return
        }
        if record != nil {
            record?.append(byte)
            if let count = record?.count, count > maxRecordBytes {
                throw SupportError.tooLarge("\(source), \(recordName) \(recordsRead + 1): larger than \(maxRecordBytes) bytes")
            }
        }
        if inString {
            stringByte(byte)
            return
        }
        switch byte {
        case _ where Self.isWhitespace(byte):
            return
        case UInt8(ascii: "\""):
            if stack.count == 1, topIsObject, expectingKey {
                expectingKey = false
                capturingKey = true
                keyBytes = []
            } else {
                try startValue(byte)
            }
            inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try startValue(byte)
            stack.append(byte)
            if byte == UInt8(ascii: "{"), stack.count == 1 { expectingKey = true }
            guard stack.count <= 512 else { throw invalidJSON("nested more than 512 levels deep") }
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            try close(byte, into: &out)
        case UInt8(ascii: ","):
            if recordIsScalar, record != nil, stack.count == elementDepth {
                record?.removeLast()
                emit(into: &out)
            }
            if stack.count == 1, topIsObject { expectingKey = true }
        case UInt8(ascii: ":"):
            if stack.count == 1, topIsObject { expectingValue = true }
        default:
            try startValue(byte)
        }
    }

    /// A byte inside a string: escapes, its end, and the key it spells at depth 1.
    private mutating func stringByte(_ byte: UInt8) {
        if escaped {
            escaped = false
        } else if byte == UInt8(ascii: "\\") {
            escaped = true
        } else if byte == UInt8(ascii: "\"") {
            inString = false
            if capturingKey {
                capturingKey = false
                lastKey = String(decoding: keyBytes, as: UTF8.self)
                if keys.count < 100 { keys.append(lastKey) }   // for the error message only
            }
        } else if capturingKey, keyBytes.count < 1024 {
            keyBytes.append(byte)
        }
    }

    /// A closing bracket: it must match the open one; it may end a record, the record array or the document.
    private mutating func close(_ byte: UInt8, into out: inout [(number: Int, data: Data)]) throws {
        guard let open = stack.last else { throw invalidJSON("unexpected \(Self.show(byte))") }
        guard closer(of: open) == Self.show(byte) else { throw invalidJSON("\(Self.show(byte)) closes a \(Self.show(open))") }
        if recordIsScalar, record != nil, stack.count == elementDepth {
            record?.removeLast()
            emit(into: &out)
        }
        stack.removeLast()
        if record != nil, !recordIsScalar, stack.count == elementDepth { emit(into: &out) }
        if let depth = elementDepth, stack.count == depth - 1 {
            elementDepth = nil
            foundArray = true
        }
        if stack.isEmpty { finished = true }
    }

    /// A value begins with `byte` (outside a string): the document, the record array, or a record.
    private mutating func startValue(_ byte: UInt8) throws {
        if !started {
            started = true
            switch byte {
            case UInt8(ascii: "["): elementDepth = 1
            case UInt8(ascii: "{"): topIsObject = true
            default:
                throw SupportError.invalidRequest("\(source): expected {\"\(key)\": [...]} or an array, found \(Self.kind(of: byte))")
            }
            return
        }
        if stack.count == 1, topIsObject, expectingValue {
            expectingValue = false
            if byte == UInt8(ascii: "["), lastKey == key, !foundArray, elementDepth == nil { elementDepth = 2 }
            return
        }
        if let depth = elementDepth, stack.count == depth, record == nil {
            record = [byte]
            recordIsScalar = byte != UInt8(ascii: "{") && byte != UInt8(ascii: "[")
        }
    }

    private mutating func emit(into out: inout [(number: Int, data: Data)]) {
        guard let bytes = record else { return }
        record = nil
        recordIsScalar = false
        recordsRead += 1
        out.append((recordsRead, Data(bytes)))
    }

    private func invalidJSON(_ reason: String) -> SupportError {
        .invalidRequest("\(source): not valid JSON (\(reason))")
    }

    private func closer(of open: UInt8) -> String { open == UInt8(ascii: "{") ? "}" : "]" }

    private static func show(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? String(UnicodeScalar(byte)) : String(format: "byte 0x%02X", byte)
    }

    /// What a value starting with `byte` is, as ``ImportJSON/kindName`` says it.
    private static func kind(of byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): "a number"
        default: "\(show(byte)), which no JSON document starts with"
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}
