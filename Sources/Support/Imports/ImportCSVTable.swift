import Foundation
import SwiftCSV

/// A CSV file with a header row, read with SwiftCSV (RFC 4180: `,` between fields, fields in `"…"` may
/// hold commas, newlines and `""` for a quote), where every row knows the line of the file it starts
/// on, so that an error can name it. Blank lines are skipped; column names are matched without
/// regard to case or surrounding spaces; columns that are neither required nor optional are ignored.
struct ImportCSVTable {
    struct Row {
        /// The 1-based line of the file on which the row starts.
        let line: Int
        fileprivate let fields: [String]
        fileprivate let columnIndex: [String: Int]

        /// The field under `column`, trimmed; `""` when the table has no such column.
        subscript(column: String) -> String {
            guard let index = columnIndex[column] else { return "" }
            return fields[index].trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    let rows: [Row]

    /// Reads `data` as a CSV table.
    /// - Parameters:
    ///   - source: how errors name the file.
    ///   - required: lowercase column names the header must have.
    ///   - optional: lowercase column names it may have; only named in the error message.
    ///   - lineOffset: added to the line numbers of the rows and their errors, when `data` is a
    ///     chunk of a larger file (its header row, then rows from further down; see `CSVRecordStream`).
    /// - Throws: ``SupportError/invalidRequest(_:)`` for text that is not UTF-8, a header without the
    ///   required columns, a quoted field that is never closed, and a row whose number of fields is
    ///   not the header's.
    init(data: Data, source: String, required: [String], optional: [String], lineOffset: Int = 0) throws {
        guard let text = String(data: data, encoding: .utf8) else {
            throw SupportError.invalidRequest("\(source): not UTF-8 text")
        }
        if let line = Self.unclosedQuoteLine(text) {
            throw SupportError.invalidRequest("\(source) line \(line + lineOffset): a quoted field opened on this line is never closed")
        }
        var records: [[String]] = []
        do {
            // Parse the header only in the initialiser, then every record once, header included.
            let csv = try CSV<Enumerated>(string: text, delimiter: .comma, loadColumns: false, rowLimit: 0)
            try csv.enumerateAsArray(startAt: 0, rowLimit: nil) { records.append($0) }
        } catch let error as CSVParseError {
            let message = switch error {
            case let .generic(message), let .quotation(message): message
            }
            throw SupportError.invalidRequest("\(source): not valid CSV (\(message)); a quote inside a field must be doubled (\"\") and the field quoted")
        }

        var line = 1
        var numbered: [(line: Int, fields: [String])] = []
        for fields in records {
            numbered.append((line == 1 ? 1 : line + lineOffset, fields))
            line += 1 + fields.reduce(0) { $0 + $1.count(where: \.isNewline) }
        }
        numbered.removeAll { $0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }

        let wanted = (required + optional).joined(separator: ",")
        guard let header = numbered.first else {
            throw SupportError.invalidRequest("\(source): the file is empty; it needs a header row \(wanted)")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
        let missing = required.filter { !names.contains($0) }
        guard missing.isEmpty else {
            let found = names.map { "\"\($0)\"" }.joined(separator: ", ")
            throw SupportError.invalidRequest(
                "\(source) line \(header.line): the header row must name the columns \(required.joined(separator: ", "))"
                    + (optional.isEmpty ? "" : " (optionally \(optional.joined(separator: ", ")))")
                    + "; missing \(missing.joined(separator: ", ")) in \(found)")
        }
        var columnIndex: [String: Int] = [:]
        for (index, name) in names.enumerated() where columnIndex[name] == nil { columnIndex[name] = index }

        rows = try numbered.dropFirst().map { record in
            guard record.fields.count == names.count else {
                throw SupportError.invalidRequest(
                    "\(source) line \(record.line): \(record.fields.count) fields where the header has \(names.count)")
            }
            return Row(line: record.line, fields: record.fields, columnIndex: columnIndex)
        }
    }

    /// The line on which a quoted field starts that no closing quote ends, or `nil`.
    /// SwiftCSV would silently read the rest of the file into such a field.
    private static func unclosedQuoteLine(_ text: String) -> Int? {
        var line = 1
        var openedOn: Int?
        var lastOpenedOn = 1
        var previousClosedAField = false
        for character in text {
            if character == "\"" {
                if openedOn == nil {
                    // `""` inside a quoted field closes and reopens it: keep the field's first line.
                    openedOn = previousClosedAField ? lastOpenedOn : line
                    lastOpenedOn = openedOn ?? line
                    previousClosedAField = false
                } else {
                    openedOn = nil
                    previousClosedAField = true
                }
            } else {
                previousClosedAField = false
            }
            if character.isNewline { line += 1 }
        }
        return openedOn
    }

    /// Splits a tags cell on `;` or `|`, trimming each tag and dropping empty ones.
    static func tags(_ cell: String) -> [String] {
        cell.split(whereSeparator: { $0 == ";" || $0 == "|" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
