import Logging
import NIOCore
import Synchronization

/// Routes commands to the primaries of a Redis Cluster by their keys' slot.
///
/// The slot map comes from `CLUSTER SLOTS`, asked of the known primaries and
/// the seed nodes at once (the first answer wins). `MOVED` updates the slot
/// and resends; `ASK` resends once after `ASKING`. A node that cannot be
/// reached, `CLUSTERDOWN` or `TRYAGAIN` fail the command at once as
/// ``RedisError/Code/connectionUnavailable`` and ask for a new map, so a
/// promoted replica is found within the refresh backoff while the callers'
/// own retries run. Reads go to primaries too: the pipeline reads its own
/// writes.
final class ClusterRouter: Sendable {
    private struct State {
        var map = SlotMap()
        var pools: [RedisNodeAddress: ConnectionPool] = [:]
        var refresh: TopologyRefresh
        var running: Task<Void, any Error>?
        var closed = false
    }

    /// Redirects followed for one command before giving up.
    static let maxRedirects = 5

    private let state: Mutex<State>
    private let changes = Atomic<Int>(0)
    private let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let roundTrips: RoundTripCounter
    private let logger: Logger

    init(configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup, roundTrips: RoundTripCounter, logger: Logger) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.roundTrips = roundTrips
        self.logger = logger
        self.state = Mutex(State(refresh: TopologyRefresh(
            minimumInterval: .milliseconds(200),
            backoff: configuration.reconnectBackoff,
            maxBackoff: configuration.maxReconnectBackoff)))
    }

    // MARK: Commands

    func send(_ command: [RedisArgument], timeout: Duration?) async throws -> RedisValue {
        if command.first?.uppercasedName == "SCRIPT" {
            return try await broadcast(command, timeout: timeout)
        }
        let slot = try Self.slot(of: command)
        var target = try await primary(for: slot)
        var asking = false
        for _ in 0...Self.maxRedirects {
            let reply: Result<RedisValue, RedisError>
            do {
                let connection = try await pool(target).connection()
                if asking {
                    let replies = try await connection.pipeline([["ASKING"], command], timeout: timeout)
                    reply = replies.count == 2 ? replies[1] : .failure(Self.shortPipeline)
                } else {
                    reply = .success(try await connection.send(command, timeout: timeout))
                }
            } catch let error as RedisError {
                reply = .failure(error)
            }
            switch reply {
            case .success(let value):
                return value
            case .failure(let error):
                switch observe(error, slot: slot) {
                case .moved(let node):
                    target = node
                    asking = false
                case .ask(let node):
                    target = node
                    asking = true
                case .fail(let error):
                    throw error
                }
            }
        }
        throw RedisError(code: .connectionUnavailable, message: "slot \(slot ?? 0) was redirected more than \(Self.maxRedirects) times; the cluster is resharding, try again")
    }

    /// Splits the pipeline into runs of consecutive commands for one node and
    /// sends the runs one after another, so no command runs before one ahead
    /// of it (callers order writes across hash tags for crash safety); each
    /// change of node costs a round trip. A command without keys goes with
    /// the keyed command before it (or after it, at the start), so `MULTI …
    /// EXEC` and a script's preparation stay with their keys. A command
    /// answered `MOVED` or `ASK` is resent alone, in order; inside `MULTI …
    /// EXEC` the redirect stays in place (the transaction was discarded; run
    /// it again).
    func pipeline(_ commands: [[RedisArgument]], timeout: Duration?) async throws -> [Result<RedisValue, RedisError>] {
        var slots = try commands.map(Self.slot(of:))
        var previous: Int?
        for index in slots.indices {
            if let slot = slots[index] { previous = slot } else { slots[index] = previous }
        }
        if let first = slots.first(where: { $0 != nil }) {
            for index in slots.indices where slots[index] == nil { slots[index] = first }
        }
        var runs: [(node: RedisNodeAddress, range: Range<Int>)] = []
        for index in commands.indices {
            let node = try await primary(for: slots[index])
            if let last = runs.last, last.node == node {
                runs[runs.count - 1].range = last.range.lowerBound..<(index + 1)
            } else {
                runs.append((node, index..<(index + 1)))
            }
        }
        var results: [Result<RedisValue, RedisError>] = []
        results.reserveCapacity(commands.count)
        for run in runs {
            do {
                let replies = try await pool(run.node).connection().pipeline(Array(commands[run.range]), timeout: timeout)
                guard replies.count == run.range.count else { throw Self.shortPipeline }
                results += replies
            } catch let error as RedisError {
                guard case .fail(let mapped) = observe(error, slot: nil) else { throw error }
                throw mapped
            }
        }
        let transaction = commands.contains { $0.first?.uppercasedName == "MULTI" }
        for index in results.indices {
            guard case .failure(let error) = results[index], Redirect(error) != nil else { continue }
            if transaction {
                _ = observe(error, slot: slots[index])
                continue
            }
            do {
                results[index] = .success(try await send(commands[index], timeout: timeout))
            } catch let error as RedisError {
                results[index] = .failure(error)
            }
        }
        return results
    }

    /// A connection of its own to the primary of `key`'s slot (any primary
    /// without a key); a redirect or lost node seen by `body` updates the map.
    func withDedicatedConnection<Result: Sendable>(
        routingKey key: RedisArgument?,
        _ body: (RedisConnection) async throws -> Result
    ) async throws -> Result {
        let slot = key?.hashSlot
        let node = try await primary(for: slot)
        do {
            return try await RedisConnection.using(
                configuration: nodeConfiguration(node), eventLoop: eventLoopGroup.next(), roundTrips: roundTrips, body)
        } catch {
            if let error = error as? RedisError, case .fail(let mapped) = observe(error, slot: slot) { throw mapped }
            throw error
        }
    }

    /// Sends `command` to every primary (used for `SCRIPT LOAD`, so a script
    /// is known wherever its keys live) and returns the first answer. A node
    /// that cannot take it now is skipped: it answers `NOSCRIPT` later and
    /// the script is loaded again; only when none took it is it an error.
    private func broadcast(_ command: [RedisArgument], timeout: Duration?) async throws -> RedisValue {
        _ = try await primary(for: nil)
        let nodes = state.withLock { $0.map.primaries }
        let replies = await withTaskGroup(of: Result<RedisValue, RedisError>.self) { group in
            for node in nodes {
                group.addTask {
                    do {
                        return .success(try await self.pool(node).connection().send(command, timeout: timeout))
                    } catch let error as RedisError {
                        return .failure(error)
                    } catch {
                        return .failure(RedisError(code: .connectionUnavailable, message: "\(error)"))
                    }
                }
            }
            var replies: [Result<RedisValue, RedisError>] = []
            for await reply in group { replies.append(reply) }
            return replies
        }
        for case .success(let value) in replies { return value }
        for case .failure(let error) in replies {
            guard case .fail(let mapped) = observe(error, slot: nil) else { throw error }
            throw mapped
        }
        throw RedisError(code: .connectionUnavailable, message: "no Redis Cluster primary is known")
    }

    /// How many refreshes found a slot with a new primary: a failover or a
    /// reshard.
    var topologyChanges: Int {
        changes.load(ordering: .relaxed)
    }

    /// Every key matching `pattern` on every primary, by `SCAN`.
    func scan(match pattern: String, count: Int) async throws -> [String] {
        _ = try await primary(for: nil)
        var keys: [String] = []
        for node in state.withLock({ $0.map.primaries }) {
            keys += try await pool(node).connection().scanAll(match: pattern, count: count)
        }
        return keys
    }

    // MARK: Lifecycle

    /// Reads the slot map and opens a pool to each primary.
    func connect() async {
        do {
            try await refreshNow()
        } catch {
            logger.warning("redis cluster map unavailable, retrying on use", metadata: ["error": "\(error)"])
        }
        let pools = state.withLock { state in state.map.primaries.compactMap { try? pool(in: &state, for: $0) } }
        for pool in pools { await pool.connect() }
    }

    func close() async {
        let (pools, running) = state.withLock { state -> ([ConnectionPool], Task<Void, any Error>?) in
            state.closed = true
            defer { state.pools = [:] }
            return (Array(state.pools.values), state.running)
        }
        running?.cancel()
        for pool in pools { await pool.close() }
    }

    // MARK: Routing

    private enum Outcome {
        case moved(RedisNodeAddress)
        case ask(RedisNodeAddress)
        case fail(RedisError)
    }

    /// What to do after `error`: follow a redirect, or fail — asking for a
    /// new map when the error says the cluster changed.
    private func observe(_ error: RedisError, slot: Int?) -> Outcome {
        if let redirect = Redirect(error) {
            if redirect.isMoved {
                state.withLock { $0.map.assign(redirect.slot, to: redirect.node) }
                requestRefresh()
                return .moved(redirect.node)
            }
            return .ask(redirect.node)
        }
        switch error.code {
        case .connectFailed, .connectionClosed, .connectionUnavailable, .commandTimedOut:
            requestRefresh()
            return .fail(error)
        case .clientClosed where !state.withLock({ $0.closed }):
            // The node's pool was closed because the node left the map.
            return .fail(RedisError(code: .connectionUnavailable, message: "the node serving slot \(slot.map(String.init) ?? "?") left the cluster; the slot map was refreshed"))
        case .server where ["CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "READONLY"].contains(error.serverErrorPrefix ?? ""):
            requestRefresh()
            return .fail(RedisError(
                code: .connectionUnavailable,
                message: "the cluster cannot serve slot \(slot.map(String.init) ?? "?") now (\(error.message)); the slot map is being refreshed"))
        default:
            return .fail(error)
        }
    }

    /// The primary serving `slot` (any primary for nil), reading the map
    /// first when it has no owner for it.
    private func primary(for slot: Int?) async throws -> RedisNodeAddress {
        if let node = lookup(slot) { return node }
        try await refreshNow()
        if let node = lookup(slot) { return node }
        throw RedisError(
            code: .connectionUnavailable,
            message: "no primary serves slot \(slot.map(String.init) ?? "any"): the cluster's slot map does not cover it")
    }

    private func lookup(_ slot: Int?) -> RedisNodeAddress? {
        state.withLock { state in
            if let slot { return state.map.primary(forSlot: slot) }
            return state.map.primaries.randomElement()
        }
    }

    private func pool(_ node: RedisNodeAddress) throws -> ConnectionPool {
        try state.withLock { try pool(in: &$0, for: node) }
    }

    private func pool(in state: inout State, for node: RedisNodeAddress) throws -> ConnectionPool {
        guard !state.closed else { throw RedisClient.closedError }
        if let pool = state.pools[node] { return pool }
        let pool = ConnectionPool(configuration: nodeConfiguration(node), eventLoopGroup: eventLoopGroup, roundTrips: roundTrips, logger: logger)
        state.pools[node] = pool
        return pool
    }

    private func nodeConfiguration(_ node: RedisNodeAddress) -> RedisConfiguration {
        var configuration = self.configuration
        configuration.host = node.host
        configuration.port = node.port
        configuration.clusterNodes = []
        return configuration
    }

    /// The one slot every key of `command` lives in; nil when it has none.
    static func slot(of command: [RedisArgument]) throws(RedisError) -> Int? {
        let keys = CommandKeys.of(command)
        guard let first = keys.first?.hashSlot else { return nil }
        if keys.dropFirst().allSatisfy({ $0.hashSlot == first }) { return first }
        let named = keys.map { "\($0.displayText) (slot \($0.hashSlot))" }.joined(separator: ", ")
        throw RedisError(
            code: .crossSlot,
            message: "\(command.first?.displayText ?? "a command")'s keys \(named) are in different cluster slots; give them one {hash tag}")
    }

    private static let shortPipeline = RedisError(code: .protocolError, message: "a pipeline answered fewer replies than it sent commands")

    // MARK: Topology

    /// Starts a refresh in the background unless one runs or it is too soon.
    private func requestRefresh() {
        _ = startRefresh()
    }

    /// Waits for a refresh: the running one, or a new one; fails fast while
    /// backing off after failures.
    private func refreshNow() async throws {
        guard let task = startRefresh() else {
            if lookup(nil) != nil { return }
            throw RedisError(code: .connectionUnavailable, message: "no Redis Cluster node answered CLUSTER SLOTS; retrying with backoff")
        }
        try await task.value
    }

    private func startRefresh() -> Task<Void, any Error>? {
        state.withLock { state in
            if let running = state.running { return running }
            guard !state.closed, state.refresh.request(now: .now) else { return nil }
            let task = Task { try await self.performRefresh() }
            state.running = task
            return task
        }
    }

    private func performRefresh() async throws {
        let candidates = state.withLock { state in
            state.map.primaries + configuration.clusterNodes.filter { !state.map.primaries.contains($0) }
        }
        let found = await firstMap(from: candidates)
        let stale = state.withLock { state -> [ConnectionPool] in
            state.running = nil
            state.refresh.finished(succeeded: found != nil, now: .now)
            guard let found else { return [] }
            if !state.map.isEmpty && !state.map.hasSameOwners(as: found) { changes.add(1, ordering: .relaxed) }
            state.map = found
            let gone = state.pools.keys.filter { !found.primaries.contains($0) }
            return gone.compactMap { state.pools.removeValue(forKey: $0) }
        }
        for pool in stale { await pool.close() }
        guard found != nil else {
            logger.warning("no Redis Cluster node answered CLUSTER SLOTS", metadata: ["nodes": "\(candidates)"])
            throw RedisError(code: .connectionUnavailable, message: "no Redis Cluster node answered CLUSTER SLOTS (tried \(candidates.count)); retrying with backoff")
        }
    }

    /// Asks every candidate at once and takes the first non-empty map, without
    /// waiting for a node that is slow to refuse.
    private func firstMap(from candidates: [RedisNodeAddress]) async -> SlotMap? {
        guard !candidates.isEmpty else { return nil }
        let race = Race(pending: candidates.count)
        return await withCheckedContinuation { continuation in
            for node in candidates {
                Task {
                    let map = try? await self.askSlots(of: node)
                    if let outcome = race.finish(with: map) { continuation.resume(returning: outcome) }
                }
            }
        }
    }

    private final class Race: Sendable {
        private let state: Mutex<(pending: Int, decided: Bool)>

        init(pending: Int) {
            self.state = Mutex((pending, false))
        }

        /// The race's answer once it is decided by this arrival: a map, or
        /// nil when every candidate failed; nil-nil while it is still open.
        func finish(with map: SlotMap?) -> SlotMap?? {
            state.withLock { state -> SlotMap?? in
                state.pending -= 1
                guard !state.decided else { return .none }
                if let map, !map.isEmpty {
                    state.decided = true
                    return .some(map)
                }
                guard state.pending == 0 else { return .none }
                state.decided = true
                return .some(nil)
            }
        }
    }

    private func askSlots(of node: RedisNodeAddress) async throws -> SlotMap {
        let connection = try await RedisConnection.connect(
            configuration: nodeConfiguration(node), eventLoop: eventLoopGroup.next(), roundTrips: nil
        ).get()
        defer { connection.startClosing() }
        return try SlotMap(clusterSlots: try await connection.send(["CLUSTER", "SLOTS"], timeout: configuration.connectTimeout), from: node)
    }
}

/// A `MOVED <slot> <host:port>` or `ASK <slot> <host:port>` error reply.
struct Redirect {
    let isMoved: Bool
    let slot: Int
    let node: RedisNodeAddress

    init?(_ error: RedisError) {
        guard error.code == .server else { return nil }
        let words = error.message.split(separator: " ")
        guard words.count == 3, words[0] == "MOVED" || words[0] == "ASK", let slot = Int(words[1]),
            (0..<HashSlot.count).contains(slot), let node = RedisNodeAddress(parsing: words[2])
        else { return nil }
        self.isMoved = words[0] == "MOVED"
        self.slot = slot
        self.node = node
    }
}
