// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import PERC
import SRTP

/// `perc forward`: the media distributor's relay step on double-protected packets.
struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Relay double-protected RTP packets from one hop to another (RFC 8723 5.2).",
        discussion: """
            Opens the outer layer with the sender hop's keys, applies optional edits (seq=N pt=N \
            m=0|1 after the packet), records them in the Original Header Block, and seals with \
            the receiver hop's keys. --in-* and --out-* are outer halves only (16 or 32 byte \
            key, 12 byte salt).
            """
    )

    @Option(help: "double-aes128-gcm or double-aes256-gcm (or the RFC 8723 name).")
    var profile: String

    @Option(name: .customLong("in-key"), help: "Sender hop's outer master key, hex.")
    var inKey: String

    @Option(name: .customLong("in-salt"), help: "Sender hop's outer master salt, hex.")
    var inSalt: String

    @Option(name: .customLong("out-key"), help: "Receiver hop's outer master key, hex.")
    var outKey: String

    @Option(name: .customLong("out-salt"), help: "Receiver hop's outer master salt, hex.")
    var outSalt: String

    @Option(name: .customLong("in-roc"), help: "ROC for the sender hop's first accepted packet (default 0).")
    var inROC: String?

    @Option(name: .customLong("out-roc"), help: "The receiver hop's starting ROC (default 0).")
    var outROC: String?

    @Flag(help: "Read one packet (with optional edits) per line from standard input.")
    var batch = false

    @Argument(help: "The packet, hex, then optional edits: seq=N pt=N m=0|1.")
    var words: [String] = []

    func run() throws {
        guard let profile = DoubleProfile(name: self.profile) else {
            throw ToolError("forward needs a double profile (double-aes128-gcm or double-aes256-gcm), got '\(self.profile)'")
        }
        let inbound = SRTPMasterKey(key: try hexOption("--in-key", inKey, length: profile.halfKeyLength),
                                    salt: try hexOption("--in-salt", inSalt, length: profile.halfSaltLength))
        let outbound = SRTPMasterKey(key: try hexOption("--out-key", outKey, length: profile.halfKeyLength),
                                     salt: try hexOption("--out-salt", outSalt, length: profile.halfSaltLength))
        guard inbound.key != outbound.key else {
            throw ToolError("--out-key must differ from --in-key (RFC 8723 5.2: never re-encrypt with the sender's key)")
        }
        var inConfiguration = SRTPConfiguration()
        inConfiguration.initialROC = UInt32(try integerOption("--in-roc", inROC, default: 0, range: 0...0xFFFF_FFFF))
        var outConfiguration = SRTPConfiguration()
        outConfiguration.initialROC = UInt32(try integerOption("--out-roc", outROC, default: 0, range: 0...0xFFFF_FFFF))
        let from = try RelayHop(profile: profile, direction: .inbound, outer: inbound, configuration: inConfiguration)
        let to = try RelayHop(profile: profile, direction: .outbound, outer: outbound, configuration: outConfiguration)
        try PacketLoop.run(batch: batch, arguments: words) { words in
            let packet = try PacketLoop.packet(words.first)
            let edits = try Self.edits(words.dropFirst())
            return try from.forward(packet, to: RelayTarget(hop: to, edits: edits))
        }
    }

    /// Parses `seq=N`, `pt=N` and `m=0|1`, each at most once.
    static func edits(_ words: ArraySlice<Substring>) throws -> HeaderEdits {
        var edits = HeaderEdits()
        var seen: Set<Substring> = []
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, seen.insert(parts[0]).inserted else { throw ToolError("bad edit '\(word)'") }
            let value = String(parts[1])
            switch parts[0] {
            case "seq": edits.sequenceNumber = UInt16(try integerOption("seq", value, default: 0, range: 0...0xFFFF))
            case "pt": edits.payloadType = UInt8(try integerOption("pt", value, default: 0, range: 0...127))
            case "m": edits.marker = try integerOption("m", value, default: 0, range: 0...1) == 1
            default: throw ToolError("bad edit '\(word)' (expected seq=N, pt=N or m=0|1)")
            }
        }
        return edits
    }
}
