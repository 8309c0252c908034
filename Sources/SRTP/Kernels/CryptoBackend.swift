// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

internal import CPERCKernels

/// A crypto backend: the code path the kernels of a key run on.
///
/// The default is chosen once per process: `PERC_CRYPTO_BACKEND=openssl|aesni|vaes256|vaes512|armv8`
/// when set and available on this CPU, otherwise the most capable available path.
public enum CryptoBackend: Int, CaseIterable, Sendable, CustomStringConvertible {
    case openssl = 0
    case aesni = 1
    case vaes512 = 2
    case armv8 = 3
    /// x86_64 VAES + VPCLMULQDQ on 256-bit vectors, for CPUs without AVX-512 (AMD Zen 3).
    case vaes256 = 4

    /// Whether this backend is built in and runs on this CPU.
    public var isAvailable: Bool {
        perc_backend_is_available(cValue) == 1
    }

    /// The backends this machine can run, portable first.
    public static var available: [CryptoBackend] { allCases.filter(\.isAvailable) }

    /// The process-wide default backend.
    public static var `default`: CryptoBackend {
        CryptoBackend(rawValue: Int(perc_backend_default().rawValue)) ?? .openssl
    }

    /// Parses a backend name (`openssl`, `aesni`, `vaes256`, `vaes512`, `armv8`).
    public init?(name: String) {
        let value = perc_backend_from_name(name)
        guard value >= 0, let backend = CryptoBackend(rawValue: Int(value)) else { return nil }
        self = backend
    }

    /// The backend's short name.
    public var description: String { String(cString: perc_backend_name(cValue)) }

    var cValue: perc_backend { perc_backend(rawValue: UInt32(rawValue)) }
}
