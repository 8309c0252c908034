// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import Foundation
import PERC
import SRTP

/// `--profile`, `--key`, `--salt` and `--inline`: one direction's master key and salt.
struct KeyingOptions: ParsableArguments {
    @Option(help: "Protection profile: aes128-cm-sha1-80, aes128-cm-sha1-32, aes256-cm-sha1-80, aes256-cm-sha1-32, aes128-gcm, aes256-gcm, null-sha1-80, null-sha1-32, double-aes128-gcm, double-aes256-gcm (or the RFC name).")
    var profile: String

    @Option(help: "Master key, hex.")
    var key: String?

    @Option(help: "Master salt, hex.")
    var salt: String?

    @Option(name: .customLong("inline"), help: "SDES inline key-params (RFC 4568): base64 of key then salt; replaces --key and --salt.")
    var inlineKey: String?

    /// The profile named by `--profile`.
    func resolvedProfile() throws -> ProfileChoice {
        if let single = ProtectionProfile(name: profile) { return .single(single) }
        if let double = DoubleProfile(name: profile) { return .double(double) }
        throw ToolError("unknown profile '\(profile)'")
    }

    /// The profile and this direction's master key and salt, lengths checked.
    func resolved() throws -> (profile: ProfileChoice, key: [UInt8], salt: [UInt8]) {
        let choice = try resolvedProfile()
        let (key, salt) = try masterKeyAndSalt(keyLength: choice.masterKeyLength, saltLength: choice.masterSaltLength)
        return (choice, key, salt)
    }

    /// The master key and salt, checked against the lengths the profile needs.
    func masterKeyAndSalt(keyLength: Int, saltLength: Int) throws -> (key: [UInt8], salt: [UInt8]) {
        if let inlineKey {
            guard key == nil, salt == nil else { throw ToolError("--inline replaces --key and --salt; give one or the other") }
            let text = inlineKey.hasPrefix("inline:") ? String(inlineKey.dropFirst(7)) : inlineKey
            let keyParams = text.split(separator: "|", maxSplits: 1).first.map(String.init) ?? text
            guard let data = Data(base64Encoded: keyParams) else { throw ToolError("--inline is not valid base64") }
            guard data.count == keyLength + saltLength else {
                throw ToolError("--inline must hold \(keyLength + saltLength) bytes (key \(keyLength) + salt \(saltLength)), got \(data.count)")
            }
            return (Array(data.prefix(keyLength)), Array(data.suffix(saltLength)))
        }
        guard let key else { throw ToolError("missing --key (or --inline)") }
        guard let salt else { throw ToolError("missing --salt (or --inline)") }
        return (try hexOption("--key", key, length: keyLength), try hexOption("--salt", salt, length: saltLength))
    }
}

/// Decodes a hex option value of an exact length.
func hexOption(_ name: String, _ value: String, length: Int) throws -> [UInt8] {
    guard let bytes = Hex.decode(value) else { throw ToolError("\(name) is not valid hex") }
    guard bytes.count == length else { throw ToolError("\(name) must be \(length) bytes, got \(bytes.count)") }
    return bytes
}

/// Parses an unsigned integer option (decimal or 0x-hex) within `range`.
func integerOption(_ name: String, _ value: String?, default defaultValue: UInt64, range: ClosedRange<UInt64>) throws -> UInt64 {
    guard let value else { return defaultValue }
    let parsed: UInt64? = value.lowercased().hasPrefix("0x") ? UInt64(value.dropFirst(2), radix: 16) : UInt64(value)
    guard let parsed, range.contains(parsed) else {
        throw ToolError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(value)'")
    }
    return parsed
}

/// A single (RFC 3711/6188/7714) or double (RFC 8723) profile.
enum ProfileChoice {
    case single(ProtectionProfile)
    case double(DoubleProfile)

    var masterKeyLength: Int {
        switch self {
        case .single(let p): return p.masterKeyLength
        case .double(let p): return p.masterKeyLength
        }
    }

    var masterSaltLength: Int {
        switch self {
        case .single(let p): return p.masterSaltLength
        case .double(let p): return p.masterSaltLength
        }
    }
}
