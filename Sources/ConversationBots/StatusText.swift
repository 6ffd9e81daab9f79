import Foundation
public import Gateway
public import Localization
public import TelegramBotAPI

/// `/status` as one message in the admin's language, with a **Refresh**
/// button that runs the command again and edits the message in place.
public enum StatusText {
    /// The message's text.
    public static func render(_ report: StatusReport, texts: Localizer) -> String {
        var lines = [texts.text("status.title"), "", texts.text("status.instances", ["count": .int(report.instances.count)])]
        for instance in report.instances {
            let uptime = instance.started.map { max(0, Int(report.taken.timeIntervalSince($0))) } ?? 0
            var line = texts.text("status.instance", [
                "id": .string(instance.id),
                "uptime": .string(texts.text("status.uptime", ["hours": .int(uptime / 3600), "minutes": .int(uptime % 3600 / 60)])),
                "pid": .string(instance.pid.map(String.init) ?? "?"),
            ])
            if instance.isThis { line += " " + texts.text("status.this") }
            lines.append(line)
        }
        let activity = report.activity
        let p99 = activity.p99Milliseconds.map { $0.isFinite ? texts.text("status.p99", ["milliseconds": .int(Int($0))]) : texts.text("status.p99.over") }
        lines.append(texts.text("status.activity", [
            "per_minute": .string(String(format: "%.1f", activity.updatesPerMinute)),
            "p99": .string(p99 ?? texts.text("status.p99.none")),
        ]))
        lines.append("")
        for bot in report.bots {
            if let waiting = bot.waiting, let pending = bot.repliesPending, let dead = bot.deadLetters {
                lines.append(texts.text("status.bot", [
                    "bot": .string(bot.name), "waiting": .int(waiting), "pending": .int(pending), "dead": .int(dead),
                ]))
            } else {
                lines.append(texts.text("status.bot.local", ["bot": .string(bot.name)]))
            }
            if let reason = bot.sendingPaused {
                lines.append(texts.text("status.sending_paused", ["reason": .string(reason)]))
            }
            lines.append(texts.text("status.rate_limited", ["count": .int(bot.rateLimitedLastHour)]))
            if let webhook = bot.webhook {
                if let error = webhook.lastError, let at = webhook.lastErrorAt {
                    let minutes = max(0, Int(report.taken.timeIntervalSince(at) / 60))
                    lines.append(texts.text("status.webhook.error", ["pending": .int(webhook.pending), "minutes": .int(minutes), "error": .string(error)]))
                } else {
                    lines.append(texts.text("status.webhook.ok", ["pending": .int(webhook.pending)]))
                }
            }
        }
        if !activity.services.isEmpty {
            lines.append("")
            for (name, service) in activity.services.sorted(by: { $0.key < $1.key }) {
                let circuits = service.circuits.sorted { $0.key < $1.key }
                let circuit =
                    circuits.count == 1
                    ? texts.text("status.circuit.\(circuits[0].key)")
                    : circuits.map { "\(texts.text("status.circuit.\($0.key)")) (\($0.value))" }.joined(separator: ", ")
                lines.append(texts.text("status.service", [
                    "name": .string(name), "circuit": .string(circuit),
                    "failures": .int(service.failures), "attempts": .int(service.attempts),
                    "percent": .int(service.attempts == 0 ? 0 : service.failures * 100 / service.attempts),
                ]))
            }
        }
        lines.append("")
        for dependency in report.dependencies {
            let name = Self.names[dependency.name] ?? dependency.name
            let line =
                switch dependency.state {
                case .up: texts.text("status.up", ["name": .string(name)])
                case .down(let reason): texts.text("status.down", ["name": .string(name), "reason": .string(reason)])
                case .degraded(let reason): texts.text("status.degraded", ["name": .string(name), "reason": .string(reason)])
                }
            lines.append(line)
        }
        let clock = ISO8601DateFormatter()
        clock.formatOptions = [.withTime, .withColonSeparatorInTime]
        lines.append(texts.text("status.taken", ["time": .string(clock.string(from: report.taken))]))
        return lines.joined(separator: "\n")
    }

    /// The dependencies' names as their makers write them, the same in every language.
    static let names = ["redis": "Redis", "postgresql": "PostgreSQL"]

    /// The **Refresh** button.
    public static func keyboard(texts: Localizer) -> InlineKeyboardMarkup? {
        (try? InlineKeyboardButton.callback(texts.text("button.refresh"), data: AuthMiddleware.commandButtonPrefix + "status"))
            .map { InlineKeyboardMarkup(rows: [[$0]]) }
    }
}
