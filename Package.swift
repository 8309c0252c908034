// swift-tools-version:6.1
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "swift-perc",
    products: [
        .library(name: "SRTP", targets: ["SRTP"]),
        .library(name: "PERC", targets: ["PERC"]),
        .library(name: "KeyDistributor", targets: ["KeyDistributor"]),
        .executable(name: "perc", targets: ["perc"]),
        .executable(name: "perc-bench", targets: ["perc-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C kernels: AES-GCM, AES-CTR, HMAC-SHA1, key wrap; portable (OpenSSL) and ISA paths.
        .target(
            name: "CPERCKernels",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        // libsrtp2, the system library: a peer for interop tests and benchmarks only.
        .systemLibrary(name: "CLibSRTP", pkgConfig: "libsrtp2", providers: [.apt(["libsrtp2-dev"])]),

        .target(name: "SRTP", dependencies: ["CPERCKernels"]),
        .target(name: "PERC", dependencies: ["SRTP"]),
        .target(name: "KeyDistributor", dependencies: ["PERC", "SRTP"]),

        // Peers for interop tests and benchmarks: libsrtp2, and the raw OpenSSL / ipsec-mb calls.
        .target(name: "CBenchPeers", linkerSettings: [.linkedLibrary("crypto")]),
        .target(name: "SRTPPeers", dependencies: ["SRTP", "CLibSRTP"]),
        .target(name: "PERCBench", dependencies: ["SRTP", "PERC", "SRTPPeers", "CBenchPeers"]),
        .executableTarget(
            name: "perc-bench",
            dependencies: [
                "PERCBench", "CBenchPeers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/perc-bench"
        ),

        .executableTarget(
            name: "perc",
            dependencies: [
                "SRTP",
                "PERC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/perc"
        ),

        .testTarget(
            name: "SRTPTests",
            dependencies: ["SRTP", "CPERCKernels", "CLibSRTP"],
            exclude: []
        ),
        .testTarget(name: "PERCTests", dependencies: ["PERC", "SRTP", "CLibSRTP"]),
        .testTarget(name: "KeyDistributorTests", dependencies: ["KeyDistributor"]),
    ]
)
