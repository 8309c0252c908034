// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors
//
// RFC 9185 tunnel framing: TunnelMessageDecoder over a byte stream cut anywhere, and every
// message body decoder behind it (SupportedProfiles, UnsupportedVersion, MediaKeys,
// TunneledDtls, EndpointDisconnect).
//
// Input: a byte that seeds the chunk sizes, then the stream.
// Invariants: the stream fed whole and fed in chunks gives the same messages and the same
// error; the decoder never holds more than maximumBufferedBytes; the messages delivered
// re-encode to exactly the bytes they came from, and decode back to themselves; after an
// error every later feed throws that error; finish() agrees with what is left over.
import FuzzSupport
import PERCTunnel

struct Decoded: Equatable {
    var messages: [TunnelMessage] = []
    var error: TunnelError?
    var leftover = 0
}

func decode(_ stream: [UInt8], chunkSeed: UInt8?) -> Decoded {
    var decoder = TunnelMessageDecoder()
    var result = Decoded()
    var index = 0, state = UInt32(chunkSeed ?? 0) | 1
    while index < stream.count {
        var chunk = stream.count - index
        if chunkSeed != nil {
            state = state &* 1_103_515_245 &+ 12345
            chunk = min(chunk, 1 + Int(state >> 16) % 9)
        }
        do {
            try decoder.feed(stream[index..<(index + chunk)]) { result.messages.append($0) }
        } catch let error as TunnelError {
            result.error = error
            do {
                try decoder.feed([0x01]) { _ in require(false, "a message after an error") }
                require(false, "a feed after an error did not throw")
            } catch let again as TunnelError {
                require(again == error, "the error changed from \(error) to \(again)")
            } catch {
                require(false, "a feed threw \(error)")
            }
            break
        } catch {
            require(false, "feed threw a \(type(of: error))")
        }
        require(decoder.bufferedByteCount <= TunnelMessageDecoder.maximumBufferedBytes, "buffered \(decoder.bufferedByteCount)")
        index += chunk
    }
    result.leftover = decoder.bufferedByteCount
    do {
        try decoder.finish()
        require(result.error == nil && result.leftover == 0, "finish() passed with \(result.leftover) bytes held")
    } catch {
        require(result.error != nil || result.leftover > 0, "finish() threw \(error) at a message boundary")
    }
    return result
}

fuzzMain { data, size in
    var input = FuzzReader(fuzzBytes(data, size))
    let seed = input.byte()
    let stream = input.rest()
    let whole = decode(stream, chunkSeed: nil)
    let chunked = decode(stream, chunkSeed: seed)
    require(whole == chunked, "whole and chunked decoding differ")

    var encoded: [UInt8] = []
    for message in whole.messages {
        guard let bytes = try? message.encoded() else { require(false, "a decoded \(message.type) does not encode"); return 0 }
        require((try? TunnelMessage(decoding: bytes)) == message, "a \(message.type) does not decode back")
        encoded += bytes
    }
    require(encoded == Array(stream.prefix(encoded.count)), "the messages do not re-encode to the stream's bytes")
    if whole.error == nil {
        require(encoded.count + whole.leftover == stream.count, "bytes unaccounted for")
    }
    return 0
}
