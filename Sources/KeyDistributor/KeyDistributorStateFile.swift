// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import SRTP
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a Key Distributor keeps its ``KeyDistributorState``: the file `kmf-state` in a
/// directory of its own.
///
/// The file holds the conferences' EKTKeys, so it is created with mode 0600 (and the
/// directory, when this makes it, 0700). A save is atomic: the state goes to a fresh
/// temporary file in the same directory, which is flushed (`fsync`) and renamed over
/// `kmf-state`, and the directory is flushed; a crash leaves the old state or the new one,
/// never a mix. The encoded bytes live in ``SecretBytes`` and are zeroed after each save and
/// load. Saves block the caller for the write and the two flushes. One Key Distributor per
/// directory: two would overwrite each other's state.
public final class KeyDistributorStateFile: Sendable {
    /// The directory.
    public let directory: String
    /// The state file's path.
    public var path: String { directory + "/kmf-state" }
    private var temporaryPath: String { directory + "/kmf-state.tmp" }

    /// Uses `directory`, making it (mode 0700) when it does not exist.
    /// - Throws: ``KeyDistributorStateError/io(_:)`` when it cannot be made or is not a directory.
    public init(directory: String) throws(KeyDistributorStateError) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        if mkdir(self.directory, 0o700) != 0 && errno != EEXIST { throw Self.failure("mkdir \(directory)") }
        var info = stat()
        guard stat(self.directory, &info) == 0 else { throw Self.failure("stat \(directory)") }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .io("\(directory) is not a directory") }
    }

    /// The saved state, or nil when nothing was saved yet.
    /// - Throws: ``KeyDistributorStateError/malformed(_:)`` when the file does not decode,
    ///   ``KeyDistributorStateError/io(_:)`` when it cannot be read.
    public func load() throws(KeyDistributorStateError) -> KeyDistributorState? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Self.failure("open \(path)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.failure("fstat \(path)") }
        let size = Int(info.st_size)
        guard size <= 64 << 20 else { throw .malformed("\(size) bytes is larger than any state") }
        let contents = try SecretBytes(count: size) { buffer throws(KeyDistributorStateError) in
            var offset = 0
            while offset < size {
                let count = read(fd, buffer.baseAddress! + offset, size - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw Self.failure("read \(path)") }
                offset += count
            }
        }
        return try contents.withUnsafeBytes { bytes throws(KeyDistributorStateError) in
            try KeyDistributorState(decoding: bytes)
        }
    }

    /// Replaces the saved state with `state` (atomically; see the type's description).
    /// - Throws: ``KeyDistributorStateError/io(_:)``; the old state is then left as it was.
    public func save(_ state: KeyDistributorState) throws(KeyDistributorStateError) {
        let encoded = state.encoded()
        unlink(temporaryPath)
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("open \(temporaryPath)") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do throws(KeyDistributorStateError) {
            guard fchmod(fd, 0o600) == 0 else { throw Self.failure("fchmod \(temporaryPath)") }
            try encoded.withUnsafeBytes { bytes throws(KeyDistributorStateError) in
                var offset = 0
                while offset < bytes.count {
                    let count = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { throw Self.failure("write \(temporaryPath)") }
                    offset += count
                }
            }
            guard fsync(fd) == 0 else { throw Self.failure("fsync \(temporaryPath)") }
            closed = true
            guard close(fd) == 0 else { throw Self.failure("close \(temporaryPath)") }
            guard rename(temporaryPath, path) == 0 else { throw Self.failure("rename to \(path)") }
        } catch {
            unlink(temporaryPath)
            throw error
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static func failure(_ operation: String) -> KeyDistributorStateError {
        .io("\(operation): \(String(cString: strerror(errno)))")
    }
}
