@testable import Gateway
import RedisClient
import ServiceLifecycle
import Synchronization
import Testing

/// The watch over leases in flight (a dispatcher's steps, a relay's sends):
/// its state machine on instants of the test's own, then renewals and lost
/// leases against a real Redis.
@Suite("Lease watch")
struct LeaseWatchTests {
    typealias Machine = LeaseWatchMachine<String>

    let t0 = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        self.t0.advanced(by: .milliseconds(milliseconds))
    }

    /// The renewals and interruptions of a tick, or nil for a tick that only waits.
    func acts(_ tick: Machine.Tick) -> (renew: [String], interrupt: [String])? {
        guard case .act(let interrupt, let renew) = tick else { return nil }
        return (renew.map(\.payload).sorted(), interrupt.map { "\($0.payload):\($0.reason)" }.sorted())
    }

    @Test("a step's lease is renewed every period from its last renewal, until its deadline ends it")
    func renewalsThenTimeout() throws {
        var machine = Machine(renewEvery: .milliseconds(100), timeout: .milliseconds(250))
        let (id, wake) = machine.start("a", now: self.at(0))
        #expect(!wake, "the watcher was not idle yet")
        guard case .sleep(let until) = machine.tick(now: self.at(10)) else { Issue.record("expected a sleep"); return }
        #expect(until == self.at(100))
        let first = try #require(self.acts(machine.tick(now: self.at(100))))
        #expect(first.renew == ["a"] && first.interrupt.isEmpty)
        #expect(self.acts(machine.tick(now: self.at(105))) == nil, "a step being renewed is not due again")
        #expect(machine.renewed(id, held: true, now: self.at(110)) == nil)
        guard case .sleep(let next) = machine.tick(now: self.at(111)) else { Issue.record("expected a sleep"); return }
        #expect(next == self.at(210), "a period after the renewal answered")
        #expect(self.acts(machine.tick(now: self.at(210)))?.renew == ["a"])
        #expect(machine.renewed(id, held: true, now: self.at(215)) == nil)
        guard case .sleep(let last) = machine.tick(now: self.at(216)) else { Issue.record("expected a sleep"); return }
        #expect(last == self.at(250), "the deadline comes before the next renewal")
        #expect(self.acts(machine.tick(now: self.at(250)))?.interrupt == ["a:timedOut"])
        guard case .idle = machine.tick(now: self.at(251)) else { Issue.record("an ended step is not watched"); return }
        #expect(machine.end(id) == .timedOut)
        #expect(machine.count == 0)
    }

    @Test("a renewal that finds another token ends the step; one Redis could not answer is tried again a period later")
    func lostAndUnansweredRenewals() throws {
        var machine = Machine(renewEvery: .milliseconds(100), timeout: .seconds(30))
        let (a, _) = machine.start("a", now: self.at(0))
        let (b, _) = machine.start("b", now: self.at(20))
        #expect(self.acts(machine.tick(now: self.at(100)))?.renew == ["a"])
        #expect(machine.renewed(a, held: nil, now: self.at(130)) == nil)
        #expect(self.acts(machine.tick(now: self.at(130)))?.renew == ["b"])
        #expect(machine.renewed(b, held: false, now: self.at(140)) == "b")
        guard case .sleep(let until) = machine.tick(now: self.at(141)) else { Issue.record("expected a sleep"); return }
        #expect(until == self.at(230), "a's renewal is tried again a period after Redis failed to answer")
        #expect(machine.end(b) == .leaseLost)
        #expect(machine.end(a) == nil)
        #expect(machine.renewed(a, held: false, now: self.at(150)) == nil, "a report after the step ended is ignored")
    }

    @Test("the watcher is woken only when it had nothing to watch")
    func wakingTheWatcher() {
        var machine = Machine(renewEvery: .seconds(5), timeout: .seconds(30))
        guard case .idle = machine.tick(now: self.at(0)) else { Issue.record("nothing to watch"); return }
        let (first, wakeFirst) = machine.start("a", now: self.at(1))
        #expect(wakeFirst)
        let second = machine.start("b", now: self.at(2))
        #expect(!second.wakeWatcher)
        guard case .sleep(let until) = machine.tick(now: self.at(3)) else { Issue.record("expected a sleep"); return }
        #expect(until == self.at(5001))
        #expect(machine.end(first) == nil)
        let third = machine.start("c", now: self.at(4))
        #expect(!third.wakeWatcher, "asleep until an earlier due time")
        #expect(machine.end(second.id) == nil && machine.end(third.id) == nil)
        guard case .idle = machine.tick(now: self.at(5)) else { Issue.record("every lease ended"); return }
        #expect(machine.start("d", now: self.at(6)).wakeWatcher, "idle again")
    }

    @Test("a lease without a timeout is renewed for as long as its work runs")
    func noTimeout() throws {
        var machine = Machine(renewEvery: .seconds(20), timeout: nil)
        let (id, _) = machine.start("send", now: self.at(0))
        var now = 0
        for _ in 0..<100 {
            guard case .sleep(let until) = machine.tick(now: self.at(now)) else { Issue.record("expected a sleep"); return }
            #expect(until == self.at(now + 20_000))
            now += 20_000
            let acts = try #require(self.acts(machine.tick(now: self.at(now))))
            #expect(acts.renew == ["send"] && acts.interrupt.isEmpty)
            #expect(machine.renewed(id, held: true, now: self.at(now)) == nil)
        }
        #expect(machine.end(id) == nil, "never interrupted")
    }

    @Test("work without a lease is only timed: never renewed, ended at its deadline")
    func timeoutOnly() throws {
        var machine = Machine(renewEvery: nil, timeout: .seconds(30))
        let (a, _) = machine.start("a", now: self.at(0))
        let (b, _) = machine.start("b", now: self.at(10))
        guard case .sleep(let until) = machine.tick(now: self.at(20)) else { Issue.record("expected a sleep"); return }
        #expect(until == self.at(30_000), "asleep until the first deadline")
        let acts = try #require(self.acts(machine.tick(now: self.at(30_000))))
        #expect(acts.renew.isEmpty && acts.interrupt == ["a:timedOut"])
        #expect(machine.end(a) == .timedOut)
        #expect(machine.end(b) == nil, "ended before its deadline")
        guard case .idle = machine.tick(now: self.at(30_001)) else { Issue.record("nothing left"); return }
    }

    @Test("a timeout shorter than the renewal period ends the step unrenewed")
    func shortTimeout() {
        var machine = Machine(renewEvery: .seconds(5), timeout: .milliseconds(300))
        let (id, _) = machine.start("a", now: self.at(0))
        guard case .sleep(let until) = machine.tick(now: self.at(1)) else { Issue.record("expected a sleep"); return }
        #expect(until == self.at(300))
        let acts = self.acts(machine.tick(now: self.at(300)))
        #expect(acts?.renew == [] && acts?.interrupt == ["a:timedOut"])
        #expect(machine.end(id) == .timedOut)
    }

    @Test("a dispatcher stops at graceful shutdown at once, not when its watch would next wake", .timeLimit(.minutes(1)))
    func theWatchStopsWithTheDispatcher() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        // Renewals every 20 s: a watch left asleep would hold the stop that long.
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(leaseTimeout: .seconds(60)), logger: DurableTests.logger)
        let recorder = StepRecorder()
        let (update, raw) = try DurableTests.update(id: 43, chat: 4103, sequence: 1)
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            recorder.record(item)
            return .unchanged
        }
        try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        let services = ServiceGroup(configuration: .init(services: [dispatcher], logger: DurableTests.logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.handledCount == 1 })
            let stopping = ContinuousClock.now
            await services.triggerGracefulShutdown()
            try await group.next()
            let took = ContinuousClock.now - stopping
            #expect(took < .seconds(3), "stopped in \(took)")
        }
        await redis.close()
    }

    @Test("a step three leases long keeps its lease: no other instance takes it over, and it is handled once", .timeLimit(.minutes(1)))
    func aLongStepKeepsItsLease() async throws {
        let (first, second) = try FailureAndTakeoverTests.twoInstances(("keeper", "other"), heartbeat: .milliseconds(200), lease: .milliseconds(600))
        let recorder = StepRecorder()
        let tries = Atomic(0)
        let (update, raw) = try DurableTests.update(id: 41, chat: 4101, sequence: 1)
        let handler: InboxDispatcher.Handler = { item in
            tries.add(1, ordering: .relaxed)
            // Past the takeover window (4 leases) too: an unrenewed lease would be taken over meanwhile.
            try await Task.sleep(for: .seconds(3))
            recorder.record(item)
            return .unchanged
        }
        let dispatchers = [first, second].map { InboxDispatcher(inbox: $0, bots: [DurableTests.bot], logger: DurableTests.logger, handler: handler) }
        let heartbeats = [first, second].map { InstanceHeartbeat(inbox: $0, logger: DurableTests.logger) }
        try await first.accept(update, raw: raw, bot: DurableTests.bot)
        await withTaskGroup(of: Void.self) { group in
            for heartbeat in heartbeats { group.addTask { await heartbeat.run() } }
            for dispatcher in dispatchers { group.addTask { await dispatcher.run() } }
            #expect(await DurableTests.eventually(timeout: .seconds(20)) { recorder.handledCount == 1 })
            try? await Task.sleep(for: .seconds(1))
            group.cancelAll()
        }
        #expect(tries.load(ordering: .relaxed) == 1)
        #expect(recorder.counts == [41: 1])
        let queue = first.keys.conversation("4101", of: DurableTests.bot).queue
        #expect(try await first.client.send(["LLEN", .string(queue)]).int == 0, "committed")
        await first.client.close()
        await second.client.close()
    }

    @Test("a step whose lease another token took is cancelled at its next renewal and not committed; it runs again once that lease ends", .timeLimit(.minutes(1)))
    func aLostLeaseCancelsTheStep() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(leaseTimeout: .milliseconds(600)), logger: DurableTests.logger)
        let keys = inbox.keys.conversation("4102", of: DurableTests.bot)
        let recorder = StepRecorder()
        let tries = Atomic(0)
        let events = Mutex<[String]>([])
        let (update, raw) = try DurableTests.update(id: 42, chat: 4102, sequence: 1)
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            guard tries.add(1, ordering: .relaxed).newValue == 1 else {
                events.withLock { $0.append("second try") }
                recorder.record(item)
                return .unchanged
            }
            let started = ContinuousClock.now
            // Another dispatcher's token, for 1.5 s.
            _ = try? await redis.send(["SET", .string(keys.lease), "someone-else", "PX", "1500"])
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                let after = ContinuousClock.now - started
                events.withLock { $0.append(after < .seconds(1) ? "cancelled within a second" : "cancelled after \(after)") }
                throw error
            }
            return .unchanged
        }
        try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(20)) { recorder.handledCount == 1 })
            group.cancelAll()
        }
        #expect(events.withLock { $0 } == ["cancelled within a second", "second try"], "cancelled at its next renewal (every 200 ms), before the update ran again")
        #expect(recorder.counts == [42: 1])
        await redis.close()
    }
}
