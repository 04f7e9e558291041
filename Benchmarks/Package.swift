// swift-tools-version:6.1
//
// package-benchmark suites for the index's kernels and operations, kept in a
// package of their own so the product's build and CI do not compile the
// benchmark framework. Run: `cd Benchmarks && swift package benchmark`.
import PackageDescription

let package = Package(
    name: "LoopdeskBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "IndexBenchmarks",
            dependencies: [
                .product(name: "VectorIndex", package: "Loopdesk"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/IndexBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
