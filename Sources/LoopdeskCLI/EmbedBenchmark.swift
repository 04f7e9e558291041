import Embedding
import Foundation

/// `loopdesk embed --bench`: throughput, latency, memory and sgemm share of
/// ``MiniLMEmbedder``, measured the way `shared/anchors/embed_anchor.py`
/// measures its anchors so the figures compare: the texts tokenised first
/// (timed apart), sorted by length, embedded in batches; throughput counts
/// the batches only.
struct EmbedBenchmark {
    var texts: [String]
    var batchSize: Int
    var singles: Int

    struct Report: Codable {
        var model: String
        var blasCore: String
        var parallelism: String
        var sentences: Int
        var tokens: Int
        var batchSize: Int
        var tokenizeSeconds: Double
        var embedSeconds: Double
        /// Process CPU time during the batches: with a busy machine, compare
        /// this rather than wall time (ours uses both cores when it gets them).
        var embedCPUSeconds: Double
        var sentencesPerSecond: Double
        var tokensPerSecond: Double
        /// Tokenising included, as a caller of `embed(_:)` sees it.
        var endToEndSentencesPerSecond: Double
        var singleLatencyMillisecondsP50: Double
        var singleLatencyMillisecondsP90: Double
        var singleLatencyMillisecondsP99: Double
        /// CPU time of the median single-sentence call (it runs on the calling thread
        /// alone): what its latency is on a quiet machine, even when this one is busy.
        var singleCPUMillisecondsP50: Double
        var peakResidentMegabytes: Double
        var sgemmShare: Double
        var loadAverage: String

        func text() -> String {
            func f(_ value: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", value) }
            return """
                native fp32 (\(model), OpenBLAS core \(blasCore), \(parallelism))
                  \(sentences) sentences, \(tokens) tokens (mean \(f(Double(tokens) / Double(max(sentences, 1)), 1))), batches of \(batchSize)
                  throughput   \(f(sentencesPerSecond)) sentences/s  \(f(tokensPerSecond)) tokens/s  (\(f(embedSeconds, 2)) s, \(f(embedCPUSeconds, 2)) CPU-s)
                  end to end   \(f(endToEndSentencesPerSecond)) sentences/s with tokenising (\(f(tokenizeSeconds * 1000, 1)) ms of it)
                  single       p50 \(f(singleLatencyMillisecondsP50, 2)) ms  p90 \(f(singleLatencyMillisecondsP90, 2)) ms  p99 \(f(singleLatencyMillisecondsP99, 2)) ms  (p50 CPU \(f(singleCPUMillisecondsP50, 2)) ms)
                  peak RSS     \(f(peakResidentMegabytes, 1)) MB
                  sgemm share  \(f(sgemmShare * 100, 1)) % of forward-pass thread time
                  load average \(loadAverage)
                """
        }

        func json() -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
        }
    }

    func run(_ model: MiniLMEmbedder) -> Report {
        let tokenizeStart = monotonicSeconds()
        let ids = texts.map { model.tokenizer.encode($0, maxLength: model.options.maxLength) }
        let tokenizeSeconds = monotonicSeconds() - tokenizeStart
        let tokens = ids.reduce(0) { $0 + $1.count }
        let order = ids.indices.sorted { ids[$0].count < ids[$1].count }
        let batches = stride(from: 0, to: order.count, by: batchSize).map { start in
            order[start..<min(start + batchSize, order.count)].map { ids[$0] }
        }

        // Warm up (workspaces, page faults on the weights), then time the batches.
        for batch in batches.suffix(2) { _ = model.embed(tokenIDs: batch) }
        model.resetProfile()
        let embedStart = monotonicSeconds(), cpuStart = processCPUSeconds()
        for batch in batches { _ = model.embed(tokenIDs: batch) }
        let embedSeconds = monotonicSeconds() - embedStart
        let embedCPUSeconds = processCPUSeconds() - cpuStart
        let profile = model.profile()

        var latencies: [Double] = [], cpuTimes: [Double] = []
        for text in texts.prefix(singles) {
            let start = monotonicSeconds(), cpuStart = threadCPUSeconds()
            _ = model.embed([text])
            latencies.append((monotonicSeconds() - start) * 1000)
            cpuTimes.append((threadCPUSeconds() - cpuStart) * 1000)
        }
        latencies.sort()
        cpuTimes.sort()
        func percentile(_ p: Double, of values: [Double] = latencies) -> Double {
            values.isEmpty ? 0 : values[min(values.count - 1, Int(Double(values.count) * p))]
        }

        let parallelism: String
        switch model.options.parallelism {
        case .splitBatch(let workers): parallelism = "batches split across \(workers) workers, 1 BLAS thread each"
        case .blas(let threads): parallelism = "1 worker, \(threads) BLAS threads"
        }
        return Report(
            model: model.identity.name, blasCore: MiniLMEmbedder.blasCoreName, parallelism: parallelism,
            sentences: texts.count, tokens: tokens, batchSize: batchSize,
            tokenizeSeconds: tokenizeSeconds, embedSeconds: embedSeconds, embedCPUSeconds: embedCPUSeconds,
            sentencesPerSecond: Double(texts.count) / embedSeconds, tokensPerSecond: Double(tokens) / embedSeconds,
            endToEndSentencesPerSecond: Double(texts.count) / (embedSeconds + tokenizeSeconds),
            singleLatencyMillisecondsP50: percentile(0.5), singleLatencyMillisecondsP90: percentile(0.9),
            singleLatencyMillisecondsP99: percentile(0.99), singleCPUMillisecondsP50: percentile(0.5, of: cpuTimes),
            peakResidentMegabytes: Self.peakResidentMegabytes(), sgemmShare: profile.sgemmShare,
            loadAverage: Self.loadAverage())
    }

    private func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// CPU time of all this process's threads.
    private func processCPUSeconds() -> Double { cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) }

    /// CPU time of the calling thread.
    private func threadCPUSeconds() -> Double { cpuSeconds(CLOCK_THREAD_CPUTIME_ID) }

    private func cpuSeconds(_ clock: clockid_t) -> Double {
        var now = timespec()
        clock_gettime(clock, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// VmHWM from /proc/self/status: the most memory this process has had resident.
    static func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }

    /// The 1-, 5- and 15-minute load averages, to judge whether the machine was quiet.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
