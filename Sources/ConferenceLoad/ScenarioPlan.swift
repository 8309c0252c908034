// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Who takes part in a run and when: the first participants of every conference (all at
/// once, or at the ramp-up rate, round robin over conferences), the leavers of
/// `--leave-after`, a join storm, and churn (a Poisson process of rate R: at each event a
/// random present participant who joined at least 2 s earlier leaves and a new one joins
/// the same conference at that instant; no churn in the last quiet period), and path breaks
/// (another Poisson process: a participant's path to the MDD breaks and it joins again).
/// Worked out before the run from the seed, so a run is reproducible.
public struct ScenarioPlan: Sendable {
    /// One participant's part.
    public struct Participant: Sendable, Equatable {
        public var conference: Int
        public var name: String
        /// Its number in the run (payload sender field, SSRC base).
        public var sender: UInt32
        /// Seconds from the start when it registers and joins.
        public var joinAt: Double
        /// Seconds from the start when it leaves, if it does before the end.
        public var leaveAt: Double?
        /// Seconds from the start when its path to the MDD breaks (it then joins again).
        public var pathBreaks: [Double] = []
        public var traffic: ParticipantTraffic
    }

    public private(set) var participants: [Participant] = []
    /// Churn events (seconds from the start).
    public private(set) var churnTimes: [Double] = []

    /// The plan of `configuration`.
    public init(_ configuration: LoadConfiguration) {
        var names = Array(repeating: 0, count: configuration.conferences)
        func add(conference: Int, joinAt: Double) -> Int {
            let index = participants.count
            participants.append(Participant(
                conference: conference, name: "p\(names[conference])", sender: UInt32(index), joinAt: joinAt, leaveAt: nil,
                pathBreaks: [], traffic: configuration.mix.traffic(participant: index, seed: configuration.seed)))
            names[conference] += 1
            return index
        }
        // First participants, interleaved over conferences so a ramp fills them evenly.
        let largest = configuration.conferenceSizes.max() ?? 0
        var order = 0
        for slot in 0..<largest {
            for (conference, size) in configuration.conferenceSizes.enumerated() where slot < size {
                let joinAt = configuration.rampUp.map { Double(order) / $0 } ?? 0
                let index = add(conference: conference, joinAt: joinAt)
                if let leaveAfter = configuration.leaveAfter, slot >= size - size / 2 { participants[index].leaveAt = leaveAfter }
                order += 1
            }
        }
        let rampEnd = configuration.rampUp.map { Double(max(order - 1, 0)) / $0 } ?? 0
        if let storm = configuration.joinStorm, storm.at < configuration.duration, configuration.conferences > 0 {
            for n in 0..<storm.participants { _ = add(conference: n % configuration.conferences, joinAt: storm.at) }
        }
        let stop = configuration.duration - configuration.churnQuietPeriod
        Self.forEachEvent(rate: configuration.churn, seed: configuration.seed, stream: 0x4348_5552_4E,
                          from: rampEnd + 2, until: stop) { time, random in
            let present = participants.indices.filter { index in
                let p = participants[index]
                return p.joinAt + 2 <= time && (p.leaveAt ?? .infinity) > time
            }
            guard !present.isEmpty else { return }
            let leaver = present[Int(random.next() % UInt64(present.count))]
            participants[leaver].leaveAt = time
            _ = add(conference: participants[leaver].conference, joinAt: time)
            churnTimes.append(time)
        }
        // Path breaks go to a participant present from 2 s before to 2 s after, whose previous
        // break is at least 2 s old (so it has joined again).
        Self.forEachEvent(rate: configuration.pathBreaks, seed: configuration.seed, stream: 0x5041_5448,
                          from: rampEnd + 2, until: stop) { time, random in
            let candidates = participants.indices.filter { index in
                let p = participants[index]
                return p.joinAt + 2 <= time && (p.leaveAt ?? .infinity) > time + 2 && (p.pathBreaks.last ?? -.infinity) + 2 <= time
            }
            guard !candidates.isEmpty else { return }
            participants[candidates[Int(random.next() % UInt64(candidates.count))]].pathBreaks.append(time)
        }
    }

    /// Calls `event` at each time of a Poisson process of `rate` per second between `start`
    /// and `stop`, drawn from `seed`'s random stream `stream` (which `event` draws from too).
    private static func forEachEvent(rate: Double, seed: UInt64, stream: UInt64, from start: Double, until stop: Double,
                                     _ event: (Double, inout SeededRandom) -> Void) {
        guard rate > 0 else { return }
        var random = SeededRandom(seed: seed, stream: stream)
        var time = start
        while true {
            time += random.exponential(mean: 1 / rate)
            guard time < stop else { return }
            event(time, &random)
        }
    }

    /// Every path break of the plan.
    public var pathBreakCount: Int { participants.reduce(0) { $0 + $1.pathBreaks.count } }
}
