import CSupport
import Dispatch
import Primitives

/// One search result: the caller's id and its distance to the query
/// (`1 - cosine` or `1 - dot` for cosine/ip, squared Euclidean for l2; smaller is closer).
public struct SearchHit: Sendable, Equatable {
    public var id: UInt64
    public var distance: Float
    public init(id: UInt64, distance: Float) {
        self.id = id
        self.distance = distance
    }
}

/// A stored vector and its tags, as `HNSWIndex.get(id:)` returns them.
public struct StoredVector: Sendable, Equatable {
    public var vector: [Float]
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
            if !bookkeepingDerived {
                let b = deriveBookkeeping()
                slotOfID = b.ids
                tagCounts = b.counts
                postings = b.postings
                tombstones = b.tombstones
                graph.tombstoneCount = UInt32(b.tombstones.count)
                bookkeepingDerived = true
            }
            return try body()
        }
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
    ///   - vectors: `ids.count × dimension` components, row-major.
    ///   - tags: nil, or one tag list per id.
    ///   - linkGraph: false stores the vectors for exact search only, without building
    ///     the graph (a ground-truth tool); such an index answers only `exactSearch`.
    /// - Throws: before changing anything, on the first invalid vector or a duplicate id.
    public func upsertBatch(ids: [UInt64], vectors: [Float], tags: [[String]]? = nil, threads: Int = 2,
                            linkGraph: Bool = true) throws {
        let prepared = try validateUpsert(ids: ids, vectors: vectors, tags: tags)
        let dim = parameters.dimension
        try writer.withLock {
            try structure.withShared {
                if parameters.storage == .int8 && graph.quantizer == nil {
                    graph.quantizer = prepared.withUnsafeBufferPointer { trainQuantizer($0.baseAddress!, count: ids.count) }
                }
                // Slots and levels are chosen in order on this thread, so a build is
                // reproducible for a given seed whatever the thread count.
                var slots = [UInt32]()
                slots.reserveCapacity(ids.count)
                var replaced = [UInt32]()
                for (r, id) in ids.enumerated() {
                    let tagList = internTags(tags?[r] ?? [])
                    let slot = graph.allocateSlot()
                    let ok = slot.map { s in
                        prepared.withUnsafeBufferPointer { buf in
                            graph.prepareNode(slot: s, label: id, vector: buf.baseAddress! + r * dim,
                                              tags: tagList, level: graph.randomLevel())
                        }
                    } ?? false
                    guard let slot, ok else {
                        // Roll back the slots taken by this batch: they are not linked yet.
                        var unused = slots
                        if let slot { unused.append(slot) }
                        for s in unused { graph.setFlags(s, NodeFlags.deleted | NodeFlags.unlinked) }
                        graph.freeSlots.append(contentsOf: unused)
                        withBookkeeping {
                            for s in slots {
                                for t in graph.tags(s).map({ p in (0..<Int(p[0])).map { p[1 + $0] } }) ?? [] {
                                    tagCounts[t, default: 1] -= 1
                                }
                            }
                        }
                        throw IndexError.capacityExceeded(limit: graph.capacity)
                    }
                    slots.append(slot)
                    withBookkeeping {
                        if let old = slotOfID[id] { replaced.append(old) }
                        for t in tagList {
                            tagCounts[t, default: 0] += 1
                            postings[t, default: []].append(slot)
                        }
                    }
                }
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

    /// Checks an upsert batch without changing anything: exactly the errors
    /// `upsertBatch` would throw. Returns the vectors as they would be stored
    /// (normalised for cosine).
    public func validateUpsert(ids: [UInt64], vectors: [Float], tags: [[String]]? = nil) throws -> [Float] {
        if isReadOnly { throw PersistenceError.readOnly }
        let dim = parameters.dimension
        guard !ids.isEmpty else { throw IndexError.emptyBatch }
        guard vectors.count == ids.count * dim else {
            throw IndexError.wrongDimension(expected: dim, got: vectors.count / max(ids.count, 1))
        }
        if let tags, tags.count != ids.count {
            throw IndexError.invalidParameter(name: "tags", value: "\(tags.count) lists", reason: "need one per id (\(ids.count))")
        }
        var seen = Set<UInt64>(minimumCapacity: ids.count)
        for id in ids where !seen.insert(id).inserted { throw IndexError.duplicateID(id) }
        var prepared = vectors
        try prepared.withUnsafeMutableBufferPointer { buf in
            for r in 0..<ids.count { try prepareVector(buf.baseAddress! + r * dim) }
        }
        return prepared
    }

    /// Checks a delete batch without changing anything: every id present, none twice.
    public func validateDelete(ids: [UInt64]) throws {
        if isReadOnly { throw PersistenceError.readOnly }
        guard !ids.isEmpty else { throw IndexError.emptyBatch }
        var seen = Set<UInt64>(minimumCapacity: ids.count)
        for id in ids where !seen.insert(id).inserted { throw IndexError.duplicateID(id) }
        try withBookkeeping {
            for id in ids where slotOfID[id] == nil { throw IndexError.unknownID(id) }
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
    /// - Parameter queries: `n × dimension` components, row-major; one result list per row.
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

    /// The candidate slots for an exact filtered search, or nil when the filter
    /// keeps enough vectors for a graph walk to be the faster way.
    private func selectiveSlots(_ f: CompiledFilter) -> [UInt32]? {
        withBookkeeping {
            let live = max(slotOfID.count, 1)
            var estimate: Int
            var source: [UInt32]
            if let rarest = f.allOf.min(by: { tagCounts[$0, default: 0] < tagCounts[$1, default: 0] }) {
                estimate = tagCounts[rarest, default: 0]
                source = postings[rarest] ?? []
            } else {
                estimate = f.anyOf.reduce(0) { $0 + tagCounts[$1, default: 0] }
                if Double(estimate) > exactFilterFraction * Double(live) { return nil }
                var union = Set<UInt32>()
                for t in f.anyOf { union.formUnion(postings[t] ?? []) }
                return Array(union)
            }
            if Double(estimate) > exactFilterFraction * Double(live) { return nil }
            return Array(Set(source))
        }
    }

    private func compile(_ filter: Filter) -> CompiledFilter {
        withBookkeeping {
            var nothing = false
            let all = filter.allOf.compactMap { name -> UInt32? in
                if let id = tagIDs[name] { return id }
                nothing = true
                return nil
            }
            let any = filter.anyOf.compactMap { tagIDs[$0] }
            if !filter.anyOf.isEmpty && any.isEmpty { nothing = true }
            return CompiledFilter(allOf: all.sorted(), anyOf: any, matchesNothing: nothing)
        }
    }

    private func internTags(_ names: [String]) -> [UInt32] {
        withBookkeeping {
            var out = [UInt32]()
            for name in Set(names) {
                if let id = tagIDs[name] {
                    out.append(id)
                } else {
                    let id = UInt32(tagNames.count)
                    tagIDs[name] = id
                    tagNames.append(name)
                    out.append(id)
                }
            }
            return out.sorted()
        }
    }

    private func tombstone(_ slot: UInt32) {
        graph.setFlags(slot, NodeFlags.deleted)
        withBookkeeping {
            tombstones.insert(slot)
            graph.tombstoneCount = UInt32(tombstones.count)
            if let t = graph.tags(slot) {
                for i in 0..<Int(t.pointee) { tagCounts[t[1 + i], default: 1] -= 1 }
            }
        }
    }

    /// Called with the writer lock held.
    private func repairIfNeeded() {
        let (dead, live) = withBookkeeping { (tombstones.count, slotOfID.count) }
        if dead > 0 && Double(dead) > repairThreshold * Double(dead + live) { repair() }
    }

    /// Called with the writer lock held.
    private func repair() {
        let dead = withBookkeeping { tombstones }
        guard !dead.isEmpty else { return }
        let freed = structure.withShared { graph.unlinkDeleted(dead) }
        // Exclusive for a moment: no search can still stand on a slot we free.
        structure.withExclusive {
            graph.release(freed)
            withBookkeeping {
                tombstones.subtract(freed)
                graph.tombstoneCount = UInt32(tombstones.count)
                let gone = Set(freed)
                for (t, list) in postings { postings[t] = list.filter { !gone.contains($0) } }
            }
        }
    }

    private func trainQuantizer(_ vectors: UnsafePointer<Float>, count: Int) -> ScalarQuantizer {
        var maxAbs: Float = 0
        for i in 0..<(count * parameters.dimension) { maxAbs = max(maxAbs, abs(vectors[i])) }
        let fallback: ClosedRange<Float> = parameters.metric == .cosine ? -1...1 : -(2 * max(maxAbs, 1e-3))...(2 * max(maxAbs, 1e-3))
        return ScalarQuantizer(training: vectors, count: min(count, 100_000), dimension: parameters.dimension, fallbackRange: fallback)
    }

    private func link(_ slots: [UInt32], threads: Int) {
        if threads <= 1 || slots.count < 64 {
            for s in slots { graph.link(slot: s) }
            return
        }
        // The first few nodes go in alone so the graph has a top before threads fan out.
        let head = min(slots.count, 16)
        for s in slots[0..<head] { graph.link(slot: s) }
        parallelForEach(count: slots.count - head, threads: threads) { i in
            graph.link(slot: slots[head + i])
        }
    }

    /// Checks a vector in place and normalises it for cosine.
    private func prepareVector(_ v: UnsafeMutablePointer<Float>) throws {
        let dim = parameters.dimension
        for i in 0..<dim where !v[i].isFinite { throw IndexError.nonFiniteComponent(position: i) }
        guard parameters.metric.normalises else { return }
        let norm2 = graph.kernels.dot(v, v, dim)
        guard norm2 > 0 && norm2.isFinite else { throw IndexError.zeroVector }
        let inv = 1 / norm2.squareRoot()
        for i in 0..<dim { v[i] *= inv }
    }

    private func validateQuery(k: Int, ef: Int?) throws {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        if let ef, ef < k { throw IndexError.efBelowK(ef: ef, k: k) }
    }
}

/// Runs `body(0..<count)` on `threads` threads, handing out indices in order.
///
/// The closure is not `@Sendable`: callers share raw memory on purpose and
/// make each index touch its own slot.
func parallelForEach(count: Int, threads: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { escapable in
        let task = UncheckedBox((escapable, UnsafeMutablePointer<UInt64>.allocate(capacity: 1)))
        task.value.1.initialize(to: 0)
        defer { task.value.1.deallocate() }
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
            while true {
                let i = Int(ld_fetch_add_u64(task.value.1, 1))
                if i >= count { break }
                task.value.0(i)
            }
        }
    }
}

/// Moves a value across a concurrency boundary whose safety the caller guarantees.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Fixed slots that several threads fill at distinct indices.
final class ResultSlots<T>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<T?>
    let count: Int
    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }
    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }
    func set(_ i: Int, _ value: T) { storage[i] = value }
    var values: [T] { (0..<count).map { storage[$0]! } }
}
