/// An array kept in chunks of `2^chunkShift` elements, for tables that a
/// snapshot copies in its pause while writers go on.
///
/// A copy of a Swift `Array` shares its buffer until the next change, and
/// that change then copies the whole buffer: at a million entries, tens of
/// milliseconds that a writer waits for, right after each snapshot (RESULTS.md,
/// "Snapshots of grouped collections"). Here a copy shares every chunk, and a
/// change copies the one chunk it writes (`2^chunkShift` elements) and the
/// small array of chunk references.
///
/// Every chunk but the last is full, so element `i` is in chunk
/// `i >> chunkShift` at `i & (2^chunkShift − 1)`: one more load than an array,
/// from a table of chunk references that stays in cache.
public struct ChunkedArray<Element> {
    @usableFromInline var chunks: [[Element]] = []
    @usableFromInline let shift: Int
    @usableFromInline let mask: Int
    @usableFromInline var storedCount = 0

    /// Elements held.
    @inlinable public var count: Int { storedCount }

    /// An empty array whose chunks hold `2^chunkShift` elements.
    @inlinable
    public init(chunkShift: Int = 12) {
        precondition((0...30).contains(chunkShift), "chunk shift \(chunkShift) out of 0...30")
        shift = chunkShift
        mask = (1 << chunkShift) - 1
    }

    /// `count` copies of `value`, in chunks of `2^chunkShift` elements.
    @inlinable
    public init(repeating value: Element, count: Int, chunkShift: Int = 12) {
        self.init(chunkShift: chunkShift)
        let size = 1 << chunkShift
        var left = count
        chunks.reserveCapacity((count + size - 1) / size)
        while left > 0 {
            chunks.append([Element](repeating: value, count: min(size, left)))
            left -= size
        }
        storedCount = count
    }

    /// Whether no element is held.
    @inlinable public var isEmpty: Bool { count == 0 }

    /// `0..<count`.
    @inlinable public var indices: Range<Int> { 0..<count }

    /// Element `i` (`0 ≤ i < count`; the chunks' own bounds checks trap
    /// otherwise): a write copies its chunk if a copy of this array still shares it.
    @inlinable
    public subscript(i: Int) -> Element {
        get { chunks[i &>> shift][i & mask] }
        _modify { yield &chunks[i &>> shift][i & mask] }
    }

    /// Adds `value` at the end (a new chunk when the last is full).
    @inlinable
    public mutating func append(_ value: Element) {
        if count & mask == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(mask + 1)
            chunk.append(value)
            chunks.append(chunk)
        } else {
            chunks[chunks.count - 1].append(value)
        }
        storedCount += 1
    }

    /// Calls `body` with the address of element `i`, valid only inside `body`
    /// (to prefetch it, say).
    @inlinable
    public func withUnsafePointer<R>(to i: Int, _ body: (UnsafePointer<Element>) throws -> R) rethrows -> R {
        precondition(i >= 0 && i < count, "index \(i) out of 0..<\(count)")
        return try chunks[i &>> shift].withUnsafeBufferPointer { try body($0.baseAddress! + (i & mask)) }
    }

    /// Every element, in order.
    public var elements: [Element] { Array(chunks.joined()) }
}

extension ChunkedArray: Sendable where Element: Sendable {}
