import ArgumentParser
import CurlHTTP
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The release `bot-gateway serve` as a child process, configured by
/// environment variables only, so its CPU time and peak memory can be read
/// from `/proc/<pid>` while the benchmark drives it.
final class GatewayChild {
    let process = Process()
    let logFile: String
    /// The port it listens on (found through `/proc`, as `GATEWAY_PORT=0` picks one).
    private(set) var port = 0
    /// From spawning the process to `/ready` answering 200.
    private(set) var startupToReady: Duration = .zero
    /// Resident set when `/ready` first answered 200.
    private(set) var residentAtReady = 0

    var pid: Int32 { self.process.processIdentifier }

    /// Starts `executable serve` (optionally behind `wrapper`, such as valgrind) with exactly `environment`.
    init(executable: String, wrapper: [String], environment: [String: String], logFile: String) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ValidationError("no gateway executable at \(executable); build it (swift build -c release) or pass --gateway")
        }
        self.logFile = logFile
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        if let tool = wrapper.first {
            self.process.executableURL = URL(fileURLWithPath: tool)
            self.process.arguments = Array(wrapper.dropFirst()) + [executable, "serve"]
        } else {
            self.process.executableURL = URL(fileURLWithPath: executable)
            self.process.arguments = ["serve"]
        }
        self.process.environment = environment
        self.process.standardOutput = log
        self.process.standardError = log
        self.process.standardInput = FileHandle.nullDevice
    }

    /// Spawns the process, finds its port and polls `/ready` until it answers 200.
    func start(tls: Bool, timeout: Duration) async throws {
        let client = try HTTPClient(configuration: .init(
            connectTimeout: .seconds(1), timeout: .seconds(2), tls: .init(verifiesPeer: false)))
        do {
            try await self.start(tls: tls, timeout: timeout, client: client)
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func start(tls: Bool, timeout: Duration, client: HTTPClient) async throws {
        let clock = ContinuousClock()
        let spawned = clock.now
        try self.process.run()
        let deadline = spawned + timeout
        while self.port == 0 {
            try self.checkAlive()
            guard clock.now < deadline else { throw self.failure("did not listen within \(timeout)") }
            if let port = ProcessStats.listeningPorts(pid: self.pid).first {
                self.port = port
            } else {
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        let ready = HTTPRequest(url: "\(tls ? "https" : "http")://127.0.0.1:\(self.port)/ready")
        while true {
            try self.checkAlive()
            guard clock.now < deadline else { throw self.failure("/ready did not answer 200 within \(timeout)") }
            if let response = try? await client.execute(ready), response.status == 200 {
                self.startupToReady = clock.now - spawned
                self.residentAtReady = ProcessStats.memoryBytes(pid: self.pid, field: "VmRSS") ?? 0
                return
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// A counter the gateway exports at `/metrics`, e.g.
    /// `gateway_redis_round_trips_total`; nil when it cannot be read.
    func metric(_ name: String, tls: Bool) async -> Double? {
        guard let client = try? HTTPClient(configuration: .init(connectTimeout: .seconds(1), timeout: .seconds(5), tls: .init(verifiesPeer: false))) else {
            return nil
        }
        let response = try? await client.execute(HTTPRequest(url: "\(tls ? "https" : "http")://127.0.0.1:\(self.port)/metrics"))
        await client.shutdown()
        guard let response, response.status == 200 else { return nil }
        for line in String(decoding: response.body, as: UTF8.self).split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    /// CPU seconds (user + system) used so far.
    var cpuSeconds: Double {
        ProcessStats.cpuSeconds(pid: self.pid) ?? 0
    }

    /// Peak resident set so far (`VmHWM`).
    var peakResidentBytes: Int {
        ProcessStats.memoryBytes(pid: self.pid, field: "VmHWM") ?? 0
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`.
    /// - Returns: The exit status, nil if it had to be killed.
    @discardableResult
    func stop(grace: Duration = .seconds(30)) async -> Int32? {
        guard self.process.isRunning else { return self.process.terminationStatus }
        kill(self.pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while self.process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard self.process.isRunning else { return self.process.terminationStatus }
        kill(self.pid, SIGKILL)
        while self.process.isRunning {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// The last lines the gateway printed, for error messages.
    func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: self.logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private func checkAlive() throws {
        if !self.process.isRunning {
            throw self.failure("exited with status \(self.process.terminationStatus)")
        }
    }

    private func failure(_ what: String) -> ValidationError {
        ValidationError("bot-gateway serve \(what); its output (\(self.logFile)):\n\(self.logTail())")
    }
}
