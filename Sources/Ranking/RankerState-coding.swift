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
    public func encodeState() -> [UInt8] {
        lock.withLock { Self.encode(state) }
    }

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
        var w = ByteWriter(reservingCapacity: 1024 + 16 * d * d + s.impressions.count * 64 * d)
        for b in stateMagic.utf8 { w.u8(b) }
        w.u16(stateVersion)
        w.u16(UInt16(d))
        let c = s.configuration
        w.f64s([c.ftrl.alpha, c.ftrl.beta, c.ftrl.l1, c.ftrl.l2, c.ftrl.maxAbsWeight,
                c.posterior.lambda, c.posterior.alpha])
        w.u64(UInt64(c.posterior.refactorInterval))
        w.f64s([c.initialSimilarityWeight, c.initialBias, c.explorationRate])
        w.u64(c.seed)
        w.u64(UInt64(c.maxImpressions))
        w.f64(c.maxImpressionAge)
        w.bool(c.learningEnabled)

        w.u64(s.updates)
        w.u64(s.coordinateUpdates)
        w.u32(UInt32(s.feedbackCounts.count))
        for n in s.feedbackCounts { w.u64(n) }
        w.f64s(s.featureSums)
        w.u64(s.featureCount)

        w.f64s(s.ftrl.z)
        w.f64s(s.ftrl.n)
        w.f64s(s.posterior.precision)
        w.f64s(s.posterior.cholesky)
        w.u64(UInt64(s.posterior.updatesSinceRefactor))

        w.u32(UInt32(s.histories.count))
        for (group, h) in s.histories.sorted {
            w.u64(group); w.f64(h.successes); w.f64(h.failures)
        }

        w.u64(s.impressions.newestIssued)
        let impressions = s.impressions.inOrder
        w.u32(UInt32(impressions.count))
        for imp in impressions {
            ImpressionRecord(imp).write(to: &w)
            for g in imp.groups {
                w.u8(g.state.rawValue)
                w.bool(g.csatRecorded)
                w.bool(g.undo != nil)
                if let u = g.undo {
                    w.u16(UInt16(u.coordinates.count))
                    for i in u.coordinates { w.u16(i) }
                    w.f64s(u.values)
                }
            }
        }
        return w.bytes
    }

    static func decodeState(_ r: inout ByteReader) throws -> RankerState {
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
    private static func decodeHeader(_ r: inout ByteReader) throws -> Int {
        try r.magic(stateMagic)
        let version = try r.u16("state.version")
        guard version == stateVersion else {
            throw RankingDecodingError.unsupportedVersion(found: version, supported: stateVersion)
        }
        let at = r.offset
        let d = Int(try r.u16("state.dimension"))
        guard d == FeatureSchema.dimension else {
            throw RankingDecodingError.invalidValue(field: "state.dimension", value: "\(d) (this build has \(FeatureSchema.dimension))", offset: at)
        }
        return d
    }

    /// The configuration the state was learned under, validated.
    private static func decodeConfiguration(_ r: inout ByteReader) throws -> RankerConfiguration {
        var c = RankerConfiguration()
        c.ftrl.alpha = try r.f64("configuration.ftrl.alpha")
        c.ftrl.beta = try r.f64("configuration.ftrl.beta")
        c.ftrl.l1 = try r.f64("configuration.ftrl.l1")
        c.ftrl.l2 = try r.f64("configuration.ftrl.l2")
        c.ftrl.maxAbsWeight = try r.f64("configuration.ftrl.maxAbsWeight")
        c.posterior.lambda = try r.f64("configuration.posterior.lambda")
        c.posterior.alpha = try r.f64("configuration.posterior.alpha")
        c.posterior.refactorInterval = Int(clamping: try r.u64("configuration.posterior.refactorInterval"))
        c.initialSimilarityWeight = try r.f64("configuration.initialSimilarityWeight")
        c.initialBias = try r.f64("configuration.initialBias")
        c.explorationRate = try r.f64("configuration.explorationRate")
        c.seed = try r.u64("configuration.seed")
        c.maxImpressions = Int(clamping: try r.u64("configuration.maxImpressions"))
        c.maxImpressionAge = try r.f64("configuration.maxImpressionAge")
        c.learningEnabled = try r.bool("configuration.learningEnabled")
        try c.validate()
        return c
    }

    /// Update and feedback counters and the feature sums.
    private static func decodeCounters(_ r: inout ByteReader, dimension d: Int) throws -> DecodedCounters {
        let updates = try r.u64("state.updates")
        let coordinateUpdates = try r.u64("state.coordinateUpdates")
        let at = r.offset
        let kinds = Int(try r.u32("state.feedbackCounts"))
        guard kinds == Outcome.kinds.count else {
            throw RankingDecodingError.invalidValue(field: "state.feedbackCounts", value: "\(kinds) kinds", offset: at)
        }
        let counts = try (0..<kinds).map { _ in try r.u64("state.feedbackCount") }
        let sums = try r.f64s("state.featureSums", count: d)
        let featureCount = try r.u64("state.featureCount")
        return DecodedCounters(updates: updates, coordinateUpdates: coordinateUpdates, feedbackCounts: counts,
                               featureSums: sums, featureCount: featureCount)
    }

    /// FTRL z/n and the posterior's precision and Cholesky factor, every value finite.
    private static func decodeModel(_ r: inout ByteReader, dimension d: Int,
                                    configuration c: RankerConfiguration) throws -> (FTRLProximal, LinearPosterior) {
        let z = try r.f64s("ftrl.z", count: d)
        let n = try r.f64s("ftrl.n", count: d)
        let a = try r.f64s("posterior.precision", count: d * d)
        let l = try r.f64s("posterior.cholesky", count: d * d)
        let sinceRefactor = Int(clamping: try r.u64("posterior.updatesSinceRefactor"))
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
    private static func decodeHistories(_ r: inout ByteReader) throws -> GroupTable<OutcomeHistory> {
        let historyCount = try r.count("state.histories", minimumItemSize: 24)
        var histories = GroupTable<OutcomeHistory>(minimumCapacity: historyCount)
        for _ in 0..<historyCount {
            let group = try r.u64("history.group")
            let h = OutcomeHistory(successes: try r.f64("history.successes"), failures: try r.f64("history.failures"))
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
    private static func decodeImpressions(_ r: inout ByteReader, dimension d: Int) throws -> (UInt64, [Impression]) {
        let newest = try r.u64("impressions.newestIssued")
        let impressionCount = try r.count("impressions", minimumItemSize: 29)
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
    private static func decodeGroupOutcome(_ r: inout ByteReader, into group: inout ShownGroup, dimension d: Int) throws {
        var at = r.offset
        let raw = try r.u8("impression.group.state")
        guard let s = GroupOutcomeState(rawValue: raw) else {
            throw RankingDecodingError.invalidValue(field: "impression.group.state", value: "\(raw)", offset: at)
        }
        group.state = s
        group.csatRecorded = try r.bool("impression.group.csat")
        if try r.bool("impression.group.has-undo") {
            at = r.offset
            let k = Int(try r.u16("undo.count"))
            guard k <= d else {
                throw RankingDecodingError.invalidValue(field: "undo.count", value: "\(k)", offset: at)
            }
            let coords = try (0..<k).map { _ in try r.u16("undo.coordinate") }
            if let bad = coords.first(where: { Int($0) >= d }) {
                throw RankingDecodingError.invalidValue(field: "undo.coordinate", value: "\(bad)", offset: at)
            }
            group.undo = FTRLUndo(coordinates: coords, values: try r.f64s("undo.values", count: 4 * k))
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
