// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import ConferenceLoad
import Foundation
import PERCEndpoint

/// `perc-load`: synthetic PERC conferences against a running perc-kmf and perc-mdd.
@main
struct PercLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perc-load",
        abstract: "Run synthetic PERC conferences against a Key Distributor and a Media Distributor.",
        discussion: """
            Every participant registers with the conference service (--kmf), joins the media \
            distributor (--mdd) with a STUN Binding, runs DTLS-SRTP with the Key Distributor through it, \
            then sends double-protected media and verifies every payload it receives.
            """)

    @Option(help: "The conference service, http://HOST:PORT.")
    var kmf: String

    @Option(help: "The media distributor's media address, HOST:PORT ([::1]:PORT for IPv6).")
    var mdd: String

    @Option(help: "Development certificate folder (endpoints use self-signed DTLS certificates; accepted for symmetry).")
    var certs: String = "./perc-certs"

    @Option(help: "Number of conferences.")
    var conferences: Int = 1

    @Option(help: "Participants per conference.")
    var participants: Int = 2

    @Option(help: "Run length in seconds.")
    var duration: Double = 10

    @Flag(help: "Send audio: 50 packets/s of 160 bytes (the default when --video is not given).")
    var audio = false

    @Option(help: "Send video at this many kbit/s (30 frames/s, packets of at most 1200 bytes).")
    var video: Int?

    @Option(name: .customLong("leave-after"), help: "Half of each conference's participants leave after this many seconds.")
    var leaveAfter: Double?

    @Option(name: .customLong("ekt-full-interval"),
            help: "Every n-th packet carries a FullEKTField (1: every packet, so joiners lose nothing while learning keys).")
    var ektFullInterval: Int = 1

    @Option(help: "Threads the endpoints share.")
    var threads: Int = 2

    @Option(help: "Write the report as JSON to this file.")
    var json: String?

    func run() throws {
        guard let service = HostPort(kmf) else { throw ValidationError("--kmf must be http://HOST:PORT, got '\(kmf)'") }
        guard let media = HostPort(mdd) else { throw ValidationError("--mdd must be HOST:PORT, got '\(mdd)'") }
        guard conferences > 0, participants > 1 else {
            throw ValidationError("need at least one conference of at least two participants")
        }
        guard duration > 0, duration <= 86_400 else { throw ValidationError("--duration must be in (0, 86400]") }
        guard ektFullInterval >= 1, threads >= 1 else { throw ValidationError("--ekt-full-interval and --threads must be at least 1") }
        if let video, video <= 0 { throw ValidationError("--video must be a positive bitrate") }
        if let leaveAfter, leaveAfter < 0 || leaveAfter >= duration {
            throw ValidationError("--leave-after must be within the run")
        }
        let configuration = LoadConfiguration(
            conferenceService: service, mediaDistributor: media, conferences: conferences, participants: participants,
            duration: duration, audio: audio || video == nil, videoKbps: video, leaveAfter: leaveAfter, threads: threads,
            ektFullFieldInterval: ektFullInterval)
        let report = try LoadRunner(configuration: configuration).run()
        print(report.summary)
        for failure in report.failures.prefix(10) { print("failed: \(failure)") }
        if let json {
            try report.json().write(to: URL(fileURLWithPath: json))
        }
        if report.joined == 0 {
            throw ValidationError("no participant joined (\(report.failures.first ?? "no reason recorded"))")
        }
    }

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .success {
                exit(withError: error)   // --help and friends
            }
            let message = (error as? EndpointError)?.description ?? Self.message(for: error)
            FileHandle.standardError.write(Data("error: \(message.split(separator: "\n").first.map(String.init) ?? message)\n".utf8))
            Foundation.exit(1)
        }
    }
}
