import Foundation
import Gateway
import GatewayTestSupport
import ServiceClients
import TelegramEmulator
import Testing
import UKManagementBot
import UKServiceFakes

@Suite("Typed downstream calls against the fake services")
struct TypedClientTests {
    private typealias H = DownstreamHarness

    @Test("an expires_in too large for a duration is clamped, not a trap", arguments: ["1e308", "9223372036854775807", "-5"])
    func hugeLifetimeIsClamped(expiresIn: String) throws {
        let json = #"{"access_token":"t","expires_in":"# + expiresIn + #","user":{"id":"u-1","telegram_id":1,"roles":[],"status":"active"}}"#
        let session = try JSONDecoder().decode(AuthSession.self, from: Data(json.utf8))
        #expect(session.expiresIn >= .zero)
        #expect(session.expiresIn <= .seconds(3_155_760_000))
    }

    @Test("auth: login answers the token, its lifetime and the user")
    func login() async throws {
        try await H.run { harness in
            let clients = try harness.clients()
            let identity = TelegramIdentity(telegramID: 777, username: "newbie", firstName: "New", lastName: "Comer", languageCode: "uz")
            let session = try await clients.auth.login(identity, requestID: "bot:1")
            #expect(session.tokenType == "bearer")
            #expect(session.expiresIn == .seconds(3600))
            #expect(session.accessToken.split(separator: ".").count == 3)
            #expect(session.user.telegramID == 777)
            #expect(session.user.roles == [.applicant])
            #expect(session.user.language == "uz")
            #expect(session.user.status == .active)
            let body = try #require(harness.services.calls(.authTelegram).first?.body)
            #expect(body == .object([
                "telegram_id": .int(777), "username": .string("newbie"), "first_name": .string("New"),
                "last_name": .string("Comer"), "language_code": .string("uz"),
            ]))
            #expect(harness.services.calls(.authTelegram).first?.idempotencyKey == nil)

            let executor = try await clients.auth.login(TelegramIdentity(telegramID: H.executor.telegramID), requestID: "bot:2")
            #expect(executor.user == AuthenticatedUser(id: "u-2", telegramID: 1002, roles: [.executor], language: "uz", status: .active))
        }
    }

    @Test("users: by Telegram id, unknown id, stored language")
    func users() async throws {
        try await H.run { harness in
            let clients = try harness.clients()
            let admin = H.caller(H.admin)
            let executor = try await clients.users.user(telegramID: H.executor.telegramID, caller: admin)
            #expect(executor == UserRecord(
                id: "u-2", telegramID: 1002, fullName: "Bob Electrician", phone: "+998901234567", roles: [.executor],
                language: "uz", specialization: "electrician", status: .active))
            let missing = await #expect(throws: DownstreamError.self) {
                _ = try await clients.users.user(telegramID: 999_999, caller: admin)
            }
            #expect(missing?.code == .notFound)
            #expect(missing?.catalogKey == "error.not_found")
            #expect(missing?.serviceCode == "not_found")

            let resident = H.caller(H.resident)
            try await clients.users.setLanguage("en", userID: "u-1", idempotencyKey: "bot:7:language", caller: resident)
            #expect(harness.services.user(id: "u-1")?.language == "en")
            let call = try #require(harness.services.calls(.userLanguage).first)
            #expect(call.method == "PATCH")
            #expect(call.body == .object(["language": .string("en")]))
            #expect(call.idempotencyKey == "bot:7:language")

            let invalid = await #expect(throws: DownstreamError.self) {
                try await clients.users.setLanguage("fr", userID: "u-1", idempotencyKey: "bot:8:language", caller: resident)
            }
            #expect(invalid?.code == .invalid)
            #expect(invalid?.serviceCode == "validation_failed")
            let forbidden = await #expect(throws: DownstreamError.self) {
                try await clients.users.setLanguage("en", userID: "u-2", idempotencyKey: "bot:9:language", caller: resident)
            }
            #expect(forbidden?.code == .forbidden)
        }
    }

    @Test("users: the list with filters and pages")
    func userList() async throws {
        try await H.run { harness in
            let clients = try harness.clients()
            let admin = H.caller(H.admin)
            let electricians = try await clients.users.users(
                matching: UserFilter(role: .executor, specialization: "electrician", availableOnly: true), caller: admin)
            #expect(electricians.items.map(\.id) == ["u-2"])
            #expect(electricians.total == 1)
            #expect(electricians.page == 1)
            #expect(electricians.perPage == 20)
            let available = try await clients.users.users(matching: UserFilter(role: .executor, availableOnly: true), caller: admin)
            #expect(available.items.map(\.id) == ["u-2"])
            let executors = try await clients.users.users(matching: UserFilter(role: .executor), caller: admin)
            #expect(executors.items.map(\.id) == ["u-2", "u-3"])

            let second = try await clients.users.users(page: 2, perPage: 4, caller: admin)
            #expect(second.items.map(\.id) == ["u-5", "u-6"])
            #expect(second.total == 6)
            #expect(second.pageCount == 2)
            #expect(harness.services.calls(.users).last?.uri == "/api/v1/users?page=2&per_page=4")
            #expect(harness.services.calls(.users).first?.uri
                == "/api/v1/users?role=executor&specialization=electrician&available_only=true&page=1&per_page=20")
        }
    }

    @Test("requests: categories, kept for 5 minutes")
    func categories() async throws {
        try await H.run { harness in
            let clock = ManualClock()
            let tokens = harness.tokens()
            let requests = RequestServiceClient(client: harness.client("request"), tokens: tokens, now: clock.now)
            let caller = H.caller(H.resident)
            let categories = try await requests.categories(caller: caller)
            #expect(categories.map(\.code) == ["plumbing", "electrical", "heating", "cleaning", "other"])
            #expect(categories[0].names == ["en": "Plumbing", "ru": "Сантехника", "uz": "Santexnika"])
            #expect(categories[0].name(in: "ru") == "Сантехника")
            #expect(categories[0].name(in: "de") == "Plumbing")

            clock.advance(by: .seconds(299))
            #expect(try await requests.categories(caller: caller) == categories)
            #expect(harness.services.calls(.categories).count == 1)
            clock.advance(by: .seconds(2))
            #expect(try await requests.categories(caller: caller) == categories)
            #expect(harness.services.calls(.categories).count == 2)
        }
    }

    @Test("requests: create, mine, by number, unknown number, refused draft")
    func requests() async throws {
        try await H.run { harness in
            let clients = try harness.clients()
            let resident = H.caller(H.resident)
            let draft = RequestDraft(
                category: "plumbing", description: "The kitchen tap leaks", address: "Block 4, apt 12", photos: ["file-1", "file-2"])
            let created = try await clients.requests.create(draft, idempotencyKey: "bot:10:confirm", caller: resident)
            #expect(created.id == "r-1")
            #expect(created.number == "R-000001")
            #expect(created.status == .new)
            #expect(created.createdAt != nil)
            #expect(harness.services.calls(.createRequest).first?.body == .object([
                "category": .string("plumbing"), "description": .string("The kitchen tap leaks"),
                "address": .string("Block 4, apt 12"), "photos": .array([.string("file-1"), .string("file-2")]),
            ]))

            let mine = try await clients.requests.myRequests(caller: resident)
            #expect(mine == [RequestSummary(number: "R-000001", category: "plumbing", status: .new, createdAt: created.createdAt)])
            #expect(harness.services.calls(.listRequests).first?.uri == "/api/v1/requests?mine=true&limit=10")
            #expect(try await clients.requests.myRequests(caller: H.caller(H.executor)).isEmpty)

            let details = try await clients.requests.request(number: "R-000001", caller: resident)
            #expect(details.number == "R-000001")
            #expect(details.status == .new)
            #expect(details.executor == nil)
            #expect(details.history.map(\.status) == [.new])
            #expect(details.history.first?.at == created.createdAt)
            #expect(details.category == "plumbing")
            #expect(details.photos == ["file-1", "file-2"])

            let unknown = await #expect(throws: DownstreamError.self) {
                _ = try await clients.requests.request(number: "R-999/../x", caller: resident)
            }
            #expect(unknown?.code == .notFound)
            #expect(harness.services.calls(.requestByNumber).last?.uri == "/api/v1/requests/R-999%2F..%2Fx")

            let refused = await #expect(throws: DownstreamError.self) {
                _ = try await clients.requests.create(
                    RequestDraft(category: "plumbing", description: "short", address: "Block 4"), idempotencyKey: "bot:11:confirm",
                    caller: resident)
            }
            #expect(refused?.code == .invalid)
            #expect(refused?.status == 400)
            #expect(refused?.serviceMessage == "description must be 10 to 1000 characters")
        }
    }

    @Test("shifts: available, take, mine, schedule; taken twice is a conflict; a resident is refused")
    func shifts() async throws {
        try await H.run { harness in
            let clients = try harness.clients()
            let executor = H.caller(H.executor)
            let available = try await clients.shifts.availableShifts(caller: executor)
            #expect(available.map(\.id) == ["s-1", "s-2", "s-3"])
            #expect(available[0].location == "Block 4")
            #expect(available[0].endsAt.timeIntervalSince(available[0].startsAt) == 8 * 3600)

            let taken = try await clients.shifts.take(shiftID: "s-1", idempotencyKey: "bot:20:confirm", caller: executor)
            #expect(taken == available[0])
            #expect(try await clients.shifts.myShifts(caller: executor) == [taken])
            #expect(try await clients.shifts.availableShifts(caller: executor).map(\.id) == ["s-2", "s-3"])

            let today = CalendarDay(Date())
            let week = try await clients.shifts.schedule(from: today, to: today.adding(days: 7), caller: executor)
            #expect(week.map(\.id) == ["s-1", "s-2", "s-3"])
            let tomorrow = try await clients.shifts.schedule(from: today.adding(days: 1), to: today.adding(days: 1), caller: executor)
            #expect(tomorrow.map(\.id) == ["s-1"])
            #expect(harness.services.calls(.shiftSchedule).first?.uri
                == "/api/v1/shifts/schedule?from=\(today)&to=\(today.adding(days: 7))")

            let conflict = await #expect(throws: DownstreamError.self) {
                _ = try await clients.shifts.take(shiftID: "s-1", idempotencyKey: "bot:21:confirm", caller: H.caller(H.busyExecutor))
            }
            #expect(conflict?.code == .conflict)
            #expect(conflict?.status == 409)
            #expect(conflict?.serviceMessage == "shift s-1 is already taken")
            #expect(conflict?.catalogKey == "error.conflict")

            let forbidden = await #expect(throws: DownstreamError.self) {
                _ = try await clients.shifts.take(shiftID: "s-2", idempotencyKey: "bot:22:confirm", caller: H.caller(H.resident))
            }
            #expect(forbidden?.code == .forbidden)
            #expect(forbidden?.catalogKey == "error.forbidden")
        }
    }

    @Test("analytics: a manager's summary per period; a resident is refused")
    func analytics() async throws {
        try await H.run { harness in
            let clients = try harness.clients()
            for period in [AnalyticsPeriod.day, .week, .month] {
                let summary = try await clients.analytics.summary(period: period, caller: H.caller(H.manager))
                #expect(summary.period == period)
                #expect(summary.requestsCreated == 0)
                #expect(summary.averageResolutionHours == 18.5)
                #expect(summary.activeUsers == 5)
            }
            #expect(harness.services.calls(.analyticsSummary).map(\.uri).last == "/api/v1/analytics/summary?period=month")
            let forbidden = await #expect(throws: DownstreamError.self) {
                _ = try await clients.analytics.summary(period: .week, caller: H.caller(H.resident))
            }
            #expect(forbidden?.code == .forbidden)
        }
    }

    @Test("Idempotency-Key: the same create twice makes one request and answers the same")
    func idempotentCreate() async throws {
        try await H.run { harness in
            let clients = try harness.clients()
            let draft = RequestDraft(category: "heating", description: "No heating in the flat", address: "Block 2, apt 3")
            let first = try await clients.requests.create(draft, idempotencyKey: "bot:30:confirm", caller: H.caller(H.resident, "bot:30"))
            let again = try await clients.requests.create(draft, idempotencyKey: "bot:30:confirm", caller: H.caller(H.resident, "bot:31"))
            #expect(again == first)
            #expect(harness.services.creationCount(idempotencyKey: "bot:30:confirm") == 1)
            #expect(harness.services.requestCount == 1)
        }
    }

    @Test("Idempotency-Key: retries of a create after 503s carry the same key and create once")
    func idempotentRetries() async throws {
        try await H.run { harness in
            let clients = try harness.clients()
            harness.services.failNext(2, of: .createRequest)
            let draft = RequestDraft(category: "electrical", description: "The stairwell light is out", address: "Block 1")
            let created = try await clients.requests.create(draft, idempotencyKey: "bot:40:confirm", caller: H.caller(H.resident))
            #expect(created.number == "R-000001")
            let calls = harness.services.calls(.createRequest)
            #expect(calls.map(\.status) == [503, 503, 201])
            #expect(calls.map(\.idempotencyKey) == ["bot:40:confirm", "bot:40:confirm", "bot:40:confirm"])
            #expect(harness.services.creationCount(idempotencyKey: "bot:40:confirm") == 1)
            #expect(harness.services.requestCount == 1)
        }
    }

    @Test("Idempotency-Key: taking a shift twice with one key answers the shift both times")
    func idempotentTake() async throws {
        try await H.run { harness in
            let clients = try harness.clients()
            let first = try await clients.shifts.take(shiftID: "s-3", idempotencyKey: "bot:50:confirm", caller: H.caller(H.executor))
            let again = try await clients.shifts.take(shiftID: "s-3", idempotencyKey: "bot:50:confirm", caller: H.caller(H.executor))
            #expect(again == first)
            #expect(harness.services.creationCount(idempotencyKey: "bot:50:confirm") == 1)
        }
    }
}
