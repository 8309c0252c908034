// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS

/// Certificates made once per test process (key generation is the slow part of setup).
enum TestIdentities {
    static let client = try! DTLSIdentity.selfSigned(commonName: "client")
    static let server = try! DTLSIdentity.selfSigned(commonName: "server")
    static let other = try! DTLSIdentity.selfSigned(commonName: "other")
}
