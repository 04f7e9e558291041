import CSupport
import Dispatch
import Primitives

/// A stored vector and its tags, as `HNSWIndex.get(id:)` returns them.
public struct StoredVector: Sendable, Equatable {
    /// The components as stored: normalised for cosine, decoded from f16/int8 codes for a compact storage without f32 copies.
    public var vector: [Float]
    /// The tags given on insert, in the index's tag-id order (not necessarily the order given).
    public var tags: [String]
}

/// An approximate nearest-neighbour index over caller-identified vectors:
/// the entry point of the `VectorIndex` module.
///
/// Inserts, upserts, deletes and (filtered) searches, with exact BLAS search
/// beside the HNSW graph for ground truth and very selective filters.
///
/// Concurrency: any number of threads may search while one thread writes.
/// Writes are serialised by a writer lock; a batch insert spreads over
/// several threads internally. Searches never take the writer lock: they
/// read link lists under per-node sequence locks, so they are never blocked
/// by an insert and never see a torn list. See docs/VECTOR-INDEX.md.
public final class HNSWIndex: @unchecked Sendable {
    /// The parameters the index was built (or loaded) with; fixed for its lifetime.
    public let parameters: IndexParameters
    let graph: HNSWGraph

    /// Shared by searches and writes; exclusive only to free repaired slots.
    let structure = ReadWriteLock()
    /// Serialises writers.
    let writer = Locked<Void>()
    /// Guards the maps below (short critical sections; searches take it only for filters).
    let bookkeepingLock = Locked<Void>()
    var slotOfID: [UInt64: UInt32] = [:]
    var tagIDs: [String: UInt32] = [:]
    var tagNames: [String] = []
    /// Live vectors per tag id, for the filter selectivity estimate.
    var tagCounts: [UInt32: Int] = [:]
    /// Slots that carried each tag when inserted (may hold deleted or reused slots; checked on use).
    var postings: [UInt32: [UInt32]] = [:]
    var tombstones: Set<UInt32> = []
    /// False for a mapped snapshot until an id-based call needs the maps above.
    var bookkeepingDerived = true
    /// A mapped snapshot: searches only; writes throw `PersistenceError.readOnly`.
    public let isReadOnly: Bool

    /// When tombstones exceed this fraction of stored vectors, a delete repairs
    /// the graph around them and frees their slots.
    public var repairThreshold: Double = 0.2
    /// Filters expected to keep at most this fraction of the vectors are answered
    /// by exact search over the matching vectors instead of a graph walk.
    public var exactFilterFraction: Double = 0.1

    /// With a compact storage and f32 copies, walk the graph on the codes while
    /// building (neighbours are still chosen with f32 distances). On by default;
    /// off builds entirely in f32, for comparison.
    public var buildOnCodes: Bool {
        get { graph.buildOnCodes }
        set { graph.buildOnCodes = newValue }
    }

    /// Creates an empty index with room for `capacity` vectors (address space is
    /// reserved up front; memory is used only as vectors arrive).
    public init(parameters: IndexParameters, capacity: Int = 1 << 22) throws {
        try parameters.validate()
        guard capacity >= 1 && capacity < Int(UInt32.max) else {
            throw IndexError.invalidParameter(name: "capacity", value: "\(capacity)", reason: "must be 1..<2^32")
        }
        self.parameters = parameters
        self.graph = HNSWGraph(parameters: parameters, capacity: capacity)
        self.isReadOnly = false
    }

    /// Wraps a graph restored from a snapshot.
    init(adopting graph: HNSWGraph, tagNames: [String], readOnly: Bool) throws {
        self.parameters = graph.parameters
        self.graph = graph
        self.isReadOnly = readOnly
        self.tagNames = tagNames
        for (i, name) in tagNames.enumerated() { tagIDs[name] = UInt32(i) }
        bookkeepingDerived = false
    }

    /// Runs `body` with the bookkeeping lock held, deriving the maps first if a
    /// mapped snapshot has not needed them yet.
    func withBookkeeping<T>(_ body: () throws -> T) rethrows -> T {
        try bookkeepingLock.withLock {
            if !bookkeepingDerived { rederiveBookkeeping() }
            return try body()
        }
    }

    /// Rebuilds the id, tag and tombstone maps from the slots' metadata. Called with the bookkeeping lock held.
    func rederiveBookkeeping() {
        let b = deriveBookkeeping()
        slotOfID = b.ids
        tagCounts = b.counts
        postings = b.postings
        tombstones = b.tombstones
        graph.tombstoneCount = UInt32(b.tombstones.count)
        bookkeepingDerived = true
    }

