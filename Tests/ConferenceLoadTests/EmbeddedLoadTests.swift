// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ConferenceLoad
import Foundation
import KeyDistributor
import PERCEndpoint
import Testing

/// `perc-load --embedded` as a library: a KMF and an MDD in this process, real endpoints,
/// the full report (every JSON field), faults accounted, and the offline packet core.
@Suite(.serialized) struct EmbeddedLoadTests {
    static func configuration(_ services: EmbeddedServices, duration: Double, faults: DatagramFaults? = nil) -> LoadConfiguration {
        let traffic = ParticipantTraffic(name: "av", audio: AudioModel(), video: VideoModel(kbps: 300, simulcastLayers: 2))
        var configuration = LoadConfiguration(
            conferenceService: services.conferenceService, mediaDistributor: services.mediaAddress, conferenceSizes: [3, 2],
            duration: duration, mix: TrafficMix(everyone: traffic), faults: faults, seed: 11)
        services.measure(&configuration)
        return configuration
    }

    @Test func anEmbeddedRunJoinsEveryoneWithNoAuthenticationFailureAndWritesEveryField() async throws {
        let services = try await EmbeddedServices.start()
        let configuration = Self.configuration(services, duration: 4)
        let report = try await LoadRunner(configuration: configuration).runDetached()
        await services.stop()
        #expect(report.participants == 5 && report.joined == 5, "\(report.failures)")
        #expect(report.e2eAuthFailures == 0 && report.hbhAuthFailures == 0 && report.mddAuthFailures == 0)
        #expect(report.contentMismatches == 0 && report.otherErrors == 0)
        #expect(report.deliveredFraction >= 0.999, "\(report.summary)")
        #expect(report.latencyMs.count > 1000 && report.latencyMs.p50 > 0 && report.latencyMs.p99 >= report.latencyMs.p50)
        #expect(report.joinMs.count == 5 && report.joinMs.max < 3000)
        // The MDD forwarded what the endpoints received, and its CPU and the KMF's were read.
        #expect((report.mdd?.rtpForwarded ?? 0) >= report.packetsReceivedTotal)
        #expect((report.cpu.mddSeconds ?? 0) > 0 && (report.cpu.kmfSeconds ?? 0) > 0)
        #expect((report.throughput.mddPacketsPerCoreSecond ?? 0) > 0)
        // Per conference and per interval.
        #expect(report.perConference.map(\.participants) == [3, 2])
        #expect(report.perConference.reduce(0) { $0 + $1.packetsReceived } == report.packetsReceived)
        #expect(report.intervals.count >= 4 && report.intervals.count <= 6)
        #expect(report.intervals.reduce(0) { $0 + $1.packetsSent } == report.packetsSent)
        #expect(report.intervals.reduce(0) { $0 + $1.lost } >= report.lost)
        // The JSON: issue 9's fields and the new ones.
        let object = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        for key in ["conferences", "participants", "joined", "join_ms", "packets_sent", "packets_expected", "packets_received",
                    "e2e_auth_failures", "hbh_auth_failures", "lost", "latency_ms", "rekeys", "duration_s",
                    "packets_received_total", "replayed", "other_errors", "content_mismatches", "send_failures", "failures", "frames_skipped",
                    "reordered", "duplicates", "jitter_ms", "rekey_to_media_ms", "mdd_auth_failures", "seed", "injected",
                    "cpu", "throughput", "mdd", "per_conference", "intervals", "rekey_events"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        for key in ["join_ms", "latency_ms"] {
            let percentiles = try #require(object[key] as? [String: Any])
            #expect(Set(["p50", "p99", "max"]).isSubset(of: percentiles.keys), "\(key): \(percentiles.keys)")
        }
        let interval = try #require((object["intervals"] as? [[String: Any]])?.first)
        for key in ["t", "packets_sent", "packets_expected", "packets_received", "lost", "latency_ms", "received_bps", "mdd_cpu_s"] {
            #expect(interval[key] != nil, "interval misses \(key)")
        }
        let html = HTMLReport.render(report)
        #expect(html.contains("<svg") && html.contains("polyline") && !html.contains("<script"))
    }

    @Test func injectedFaultsAreAccountedWithoutFalseAuthenticationFailures() async throws {
        let services = try await EmbeddedServices.start()
        let configuration = Self.configuration(services, duration: 4,
                                               faults: DatagramFaults(loss: 0.05, reorder: 0.05, duplicate: 0.05))
        let report = try await LoadRunner(configuration: configuration).runDetached()
        await services.stop()
        #expect(report.joined == 5, "\(report.failures)")
        #expect(report.e2eAuthFailures == 0 && report.hbhAuthFailures == 0 && report.contentMismatches == 0)
        #expect(report.injected.dropped > 100 && report.injected.duplicated > 100 && report.injected.reordered > 100)
        // Loss shows as loss: what the windows miss is the injected drops (some fall outside the windows).
        #expect(report.lost > report.injected.dropped / 2 && report.lost <= report.injected.dropped + report.packetsExpected / 1000,
                "\(report.summary)")
        #expect(abs(report.deliveredFraction - 0.95) < 0.02)
        // Every injected copy is detected (SRTP replay check); swaps within one stream show as
        // reordering (a swap of two different streams' packets reorders neither).
        #expect(report.duplicates == report.injected.duplicated)
        #expect(report.reordered > 0 && report.reordered <= report.injected.reordered)
    }

    @Test func offlineModeReportsEveryStageCost() throws {
        let traffic = ParticipantTraffic(name: "av", audio: AudioModel(), video: VideoModel(kbps: 1000))
        let report = try OfflineRunner(conferenceSizes: [4, 3], mix: TrafficMix(everyone: traffic), mediaSeconds: 2, seed: 3).run()
        #expect(report.failures == 0)
        #expect(report.participants == 7)
        #expect(report.packetsSent > 7 * 2 * 100)
        // Each packet reaches every other member of its conference.
        #expect(report.copiesDelivered > 2 * report.packetsSent)
        #expect(report.stages.count == 5)
        for stage in report.stages { #expect(stage.nsPerPacket > 0 && stage.packets > 0, "\(stage)") }
        #expect(report.threadCPUSeconds > 0 && report.mddPacketsPerCoreSecond > 0)
        let object = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        #expect(object["stages"] != nil && object["mdd_input_pps_per_core"] != nil)
    }
}
