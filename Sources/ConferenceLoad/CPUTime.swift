// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time read from Linux's `/proc`: of a whole process (`/proc/PID/stat`, user + system,
/// in clock ticks), of the threads of this process whose names start with a prefix
/// (`/proc/self/task/TID/schedstat`, nanoseconds on the CPU), and of the calling thread
/// (`CLOCK_THREAD_CPUTIME_ID`). Nil where the file is missing (not Linux, the process ended).
public enum CPUTime {
    /// User + system CPU seconds of process `pid` so far.
    public static func process(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Seconds the threads of this process named `prefix...` have run (threads that ended
    /// no longer count: sample before stopping them).
    public static func threads(named prefix: String) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var total = 0.0
        for task in tasks {
            guard let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                  name.hasPrefix(prefix)
            else { continue }
            if let text = try? String(contentsOfFile: "/proc/self/task/\(task)/schedstat", encoding: .utf8),
               let first = text.split(separator: " ").first, let nanoseconds = Double(first) {
                total += nanoseconds / 1e9
            }
        }
        return total
    }

    /// CPU seconds of this whole process (every thread) so far.
    public static var currentProcess: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Nanoseconds the calling thread has run.
    public static var currentThreadNanoseconds: UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// The process named `name` (`/proc/PID/comm`) other than this one: the only one, or,
    /// when several run, the only one holding a socket bound to local `port` (UDP or TCP).
    public static func processID(named name: String, port: UInt16? = nil, udp: Bool = true) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let mine = getpid()
        var found: [Int32] = []
        for entry in entries {
            guard let pid = Int32(entry), pid != mine,
                  let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == name
            else { continue }
            found.append(pid)
        }
        if found.count == 1 { return found[0] }
        guard let port, found.count > 1 else { return nil }
        let inodes = socketInodes(port: port, udp: udp)
        let owners = found.filter { pid in
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            return descriptors.contains { descriptor in
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)"),
                      target.hasPrefix("socket:["), target.hasSuffix("]")
                else { return false }
                return inodes.contains(String(target.dropFirst(8).dropLast()))
            }
        }
        return owners.count == 1 ? owners[0] : nil
    }

    /// Inodes of the sockets bound to local `port` (`/proc/net/udp[6]` or `/proc/net/tcp[6]`).
    static func socketInodes(port: UInt16, udp: Bool) -> Set<String> {
        var inodes = Set<String>()
        let hexPort = String(format: "%04X", port)
        for table in udp ? ["udp", "udp6"] : ["tcp", "tcp6"] {
            guard let text = try? String(contentsOfFile: "/proc/net/\(table)", encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
                guard fields.count > 9, fields[1].hasSuffix(":" + hexPort) else { continue }
                inodes.insert(String(fields[9]))
            }
        }
        return inodes
    }
}
