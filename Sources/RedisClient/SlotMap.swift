/// A Redis Cluster node's address.
public struct RedisNodeAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Reads `host:port[,host:port…]` (`[v6]:port` for IPv6).
    public static func list(_ text: String) throws(RedisError) -> [RedisNodeAddress] {
        var nodes: [RedisNodeAddress] = []
        for item in text.split(separator: ",") {
            let entry = item.filter { $0 != " " }
            guard let node = RedisNodeAddress(parsing: Substring(entry)) else {
                throw RedisError(code: .invalidURL, message: "invalid cluster node \"\(entry)\": expected host:port with a port of 1 to 65535")
            }
            if !nodes.contains(node) { nodes.append(node) }
        }
        guard !nodes.isEmpty else {
            throw RedisError(code: .invalidURL, message: "no cluster nodes given: expected host:port[,host:port…]")
        }
        return nodes
    }

    /// Reads `host:port` or `[v6]:port`, as in a `MOVED` reply.
    init?(parsing text: Substring) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        self.init(host: String(host), port: port)
    }
}

/// Which primary serves each slot, as `CLUSTER SLOTS` tells it.
struct SlotMap: Sendable {
    private var owners: [Int16]
    private(set) var primaries: [RedisNodeAddress]

    init() {
        self.owners = Array(repeating: -1, count: HashSlot.count)
        self.primaries = []
    }

    /// Reads a `CLUSTER SLOTS` reply given by `node` (whose host stands in
    /// for an empty one, as the command's documentation says).
    init(clusterSlots reply: RedisValue, from node: RedisNodeAddress) throws(RedisError) {
        self.init()
        guard let ranges = reply.array else { throw Self.malformed("not an array") }
        for range in ranges {
            guard let fields = range.array, fields.count >= 3, let first = fields[0].int, let last = fields[1].int,
                0 <= first, first <= last, last < HashSlot.count,
                let primary = fields[2].array, primary.count >= 2, let host = primary[0].string, let port = primary[1].int,
                (1...65535).contains(port)
            else { throw Self.malformed("a slot range is not [first, last, [host, port, …], …]") }
            let address = RedisNodeAddress(host: host.isEmpty || host == "?" ? node.host : host, port: port)
            for slot in first...last { assign(slot, to: address) }
        }
    }

    var isEmpty: Bool { primaries.isEmpty }

    func primary(forSlot slot: Int) -> RedisNodeAddress? {
        let owner = owners[slot]
        return owner < 0 ? nil : primaries[Int(owner)]
    }

    /// Whether every slot has the same primary in both maps.
    func hasSameOwners(as other: SlotMap) -> Bool {
        (0..<HashSlot.count).allSatisfy { primary(forSlot: $0) == other.primary(forSlot: $0) }
    }

    mutating func assign(_ slot: Int, to address: RedisNodeAddress) {
        let index: Int
        if let known = primaries.firstIndex(of: address) {
            index = known
        } else {
            index = primaries.count
            primaries.append(address)
        }
        owners[slot] = Int16(index)
    }

    private static func malformed(_ why: String) -> RedisError {
        RedisError(code: .protocolError, message: "CLUSTER SLOTS answered something unexpected: \(why)")
    }
}

/// When the slot map may be asked for again: at most every
/// `minimumInterval` after a success, with doubling backoff after failures,
/// one request at a time. A value with the clock passed in, so it is tested
/// without waiting.
struct TopologyRefresh: Sendable {
    var minimumInterval: Duration
    var backoff: Duration
    var maxBackoff: Duration
    private(set) var isRunning = false
    private var failures = 0
    private var notBefore: ContinuousClock.Instant?

    init(minimumInterval: Duration, backoff: Duration, maxBackoff: Duration) {
        self.minimumInterval = minimumInterval
        self.backoff = backoff
        self.maxBackoff = maxBackoff
    }

    /// Whether a refresh should start now; if so it counts as running.
    mutating func request(now: ContinuousClock.Instant) -> Bool {
        guard !isRunning, notBefore.map({ now >= $0 }) ?? true else { return false }
        isRunning = true
        return true
    }

    mutating func finished(succeeded: Bool, now: ContinuousClock.Instant) {
        isRunning = false
        if succeeded {
            failures = 0
            notBefore = now + minimumInterval
        } else {
            failures += 1
            notBefore = now + min(backoff * (1 << min(failures - 1, 16)), maxBackoff)
        }
    }
}
