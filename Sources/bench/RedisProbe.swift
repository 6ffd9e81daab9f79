import Foundation
import Logging
import RedisClient
#if canImport(Glibc)
import Glibc
#endif

/// What the benchmark reads from Redis: `INFO commandstats` and `INFO cpu`
/// snapshots, and a `MONITOR` sample that tells the commands the gateway
/// sends (round trips) from those its Lua scripts run inside Redis.
struct RedisProbe {
    /// One client per server: the one server, or every node of a cluster.
    let nodes: [(name: String, client: RedisClient)]
    /// The server MONITOR reads (the first node).
    let url: String

    struct Snapshot {
        /// Calls per command, scripts' inner commands included, summed over the servers.
        var calls: [String: Int]
        /// used_cpu_user + used_cpu_sys (main thread and all), summed over the servers.
        var cpuSeconds: Double
        /// The same per server, by name (host:port).
        var cpuByServer: [String: Double] = [:]

        /// All calls but the probe's own `INFO`.
        var totalCalls: Int {
            self.calls.filter { $0.key != "info" }.values.reduce(0, +)
        }
    }

    func snapshot() async throws -> Snapshot {
        var total = Snapshot(calls: [:], cpuSeconds: 0)
        for node in self.nodes {
            let one = try await Self.snapshot(of: node.client)
            total.calls.merge(one.calls, uniquingKeysWith: +)
            total.cpuSeconds += one.cpuSeconds
            total.cpuByServer[node.name] = one.cpuSeconds
        }
        return total
    }

    private static func snapshot(of client: RedisClient) async throws -> Snapshot {
        let stats = try await client.send(["INFO", "commandstats"]).string ?? ""
        var calls: [String: Int] = [:]
        for line in stats.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            // cmdstat_get:calls=1,usec=…
            let parts = line.dropFirst(8).split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let field = parts[1].split(separator: ",").first, field.hasPrefix("calls="),
                let count = Int(field.dropFirst(6))
            else { continue }
            calls[String(parts[0])] = count
        }
        let cpu = try await client.send(["INFO", "cpu"]).string ?? ""
        var seconds = 0.0
        for line in cpu.split(whereSeparator: \.isNewline) where line.hasPrefix("used_cpu_user:") || line.hasPrefix("used_cpu_sys:") {
            seconds += Double(line.split(separator: ":").last ?? "") ?? 0
        }
        return Snapshot(calls: calls, cpuSeconds: seconds)
    }

    /// Reads `MONITOR` for `duration` on a connection of its own, on a thread
    /// of its own (the reads block), and returns what it saw.
    /// `redis-cli monitor` would do, but a child of this process inherits a
    /// signal mask with SIGTERM blocked, so it could not be stopped cleanly.
    func monitor(for duration: Duration) async throws -> MonitorSample {
        let configuration = try RedisConfiguration(url: self.url)
        let host = configuration.host
        let port = configuration.port
        let password = configuration.password
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let text: String = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try Self.readMonitor(host: host, port: port, password: password, seconds: seconds) })
            }
            thread.start()
        }
        return MonitorSample(text)
    }

    private static func readMonitor(host: String, port: Int, password: String?, seconds: Double) throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RedisProbeError("socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw RedisProbeError("MONITOR needs an IPv4 address in REDIS_URL, got \(host)")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RedisProbeError("cannot connect to \(host):\(port) for MONITOR") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = ""
        if let password {
            request += "*2\r\n$4\r\nAUTH\r\n$\(password.utf8.count)\r\n\(password)\r\n"
        }
        request += "*1\r\n$7\r\nMONITOR\r\n"
        let bytes = Array(request.utf8)
        guard send(socket, bytes, bytes.count, 0) == bytes.count else { throw RedisProbeError("cannot send MONITOR") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                break
            }
        }
        // Each event is a RESP simple string: "+1795302840.865746 [0 127.0.0.1:37958] \"get\" \"a\"\r\n".
        return String(decoding: received, as: UTF8.self)
            .split(separator: "\r\n")
            .filter { $0.hasPrefix("+") }
            .map { $0.dropFirst() }
            .joined(separator: "\n")
    }
}

struct RedisProbeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Commands seen by `MONITOR`: the top-level ones (each a request the
/// gateway sent and awaited: a round trip, unless pipelined with others)
/// and the inner ones its scripts ran.
struct MonitorSample {
    /// Top-level commands by label; an `EVALSHA` is labelled with the first
    /// inner commands of its script, so scripts can be told apart.
    var topLevel: [String: Int] = [:]
    var inner = 0
    /// Runs of the inbox's append script (its first commands are EXISTS on the
    /// dedup key, then LLEN of the queue): one per update the gateway took in,
    /// so the per-update figures need no timing between driver and Redis.
    var appends = 0

    var topLevelCount: Int {
        self.topLevel.values.reduce(0, +)
    }

    init(_ text: String) {
        var scriptNames: [String: String] = [:]
        var pendingScript: (sha: String, inner: [String])?
        func closeScript() {
            guard let script = pendingScript else { return }
            if script.inner.starts(with: ["EXISTS", "LLEN"]) { appends += 1 }
            if scriptNames[script.sha] == nil, !script.inner.isEmpty {
                scriptNames[script.sha] = script.inner.prefix(4).joined(separator: " ")
            }
            pendingScript = nil
        }
        var evalCounts: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            // 1795302840.865746 [0 127.0.0.1:37958] "evalsha" "…" …   or   … [0 lua] "SET" …
            guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]") else { continue }
            let source = line[line.index(after: open)..<close]
            let arguments = Self.quotedArguments(line[line.index(after: close)...], limit: 2)
            guard let name = arguments.first?.uppercased() else { continue }
            if source.hasSuffix(" lua") {
                self.inner += 1
                pendingScript?.inner.append(name)
                continue
            }
            closeScript()
            if name == "EVALSHA" || name == "EVAL", arguments.count > 1 {
                let sha = name == "EVAL" ? "eval:" + String(arguments[1].prefix(16)) : arguments[1]
                evalCounts[sha, default: 0] += 1
                pendingScript = (sha, [])
            } else {
                self.topLevel[name, default: 0] += 1
            }
        }
        closeScript()
        for (sha, count) in evalCounts {
            let label = "EVALSHA \(sha.prefix(7)) (\(scriptNames[sha] ?? "?") …)"
            self.topLevel[label, default: 0] += count
        }
    }

    /// The first `limit` double-quoted arguments of a MONITOR line, unescaped only as far as labels need.
    private static func quotedArguments(_ text: Substring, limit: Int) -> [String] {
        var arguments: [String] = []
        var current = ""
        var inside = false
        var escaped = false
        for character in text {
            if inside {
                if escaped {
                    current.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    arguments.append(current)
                    current = ""
                    inside = false
                    if arguments.count == limit { break }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inside = true
            }
        }
        return arguments
    }
}
