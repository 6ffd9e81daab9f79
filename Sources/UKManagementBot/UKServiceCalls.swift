import Conversations
import Foundation
import Gateway
import ServiceClients
import Localization

/// Makes the service calls the UK flows ask for, through the downstream
/// clients, and turns each answer into what the flow stores or a failure
/// the flow branches on.
struct UKServiceCalls: Sendable {
    static let categories = "request.categories"
    static let createRequest = "request.create"
    static let requestDetails = "request.details"
    static let availableShifts = "shift.available"
    static let takeShift = "shift.take"
    static let analyticsSummary = "analytics.summary"
    static let setLanguage = "user.set_language"

    /// Who the call is for and how to word what it returns.
    struct Caller: Sendable {
        var downstream: DownstreamCaller
        var bot: BotID
        var chatID: Int64
        var serviceUserID: String?
        var texts: Localizer
    }

    let services: DownstreamClients
    let preferences: any LanguagePreferences

    /// Performs `call`; never throws: every failure becomes a flow outcome.
    func perform(_ call: ServiceCall, for caller: Caller) async -> ServiceOutcome {
        do {
            return try await self.dispatch(call, caller)
        } catch let error as DownstreamError {
            return Self.outcome(of: error)
        } catch {
            return .failure(.unavailable)
        }
    }

    private func dispatch(_ call: ServiceCall, _ caller: Caller) async throws -> ServiceOutcome {
        let locale = caller.texts.locale.identifier
        switch call.name {
        case Self.categories:
            let categories = try await self.services.requests.categories(caller: caller.downstream)
            return .success(["categories": .options(categories.map { FlowOption(value: $0.code, label: $0.name(in: locale)) })])

        case Self.createRequest:
            let draft = RequestDraft(
                category: call.arguments["category"]?.string ?? "",
                description: call.arguments["description"]?.string ?? "",
                address: call.arguments["address"]?.string ?? "",
                photos: Self.strings(call.arguments["photos"])
            )
            let created = try await self.services.requests.create(draft, idempotencyKey: call.idempotencyKey, caller: caller.downstream)
            return .success(["number": .string(created.number)])

        case Self.requestDetails:
            guard let number = Self.requestNumber(call.arguments["number"]?.string ?? "") else {
                return .failure(.invalid, messageKey: "request.status.invalid")
            }
            let details = try await self.services.requests.request(number: number, caller: caller.downstream)
            return .success(UKText.details(of: details, texts: caller.texts))

        case Self.availableShifts:
            let shifts = try await self.services.shifts.availableShifts(caller: caller.downstream)
            return .success(["shifts": .options(shifts.map { FlowOption(value: $0.id, label: UKText.shift($0, texts: caller.texts)) })])

        case Self.takeShift:
            _ = try await self.services.shifts.take(
                shiftID: call.arguments["shift"]?.string ?? "",
                idempotencyKey: call.idempotencyKey,
                caller: caller.downstream
            )
            return .success()

        case Self.analyticsSummary:
            let period = AnalyticsPeriod(rawValue: call.arguments["period"]?.string ?? "day")
            let summary = try await self.services.analytics.summary(period: period, caller: caller.downstream)
            return .success([
                "created": .int(summary.requestsCreated),
                "done": .int(summary.requestsDone),
                "hours": .string(String(format: "%.1f", summary.averageResolutionHours)),
                "active": .int(summary.activeUsers),
            ])

        case Self.setLanguage:
            let language = call.arguments["language"]?.string ?? ""
            // Stored here first: the choice must hold even if the user service is down.
            try await self.preferences.setLanguage(language, bot: caller.bot, userID: caller.downstream.telegramID, chatID: caller.chatID)
            if let userID = caller.serviceUserID {
                do {
                    try await self.services.users.setLanguage(language, userID: userID, idempotencyKey: call.idempotencyKey, caller: caller.downstream)
                } catch {
                    // The gateway's copy is what the bot answers in; the service learns it next time.
                }
            }
            return .success()

        default:
            return .failure(.unavailable, messageKey: "error.unexpected")
        }
    }

    private static func strings(_ value: FlowValue?) -> [String] {
        if case .strings(let items) = value { return items }
        return []
    }

    /// `R-000981`, `r-981` or `981` as the service's number format; nil for anything else.
    static func requestNumber(_ text: String) -> String? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        if digits.hasPrefix("R-") { digits.removeFirst(2) }
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let padded = String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        return "R-\(padded)"
    }

    static func outcome(of error: DownstreamError) -> ServiceOutcome {
        switch error.code {
        case .conflict: .failure(.conflict)
        case .notFound: .failure(.notFound)
        case .invalid: .failure(.invalid, messageKey: "error.invalid")
        case .forbidden, .unauthorized: .failure(.forbidden)
        case .blocked: .failure(.forbidden, messageKey: "error.blocked")
        case .unavailable, .rateLimited, .cancelled: .failure(.unavailable)
        default: .failure(.unavailable, messageKey: "error.unexpected")
        }
    }
}
