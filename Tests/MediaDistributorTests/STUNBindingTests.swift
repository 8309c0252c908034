// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import MediaDistributor
import Testing

@Suite struct STUNBindingTests {
    static let transaction: [UInt8] = Array(1...12)

    @Test func parsesUsernameIntoMembership() throws {
        let request = STUNBinding.request(username: "standup:alice", transactionID: Self.transaction)
        let parsed = try #require(request.withUnsafeBytes { STUNBinding.parseRequest($0) })
        #expect(parsed.transactionID == Self.transaction)
        #expect(parsed.username == "standup:alice")
        #expect(parsed.membership?.conference == "standup" && parsed.membership?.participant == "alice")
        let noColon = STUNBinding.request(username: "alice", transactionID: Self.transaction)
        #expect(noColon.withUnsafeBytes { STUNBinding.parseRequest($0) }?.membership == nil)
    }

    @Test func rejectsWhatIsNotABindingRequest() {
        var request = STUNBinding.request(username: "c:p", transactionID: Self.transaction)
        var badCookie = request
        badCookie[4] ^= 1
        var response = request
        response[1] = 0x01
        response[0] = 0x01
        var badLength = request
        badLength[3] &+= 4
        var attributePastEnd = request
        attributePastEnd[23] = 200
        for bad in [badCookie, response, badLength, attributePastEnd, Array(request[0..<19])] {
            #expect(bad.withUnsafeBytes { STUNBinding.parseRequest($0) } == nil)
        }
        request.removeAll()
        #expect(request.withUnsafeBytes { STUNBinding.parseRequest($0) } == nil)
    }

    /// XOR-MAPPED-ADDRESS (RFC 5389 15.2): port XOR the cookie's top half, IPv4 XOR the
    /// cookie, IPv6 XOR cookie || transaction ID.
    @Test(arguments: [("192.0.2.1", 32853), ("2001:db8::1", 32853), ("::1", 5004)])
    func successResponse(host: String, port: Int) throws {
        let address = try #require(EndpointAddress(host: host, port: port))
        var output = [UInt8](repeating: 0, count: 64)
        let length = Self.transaction.withUnsafeBytes { id in
            output.withUnsafeMutableBytes { STUNBinding.writeSuccess(transactionID: id, address: address, into: $0) }
        }
        let v6 = host.contains(":")
        #expect(length == (v6 ? 44 : 32))
        #expect(output[0...1] == [0x01, 0x01] && Int(output[2]) << 8 | Int(output[3]) == length - 20)
        #expect(output[4...7] == [0x21, 0x12, 0xA4, 0x42] && Array(output[8..<20]) == Self.transaction)
        #expect(output[20...23] == [0x00, 0x20, 0x00, v6 ? 20 : 8] && output[25] == (v6 ? 2 : 1))
        #expect((Int(output[26]) << 8 | Int(output[27])) ^ 0x2112 == port)
        let mask = [0x21, 0x12, 0xA4, 0x42] + Self.transaction
        let ip = (0..<(v6 ? 16 : 4)).map { output[28 + $0] ^ mask[$0] }
        let decoded = v6 ? ip.chunks(2).map { String(Int($0.first!) << 8 | Int($0.last!), radix: 16) }.joined(separator: ":")
                         : ip.map(String.init).joined(separator: ".")
        #expect(EndpointAddress(host: decoded, port: port) == address)
        let parsed = output[0..<length].withUnsafeBytes { STUNBinding.parseSuccess($0) }
        #expect(parsed?.transactionID == Self.transaction && parsed?.mappedAddress == address)
        var corrupt = Array(output[0..<length])
        corrupt[25] ^= 3   // unknown family
        #expect(corrupt.withUnsafeBytes { STUNBinding.parseSuccess($0) } == nil)
    }
}

extension Array {
    func chunks(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
