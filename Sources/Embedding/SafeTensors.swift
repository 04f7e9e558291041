import Foundation
import Primitives

/// A reader for the safetensors format: an 8-byte little-endian header length,
/// a JSON header naming each tensor's dtype, shape and byte range, then the
/// raw little-endian tensor data. Format: https://github.com/huggingface/safetensors
///
/// The file is memory-mapped; ``floats(_:shape:)`` hands out pointers into the
/// mapping after checking the dtype, the shape and that the bytes are in bounds.
/// Only `F32` is read: a file in another precision is refused, never converted
/// silently.
final class SafeTensors: @unchecked Sendable {
    // @unchecked: immutable after init; the mapping is read-only.

    /// One entry of the header.
    struct TensorInfo: Sendable {
        var dtype: String
        var shape: [Int]
        /// Byte range relative to the start of the data section.
        var range: Range<Int>
    }

    let path: String
    let tensors: [String: TensorInfo]
    private let file: MappedFile
    private let dataStart: Int

    /// Opens and validates `path`.
    /// - Throws: ``EmbeddingError`` naming the file and what is wrong with it.
    init(path: String) throws {
        #if _endian(big)
        throw EmbeddingError.cannotRead(path: path, reason: "safetensors data is little-endian; this host is big-endian")
        #endif
        self.path = path
        do {
            file = try MappedFile(path: path)
        } catch {
            throw EmbeddingError(mapping: error)
        }
        let bytes = file.bytes
        func malformed(_ reason: String) -> EmbeddingError { .malformedSafeTensors(path: path, reason: reason) }

        guard bytes.count >= 8 else { throw malformed("shorter than the 8-byte header length (\(bytes.count) bytes)") }
        let headerLength = Int(UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self)))
        guard headerLength > 1, headerLength <= bytes.count - 8 else {
            throw malformed("header length \(headerLength) does not fit in a file of \(bytes.count) bytes")
        }
        dataStart = 8 + headerLength
        let headerData = Data(bytes[8..<dataStart])
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw malformed("the header is not a JSON object")
        }

        let dataLength = bytes.count - dataStart
        var tensors: [String: TensorInfo] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any],
                  let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [NSNumber])?.map(\.intValue),
                  let offsets = (entry["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2
            else { throw malformed("entry '\(name)' lacks a dtype, shape or data_offsets") }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataLength else {
                throw malformed("tensor '\(name)' spans bytes \(offsets[0])..<\(offsets[1]) of a \(dataLength)-byte data section")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw malformed("tensor '\(name)' has a negative dimension \(shape)") }
            if let width = Self.elementSize[dtype] {
                let expected = shape.reduce(width, *)
                guard expected == offsets[1] - offsets[0] else {
                    throw malformed("tensor '\(name)' of \(dtype) \(shape) needs \(expected) bytes but spans \(offsets[1] - offsets[0])")
                }
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        self.tensors = tensors
    }

    /// Tells the kernel the pages wholly inside tensor `name` will not be read
    /// again (after the tensor was copied elsewhere), so they stop counting as
    /// resident memory. Reading the tensor afterwards still works: the pages
    /// come back from the file.
    func discardPages(of name: String) {
        guard let info = tensors[name] else { return }
        file.discardPages(in: (dataStart + info.range.lowerBound)..<(dataStart + info.range.upperBound))
    }

    private static let elementSize: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
    ]

    /// The `F32` tensor `name`, checked against `shape`.
    ///
    /// The pointer stays valid as long as this reader lives.
    /// - Throws: ``EmbeddingError/missingTensor(path:tensor:)``,
    ///   ``EmbeddingError/unexpectedDType(path:tensor:found:expected:)`` or
    ///   ``EmbeddingError/unexpectedShape(path:tensor:found:expected:)``.
    func floats(_ name: String, shape: [Int]) throws -> UnsafeBufferPointer<Float> {
        guard let info = tensors[name] else { throw EmbeddingError.missingTensor(path: path, tensor: name) }
        guard info.dtype == "F32" else {
            throw EmbeddingError.unexpectedDType(path: path, tensor: name, found: info.dtype, expected: "F32")
        }
        guard info.shape == shape else {
            throw EmbeddingError.unexpectedShape(path: path, tensor: name, found: info.shape, expected: shape)
        }
        let start = file.bytes.baseAddress! + dataStart + info.range.lowerBound
        guard Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 else {
            throw EmbeddingError.malformedSafeTensors(path: path, reason: "tensor '\(name)' is not 4-byte aligned")
        }
        return UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: info.range.count / 4)
    }
}
