// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import SRTP

/// Shared by the test targets. Loads the vector files copied into `Tests/Fixtures` (they came from the project's shared
/// spec folder; the tests do not read anything outside the package).
public enum Fixtures {
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The parsed JSON object of `name` (for example "rfc7714-srtp-gcm128.json").
    public static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError.notAnObject(name)
        }
        return object
    }

    public enum FixtureError: Error { case notAnObject(String), missing(String) }
}

extension Dictionary where Key == String, Value == Any {
    /// The hex field `key` decoded; throws when missing or not hex.
    public func bytes(_ key: String) throws -> [UInt8] {
        guard let text = self[key] as? String, let bytes = Hex.decode(text) else {
            throw Fixtures.FixtureError.missing(key)
        }
        return bytes
    }

    public func string(_ key: String) throws -> String {
        guard let text = self[key] as? String else { throw Fixtures.FixtureError.missing(key) }
        return text
    }

    public func int(_ key: String) throws -> Int {
        guard let value = self[key] as? Int else { throw Fixtures.FixtureError.missing(key) }
        return value
    }

    public func objects(_ key: String) throws -> [[String: Any]] {
        guard let value = self[key] as? [[String: Any]] else { throw Fixtures.FixtureError.missing(key) }
        return value
    }

    public func object(_ key: String) throws -> [String: Any] {
        guard let value = self[key] as? [String: Any] else { throw Fixtures.FixtureError.missing(key) }
        return value
    }
}
