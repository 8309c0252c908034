// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Index bookkeeping shared by every transform: which index a packet gets, whether the replay
/// window admits it, and the state update once the packet went through. The `…To…` calls
/// change nothing; the `record…` calls are made only after the packet succeeded.
extension StreamTable {
    /// The SRTP index of an outgoing packet: `initialROC` for a new SSRC, else estimated
    /// relative to the highest index sent.
    /// - Throws: ``SRTPError/keyExhausted(ssrc:)`` past ROC 0xFFFFFFFF.
    @inline(__always)
    package func indexToSend(ssrc: UInt32, sequenceNumber: UInt16, initialROC: UInt32) throws(SRTPError) -> UInt64 {
        guard let slot = slot(for: ssrc), state(slot).pointee.started else {
            return UInt64(initialROC) << 16 | UInt64(sequenceNumber)
        }
        guard let index = RolloverCounter.estimateIndex(sequenceNumber: sequenceNumber,
                                                        highest: state(slot).pointee.highestIndex)
        else { throw .keyExhausted(ssrc: ssrc) }
        return index
    }

    /// Records that `index` was sent for `ssrc`.
    @inline(__always)
    package func recordSent(ssrc: UInt32, index: UInt64) {
        let state = state(slot(for: ssrc) ?? insert(ssrc, initial: StreamState()))
        if !state.pointee.started || index > state.pointee.highestIndex {
            state.pointee.highestIndex = index
        }
        state.pointee.started = true
    }

    /// The SRTP index under which a relay may seal a packet of `ssrc` on an outbound hop: as
    /// ``indexToSend(ssrc:sequenceNumber:initialROC:)``, but refused when this hop sealed that
    /// index already or it lies behind the window. A relay cannot trust its sources to send
    /// each index once (one SSRC's packets may come from a second endpoint, or from a member
    /// that joined again), and sealing an index twice under one key would reuse a GCM nonce.
    /// - Throws: ``SRTPError/replayed(ssrc:index:)``, ``SRTPError/tooOld(ssrc:index:)`` or
    ///   ``SRTPError/keyExhausted(ssrc:)``.
    @inline(__always)
    package func indexToSealOnce(ssrc: UInt32, sequenceNumber: UInt16, initialROC: UInt32) throws(SRTPError) -> UInt64 {
        try indexToAccept(ssrc: ssrc, sequenceNumber: sequenceNumber, initialROC: initialROC)
    }

    /// Records that a relay sealed `index` for `ssrc`, in the window that
    /// ``indexToSealOnce(ssrc:sequenceNumber:initialROC:)`` checks.
    @inline(__always)
    package func recordSealed(ssrc: UInt32, index: UInt64) {
        recordAccepted(ssrc: ssrc, index: index)
    }

    /// The SRTP index of an incoming packet if the replay window admits it: `initialROC` for
    /// an SSRC with no accepted packet, else estimated relative to the highest accepted index.
    /// - Throws: ``SRTPError/replayed(ssrc:index:)``, ``SRTPError/tooOld(ssrc:index:)`` or
    ///   ``SRTPError/keyExhausted(ssrc:)``.
    @inline(__always)
    package func indexToAccept(ssrc: UInt32, sequenceNumber: UInt16, initialROC: UInt32) throws(SRTPError) -> UInt64 {
        guard let slot = slot(for: ssrc), state(slot).pointee.started else {
            return UInt64(initialROC) << 16 | UInt64(sequenceNumber)
        }
        let highest = state(slot).pointee.highestIndex
        guard let index = RolloverCounter.estimateIndex(sequenceNumber: sequenceNumber, highest: highest) else {
            throw .keyExhausted(ssrc: ssrc)
        }
        switch rtpWindow(slot).check(index, highest: highest) {
        case .fresh: return index
        case .replayed: throw .replayed(ssrc: ssrc, index: index)
        case .tooOld: throw .tooOld(ssrc: ssrc, index: index)
        }
    }

    /// Records that the SRTP packet with `index` from `ssrc` authenticated.
    @inline(__always)
    package func recordAccepted(ssrc: UInt32, index: UInt64) {
        let slot = slot(for: ssrc) ?? insert(ssrc, initial: StreamState())
        let state = state(slot)
        if state.pointee.started {
            state.pointee.highestIndex = rtpWindow(slot).accept(index, highest: state.pointee.highestIndex)
        } else {
            rtpWindow(slot).reset(to: index)
            state.pointee.highestIndex = index
            state.pointee.started = true
        }
    }

    /// The highest accepted SRTP index of `ssrc`, or nil before its first accepted packet.
    package func highestIndex(ssrc: UInt32) -> UInt64? {
        guard let slot = slot(for: ssrc), state(slot).pointee.started else { return nil }
        return state(slot).pointee.highestIndex
    }

    /// The SRTCP index of an outgoing packet: `initialIndex` for a new SSRC, else the next one.
    @inline(__always)
    package func rtcpIndexToSend(ssrc: UInt32, initialIndex: UInt32) -> UInt64 {
        guard let slot = slot(for: ssrc), state(slot).pointee.rtcpStarted else { return UInt64(initialIndex) }
        return state(slot).pointee.rtcpIndex
    }

    /// Records that SRTCP `index` was sent for `ssrc`.
    @inline(__always)
    package func recordSentRTCP(ssrc: UInt32, index: UInt64) {
        let state = state(slot(for: ssrc) ?? insert(ssrc, initial: StreamState()))
        state.pointee.rtcpIndex = index + 1
        state.pointee.rtcpStarted = true
    }

    /// Checks an incoming SRTCP index against the replay window of `ssrc`.
    @inline(__always)
    package func checkRTCPIndex(ssrc: UInt32, index: UInt64) throws(SRTPError) {
        guard let slot = slot(for: ssrc), state(slot).pointee.rtcpStarted else { return }
        switch rtcpWindow(slot).check(index, highest: state(slot).pointee.rtcpIndex) {
        case .fresh: return
        case .replayed: throw .replayed(ssrc: ssrc, index: index)
        case .tooOld: throw .tooOld(ssrc: ssrc, index: index)
        }
    }

    /// Records that the SRTCP packet with `index` from `ssrc` authenticated.
    @inline(__always)
    package func recordAcceptedRTCP(ssrc: UInt32, index: UInt64) {
        let slot = slot(for: ssrc) ?? insert(ssrc, initial: StreamState())
        let state = state(slot)
        if state.pointee.rtcpStarted {
            state.pointee.rtcpIndex = rtcpWindow(slot).accept(index, highest: state.pointee.rtcpIndex)
        } else {
            rtcpWindow(slot).reset(to: index)
            state.pointee.rtcpIndex = index
            state.pointee.rtcpStarted = true
        }
    }
}
