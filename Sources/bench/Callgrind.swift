import ArgumentParser
import Foundation

/// `bench flow --callgrind`: the gateway under valgrind's callgrind, its
/// counters zeroed when the measured window opens and dumped when it closes,
/// so the instructions counted are the window's alone (start-up and warm-up
/// left out). Instruction counts do not move with the machine's noise as CPU
/// time does, which makes them the figure to compare before and after a change.
enum Callgrind {
    static let valgrind = "/usr/bin/valgrind"
    static let control = "/usr/bin/callgrind_control"

    /// The command the gateway starts under; dumps go to `directory`.
    static func wrapper(directory: String) -> [String] {
        [Self.valgrind, "--tool=callgrind", "--callgrind-out-file=\(directory)/callgrind.%p.out"]
    }

    /// Sets the running gateway's counters to zero.
    static func zero(pid: Int32) async throws {
        try await Self.command("-z", pid: pid)
    }

    /// Dumps the counters and returns the instructions counted since `zero`;
    /// the dump is copied to `keep` if given.
    static func dump(pid: Int32, directory: String, keep: String?) async throws -> Int {
        try await Self.command("-d", pid: pid)
        // callgrind_control returns once valgrind has the request; the dump follows.
        let file = "\(directory)/callgrind.\(pid).out.1"
        for _ in 0..<100 {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let total = Self.summary(of: text) {
                if let keep {
                    try? FileManager.default.removeItem(atPath: keep)
                    try FileManager.default.copyItem(atPath: file, toPath: keep)
                }
                return total
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("callgrind wrote no dump to \(file)")
    }

    /// The `summary:` line of a callgrind dump whose only event is `Ir`.
    static func summary(of dump: String) -> Int? {
        guard dump.split(separator: "\n").contains("events: Ir") else { return nil }
        for line in dump.split(separator: "\n") where line.hasPrefix("summary: ") {
            return Int(line.dropFirst("summary: ".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    private static func command(_ flag: String, pid: Int32) async throws {
        let (status, output) = try await runToExit(Self.control, arguments: [flag, String(pid)])
        guard status == 0 else {
            throw ValidationError("callgrind_control \(flag) \(pid) failed (exit \(status)): \(output)")
        }
    }
}