    // MARK: - Counts

    /// Live (searchable) vectors.
    public var count: Int { withBookkeeping { slotOfID.count } }
    /// Deleted vectors whose slots are not yet repaired away.
    public var deletedCount: Int { withBookkeeping { tombstones.count } }
    /// Bytes held by vectors, links and bookkeeping.
    public var memoryBytes: Int { structure.withShared { graph.memoryBytes() } }
    /// The distance kernels in use (`avx512`, `avx2+fma` or `portable`).
    public var kernelName: String { graph.kernels.name }

    /// Whether a live vector is stored under `id` (deleted ids are not).
    public func contains(id: UInt64) -> Bool { withBookkeeping { slotOfID[id] != nil } }

    /// Every live id, in no particular order.
    public var ids: [UInt64] { withBookkeeping { Array(slotOfID.keys) } }

    // MARK: - Writes

    /// Inserts a new vector; throws `duplicateID` if `id` is present (use `upsert` to replace).
    public func insert(id: UInt64, vector: [Float], tags: [String] = []) throws {
        if contains(id: id) { throw IndexError.duplicateID(id) }
        try upsert(id: id, vector: vector, tags: tags)
    }

    /// Inserts a vector, or replaces the vector and tags stored under `id`.
    public func upsert(id: UInt64, vector: [Float], tags: [String] = []) throws {
        try upsertBatch(ids: [id], vectors: vector, tags: tags.isEmpty ? nil : [tags], threads: 1)
    }

    /// Inserts or replaces many vectors, linking them on `threads` threads.
    ///
    /// - Parameters:
    ///   - ids: the callers' ids, each at most once in a batch.
    ///   - vectors: `ids.count × dimension` components, row-major.
    ///   - tags: nil, or one tag list per id.
    ///   - linkGraph: false stores the vectors for exact search only, without building
    ///     the graph (a ground-truth tool); such an index answers only `exactSearch`.
    ///   - threads: threads linking the batch into the graph (batches under 64 link on this one).
    /// - Throws: before changing anything, on the first invalid vector or a duplicate id.
    public func upsertBatch(ids: [UInt64], vectors: [Float], tags: [[String]]? = nil, threads: Int = 2,
                            linkGraph: Bool = true) throws {
        let prepared = try validateUpsert(ids: ids, vectors: vectors, tags: tags)
        try writer.withLock {
            try structure.withShared {
                if parameters.storage == .int8 && graph.quantizer == nil {
                    graph.quantizer = prepared.withUnsafeBufferPointer { trainQuantizer($0.baseAddress!, count: ids.count) }
                }
                let (slots, replaced) = try placeNodes(ids: ids, vectors: prepared, tags: tags)
                if linkGraph { link(slots, threads: threads) }
                withBookkeeping {
                    for (r, id) in ids.enumerated() { slotOfID[id] = slots[r] }
                }
                // Replaced vectors become tombstones only after their successors are searchable.
                for old in replaced { tombstone(old) }
            }
            repairIfNeeded()
        }
    }

    /// Deletes several vectors; throws before deleting anything if one id is unknown.
    public func deleteBatch(ids: [UInt64]) throws {
        try validateDelete(ids: ids)
        try writer.withLock {
            try structure.withShared {
                for id in ids {
                    let slot: UInt32? = withBookkeeping { slotOfID.removeValue(forKey: id) }
                    guard let slot else { throw IndexError.unknownID(id) }
                    tombstone(slot)
                }
            }
            repairIfNeeded()
        }
    }

    /// Deletes the vector stored under `id`; it is never returned again.
    ///
    /// - Throws: `IndexError.unknownID` when no vector has that id.
    public func delete(id: UInt64) throws {
        try deleteBatch(ids: [id])
    }

    /// Repairs the graph around every tombstone now and frees their slots.
    public func compact() {
        if isReadOnly { return }
        writer.withLock { repair() }
    }

    // MARK: - Reads

    /// The stored vector (normalised, for cosine) and tags of `id`, or nil if absent.
    public func get(id: UInt64) -> StoredVector? {
        structure.withShared {
            let (slot, names): (UInt32?, [String]) = withBookkeeping { (slotOfID[id], tagNames) }
            guard let slot else { return nil }
            var v = [Float](repeating: 0, count: parameters.dimension)
            v.withUnsafeMutableBufferPointer { graph.decode(slot, into: $0.baseAddress!) }
            var tags: [String] = []
            if let t = graph.tags(slot) {
                for i in 0..<Int(t.pointee) { tags.append(names[Int(t[1 + i])]) }
            }
            return StoredVector(vector: v, tags: tags)
        }
    }

