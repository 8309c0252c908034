// swift-tools-version:6.1
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "swift-perc",
    products: [
        .library(name: "SRTP", targets: ["SRTP"]),
        .library(name: "PERC", targets: ["PERC"]),
        .library(name: "KeyDistributor", targets: ["KeyDistributor"]),
        .library(name: "DTLS", targets: ["DTLS"]),
        .library(name: "PERCTunnel", targets: ["PERCTunnel"]),
        .library(name: "MediaDistributor", targets: ["MediaDistributor"]),
        .executable(name: "perc", targets: ["perc"]),
        .executable(name: "perc-bench", targets: ["perc-bench"]),
        .executable(name: "perc-kmf", targets: ["perc-kmf"]),
        .executable(name: "perc-mdd", targets: ["perc-mdd"]),
        .library(name: "PERCEndpoint", targets: ["PERCEndpoint"]),
        .library(name: "ConferenceLoad", targets: ["ConferenceLoad"]),
        .executable(name: "perc-load", targets: ["perc-load"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
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
        .target(
            name: "KeyDistributor",
            dependencies: [
                "PERC", "SRTP", "DTLS", "PERCTunnel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(name: "PERCEndpoint", dependencies: ["PERC", "SRTP", "DTLS", "MediaDistributor"]),
        // The load generator: endpoints on threads, traffic models, the report.
        // Embedded mode runs the KMF and MDD in the same process; offline mode the packet core alone.
        .target(
            name: "ConferenceLoad",
            dependencies: [
                "PERCEndpoint", "PERC", "SRTP", "KeyDistributor", "MediaDistributor", "PERCTunnel", "DTLS",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "perc-load",
            dependencies: [
                "ConferenceLoad", "PERCEndpoint", "PERCService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tools/perc-load"
        ),

        // RFC 9185 tunnel messages and the mutually authenticated TLS 1.3 tunnel (SwiftNIO).
        .target(
            name: "PERCTunnel",
            dependencies: [
                "SRTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // recvmmsg/sendmmsg, UDP GSO and CPU affinity, which Glibc does not show to Swift.
        .target(name: "CNetShim"),
        // The media distributor: UDP data plane workers and the tunnel control plane.
        .target(name: "MediaDistributor", dependencies: ["SRTP", "PERC", "PERCTunnel", "CNetShim"]),

        // What the binaries share: HOST:PORT, Prometheus metrics endpoint, graceful shutdown.
        .target(
            name: "PERCService",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "perc-kmf",
            dependencies: [
                "KeyDistributor", "PERCService", "PERCTunnel", "DTLS", "PERC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Tools/perc-kmf"
        ),
        .executableTarget(
            name: "perc-mdd",
            dependencies: [
                "MediaDistributor", "PERCService", "PERCTunnel", "PERC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Tools/perc-mdd"
        ),

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

        // DTLS 1.2 for DTLS-SRTP: use_srtp (single and double profiles), EKT, exporter.
        .target(
            name: "DTLS",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),

        .executableTarget(
            name: "perc",
            dependencies: [
                "SRTP",
                "PERC",
                "DTLS",
                "PERCTunnel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/perc"
        ),

        .testTarget(
            name: "SRTPTests",
            dependencies: ["SRTP", "CPERCKernels", "SRTPPeers", "TestSupport"],
            exclude: []
        ),
        // Seeded randomness and the vector-file loader, shared by the test targets.
        .target(name: "TestSupport", dependencies: ["SRTP"], path: "Tests/TestSupport"),
        .testTarget(name: "PERCServiceTests", dependencies: ["PERCService"]),
        .testTarget(name: "PERCTests", dependencies: ["PERC", "SRTP", "SRTPPeers", "TestSupport"]),
        .testTarget(
            name: "KeyDistributorTests",
            dependencies: [
                "KeyDistributor", "PERCEndpoint", "DTLS", "PERC", "SRTP", "PERCTunnel", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "DTLSTests",
            dependencies: ["DTLS", "SRTP"]
        ),
        .testTarget(
            name: "PERCTunnelTests",
            dependencies: [
                "PERCTunnel", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "MediaDistributorTests", dependencies: ["MediaDistributor", "PERCTunnel", "PERC", "SRTP", "TestSupport"]),
        .testTarget(
            name: "ConferenceLoadTests",
            dependencies: [
                "ConferenceLoad", "PERCEndpoint", "KeyDistributor", "MediaDistributor", "PERCTunnel", "DTLS", "PERC", "SRTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
