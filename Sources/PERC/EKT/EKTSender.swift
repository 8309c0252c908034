// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP

/// The sending side of EKT (RFC 8870 4.3.1, 4.6): decides per packet between a FullEKTField
/// (carrying the sender's master key, SSRC and ROC wrapped under the EKTKey) and a
/// ShortEKTField, and caches each SSRC's FullEKTField until its ROC or key changes.
///
/// A FullEKTField goes into the first ``fullFieldsAfterChange`` packets of an SSRC and after
/// every rekey (RFC 8870 recommends 3), then into every ``fullFieldInterval``-th packet so
/// that new receivers learn the key (about every 100 ms at 50 packets/s with the default 5).
public final class EKTSender {
    /// The EKT parameter set in use.
    public private(set) var parameters: EKTParameterSet
    /// The epoch of the current master key under the current EKTKey.
    public private(set) var epoch: UInt16 = 0
    /// Packets after a key change that carry a FullEKTField.
    public let fullFieldsAfterChange: Int
    /// After those, every n-th packet carries one.
    public let fullFieldInterval: Int

    private var masterKey: [UInt8]
    private var streams: [UInt32: StreamRecord] = [:]

    private struct StreamRecord {
        var packetsSinceChange = 0
        var cachedROC: UInt32 = 0
        var cachedField: [UInt8] = []
    }

    /// - Parameters:
    ///   - masterKey: the sender's own end-to-end master key (16 or 32 bytes).
    ///   - epoch: the epoch to announce `masterKey` under. A sender that announced another key
    ///     under the same SPI before (an endpoint that joined again with a fresh key) starts
    ///     above its last epoch, or receivers refuse the new key (RFC 8870 4.3.2).
    /// - Throws: ``SRTPError/invalidKeyLength(expected:actual:)`` for a key outside 1...242 bytes.
    public init(parameters: EKTParameterSet, masterKey: [UInt8], epoch: UInt16 = 0, fullFieldsAfterChange: Int = 3,
                fullFieldInterval: Int = 5) throws(SRTPError) {
        guard (1...242).contains(masterKey.count) else { throw .invalidKeyLength(expected: 16, actual: masterKey.count) }
        self.parameters = parameters
        self.masterKey = masterKey
        self.epoch = epoch
        self.fullFieldsAfterChange = max(fullFieldsAfterChange, 1)
        self.fullFieldInterval = max(fullFieldInterval, 1)
    }

    /// Longest field this sender appends.
    public var maximumFieldLength: Int { EKTCipher.ciphertextLength(plaintextLength: masterKey.count + 9) + 7 }

    /// Whether `key` is the master key this sender announces.
    public func announces(_ key: [UInt8]) -> Bool { masterKey == key }

    /// Announces a new master key: the epoch goes up and the next packets carry FullEKTFields.
    public func rekey(masterKey newKey: [UInt8]) {
        masterKey = newKey
        epoch &+= 1
        streams.removeAll(keepingCapacity: true)
    }

    /// Moves to a new EKT parameter set (new SPI): the epoch restarts at 0. The caller must
    /// also change its SRTP master key (RFC 8870 4.5).
    public func replaceParameters(_ newParameters: EKTParameterSet, masterKey newKey: [UInt8]) {
        parameters = newParameters
        masterKey = newKey
        epoch = 0
        streams.removeAll(keepingCapacity: true)
    }

    /// The FullEKTField for `ssrc` at `roc` (not cached; see ``writeField(ssrc:roc:to:)``).
    public func fullField(ssrc: UInt32, roc: UInt32) -> FullEKTField? {
        guard let plaintext = try? EKTPlaintext(masterKey: masterKey, ssrc: ssrc, roc: roc),
              let ciphertext = parameters.wrap(plaintext.bytes) else { return nil }
        return FullEKTField(spi: parameters.spi, epoch: epoch, ciphertext: ciphertext)
    }

    /// The length of the field the next packet of `ssrc` gets. Changes nothing.
    func fieldLength(ssrc: UInt32, roc: UInt32) -> Int {
        sendsFullField(streams[ssrc]) ? maximumFieldLength : 1
    }

    /// Writes the next packet's field (``fieldLength(ssrc:roc:)`` bytes) and counts the packet.
    func writeField(ssrc: UInt32, roc: UInt32, to destination: UnsafeMutableRawPointer) {
        var record = streams[ssrc] ?? StreamRecord()
        if sendsFullField(record) {
            if record.cachedField.isEmpty || record.cachedROC != roc {
                record.cachedField = fullField(ssrc: ssrc, roc: roc)?.bytes ?? []
                record.cachedROC = roc
            }
            record.cachedField.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        } else {
            destination.storeBytes(of: 0, as: UInt8.self)
        }
        record.packetsSinceChange += 1
        streams[ssrc] = record
    }

    private func sendsFullField(_ record: StreamRecord?) -> Bool {
        guard let record else { return true }
        return record.packetsSinceChange < fullFieldsAfterChange || record.packetsSinceChange % fullFieldInterval == 0
    }
}
