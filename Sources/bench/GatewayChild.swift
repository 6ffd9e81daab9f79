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
    /// The webhook listener's port (found through `/proc`, as `GATEWAY_PORT=0` picks one).
    private(set) var port = 0
    /// The admin listener's port (`ADMIN_PORT`), where `/ready` and `/metrics` are.
    let adminPort: Int
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
        self.adminPort = environment["ADMIN_PORT"].flatMap(Int.init) ?? 9090
        self.process.standardOutput = log
        self.process.standardError = log
        self.process.standardInput = FileHandle.nullDevice
    }

    /// Spawns the process, finds its port and polls `/ready` until it answers 200.
    func start(timeout: Duration) async throws {
        let client = try HTTPClient(configuration: .init(connectTimeout: .seconds(1), timeout: .seconds(2)))
        do {
            try await self.start(timeout: timeout, client: client)
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func start(timeout: Duration, client: HTTPClient) async throws {
        let clock = ContinuousClock()
        let spawned = clock.now
        try self.process.run()
        let deadline = spawned + timeout
        while self.port == 0 {
            try self.checkAlive()
            guard clock.now < deadline else { throw self.failure("did not listen within \(timeout)") }
            if let port = ProcessStats.listeningPorts(pid: self.pid).first(where: { $0 != self.adminPort }) {
                self.port = port
            } else {
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        let ready = HTTPRequest(url: "http://127.0.0.1:\(self.adminPort)/ready")
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
    func metric(_ name: String) async -> Double? {
        guard let client = try? HTTPClient(configuration: .init(connectTimeout: .seconds(1), timeout: .seconds(5))) else {
            return nil
        }
        let response = try? await client.execute(HTTPRequest(url: "http://127.0.0.1:\(self.adminPort)/metrics"))
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

    /// A port free on 127.0.0.1 now, for the admin listener: the bench must
    /// know which of the child's two listening ports is which.
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ValidationError("no socket for a free port: errno \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw ValidationError("no free port on 127.0.0.1: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
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
