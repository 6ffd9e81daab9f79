import Gateway
import Localization
import Logging
import Synchronization
import TelegramBotAPI
import Testing

@Suite("Locale middleware")
struct LocaleMiddlewareTests {
    final class Recorder: UpdateHandler {
        let locale = Mutex<String?>(nil)
        func handle(_ update: Update, context: UpdateContext) async throws -> StepOutcome {
            self.locale.withLock { $0 = context.locale }
            return .unchanged
        }
    }

    static func locale(stored: String?, service: String?, telegram: String?) async throws -> String? {
        let supported = ["en", "ru", "uz"].compactMap(LocaleCode.init)
        let recorder = Recorder()
        let pipeline = UpdatePipeline(middleware: [LocaleMiddleware(supported: supported, defaultLocale: .en) { _, _ in stored }], handler: recorder)
        let language = telegram.map { #","language_code":"\#($0)""# } ?? ""
        let update = try Update.decode(from: Array("""
            {"update_id":1,"message":{"message_id":1,"date":1700000000,"chat":{"id":5,"type":"private","first_name":"U"},\
            "from":{"id":5,"is_bot":false,"first_name":"U"\(language)},"text":"hi"}}
            """.utf8))
        var context = UpdateContext(update: update, bot: BotID("uk"), conversation: "5", state: nil, logger: Logger(label: "test"))
        context.identity = service.map { UserIdentity(telegramID: 5, serviceUserID: "u-5", roles: [], language: $0) }
        _ = try await pipeline.run(update, context: context)
        return recorder.locale.withLock { $0 }
    }

    @Test("stored choice, then the user service's language, then Telegram's code if supported, then en")
    func order() async throws {
        #expect(try await Self.locale(stored: "uz", service: "ru", telegram: "en") == "uz")
        #expect(try await Self.locale(stored: nil, service: "ru", telegram: "en") == "ru")
        #expect(try await Self.locale(stored: nil, service: nil, telegram: "ru-RU") == "ru")
        #expect(try await Self.locale(stored: nil, service: nil, telegram: "de") == "en")
        #expect(try await Self.locale(stored: nil, service: nil, telegram: nil) == "en")
        #expect(try await Self.locale(stored: "fr", service: nil, telegram: "uz") == "uz", "an unsupported stored choice falls through")
    }
}
