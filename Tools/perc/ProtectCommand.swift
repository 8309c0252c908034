// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
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
        let profile = try keying.resolvedProfile()
        let (key, salt) = try keying.masterKeyAndSalt(keyLength: profile.masterKeyLength, saltLength: profile.masterSaltLength)
        var configuration = SRTPConfiguration()
        configuration.initialROC = UInt32(try integerOption("--roc", roc, default: 0, range: 0...0xFFFF_FFFF))
        configuration.initialSRTCPIndex = UInt32(try integerOption("--srtcp-index", srtcpIndex, default: 0, range: 0...0x7FFF_FFFF))
        let sender = try SRTPSender(profile: profile, masterKey: key, masterSalt: salt, configuration: configuration)
        let rtcp = self.rtcp
        try PacketLoop.run(batch: batch, arguments: packet) { words in
            guard words.count == 1 else { throw ToolError("expected one hex packet per line") }
            let bytes = try PacketLoop.packet(words.first)
            return rtcp ? try sender.protectRTCP(bytes) : try sender.protect(bytes)
        }
    }
}