    /// The `k` nearest live vectors to `query`, nearest first.
    ///
    /// - Parameters:
    ///   - query: `dimension` components (normalised here for cosine).
    ///   - k: how many hits to return, at most; at least 1.
    ///   - ef: the search's candidate list size (default `parameters.efSearch`); must be ≥ k.
    ///   - filter: only vectors whose tags pass are returned; very selective filters
    ///     are answered exactly (see `exactFilterFraction`).
    public func search(_ query: [Float], k: Int, ef: Int? = nil, filter: Filter? = nil) throws -> [SearchHit] {
        try validateQuery(k: k, ef: ef)
        var q = query
        try q.withUnsafeMutableBufferPointer { buf in
            guard buf.count == parameters.dimension else {
                throw IndexError.wrongDimension(expected: parameters.dimension, got: buf.count)
            }
            try prepareVector(buf.baseAddress!)
        }
        return structure.withShared {
            q.withUnsafeBufferPointer { searchPrepared($0.baseAddress!, count: 1, k: k, ef: ef, filter: filter)[0] }
        }
    }

    /// Searches many queries (`queries.count / dimension` rows), spread over `threads` threads.
    public func searchBatch(_ queries: [Float], k: Int, ef: Int? = nil, filter: Filter? = nil, threads: Int = 1) throws -> [[SearchHit]] {
        try validateQuery(k: k, ef: ef)
        let dim = parameters.dimension
        guard !queries.isEmpty, queries.count % dim == 0 else {
            throw IndexError.wrongDimension(expected: dim, got: queries.count % dim == 0 ? 0 : queries.count % dim)
        }
        let n = queries.count / dim
        var q = queries
        try q.withUnsafeMutableBufferPointer { buf in
            for r in 0..<n { try prepareVector(buf.baseAddress! + r * dim) }
        }
        return structure.withShared {
            q.withUnsafeBufferPointer { buf in
                let base = buf.baseAddress!
                if threads <= 1 || n < 2 {
                    return (0..<n).map { searchPrepared(base + $0 * dim, count: 1, k: k, ef: ef, filter: filter)[0] }
                }
                let out = ResultSlots<[SearchHit]>(count: n)
                parallelForEach(count: n, threads: threads) { i in
                    out.set(i, searchPrepared(base + i * dim, count: 1, k: k, ef: ef, filter: filter)[0])
                }
                return out.values
            }
        }
    }

    /// Exact k-NN by BLAS over every live vector: the ground truth for recall.
    ///
    /// - Parameters:
    ///   - queries: `n × dimension` components, row-major; one result list per row.
    ///   - k: hits per query, at most; at least 1.
    ///   - filter: only vectors whose tags pass are scored.
    public func exactSearch(_ queries: [Float], k: Int, filter: Filter? = nil) throws -> [[SearchHit]] {
        try validateQuery(k: k, ef: nil)
        let dim = parameters.dimension
        guard !queries.isEmpty, queries.count % dim == 0 else {
            throw IndexError.wrongDimension(expected: dim, got: queries.count % dim)
        }
        let n = queries.count / dim
        var q = queries
        try q.withUnsafeMutableBufferPointer { buf in
            for r in 0..<n { try prepareVector(buf.baseAddress! + r * dim) }
        }
        return structure.withShared {
            let accept = Acceptance(skipDeleted: true, filter: filter.map(compile))
            let found = q.withUnsafeBufferPointer {
                ExactSearch.search(graph: graph, queries: $0.baseAddress!, queryCount: n, k: k, accept: accept)
            }
            return found.map(hits)
        }
    }

    // MARK: - Internals

    private func searchPrepared(_ q: UnsafePointer<Float>, count: Int, k: Int, ef: Int?, filter: Filter?) -> [[SearchHit]] {
        let ef = max(ef ?? parameters.efSearch, k)
        var accept = Acceptance.live
        if let filter, !filter.isEmpty {
            let compiled = compile(filter)
            if compiled.matchesNothing { return [[]] }
            accept.filter = compiled
            if let slots = selectiveSlots(compiled) {
                return ExactSearch.search(graph: graph, queries: q, queryCount: count, k: k, accept: accept, slots: slots)
                    .map(hits)
            }
        } else if !isReadOnly && graph.tombstoneCount == 0 {
            accept = .everything
        }
        return [hits(Array(graph.search(query: q, ef: ef, accept: accept).prefix(k)))]
    }

    private func hits(_ found: [Candidate]) -> [SearchHit] {
        found.map { SearchHit(id: graph.meta($0.slot).pointee.label, distance: $0.distance) }
    }
}
