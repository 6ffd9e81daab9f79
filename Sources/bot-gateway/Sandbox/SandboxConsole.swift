import Foundation
import Sandbox
import TelegramBotAPI
import TelegramEmulator

/// The terminal side of the sandbox: reads what the person types, sends it as the sandbox's first
/// person in their private chat (the conversation the chat page shows too), and prints what the
/// bot answers.
struct SandboxConsole {
    let world: SandboxWorld
    let person: SandboxWorld.Person

    /// How long to wait for the bot's first answer, and then for more.
    static let firstAnswer = Duration.seconds(10)
    static let moreAnswers = Duration.milliseconds(400)

    func run() async {
        let telegram = self.world.telegram
        let chatID = self.person.id
        var seen = telegram.lastSequence(inChat: chatID)
        for await line in Self.lines() {
            let labels = telegram.botEvents(inChat: chatID).last { !$0.buttonLabels.isEmpty }.map(SandboxTranscript.labels) ?? []
            do {
                switch SandboxInput.parse(line, labels: labels) {
                case .quit:
                    return
                case .help:
                    print(SandboxInput.helpText)
                    continue
                case .ignored(let hint):
                    if !hint.isEmpty { print(hint) }
                    continue
                case .press(let label):
                    try self.world.press(label, messageID: nil, by: self.person.id, in: .private)
                case .command(let name, let arguments):
                    try self.world.send(arguments.isEmpty ? "/\(name)" : "/\(name) \(arguments)", from: self.person.id, in: .private)
                case .text(let text):
                    try self.world.send(text, from: self.person.id, in: .private)
                case .photo(let caption):
                    try self.world.sendPhoto(nil, caption: caption, from: self.person.id, in: .private)
                case .contact(let phone):
                    try self.world.shareContact(phone: phone, from: self.person.id, in: .private)
                case .location(let latitude, let longitude):
                    try self.world.shareLocation(latitude: latitude, longitude: longitude, from: self.person.id, in: .private)
                }
            } catch {
                print(error.message)
                continue
            }
            seen = await self.printAnswers(after: seen)
        }
    }

    /// Prints the bot's sends and edits after event `sequence`; returns the last one printed.
    private func printAnswers(after sequence: Int) async -> Int {
        var last = sequence
        var wait = Self.firstAnswer
        while let event = try? await self.world.telegram.waitForBotMessage(chat: self.person.id, after: last, timeout: wait) {
            print(SandboxTranscript.render(event))
            last = event.sequence
            wait = Self.moreAnswers
        }
        if last == sequence {
            print("(no answer)")
        }
        return last
    }

    /// Standard input, line by line, read on a thread of its own so a
    /// blocking read never holds one of the few concurrency threads.
    private static func lines() -> AsyncStream<String> {
        AsyncStream { continuation in
            let reader = Thread {
                while let line = readLine() {
                    continuation.yield(line)
                }
                continuation.finish()
            }
            reader.start()
        }
    }
}
