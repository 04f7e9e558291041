/// The vector arithmetic of online clustering: cosine distances and running-mean centroids.
///
/// A centroid is the mean of its members' unit vectors, kept unnormalised so
/// that adding a member or merging two clusters is exact; cosine compares
/// directions, so the length never matters to the search.
public enum GapMath {
    /// The cosine distance `1 − cos(a, b)` (the core's cosine metric); 1 when either is zero.
    public static func distance(_ a: [Float], _ b: [Float]) -> Double {
        1 - similarity(a, b)
    }

    /// `cos(a, b)`; 0 when either is zero or the lengths differ.
    public static func similarity(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for i in a.indices {
            dot += a[i] * b[i]
            na += a[i] * a[i]
            nb += b[i] * b[i]
        }
        guard na > 0, nb > 0 else { return 0 }
        return Double(dot / (na.squareRoot() * nb.squareRoot()))
    }

    /// `v` scaled to length 1 (unchanged when zero).
    public static func normalized(_ v: [Float]) -> [Float] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    /// The mean of `count` unit vectors whose mean is `centroid`, after adding `vector` (normalised first).
    public static func adding(_ vector: [Float], to centroid: [Float], count: Int) -> [Float] {
        let unit = normalized(vector)
        guard centroid.count == unit.count, count > 0 else { return unit }
        let n = Float(count)
        return zip(centroid, unit).map { ($0 * n + $1) / (n + 1) }
    }

    /// The radius within which a new question joins a cluster of `count` questions, for a
    /// `radius` that holds for large clusters.
    ///
    /// A large cluster's centroid stands for its topic, and `radius` is how far a topic's
    /// questions lie from it (similarity s = 1 − radius). A small cluster's centroid is still
    /// mostly its few questions, and two questions of one topic are farther apart than
    /// either is from the topic: if each is at similarity s from the topic, they are at
    /// about ρ = s² from each other, and a new one is at ρ·√(n / (1 + (n − 1)ρ)) from the mean
    /// of n of them (→ s as n grows). So the same topic gets a wider radius while its cluster
    /// is small — a new product's first questions, which scatter, can find each other — and
    /// no new constant: the large-cluster radius sets it all.
    public static func joinRadius(_ radius: Double, count: Int) -> Double {
        let s = max(0, 1 - radius), rho = s * s, n = Double(max(count, 1))
        return 1 - rho * (n / (1 + (n - 1) * rho)).squareRoot()
    }

    /// The mean of two clusters' members: their centroids weighted by their counts.
    public static func merged(_ a: [Float], count m: Int, _ b: [Float], count n: Int) -> [Float] {
        guard a.count == b.count, m + n > 0 else { return m >= n ? a : b }
        let total = Float(m + n)
        return zip(a, b).map { ($0 * Float(m) + $1 * Float(n)) / total }
    }
}

/// Online clustering with a radius, in memory: what ``GapTracker`` does with the
/// core and the store, kept here pure so it can be measured and tested alone.
///
/// Each vector joins the nearest cluster whose centroid is within its join
/// radius (``GapMath/joinRadius(_:count:)``: `radius` for a large cluster, wider
/// for a small one; cosine distance) or opens a new one; after a join, the moved
/// centroid absorbs any other cluster that has come within `radius` of it.
public struct OnlineClusters: Sendable {
    /// One cluster of vectors.
    public struct Cluster: Sendable {
        /// The running mean of its vectors (not normalised).
        public var centroid: [Float]
        /// Vectors it holds.
        public var count: Int
        /// The indexes of the vectors it holds, in arrival order.
        public var members: [Int]
    }

    /// The cosine distance within which a vector joins a large cluster and two clusters merge.
    public let radius: Double
    /// Open clusters (merged ones are removed).
    public private(set) var clusters: [Cluster] = []
    private var added = 0

    /// No clusters yet.
    public init(radius: Double) { self.radius = radius }

    /// Adds a vector. - Returns: the index in ``clusters`` it ended up in.
    @discardableResult
    public mutating func add(_ vector: [Float]) -> Int {
        let index = added
        added += 1
        var best = -1, bestDistance = Double.infinity
        for (i, c) in clusters.enumerated() {
            let d = GapMath.distance(vector, c.centroid)
            if d < bestDistance { (best, bestDistance) = (i, d) }
        }
        guard best >= 0, bestDistance <= GapMath.joinRadius(radius, count: clusters[best].count) else {
            clusters.append(Cluster(centroid: GapMath.normalized(vector), count: 1, members: [index]))
            return clusters.count - 1
        }
        clusters[best].centroid = GapMath.adding(vector, to: clusters[best].centroid, count: clusters[best].count)
        clusters[best].count += 1
        clusters[best].members.append(index)
        return mergeNear(best)
    }

    private mutating func mergeNear(_ index: Int) -> Int {
        var keep = index
        while true {
            var other = -1, otherDistance = Double.infinity
            for (i, c) in clusters.enumerated() where i != keep {
                let d = GapMath.distance(clusters[keep].centroid, c.centroid)
                if d < otherDistance { (other, otherDistance) = (i, d) }
            }
            guard other >= 0, otherDistance <= radius else { return keep }
            let (big, small) = clusters[keep].count >= clusters[other].count ? (keep, other) : (other, keep)
            clusters[big].centroid = GapMath.merged(clusters[big].centroid, count: clusters[big].count,
                                                    clusters[small].centroid, count: clusters[small].count)
            clusters[big].count += clusters[small].count
            clusters[big].members += clusters[small].members
            clusters.remove(at: small)
            keep = big > small ? big - 1 : big
        }
    }
}
