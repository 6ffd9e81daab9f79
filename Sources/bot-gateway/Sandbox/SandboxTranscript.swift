import TelegramBotAPI
import TelegramEmulator

/// Renders what the bot did in the sandbox's chat as terminal text: each
/// message with its keyboard, buttons numbered for typing.
enum SandboxTranscript {
    /// The labels of an event's inline keyboard, flattened in reading order.
    static func labels(of event: BotMessageEvent) -> [String] {
        event.buttonLabels.flatMap { $0 }
    }

    /// Lines for one bot event.
    static func render(_ event: BotMessageEvent) -> String {
        let marker = event.kind == .edited ? "bot (edited) ›" : "bot ›"
        let body = event.message.text ?? event.message.caption ?? "[\(event.method)]"
        var lines = [marker + " " + body.replacingOccurrences(of: "\n", with: "\n      ")]
        var number = 0
        for row in event.buttonLabels {
            let buttons = row.map { label -> String in
                number += 1
                return "[\(number) \(label)]"
            }
            lines.append("      " + buttons.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    /// The line for a callback answer that carries a notice.
    static func renderNotice(_ text: String) -> String {
        "bot (notice) › \(text)"
    }
}
