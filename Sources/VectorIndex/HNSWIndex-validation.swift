/// What a write or a query must satisfy, checked before anything changes.
extension HNSWIndex {
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

    /// Checks a vector in place and normalises it for cosine.
    func prepareVector(_ v: UnsafeMutablePointer<Float>) throws {
        let dim = parameters.dimension
        for i in 0..<dim where !v[i].isFinite { throw IndexError.nonFiniteComponent(position: i) }
        guard parameters.metric.normalises else { return }
        let norm2 = graph.kernels.dot(v, v, dim)
        guard norm2 > 0 && norm2.isFinite else { throw IndexError.zeroVector }
        let inv = 1 / norm2.squareRoot()
        for i in 0..<dim { v[i] *= inv }
    }

    /// A query asks for at least one neighbour, with `ef` (when given) at least `k`.
    func validateQuery(k: Int, ef: Int?) throws {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        if let ef, ef < k { throw IndexError.efBelowK(ef: ef, k: k) }
    }
}
