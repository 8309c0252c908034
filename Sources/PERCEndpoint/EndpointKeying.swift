// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import DTLS
import PERC
import SRTP

/// The keys of one PERC endpoint (RFC 8871 4.5): hop-by-hop halves from its DTLS-SRTP
/// association with the Key Distributor, its own random end-to-end key announced in EKT
/// fields, and the conference's EKTKeys.
///
/// The endpoint is the DTLS client: it protects with the client write halves and opens with
/// the server write halves. On the first EKTKey it starts sending (inner salt = the EKTKey's
/// salt). On a later EKTKey it installs the key for receiving at once, and after
/// ``switchDelay`` moves to a fresh end-to-end key under the new SPI (RFC 8870 4.5: a new
/// EKTKey means a new master key), which gives the other members time to learn the new
/// EKTKey before packets need it.
public final class EndpointKeying {
    public let profile: DoubleProfile
    /// The delay between receiving a new EKTKey and sending under it.
    public let switchDelay: Duration
    /// After the first packets of a key, every n-th packet carries a FullEKTField
    /// (``EKTSender/fullFieldInterval``; 1: every packet, so a new receiver can open the very
    /// next packet of each sender).
    public let fullFieldInterval: Int
    /// Protects what this endpoint sends; nil until the first EKTKey.
    public private(set) var sender: DoubleSender?
    /// Opens what this endpoint receives; nil until the first EKTKey.
    public private(set) var receiver: DoubleReceiver?
    /// Seals this endpoint's RTCP, hop by hop only (RFC 8723 7): the outer half of the client
    /// write key and salt under the double profile's half profile, as the distributor opens it.
    public let rtcpSender: SRTPSender
    /// Opens the RTCP the distributor sealed for this endpoint (the outer half of the server write key).
    public let rtcpReceiver: SRTPReceiver
    /// EKTKeys received so far.
    public private(set) var ektKeysReceived = 0
    /// Times the end-to-end key was replaced.
    public private(set) var rekeys = 0

    /// The SPI and epoch this endpoint last announced its end-to-end key under, nil before
    /// its first EKTKey.
    public var announcement: EKTAnnouncement? {
        sender?.ekt.map { EKTAnnouncement(spi: $0.parameters.spi, epoch: $0.epoch) }
    }

    /// What an earlier keying of the same endpoint announced (it joined again): a key under
    /// the same SPI goes out above that epoch.
    private let previous: EKTAnnouncement?
    private let outbound: SRTPMasterKey
    private let inbound: SRTPMasterKey
    private let ektReceiver: EKTReceiver
    private var pending: (parameters: EKTParameterSet, due: ContinuousClock.Instant)?
    private let configuration: SRTPConfiguration

    /// - Parameters:
    ///   - material: the DTLS-SRTP exporter split of the association (a double profile).
    ///   - fullFieldInterval: see ``fullFieldInterval`` (at least 1).
    ///   - previous: the ``announcement`` of this endpoint's keying before it joined again.
    /// - Throws: ``SRTPError/invalidParameter(_:)`` when the profile is not a double one.
    public init(material: DTLSSRTPKeyingMaterial, switchDelay: Duration = .milliseconds(250),
                fullFieldInterval: Int = 5, configuration: SRTPConfiguration = .init(),
                previous: EKTAnnouncement? = nil) throws(SRTPError) {
        guard let profile = DoubleProfile.allCases.first(where: { $0.dtlsIdentifier == material.profile.rawValue }) else {
            throw .invalidParameter("\(material.profile) is not a double profile")
        }
        self.profile = profile
        self.switchDelay = switchDelay
        self.fullFieldInterval = max(fullFieldInterval, 1)
        self.configuration = configuration
        self.previous = previous
        let k = profile.halfKeyLength, s = profile.halfSaltLength
        outbound = SRTPMasterKey(key: Array(material.clientMasterKey[k...]), salt: Array(material.clientMasterSalt[s...]))
        inbound = SRTPMasterKey(key: Array(material.serverMasterKey[k...]), salt: Array(material.serverMasterSalt[s...]))
        ektReceiver = EKTReceiver(keyLength: k, saltLength: s)
        rtcpSender = try SRTPSender(profile: profile.halfProfile, masterKey: outbound.key, masterSalt: outbound.salt,
                                    configuration: configuration)
        rtcpReceiver = try SRTPReceiver(profile: profile.halfProfile, masterKey: inbound.key, masterSalt: inbound.salt,
                                        configuration: configuration)
    }

    /// Takes an EKTKey from the Key Distributor.
    public func install(_ key: EKTKey, now: ContinuousClock.Instant) throws(SRTPError) {
        guard let cipher = EKTCipher.allCases.first(where: { $0.keyLength == key.key.count }) else {
            throw .invalidParameter("EKTKey of \(key.key.count) bytes")
        }
        let parameters = try EKTParameterSet(spi: key.spi, cipher: cipher, key: key.key, masterSalt: key.masterSalt,
                                             ttl: key.ttl, installedAt: now)
        ektReceiver.install(parameters)
        ektKeysReceived += 1
        if sender == nil {
            let inner = try freshInnerKey(parameters)
            let epoch = previous.map { $0.spi == key.spi ? $0.epoch &+ 1 : 0 } ?? 0
            let announcer = try EKTSender(parameters: parameters, masterKey: inner.key, epoch: epoch,
                                          fullFieldInterval: fullFieldInterval)
            sender = try DoubleSender(profile: profile, inner: inner, outer: outbound, configuration: configuration,
                                      ekt: announcer)
            receiver = try DoubleReceiver(profile: profile, inner: nil, outer: inbound, configuration: configuration,
                                          ekt: ektReceiver)
        } else {
            pending = (parameters, now.advanced(by: switchDelay))
        }
    }

    /// Moves to the pending EKTKey's fresh end-to-end key once it is due.
    public func tick(now: ContinuousClock.Instant) throws(SRTPError) {
        guard let pending, now >= pending.due, let sender else { return }
        self.pending = nil
        try sender.rekey(inner: try freshInnerKey(pending.parameters), ektParameters: pending.parameters)
        rekeys += 1
    }

    private func freshInnerKey(_ parameters: EKTParameterSet) throws(SRTPError) -> SRTPMasterKey {
        guard let salt = parameters.salt(length: profile.halfSaltLength) else {
            throw .invalidParameter("EKTKey salt shorter than \(profile.halfSaltLength) bytes")
        }
        var rng = SystemRandomNumberGenerator()
        return SRTPMasterKey(key: (0..<profile.halfKeyLength).map { _ in UInt8.random(in: 0...255, using: &rng) },
                             salt: salt)
    }
}
