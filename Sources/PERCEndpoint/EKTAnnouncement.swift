// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// Under which EKTKey (SPI) and epoch an endpoint announces its end-to-end key in its
/// FullEKTFields. Receivers take a new key for an SSRC under the same SPI only at a greater
/// epoch (RFC 8870 4.3.2), so an endpoint that joins again with a fresh key continues from here.
public struct EKTAnnouncement: Sendable, Equatable {
    public let spi: UInt16
    public let epoch: UInt16

    public init(spi: UInt16, epoch: UInt16) {
        self.spi = spi
        self.epoch = epoch
    }
}
