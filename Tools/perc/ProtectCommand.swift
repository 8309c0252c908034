// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import PERC
import SRTP

/// `perc protect`: RTP -> SRTP (or RTCP -> SRTCP with `--rtcp`).
struct ProtectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protect",
        abstract: "Protect RTP (or, with --rtcp, RTCP) packets.",
        discussion: """
            Example: perc protect --profile aes128-gcm --key 000102030405060708090a0b0c0d0e0f \
            --salt a0a1a2a3a4a5a6a7a8a9aaab 800f1234decafbadcafebabeabababab
            """
    )

    @OptionGroup var keying: KeyingOptions

    @Option(help: "The sender's starting ROC for each SSRC.")
    var roc: String?

    @Flag(help: "Packets are RTCP; protect as SRTCP.")
    var rtcp = false

    @Option(name: .customLong("srtcp-index"), help: "The sender's first SRTCP index (default 0).")
    var srtcpIndex: String?

    @Flag(help: "Read one hex packet per line from standard input; one output line per input line.")
    var batch = false

    @Argument(help: "The packet, hex.")
    var packet: [String] = []

    func run() throws {
        let (profile, key, salt) = try keying.resolved()
        var configuration = SRTPConfiguration()
        configuration.initialROC = UInt32(try integerOption("--roc", roc, default: 0, range: 0...0xFFFF_FFFF))
        configuration.initialSRTCPIndex = UInt32(try integerOption("--srtcp-index", srtcpIndex, default: 0, range: 0...0x7FFF_FFFF))
        let protect: ([UInt8]) throws -> [UInt8]
        switch profile {
        case .single(let single):
            let sender = try SRTPSender(profile: single, masterKey: key, masterSalt: salt, configuration: configuration)
            protect = rtcp ? { try sender.protectRTCP($0) } : { try sender.protect($0) }
        case .double(let double):
            // SRTCP with a double profile is hop-by-hop only (RFC 8723 6).
            let sender = try DoubleSender(profile: double, masterKey: key, masterSalt: salt, configuration: configuration)
            protect = rtcp ? { try sender.hopByHop.protectRTCP($0) } : { try sender.protect($0) }
        }
        try PacketLoop.run(batch: batch, arguments: packet) { words in
            guard words.count == 1 else { throw ToolError("expected one hex packet per line") }
            return try protect(try PacketLoop.packet(words.first))
        }
    }
}
