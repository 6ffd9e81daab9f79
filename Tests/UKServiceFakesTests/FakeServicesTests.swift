import CurlHTTP
import Foundation
import TelegramBotAPI
import TelegramEmulator
import Testing
import UKServiceFakes

/// A started `FakeServices`, a client, and helpers that speak the contract.
private struct ServicesHarness {
    let services: FakeServices
    let client: HTTPClient

    func call(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, body: JSONValue? = nil,
        idempotencyKey: String? = nil, timeout: Duration? = nil
    ) async throws -> (Int, JSONValue) {
        var headers = [HTTPHeader(name: "Content-Type", value: "application/json"), HTTPHeader(name: "X-Request-ID", value: "req-1")]
        if let token { headers.append(HTTPHeader(name: "Authorization", value: "Bearer \(token)")) }
        if let idempotencyKey { headers.append(HTTPHeader(name: "Idempotency-Key", value: idempotencyKey)) }
        let response = try await client.execute(HTTPRequest(
            method: method, url: services.baseURL + path, headers: headers,
            body: body.map { .bytes(Array($0.jsonText.utf8)) } ?? .none, timeout: timeout))
        return (response.status, try JSONValue(parsing: response.body))
    }

    func login(_ telegramID: Int64) async throws -> String {
        let (_, body) = try await call(.post, "/api/v1/auth/telegram", body: .object(["telegram_id": .int(telegramID), "first_name": .string("Alice"), "language_code": .string("ru")]))
        return try #require(body["access_token"]?.stringValue)
    }
}

private func withServices(_ body: (ServicesHarness) async throws -> Void) async throws {
    let services = FakeServices(configuration: .init(users: [
        ServiceUser(id: "u-1", telegramID: 1001, fullName: "Alice Resident"),
        ServiceUser(id: "u-2", telegramID: 2002, fullName: "Bob Plumber", roles: ["executor"], language: "uz", specialization: "plumber"),
        ServiceUser(id: "u-3", telegramID: 3003, fullName: "Carol Electrician", roles: ["executor"], specialization: "electrician"),
        ServiceUser(id: "u-4", telegramID: 4004, fullName: "Dan Manager", roles: ["manager"]),
    ]))
    try await services.start()
    let client = try HTTPClient()
    do {
        try await body(ServicesHarness(services: services, client: client))
    } catch {
        await client.shutdown()
        await services.shutdown()
        throw error
    }
    await client.shutdown()
    await services.shutdown()
}

@Suite struct FakeServicesTests {
    @Test func loginIssuesAJWTShapedTokenWithTheUsersRoles() async throws {
        try await withServices { harness in
            let (status, body) = try await harness.call(.post, "/api/v1/auth/telegram", body: .object(["telegram_id": .int(2002)]))
            #expect(status == 200)
            #expect(body["token_type"] == .string("bearer"))
            #expect(body["expires_in"] == .int(3600))
            #expect(body["user"]?["roles"] == .array([.string("executor")]))
            #expect(body["user"]?["language"] == .string("uz"))
            let token = try #require(body["access_token"]?.stringValue)
            #expect(token.split(separator: ".").count == 3)

            let (_, valid) = try await harness.call(.post, "/api/v1/auth/validate", token: token)
            #expect(valid["valid"] == .bool(true))
            let (_, allowed) = try await harness.call(.post, "/api/v1/auth/permissions/check", token: token, body: .object(["resource": .string("shift"), "action": .string("take")]))
            #expect(allowed["allowed"] == .bool(true))

            let newcomer = try await harness.login(9009)
            let (_, me) = try await harness.call(.get, "/api/v1/users/by-telegram/9009", token: newcomer)
            #expect(me["roles"] == .array([.string("applicant")]))
            #expect(me["language"] == .string("ru"))
        }
    }

    @Test func missingUnknownOrExpiredTokensAnswer401() async throws {
        try await withServices { harness in
            let (status, body) = try await harness.call(.get, "/api/v1/requests/categories")
            #expect(status == 401)
            #expect(body["error"]?["code"] == .string("unauthorized"))
            #expect(try await harness.call(.get, "/api/v1/requests/categories", token: "a.b.c").0 == 401)
            let token = try await harness.login(1001)
            #expect(try await harness.call(.get, "/api/v1/requests/categories", token: token).0 == 200)
            harness.services.expireAllTokens()
            #expect(try await harness.call(.get, "/api/v1/requests/categories", token: token).0 == 401)
            #expect(harness.services.calls(.categories).last?.requestID == "req-1")
        }
    }

