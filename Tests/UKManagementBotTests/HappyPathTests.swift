import Localization
import TelegramEmulator
import Testing

/// The happy path of uk-bot-flows.md, driven through the real `bot-gateway
/// serve`, in each of the bot's languages.
@Suite("UK bot end to end: the happy path", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct HappyPathTests {
    @Test("create a request: /start, Create request, Plumbing, description, address, Skip, Confirm", arguments: ["en", "ru", "uz"])
    func createRequest(language: String) async throws {
        try await BotWorld.run { world in
            let alex = world.privateUser(id: 7001, firstName: "Alex", languageCode: language)
            let names = try #require(Categories.names[language])

            let greeting = try await alex.command("start")
            #expect(greeting.text == alex.text("menu.greeting", ["name": "Alex"]))
            #expect(greeting.buttonLabels == alex.applicantMenu)

            let categories = try await alex.press(alex.text("button.create_request"))
            #expect(categories.kind == .edited, "the menu message becomes the question")
            #expect(categories.text == alex.text("request.category.prompt"))
            #expect(categories.buttonLabels == [[names[0], names[1]], [names[2], names[3]], [names[4]], [alex.text("button.cancel")]])

            let description = try await alex.press(names[0])
            #expect(description.text == alex.text("request.description.prompt"))
            #expect(description.buttonLabels == [[alex.text("button.back"), alex.text("button.cancel")]])

            let address = try await alex.say(Sample.description)
            #expect(address.text == alex.text("request.address.prompt"))
            #expect(address.buttonLabels == [[alex.text("button.back"), alex.text("button.cancel")]])

            let photo = try await alex.say(Sample.address)
            #expect(photo.text == alex.text("request.photo.prompt"))
            #expect(photo.buttonLabels == [[alex.text("button.skip")], [alex.text("button.back"), alex.text("button.cancel")]])

            let summary = try await alex.press(alex.text("button.skip"))
            #expect(summary.text == alex.text("request.confirm.summary", [
                "category": .string(names[0]), "description": .string(Sample.description), "address": .string(Sample.address), "photos": 0,
            ]))
            #expect(summary.buttonLabels == [[alex.text("button.confirm")], [alex.text("button.back"), alex.text("button.cancel")]])
            #expect(world.services.calls(.createRequest).isEmpty, "nothing is posted before Confirm")

            let created = try await alex.press(alex.text("button.confirm"))
            #expect(created.text == alex.withMenu(alex.text("request.created", ["number": "R-000001"])))
            #expect(created.buttonLabels == alex.applicantMenu)

            let posts = world.services.calls(.createRequest)
            #expect(posts.count == 1)
            let post = try #require(posts.first)
            #expect(post.status == 201)
            #expect(post.body == .object([
                "category": .string("plumbing"),
                "description": .string(Sample.description),
                "address": .string(Sample.address),
                "photos": .array([]),
            ]))
            let key = try #require(post.idempotencyKey)
            #expect(!key.isEmpty)
            #expect(world.services.creationCount(idempotencyKey: key) == 1)
            #expect(world.services.requestCount == 1)
            #expect(try await world.storedState(alex.conversation) == nil, "a finished flow leaves no state")

            // Every pressed button was answered, so no client spins.
            for query in world.telegram.calls("answerCallbackQuery") {
                #expect(query["callback_query_id"]?.stringValue?.isEmpty == false)
            }
            #expect(world.telegram.calls("answerCallbackQuery").count == 4)
        }
    }
}

/// What the tests type.
enum Sample {
    static let description = "Water is leaking under the kitchen sink"
    static let address = "Block 4, apartment 12"
}

/// The categories the fake request service offers, by language, in its order.
enum Categories {
    static let names: [String: [String]] = [
        "en": ["Plumbing", "Electrical", "Heating", "Cleaning", "Other"],
        "ru": ["Сантехника", "Электрика", "Отопление", "Уборка", "Другое"],
        "uz": ["Santexnika", "Elektr", "Isitish", "Tozalash", "Boshqa"],
    ]
}
