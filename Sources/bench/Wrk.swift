import ArgumentParser
import Foundation

/// Runs `wrk` against one URL with a Lua script and reads the one
/// machine-readable line that ``doneFunction`` prints.
struct Wrk {
    var path: String
    var threads: Int
    var connections: Int
    var seconds: Int

    struct Result {
        var requests: Int
        var requestsPerSecond: Double
        var p50Milliseconds: Double
        var p90Milliseconds: Double
        var p99Milliseconds: Double
        var maxMilliseconds: Double
        var non2xx: Int
        var socketErrors: Int
    }

    /// The `done` callback every script ends with: one `RESULT` line, latencies in microseconds.
    static let doneFunction = """
        done = function(summary, latency, requests)
          io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d\\n",
            summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
            latency:percentile(99), latency.max, summary.errors.status,
            summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
        end
        """

    func checkInstalled() throws {
        guard FileManager.default.isExecutableFile(atPath: self.path) else {
            throw ValidationError("wrk not found at \(self.path); install it (apt-get install wrk) or run through scripts/bench.sh")
        }
    }

    func run(url: String, script: String) async throws -> Result {
        // wrk prints a few lines, far below a pipe's buffer.
        let (status, text) = try await runToExit(
            self.path,
            arguments: ["-t\(self.threads)", "-c\(self.connections)", "-d\(self.seconds)s", "-s", script, url]
        )
        guard status == 0,
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("RESULT ") }),
            case let numbers = line.split(separator: " ").dropFirst().compactMap({ Int($0) }),
            numbers.count == 9
        else {
            throw ValidationError("wrk failed (exit \(status)):\n\(text)")
        }
        return Result(
            requests: numbers[0],
            requestsPerSecond: Double(numbers[0]) / (Double(numbers[1]) / 1e6),
            p50Milliseconds: Double(numbers[2]) / 1000,
            p90Milliseconds: Double(numbers[3]) / 1000,
            p99Milliseconds: Double(numbers[4]) / 1000,
            maxMilliseconds: Double(numbers[5]) / 1000,
            non2xx: numbers[6],
            socketErrors: numbers[7] + numbers[8]
        )
    }
}
