import CurlHTTP
import Foundation
import Synchronization
import TelegramBotAPI

/// A fake Telegram Bot API for tests, the sandbox and benchmarks, on 127.0.0.1.
///
/// It serves `/bot{token}/{method}` for one configured bot with Telegram's response shapes and
/// error wording, keeps the messages the bot sent per chat, records every call, and lets scripted
/// users (`TelegramUser`) produce updates that go to the webhook the bot set or wait for
/// `getUpdates`.
///
/// ```swift
/// let telegram = FakeTelegram()
/// try await telegram.start()
/// let alice = telegram.privateUser(id: 1001, firstName: "Alice")
/// let seen = telegram.lastSequence(inChat: alice.chat.id)
/// alice.sendCommand("start")
/// let reply = try await telegram.waitForBotMessage(chat: alice.chat.id, after: seen)
/// try alice.press("Create request")
/// await telegram.shutdown()
/// ```
///
/// `Sendable` because its state sits behind a `Mutex`.
public final class FakeTelegram: Sendable {
    /// The settings this fake was created with.
    public let configuration: Configuration
    /// The bot as `getMe` describes it and as the sender of its messages.
    public let bot: User

    let state: Mutex<EmulatorState>
    let changes = ChangeSignal()
    /// One signal per chat that someone waits on in `waitForBotMessage`, woken only by the bot's
    /// events in that chat: with hundreds of simulated users waiting at once, waking every waiter on
    /// every change of any chat would cost more than the gateway being measured.
    let chatChanges = Mutex<[Int64: ChangeSignal]>([:])
    private let runtime = Mutex(Runtime())

    private struct Runtime {
        var server: LocalHTTPServer?
        var client: HTTPClient?
        var delivery: Task<Void, Never>?
        var port: Int?
    }

    /// Creates a fake; it listens only after `start()`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let botID = Int64(configuration.token.prefix { $0 != ":" }) ?? 1
        self.bot = User(id: botID, isBot: true, firstName: configuration.botFirstName, username: configuration.botUsername)
        self.state = Mutex(EmulatorState(limits: configuration.limits))
    }

    /// Listens on 127.0.0.1 and starts pushing updates to a webhook once one is set.
    ///
    /// - Returns: The bound port.
    @discardableResult
    public func start() async throws -> Int {
        // Webhooks are on this machine only; an HTTPS one is the gateway's own listener with a
        // self-signed certificate, so the peer is not verified.
        let client = try HTTPClient(configuration: HTTPClient.Configuration(
            timeout: configuration.webhook.timeout, tls: HTTPClient.Configuration.TLS(verifiesPeer: false)))
        let server = LocalHTTPServer(port: configuration.port) { request in
            await self.answer(request)
        }
        let port: Int
        do {
            port = try await server.start()
        } catch {
            await client.shutdown()
            throw error
        }
        let delivery = Task { await self.deliverUpdates(with: client) }
        runtime.withLock {
            $0 = Runtime(server: server, client: client, delivery: delivery, port: port)
        }
        return port
    }

    /// Stops listening, stops webhook delivery and ends waiting long polls.
    public func shutdown() async {
        let runtime = runtime.withLock { runtime in
            defer { runtime = Runtime(port: runtime.port) }
            return runtime
        }
        runtime.delivery?.cancel()
        await runtime.delivery?.value
        await runtime.server?.shutdown()
        await runtime.client?.shutdown()
    }

    /// The bound port, once started.
    public var port: Int? {
        runtime.withLock { $0.port }
    }

    /// The address to point a Bot API client at, such as `http://127.0.0.1:50123`; the client
    /// appends `/bot{token}/{method}` as it would to `https://api.telegram.org`.
    public var baseURL: String {
        "http://127.0.0.1:\(port ?? 0)"
    }

    /// The full URL of one method for the configured token.
    public func methodURL(_ method: String) -> String {
        "\(baseURL)/bot\(configuration.token)/\(method)"
    }

    /// Changes the state under the lock and wakes everyone waiting for a change, and the waiters
    /// of each chat whose bot events changed.
    func mutate<T>(_ body: (inout EmulatorState) throws -> T) rethrows -> T {
        var touched: [Int64] = []
        defer {
            changes.notify()
            for chatID in touched {
                chatChanges.withLock { $0[chatID] }?.notify()
            }
        }
        return try state.withLock { state in
            defer {
                if !state.touchedChats.isEmpty {
                    touched = state.touchedChats
                    state.touchedChats.removeAll(keepingCapacity: true)
                }
            }
            return try body(&state)
        }
    }

    /// The signal woken by the bot's events in one chat.
    func chatSignal(_ chatID: Int64) -> ChangeSignal {
        chatChanges.withLock { signals in
            if let signal = signals[chatID] { return signal }
            let signal = ChangeSignal()
            signals[chatID] = signal
            return signal
        }
    }
}
