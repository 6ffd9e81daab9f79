import Conversations
import Foundation
import Gateway
import Localization

/// How the UK bot words what the services return: request details, shifts, lists.
enum UKText {
    /// Dates as the bot shows them, in UTC: `21.11 08:00`.
    static func dateTime(_ date: Date) -> String {
        let parts = Calendar.utc.dateComponents([.day, .month, .hour, .minute], from: date)
        return String(format: "%02d.%02d %02d:%02d", parts.day ?? 0, parts.month ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    /// A request status in the user's language.
    static func status(_ status: RequestStatus, texts: Localizer) -> String {
        let key = "request.status.name.\(status.rawValue)"
        let text = texts.text(key)
        return text == key ? status.rawValue : text
    }

    /// The data `request.status.details` shows.
    static func details(of request: RequestDetails, texts: Localizer) -> [String: FlowValue] {
        let history = request.history.map { entry in
            texts.text("request.status.history_item", ["date": .string(Self.dateTime(entry.at)), "status": .string(Self.status(entry.status, texts: texts))])
        }
        return [
            "number": .string(request.number),
            "status": .string(Self.status(request.status, texts: texts)),
            "executor": .string(request.executor ?? texts.text("request.status.no_executor")),
            "history": .string(history.isEmpty ? "—" : history.joined(separator: "\n")),
        ]
    }

    /// One shift on one line: `21.11 08:00 – 21.11 20:00, Block 4`.
    static func shift(_ shift: Shift, texts: Localizer) -> String {
        texts.text("shift.item", ["start": .string(Self.dateTime(shift.startsAt)), "end": .string(Self.dateTime(shift.endsAt)), "location": .string(shift.location)])
    }

    /// A list under its title, or the empty text.
    static func list(title: String, empty: String, items: [String], texts: Localizer) -> String {
        items.isEmpty ? texts.text(empty) : ([texts.text(title)] + items).joined(separator: "\n")
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }()
}
