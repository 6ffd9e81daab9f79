import Testing

@testable import TelegramBotAPI

typealias Limiter = OutboundLimiter<String>

/// A fixed origin; the limiter reads no clock, so tests move time by hand.
private let start = ContinuousClock.now

private func at(_ offset: Duration) -> ContinuousClock.Instant {
    start + offset
}

private struct Sent: Equatable, CustomStringConvertible {
    var payload: String
    var offset: Duration

    var description: String { "\(payload)@\(offset)" }
}

/// Plays the sender: sends whatever the limiter hands out, completing each at
/// once with `outcome`, and jumps to each `.wait` deadline, until idle or `end`.
private func drive(
    _ limiter: inout Limiter,
    from begin: Duration = .zero,
    until end: Duration = .seconds(600),
    outcome: (Limiter.Job) -> Limiter.Outcome = { _ in .success },
    completions: ((Limiter.Completion) -> Void)? = nil
) -> [Sent] {
    var now = at(begin)
    var sent: [Sent] = []
    while true {
        switch limiter.nextAction(now: now) {
        case .send(let job):
            sent.append(Sent(payload: job.payload, offset: now - start))
            let completion = limiter.completed(job.id, outcome: outcome(job), now: now)
            if let completion { completions?(completion) }
        case .wait(let deadline):
            guard deadline > now else {
                Issue.record("wait(until:) not in the future")
                return sent
            }
            guard deadline <= at(end) else { return sent }
            now = deadline
        case .idle:
            return sent
        }
    }
}

/// The largest number of sends in any half-open window of length `window`.
private func busiestWindow(_ sent: [Sent], window: Duration) -> Int {
    let offsets = sent.map(\.offset).sorted()
    var best = 0
    for (index, first) in offsets.enumerated() {
        best = max(best, offsets[index...].prefix { $0 < first + window }.count)
    }
    return best
}

private func privateChat(_ id: Int64) -> Limiter.Destination {
    .chat(id: id, kind: .privateChat)
}

@Suite("Outbound limiter: rates")
struct OutboundLimiterRateTests {
    @Test func botSendsAtMostThirtyPerSecond() {
        var limiter = Limiter()
        for chat in 1...100 {
            limiter.enqueue("m\(chat)", to: privateChat(Int64(chat)), priority: .low, now: start)
        }
        let sent = drive(&limiter)
        #expect(sent.count == 100)
        #expect(sent.filter { $0.offset < .seconds(1) }.count == 30)
        #expect(busiestWindow(sent, window: .seconds(1)) == 30)
        #expect(sent.map(\.payload) == (1...100).map { "m\($0)" })
    }

    @Test func privateChatAllowsBurstOfThreeThenOnePerSecond() {
        var limiter = Limiter()
        for index in 1...6 {
            limiter.enqueue("p\(index)", to: privateChat(7), priority: .high, now: start)
        }
        let sent = drive(&limiter)
        #expect(sent.map(\.payload) == (1...6).map { "p\($0)" })
        // The burst goes as fast as the bot's own spacing allows.
        let botSpacing = Limiter.Configuration().botLimit.interval
        #expect(sent.map(\.offset) == [.zero, botSpacing, botSpacing * 2, .seconds(1), .seconds(2), .seconds(3)])
    }

    @Test func groupSendsTwentyPerMinute() {
        var limiter = Limiter()
        for index in 1...25 {
            limiter.enqueue("g\(index)", to: .chat(id: -100, kind: .groupChat), priority: .high, now: start)
        }
        let sent = drive(&limiter)
        #expect(sent.count == 25)
        #expect(sent.filter { $0.offset < .seconds(60) }.count == 20)
        #expect(busiestWindow(sent, window: .seconds(60)) == 20)
        #expect(sent[1].offset == .seconds(3))
    }

