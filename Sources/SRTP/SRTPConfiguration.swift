// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Options of an SRTP sender or receiver beyond the profile and master key.
public struct SRTPConfiguration: Sendable {
    /// Replay window size for SRTP and SRTCP (64...32768). Default 1024.
    public var replayWindowSize: Int = 1024
    /// The ROC a new SSRC starts with: the sender's first ROC, or the receiver's ROC for the
    /// first packet it accepts from that SSRC. Default 0.
    public var initialROC: UInt32 = 0
    /// The sender's first SRTCP index for a new SSRC. Default 0.
    public var initialSRTCPIndex: UInt32 = 0
    /// Whether the sender encrypts SRTCP (E=1). `nil`: the profile's default (E=0 only for NULL).
    public var encryptSRTCP: Bool? = nil
    /// The MKI carried by every packet, or nil for none (the default, as in WebRTC).
    public var mki: [UInt8]? = nil
    /// The crypto backend of the keys. Default: the process-wide default.
    public var backend: CryptoBackend = .default

    public init() {}

    func validated() throws(SRTPError) -> SRTPConfiguration {
        guard ReplayWindow.sizeRange.contains(replayWindowSize) else {
            throw .invalidParameter("replay window must be 64...32768, got \(replayWindowSize)")
        }
        guard initialSRTCPIndex <= 0x7FFF_FFFF else {
            throw .invalidParameter("SRTCP index must be below 2^31, got \(initialSRTCPIndex)")
        }
        if let mki, mki.isEmpty || mki.count > 255 {
            throw .invalidParameter("MKI must be 1...255 bytes")
        }
        return self
    }
}
