import ForwardBot
import Foundation
import Gateway
import GatewayTestSupport
import Localization
import RedisClient
import TelegramEmulator
import Testing
import UKManagementBot
import UKServiceFakes

/// One process, two kinds: a `uk` bot and a `forward` bot in one assembled
/// gateway, each on its own webhook path, with its own keys and sender.
@Suite("A uk bot and a forward bot in one gateway", .serialized, .timeLimit(.minutes(2)))
struct MixedKindsTests {
    @Test("both answer, each through its own path, keys and Bot API token")
    func bothAnswer() async throws {
        let uk = FakeTelegram(configuration: .init(token: "111111:uk-bot-token"))
        let shop = FakeTelegram(configuration: .init(token: "222222:shop-bot-token"))
        let services = FakeServices()
        try await uk.start()
        try await shop.start()
        try await services.start()
        do {
            try await Self.run(uk: uk, shop: shop, services: services)
        } catch {
            await uk.shutdown()
            await shop.shutdown()
            await services.shutdown()
            throw error
        }
        await uk.shutdown()
        await shop.shutdown()
        await services.shutdown()
    }

    private static func run(uk: FakeTelegram, shop: FakeTelegram, services: FakeServices) async throws {
        let prefix = "mixed-" + UUID().uuidString.prefix(8).lowercased()

        try await TestBackend.with(respond: { call, _ in call.reply("shop: \(call.text ?? "")") }) { backend, url in
            try await BotAPIRouter.with([uk, shop]) { apiURL in
                let bots = [
                    GatewayConfiguration.Bot(
                        id: BotID("uk"), token: uk.configuration.token, webhookPath: "/webhook/uk", webhookSecret: ForwardWorld.webhookSecret),
                    GatewayConfiguration.Bot(
                        id: BotID("shop"), token: shop.configuration.token, webhookPath: "/webhook/shop", webhookSecret: ForwardWorld.webhookSecret,
                        kind: "forward", settings: ["url": .string(url), "signing_secret": .string(TestBot.secret)]),
                ]
                try await ForwardWorld.serve(
                    bots, kinds: BotKinds([UKBotKind(), ForwardBotKind()]), telegram: [(uk, "/webhook/uk"), (shop, "/webhook/shop")],
                    apiURL: apiURL, prefix: prefix,
                    services: Dictionary(uniqueKeysWithValues: DownstreamClients.serviceNames.map { ($0, services.baseURL) })
                ) {
                    let resident = uk.privateUser(id: 9701, firstName: "Aziz", languageCode: "en")
                    let customer = shop.privateUser(id: 9702, firstName: "Olga", languageCode: "en")
                    resident.sendCommand("start")
                    customer.send("hi")

                    let greeting = try await eventually("the uk bot's greeting") {
                        uk.botEvents(inChat: resident.chat.id).first?.message.text
                    }
                    let catalogs = try Catalogs.load(directory: ForwardWorld.repository.appendingPathComponent("locales"))
                    #expect(greeting.hasPrefix(catalogs.text("menu.greeting", locale: .en, arguments: ["name": "Aziz"])))
                    let echo = try await eventually("the forward bot's answer") {
                        shop.botEvents(inChat: customer.chat.id).first?.message.text
                    }
                    #expect(echo == "shop: hi")
                    #expect(shop.botEvents(inChat: resident.chat.id).isEmpty && uk.botEvents(inChat: customer.chat.id).isEmpty)
                    #expect(backend.calls.count == 1, "only the forward bot's update reached the backend")
                }
                let redis = RedisClient(configuration: try TestRedis.configuration(), logger: TestRedis.logger)
                let keys = try await TestRedis.keys(prefix: prefix, on: redis)
                #expect(keys.contains { $0.hasPrefix("{\(prefix):uk:") })
                #expect(keys.contains { $0.hasPrefix("{\(prefix):shop:") })
                try await TestRedis.deleteKeys(prefix: prefix, on: redis)
                await redis.close()
            }
        }
    }
}
