// swift-tools-version:6.3
// SPDX-License-Identifier: Apache-2.0
//
// Regression benchmarks (ordo-one/benchmark) for swift-perc: wall clock, CPU time and malloc
// counts of the batch transforms. A separate package, so the main package's build and tests
// do not depend on the benchmark framework. Run from this folder:
//   swift package benchmark
//   swift package benchmark baseline update main
//   swift package benchmark baseline compare main
import PackageDescription

let package = Package(
    name: "swift-perc-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-perc", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TransformBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SRTP", package: "swift-perc"),
                .product(name: "PERC", package: "swift-perc"),
            ],
            path: "Benchmarks/TransformBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
