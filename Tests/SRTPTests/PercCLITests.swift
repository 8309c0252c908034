// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
import SRTP
import TestSupport
import Testing

/// The `perc` tool as issue 2 defines it (`perc protect|unprotect --profile --key --salt
/// [--inline] [--roc] [--rtcp] [--srtcp-index] [--replay-window] [--batch] [PACKET_HEX]`):
/// outputs against the vector files, `error:` lines that leave the session as it was,
/// argument errors (exit 1, `error:` on stderr, before any input is read), RFC alias names,
/// `--inline`, `--roc`, `--srtcp-index`, and E=0 SRTCP for the NULL profiles.
///
/// Runs the `perc` built next to the test bundle (`swift build --build-tests` builds it).
@Suite struct PercCLITests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
        var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    /// The `perc` executable: beside the test bundle, else under `.build/debug`.
    static let executable: URL? = {
        var candidates: [URL] = []
        if let bundle = Bundle.main.executableURL { candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("perc")) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("perc"))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/perc"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Runs `perc` with `arguments` and `input` on standard input (files, not pipes, so large
    /// batches cannot deadlock).
    static func perc(_ arguments: [String], input: String = "") throws -> Run {
        let executable = try #require(Self.executable, "perc not found next to the tests; run swift build --build-tests")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("perc-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inURL = directory.appendingPathComponent("in"), outURL = directory.appendingPathComponent("out")
        let errURL = directory.appendingPathComponent("err")
        try Data(input.utf8).write(to: inURL)
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
                   stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    static let cmKey = "e1f97a0d3e018be0d64fa32c06de4139", cmSalt = "0ec675ad498afeebb6960b3aabe6"
    static let gcmKey = "000102030405060708090a0b0c0d0e0f", gcmSalt = "a0a1a2a3a4a5a6a7a8a9aaab"
    static let rtp = "800f1234decafbadcafebabeabababababababababababababababab"
    static let rtcp = "81c8000bcafebabeabababababababababababababababab"

    static func vector(_ file: String, _ name: String) throws -> [String: Any] {
        try #require(try Fixtures.json(file).objects("vectors").first { ($0["name"] as? String) == name })
    }

    static func keying(_ profile: String, gcm: Bool = false) -> [String] {
        ["--profile", profile, "--key", gcm ? gcmKey : cmKey, "--salt", gcm ? gcmSalt : cmSalt]
    }

    // MARK: outputs against vectors

    @Test func singleShotMatchesLibSRTPVectors() throws {
        let srtp = try Self.vector("libsrtp-aescm128-hmac80.json", "srtp_validate/rtp")
        let run = try Self.perc(["protect"] + Self.keying("aes128-cm-sha1-80") + [Self.rtp])
        #expect(run.status == 0 && run.stderr.isEmpty)
        #expect(run.stdout == (try srtp.string("protected_packet")) + "\n")
        let back = try Self.perc(["unprotect"] + Self.keying("aes128-cm-sha1-80") + [try srtp.string("protected_packet")])
        #expect(back.status == 0 && back.stdout == Self.rtp + "\n")

        let gcm = try Self.vector("libsrtp-gcm128.json", "srtp_validate_gcm/rtp")
        #expect(try Self.perc(["protect"] + Self.keying("aes128-gcm", gcm: true) + [Self.rtp]).stdout
            == (try gcm.string("protected_packet")) + "\n")
        let aes256 = try Self.vector("libsrtp-aescm256-192-hmac80.json", "srtp_validate_aes_256")
        #expect(try Self.perc(["protect", "--profile", "aes256-cm-sha1-80", "--key", aes256.string("master_key"),
                               "--salt", aes256.string("master_salt"), Self.rtp]).stdout
            == (try aes256.string("protected_packet")) + "\n")
    }

    /// The packet may also come as one line on standard input; hex may be upper case.
    @Test func singleShotFromStandardInput() throws {
        let expected = try Self.vector("libsrtp-aescm128-hmac80.json", "srtp_validate/rtp").string("protected_packet")
        let run = try Self.perc(["protect"] + Self.keying("aes128-cm-sha1-80"), input: Self.rtp.uppercased() + "\n")
        #expect(run.status == 0 && run.stdout == expected + "\n")
    }

    @Test func srtcpWithIndexAndNullProfilesSendEZero() throws {
        let cm = try Self.vector("libsrtp-aescm128-hmac80.json", "srtp_validate/rtcp")
        let run = try Self.perc(["protect", "--rtcp", "--srtcp-index", "1"] + Self.keying("aes128-cm-sha1-80") + [Self.rtcp])
        #expect(run.stdout == (try cm.string("protected_packet")) + "\n")
        let null = try Self.vector("libsrtp-null-hmac80.json", "srtp_validate_null_sha1_80/rtcp")
        let nullRun = try Self.perc(["protect", "--rtcp", "--srtcp-index", "1"] + Self.keying("null-sha1-80") + [Self.rtcp])
        #expect(nullRun.stdout == (try null.string("protected_packet")) + "\n")
        // null-sha1-32: E=0 too, and the SRTCP tag stays 80 bits.
        let null32 = try Self.perc(["protect", "--rtcp", "--srtcp-index", "1"] + Self.keying("null-sha1-32") + [Self.rtcp]).stdout
        #expect(null32 == (try null.string("protected_packet")) + "\n")
        // The receiver follows the E flag it reads.
        let back = try Self.perc(["unprotect", "--rtcp"] + Self.keying("null-sha1-80") + [try null.string("protected_packet")])
        #expect(back.stdout == Self.rtcp + "\n")
        // --srtcp-index defaults to 0 and goes up by one per packet.
        let batch = try Self.perc(["protect", "--rtcp", "--batch"] + Self.keying("aes128-cm-sha1-80"),
                                  input: Self.rtcp + "\n" + Self.rtcp + "\n")
        #expect(batch.lines.map { $0.dropLast(20).suffix(8) } == ["80000000", "80000001"])
    }

    @Test func batchAcrossTheWrapWithErrorLines() throws {
        let file = "libsrtp2-crosscheck-rollover.json"
        let names = ["seq=fffe", "seq=ffff", "seq=0000", "seq=0001"]
        for (series, profile, gcm) in [("cm128ext", "aes128-cm-sha1-80", false), ("gcm128", "aes128-gcm", true)] {
            let vectors = try names.map { try Self.vector(file, "\(series)/\($0)") }
            let plain = try vectors.map { try $0.string("plaintext_packet") }
            let protected = try vectors.map { try $0.string("protected_packet") }
            // Malformed lines between the packets: odd hex, non-hex, version 1, CSRC past the
            // end, extension past the end, too short. Each gives one error line, no state change.
            let bad = ["800", "zz", "400f0000decafbadcafebabe", "8f0f0000decafbadcafebabe", "900f0000decafbadcafebabebede0009",
                       "800f00"]
            var input: [String] = [], expected: [String?] = []
            for i in 0..<4 {
                input.append(plain[i]); expected.append(protected[i])
                input.append(bad[i]); expected.append(nil)
            }
            input += bad[4...]; expected += [nil, nil]
            let run = try Self.perc(["protect", "--batch"] + Self.keying(profile, gcm: gcm), input: input.joined(separator: "\n") + "\n")
            #expect(run.status == 0 && run.stderr.isEmpty)
            #expect(run.lines.count == input.count)
            for (line, want) in zip(run.lines, expected) {
                if let want { #expect(line == want, "\(series)") } else { #expect(line.hasPrefix("error: "), "\(series)") }
            }
            // The receiver estimates the ROC across the wrap, and refuses a forged or replayed line.
            var forged = Array(protected[2])
            forged[forged.count - 1] = forged[forged.count - 1] == "0" ? "1" : "0"
            let receiverInput = [protected[0], protected[1], String(forged), protected[2], protected[2], "81c8", protected[3]]
            let back = try Self.perc(["unprotect", "--batch"] + Self.keying(profile, gcm: gcm),
                                     input: receiverInput.joined(separator: "\n") + "\n")
            #expect(back.status == 0)
            #expect(back.lines.count == 7)
            #expect(back.lines.count == 7 && back.lines[0] == plain[0] && back.lines[1] == plain[1] && back.lines[3] == plain[2]
                && back.lines[6] == plain[3])
            for i in [2, 4, 5] where back.lines.count == 7 { #expect(back.lines[i].hasPrefix("error: ")) }
        }
    }

    @Test func rocOption() throws {
        for series in ["cm128", "gcm128"] {
            let vector = try Self.vector("libsrtp2-crosscheck-rollover.json", "\(series)/roc=0x12345")
            let profile = series == "cm128" ? "aes128-cm-sha1-80" : "aes128-gcm"
            let expected = try vector.string("protected_packet")
            for roc in ["0x12345", "74565"] {
                #expect(try Self.perc(["protect", "--roc", roc] + Self.keying(profile, gcm: series == "gcm128") + [Self.rtp]).stdout
                    == expected + "\n")
            }
            #expect(try Self.perc(["unprotect"] + Self.keying(profile, gcm: series == "gcm128") + ["--roc", "74565", expected]).stdout
                == Self.rtp + "\n")
            let uninformed = try Self.perc(["unprotect"] + Self.keying(profile, gcm: series == "gcm128") + [expected])
            #expect(uninformed.status == 1 && uninformed.stdout.isEmpty && uninformed.stderr.hasPrefix("error: "))
        }
    }

    @Test func replayWindowOption() throws {
        // Protect SEQ 1000...1064, deliver 1064, then 1000 (H-64: too old with N=64), then 1001.
        let packets = (1000...1064).map { String(format: "800f%04xdecafbadcafebabeabababab", $0) }
        let protected = try Self.perc(["protect", "--batch"] + Self.keying("aes128-cm-sha1-32"),
                                      input: packets.joined(separator: "\n") + "\n").lines
        #expect(protected.count == 65)
        let input = [protected[64], protected[0], protected[1]].joined(separator: "\n") + "\n"
        let small = try Self.perc(["unprotect", "--batch", "--replay-window", "64"] + Self.keying("aes128-cm-sha1-32"), input: input)
        #expect(small.lines.count == 3 && small.lines[0] == packets[64] && small.lines[1].hasPrefix("error: ") && small.lines[2] == packets[1])
        let wide = try Self.perc(["unprotect", "--batch", "--replay-window", "65"] + Self.keying("aes128-cm-sha1-32"), input: input)
        #expect(wide.lines == [packets[64], packets[0], packets[1]])
        let byDefault = try Self.perc(["unprotect", "--batch"] + Self.keying("aes128-cm-sha1-32"), input: input)
        #expect(byDefault.lines == [packets[64], packets[0], packets[1]])
    }

    // MARK: names and keying

    /// The RFC 5764 / RFC 7714 profile names are aliases (case-insensitive) of the short names.
    @Test(arguments: [("aes128-cm-sha1-80", "SRTP_AES128_CM_HMAC_SHA1_80"), ("aes128-cm-sha1-32", "SRTP_AES128_CM_HMAC_SHA1_32"),
                      ("null-sha1-80", "SRTP_NULL_HMAC_SHA1_80"), ("null-sha1-32", "SRTP_NULL_HMAC_SHA1_32"),
                      ("aes128-gcm", "SRTP_AEAD_AES_128_GCM"), ("aes256-gcm", "SRTP_AEAD_AES_256_GCM"),
                      ("aes128-gcm", "srtp_aead_aes_128_gcm")])
    func rfcAliasNames(short: String, alias: String) throws {
        let profile = try #require(ProtectionProfile(name: short))
        let key = String(repeating: "a5", count: profile.masterKeyLength), salt = String(repeating: "5a", count: profile.masterSaltLength)
        let a = try Self.perc(["protect", "--profile", short, "--key", key, "--salt", salt, Self.rtp])
        let b = try Self.perc(["protect", "--profile", alias, "--key", key, "--salt", salt, Self.rtp])
        #expect(a.status == 0 && b.status == 0)
        #expect(a.stdout == b.stdout)
        #expect(a.stdout.count == 2 * (Self.rtp.count / 2 + profile.srtpTagLength) + 1)
    }

    @Test func inlineKeyParams() throws {
        let expected = try Self.vector("libsrtp-aescm128-hmac80.json", "srtp_validate/rtp").string("protected_packet")
        let base64 = Data(Hex.decode(Self.cmKey + Self.cmSalt)!).base64EncodedString()
        for value in [base64, "inline:" + base64, "inline:" + base64 + "|2^31"] {
            let run = try Self.perc(["protect", "--profile", "AES_CM_128_HMAC_SHA1_80", "--inline", value, Self.rtp])
            #expect(run.status == 0 && run.stdout == expected + "\n", "\(value)")
        }
        let gcm = try Self.vector("libsrtp-gcm128.json", "srtp_validate_gcm/rtp").string("protected_packet")
        let gcmInline = Data(Hex.decode(Self.gcmKey + Self.gcmSalt)!).base64EncodedString()
        #expect(try Self.perc(["protect", "--inline", gcmInline, "--profile", "aes128-gcm", Self.rtp]).stdout == gcm + "\n")
        // Wrong length for the profile (a 128-bit key and salt for AES-256), bad base64, or both forms.
        for arguments in [["--profile", "aes256-cm-sha1-80", "--inline", base64], ["--profile", "aes128-cm-sha1-80", "--inline", "***"],
                          ["--profile", "aes128-cm-sha1-80", "--inline", base64, "--key", Self.cmKey]] {
            let run = try Self.perc(["protect"] + arguments + [Self.rtp])
            #expect(run.status == 1 && run.stdout.isEmpty && run.stderr.hasPrefix("error: "), "\(arguments)")
        }
    }

    // MARK: errors

    /// Argument errors exit 1 with `error:` on stderr before reading any input, in batch mode too.
    @Test(arguments: [
        ["protect", "--profile", "aes128-cm-sha1-64", "--key", cmKey, "--salt", cmSalt],
        ["protect", "--profile", "AES_CM_128_HMAC_SHA1_64", "--key", cmKey, "--salt", cmSalt],
        ["protect", "--profile", "aes128-cm-sha1-80", "--key", cmKey + "00", "--salt", cmSalt],
        ["protect", "--profile", "aes128-cm-sha1-80", "--key", cmKey, "--salt", cmSalt + "00"],
        ["protect", "--profile", "aes128-gcm", "--key", cmKey, "--salt", cmSalt],
        ["protect", "--profile", "aes256-gcm", "--key", gcmKey, "--salt", gcmSalt],
        ["protect", "--profile", "aes128-cm-sha1-80", "--key", "zz" + cmKey.dropFirst(2), "--salt", cmSalt],
        ["protect", "--profile", "aes128-cm-sha1-80", "--key", String(cmKey.dropFirst()), "--salt", cmSalt],
        ["protect", "--profile", "aes128-cm-sha1-80", "--key", cmKey],
        ["protect", "--key", cmKey, "--salt", cmSalt],
        ["protect", "--profile", "aes128-cm-sha1-80", "--key", cmKey, "--salt", cmSalt, "--srtcp-index", "0x80000000"],
        ["protect", "--profile", "aes128-cm-sha1-80", "--key", cmKey, "--salt", cmSalt, "--roc", "4294967296"],
        ["protect", "--profile", "aes128-cm-sha1-80", "--key", cmKey, "--salt", cmSalt, "--replay-window", "128"],
        ["unprotect", "--profile", "aes128-cm-sha1-80", "--key", cmKey, "--salt", cmSalt, "--replay-window", "63"],
        ["unprotect", "--profile", "aes128-cm-sha1-80", "--key", cmKey, "--salt", cmSalt, "--replay-window", "32769"],
        ["unprotect", "--profile", "aes128-cm-sha1-80", "--key", cmKey, "--salt", cmSalt, "--replay-window", "abc"],
        ["unprotect", "--profile", "aes128-cm-sha1-80", "--key", cmKey, "--salt", cmSalt, "--srtcp-index", "1"],
        ["frobnicate", "--profile", "aes128-cm-sha1-80", "--key", cmKey, "--salt", cmSalt],
    ])
    func argumentErrors(arguments: [String]) throws {
        for batch in [false, true] {
            let run = try Self.perc(arguments + (batch ? ["--batch"] : []), input: Self.rtp + "\n" + Self.rtp + "\n")
            #expect(run.status == 1, "\(arguments)")
            #expect(run.stdout.isEmpty, "\(arguments)")
            #expect(run.stderr.hasPrefix("error: ") && run.stderr.hasSuffix("\n"), "\(arguments): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
        }
    }

    /// A bad packet in single-shot mode: exit 1, `error:` on stderr, nothing on stdout.
    @Test(arguments: [
        ("protect", "800f1234decafbadcafebabeab0"),          // odd-length hex
        ("protect", "800f1234decafbadcafebabeabxy"),         // non-hex
        ("protect", "400f1234decafbadcafebabeabab"),         // version 1
        ("protect", "820f1234decafbadcafebabe"),             // CSRC past the end
        ("protect", "900f1234decafbadcafebabebede0001"),     // extension past the end
        ("protect", "800f1234decafbad"),                     // shorter than a header
        ("unprotect", "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbc"),   // forged
        ("unprotect", "800f1234decafbad"),
    ])
    func packetErrorsInSingleShot(command: String, packet: String) throws {
        let run = try Self.perc([command] + Self.keying("aes128-cm-sha1-80") + [packet])
        #expect(run.status == 1 && run.stdout.isEmpty && run.stderr.hasPrefix("error: "), "\(packet): \(run.stderr)")
    }

    @Test func rtcpErrorsInBatch() throws {
        let good = try Self.vector("libsrtp-aescm128-hmac80.json", "srtp_validate/rtcp").string("protected_packet")
        let input = ["81c8000bcafeba", "41c8000bcafebabeabababab", Self.rtcp, "81c8000bcafebabe"]
        let run = try Self.perc(["protect", "--rtcp", "--batch", "--srtcp-index", "1"] + Self.keying("aes128-cm-sha1-80"),
                                input: input.joined(separator: "\n") + "\n")
        #expect(run.lines.count == 4)
        #expect(run.lines.count == 4 && run.lines[0].hasPrefix("error: ") && run.lines[1].hasPrefix("error: "))
        #expect(run.lines.count == 4 && run.lines[2] == good && run.lines[3].hasSuffix("80000002" + run.lines[3].suffix(20)))
        let back = try Self.perc(["unprotect", "--rtcp", "--batch"] + Self.keying("aes128-cm-sha1-80"),
                                 input: ["81c8000b", good, good, run.lines.last ?? ""].joined(separator: "\n") + "\n")
        #expect(back.lines.count == 4)
        #expect(back.lines.count == 4 && back.lines[0].hasPrefix("error: ") && back.lines[1] == Self.rtcp
            && back.lines[2].hasPrefix("error: ") && back.lines[3] == "81c8000bcafebabe")
    }

    /// One output line per input line, blank and whitespace lines included; exit 0 at the end.
    @Test func batchLinesAndWhitespace() throws {
        let expected = try Self.vector("libsrtp-aescm128-hmac80.json", "srtp_validate/rtp").string("protected_packet")
        let run = try Self.perc(["protect", "--batch"] + Self.keying("aes128-cm-sha1-80"),
                                input: "\n  " + Self.rtp + " \r\n\t\n")
        #expect(run.status == 0 && run.stderr.isEmpty)
        #expect(run.lines.count == 3)
        #expect(run.lines.count == 3 && run.lines[0].hasPrefix("error: ") && run.lines[1] == expected && run.lines[2].hasPrefix("error: "))
        let empty = try Self.perc(["protect", "--batch"] + Self.keying("aes128-cm-sha1-80"))
        #expect(empty.status == 0 && empty.stdout.isEmpty && empty.stderr.isEmpty)
    }

    // MARK: against libsrtp

    /// `perc protect --batch` and `perc unprotect --batch` against libsrtp2, per profile: the
    /// protected lines must equal libsrtp's packets, and the receiver, fed a reordered stream
    /// with replays, stale packets and garbage lines (window 128, libsrtp's default), must print
    /// the plaintext exactly where libsrtp accepts and `error:` exactly where it refuses.
    /// Half the profiles start at ROC 0xfffffffe (`--roc`, `srtp_set_stream_roc`) and wrap.
    @Test(arguments: ProtectionProfile.allCases)
    func batchAgreesWithLibSRTP(profile: ProtectionProfile) throws {
        let number = ProtectionProfile.allCases.firstIndex(of: profile)!
        var rng = SeededGenerator(seed: 0xC11 + UInt64(number))
        let roc: UInt32 = number % 2 == 0 ? 0 : 0xFFFF_FFFE
        let key = rng.bytes(profile.masterKeyLength), salt = rng.bytes(profile.masterSaltLength)
        let ssrc = UInt32.random(in: 0...UInt32.max, using: &rng)
        let keying = ["--profile", profile.name, "--key", Hex.encode(key), "--salt", Hex.encode(salt), "--roc", String(roc)]
        let theirSender = try LibSRTPPeer(profile: profile, masterKey: key, masterSalt: salt, ssrc: ssrc, roc: roc)
        let theirReceiver = try LibSRTPPeer(profile: profile, masterKey: key, masterSalt: salt, ssrc: ssrc, roc: roc, windowSize: 128)

        var plain: [[UInt8]] = []
        var sequenceNumber = UInt16(65_536 - 300)
        for _ in 0..<600 {
            plain.append(RandomPacket.rtp(sequenceNumber: sequenceNumber, ssrc: ssrc, using: &rng, maximumPayload: 300))
            sequenceNumber &+= UInt16.random(in: 1...2, using: &rng)
        }
        let protectRun = try Self.perc(["protect", "--batch"] + keying, input: plain.map { Hex.encode($0) + "\n" }.joined())
        #expect(protectRun.status == 0 && protectRun.stderr.isEmpty)
        let expected = plain.map { packet -> String in
            guard case .success(let bytes) = theirSender.protect(packet) else { return "libsrtp failed" }
            return Hex.encode(bytes)
        }
        #expect(protectRun.lines == expected)

        // Delivery: mostly the next packet, sometimes one from up to 300 back, or garbage.
        var lines: [String] = []
        var next = 0
        while next < expected.count {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...5:
                lines.append(expected[next]); next += 1
            case 6...7:
                lines.append(expected[max(0, next - 1 - Int.random(in: 0..<300, using: &rng))])
            case 8:
                var forged = Array(Hex.decode(expected[max(0, next - 1)])!)
                forged[Int.random(in: 0..<forged.count, using: &rng)] ^= 0x10
                lines.append(Hex.encode(forged))
            default:
                lines.append(["", "0", "zz", "80", "8000000000000000000000", String(expected[next].dropLast())]
                    .randomElement(using: &rng)!)
            }
        }
        let unprotectRun = try Self.perc(["unprotect", "--batch", "--replay-window", "128"] + keying,
                                         input: lines.map { $0 + "\n" }.joined())
        #expect(unprotectRun.status == 0 && unprotectRun.stderr.isEmpty)
        #expect(unprotectRun.lines.count == lines.count)
        var mismatches = 0, accepted = 0
        for (line, output) in zip(lines, unprotectRun.lines) {
            let theirs: Result<[UInt8], LibSRTPPeer.Status>
            if let bytes = Hex.decode(line), bytes.count >= 12 { theirs = theirReceiver.unprotect(bytes) } else { theirs = .failure(.other(-1)) }
            switch theirs {
            case .success(let bytes):
                accepted += 1
                if output != Hex.encode(bytes) { mismatches += 1 }
            case .failure:
                if !output.hasPrefix("error: ") { mismatches += 1 }
            }
        }
        #expect(mismatches == 0, "\(profile): \(mismatches) lines differ from libsrtp")
        #expect(accepted >= expected.count - 5)
    }

    /// The same for SRTCP: `perc protect --rtcp --srtcp-index 1` equals libsrtp's packets
    /// (E=0 for the NULL profiles), and `perc unprotect --rtcp` decides like libsrtp.
    @Test(arguments: ProtectionProfile.allCases)
    func rtcpBatchAgreesWithLibSRTP(profile: ProtectionProfile) throws {
        let number = ProtectionProfile.allCases.firstIndex(of: profile)!
        var rng = SeededGenerator(seed: 0xC12 + UInt64(number))
        let key = rng.bytes(profile.masterKeyLength), salt = rng.bytes(profile.masterSaltLength)
        let ssrc = UInt32.random(in: 0...UInt32.max, using: &rng)
        let keying = ["--profile", profile.name, "--key", Hex.encode(key), "--salt", Hex.encode(salt)]
        let theirSender = try LibSRTPPeer(profile: profile, masterKey: key, masterSalt: salt, ssrc: ssrc)
        let theirReceiver = try LibSRTPPeer(profile: profile, masterKey: key, masterSalt: salt, ssrc: ssrc)
        let plain = (0..<300).map { _ in RandomPacket.rtcp(ssrc: ssrc, using: &rng) }
        let protectRun = try Self.perc(["protect", "--rtcp", "--srtcp-index", "1", "--batch"] + keying,
                                       input: plain.map { Hex.encode($0) + "\n" }.joined())
        let expected = plain.map { packet -> String in
            guard case .success(let bytes) = theirSender.protectRTCP(packet) else { return "libsrtp failed" }
            return Hex.encode(bytes)
        }
        #expect(protectRun.status == 0 && protectRun.lines == expected)
        var lines: [String] = []
        var next = 0
        while next < expected.count {
            if Int.random(in: 0..<3, using: &rng) > 0 {
                lines.append(expected[next]); next += 1
            } else {
                lines.append(expected[max(0, next - 1 - Int.random(in: 0..<200, using: &rng))])
            }
        }
        lines += ["81c8", "41c80001" + String(repeating: "00", count: 30)]
        let unprotectRun = try Self.perc(["unprotect", "--rtcp", "--batch", "--replay-window", "128"] + keying,
                                         input: lines.map { $0 + "\n" }.joined())
        #expect(unprotectRun.status == 0 && unprotectRun.lines.count == lines.count)
        var mismatches = 0
        for (line, output) in zip(lines, unprotectRun.lines) {
            let bytes = Hex.decode(line)!
            switch bytes.count >= 8 ? theirReceiver.unprotectRTCP(bytes) : .failure(.other(-1)) {
            case .success(let plain): if output != Hex.encode(plain) { mismatches += 1 }
            case .failure: if !output.hasPrefix("error: ") { mismatches += 1 }
            }
        }
        #expect(mismatches == 0, "\(profile): \(mismatches) lines differ from libsrtp")
    }
}
