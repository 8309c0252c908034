// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// An RTP retransmission packet (RFC 4588 4) as a ``ConferenceEndpoint`` sends it: on the
/// stream's RTX SSRC (the same sender, stream number + 4) with its own sequence numbers and
/// payload type ``payloadType``, the original timestamp and marker, and as payload the
/// original sequence number (OSN, 2 bytes) then the original ``MediaPayload`` (its own
/// stream, sequence and send time), so the receiver checks every byte and learns which
/// packet it repairs.
///
/// The endpoint double-protects RTX packets like its media (their payload is end-to-end
/// authenticated). RFC 8723 5.1 and 8 also describe a repair mode in which RTX carries the
/// cached double-encrypted packet under the hop-by-hop layer only; that mode is not used here.
public enum RTXPacket {
    /// The RTX payload type (associated with video's 96).
    public static let payloadType: UInt8 = 97

    /// The RTX stream of a video stream (1...3 -> 5...7); nil for audio and other streams.
    public static func stream(repairing stream: UInt8) -> UInt8? { (1...3).contains(stream) ? stream + 4 : nil }

    /// The video stream an RTX stream repairs (5...7 -> 1...3); nil for any other stream.
    public static func repairedStream(_ rtxStream: UInt8) -> UInt8? { (5...7).contains(rtxStream) ? rtxStream - 4 : nil }

    /// The RTP timestamp of a packet sent at `sendTime` (nanoseconds): about 90 kHz, as
    /// ``ConferenceEndpoint/sendMedia(stream:sequence:payloadLength:marker:)`` stamps it.
    public static func rtpTimestamp(sendTime: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: sendTime / 11_111) }

    /// The plaintext RTX packet repairing `entry` of `sender`'s `stream`, with RTX sequence `rtxSequence`.
    public static func build(sender: UInt32, stream: UInt8, entry: SendHistory.Entry, rtxSequence: UInt16) -> [UInt8]? {
        guard let rtx = Self.stream(repairing: stream) else { return nil }
        let ssrc = ConferenceEndpoint.ssrc(sender: sender, stream: rtx)
        let timestamp = rtpTimestamp(sendTime: entry.sendTime)
        var packet: [UInt8] = [0x80, entry.marker ? 0x80 | payloadType : payloadType,
                               UInt8(rtxSequence >> 8), UInt8(truncatingIfNeeded: rtxSequence)]
        for value in [timestamp, ssrc] {
            packet += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                       UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        }
        packet += [UInt8(entry.rtpSequence >> 8), UInt8(truncatingIfNeeded: entry.rtpSequence)]
        packet += MediaPayload(sender: sender, stream: stream, sequence: entry.payloadSequence, sendTime: entry.sendTime,
                               length: entry.length).bytes
        return packet
    }

    /// Reads an opened RTX packet whose RTP header is `headerLength` bytes: its OSN and the
    /// original payload. Nil unless the payload type is ``payloadType``, the payload verifies,
    /// its stream's RTX SSRC is the packet's SSRC and the OSN is the payload's RTP sequence.
    public static func parse(_ packet: [UInt8], headerLength: Int) -> (osn: UInt16, payload: MediaPayload)? {
        guard packet.count >= 12, headerLength >= 12, packet.count >= headerLength + 2 + MediaPayload.headerLength,
              packet[1] & 0x7F == payloadType
        else { return nil }
        let ssrc = UInt32(packet[8]) << 24 | UInt32(packet[9]) << 16 | UInt32(packet[10]) << 8 | UInt32(packet[11])
        let osn = UInt16(packet[headerLength]) << 8 | UInt16(packet[headerLength + 1])
        guard let payload = MediaPayload(verifying: packet[(headerLength + 2)...]),
              let rtx = stream(repairing: payload.stream),
              ConferenceEndpoint.ssrc(sender: payload.sender, stream: rtx) == ssrc,
              osn == UInt16(truncatingIfNeeded: payload.sequence)
        else { return nil }
        return (osn, payload)
    }
}
