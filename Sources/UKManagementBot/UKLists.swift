import ConversationBots
import Conversations
import Foundation
import Gateway
import ServiceClients
import Localization
import Persistence
import TelegramBotAPI

/// The UK bot's answers that are lists rather than conversations: the
/// user's requests and shifts, the schedule, and the admin's user list.
enum UKLists {
    /// Callback data of a request's **Details** button: `req:R-000981`.
    static let requestPrefix = "req:"
    /// Callback data of a user-list page, with an optional role filter: `users:2`, `users:1:executor`.
    static let usersPrefix = "users:"
    static let usersPerPage = 10

    static func myRequests(services: DownstreamClients, _ turn: inout ConversationTurn) async {
        await Self.answering(&turn) { turn in
            let requests = try await services.requests.myRequests(limit: 10, caller: turn.caller.downstream)
            let lines = requests.map { request in
                turn.texts.text("request.list.item", [
                    "number": .string(request.number),
                    "status": .string(UKText.status(request.status, texts: turn.texts)),
                    "date": .string(request.createdAt.map(UKText.dateTime) ?? "—"),
                ])
            }
            turn.reply.say(UKText.list(title: "request.list.title", empty: "request.list.empty", items: lines, texts: turn.texts))
            let buttons = requests.compactMap { request in
                try? InlineKeyboardButton.callback("\(turn.texts.text("button.details")): \(request.number)", data: Self.requestPrefix + request.number)
            }
            turn.reply.show(buttons.isEmpty ? nil : InlineKeyboardMarkup(rows: buttons.map { [$0] }))
        }
    }

    static func requestDetails(_ number: String, calls: UKServiceCalls, _ turn: inout ConversationTurn) async {
        let call = ServiceCall(name: UKServiceCalls.requestDetails, arguments: ["number": .string(number)], idempotencyKey: "")
        switch await calls.perform(call, for: turn.caller) {
        case .success(let data):
            turn.reply.say(turn.text(Prompt("request.status.details", data.mapValues { PromptArgument.value($0) })))
        case .failure(let failure, let key):
            turn.reply.say(turn.texts.text(key ?? Self.failureKey(failure), ["number": .string(number)]))
        }
    }

    static func myShifts(services: DownstreamClients, _ turn: inout ConversationTurn) async {
        await Self.answering(&turn) { turn in
            let shifts = try await services.shifts.myShifts(caller: turn.caller.downstream)
            let lines = shifts.map { UKText.shift($0, texts: turn.texts) }
            turn.reply.say(UKText.list(title: "shift.mine.title", empty: "shift.mine.empty", items: lines, texts: turn.texts))
        }
    }

    static func schedule(services: DownstreamClients, _ turn: inout ConversationTurn) async {
        await Self.answering(&turn) { turn in
            let today = CalendarDay(Date())
            let shifts = try await services.shifts.schedule(from: today, to: today.adding(days: 7), caller: turn.caller.downstream)
            let lines = shifts.map { UKText.shift($0, texts: turn.texts) }
            turn.reply.say(UKText.list(title: "shift.schedule.title", empty: "shift.schedule.empty", items: lines, texts: turn.texts))
        }
    }

    static let roles = ["applicant", "executor", "manager", "admin"]

    /// A page of the user list from callback data after `users:` (`2`, `1:executor`).
    static func users(query: Substring, services: DownstreamClients, _ turn: inout ConversationTurn) async {
        let parts = query.split(separator: ":", maxSplits: 1)
        let role = parts.count > 1 ? String(parts[1]) : nil
        await Self.users(page: parts.first.flatMap { Int($0) } ?? 1, role: role.flatMap { Self.roles.contains($0) ? $0 : nil }, services: services, &turn)
    }

    static func users(page: Int, role: String? = nil, services: DownstreamClients, _ turn: inout ConversationTurn) async {
        await Self.answering(&turn) { turn in
            let filter = UserFilter(role: role.map(UserRole.init(rawValue:)))
            let result = try await services.users.users(matching: filter, page: max(page, 1), perPage: Self.usersPerPage, caller: turn.caller.downstream)
            let suffix = role.map { ":\($0)" } ?? ""
            var filters = [try? InlineKeyboardButton.callback(turn.texts.text("users.filter.all"), data: "\(Self.usersPrefix)1")]
            filters += Self.roles.map { try? InlineKeyboardButton.callback(turn.texts.text("role.\($0)"), data: "\(Self.usersPrefix)1:\($0)") }
            let filterRows = [Array(filters.prefix(3)), Array(filters.dropFirst(3))].map { $0.compactMap { $0 } }
            guard !result.items.isEmpty else {
                turn.reply.say(turn.texts.text("users.empty"))
                turn.reply.show(InlineKeyboardMarkup(rows: filterRows))
                return
            }
            let title = turn.texts.text("users.title", ["total": .int(result.total), "page": .int(result.page), "pages": .int(result.pageCount)])
            let lines = result.items.map { user in
                turn.texts.text("users.item", [
                    "name": .string(user.fullName),
                    "roles": .string(user.roles.map { turn.texts.text("role.\($0.rawValue)") }.joined(separator: ", ")),
                ])
            }
            turn.reply.say(([title] + lines).joined(separator: "\n"))
            var row: [InlineKeyboardButton] = []
            if result.page > 1, let previous = try? InlineKeyboardButton.callback(turn.texts.text("button.previous"), data: "\(Self.usersPrefix)\(result.page - 1)\(suffix)") {
                row.append(previous)
            }
            if result.page < result.pageCount, let next = try? InlineKeyboardButton.callback(turn.texts.text("button.next"), data: "\(Self.usersPrefix)\(result.page + 1)\(suffix)") {
                row.append(next)
            }
            turn.reply.say(turn.texts.text("users.filter.prompt"))
            turn.reply.show(InlineKeyboardMarkup(rows: (row.isEmpty ? [] : [row]) + filterRows))
        }
    }

    /// Runs a list's service reads; a failure is answered in the user's language.
    private static func answering(_ turn: inout ConversationTurn, _ body: (inout ConversationTurn) async throws -> Void) async {
        do {
            try await body(&turn)
        } catch let error as DownstreamError {
            turn.context.logger.warning("service read failed", metadata: ["error": "\(error)"])
            turn.reply.say(turn.texts.text(error.catalogKey))
        } catch {
            turn.reply.say(turn.texts.text("error.unexpected"))
        }
    }

    private static func failureKey(_ failure: ServiceFailure) -> String {
        switch failure {
        case .notFound: "request.status.not_found"
        case .invalid: "request.status.invalid"
        default: "error.service_unavailable"
        }
    }
}