    @Test func instantsKeepTheirAttoseconds() {
        // The limiter counts from the first instant it sees; one given later
        // may be earlier, and spacings need not be whole nanoseconds.
        var limiter = Limiter(configuration: .init(privateChatLimit: OutboundRateLimit(count: 3, per: .seconds(1), burst: 1)))
        limiter.enqueue("p1", to: privateChat(1), priority: .high, now: at(.seconds(5)))
        limiter.enqueue("p2", to: privateChat(1), priority: .high, now: at(.seconds(5)))
        let spacing = OutboundRateLimit(count: 3, per: .seconds(1)).interval
        #expect(spacing == Duration(attoseconds: 333_333_333_333_333_334))
        #expect(drive(&limiter).map(\.offset) == [.zero, spacing])
    }

    @Test func configurationChangesLimits() {
        var limiter = Limiter(configuration: .init(privateChatLimit: OutboundRateLimit(count: 2, per: .seconds(1), burst: 1)))
        for index in 1...3 {
            limiter.enqueue("p\(index)", to: privateChat(1), priority: .high, now: start)
        }
        #expect(drive(&limiter).map(\.offset) == [.zero, .milliseconds(500), .seconds(1)])
    }

    @Test func callWithoutChatLimitIsNotHeldBackByTheChat() {
        var limiter = Limiter()
        for index in 1...5 {
            limiter.enqueue("m\(index)", to: privateChat(1), priority: .high, now: start)
        }
        // Three go at once (the burst); then the chat must wait a second.
        let burst = drive(&limiter, until: .milliseconds(200))
        #expect(burst.count == 3)
        limiter.enqueue("answerCallbackQuery", to: .notChatLimited, priority: .high, now: at(.milliseconds(200)))
        guard case .send(let job) = limiter.nextAction(now: at(.milliseconds(200))) else {
            Issue.record("the callback answer waited behind the chat")
            return
        }
        #expect(job.payload == "answerCallbackQuery")
        #expect(limiter.inFlightJobCount == 1)
        #expect(limiter.queuedJobCount == 2)
    }

    @Test func oneJobInFlightPerChat() {
        var limiter = Limiter()
        limiter.enqueue("a1", to: privateChat(1), priority: .high, now: start)
        limiter.enqueue("a2", to: privateChat(1), priority: .high, now: start)
        limiter.enqueue("b1", to: privateChat(2), priority: .high, now: start)
        guard case .send(let first) = limiter.nextAction(now: start) else {
            Issue.record("expected a send")
            return
        }
        let later = at(.milliseconds(100))
        guard case .send(let second) = limiter.nextAction(now: later) else {
            Issue.record("expected another chat to proceed")
            return
        }
        #expect([first.payload, second.payload] == ["a1", "b1"])
        guard case .idle = limiter.nextAction(now: later) else {
            Issue.record("a2 must wait for a1 to complete")
            return
        }
        #expect(limiter.completed(second.id, outcome: .success, now: later) != nil)
        #expect(limiter.completed(second.id, outcome: .success, now: later) == nil)
        _ = limiter.completed(first.id, outcome: .success, now: later)
        // The bot's own spacing still applies: ask once its next slot has come.
        guard case .send(let third) = limiter.nextAction(now: at(.milliseconds(200))) else {
            Issue.record("expected a2 after a1")
            return
        }
        #expect(third.payload == "a2")
    }
}

@Suite("Outbound limiter: priorities")
struct OutboundLimiterPriorityTests {
    @Test func interactiveGoesBeforeBulk() {
        var limiter = Limiter()
        for chat in 1...5 {
            limiter.enqueue("bulk\(chat)", to: privateChat(Int64(chat)), priority: .low, now: start)
        }
        limiter.enqueue("reply", to: privateChat(99), priority: .high, now: start)
        let sent = drive(&limiter)
        #expect(sent.map(\.payload) == ["reply", "bulk1", "bulk2", "bulk3", "bulk4", "bulk5"])
    }

