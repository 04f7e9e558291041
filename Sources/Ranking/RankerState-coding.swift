import Primitives

/// The ranker's state as bytes (docs/RANKING.md, "State encoding").
///
/// Version 1, little-endian: `"LDRK" | u16 version | u16 dimension |
/// configuration | counters | FTRL z, n | posterior A, L | histories (sorted
/// by group) | impressions (in issue order)`. Dictionaries are written in
/// sorted order, so equal states give equal bytes.
extension Ranker {
    static let stateMagic = "LDRK"
    static let stateVersion: UInt16 = 1

    /// The whole state — configuration, weights, FTRL z/n, posterior,
    /// outcome histories, impressions, counters — as bytes.
    public func encodeState() -> [UInt8] { copyState().encode() }

    /// The whole state as it is now, to encode later: a copy-on-write copy
    /// taken under the lock in O(1) (the next change pays one copy of what it
    /// touches), so a snapshot can capture the ranker in its pause and encode it after.
    public func copyState() -> RankerStateCopy { RankerStateCopy(state: lock.withLock { state }) }

    /// Restores a ranker from ``encodeState()``'s bytes.
    /// - Parameter journal: receives the records applied from now on.
    /// - Throws: ``RankingDecodingError`` naming the field that is short or
    ///   wrong, or ``RankingError/invalidConfiguration(field:value:reason:)``.
    public convenience init(decoding bytes: [UInt8], journal: RankingJournal? = nil) throws {
        let state = try ByteReader.decodeWhole(bytes, Self.decodeState)
        self.init(state: state, journal: journal)
    }

    static func encode(_ s: RankerState) -> [UInt8] {
        let d = FeatureSchema.dimension
        var w = ByteWriter(capacity: 1024 + 16 * d * d + s.impressions.count * 64 * d)
        for b in stateMagic.utf8 { w.write(b) }
        w.write(stateVersion)
        w.write(UInt16(d))
        let c = s.configuration
        w.write(doubles: [c.ftrl.alpha, c.ftrl.beta, c.ftrl.l1, c.ftrl.l2, c.ftrl.maxAbsWeight,
                c.posterior.lambda, c.posterior.alpha])
        w.write(UInt64(c.posterior.refactorInterval))
        w.write(doubles: [c.initialSimilarityWeight, c.initialBias, c.explorationRate])
        w.write(c.seed)
        w.write(UInt64(c.maxImpressions))
        w.write(c.maxImpressionAge)
        w.write(c.learningEnabled)

        w.write(s.updates)
        w.write(s.coordinateUpdates)
        w.write(UInt32(s.feedbackCounts.count))
        for n in s.feedbackCounts { w.write(n) }
        w.write(doubles: s.featureSums)
        w.write(s.featureCount)

        w.write(doubles: s.ftrl.z)
        w.write(doubles: s.ftrl.n)
        w.write(doubles: s.posterior.precision)
        w.write(doubles: s.posterior.cholesky)
        w.write(UInt64(s.posterior.updatesSinceRefactor))

        w.write(UInt32(s.histories.count))
        for (group, h) in s.histories.sorted {
            w.write(group); w.write(h.successes); w.write(h.failures)
        }

        w.write(s.impressions.newestIssued)
        let impressions = s.impressions.inOrder
        w.write(UInt32(impressions.count))
        for imp in impressions {
            ImpressionRecord(imp).write(to: &w)
            for g in imp.groups {
                w.write(g.state.rawValue)
                w.write(g.csatRecorded)
                w.write(g.undo != nil)
                if let u = g.undo {
                    w.write(UInt16(u.coordinates.count))
                    for i in u.coordinates { w.write(i) }
                    w.write(doubles: u.values)
                }
            }
        }
        return w.bytes
    }

    static func decodeState(_ r: inout ByteReader<RankingDecodingError>) throws -> RankerState {
        let d = try decodeHeader(&r)
        let c = try decodeConfiguration(&r)
        let counters = try decodeCounters(&r, dimension: d)
        let (ftrl, posterior) = try decodeModel(&r, dimension: d, configuration: c)
        let histories = try decodeHistories(&r)
        let (newest, impressions) = try decodeImpressions(&r, dimension: d)

        var state = RankerState(configuration: c, ftrl: ftrl, posterior: posterior,
                                impressions: ImpressionStore(maxCount: c.maxImpressions, maxAge: c.maxImpressionAge,
                                                             newestIssued: newest, impressions: impressions))
        state.histories = histories
        counters.apply(to: &state)
        return state
    }

