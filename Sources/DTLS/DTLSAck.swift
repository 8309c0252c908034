// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

/// The DTLS 1.3 ACK record body (RFC 9147 7): a list of record numbers, each a uint64 epoch and
/// a uint64 sequence number. RFC 8870 5.2 uses it over DTLS 1.2 to acknowledge EKTKey.
struct DTLSAck {
    var recordNumbers: [RecordNumber]

    init(recordNumbers: [RecordNumber]) { self.recordNumbers = recordNumbers }

    init(parsing body: ArraySlice<UInt8>) throws {
        var reader = ByteReader(body)
        let list = try reader.readVector(lengthWidth: 2)
        try reader.expectEnd()
        guard list.count % 16 == 0 else { throw ByteReader.DecodeError() }
        var listReader = ByteReader(list)
        recordNumbers = []
        while !listReader.isAtEnd {
            recordNumbers.append(RecordNumber(epoch: try listReader.readUInt64(), sequence: try listReader.readUInt64()))
        }
    }

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.appendVector(lengthWidth: 2) { list in
            for number in recordNumbers {
                list.appendInteger(number.epoch, width: 8)
                list.appendInteger(number.sequence, width: 8)
            }
        }
        return writer.bytes
    }
}
