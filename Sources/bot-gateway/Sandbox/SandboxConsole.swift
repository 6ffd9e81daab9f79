import Foundation
import TelegramBotAPI
import TelegramEmulator

/// The terminal side of the sandbox: reads what the person types, sends it
/// as the emulated user, and prints what the bot answers.
struct SandboxConsole {
    let telegram: FakeTelegram
    let chat: TelegramUser

    /// How long to wait for the bot's first answer, and then for more.
    static let firstAnswer = Duration.seconds(10)
    static let moreAnswers = Duration.milliseconds(400)

    func run() async {
        var seen = 0
        for await line in Self.lines() {
            let labels = self.telegram.botEvents(inChat: self.chat.chat.id).last { !$0.buttonLabels.isEmpty }.map(SandboxTranscript.labels) ?? []
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
                do {
                    try self.chat.press(label)
                } catch {
                    print("no button \"\(label)\" to press: \(error)")
                    continue
                }
            case .command(let name, let arguments):
                self.chat.sendCommand(name, arguments: arguments)
            case .text(let text):
                self.chat.send(text)
            case .photo(let caption):
                self.chat.sendPhoto(caption: caption)
            case .contact(let phone):
                self.chat.sendContact(phoneNumber: phone)
            case .location(let latitude, let longitude):
                self.chat.sendLocation(latitude: latitude, longitude: longitude)
            }
            seen = await self.printAnswers(after: seen)
        }
    }

    /// Prints the bot's sends and edits after event `sequence`; returns the last one printed.
    private func printAnswers(after sequence: Int) async -> Int {
        var last = sequence
        var wait = Self.firstAnswer
        while let event = try? await self.telegram.waitForBotMessage(chat: self.chat.chat.id, after: last, timeout: wait) {
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
