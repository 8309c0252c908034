// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import CBenchPeers
import Foundation
import SRTP
import SRTPPeers

/// What the figures were measured on.
public struct MachineInfo: Sendable {
    public let cpuModel: String
    public let cpuFlags: [String]
    public let cores: Int
    public let kernel: String
    public let libraries: [String: String]
    public let backends: [String]
    public let defaultBackend: String
    public let date: String
    public let timing = "thread CPU time (CLOCK_THREAD_CPUTIME_ID) per delivered packet; median, min and max over repetitions"

    /// Reads /proc/cpuinfo, uname and the libraries' version strings.
    public static func current() -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let field = { (name: String) -> String in
            cpuinfo.split(separator: "\n").first { $0.hasPrefix(name) }
                .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown"
        }
        let interesting: Set<String> = ["aes", "pclmulqdq", "avx", "avx2", "avx512f", "avx512bw", "avx512vl", "vaes",
                                        "vpclmulqdq", "sha_ni", "pmull", "sha1", "sha2", "asimd"]
        let flags = (field("flags") == "unknown" ? field("Features") : field("flags"))
            .split(separator: " ").map(String.init).filter { interesting.contains($0) }
        var uts = utsname()
        uname(&uts)
        let kernel = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let formatter = ISO8601DateFormatter()
        return MachineInfo(
            cpuModel: field("model name"), cpuFlags: flags, cores: ProcessInfo.processInfo.activeProcessorCount,
            kernel: kernel,
            libraries: ["openssl": String(cString: bench_openssl_version()), "libsrtp2": LibSRTPSession.version,
                        "ipsec-mb": String(cString: bench_ipsecmb_version())],
            backends: CryptoBackend.available.map(\.description), defaultBackend: CryptoBackend.default.description,
            date: formatter.string(from: Date()))
    }

    /// The machine as a JSON object.
    public var json: [String: Any] {
        ["cpu_model": cpuModel, "cpu_flags": cpuFlags, "cores": cores, "kernel": kernel, "libraries": libraries,
         "backends": backends, "backend_chosen": defaultBackend, "date": date, "timing": timing]
    }
}
