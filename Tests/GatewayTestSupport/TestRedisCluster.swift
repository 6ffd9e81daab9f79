import Foundation
public import RedisClient
#if canImport(Glibc)
import Glibc
#endif

/// A real Redis Cluster for tests: three primaries and three replicas of
/// `redis-server` on loopback ports (each also needs its port + 10000 for
/// the cluster bus), data and logs in a temp folder, stopped by PID.
/// AOF is on (`appendfsync everysec`), as production runs it.
public final class TestRedisCluster: @unchecked Sendable {
    /// One `redis-server` of the cluster.
    public struct Node: Sendable, Hashable, CustomStringConvertible {
        public let port: Int
        public var address: RedisNodeAddress { RedisNodeAddress(host: "127.0.0.1", port: port) }
        public var description: String { "127.0.0.1:\(port)" }
    }

    public let nodes: [Node]
    public let directory: URL
    private let lock = NSLock()
    private var processes: [Int: Process] = [:]

    /// Starts six servers and joins them with `redis-cli --cluster create`;
    /// returns once every node reports `cluster_state:ok`.
    public init(primaries: Int = 3, replicasEach: Int = 1) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var ports: [Int] = []
        while ports.count < primaries * (1 + replicasEach) {
            let port = Int.random(in: 20000..<30000)
            if !ports.contains(port), LocalPort.isFree(port), LocalPort.isFree(port + 10000) { ports.append(port) }
        }
        nodes = ports.map(Node.init)
        for node in nodes { try start(node) }
        _ = try await Self.redisCLI(["--cluster", "create"] + nodes.map(\.description) + ["--cluster-replicas", String(replicasEach), "--cluster-yes"])
        try await waitUntilHealthy()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `REDIS_CLUSTER_NODES` for this cluster: every node, as seeds.
    public var seeds: String {
        nodes.map(\.description).joined(separator: ",")
    }

    /// A client configuration in cluster mode with every node as a seed.
    public var configuration: RedisConfiguration {
        RedisConfiguration(clusterNodes: nodes.map(\.address))
    }

    /// Starts `node`'s server (again, after ``kill(_:)``), with its data.
    public func start(_ node: Node) throws {
        let folder = directory.appendingPathComponent(String(node.port))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["REDIS_SERVER_BIN"] ?? "/usr/bin/redis-server")
        process.arguments = [
            "--port", String(node.port), "--bind", "127.0.0.1", "--dir", folder.path,
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1500",
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            // Replicas sync at once (the default waits 5 s for more replicas to share a transfer).
            "--repl-diskless-sync-delay", "0",
            "--logfile", folder.appendingPathComponent("redis.log").path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        lock.withLock { processes[node.port] = process }
        for _ in 0..<250 {
            if LocalPort.accepts(node.port) { return }
            usleep(20_000)
        }
        throw TestSupportError("redis-server did not start on port \(node.port); see \(folder.path)/redis.log")
    }

    /// Kills `node` with SIGKILL, as a crash would.
    public func kill(_ node: Node) {
        guard let process = lock.withLock({ processes.removeValue(forKey: node.port) }), process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops every server.
    public func stop() {
        for node in nodes { kill(node) }
    }

    /// Runs `redis-cli -p <node> args` and returns its output.
    @discardableResult
    public func cli(_ node: Node, _ arguments: [String]) async throws -> String {
        try await Self.redisCLI(["-h", "127.0.0.1", "-p", String(node.port)] + arguments)
    }

    /// The node now serving `slot` as primary, as a live node's `CLUSTER NODES` says.
    public func primary(forSlot slot: Int) async throws -> Node {
        for node in liveNodes {
            guard let table = try? await cli(node, ["CLUSTER", "NODES"]) else { continue }
            for line in table.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count >= 9, fields[2].contains("master"), !fields[2].contains("fail") else { continue }
                let port = fields[1].split(separator: "@").first.flatMap { $0.split(separator: ":").last }.flatMap { Int($0) }
                for range in fields[8...] where !range.hasPrefix("[") {
                    let bounds = range.split(separator: "-").compactMap { Int($0) }
                    if let low = bounds.first, slot >= low, slot <= (bounds.last ?? low), let port {
                        return Node(port: port)
                    }
                }
            }
        }
        throw TestSupportError("no live node knows who serves slot \(slot)")
    }

    /// Bytes of data (`used_memory`) summed over the primaries now serving.
    public func usedMemoryOfPrimaries() async throws -> Int {
        var total = 0
        for node in liveNodes {
            let info = try await cli(node, ["INFO", "all"])
            guard info.contains("role:master") else { continue }
            for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("used_memory:") {
                total += Int(line.dropFirst("used_memory:".count)) ?? 0
            }
        }
        return total
    }

    /// A node's cluster id.
    public func id(of node: Node) async throws -> String {
        try await cli(node, ["CLUSTER", "MYID"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The nodes whose process runs.
    public var liveNodes: [Node] {
        lock.withLock { nodes.filter { processes[$0.port]?.isRunning == true } }
    }

    /// Waits until every live node says `cluster_state:ok` with all slots
    /// served, and every live replica is in sync with its primary (only
    /// then can it take over).
    public func waitUntilHealthy(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var healthy = true
            for node in liveNodes {
                let info = (try? await cli(node, ["CLUSTER", "INFO"])) ?? ""
                if !info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:16384") { healthy = false }
                let replication = (try? await cli(node, ["INFO", "replication"])) ?? ""
                if replication.contains("role:slave") && !replication.contains("master_link_status:up") { healthy = false }
            }
            if healthy { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestSupportError("the Redis Cluster in \(directory.path) did not become healthy within \(timeout)")
    }

    private static func redisCLI(_ arguments: [String]) async throws -> String {
        try await ExternalCommand.run(ProcessInfo.processInfo.environment["REDIS_CLI_BIN"] ?? "/usr/bin/redis-cli", arguments)
    }
}
