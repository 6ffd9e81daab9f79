@testable import Gateway
import Synchronization
import Testing

/// The queue that hands updates to the dispatcher's run loop and jobs to a relay.
@Suite("Handoff queue")
struct HandoffQueueTests {
    @Test("what is queued before finish is read in order, then nil; a yield after finish is refused")
    func finishDrainsThenEnds() async {
        let queue = HandoffQueue<Int>()
        #expect(queue.yield(1) && queue.yield(2) && queue.yield(3))
        queue.finish()
        #expect(!queue.yield(4), "refused once finished")
        var read: [Int] = []
        for await element in queue {
            read.append(element)
        }
        #expect(read == [1, 2, 3])
    }

    @Test("a consumer waiting on an empty queue gets what is yielded later", .timeLimit(.minutes(1)))
    func aWaitingConsumerIsHanded() async {
        let queue = HandoffQueue<String>()
        async let first: String? = {
            var iterator = queue.makeAsyncIterator()
            return await iterator.next()
        }()
        try? await Task.sleep(for: .milliseconds(50))
        #expect(queue.yield("late"))
        #expect(await first == "late")
    }

    @Test("cancelling the waiting consumer ends its read with nil and finishes the queue", .timeLimit(.minutes(1)))
    func cancellationFinishes() async {
        let queue = HandoffQueue<Int>()
        let reader = Task {
            var iterator = queue.makeAsyncIterator()
            return await iterator.next()
        }
        try? await Task.sleep(for: .milliseconds(50))
        reader.cancel()
        #expect(await reader.value == nil)
        #expect(!queue.yield(1), "finished by the cancellation")
    }

    @Test("four producers racing one consumer: every element read once, each producer's in its order", .timeLimit(.minutes(1)))
    func producersRacingTheConsumer() async {
        let queue = HandoffQueue<(producer: Int, sequence: Int)>()
        let perProducer = 5_000
        let read = await withTaskGroup(of: [(producer: Int, sequence: Int)].self) { group in
            group.addTask {
                var read: [(producer: Int, sequence: Int)] = []
                for await element in queue {
                    read.append(element)
                }
                return read
            }
            await withTaskGroup(of: Void.self) { producers in
                for producer in 0..<4 {
                    producers.addTask {
                        for sequence in 0..<perProducer {
                            queue.yield((producer, sequence))
                        }
                    }
                }
            }
            queue.finish()
            return await group.next() ?? []
        }
        #expect(read.count == 4 * perProducer)
        for producer in 0..<4 {
            #expect(read.filter { $0.producer == producer }.map(\.sequence) == Array(0..<perProducer))
        }
    }
}
