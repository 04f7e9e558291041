import Primitives

/// How vectors are held for graph traversal.
///
/// Compact storages trade a little recall for less memory and faster
/// traversal; with `keepFullPrecision` the final candidates are re-ranked in f32.
public enum VectorStorage: String, Sendable, CaseIterable, Codable {
    /// 4 bytes a component.
    case f32
    /// IEEE half precision, 2 bytes a component.
    case f16
    /// Scalar quantisation to one byte a component with per-dimension ranges.
    case int8

    /// Bytes one component takes in the traversal representation.
    public var bytesPerComponent: Int {
        switch self {
        case .f32: return 4
        case .f16: return 2
        case .int8: return 1
        }
    }
}

/// The parameters of one HNSW index, named as in Malkov & Yashunin (2018).
public struct IndexParameters: Sendable, Equatable, Codable {
    /// Length of every vector.
    public var dimension: Int
    /// How vectors are compared; `cosine` normalises them on insert and query.
    public var metric: Metric
    /// Links a node keeps on layers above 0 (`M`); layer 0 keeps `2·M` (`Mmax0`).
    public var M: Int
    /// Size of the dynamic candidate list while inserting.
    public var efConstruction: Int
    /// Default size of the dynamic candidate list while searching (`ef`).
    public var efSearch: Int
    /// Representation used to traverse the graph.
    public var storage: VectorStorage
    /// With a compact `storage`, also keep f32 copies to re-rank the final candidates.
    public var keepFullPrecision: Bool
    /// Seed of the level generator; a fixed seed gives a reproducible graph for one-thread builds.
    public var seed: UInt64

    /// Parameters with the usual HNSW defaults (M 16, efConstruction 200, efSearch 64, f32);
    /// call `validate()` (the index does) to check the ranges.
    public init(
        dimension: Int,
        metric: Metric = .cosine,
        M: Int = 16,
        efConstruction: Int = 200,
        efSearch: Int = 64,
        storage: VectorStorage = .f32,
        keepFullPrecision: Bool = true,
        seed: UInt64 = 100
    ) {
        self.dimension = dimension
        self.metric = metric
        self.M = M
        self.efConstruction = efConstruction
        self.efSearch = efSearch
        self.storage = storage
        self.keepFullPrecision = keepFullPrecision
        self.seed = seed
    }

    /// Links a node keeps on layer 0.
    public var maxM0: Int { 2 * M }
    /// The level multiplier `mL = 1 / ln(M)`.
    public var levelMultiplier: Double { 1.0 / log(Double(M)) }
    /// Whether f32 copies are held beside a compact traversal representation.
    public var hasSeparateFullPrecision: Bool { storage != .f32 && keepFullPrecision }

    /// Throws `IndexError.invalidParameter` for values the graph cannot work with.
    public func validate() throws {
        guard dimension >= 1 && dimension <= 65_536 else {
            throw IndexError.invalidParameter(name: "dimension", value: "\(dimension)", reason: "must be 1...65536")
        }
        guard M >= 2 && M <= 256 else {
            throw IndexError.invalidParameter(name: "M", value: "\(M)", reason: "must be 2...256")
        }
        guard efConstruction >= 1 && efConstruction <= 100_000 else {
            throw IndexError.invalidParameter(name: "efConstruction", value: "\(efConstruction)", reason: "must be 1...100000")
        }
        guard efSearch >= 1 && efSearch <= 100_000 else {
            throw IndexError.invalidParameter(name: "efSearch", value: "\(efSearch)", reason: "must be 1...100000")
        }
    }
}
