// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import SRTP

/// `perc unprotect`: SRTP -> RTP (or SRTCP -> RTCP with `--rtcp`).
struct UnprotectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unprotect",
        abstract: "Unprotect SRTP (or, with --rtcp, SRTCP) packets.",
        discussion: """
            Prints the packet without tag and MKI (for SRTCP also without the E||index word). \
            Example: perc unprotect --profile aes128-gcm --key 000102030405060708090a0b0c0d0e0f \
            --salt a0a1a2a3a4a5a6a7a8a9aaab <srtp-hex>
            """
    )

    @OptionGroup var keying: KeyingOptions

    @Option(help: "The receiver's initial ROC for each SSRC (used for its first accepted packet).")
    var roc: String?

    @Flag(help: "Packets are SRTCP.")
    var rtcp = false

    @Option(name: .customLong("replay-window"), help: "Replay window size for SRTP and SRTCP, 64...32768 (default 1024).")
    var replayWindow: String?

    @Flag(help: "Read one hex packet per line from standard input; one output line per input line.")
    var batch = false

    @Argument(help: "The packet, hex.")
    var packet: [String] = []

    func run() throws {
        let profile = try keying.resolvedProfile()
        let (key, salt) = try keying.masterKeyAndSalt(keyLength: profile.masterKeyLength, saltLength: profile.masterSaltLength)
        var configuration = SRTPConfiguration()
        configuration.initialROC = UInt32(try integerOption("--roc", roc, default: 0, range: 0...0xFFFF_FFFF))
        configuration.replayWindowSize = Int(try integerOption("--replay-window", replayWindow, default: 1024, range: 64...32768))
        let receiver = try SRTPReceiver(profile: profile, masterKey: key, masterSalt: salt, configuration: configuration)
        let rtcp = self.rtcp
        try PacketLoop.run(batch: batch, arguments: packet) { words in
            guard words.count == 1 else { throw ToolError("expected one hex packet per line") }
            let bytes = try PacketLoop.packet(words.first)
            return rtcp ? try receiver.unprotectRTCP(bytes) : try receiver.unprotect(bytes)
        }
    }
}