    /// Magic, version and feature dimension; returns the dimension.
    private static func decodeHeader(_ r: inout ByteReader<RankingDecodingError>) throws -> Int {
        try r.readMagic(stateMagic)
        let version = try r.read(UInt16.self, "state.version")
        guard version == stateVersion else {
            throw RankingDecodingError.unsupportedVersion(found: version, supported: stateVersion)
        }
        let at = r.offset
        let d = Int(try r.read(UInt16.self, "state.dimension"))
        guard d == FeatureSchema.dimension else {
            throw RankingDecodingError.invalidValue(field: "state.dimension", value: "\(d) (this build has \(FeatureSchema.dimension))", offset: at)
        }
        return d
    }

    /// The configuration the state was learned under, validated.
    private static func decodeConfiguration(_ r: inout ByteReader<RankingDecodingError>) throws -> RankerConfiguration {
        var c = RankerConfiguration()
        c.ftrl.alpha = try r.read(Double.self, "configuration.ftrl.alpha")
        c.ftrl.beta = try r.read(Double.self, "configuration.ftrl.beta")
        c.ftrl.l1 = try r.read(Double.self, "configuration.ftrl.l1")
        c.ftrl.l2 = try r.read(Double.self, "configuration.ftrl.l2")
        c.ftrl.maxAbsWeight = try r.read(Double.self, "configuration.ftrl.maxAbsWeight")
        c.posterior.lambda = try r.read(Double.self, "configuration.posterior.lambda")
        c.posterior.alpha = try r.read(Double.self, "configuration.posterior.alpha")
        c.posterior.refactorInterval = Int(clamping: try r.read(UInt64.self, "configuration.posterior.refactorInterval"))
        c.initialSimilarityWeight = try r.read(Double.self, "configuration.initialSimilarityWeight")
        c.initialBias = try r.read(Double.self, "configuration.initialBias")
        c.explorationRate = try r.read(Double.self, "configuration.explorationRate")
        c.seed = try r.read(UInt64.self, "configuration.seed")
        c.maxImpressions = Int(clamping: try r.read(UInt64.self, "configuration.maxImpressions"))
        c.maxImpressionAge = try r.read(Double.self, "configuration.maxImpressionAge")
        c.learningEnabled = try r.readBool("configuration.learningEnabled")
        try c.validate()
        return c
    }

    /// Update and feedback counters and the feature sums.
    private static func decodeCounters(_ r: inout ByteReader<RankingDecodingError>, dimension d: Int) throws -> DecodedCounters {
        let updates = try r.read(UInt64.self, "state.updates")
        let coordinateUpdates = try r.read(UInt64.self, "state.coordinateUpdates")
        let at = r.offset
        let kinds = Int(try r.read(UInt32.self, "state.feedbackCounts"))
        guard kinds == Outcome.kinds.count else {
            throw RankingDecodingError.invalidValue(field: "state.feedbackCounts", value: "\(kinds) kinds", offset: at)
        }
        let counts = try (0..<kinds).map { _ in try r.read(UInt64.self, "state.feedbackCount") }
        let sums = try r.readDoubles(count: d, "state.featureSums")
        let featureCount = try r.read(UInt64.self, "state.featureCount")
        return DecodedCounters(updates: updates, coordinateUpdates: coordinateUpdates, feedbackCounts: counts,
                               featureSums: sums, featureCount: featureCount)
    }

    /// FTRL z/n and the posterior's precision and Cholesky factor, every value finite.
    private static func decodeModel(_ r: inout ByteReader<RankingDecodingError>, dimension d: Int,
                                    configuration c: RankerConfiguration) throws -> (FTRLProximal, LinearPosterior) {
        let z = try r.readDoubles(count: d, "ftrl.z")
        let n = try r.readDoubles(count: d, "ftrl.n")
        let a = try r.readDoubles(count: d * d, "posterior.precision")
        let l = try r.readDoubles(count: d * d, "posterior.cholesky")
        let sinceRefactor = Int(clamping: try r.read(UInt64.self, "posterior.updatesSinceRefactor"))
        for (field, values) in [("ftrl.z", z), ("ftrl.n", n), ("posterior.precision", a), ("posterior.cholesky", l)] {
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw RankingDecodingError.invalidValue(field: "\(field)[\(bad)]", value: "\(values[bad])", offset: r.offset)
            }
        }

