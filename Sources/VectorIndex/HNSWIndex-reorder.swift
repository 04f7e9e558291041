import Primitives

/// Renumbering the slots in graph order for the cache (docs/VECTOR-INDEX.md,
/// "Graph order").
extension HNSWIndex {
    /// Renumbers the index's slots in breadth-first order of its layer-0
    /// graph, so that a search's reads of neighbouring nodes fall near each
    /// other in memory. Ids, vectors, tags, links and results are unchanged.
    ///
    /// Searches and writes wait while it runs (it rewrites every node, about a
    /// second a million vectors here): call it after a bulk build or a repair,
    /// before serving, not on a busy index.
    /// - Returns: the seconds it took.
    /// - Throws: `PersistenceError.readOnly` for a mapped snapshot.
    @discardableResult
    public func reorderForLocality() throws -> Double {
        guard !isReadOnly else { throw PersistenceError.readOnly }
        let started = Monotonic.now()
        writer.withLock {
            structure.withExclusive {
                graph.renumber(graph.breadthFirstOrder())
                bookkeepingLock.withLock { rederiveBookkeeping() }
            }
        }
        return Monotonic.seconds(since: started)
    }
}
