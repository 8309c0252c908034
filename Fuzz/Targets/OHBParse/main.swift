// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// The Original Header Block parser (RFC 8723 4) and its record/restore rules (5.2 step 3).
//
// Input: the bytes the OHB ends (its config byte last), then read front to back for a header
// change: current PT, SEQ, M and new PT, SEQ, M (taken from the first 8 bytes).
// Invariants: a parsed OHB fits in the input and encodes back to exactly the bytes it was
// parsed from; a rejected one is rejected by the same rule again; for any change
// current -> new, recording it keeps the original header: record(current -> new) then
// original(of: new) equals original(of: current) (a chain of relays restores the sender's header).
import FuzzSupport
import PERC
import SRTP

fuzzMain { data, size in
    let bytes = fuzzBytes(data, size)
    var reader = FuzzReader(bytes)
    let current = RTPHeaderFields(payloadType: reader.byte() & 0x7F, sequenceNumber: reader.uint16(), marker: reader.byte() & 1 != 0)
    let new = RTPHeaderFields(payloadType: reader.byte() & 0x7F, sequenceNumber: reader.uint16(), marker: reader.byte() & 1 != 0)

    let parsed: Result<OriginalHeaderBlock, SRTPError> = bytes.withUnsafeBytes { raw in
        Result { () throws(SRTPError) in try OriginalHeaderBlock(parsingEndOf: raw) }
    }
    switch parsed {
    case .success(let ohb):
        require(ohb.encodedLength <= bytes.count, "an OHB of \(ohb.encodedLength) bytes in \(bytes.count)")
        require(ohb.bytes == Array(bytes.suffix(ohb.encodedLength)), "the OHB does not encode back to its bytes")
        var relayed = ohb
        relayed.record(from: current, to: new)
        require(relayed.original(of: new) == ohb.original(of: current), "recording \(current) -> \(new) lost the original")
        require(relayed.payloadType.map { $0 < 0x80 } ?? true, "a recorded PT above 127")
    case .failure(let error):
        let again = bytes.withUnsafeBytes { raw in Result { () throws(SRTPError) in try OriginalHeaderBlock(parsingEndOf: raw) } }
        guard case .failure(let second) = again, second == error else { require(false, "parsed differently twice"); return 0 }
        guard case .invalidOriginalHeaderBlock = error else { require(false, "unexpected error \(error)"); return 0 }
    }
    return 0
}
