// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERCService
import Testing

@Suite struct HostPortTests {
    @Test func parsesIPv4IPv6AndNames() {
        #expect(HostPort("127.0.0.1:4443") == HostPort(host: "127.0.0.1", port: 4443))
        #expect(HostPort("[::1]:5004") == HostPort(host: "::1", port: 5004))
        #expect(HostPort("localhost:0") == HostPort(host: "localhost", port: 0))
        #expect(HostPort("[::1]:5004")?.description == "[::1]:5004")
    }

    @Test(arguments: ["", "host", ":80", "host:", "host:65536", "::1:80", "[::1]80", "[::1]:", "[]:80", "host:-1"])
    func rejectsMalformed(_ text: String) {
        #expect(HostPort(text) == nil)
    }
}
