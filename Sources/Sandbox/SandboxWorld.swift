public import Conversations
import Foundation
public import ServiceClients
import Synchronization
import TelegramBotAPI
public import TelegramEmulator
public import UKServiceFakes

/// The simulated side of the sandbox: the people chatting with the bot, the group they share, the
/// fake Telegram they write through and the fake services behind the bot; and what each of them
/// did, for the page and its inspector.
///
/// `Sendable` because its own state sits behind a `Mutex`; the fakes guard theirs.
public final class SandboxWorld: Sendable {
    /// Someone chatting with the bot.
    public struct Person: Sendable, Hashable {
        /// Their Telegram user id, which is also their private chat's id.
        public var id: Int64
        public var name: String
        /// The `language_code` their Telegram app sends.
        public var language: String
        /// Their roles at the services: `applicant`, `executor`, `manager`, `admin`.
        public var roles: [String]

        /// The services' id for them.
        var serviceID: String { "u-sandbox-\(id)" }
    }

    /// Where a person writes: their private chat with the bot, or the group.
    public enum Place: String, Sendable, CaseIterable {
        case `private`
        case group
    }

    /// How a fake service behaves, switched from the inspector.
    public enum ServiceMode: String, Sendable, CaseIterable {
        case normal
        /// Every call is held for ``SandboxWorld/slowLatency`` first.
        case slow
        /// Every call answers 503.
        case failing
    }

    /// The added latency of a service switched to ``ServiceMode/slow``.
    public static let slowLatency = Duration.seconds(2)
    /// How many of a person's updates the inspector keeps.
    static let keptUpdates = 25

    public let telegram: FakeTelegram
    public let services: FakeServices
    /// The bot's id as the gateway knows it, which names its conversations.
    public let botName: String
    let conversations: any ConversationStore
    /// The gateway's tally of each service's calls and circuit.
    let serviceHealth: ServiceHealthBoard
    /// The flows the bot runs, to list a conversation's steps.
    let flows: [String: Flow]
    let group: TelegramGroup

    private struct State {
        var people: [Int64: Person] = [:]
        var order: [Int64] = []
        var nextID: Int64
        var updates: [Int64: [Update]] = [:]
        var modes: [String: ServiceMode] = [:]
        /// Bumped by every change the fakes do not see (a person added, a mode switched).
        var generation = 0
        var closed = false
    }

    private let state: Mutex<State>

    /// The first person's id; the next ones count up from it.
    public static let firstPersonID: Int64 = 700_001
    /// The group's id: negative, as Telegram's supergroup ids are.
    public static let groupID: Int64 = -100_700_000_001

    /// Creates the world with one person in it and the group they are a member of.
    public init(
        telegram: FakeTelegram,
        services: FakeServices,
        botName: String,
        conversations: any ConversationStore,
        serviceHealth: ServiceHealthBoard,
        flows: [Flow],
        first: (name: String, language: String, roles: [String])
    ) {
        self.telegram = telegram
        self.services = services
        self.botName = botName
        self.conversations = conversations
        self.serviceHealth = serviceHealth
        self.flows = Dictionary(flows.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.group = telegram.group(id: Self.groupID, title: "Block 4 residents")
        self.state = Mutex(State(nextID: Self.firstPersonID))
        _ = self.addPerson(name: first.name, language: first.language, roles: first.roles)
    }

    /// The people in the order they were added.
    public var people: [Person] {
        state.withLock { state in state.order.compactMap { state.people[$0] } }
    }

    /// A person by id.
    public func person(_ id: Int64) throws(SandboxError) -> Person {
        guard let person = state.withLock({ $0.people[id] }) else {
            throw SandboxError(.notFound, "no person with id \(id) in the sandbox")
        }
        return person
    }

    /// Adds a person with a private chat, a member of the group, known to the services with `roles`.
    @discardableResult
    public func addPerson(name: String, language: String, roles: [String]) -> Person {
        let person = state.withLock { state in
            let person = Person(id: state.nextID, name: name, language: language, roles: roles)
            state.nextID += 1
            state.people[person.id] = person
            state.order.append(person.id)
            state.generation += 1
            return person
        }
        services.upsert(ServiceUser(id: person.serviceID, telegramID: person.id, fullName: name, roles: roles))
        _ = self.telegramUser(person, in: .private)
        _ = self.telegramUser(person, in: .group)
        return person
    }

    /// Changes what a person's Telegram app says their language is, and their roles at the services.
    ///
    /// As for a real user, the language goes with their next update and the roles reach the bot
    /// with their next login, when the services' short-lived token is renewed.
    public func change(_ id: Int64, language: String?, roles: [String]?) throws(SandboxError) -> Person {
        let updated = try state.withLock { state throws(SandboxError) -> Person in
            guard var person = state.people[id] else { throw SandboxError(.notFound, "no person with id \(id) in the sandbox") }
            if let language { person.language = language }
            if let roles { person.roles = roles }
            state.people[id] = person
            state.generation += 1
            return person
        }
        if var user = services.user(id: updated.serviceID), let roles {
            user.roles = roles
            services.upsert(user)
        }
        return updated
    }

    /// The person as the emulator's scripted user in `place`, with their current language.
    func telegramUser(_ person: Person, in place: Place) -> TelegramUser {
        switch place {
        case .private:
            telegram.privateUser(id: person.id, firstName: person.name, languageCode: person.language)
        case .group:
            group.member(id: person.id, firstName: person.name, languageCode: person.language)
        }
    }

    /// The chat id of `place` for `person`.
    public func chatID(of person: Person, in place: Place) -> Int64 {
        place == .private ? person.id : Self.groupID
    }

    /// Keeps an update the person produced, for the inspector.
    func remember(_ update: Update, of person: Person) {
        state.withLock { state in
            state.updates[person.id, default: []].append(update)
            if state.updates[person.id]!.count > Self.keptUpdates {
                state.updates[person.id]!.removeFirst()
            }
        }
    }

    /// The person's latest updates, oldest first.
    func updates(of person: Person) -> [Update] {
        state.withLock { $0.updates[person.id] ?? [] }
    }

    /// How each service behaves now.
    public var serviceModes: [(service: String, mode: ServiceMode)] {
        let modes = state.withLock { $0.modes }
        return Self.serviceNames.map { ($0, modes[$0] ?? .normal) }
    }

    /// The services the bot calls, as the contract names them.
    static let serviceNames = ["auth", "user", "request", "shift", "analytics"]

    /// Makes every route of `service` behave as `mode` says.
    public func setMode(_ mode: ServiceMode, of service: String) throws(SandboxError) {
        guard Self.serviceNames.contains(service) else {
            throw SandboxError(.notFound, "no service \"\(service)\"; the services are \(Self.serviceNames.joined(separator: ", "))")
        }
        for route in ServiceRoute.all where route.service == service {
            services.setOutage(mode == .failing ? 503 : nil, for: route)
            services.setLatency(mode == .slow ? Self.slowLatency : nil, for: route)
        }
        state.withLock { state in
            state.modes[service] = mode
            state.generation += 1
        }
    }

    /// A number that changes whenever anything the page shows may have changed.
    var version: Int {
        state.withLock { $0.generation } &+ telegram.changeCount &+ services.callCount
    }

    /// Ends the page's event streams; called at shutdown.
    func close() {
        state.withLock { $0.closed = true }
    }

    var isClosed: Bool {
        state.withLock { $0.closed }
    }
}
