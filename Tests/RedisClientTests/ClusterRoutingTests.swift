@testable import RedisClient
import Testing

/// The pure parts of cluster mode: slots, key positions, the slot map, redirects, refresh pacing.
@Suite struct ClusterRoutingTests {
    @Test("slots are CRC16/XMODEM of the key or its first non-empty hash tag, as Redis computes them")
    func hashSlots() {
        #expect(HashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(HashSlot.of("foo") == 12182)
        #expect(HashSlot.of("bar") == 5061)
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("{user1000}.followers"))
        #expect(HashSlot.of("foo{}{bar}") == HashSlot.of(Array("foo{}{bar}".utf8)))
        #expect(HashSlot.of("foo{{bar}}zap") == HashSlot.of("{bar"))
        #expect(HashSlot.of("foo{bar}{zap}") == HashSlot.of("bar"))
        #expect(HashSlot.of("") == 0)
    }

    @Test("keys are found where each command keeps them")
    func commandKeys() {
        func keys(_ command: [RedisArgument]) -> [String] { CommandKeys.of(command).map(\.displayText) }
        #expect(keys(["GET", "a"]) == ["a"])
        #expect(keys(["SET", "a", "1", "EX", 10]) == ["a"])
        #expect(keys(["EVALSHA", "abc", 2, "k1", "k2", "arg"]) == ["k1", "k2"])
        #expect(keys(["EVALSHA", "abc", 0, "arg"]) == [])
        #expect(keys(["EVALSHA", "abc", 9, "k1"]) == [])
        #expect(keys(["BZPOPMIN", "q1", "q2", "5"]) == ["q1", "q2"])
        #expect(keys(["MSET", "a", "1", "b", "2"]) == ["a", "b"])
        #expect(keys(["DEL", "a", "b"]) == ["a", "b"])
        #expect(keys(["BLMOVE", "src", "dst", "LEFT", "RIGHT", "1"]) == ["src", "dst"])
        #expect(keys(["XREADGROUP", "GROUP", "g", "c", "COUNT", 1, "STREAMS", "s1", "s2", ">", ">"]) == ["s1", "s2"])
        #expect(keys(["ZUNIONSTORE", "d", 2, "a", "b", "WEIGHTS", 1, 2]) == ["d", "a", "b"])
        #expect(keys(["PING"]).isEmpty && keys(["TIME"]).isEmpty && keys(["SCRIPT", "LOAD", "return 1"]).isEmpty)
        #expect(keys(["MULTI"]).isEmpty && keys([]).isEmpty && keys(["GET"]).isEmpty)
    }

    @Test("a command whose keys span slots is refused before it is sent, naming the keys")
    func crossSlotRefused() throws {
        #expect(try ClusterRouter.slot(of: ["MGET", "{a}x", "{a}y"]) == HashSlot.of("a"))
        #expect(try ClusterRouter.slot(of: ["PING"]) == nil)
        let error = #expect(throws: RedisError.self) { try ClusterRouter.slot(of: ["MGET", "foo", "bar"]) }
        #expect(error?.code == .crossSlot)
        #expect(error?.message.contains("foo (slot 12182)") == true && error?.message.contains("bar (slot 5061)") == true)
    }

    @Test("seed lists read host:port pairs and refuse anything else")
    func seedList() throws {
        #expect(try RedisNodeAddress.list("127.0.0.1:7000, 127.0.0.1:7001,127.0.0.1:7000") == [
            RedisNodeAddress(host: "127.0.0.1", port: 7000), RedisNodeAddress(host: "127.0.0.1", port: 7001),
        ])
        #expect(try RedisNodeAddress.list("[::1]:7000") == [RedisNodeAddress(host: "::1", port: 7000)])
        for bad in ["", "host", "host:0", "host:70000", "host:port", ","] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisNodeAddress.list(bad) }
        }
    }

    @Test("CLUSTER SLOTS becomes a map of slot ranges to primaries; an empty host is the node asked")
    func slotMap() throws {
        func node(_ host: String, _ port: Int) -> RedisValue {
            .array([.bulkString(Array(host.utf8)), .integer(Int64(port)), .bulkString(Array("id".utf8))])
        }
        let reply = RedisValue.array([
            .array([.integer(0), .integer(5460), node("10.0.0.1", 7000), node("10.0.0.4", 7003)]),
            .array([.integer(5461), .integer(10922), node("", 7001)]),
            .array([.integer(10923), .integer(16383), node("10.0.0.3", 7002)]),
        ])
        let asked = RedisNodeAddress(host: "10.0.0.9", port: 7001)
        let map = try SlotMap(clusterSlots: reply, from: asked)
        #expect(map.primary(forSlot: 0) == RedisNodeAddress(host: "10.0.0.1", port: 7000))
        #expect(map.primary(forSlot: 5461) == RedisNodeAddress(host: "10.0.0.9", port: 7001))
        #expect(map.primary(forSlot: 16383) == RedisNodeAddress(host: "10.0.0.3", port: 7002))
        #expect(map.primaries.count == 3)
        let bad = RedisValue.array([.array([.integer(0), .integer(20000), node("a", 1)])])
        #expect(throws: RedisError.self) { try SlotMap(clusterSlots: bad, from: asked) }
    }

    @Test("MOVED and ASK replies are read; other errors are not redirects")
    func redirects() {
        let moved = Redirect(RedisError(code: .server, message: "MOVED 3999 127.0.0.1:6381"))
        #expect(moved?.isMoved == true && moved?.slot == 3999 && moved?.node == RedisNodeAddress(host: "127.0.0.1", port: 6381))
        let ask = Redirect(RedisError(code: .server, message: "ASK 12 [::1]:7000"))
        #expect(ask?.isMoved == false && ask?.node == RedisNodeAddress(host: "::1", port: 7000))
        #expect(Redirect(RedisError(code: .server, message: "MOVED 99999 a:1")) == nil)
        #expect(Redirect(RedisError(code: .server, message: "ERR MOVED")) == nil)
        #expect(Redirect(RedisError(code: .connectionClosed, message: "MOVED 1 a:1")) == nil)
    }

    @Test("the slot map is asked for at most once at a time, not sooner than the interval, backing off after failures")
    func refreshPacing() {
        var refresh = TopologyRefresh(minimumInterval: .milliseconds(200), backoff: .milliseconds(50), maxBackoff: .seconds(2))
        let start = ContinuousClock.now
        func starts(after milliseconds: Int) -> Bool { refresh.request(now: start + .milliseconds(milliseconds)) }
        var decisions = [starts(after: 0), starts(after: 0)]
        #expect(decisions == [true, false], "one at a time")
        refresh.finished(succeeded: true, now: start)
        decisions = [starts(after: 199), starts(after: 200)]
        #expect(decisions == [false, true], "not sooner than the interval after a success")
        refresh.finished(succeeded: false, now: start + .milliseconds(200))
        decisions = [starts(after: 249), starts(after: 250)]
        #expect(decisions == [false, true], "the backoff after one failure")
        refresh.finished(succeeded: false, now: start + .milliseconds(250))
        decisions = [starts(after: 349), starts(after: 350)]
        #expect(decisions == [false, true], "the backoff doubles")
        for _ in 0..<20 { refresh.finished(succeeded: false, now: start) }
        decisions = [starts(after: 1999), starts(after: 2000)]
        #expect(decisions == [false, true], "capped")
    }
}
