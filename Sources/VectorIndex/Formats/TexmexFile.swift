import Foundation

/// Readers and writers for the TEXMEX vector formats used by ANN benchmarks:
/// `.fvecs` (each row: `i32 dimension` then that many `f32`) and `.ivecs`
/// (the same with `i32` values, e.g. ground-truth neighbour ids).
public enum TexmexFile {
    /// Why a file could not be read, with the path (and byte offset) at fault.
    public enum Error: Swift.Error, CustomStringConvertible {
        /// The file cannot be opened or read.
        case unreadable(path: String, reason: String)
        /// A row's dimension is invalid, differs from the first row's, or runs past the end.
        case malformed(path: String, offset: Int, reason: String)

        /// The path, the offset when known, and what is wrong.
        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
            case let .malformed(path, offset, reason): return "\(path) is malformed at byte \(offset): \(reason)"
            }
        }
    }

    /// Rows of an `.fvecs` file: (dimension, row count, row-major values).
    public static func readFloats(_ path: String, limit: Int? = nil) throws -> (dimension: Int, count: Int, values: [Float]) {
        let (d, n, raw) = try readRows(path, limit: limit)
        var values = [Float](repeating: 0, count: d * n)
        raw.withUnsafeBytes { src in
            values.withUnsafeMutableBytes { dst in
                for r in 0..<n {
                    let from = src.baseAddress! + r * (d + 1) * 4 + 4
                    (dst.baseAddress! + r * d * 4).copyMemory(from: from, byteCount: d * 4)
                }
            }
        }
        return (d, n, values)
    }

    /// Rows of an `.ivecs` file as `[[Int32]]`.
    public static func readInts(_ path: String, limit: Int? = nil) throws -> [[Int32]] {
        let (d, n, raw) = try readRows(path, limit: limit)
        return raw.withUnsafeBytes { src in
            (0..<n).map { r in
                (0..<d).map { c in src.loadUnaligned(fromByteOffset: (r * (d + 1) + 1 + c) * 4, as: Int32.self) }
            }
        }
    }

    /// Writes row-major `values` (`count × dimension`) as `.fvecs`.
    public static func writeFloats(_ path: String, dimension: Int, values: [Float]) throws {
        var out = Data(capacity: values.count / dimension * (dimension + 1) * 4)
        var d = Int32(dimension).littleEndian
        values.withUnsafeBytes { v in
            for r in 0..<(values.count / dimension) {
                withUnsafeBytes(of: &d) { out.append(contentsOf: $0) }
                out.append(contentsOf: v[(r * dimension * 4)..<((r + 1) * dimension * 4)])
            }
        }
        try out.write(to: URL(fileURLWithPath: path))
    }

    /// Writes integer rows (all the same length) as `.ivecs`.
    public static func writeInts(_ path: String, rows: [[Int32]]) throws {
        var out = Data()
        for row in rows {
            var d = Int32(row.count).littleEndian
            withUnsafeBytes(of: &d) { out.append(contentsOf: $0) }
            row.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        try out.write(to: URL(fileURLWithPath: path))
    }

    private static func readRows(_ path: String, limit: Int?) throws -> (Int, Int, Data) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw Error.unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        guard data.count >= 4 else { throw Error.malformed(path: path, offset: 0, reason: "shorter than one header") }
        let d = Int(data.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) })
        guard d > 0 && d <= 1 << 20 else { throw Error.malformed(path: path, offset: 0, reason: "dimension \(d)") }
        let rowBytes = (d + 1) * 4
        guard data.count % rowBytes == 0 else {
            throw Error.malformed(path: path, offset: data.count / rowBytes * rowBytes,
                                  reason: "size \(data.count) is not a whole number of \(rowBytes)-byte rows")
        }
        var n = data.count / rowBytes
        if let limit { n = min(n, limit) }
        return (d, n, data)
    }
}
