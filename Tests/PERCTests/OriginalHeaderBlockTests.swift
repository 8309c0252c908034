// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import PERC
import SRTP
import Testing

/// The Original Header Block of RFC 8723 4 on its own: `[PT] [SEQ] Config`, Config =
/// `R R R R B M P Q`, parsed from the end; and the relay's update rule (5.2 step 4).
@Suite struct OriginalHeaderBlockTests {
    func parse(_ bytes: [UInt8]) throws -> OriginalHeaderBlock {
        try bytes.withUnsafeBytes { try OriginalHeaderBlock(parsingEndOf: $0) }
    }

    /// Every valid Config (R = 0, not B without M) with its fields, written and parsed back
    /// behind some E2E ciphertext.
    @Test func everyValidConfigRoundTrips() throws {
        var seen = 0
        for config in UInt8(0)...0x0F where config & 0x0C != 0x08 {
            var bytes: [UInt8] = []
            if config & 0x02 != 0 { bytes.append(0x5A) }
            if config & 0x01 != 0 { bytes += [0xBE, 0xEF] }
            bytes.append(config)
            let block = try parse([UInt8](repeating: 0xEE, count: 20) + bytes)
            #expect(block.payloadType == (config & 0x02 != 0 ? 0x5A : nil))
            #expect(block.sequenceNumber == (config & 0x01 != 0 ? 0xBEEF : nil))
            #expect(block.marker == (config & 0x04 != 0 ? config & 0x08 != 0 : nil))
            #expect(block.config == config && block.bytes == bytes && block.encodedLength == bytes.count)
            seen += 1
        }
        #expect(seen == 12)
        #expect(OriginalHeaderBlock.empty.bytes == [0x00])
    }

    @Test func invalidBlocksAreRejected() {
        for config in UInt8(0x10)...0xFF {   // any reserved bit
            #expect(throws: SRTPError.self) { try parse([0x11, 0x22, 0x33, config]) }
        }
        for config: UInt8 in [0x08, 0x09, 0x0A, 0x0B] {   // B without M (the RFC's "0x80" is a typo)
            #expect(throws: SRTPError.self) { try parse([0x11, 0x22, 0x33, config]) }
        }
        #expect(throws: SRTPError.self) { try parse([0x80, 0x02]) }   // PT byte with its top bit set
        #expect(throws: SRTPError.self) { try parse([0x01]) }         // SEQ missing
        #expect(throws: SRTPError.self) { try parse([0x22, 0x01]) }
        #expect(throws: SRTPError.self) { try parse([0x22, 0x33, 0x03]) }   // PT missing before SEQ
        #expect(throws: SRTPError.self) { try parse([0x02]) }
        #expect(throws: SRTPError.self) { try parse([]) }
    }

    /// RFC 8723 5.2 step 4, one field at a time: record the value from before the change if not
    /// yet recorded; drop it when set back to the recorded original; otherwise keep it.
    @Test func relayUpdateRule() {
        let received = RTPHeaderFields(payloadType: 100, sequenceNumber: 500, marker: true)
        var block = OriginalHeaderBlock()
        block.record(from: received, to: received)
        #expect(block == .empty, "no change")
        block.record(from: received, to: RTPHeaderFields(payloadType: 101, sequenceNumber: 500, marker: false))
        #expect(block == OriginalHeaderBlock(payloadType: 100, marker: true))

        var recorded = OriginalHeaderBlock(payloadType: 96, sequenceNumber: 7)
        recorded.record(from: received, to: RTPHeaderFields(payloadType: 110, sequenceNumber: 9, marker: true))
        #expect(recorded == OriginalHeaderBlock(payloadType: 96, sequenceNumber: 7), "never overwritten")
        recorded.record(from: received, to: RTPHeaderFields(payloadType: 96, sequenceNumber: 500, marker: true))
        #expect(recorded == OriginalHeaderBlock(sequenceNumber: 7), "PT set back: dropped; SEQ unchanged: kept")
        recorded.record(from: received, to: RTPHeaderFields(payloadType: 100, sequenceNumber: 7, marker: true))
        #expect(recorded == .empty)

        #expect(OriginalHeaderBlock(payloadType: 96, marker: false).original(of: received)
                == RTPHeaderFields(payloadType: 96, sequenceNumber: 500, marker: false))
    }
}