        var exempt = [Bool](repeating: false, count: d)
        exempt[FeatureSchema.bias] = true
        let ftrl = FTRLProximal(parameters: c.ftrl, z: z, n: n, l1Exempt: exempt)
        let posterior = LinearPosterior(dimension: d, parameters: c.posterior, precision: a, cholesky: l,
                                        updatesSinceRefactor: sinceRefactor)
        return (ftrl, posterior)
    }

    /// Per-group outcome histories: each group once, counts non-negative and finite.
    private static func decodeHistories(_ r: inout ByteReader<RankingDecodingError>) throws -> GroupTable<OutcomeHistory> {
        let historyCount = try r.readCount("state.histories", minimumItemSize: 24)
        var histories = GroupTable<OutcomeHistory>(minimumCapacity: historyCount)
        for _ in 0..<historyCount {
            let group = try r.read(UInt64.self, "history.group")
            let h = OutcomeHistory(successes: try r.read(Double.self, "history.successes"), failures: try r.read(Double.self, "history.failures"))
            guard histories[group] == nil else {
                throw RankingDecodingError.invalidValue(field: "history.group", value: "\(group) (twice)", offset: r.offset)
            }
            guard h.successes >= 0, h.failures >= 0, h.total.isFinite else {
                throw RankingDecodingError.invalidValue(field: "history[\(group)]", value: "\(h)", offset: r.offset)
            }
            _ = histories.value(for: group, insertingIfAbsent: h)
        }
        return histories
    }

    /// The newest issued impression id and the open impressions, ids rising and none above it.
    private static func decodeImpressions(_ r: inout ByteReader<RankingDecodingError>, dimension d: Int) throws -> (UInt64, [Impression]) {
        let newest = try r.read(UInt64.self, "impressions.newestIssued")
        let impressionCount = try r.readCount("impressions", minimumItemSize: 29)
        var impressions: [Impression] = []
        impressions.reserveCapacity(impressionCount)
        var previousID: UInt64 = 0
        for _ in 0..<impressionCount {
            let at = r.offset
            var imp = try ImpressionRecord(from: &r).impression
            guard imp.id > previousID, imp.id <= newest else {
                throw RankingDecodingError.invalidValue(field: "impression.id", value: "\(imp.id) after \(previousID), newest \(newest)", offset: at)
            }
            previousID = imp.id
            for g in imp.groups.indices {
                try decodeGroupOutcome(&r, into: &imp.groups[g], dimension: d)
            }
            impressions.append(imp)
        }
        return (newest, impressions)
    }

    /// One shown group's outcome state, CSAT flag and, if present, its FTRL undo record.
    private static func decodeGroupOutcome(_ r: inout ByteReader<RankingDecodingError>, into group: inout ShownGroup, dimension d: Int) throws {
        var at = r.offset
        let raw = try r.read(UInt8.self, "impression.group.state")
        guard let s = GroupOutcomeState(rawValue: raw) else {
            throw RankingDecodingError.invalidValue(field: "impression.group.state", value: "\(raw)", offset: at)
        }
        group.state = s
        group.csatRecorded = try r.readBool("impression.group.csat")
        if try r.readBool("impression.group.has-undo") {
            at = r.offset
            let k = Int(try r.read(UInt16.self, "undo.count"))
            guard k <= d else {
                throw RankingDecodingError.invalidValue(field: "undo.count", value: "\(k)", offset: at)
            }
            let coords = try (0..<k).map { _ in try r.read(UInt16.self, "undo.coordinate") }
            if let bad = coords.first(where: { Int($0) >= d }) {
                throw RankingDecodingError.invalidValue(field: "undo.coordinate", value: "\(bad)", offset: at)
            }
            group.undo = FTRLUndo(coordinates: coords, values: try r.readDoubles(count: 4 * k, "undo.values"))
        }
    }
}

/// The counters read by ``Ranker/decodeState(_:)`` before the model they count.
private struct DecodedCounters {
    let updates: UInt64
    let coordinateUpdates: UInt64
    let feedbackCounts: [UInt64]
    let featureSums: [Double]
    let featureCount: UInt64

    func apply(to state: inout RankerState) {
        state.updates = updates
        state.coordinateUpdates = coordinateUpdates
        state.feedbackCounts = feedbackCounts
        state.featureSums = featureSums
        state.featureCount = featureCount
    }
}

/// A ranker's state copied at one instant (``Ranker/copyState()``).
///
/// `@unchecked Sendable`: it holds value types only, copied under the
/// ranker's lock and never changed, so reading it from another thread is safe.
public struct RankerStateCopy: @unchecked Sendable {
    let state: RankerState

    /// ``Ranker/encodeState()``'s bytes, for the state as it was copied.
    public func encode() -> [UInt8] { Ranker.encode(state) }
}