    @Test func interactiveOvertakesABroadcastInProgress() {
        var limiter = Limiter()
        for chat in 1...60 {
            limiter.enqueue("bulk\(chat)", to: privateChat(Int64(chat)), priority: .low, now: start)
        }
        let first = drive(&limiter, until: .milliseconds(500))
        limiter.enqueue("reply", to: privateChat(99), priority: .high, now: at(.milliseconds(500)))
        let rest = drive(&limiter, from: .milliseconds(500))
        #expect(rest.first?.payload == "reply")
        #expect(first.count + rest.count == 61)
    }

    @Test func chatOrderHoldsAcrossPriorities() {
        var limiter = Limiter()
        limiter.enqueue("b1", to: privateChat(2), priority: .low, now: start)
        limiter.enqueue("a1", to: privateChat(1), priority: .low, now: start)
        limiter.enqueue("a2", to: privateChat(1), priority: .high, now: start)
        // a2 is urgent, so chat 1 goes first, but a1 still precedes a2.
        #expect(drive(&limiter).map(\.payload) == ["a1", "a2", "b1"])
    }
}

@Suite("Outbound limiter: failures")
struct OutboundLimiterFailureTests {
    @Test func chatScoped429PausesOnlyThatChat() {
        var limiter = Limiter()
        limiter.enqueue("a1", to: privateChat(1), priority: .high, now: start)
        limiter.enqueue("a2", to: privateChat(1), priority: .high, now: start)
        limiter.enqueue("b1", to: privateChat(2), priority: .high, now: start)
        limiter.enqueue("b2", to: privateChat(2), priority: .high, now: start)
        var limited = false
        let sent = drive(&limiter) { job in
            if job.payload == "a1" && !limited {
                limited = true
                return .rateLimited(retryAfter: .seconds(5), scope: .chat)
            }
            return .success
        }
        #expect(sent.map(\.payload) == ["a1", "b1", "b2", "a1", "a2"])
        #expect(sent[2].offset < .seconds(1))
        #expect(sent[3].offset == .seconds(5))
    }

    @Test func botWide429PausesEverything() {
        var limiter = Limiter()
        for chat in 1...3 {
            limiter.enqueue("m\(chat)", to: privateChat(Int64(chat)), priority: .high, now: start)
        }
        limiter.enqueue("answer", to: .notChatLimited, priority: .high, now: start)
        var limited = false
        let sent = drive(&limiter) { job in
            if !limited {
                limited = true
                return .rateLimited(retryAfter: .seconds(2), scope: .bot)
            }
            return .success
        }
        #expect(sent.map(\.payload) == ["m1", "m1", "m2", "m3", "answer"])
        #expect(sent[1].offset == .seconds(2))
        #expect(sent.dropFirst().allSatisfy { $0.offset >= .seconds(2) })
    }

    @Test func chatScoped429OnCallWithoutChatLimitDelaysOnlyThatCall() {
        var limiter = Limiter()
        limiter.enqueue("answer", to: .notChatLimited, priority: .high, now: start)
        limiter.enqueue("m1", to: privateChat(1), priority: .high, now: start)
        var limited = false
        let sent = drive(&limiter) { job in
            if job.payload == "answer" && !limited {
                limited = true
                return .rateLimited(retryAfter: .seconds(3), scope: .chat)
            }
            return .success
        }
        #expect(sent.map(\.payload) == ["answer", "m1", "answer"])
        #expect(sent[1].offset < .seconds(1))
        #expect(sent[2].offset == .seconds(3))
    }

