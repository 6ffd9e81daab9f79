import Foundation
public import Gateway
import Localization

/// The notices the UK's services send residents and executors through the
/// operator API (`uk-bot-flows.md`, "Notifications from the UK's services"):
/// the request notices carry a **Details** button running `/request_status`,
/// and the shift reminder shows its start in the user's language and
/// Tashkent time.
public enum UKNotifications {
    /// The zone shift times are shown in.
    static let zone = TimeZone(identifier: "Asia/Tashkent") ?? .gmt

    /// The templates, by catalog key.
    public static let templates: [String: MessageTemplate] = {
        let details = [[MessageTemplate.Button(label: "button.details", command: "request_status {number}")]]
        var templates: [String: MessageTemplate] = [
            "notify.request.assigned": MessageTemplate(arguments: ["number", "executor"], buttons: details),
            "notify.shift.reminder": MessageTemplate(arguments: ["location", "starts_at"]) { arguments, locale in
                guard case .string(let text)? = arguments["starts_at"], let start = Self.date(text) else {
                    return .failure(TemplateArgumentProblem(argument: "starts_at", message: "expected an RFC 3339 time, e.g. 2026-12-03T08:00:00+05:00"))
                }
                var derived = arguments
                derived["time"] = .string(Self.format(start, locale: locale))
                return .success(derived)
            },
        ]
        for state in ["in_progress", "done", "cancelled"] {
            templates["notify.request.\(state)"] = MessageTemplate(arguments: ["number"], buttons: details)
        }
        return templates
    }()

    static func date(_ text: String) -> Date? {
        guard text.count <= 40 else { return nil }
        return (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    /// `date` as a day and a time in `locale`, in Tashkent.
    static func format(_ date: Date, locale: LocaleCode) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .shortened, locale: Locale(identifier: locale.identifier), timeZone: Self.zone)
        style.calendar = Calendar(identifier: .gregorian)
        return date.formatted(style)
    }
}
