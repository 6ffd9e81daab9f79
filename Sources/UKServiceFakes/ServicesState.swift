import Foundation
import TelegramBotAPI
import TelegramEmulator

/// Everything the fake services remember; guarded by their mutex.
struct ServicesState {
    struct Session {
        var userID: String
        var expires: Date
    }

    struct StoredRequest {
        var id: String
        var number: String
        var ownerID: String
        var category: String
        var description: String
        var address: String
        var photos: [String]
        var status: String
        var executor: String?
        var createdAt: String
        var history: [(status: String, at: String)]
    }

    struct Shift {
        var id: String
        var startsAt: String
        var endsAt: String
        var location: String
        var takenBy: String?

        var json: JSONValue {
            .object(["id": .string(id), "starts_at": .string(startsAt), "ends_at": .string(endsAt), "location": .string(location)])
        }
    }

    /// An injected fault waiting for the next calls of its route.
    enum Fault {
        case status(Int)
        case delay(Duration)
    }

    var users: [String: ServiceUser] = [:]
    var sessions: [String: Session] = [:]
    var requests: [StoredRequest] = []
    var shifts: [Shift] = []
    /// First answers of writes by route and `Idempotency-Key`.
    var idempotentAnswers: [String: ServiceResponse] = [:]
    var creationsPerKey: [String: Int] = [:]
    var faults: [ServiceRoute: [Fault]] = [:]
    var latency: [ServiceRoute: Duration] = [:]
    /// A status every call of the route answers until it is switched off.
    var outages: [ServiceRoute: Int] = [:]
    var calls: [ServiceCall] = []
    var nextUserNumber = 1
}

/// A status and a JSON body.
struct ServiceResponse: Sendable {
    var status: Int
    var body: JSONValue
    var headers: [(name: String, value: String)] = []

    static func ok(_ body: JSONValue) -> ServiceResponse {
        ServiceResponse(status: 200, body: body)
    }

    /// The contract's error body: `{"error": {"code": …, "message": …}}`.
    static func error(_ status: Int, _ code: String, _ message: String) -> ServiceResponse {
        ServiceResponse(status: status, body: .object(["error": .object(["code": .string(code), "message": .string(message)])]))
    }

    static func notFound(_ what: String) -> ServiceResponse {
        error(404, "not_found", "\(what) not found")
    }

    static func validation(_ message: String) -> ServiceResponse {
        error(400, "validation_failed", message)
    }
}

/// What a route handler sees of one request.
struct ServiceContext {
    var route: ServiceRoute
    var parameters: [String]
    var query: [String: String]
    var body: JSONValue?
    /// The caller, from the bearer token; nil only on the login route.
    var user: ServiceUser?
}
