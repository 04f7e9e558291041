import ArgumentParser
import Embedding
import Foundation

/// `loopdesk embed "text" …`: prints the vectors of texts as one JSON object,
/// or, with `--bench FILE`, measures the embedder.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with all-MiniLM-L6-v2 (or the hashed fallback) and print JSON.",
        discussion: """
            Prints {"model": NAME, "dimension": N, "embeddings": [[…], …]}, one unit-length
            vector per text, in order. Texts come from the arguments, or one per line from
            --input (use - for standard input).

            The model is read from --model-dir, $LOOPDESK_MODEL_DIR, or models/all-MiniLM-L6-v2
            in a parent of the current directory (scripts/install-model.sh puts it there).
            Without it the hashed fallback is used, with a warning on standard error.

            With --bench FILE, embeds the first --limit lines of FILE in length-sorted
            batches of --batch and reports sentences/s, tokens/s, single-sentence latency,
            peak memory and the share of time in sgemm.
            """
    )

    @Argument(help: "Texts to embed.")
    var texts: [String] = []

    @Option(name: .long, help: "Read texts from this file, one per line ('-' for standard input).")
    var input: String?

    @Option(name: .long, help: "The model directory (default: $LOOPDESK_MODEL_DIR, or models/all-MiniLM-L6-v2 above the current directory).")
    var modelDir: String?

    @Flag(name: .long, help: "Use the hashed fallback embedder even if the model is installed.")
    var hashed = false

    @Option(name: .long, help: "Token window, [CLS] and [SEP] included (2...512).")
    var maxLength = 128

    @Option(name: .long, help: "Worker threads a batch is split across, each with single-threaded BLAS (default: up to 2).")
    var workers: Int?

    @Option(name: .long, help: "Instead of splitting batches, run each on one thread with this many OpenBLAS threads.")
    var blasThreads: Int?

    @Option(name: .long, help: ArgumentHelp("Tuning: the most tokens one forward pass packs.", visibility: .hidden))
    var chunkTokens: Int?

    @Option(name: .long, help: ArgumentHelp("Tuning: rows per feed-forward tile.", visibility: .hidden))
    var feedForwardRows: Int?

    @Option(name: .long, help: "Benchmark on the lines of this file instead of printing vectors.")
    var bench: String?

    @Option(name: .long, help: "Benchmark: how many lines of the file.")
    var limit = 5000

    @Option(name: .long, help: "Benchmark: sentences per batch.")
    var batch = 64

    @Option(name: .long, help: "Benchmark: sentences embedded one at a time for the latency percentiles.")
    var singles = 300

    @Flag(name: .long, help: "Benchmark: print the figures as one JSON object.")
    var json = false

    func validate() throws {
        guard (2...512).contains(maxLength) else { throw ValidationError("--max-length must be in 2...512, not \(maxLength)") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if let blasThreads, blasThreads < 1 { throw ValidationError("--blas-threads must be at least 1") }
        if workers != nil, blasThreads != nil { throw ValidationError("choose --workers or --blas-threads, not both") }
        if bench != nil, !texts.isEmpty || input != nil { throw ValidationError("--bench takes its texts from its file") }
        if bench != nil, hashed { throw ValidationError("--bench measures the model; drop --hashed") }
        if batch < 1 || limit < 1 || singles < 0 {
            throw ValidationError("--batch and --limit must be positive and --singles not negative")
        }
    }

    func run() throws {
        var options = MiniLMEmbedder.Options()
        options.maxLength = maxLength
        if let workers { options.parallelism = .splitBatch(workers: workers) }
        if let blasThreads { options.parallelism = .blas(threads: blasThreads) }
        if let chunkTokens { options.chunkTokens = chunkTokens }
        if let feedForwardRows { options.feedForwardRows = feedForwardRows }

        if let bench {
            guard let directory = modelDir ?? ModelLocator.locate() else {
                throw ValidationError("--bench needs the model: \(ModelLocator.installHint)")
            }
            let model = try MiniLMEmbedder(modelDirectory: directory, options: options)
            let texts = try Self.lines(of: bench).prefix(limit)
            let report = EmbedBenchmark(texts: Array(texts), batchSize: batch, singles: singles).run(model)
            print(json ? report.json() : report.text())
            return
        }

        let embedder: any SentenceEmbedder =
            hashed ? HashedEmbedder() : try Embedder.load(modelDirectory: modelDir, options: options)
        var all = texts
        if let input { all += try Self.lines(of: input) }
        guard !all.isEmpty else { throw ValidationError("give texts to embed, as arguments or with --input") }
        let vectors = embedder.embed(all)
        FileHandle.standardOutput.write(Data(Self.json(identity: embedder.identity, vectors: vectors).utf8))
    }

    /// The lines of `path` (standard input for `-`), without their line terminators.
    static func lines(of path: String) throws -> [String] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read \(path)")
            }
            data = contents
        }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// `{"model": …, "dimension": …, "embeddings": [[…], …]}` and a newline.
    ///
    /// Floats print in their shortest round-trip form, so a reader gets back
    /// exactly the vector the embedder returned.
    static func json(identity: EmbedderIdentity, vectors: [[Float]]) -> String {
        let name = String(decoding: (try? JSONEncoder().encode(identity.name)) ?? Data("\"\"".utf8), as: UTF8.self)
        var out = "{\"model\": \(name), \"dimension\": \(identity.dimension), \"embeddings\": ["
        out.reserveCapacity(out.utf8.count + vectors.count * identity.dimension * 14)
        for (index, vector) in vectors.enumerated() {
            out += index == 0 ? "[" : ", ["
            for (j, value) in vector.enumerated() {
                if j > 0 { out += ", " }
                out += value.description
            }
            out += "]"
        }
        out += "]}\n"
        return out
    }
}
