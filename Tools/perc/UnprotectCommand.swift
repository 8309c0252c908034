// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import PERC
import SRTP

/// `perc unprotect`: SRTP -> RTP (or SRTCP -> RTCP with `--rtcp`).
struct UnprotectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unprotect",
        abstract: "Unprotect SRTP (or, with --rtcp, SRTCP) packets.",
        discussion: """
            Prints the packet without tag and MKI (for SRTCP also without the E||index word). \
            For double profiles, prints the original packet: the received header with PT, SEQ and M \
            put back from the OHB, then the decrypted payload. \
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
        let (profile, key, salt) = try keying.resolved()
        var configuration = SRTPConfiguration()
        configuration.initialROC = UInt32(try integerOption("--roc", roc, default: 0, range: 0...0xFFFF_FFFF))
        configuration.replayWindowSize = Int(try integerOption("--replay-window", replayWindow, default: 1024, range: 64...32768))
        let unprotect: ([UInt8]) throws -> [UInt8]
        switch profile {
        case .single(let single):
            let receiver = try SRTPReceiver(profile: single, masterKey: key, masterSalt: salt, configuration: configuration)
            unprotect = rtcp ? { try receiver.unprotectRTCP($0) } : { try receiver.unprotect($0) }
        case .double(let double):
            let receiver = try DoubleReceiver(profile: double, masterKey: key, masterSalt: salt, configuration: configuration)
            unprotect = rtcp ? { try receiver.hopByHop.unprotectRTCP($0) } : { try receiver.unprotect($0) }
        }
        try PacketLoop.run(batch: batch, arguments: packet) { words in
            guard words.count == 1 else { throw ToolError("expected one hex packet per line") }
            return try unprotect(try PacketLoop.packet(words.first))
        }
    }
}
