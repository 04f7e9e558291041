import Foundation

/// Reads a helpdesk export as its bytes arrive, handing out each ticket as soon as its record
/// is complete: what `POST /v1/import/tickets` uses so that an upload is never held whole.
///
/// JSON exports are cut into records by ``JSONRecordStream`` and each record is parsed on its
/// own; CSV exports are cut into chunks of rows by ``CSVRecordStream``. Memory is bounded by
/// ``maxRecordBytes`` (the largest record or chunk) plus the tickets handed out; an error names
/// the ticket or line and stops the read where it is.
///
/// ```swift
/// var reader = HelpdeskExportReader(format: .zendesk, maxRecordBytes: 4 << 20)
/// for try await chunk in body { tickets += try reader.read(chunk) }
/// tickets += try reader.finish()
/// ```
public struct HelpdeskExportReader {
    /// The export's format.
    public let format: HelpdeskExportFormat
    /// The largest ticket record (JSON) or row (CSV) accepted, in bytes.
    public let maxRecordBytes: Int
    private var json: JSONRecordStream?
    private var csv: CSVRecordStream?

    /// A reader at the start of an export.
    /// - Parameters:
    ///   - format: how to read it (``HelpdeskExports`` describes each).
    ///   - maxRecordBytes: a larger record is refused with ``SupportError/tooLarge(_:)``.
    public init(format: HelpdeskExportFormat, maxRecordBytes: Int) {
        self.format = format
        self.maxRecordBytes = max(1, maxRecordBytes)
        let source = "\(format.rawValue) export"
        if let key = HelpdeskExports.recordKey(of: format) {
            json = JSONRecordStream(key: key, source: source, recordName: String(key.dropLast()), maxRecordBytes: self.maxRecordBytes)
        } else {
            csv = CSVRecordStream(source: source, maxChunkBytes: self.maxRecordBytes)
        }
    }

    /// The tickets completed by the next bytes of the export.
    /// - Throws: ``SupportError/invalidRequest(_:)`` naming the ticket or line that is wrong,
    ///   ``SupportError/tooLarge(_:)`` for a record over ``maxRecordBytes``.
    public mutating func read<Bytes: Collection>(_ bytes: Bytes) throws -> [ImportedTicket] where Bytes.Element == UInt8 {
        if json != nil {
            let records = try json?.feed(bytes) ?? []
            return try records.compactMap { record in
                HelpdeskExports.ticket(try HelpdeskExports.record(record.data, number: record.number, format: format), format: format)
            }
        }
        return try (csv?.feed(bytes) ?? []).flatMap(Self.tickets)
    }

    /// The tickets of the export's end, once every byte has been read.
    /// - Throws: as ``read(_:)``, and for an export cut short or without its ticket list.
    public mutating func finish() throws -> [ImportedTicket] {
        if json != nil {
            try json?.finish()
            return []
        }
        guard let chunk = csv?.finish() else { return [] }
        return try Self.tickets(chunk)
    }

    private static func tickets(_ chunk: CSVRecordStream.Chunk) throws -> [ImportedTicket] {
        try HelpdeskExports.csv(chunk.text, lineOffset: chunk.firstLine - (chunk.headerLines + 1))
    }
}
