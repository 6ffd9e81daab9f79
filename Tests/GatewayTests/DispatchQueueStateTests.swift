@testable import Gateway
import TelegramBotAPI
import Testing

@Suite("Dispatch queue state")
struct DispatchQueueStateTests {
    private static func delivery(_ id: Int, chat: Int64?) throws -> UpdateDelivery {
        let body = chat.map { Sample.message(updateID: id, chatID: $0) } ?? #"{"update_id":\#(id),"poll":{"id":"p"}}"#
        return UpdateDelivery(update: try Update.decode(from: Array(body.utf8)), raw: [], bot: BotID("b"))
    }

    private static func job(_ result: DispatchQueueState.NextResult) -> DispatchQueueState.Job? {
        if case .job(let job) = result { return job }
        return nil
    }

    @Test("a finishing worker keeps its conversation while nothing else waits, else goes round robin")
    func finishPicksNext() throws {
        var state = DispatchQueueState(capacity: 10)
        for (id, chat) in [(1, 1), (2, 1), (3, 1)] {
            guard case .queued = state.accept(try Self.delivery(id, chat: Int64(chat))) else { Issue.record("not queued"); return }
        }
        let first = try #require(Self.job(state.next()))
        #expect(first.delivery.update.updateID == 1)
        // Chat 1 is busy, so the next worker finds nothing.
        guard case .wait = state.next() else { Issue.record("expected wait"); return }

        var (next, resume) = state.finish(first.key)
        #expect(next?.delivery.update.updateID == 2)
        #expect(resume.isEmpty)

        // Chat 2 arrives while chat 1 still has work: it goes first.
        _ = state.accept(try Self.delivery(4, chat: 2))
        (next, resume) = state.finish(next!.key)
        #expect(next?.delivery.update.updateID == 4)
        (next, resume) = state.finish(next!.key)
        #expect(next?.delivery.update.updateID == 3)
        (next, resume) = state.finish(next!.key)
        #expect(next == nil)
        #expect(state.count == 0)
    }

    @Test("updates without a conversation (a poll) never wait for each other")
    func unordered() throws {
        var state = DispatchQueueState(capacity: 10)
        _ = state.accept(try Self.delivery(1, chat: nil))
        _ = state.accept(try Self.delivery(2, chat: nil))
        #expect(Self.job(state.next())?.delivery.update.updateID == 1)
        #expect(Self.job(state.next())?.delivery.update.updateID == 2)
    }

    @Test("capacity counts updates being handled; abandon drops only what is queued")
    func capacityAndAbandon() throws {
        var state = DispatchQueueState(capacity: 2)
        _ = state.accept(try Self.delivery(1, chat: 1))
        _ = state.accept(try Self.delivery(2, chat: 1))
        let running = try #require(Self.job(state.next()))
        guard case .refused(let error) = state.accept(try Self.delivery(3, chat: 2)) else { Issue.record("accepted"); return }
        #expect(error.code == .full)
        let (_, dropped) = state.abandon()
        #expect(dropped == 1)
        #expect(state.count == 1)
        _ = state.finish(running.key)
        #expect(state.count == 0)
        guard case .finished = state.next() else { Issue.record("expected finished"); return }
    }
}
