// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import SRTP

/// Loads the vector files copied into `Tests/Fixtures` (they came from the project's shared
/// spec folder; the tests do not read anything outside the package).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The parsed JSON object of `name` (for example "rfc7714-srtp-gcm128.json").
    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError.notAnObject(name)
        }
        return object
    }

    enum FixtureError: Error { case notAnObject(String), missing(String) }
}

extension Dictionary where Key == String, Value == Any {
    /// The hex field `key` decoded; throws when missing or not hex.
    func bytes(_ key: String) throws -> [UInt8] {
        guard let text = self[key] as? String, let bytes = Hex.decode(text) else {
            throw Fixtures.FixtureError.missing(key)
        }
        return bytes
    }

    func string(_ key: String) throws -> String {
        guard let text = self[key] as? String else { throw Fixtures.FixtureError.missing(key) }
        return text
    }

    func int(_ key: String) throws -> Int {
        guard let value = self[key] as? Int else { throw Fixtures.FixtureError.missing(key) }
        return value
    }

    func objects(_ key: String) throws -> [[String: Any]] {
        guard let value = self[key] as? [[String: Any]] else { throw Fixtures.FixtureError.missing(key) }
        return value
    }

    func object(_ key: String) throws -> [String: Any] {
        guard let value = self[key] as? [String: Any] else { throw Fixtures.FixtureError.missing(key) }
        return value
    }
}
