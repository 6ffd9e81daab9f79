import Foundation
import Synchronization
import TelegramBotAPI
import TelegramEmulator

/// Simulated users walking the happy path of `uk-bot-flows.md` in a closed
/// loop: each sends its next update only once the bot's reply to the
/// previous one arrived in its chat.
struct FlowUsers {
    /// One step of the happy path and what its reply must contain (English catalog).
    struct Step: Sendable {
        enum Action: Sendable {
            case command(String)
            case text(String)
            case press(String)
        }

        var action: Action
        /// A fragment the reply's text must contain; a reply without it counts as wrong.
        var expect: String
    }

    static let happyPath: [Step] = [
        Step(action: .command("start"), expect: "Hello, User"),
        Step(action: .press("Create request"), expect: "Choose a category"),
        Step(action: .press("Plumbing"), expect: "Describe the problem"),
        Step(action: .text("Water is leaking under the kitchen sink"), expect: "Enter the address"),
        Step(action: .text("Block 4, apartment 12"), expect: "Send a photo"),
        Step(action: .press("Skip"), expect: "Please check your request"),
        Step(action: .press("Confirm"), expect: "created"),
    ]

    /// One update and its reply.
    struct Sample: Sendable {
        var sent: ContinuousClock.Instant
        var received: ContinuousClock.Instant
    }

    /// What one user did.
    struct Outcome: Sendable {
        var samples: [Sample] = []
        var timeouts = 0
        var missingButtons = 0
        /// Replies to earlier updates that came before the one awaited.
        var lateReplies = 0
        var loops = 0
        /// The first few things that went wrong, for the report.
        var problems: [String] = []
        /// The updates of the first loop, for the null route's bodies.
        var firstLoop: [Update] = []
    }

    let telegram: FakeTelegram
    let users: Int
    let firstUserID: Int64 = 5_000_001
    let replyTimeout: Duration

    /// Runs every user until `stop`, then returns what they did.
    /// Set once the run is over; users finish the step they are on and stop.
    final class Stop: Sendable {
        private let flag = Atomic<Bool>(false)
        var isSet: Bool { self.flag.load(ordering: .relaxed) }
        func set() { self.flag.store(true, ordering: .relaxed) }
    }

    func run(until stop: Stop) async -> [Outcome] {
        let people = (0..<self.users).map { index in
            self.telegram.privateUser(id: self.firstUserID + Int64(index), firstName: "User\(index)", languageCode: "en")
        }
        return await withTaskGroup(of: Outcome.self) { group in
            for (index, person) in people.enumerated() {
                group.addTask {
                    // Users start spread over 100 ms rather than all in one instant.
                    try? await Task.sleep(for: .microseconds(index * 100_000 / max(self.users, 1)))
                    return await self.walk(person, until: stop, keepUpdates: index == 0)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    private func walk(_ person: TelegramUser, until stop: Stop, keepUpdates: Bool) async -> Outcome {
        var outcome = Outcome()
        outcome.samples.reserveCapacity(4096)
        let chat = person.chat.id
        let clock = ContinuousClock()
        while !stop.isSet {
            var completed = true
            for step in Self.happyPath {
                guard !stop.isSet else {
                    completed = false
                    break
                }
                let seen = self.telegram.lastSequence(inChat: chat)
                let sent = clock.now
                let update: Update
                do {
                    switch step.action {
                    case .command(let name): update = person.sendCommand(name)
                    case .text(let text): update = person.send(text)
                    case .press(let label): update = try person.press(label)
                    }
                } catch {
                    outcome.missingButtons += 1
                    outcome.note("chat \(chat): \(error)")
                    completed = false
                    break
                }
                if keepUpdates, outcome.loops == 0 {
                    outcome.firstLoop.append(update)
                }
                // The reply is the first send or edit whose text this step expects; anything
                // else arriving first is a reply to an earlier update that came late.
                var after = seen
                var replied = false
                let deadline = sent + self.replyTimeout
                while !replied {
                    let event: BotMessageEvent
                    do {
                        event = try await self.telegram.waitForBotMessage(chat: chat, after: after, timeout: max(deadline - clock.now, .milliseconds(1)))
                    } catch {
                        break
                    }
                    if (event.message.text ?? "").contains(step.expect) {
                        replied = true
                    } else {
                        outcome.lateReplies += 1
                        outcome.note("chat \(chat): before the reply to \(step.action) came \"\((event.message.text ?? "").prefix(50))\" (\(event.method))")
                        after = event.sequence
                    }
                }
                guard replied else {
                    outcome.timeouts += 1
                    outcome.note("chat \(chat): no reply to \(step.action) within \(self.replyTimeout)")
                    completed = false
                    break
                }
                outcome.samples.append(Sample(sent: sent, received: clock.now))
            }
            if completed {
                outcome.loops += 1
            } else if !stop.isSet {
                // Start over with /start; a short pause so a broken gateway is not hammered.
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        return outcome
    }
}

extension FlowUsers.Outcome {
    mutating func note(_ problem: String) {
        if self.problems.count < 3 { self.problems.append(problem) }
    }
}
