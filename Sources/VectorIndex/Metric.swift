/// How two vectors are compared.
///
/// Every metric is turned into a *distance* where smaller is closer, so the
/// graph code needs no branches on the metric:
/// - `cosine`: vectors are L2-normalised on insert and on query; distance is `1 - dot`.
/// - `innerProduct`: distance is `1 - dot` (vectors are stored as given).
/// - `l2`: distance is the squared Euclidean distance.
public enum Metric: String, Sendable, CaseIterable, Codable {
    /// Cosine similarity: vectors normalised to unit length, distance `1 - dot`.
    case cosine
    /// Raw inner product (vectors stored as given), distance `1 - dot`; spelled `ip`.
    case innerProduct = "ip"
    /// Squared Euclidean distance.
    case l2

    /// Whether inserted and query vectors are normalised to unit length.
    public var normalises: Bool { self == .cosine }

    /// Parses the spellings used by the CLI and the protocol (`cosine`, `ip`, `l2`).
    public init?(name: String) {
        switch name.lowercased() {
        case "cosine", "cos": self = .cosine
        case "ip", "dot", "inner_product", "innerproduct": self = .innerProduct
        case "l2", "euclidean": self = .l2
        default: return nil
        }
    }
}