    @Test func requestsAreCreatedOncePerIdempotencyKey() async throws {
        try await withServices { harness in
            let token = try await harness.login(1001)
            let (_, categories) = try await harness.call(.get, "/api/v1/requests/categories", token: token)
            #expect(categories["items"]?.decodeCodes == ["plumbing", "electrical", "heating", "cleaning", "other"])
            #expect(categories["items"]?[0]?["names"]?["ru"] == .string("Сантехника"))

            let request = JSONValue.object([
                "category": .string("plumbing"), "description": .string("Water is leaking under the kitchen sink"),
                "address": .string("Block 4, apartment 12"), "photos": .array([]),
            ])
            let (status, first) = try await harness.call(.post, "/api/v1/requests", token: token, body: request, idempotencyKey: "key-1")
            #expect(status == 201)
            #expect(first["number"] == .string("R-000001"))
            #expect(first["status"] == .string("new"))
            let (againStatus, again) = try await harness.call(.post, "/api/v1/requests", token: token, body: request, idempotencyKey: "key-1")
            #expect(againStatus == 201 && again == first)
            #expect(harness.services.creationCount(idempotencyKey: "key-1") == 1)
            #expect(harness.services.requestCount == 1)
            #expect(harness.services.calls(.createRequest).map(\.idempotencyKey) == ["key-1", "key-1"])

            let (_, mine) = try await harness.call(.get, "/api/v1/requests?mine=true&limit=10", token: token)
            #expect(mine["items"]?[0]?["number"] == .string("R-000001"))
            let (_, found) = try await harness.call(.get, "/api/v1/requests/R-000001", token: token)
            #expect(found["executor"] == .null)
            #expect(found["history"]?[0]?["status"] == .string("new"))
            let (missing, error) = try await harness.call(.get, "/api/v1/requests/R-999999", token: token)
            #expect(missing == 404 && error["error"]?["code"] == .string("not_found"))
            let (invalid, _) = try await harness.call(.post, "/api/v1/requests", token: token, body: .object(["category": .string("magic")]))
            #expect(invalid == 400)
        }
    }

    @Test func failureInjectionAnswers503ThenRecovers() async throws {
        try await withServices { harness in
            let token = try await harness.login(1001)
            harness.services.failNext(2, of: .categories)
            let (first, body) = try await harness.call(.get, "/api/v1/requests/categories", token: token)
            #expect(first == 503)
            #expect(body["error"]?["code"]?.stringValue != nil)
            #expect(try await harness.call(.get, "/api/v1/requests/categories", token: token).0 == 503)
            #expect(try await harness.call(.get, "/api/v1/requests/categories", token: token).0 == 200)

            harness.services.delayNext(of: .categories, by: .seconds(2))
            await #expect(throws: HTTPClientError.self) {
                try await harness.call(.get, "/api/v1/requests/categories", token: token, timeout: .milliseconds(300))
            }
        }
    }

    @Test func takingATakenShiftIsAConflict() async throws {
        try await withServices { harness in
            let bob = try await harness.login(2002)
            let carol = try await harness.login(3003)
            let (_, available) = try await harness.call(.get, "/api/v1/shifts/available", token: bob)
            let shiftID = try #require(available["items"]?[0]?["id"]?.stringValue)
            let (taken, shift) = try await harness.call(.post, "/api/v1/shifts/\(shiftID)/take", token: bob, idempotencyKey: "take-1")
            #expect(taken == 200 && shift["id"] == .string(shiftID))
            #expect(try await harness.call(.post, "/api/v1/shifts/\(shiftID)/take", token: bob, idempotencyKey: "take-1").0 == 200)
            let (conflict, body) = try await harness.call(.post, "/api/v1/shifts/\(shiftID)/take", token: carol, idempotencyKey: "take-2")
            #expect(conflict == 409)
            #expect(body["error"]?["code"] == .string("conflict"))
            let (_, mine) = try await harness.call(.get, "/api/v1/shifts/mine", token: bob)
            #expect(mine["items"]?[0]?["id"] == .string(shiftID))
        }
    }

    @Test func usersListFiltersAndPaginates() async throws {
        try await withServices { harness in
            let dan = try await harness.login(4004)
            let (_, executors) = try await harness.call(.get, "/api/v1/users?role=executor&specialization=electrician&available_only=true&page=1&per_page=20", token: dan)
            #expect(executors["total"] == .int(1))
            #expect(executors["items"]?[0]?["full_name"] == .string("Carol Electrician"))
            let (_, page) = try await harness.call(.get, "/api/v1/users?page=2&per_page=3", token: dan)
            #expect(page["total"] == .int(4))
            #expect(page["items"]?.arrayCount == 1)
            // A page number far past the end is an empty page, not an overflow.
            let (status, far) = try await harness.call(.get, "/api/v1/users?page=\(Int.max)&per_page=100", token: dan)
            #expect(status == 200)
            #expect(far["items"]?.arrayCount == 0)

            let (_, changed) = try await harness.call(.patch, "/api/v1/users/u-4/language", token: dan, body: .object(["language": .string("uz")]), idempotencyKey: "lang-1")
            #expect(changed["language"] == .string("uz"))
            let (_, summary) = try await harness.call(.get, "/api/v1/analytics/summary?period=week", token: dan)
            #expect(summary["period"] == .string("week"))
            #expect(summary["avg_resolution_hours"] == .double(18.5))
        }
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    var arrayCount: Int? {
        if case .array(let items) = self { return items.count }
        return nil
    }

    var decodeCodes: [String]? {
        if case .array(let items) = self { return items.compactMap { $0["code"]?.stringValue } }
        return nil
    }
}
