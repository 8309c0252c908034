// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import ConferenceLoad
import Foundation
import Logging
import KeyDistributor
import PERCEndpoint

/// `perc-load`: synthetic PERC conferences against a running perc-kmf and perc-mdd, or
/// (`--embedded`) against a KMF and an MDD it runs itself, or (`--offline`) through the
/// packet core alone.
@main
struct PercLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perc-load",
        abstract: "Run synthetic PERC conferences against a Key Distributor and a Media Distributor.",
        discussion: """
            Every participant registers with the conference service (--kmf), joins the media \
            distributor (--mdd) with a STUN Binding, runs DTLS-SRTP with the Key Distributor through it, \
            then sends double-protected media and verifies every payload it receives. \
            With --embedded it runs the KMF and the MDD itself, in this process on loopback \
            (defaults: 3 conferences of 4, audio and 1000 kbit/s video, 15 s). \
            With --offline the same traffic goes through sender, MDD fan-out and receiver without sockets.
            """)

    // MARK: Where

    @Flag(help: "Run a Key Distributor and a Media Distributor in this process on loopback (ephemeral ports).")
    var embedded = false

    @Flag(help: "No network: drive the traffic through DoubleSender, RelayHop fan-out and DoubleReceiver, report crypto cost per stage.")
    var offline = false

    @Option(help: "The conference service, http://HOST:PORT (not with --embedded).")
    var kmf: String?

    @Option(help: "The media distributor's media address, HOST:PORT ([::1]:PORT for IPv6) (not with --embedded).")
    var mdd: String?

    @Option(help: "Development certificate folder; with --embedded, where the KMF and MDD certificates are made or reused (default: a temporary folder).")
    var certs: String?

    @Option(name: .customLong("mdd-pid"), help: "Read this MDD process's CPU time from /proc (default: the process named perc-mdd, the one bound to the --mdd port if several run).")
    var mddPID: Int32?

    @Option(name: .customLong("kmf-pid"), help: "Read this KMF process's CPU time from /proc (default: the process named perc-kmf, the one bound to the --kmf port if several run).")
    var kmfPID: Int32?

    @Flag(name: .customLong("rekey-on-leave"), help: "Embedded KMF: a new EKTKey when someone leaves.")
    var rekeyOnLeave = false

    @Flag(name: .customLong("rekey-on-join"), help: "Embedded KMF: a new EKTKey when someone joins.")
    var rekeyOnJoin = false

    @Option(name: .customLong("mdd-workers"), help: "Embedded MDD worker threads.")
    var mddWorkers: Int = 1

    // MARK: Conferences

    @Option(help: "Number of conferences (default 1; embedded and offline 3).")
    var conferences: Int?

    @Option(help: "Participants per conference (default 2; embedded and offline 4).")
    var participants: Int?

    @Option(name: .customLong("conference-sizes"), help: "Conference sizes, e.g. 2,4,8,50 (instead of --conferences/--participants).")
    var conferenceSizes: String?

    @Option(help: "Run length in seconds (default 10; embedded and offline 15).")
    var duration: Double?

    // MARK: Traffic

    @Flag(help: "Send Opus-like audio: 50 packets/s of 100-160 bytes (the default when --video is not given).")
    var audio = false

    @Flag(help: "Audio with DTX: talk spurts and silences, one comfort-noise frame per 400 ms in silence.")
    var dtx = false

    @Option(help: "Send video at this many kbit/s (default none; embedded and offline 1000 unless --audio).")
    var video: Int?

    @Option(name: .customLong("frame-rate"), help: "Video frames per second.")
    var frameRate: Double = 30

    @Option(name: .customLong("keyframe-interval"), help: "Seconds between video keyframes.")
    var keyframeInterval: Double = 3

    @Option(help: "Simulcast layers (1-3): layer 2 at a quarter of --video, layer 3 at a sixteenth.")
    var simulcast: Int = 1

    @Flag(help: "NACK-driven retransmission of video: receivers send RTCP Generic NACKs (hop-by-hop SRTCP) for missing packets, senders answer with RTX. Offline: RTX modelled from --loss.")
    var rtx = false

    @Option(name: .customLong("nack-interval"), help: "With --rtx: milliseconds between two NACKs for a packet still missing (two retries, then given up).")
    var nackInterval: Int = 20

    @Option(help: "Traffic mix per participant: weights of audio, audio-dtx, video, av, simulcast, e.g. av=3,audio=1 (models from the flags above).")
    var mix: String?

    @Option(help: "Seed of traffic, mix, churn and faults.")
    var seed: UInt64 = 1

    // MARK: Scenarios

    @Option(name: .customLong("leave-after"), help: "Half of each conference's first participants leave after this many seconds.")
    var leaveAfter: Double?

    @Option(name: .customLong("ramp-up"), help: "First participants join at this many per second (default: all at once).")
    var rampUp: Double?

    @Option(help: "On average this many participants per second leave and are replaced (no churn joins in the last 5 s).")
    var churn: Double = 0

    @Option(name: .customLong("path-breaks"),
            help: "On average this many participants per second lose their path to the MDD while it stays up (a NAT rebinding, a network change) and join again from a new socket (none in the last 5 s).")
    var pathBreaks: Double = 0

    @Option(name: .customLong("join-storm"), help: "N@T: N extra participants join at once T seconds in.")
    var joinStorm: String?

    @Flag(help: "Capacity search: double the conferences each step until delivery or p99 latency passes its bound.")
    var capacity = false

    @Option(name: .customLong("capacity-loss"), help: "Capacity bound: largest fraction of expected packets lost.")
    var capacityLoss: Double = 0.01

    @Option(name: .customLong("capacity-p99"), help: "Capacity bound: largest one-way p99 latency, ms.")
    var capacityP99: Double = 100

    @Option(name: .customLong("capacity-step"), help: "Seconds per capacity step.")
    var capacityStep: Double = 8

    @Option(name: .customLong("capacity-max"), help: "Largest multiple of the base conferences tried.")
    var capacityMax: Int = 32

    // MARK: Faults

    @Option(help: "Drop this fraction of received media datagrams at each endpoint's socket.")
    var loss: Double = 0

    @Option(help: "Deliver this fraction of received media datagrams after the next one.")
    var reorder: Double = 0

    @Option(help: "Deliver this fraction of received media datagrams twice.")
    var duplicate: Double = 0

    // MARK: Mechanics and output

    @Option(name: .customLong("ekt-full-interval"),
            help: "Every n-th packet carries a FullEKTField (1: every packet, so joiners lose nothing while learning keys).")
    var ektFullInterval: Int = 1

    @Option(help: "Threads the endpoints share.")
    var threads: Int = 2

    @Option(name: .customLong("consent-interval"), help: "Seconds between each endpoint's consent checks (STUN) to the MDD.")
    var consentInterval: Double = 0.5

    @Option(name: .customLong("path-loss-timeout"),
            help: "Seconds without an answered consent check before an endpoint joins the MDD again (0: never).")
    var pathLossTimeout: Double = 2

    @Option(help: "Seconds per entry of the interval series.")
    var interval: Double = 1

    @Option(help: "Write the report as JSON to this file.")
    var json: String?

    @Option(help: "Write a self-contained HTML report with plots to this file.")
    var html: String?

    @Flag(help: "No live progress line even on a terminal.")
    var quiet = false

    @Option(help: "Serve the run's live figures as Prometheus metrics on HOST:PORT (GET /metrics).")
    var metrics: String?

    @Option(name: .customLong("log-level"), help: "Log to standard error from this level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "notice"

    func run() async throws {
        let defaults = embedded || offline
        let sizes: [Int]
        if let conferenceSizes {
            let parsed = conferenceSizes.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) >= 2 }) else {
                throw ValidationError("--conference-sizes must be a list of sizes of at least 2, e.g. 2,4,8")
            }
            sizes = parsed.map { $0! }
        } else {
            let count = conferences ?? (defaults ? 3 : 1), size = participants ?? (defaults ? 4 : 2)
            guard count > 0, size > 1 else { throw ValidationError("need at least one conference of at least two participants") }
            sizes = Array(repeating: size, count: count)
        }
        let duration = self.duration ?? (defaults ? 15 : 10)
        guard duration > 0, duration <= 86_400 else { throw ValidationError("--duration must be in (0, 86400]") }
        // Embedded and offline runs send 1000 kbit/s video unless --audio asks for audio only;
        // video options ask for video.
        let video = self.video ?? ((defaults && !audio) || simulcast > 1 || rtx ? 1000 : nil)
        if let video, video <= 0 { throw ValidationError("--video must be a positive bitrate") }
        guard (1...3).contains(simulcast) else { throw ValidationError("--simulcast must be 1, 2 or 3") }
        guard frameRate > 0, frameRate <= 240, keyframeInterval > 0 else {
            throw ValidationError("--frame-rate must be in (0, 240] and --keyframe-interval positive")
        }
        guard (1...10_000).contains(nackInterval) else { throw ValidationError("--nack-interval must be 1...10000 ms") }
        for (name, value) in [("--loss", loss), ("--reorder", reorder), ("--duplicate", duplicate)]
        where !(0...1).contains(value) {
            throw ValidationError("\(name) must be a probability in [0, 1]")
        }
        guard ektFullInterval >= 1, threads >= 1, interval > 0 else {
            throw ValidationError("--ekt-full-interval and --threads must be at least 1, --interval positive")
        }
        guard consentInterval > 0, pathLossTimeout >= 0, pathLossTimeout == 0 || pathLossTimeout > consentInterval else {
            throw ValidationError("--consent-interval must be positive and --path-loss-timeout 0 or longer than it")
        }
        if let leaveAfter, leaveAfter < 0 || leaveAfter >= duration { throw ValidationError("--leave-after must be within the run") }
        if let rampUp, rampUp <= 0 { throw ValidationError("--ramp-up must be positive") }
        guard churn >= 0, pathBreaks >= 0 else { throw ValidationError("--churn and --path-breaks must not be negative") }
        if capacity {
            guard capacityStep > 0, capacityMax >= 1, (0...1).contains(capacityLoss), capacityP99 > 0 else {
                throw ValidationError("--capacity-step and --capacity-p99 must be positive, --capacity-max at least 1, --capacity-loss in [0, 1]")
            }
        }
        let mixture = try trafficMix(video: video)
        if offline {
            guard duration <= 600 else { throw ValidationError("--offline generates every packet up front: --duration at most 600") }
            let report = try OfflineRunner(conferenceSizes: sizes, mix: mixture, mediaSeconds: duration, seed: seed,
                                           ektFullFieldInterval: ektFullInterval, rtxLoss: rtx ? loss : nil).run()
            print(report.summary)
            if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
            if report.failures > 0 { throw ValidationError("\(report.failures) packets failed in the packet core") }
            return
        }
        var storm: LoadConfiguration.JoinStorm?
        if let joinStorm {
            let parts = joinStorm.split(separator: "@")
            guard parts.count == 2, let count = Int(parts[0]), let at = Double(parts[1]), count > 0, at >= 0, at < duration else {
                throw ValidationError("--join-storm must be N@T with N > 0 and T within the run")
            }
            storm = .init(participants: count, at: at)
        }
        var services: EmbeddedServices?
        let service: HostPort, media: HostPort
        if embedded {
            guard kmf == nil, mdd == nil else { throw ValidationError("--embedded runs its own KMF and MDD: no --kmf or --mdd") }
            guard mddWorkers >= 1 else { throw ValidationError("--mdd-workers must be at least 1") }
            let started = try await EmbeddedServices.start(
                certificates: certs, policy: RekeyPolicy(rekeyOnJoin: rekeyOnJoin, rekeyOnLeave: rekeyOnLeave),
                workers: mddWorkers)
            services = started
            (service, media) = (started.conferenceService, started.mediaAddress)
        } else {
            guard let kmf, let address = HostPort(kmf) else { throw ValidationError("--kmf must be http://HOST:PORT (or use --embedded)") }
            guard let mdd, let mediaAddress = HostPort(mdd) else { throw ValidationError("--mdd must be HOST:PORT (or use --embedded)") }
            (service, media) = (address, mediaAddress)
        }
        var configuration = LoadConfiguration(
            conferenceService: service, mediaDistributor: media, conferenceSizes: sizes, duration: duration, mix: mixture,
            leaveAfter: leaveAfter, rampUp: rampUp, churn: churn, joinStorm: storm,
            faults: loss > 0 || reorder > 0 || duplicate > 0 ? DatagramFaults(loss: loss, reorder: reorder, duplicate: duplicate) : nil,
            retransmission: rtx ? RetransmissionSettings(nackInterval: .milliseconds(nackInterval)) : nil,
            seed: seed, threads: threads, ektFullFieldInterval: ektFullInterval, interval: interval)
        configuration.pathBreaks = pathBreaks
        configuration.consentInterval = consentInterval
        configuration.pathLossTimeout = pathLossTimeout > 0 ? pathLossTimeout : nil
        if let services {
            services.measure(&configuration)
        } else {
            configuration.mddCPU = (mddPID ?? CPUTime.processID(named: "perc-mdd", port: media.port, udp: true)).map { .process($0) }
            configuration.kmfCPU = (kmfPID ?? CPUTime.processID(named: "perc-kmf", port: service.port, udp: false)).map { .process($0) }
        }
        let live = !quiet && isatty(STDERR_FILENO) == 1
        let exporter = try await LoadMetrics.serve(option: metrics)
        if live || exporter != nil {
            configuration.progress = { progress in
                exporter?.record(progress)
                if live { ProgressLine.show(progress, duration: duration) }
            }
        }
        // SIGINT/SIGTERM end the run early; the report covers the time run.
        var logger = Logger(label: "perc-load")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        let signalLogger = logger
        let stop = StopRequest()
        configuration.stop = stop
        let signals = Self.onTerminationSignals {
            signalLogger.notice("signal: ending the run early; the report covers the time run")
            stop.request()
        }
        logger.info("perc-load starting", metadata: [
            "conference-service": "\(service)", "media-distributor": "\(media)", "embedded": "\(embedded)",
            "conferences": "\(sizes.count)", "participants": "\(sizes.reduce(0, +))", "duration": "\(duration)"])
        defer {
            signals.forEach { $0.cancel() }
        }
        do {
            if capacity {
                let search = CapacitySearch(base: configuration, stepSeconds: capacityStep, lossBound: capacityLoss,
                                            p99BoundMs: capacityP99, maximumMultiple: capacityMax)
                let report = try await Self.detached { try search.run { print($0.line) } }
                print(report.sustainedLine)
                if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
            } else {
                let report = try await LoadRunner(configuration: configuration).runDetached()
                if live { ProgressLine.clear() }
                if stop.isRequested { print("stopped by a signal after \(String(format: "%.1f", report.durationS)) s") }
                print(report.summary)
                for failure in report.failures.prefix(10) { print("failed: \(failure)") }
                if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
                if let html { try Data(HTMLReport.render(report).utf8).write(to: URL(fileURLWithPath: html)) }
                if report.joined == 0 {
                    throw ValidationError("no participant joined (\(report.failures.first ?? "no reason recorded"))")
                }
            }
        } catch {
            await exporter?.stop()
            await services?.stop()
            throw error
        }
        await exporter?.stop()
        await services?.stop()
    }

    /// Calls `handler` (once per signal) on SIGINT and SIGTERM instead of ending the process.
    static func onTerminationSignals(_ handler: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    /// The participants' traffic from the flags (`--mix` picks among the named kinds).
    func trafficMix(video: Int?) throws -> TrafficMix {
        let videoModel: (Int) -> VideoModel = { layers in
            var model = VideoModel(kbps: video ?? 1000, simulcastLayers: layers)
            model.frameRate = frameRate
            model.keyframeInterval = keyframeInterval
            return model
        }
        let kinds: [String: ParticipantTraffic] = [
            "audio": ParticipantTraffic(name: "audio", audio: AudioModel(dtx: dtx), video: nil),
            "audio-dtx": ParticipantTraffic(name: "audio-dtx", audio: AudioModel(dtx: true), video: nil),
            "video": ParticipantTraffic(name: "video", audio: nil, video: videoModel(simulcast)),
            "av": ParticipantTraffic(name: "av", audio: AudioModel(dtx: dtx), video: videoModel(simulcast)),
            "simulcast": ParticipantTraffic(name: "simulcast", audio: AudioModel(dtx: dtx), video: videoModel(max(simulcast, 3))),
        ]
        guard let mix else {
            let sendsAudio = audio || dtx || video == nil
            let name = sendsAudio ? (video == nil ? "audio" : "av") : "video"
            return TrafficMix(everyone: kinds[name]!)
        }
        var entries: [TrafficMix.Entry] = []
        for part in mix.split(separator: ",") {
            let pieces = part.split(separator: "=")
            guard let kind = pieces.first.flatMap({ kinds[String($0)] }),
                  let weight = pieces.count == 2 ? Double(pieces[1]) : 1, weight > 0, pieces.count <= 2
            else {
                throw ValidationError("--mix takes KIND=WEIGHT,... with KIND one of \(kinds.keys.sorted().joined(separator: ", "))")
            }
            entries.append(.init(weight: weight, traffic: kind))
        }
        guard !entries.isEmpty else { throw ValidationError("--mix is empty") }
        return TrafficMix(entries)
    }

    /// Runs blocking work on a thread of its own.
    static func detached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
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
