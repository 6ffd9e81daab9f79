import ServiceClients
import Synchronization
import Testing

@Suite("Bulkhead: calls in flight per service")
struct BulkheadTests {
    final class Order: Sendable {
        private let entries = Mutex<[Int]>([])
        func append(_ index: Int) { self.entries.withLock { $0.append(index) } }
        var all: [Int] { self.entries.withLock { $0 } }
    }

    @Test("at most the limit in flight; waiters go first come, first served; past maxWaiting a call is refused at once")
    func limitOrderAndRefusal() async throws {
        let bulkhead = Bulkhead(limit: 2, maxWaiting: 2)
        try await bulkhead.acquire()
        try await bulkhead.acquire()
        #expect(bulkhead.inFlight == 2)
        let order = Order()
        // One at a time, so the queue's order is known: the second waiter queues behind the first.
        var waiters: [Task<Void, any Error>] = []
        for index in 1...2 {
            waiters.append(Task {
                try await bulkhead.acquire()
                order.append(index)
            })
            while bulkhead.waiting < index { try await Task.sleep(for: .milliseconds(1)) }
        }
        await #expect(throws: Bulkhead.Full.self) { try await bulkhead.acquire() }
        bulkhead.release()
        try await waiters[0].value
        #expect(order.all == [1])
        bulkhead.release()
        try await waiters[1].value
        #expect(order.all == [1, 2])
        #expect(bulkhead.inFlight == 2, "each release handed its place straight to a waiter")
        bulkhead.release()
        bulkhead.release()
        #expect(bulkhead.inFlight == 0)
    }

    @Test("a waiter that is cancelled leaves the queue and takes no place")
    func cancelledWaiter() async throws {
        let bulkhead = Bulkhead(limit: 1)
        try await bulkhead.acquire()
        let waiter = Task { try await bulkhead.acquire() }
        while bulkhead.waiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(bulkhead.waiting == 0)
        bulkhead.release()
        #expect(bulkhead.inFlight == 0)
    }

    @Test("a call that has to wait releases its worker slot, once; one that gets a place at once keeps it")
    func waitingReleasesTheWorkerSlot() async throws {
        let bulkhead = Bulkhead(limit: 1)
        let releases = Atomic(0)
        let slot = WorkerSlot { releases.add(1, ordering: .relaxed) }
        try await WorkerSlot.$current.withValue(slot) { try await bulkhead.acquire() }
        #expect(!slot.isReleased)
        let waiter = Task {
            try await WorkerSlot.$current.withValue(slot) { try await bulkhead.acquire() }
        }
        while bulkhead.waiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(slot.isReleased)
        slot.release()
        #expect(releases.load(ordering: .relaxed) == 1)
        bulkhead.release()
        try await waiter.value
        bulkhead.release()
    }
}
