// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Packet index estimation from a 16-bit sequence number (RFC 3711 3.3.1 and Appendix A).
package enum RolloverCounter {
    /// The largest SRTP packet index: ROC 0xFFFFFFFF, SEQ 0xFFFF.
    package static let maximumIndex: UInt64 = (1 << 48) - 1

    /// Estimates the 48-bit index of `sequenceNumber` relative to `highest` (ROC*2^16 + s_l).
    ///
    /// v is chosen from {ROC-1, ROC, ROC+1} so that v*2^16 + SEQ is closest to `highest`;
    /// ROC-1 is never guessed while ROC is 0. Returns nil when v would pass ROC 0xFFFFFFFF.
    @inline(__always)
    package static func estimateIndex(sequenceNumber: UInt16, highest: UInt64) -> UInt64? {
        let roc = highest >> 16
        let highestSequence = Int(highest & 0xFFFF)
        let sequence = Int(sequenceNumber)
        var guess = roc
        if highestSequence < 0x8000 {
            if sequence - highestSequence > 0x8000 && roc > 0 { guess = roc - 1 }
        } else if highestSequence - 0x8000 > sequence {
            guess = roc + 1
        }
        guard guess <= 0xFFFF_FFFF else { return nil }
        return guess << 16 | UInt64(sequenceNumber)
    }
}
