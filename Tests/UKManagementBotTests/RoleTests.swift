import TelegramEmulator
import UKServiceFakes
import Testing

/// Commands are refused without their role (from the auth service, or
/// `ADMIN_USER_IDS`) and work with it.
@Suite("UK bot end to end: roles", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct RoleTests {
    static let executor = ServiceUser(id: "u-exec", telegramID: 7602, fullName: "Ivan Petrov", roles: ["executor"])

    @Test("an applicant is refused executor and admin commands; an executor takes a shift; ADMIN_USER_IDS opens /users")
    func roles() async throws {
        try await BotWorld.run(.init(environment: ["ADMIN_USER_IDS": "7603"], users: [Self.executor])) { world in
            let applicant = world.privateUser(id: 7601, firstName: "Aziz", languageCode: "uz")
            let executor = world.privateUser(id: 7602, firstName: "Ivan", languageCode: "ru")
            let admin = world.privateUser(id: 7603, firstName: "Olga")

            await world.concurrently([
                {
                    for command in ["take_shift", "my_shifts", "analytics", "users"] {
                        let refused = try await applicant.command(command)
                        #expect(refused.text == applicant.text("error.forbidden"), "/\(command)")
                    }
                    #expect(try await world.storedState(applicant.conversation) == nil, "a refused command starts no flow")
                },
                { try await Self.takeShift(executor, world) },
            ])
            #expect(world.services.calls(.availableShifts).count == 1, "only the executor's /take_shift reached the shift service")
            #expect(world.services.calls(.analyticsSummary).isEmpty)
            #expect(world.services.calls(.users).isEmpty)

            let menu = try await admin.command("start")
            #expect(menu.buttonLabels == admin.applicantMenu + [[admin.text("button.admin")]])
            let users = try await admin.command("users")
            // The services know the executor, and the applicant and the admin from their first contact.
            let lines = users.text.split(separator: "\n").map(String.init)
            #expect(lines.first == admin.text("users.title", ["total": 3, "page": 1, "pages": 1]))
            #expect(lines.contains(admin.text("users.item", ["name": "Ivan Petrov", "roles": .string(admin.text("role.executor"))])))
            #expect(world.services.calls(.users).count == 1)
        }
    }

    private static func takeShift(_ executor: Chatter, _ world: BotWorld) async throws {
        let menu = try await executor.command("start")
        #expect(menu.buttonLabels == executor.applicantMenu + [[executor.text("button.my_shifts"), executor.text("button.take_shift")]])

        let offer = try await executor.command("take_shift")
        #expect(offer.text == executor.text("shift.available.prompt"))
        #expect(offer.buttonLabels.count == 4, "three open shifts and Cancel: \(offer.buttonLabels)")
        let shift = try #require(offer.buttonLabels.first?.first)

        let confirm = try await executor.press(shift)
        #expect(confirm.text == executor.text("shift.take.confirm", ["shift": .string(shift)]))
        let taken = try await executor.press(executor.text("button.confirm"))
        #expect(taken.text == executor.withMenu(executor.text("shift.taken")))

        let takes = world.services.calls(.takeShift)
        #expect(takes.count == 1)
        #expect(takes.first?.status == 200)
        #expect(takes.first?.uri == "/api/v1/shifts/s-1/take")
        #expect(takes.first?.idempotencyKey?.isEmpty == false)
    }
}
