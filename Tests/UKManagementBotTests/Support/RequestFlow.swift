import GatewayTestSupport
import TelegramEmulator

/// Drives `/create_request` to one of its steps with the sample answers.
enum RequestFlow {
    static let steps = ["category", "description", "address", "photo", "confirm"]

    /// Starts the flow and answers every step before `step`; returns the bot's
    /// message showing `step` (the pressed message, edited, or a new one).
    @discardableResult
    static func drive(_ chatter: Chatter, to step: String) async throws -> BotMessageEvent {
        guard let target = Self.steps.firstIndex(of: step) else { throw HarnessError("no step \(step)") }
        var shown = try await chatter.command("create_request")
        for reached in Self.steps.prefix(target) {
            shown = switch reached {
            case "category": try await chatter.press(Self.categoryName(chatter))
            case "description": try await chatter.say(Sample.description)
            case "address": try await chatter.say(Sample.address)
            default: try await chatter.press(chatter.text("button.skip"))
            }
        }
        guard shown.text.hasSuffix(Self.prompt(of: step, chatter)) else {
            throw HarnessError("driving to \(step), the bot said: \(shown.text)")
        }
        return shown
    }

    /// The Plumbing button in `chatter`'s language.
    static func categoryName(_ chatter: Chatter) -> String {
        Categories.names[chatter.locale.identifier]?[0] ?? "Plumbing"
    }

    /// The prompt `step` shows with the sample answers and no photos.
    static func prompt(of step: String, _ chatter: Chatter) -> String {
        switch step {
        case "category": chatter.text("request.category.prompt")
        case "description": chatter.text("request.description.prompt")
        case "address": chatter.text("request.address.prompt")
        case "photo": chatter.text("request.photo.prompt")
        default: Self.summary(chatter, photos: 0)
        }
    }

    static func summary(_ chatter: Chatter, photos: Int) -> String {
        chatter.text("request.confirm.summary", [
            "category": .string(Self.categoryName(chatter)),
            "description": .string(Sample.description),
            "address": .string(Sample.address),
            "photos": .int(photos),
        ])
    }

    /// The buttons `step` shows.
    static func buttons(of step: String, _ chatter: Chatter) -> [[String]] {
        let back = chatter.text("button.back")
        let cancel = chatter.text("button.cancel")
        switch step {
        case "category":
            let names = Categories.names[chatter.locale.identifier] ?? []
            return [Array(names[0..<2]), Array(names[2..<4]), [names[4]], [cancel]]
        case "description", "address": return [[back, cancel]]
        case "photo": return [[chatter.text("button.skip")], [back, cancel]]
        default: return [[chatter.text("button.confirm")], [back, cancel]]
        }
    }
}
