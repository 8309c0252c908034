// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ConferenceLoad
import Foundation
import KeyDistributor
import PERCEndpoint
import Testing

/// The load generator against an in-process Key Distributor and Media Distributor:
/// two conferences of three, audio and video, every payload verified.
@Suite(.serialized) struct LoadRunnerTests {
    static func configuration(_ setup: LoopbackConference, duration: Double, leaveAfter: Double? = nil) -> LoadConfiguration {
        LoadConfiguration(conferenceService: HostPort(host: "127.0.0.1", port: UInt16(setup.kd.httpPort)),
                          mediaDistributor: HostPort(host: "127.0.0.1", port: UInt16(setup.md.mediaPort)),
                          conferences: 2, participants: 3, duration: duration, audio: true, videoKbps: 300,
                          leaveAfter: leaveAfter)
    }

    @Test func twoConferencesOfThreeAllJoinAndAllMediaVerifies() async throws {
        let setup = try await LoopbackConference.start()
        let configuration = Self.configuration(setup, duration: 3)
        let report = try await Task.detached { try LoadRunner(configuration: configuration).run() }.value
        await setup.stop()
        #expect(report.participants == 6)
        #expect(report.joined == 6, "\(report.failures)")
        #expect(report.e2eAuthFailures == 0 && report.hbhAuthFailures == 0)
        #expect(report.contentMismatches == 0 && report.otherErrors == 0)
        // 50 audio + 60 video (two packets per 1250-byte frame at 300 kbit/s) packets/s per sender.
        #expect(report.packetsSent > 6 * 80 * 2)
        #expect(report.packetsExpected > 0)
        #expect(report.deliveredFraction >= 0.999, "\(report.summary)")
        #expect(report.rekeys == 0)
        #expect(report.latencyMs.p50 > 0 && report.latencyMs.max < 1000)
        #expect(report.joinMs.max > 0 && report.joinMs.max < 3000)
    }

    /// A stop request (perc-load's SIGINT) ends a 60-second run early, with every
    /// participant gone and a report of the time actually run.
    @Test func aStopRequestEndsTheRunEarlyWithAReport() async throws {
        let setup = try await LoopbackConference.start()
        var configuration = Self.configuration(setup, duration: 60)
        let stop = StopRequest()
        configuration.stop = stop
        let run = Task.detached { [configuration] in try LoadRunner(configuration: configuration).run() }
        try await Task.sleep(for: .seconds(2))
        stop.request()
        let report = try await run.value
        await setup.stop()
        #expect(report.durationS < 10, "stopped at \(report.durationS) s")
        #expect(report.joined == 6 && report.packetsReceived > 0, "\(report.summary)")
        #expect(report.e2eAuthFailures == 0 && report.hbhAuthFailures == 0)
    }

    /// Participants whose join time comes while the Key Distributor is down keep trying to
    /// register, join once it is back, and their join time counts the wait.
    @Test func joinersWaitForAKeyDistributorThatIsRestarting() async throws {
        let setup = try await LoopbackConference.start(reconnectBackoff: .milliseconds(50))
        let configuration = Self.configuration(setup, duration: 5)
        await setup.kd.stop()
        let run = Task.detached { try LoadRunner(configuration: configuration).run() }
        try await Task.sleep(for: .milliseconds(1500))
        _ = try await setup.restartKeyDistributor()
        let report = try await run.value
        await setup.stop()
        #expect(report.joined == 6, "\(report.failures)")
        #expect(report.e2eAuthFailures == 0 && report.hbhAuthFailures == 0)
        #expect(report.joinMs.p50 >= 1000 && report.joinMs.max < 4500, "\(report.joinMs)")
        #expect(report.packetsReceived > 0 && report.deliveredFraction >= 0.99, "\(report.summary)")
    }

    /// Under rekey on join a joiner holds only the new EKTKey, and the members go on
    /// sending under the old one for the switch delay: the joiner counts those packets as
    /// under a key it does not hold (backward secrecy at work), never as errors.
    @Test func aJoinerUnderRekeyOnJoinCannotOpenTheOldKeysPackets() async throws {
        let setup = try await LoopbackConference.start(policy: RekeyPolicy(rekeyOnJoin: true))
        var configuration = Self.configuration(setup, duration: 4)
        configuration.rampUp = 2   // the six join one by one, 0.5 s apart
        let report = try await Task.detached { [configuration] in try LoadRunner(configuration: configuration).run() }.value
        await setup.stop()
        #expect(report.joined == 6, "\(report.failures)")
        #expect(report.rekeys >= 2)
        #expect(report.unknownEKTKey > 0 && report.otherErrors == 0, "\(report.summary)")
        #expect(report.e2eAuthFailures == 0 && report.hbhAuthFailures == 0)
    }

    @Test func leaversCauseRekeysAndDeliveryStaysAbove99Percent() async throws {
        let setup = try await LoopbackConference.start(policy: RekeyPolicy(rekeyOnLeave: true))
        let configuration = Self.configuration(setup, duration: 4, leaveAfter: 2)
        let report = try await Task.detached { try LoadRunner(configuration: configuration).run() }.value
        await setup.stop()
        #expect(report.joined == 6, "\(report.failures)")
        #expect(report.rekeys == 2, "one leave per conference, one rekey each")
        #expect(report.e2eAuthFailures == 0 && report.hbhAuthFailures == 0)
        #expect(report.contentMismatches == 0)
        #expect(report.deliveredFraction >= 0.99, "\(report.summary)")
    }

    /// Paths that break while the MDD stays up (`--path-breaks`): every break is a rejoin from
    /// a new socket, media resumes long before the 5 s idle timeout that once held the old
    /// association's SSRCs, and no copy is refused or fails to open.
    @Test func pathBreaksAreHealedByRejoiningWithinAFractionOfTheIdleTimeout() async throws {
        let setup = try await LoopbackConference.start()
        var configuration = Self.configuration(setup, duration: 8)
        configuration.pathBreaks = 1
        configuration.churnQuietPeriod = 1.5
        let report = try await Task.detached { [configuration] in try LoadRunner(configuration: configuration).run() }.value
        let mdd = setup.md.statistics
        await setup.stop()
        #expect(report.joined == 6, "\(report.failures)")
        #expect(report.pathBreaks >= 1 && report.rejoins == report.pathBreaks, "\(report.summary)")
        #expect(report.rejoinMs.count == report.rejoins, "media came back after every rejoin")
        #expect(report.mediaGapMs.max < 2000, "gap \(report.mediaGapMs)")
        #expect(report.e2eAuthFailures == 0 && report.hbhAuthFailures == 0)
        #expect(report.contentMismatches == 0 && report.otherErrors == 0, "\(report.summary)")
        #expect(mdd.copiesRefused == 0 && mdd.authenticationFailures == 0, "\(mdd)")
        #expect(report.deliveredFraction >= 0.95, "\(report.summary)")
    }
}