    @Test func transientFailuresRetryWithBackoffInOrder() {
        var limiter = Limiter()
        limiter.enqueue("a1", to: privateChat(1), priority: .high, now: start)
        limiter.enqueue("a2", to: privateChat(1), priority: .high, now: start)
        limiter.enqueue("b1", to: privateChat(2), priority: .high, now: start)
        var failures = 0
        var retries: [Duration] = []
        let sent = drive(
            &limiter,
            outcome: { job in
                if job.payload == "a1" && failures < 2 {
                    failures += 1
                    return .transientFailure
                }
                return .success
            },
            completions: { completion in
                if case .willRetry(let job, let notBefore) = completion {
                    #expect(job.payload == "a1")
                    retries.append(notBefore - start)
                }
            }
        )
        #expect(sent.map(\.payload) == ["a1", "b1", "a1", "a1", "a2"])
        #expect(retries == [.milliseconds(500), .milliseconds(1500)])
        #expect(sent[2].offset == .milliseconds(500))
        #expect(sent[3].offset == .milliseconds(1500))
        // a2 never overtakes a1: the chat waits through a1's backoff.
        #expect(sent[4].offset >= sent[3].offset)
    }

    @Test func retriesAreCapped() {
        var limiter = Limiter(configuration: .init(retry: .init(maximumRetries: 2)))
        limiter.enqueue("doomed", to: privateChat(1), priority: .high, now: start)
        limiter.enqueue("next", to: privateChat(1), priority: .high, now: start)
        var failed: [(String, Int)] = []
        let sent = drive(
            &limiter,
            outcome: { $0.payload == "doomed" ? .transientFailure : .success },
            completions: { completion in
                if case .failed(let job, .retriesExhausted) = completion {
                    failed.append((job.payload, job.attempts))
                }
            }
        )
        #expect(sent.map(\.payload) == ["doomed", "doomed", "doomed", "next"])
        #expect(failed.count == 1 && failed.first?.0 == "doomed" && failed.first?.1 == 3)
    }

    @Test func permanentFailuresAreReportedNotRetried() {
        var limiter = Limiter()
        limiter.enqueue("bad", to: privateChat(1), priority: .high, now: start)
        limiter.enqueue("good", to: privateChat(1), priority: .high, now: start)
        var failures: [Limiter.Failure] = []
        let sent = drive(
            &limiter,
            outcome: { $0.payload == "bad" ? .permanentFailure : .success },
            completions: { completion in
                if case .failed(_, let failure) = completion { failures.append(failure) }
            }
        )
        #expect(sent.map(\.payload) == ["bad", "good"])
        #expect(failures == [.permanent])
    }

    @Test func queuedJobsOfABlockedChatCanBeDropped() {
        var limiter = Limiter()
        for index in 1...3 {
            limiter.enqueue("m\(index)", to: privateChat(1), priority: .low, now: start)
        }
        limiter.enqueue("other", to: privateChat(2), priority: .low, now: start)
        #expect(limiter.removeQueuedJobs(forChat: 1).map(\.payload) == ["m1", "m2", "m3"])
        #expect(drive(&limiter).map(\.payload) == ["other"])
    }

    @Test func outcomeFromBotAPIResponse() {
        #expect(Limiter.Outcome(BotAPIResponse<Bool>(ok: true, result: true)) == .success)
        #expect(
            Limiter.Outcome(BotAPIResponse<Bool>(ok: false, errorCode: 429, parameters: ResponseParameters(retryAfter: 7)))
                == .rateLimited(retryAfter: .seconds(7), scope: .chat)
        )
        #expect(Limiter.Outcome(BotAPIResponse<Bool>(ok: false, errorCode: 502)) == .transientFailure)
        #expect(Limiter.Outcome(BotAPIResponse<Bool>(ok: false, errorCode: 403)) == .permanentFailure)
        #expect(Limiter.Outcome(BotAPIResponse<Bool>(ok: false, errorCode: 400)) == .permanentFailure)
    }

    @Test func anEnormousRetryAfterHoldsWithoutOverflow() {
        var limiter = Limiter()
        limiter.enqueue("a1", to: privateChat(1), priority: .high, now: start)
        guard case .send(let job) = limiter.nextAction(now: start) else { Issue.record("nothing to send"); return }
        let completion = limiter.completed(job.id, outcome: .rateLimited(retryAfter: .seconds(Int64.max), scope: .bot), now: start)
        guard case .willRetry(_, let notBefore) = completion else { Issue.record("not kept: \(String(describing: completion))"); return }
        #expect(notBefore - start > .seconds(Int64(1) << 60), "held for ages, not wrapped round into the past")
        guard case .wait(let until) = limiter.nextAction(now: at(.seconds(3600))) else { Issue.record("not held"); return }
        #expect(until == notBefore)
    }

    @Test func backoffGrowsAndIsCapped() {
        let policy = Limiter.RetryPolicy(maximumRetries: 10, initialBackoff: .seconds(1), multiplier: 3, maximumBackoff: .seconds(20))
        #expect((1...5).map(policy.backoff(beforeRetry:)) == [.seconds(1), .seconds(3), .seconds(9), .seconds(20), .seconds(20)])
    }
}

