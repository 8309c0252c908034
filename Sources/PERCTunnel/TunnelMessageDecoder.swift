// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Reassembles tunnel messages from a byte stream cut anywhere (TLS records, socket reads,
/// single bytes).
///
/// The decoder buffers at most one message (3 + 65535 bytes): it takes from each chunk only
/// the bytes the current message still needs. A type byte that is reserved or unknown is
/// rejected as soon as it arrives; a body that does not parse is rejected when complete.
/// After an error the stream cannot be resynchronised: every later ``feed(_:_:)`` throws the
/// same error, and the connection should be closed.
///
/// ```swift
/// var decoder = TunnelMessageDecoder()
/// try decoder.feed(chunk) { message in handle(message) }
/// ```
public struct TunnelMessageDecoder: Sendable {
    /// Most bytes the decoder ever holds.
    public static let maximumBufferedBytes = TunnelMessage.headerLength + TunnelMessage.maximumBodyLength

    private var pending: [UInt8] = []
    private var failure: TunnelError?

    /// A decoder at the start of a stream.
    public init() {}

    /// Bytes of an incomplete message held now.
    public var bufferedByteCount: Int { pending.count }

    /// Consumes `bytes`, calling `deliver` for every message completed, in stream order.
    /// - Throws: the first ``TunnelError`` of the stream; messages before it were delivered.
    public mutating func feed(_ bytes: some Collection<UInt8>, _ deliver: (TunnelMessage) throws -> Void)
        throws
    {
        if let failure { throw failure }
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let wanted = neededBytes()
            let end = bytes.index(index, offsetBy: wanted, limitedBy: bytes.endIndex) ?? bytes.endIndex
            pending.append(contentsOf: bytes[index..<end])
            index = end
            let message: TunnelMessage?
            do throws(TunnelError) {
                message = try completedMessage()
            } catch {
                failure = error
                pending.removeAll()
                throw error
            }
            if let message { try deliver(message) }
        }
    }

    /// Checks that the stream ended between messages.
    /// - Throws: ``TunnelError/truncatedStream(buffered:)`` when part of a message is held.
    public func finish() throws(TunnelError) {
        if let failure { throw failure }
        guard pending.isEmpty else { throw .truncatedStream(buffered: pending.count) }
    }

    /// Bytes still missing from the current message's header, or else from its body.
    private func neededBytes() -> Int {
        if pending.count < TunnelMessage.headerLength { return pending.count == 0 ? 1 : TunnelMessage.headerLength - pending.count }
        return TunnelMessage.headerLength + declaredBodyLength - pending.count
    }

    private var declaredBodyLength: Int { Int(pending[1]) << 8 | Int(pending[2]) }

    /// Checks the type byte early; decodes and clears the buffer once the message is whole.
    private mutating func completedMessage() throws(TunnelError) -> TunnelMessage? {
        if pending.count == 1 {
            guard pending[0] != 0 else { throw .reservedMessageType }
            guard TunnelMessageType(rawValue: pending[0]) != nil else { throw .unknownMessageType(pending[0]) }
        }
        guard pending.count >= TunnelMessage.headerLength,
              pending.count == TunnelMessage.headerLength + declaredBodyLength
        else { return nil }
        let message = try TunnelMessage(rawType: pending[0], body: pending[TunnelMessage.headerLength...])
        pending.removeAll(keepingCapacity: true)
        return message
    }
}
