// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 the swift-perc authors

import ArgumentParser
import Foundation

/// Runs an async command the way every swift-perc binary reports errors: a line starting with
/// `error:` on standard error and exit code 1 (instead of swift-argument-parser's `Error:`
/// and 64); `--help` and `--version` behave as usual.
public enum CommandRunner {
    public static func main<Command: AsyncParsableCommand>(_ command: Command.Type) async {
        do {
            var parsed = try Command.parseAsRoot()
            if var asyncCommand = parsed as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try parsed.run()
            }
        } catch {
            if Command.exitCode(for: error) == .success { Command.exit(withError: error) }
            let message = Command.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            Foundation.exit(1)
        }
    }
}
