// swift-tools-version:6.1
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// libFuzzer targets for swift-perc. A separate package, so the main package's builds and tests
// never compile or link them. Each target is one executable; build and run them through
// Tools/fuzz.sh, which builds one at a time with
//   swift build --product T --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address
// (a whole-package fuzzer build does not link; every target needs libFuzzer's driver).
import PackageDescription

/// The fuzz targets: Targets/<name>/main.swift, seeds in Corpus/<name>/.
let targets: [(name: String, dependencies: [Target.Dependency])] = [
    ("SRTPUnprotect", [.product(name: "SRTP", package: "swift-perc")]),
    ("DoubleUnprotect", [.product(name: "PERC", package: "swift-perc"), .product(name: "SRTP", package: "swift-perc")]),
    ("RelayForward", [.product(name: "PERC", package: "swift-perc"), .product(name: "SRTP", package: "swift-perc")]),
    ("OHBParse", [.product(name: "PERC", package: "swift-perc"), .product(name: "SRTP", package: "swift-perc")]),
    ("EKTUnwrap", [.product(name: "PERC", package: "swift-perc"), .product(name: "SRTP", package: "swift-perc")]),
    ("RTPHeaderViews", [.product(name: "SRTP", package: "swift-perc")]),
    ("DTLSHandshake", [.product(name: "DTLS", package: "swift-perc")]),
    ("TunnelFraming", [.product(name: "PERCTunnel", package: "swift-perc")]),
    ("MDDDemux", [.product(name: "MediaDistributor", package: "swift-perc")]),
]

let package = Package(
    name: "swift-perc-fuzz",
    products: targets.map { .executable(name: $0.name, targets: [$0.name]) },
    dependencies: [
        .package(name: "swift-perc", path: ".."),
    ],
    targets: [
        // The C prototype of libFuzzer's LLVMFuzzerRunDriver.
        .target(name: "CFuzzerDriver", path: "CFuzzerDriver"),
        // fuzzMain, invariant checks, input reader.
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"], path: "FuzzSupport"),
    ] + targets.map {
        .executableTarget(name: $0.name, dependencies: ["FuzzSupport"] + $0.dependencies, path: "Targets/\($0.name)")
    }
)