/// A shared budget's "not yet" (``OutboundLimiter/Outcome/deferred(wait:scope:)``).
@Suite struct DeferredSendTests {
    @Test func deferredForTheBotHoldsThatPriorityAndBelowButNotHigher() throws {
        var limiter = Limiter()
        limiter.enqueue("low", to: .chat(id: 1, kind: .privateChat), priority: .low, now: at(.zero))
        guard case .send(let job) = limiter.nextAction(now: at(.zero)) else { Issue.record("nothing to send"); return }
        let completion = limiter.completed(job.id, outcome: .deferred(wait: .milliseconds(500), scope: .bot), now: at(.zero))
        guard case .willRetry(let held, let notBefore) = completion else { Issue.record("not kept: \(String(describing: completion))"); return }
        #expect(held.attempts == 0, "a deferral is not an attempt")
        #expect(notBefore == at(.milliseconds(500)))
        limiter.enqueue("normal", to: .chat(id: 2, kind: .privateChat), priority: .normal, now: at(.zero))
        limiter.enqueue("high", to: .chat(id: 3, kind: .privateChat), priority: .high, now: at(.zero))
        let sent = drive(&limiter, from: .milliseconds(40))
        #expect(sent.map(\.payload) == ["high", "normal", "low"])
        #expect(sent[0].offset < .milliseconds(500), "high is not held by low's deferral")
        #expect(sent[2].offset >= .milliseconds(500), "low waits out its deferral")
    }

    @Test func deferredForAChatHoldsThatChatOnly() throws {
        var limiter = Limiter()
        limiter.enqueue("a1", to: .chat(id: 1, kind: .privateChat), priority: .high, now: at(.zero))
        limiter.enqueue("b1", to: .chat(id: 2, kind: .privateChat), priority: .low, now: at(.zero))
        guard case .send(let job) = limiter.nextAction(now: at(.zero)) else { Issue.record("nothing to send"); return }
        #expect(job.payload == "a1")
        _ = limiter.completed(job.id, outcome: .deferred(wait: .seconds(2), scope: .chat), now: at(.zero))
        let sent = drive(&limiter, from: .milliseconds(40))
        #expect(sent.map(\.payload) == ["b1", "a1"])
        #expect(sent[1].offset >= .seconds(2))
    }
}

/// The limiter's own time line.
@Suite struct MomentTests {
    @Test func sumsSaturateInsteadOfTrapping() {
        let huge = Duration(attoseconds: .max)
        #expect(Moment(attoseconds: .max) + huge == .distantFuture)
        #expect(Moment(attoseconds: 0) + huge == .distantFuture)
        #expect(Moment(attoseconds: .min) - huge == .distantPast)
        #expect(Moment(attoseconds: 0) - Duration(attoseconds: .min) == .distantFuture)
        #expect(Moment(attoseconds: 5) + .seconds(1) - .seconds(1) == Moment(attoseconds: 5))
    }

    @Test func instantsGoThereAndBackExactly() {
        let scale = MomentScale(origin: start)
        for offset: Duration in [.zero, Duration(attoseconds: 1), .seconds(-3), .seconds(86_400 * 365) + Duration(attoseconds: 7)] {
            #expect(scale.instant(scale.moment(at(offset))) == at(offset))
        }
    }
}
