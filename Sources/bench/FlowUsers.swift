import Foundation
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
        Step(action: .command("start"), expect: "Choose what you would like to do"),
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
        var wrongReplies = 0
        var loops = 0
        /// The updates of the first loop, for the null route's bodies.
        var firstLoop: [Update] = []
    }

    let telegram: FakeTelegram
    let users: Int
    let firstUserID: Int64 = 5_000_001
    let replyTimeout: Duration

    /// Runs every user until `stop`, then returns what they did.
    func run(until stop: ContinuousClock.Instant) async -> [Outcome] {
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

    private func walk(_ person: TelegramUser, until stop: ContinuousClock.Instant, keepUpdates: Bool) async -> Outcome {
        var outcome = Outcome()
        outcome.samples.reserveCapacity(4096)
        let chat = person.chat.id
        let clock = ContinuousClock()
        while clock.now < stop {
            var completed = true
            for step in Self.happyPath {
                guard clock.now < stop else {
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
                    completed = false
                    break
                }
                if keepUpdates, outcome.loops == 0 {
                    outcome.firstLoop.append(update)
                }
                let reply: BotMessageEvent
                do {
                    reply = try await self.telegram.waitForBotMessage(chat: chat, after: seen, timeout: self.replyTimeout)
                } catch {
                    outcome.timeouts += 1
                    completed = false
                    break
                }
                outcome.samples.append(Sample(sent: sent, received: clock.now))
                if !(reply.message.text ?? "").contains(step.expect) {
                    outcome.wrongReplies += 1
                    completed = false
                    break
                }
            }
            if completed {
                outcome.loops += 1
            } else if clock.now < stop {
                // Start over with /start; a short pause so a broken gateway is not hammered.
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        return outcome
    }
}
