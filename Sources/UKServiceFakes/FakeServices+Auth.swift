import Foundation
import TelegramBotAPI
import TelegramEmulator

extension FakeServices {
    /// Who may do what, as `permissions/check` answers: `resource:action` to the roles allowed.
    static let permissions: [String: Set<String>] = [
        "request:create": ["applicant", "executor", "manager", "admin"],
        "request:read": ["applicant", "executor", "manager", "admin"],
        "shift:take": ["executor"],
        "shift:read": ["executor", "manager", "admin"],
        "analytics:read": ["manager", "admin"],
        "users:read": ["admin"],
        "broadcast:send": ["admin"],
        "settings:write": ["admin"],
    ]

    func login(_ context: ServiceContext, in state: inout ServicesState) -> ServiceResponse {
        guard let telegramID = context.body?["telegram_id"]?.intValue else {
            return .validation("telegram_id is required")
        }
        let user: ServiceUser
        if let known = state.users.values.first(where: { $0.telegramID == telegramID }) {
            user = known
        } else {
            let first = context.body?["first_name"]?.stringValue ?? "User"
            let last = context.body?["last_name"]?.stringValue
            let language = context.body?["language_code"]?.stringValue.flatMap { ["en", "ru", "uz"].contains($0) ? $0 : nil }
            user = ServiceUser(
                id: "u-\(1000 + state.nextUserNumber)", telegramID: telegramID,
                fullName: [first, last].compactMap { $0 }.joined(separator: " "), language: language)
            state.nextUserNumber += 1
            state.users[user.id] = user
        }
        let lifetime = Int(configuration.tokenLifetime / .seconds(1))
        let token = Self.makeToken(for: user, lifetime: lifetime)
        state.sessions[token] = ServicesState.Session(userID: user.id, expires: Date().addingTimeInterval(TimeInterval(lifetime)))
        return .ok(.object([
            "access_token": .string(token), "token_type": .string("bearer"), "expires_in": .int(Int64(lifetime)),
            "user": user.authJSON,
        ]))
    }

    func checkPermission(_ context: ServiceContext) -> ServiceResponse {
        guard let resource = context.body?["resource"]?.stringValue, let action = context.body?["action"]?.stringValue else {
            return .validation("resource and action are required")
        }
        let allowed = Self.permissions["\(resource):\(action)"] ?? []
        let roles = Set(context.user?.roles ?? [])
        return .ok(.object(["allowed": .bool(context.user?.status == "active" && !allowed.isDisjoint(with: roles))]))
    }

    /// The user a bearer token belongs to, while it is valid.
    static func caller(_ authorization: String?, in state: ServicesState) -> ServiceUser? {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return nil }
        let token = authorization.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard let session = state.sessions[token], session.expires > Date() else { return nil }
        return state.users[session.userID]
    }

    /// A JWT-shaped token: a real header and claims, and random bytes where an HS256 signature
    /// would be — the gateway treats the token as opaque, and the fake checks it by lookup.
    private static func makeToken(for user: ServiceUser, lifetime: Int) -> String {
        let now = Int(Date().timeIntervalSince1970)
        let header = JSONValue.object(["alg": .string("HS256"), "typ": .string("JWT")])
        let claims = JSONValue.object([
            "sub": .string(user.id), "telegram_id": .int(user.telegramID),
            "roles": .array(user.roles.map(JSONValue.string)), "iat": .int(Int64(now)), "exp": .int(Int64(now + lifetime)),
            "jti": .string(UUID().uuidString),
        ])
        let signature = (0..<32).map { _ in UInt8.random(in: 0...255) }
        return [Data(header.jsonText.utf8), Data(claims.jsonText.utf8), Data(signature)].map(base64URL).joined(separator: ".")
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
