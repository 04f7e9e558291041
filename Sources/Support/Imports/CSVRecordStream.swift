import Foundation

/// Splits a CSV export into chunks of whole rows as its bytes arrive, each chunk a small CSV
/// file of its own (the header row, then the rows) for ``ImportCSVTable`` to read, with the
/// line of the export its first row starts on.
///
/// A row ends at a line feed outside double quotes (a quoted field may hold line breaks;
/// `""` inside one is a quote). At most ``maxChunkBytes`` are held: a chunk is handed out as
/// soon as it reaches ``rowsPerChunk`` rows or that size, and a single row larger than it is refused.
struct CSVRecordStream {
    /// How errors name the export ("csv export").
    let source: String
    /// The most bytes held at once; also the largest row.
    let maxChunkBytes: Int
    /// Rows per chunk.
    let rowsPerChunk = 500

    private var header: [UInt8]?
    private var headerLines = 1
    private var rows: [UInt8] = []
    private var rowCount = 0
    /// The export line the chunk's first row starts on.
    private var chunkFirstLine = 2
    private var current: [UInt8] = []
    private var inQuotes = false
    /// Line feeds seen in whole rows so far, for line numbers.
    private var linesDone = 0

    init(source: String, maxChunkBytes: Int) {
        self.source = source
        self.maxChunkBytes = maxChunkBytes
    }

    /// A chunk of rows: a CSV text with the header, and the export line of its first row.
    struct Chunk {
        var text: Data
        var firstLine: Int
        /// The line feeds of the header row in `text` (one, unless a quoted name holds a line break).
        var headerLines: Int
    }

    /// The chunks `bytes` completed.
    /// - Throws: ``SupportError/tooLarge(_:)`` for a row (or a header) over ``maxChunkBytes``.
    mutating func feed<Bytes: Collection>(_ bytes: Bytes) throws -> [Chunk] where Bytes.Element == UInt8 {
        var out: [Chunk] = []
        for byte in bytes {
            current.append(byte)
            if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
            if byte == UInt8(ascii: "\n"), !inQuotes { try endRow(into: &out) }
            if current.count > maxChunkBytes {
                throw SupportError.tooLarge("\(source) line \(linesDone + 1): a row larger than \(maxChunkBytes) bytes")
            }
        }
        return out
    }

    /// The last chunk: the rows not handed out yet, and a last row without a line feed.
    /// An export without even a header gives an empty chunk, for the table reader to name the problem.
    mutating func finish() -> Chunk {
        if !current.isEmpty {
            if header == nil { header = current } else { rows += current; rowCount += 1 }
            current = []
        }
        let chunk = Chunk(text: Data((header ?? []) + rows), firstLine: chunkFirstLine, headerLines: headerLines)
        rows = []
        rowCount = 0
        return chunk
    }

    private mutating func endRow(into out: inout [Chunk]) throws {
        let row = current
        current = []
        let feeds = row.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        defer { linesDone += feeds }
        guard header != nil else {
            header = row
            headerLines = feeds
            chunkFirstLine = feeds + 1
            return
        }
        if rowCount >= rowsPerChunk || (rowCount > 0 && rows.count + row.count + (header?.count ?? 0) > maxChunkBytes) {
            out.append(Chunk(text: Data((header ?? []) + rows), firstLine: chunkFirstLine, headerLines: headerLines))
            rows = []
            rowCount = 0
            chunkFirstLine = linesDone + 1
        }
        rows += row
        rowCount += 1
    }
}
