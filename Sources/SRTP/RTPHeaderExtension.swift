// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// An RTP header extension block (RFC 3550 5.3.1) and its RFC 8285 elements.
///
/// SRTP treats the block as opaque header bytes (authenticated, not encrypted); this type
/// exists so tools and the media distributor can read the elements. Parsing is bounded by the
/// block: an element that would run past the end ends iteration with an error.
public struct RTPHeaderExtension {
    /// The 16-bit "defined by profile" value: 0xBEDE for one-byte, 0x100x for two-byte elements.
    public let profile: UInt16
    /// The extension data after the 4-byte extension header.
    public let data: UnsafeRawBufferPointer

    /// One RFC 8285 element.
    public struct Element: Equatable {
        /// The local identifier (1-14 for one-byte, 1-255 for two-byte elements).
        public let id: UInt8
        /// The element's data.
        public let value: [UInt8]
    }

    /// Whether the profile is the RFC 8285 one-byte form (0xBEDE).
    public var isOneByte: Bool { profile == 0xBEDE }
    /// Whether the profile is the RFC 8285 two-byte form (0x100 in the top 12 bits).
    public var isTwoByte: Bool { profile & 0xFFF0 == 0x1000 }

    /// The elements in order, skipping padding bytes.
    /// - Throws: ``SRTPError/malformed(_:)`` when an element runs past the block, or when the
    ///   profile is neither RFC 8285 form.
    public func elements() throws(SRTPError) -> [Element] {
        var result: [Element] = []
        var offset = 0
        let end = data.count
        while offset < end {
            let first = data[offset]
            if first == 0 {   // padding in both forms
                offset += 1
                continue
            }
            if isOneByte {
                let id = first >> 4
                if id == 15 { break }   // reserved: stop parsing the block
                if id == 0 {            // ID 0 is padding (RFC 8285 4.2), whatever its length bits,
                    offset += 1         // as libwebrtc reads it (found by Fuzz/Targets/RTPHeaderViews)
                    continue
                }
                let length = Int(first & 0x0F) + 1
                guard offset + 1 + length <= end else { throw .malformed(.extensionPastEnd(length: end)) }
                result.append(Element(id: id, value: Array(data[(offset + 1)..<(offset + 1 + length)])))
                offset += 1 + length
            } else if isTwoByte {
                guard offset + 2 <= end else { throw .malformed(.extensionPastEnd(length: end)) }
                let length = Int(data[offset + 1])
                guard offset + 2 + length <= end else { throw .malformed(.extensionPastEnd(length: end)) }
                result.append(Element(id: first, value: Array(data[(offset + 2)..<(offset + 2 + length)])))
                offset += 2 + length
            } else {
                throw .malformed(.extensionPastEnd(length: end))
            }
        }
        return result
    }
}
