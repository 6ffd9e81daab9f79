import ArgumentParser
import ConversationBots
import Foundation
import Gateway
import Logging
import Metrics
import Prometheus
import Sandbox
import UKManagementBot

/// `bot-gateway sandbox`: the gateway with in-memory storage, the emulator's fake Telegram and
/// fake services in this process, a chat page in the browser and a person chatting with the UK
/// bot in the terminal. Needs nothing else running.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Chat with the UK bot in the browser and the terminal; no Telegram, Redis, PostgreSQL or services needed."
    )

    @Option(help: "Your first name in the chat.")
    var name = "Alex"

    @Option(help: "Your Telegram language_code (en, ru, uz, or any other to see the fallback).")
    var language = "en"

    @Option(help: "Your roles at the services: applicant, executor, manager, admin (repeat for several).")
    var role: [String] = ["applicant"]

    @Option(help: "The address the chat page listens on.")
    var host = "127.0.0.1"

    @Option(help: "The chat page's port (0 picks a free one).")
    var port = 8080

    @Flag(help: "Serve the chat page only, without the terminal chat; stop with Ctrl-C or SIGTERM.")
    var noConsole = false

    @Flag(help: "Print the gateway's logs to stderr.")
    var verbose = false

    func validate() throws {
        guard (0...65535).contains(self.port) else { throw ValidationError("--port must be within 0...65535") }
    }

    func run() async throws {
        let verbose = self.verbose
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .info : .critical
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(GatewayMetrics.makeFactory(registry: registry))
        let options = SandboxOptions(
            name: self.name, language: self.language, roles: self.role, host: self.host, port: self.port, pageRequired: self.noConsole)
        let (name, roles, language, console) = (self.name, self.role, self.language, !self.noConsole)
        try await SandboxRuntime.run(
            options, kinds: ServeCommand.kinds, catalogs: ServeCommand.loadCatalogs(), flows: UKBot.flows.flows + ConversationBot.builtInFlows,
            registry: registry, logger: Logger(label: "sandbox")
        ) { world, pageURL in
            if let pageURL {
                print("Chat page: \(pageURL)")
                // Seen at once also through a pipe (a script or a test waiting for the address).
                fflush(nil)
            }
            guard console else {
                // The page alone: run until a signal stops the gateway, which cancels this wait.
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(3600))
                }
                return
            }
            print("UK bot sandbox: you are \(name) (\(roles.joined(separator: ", ")), language \(language)). Type /start to begin, :help for help, :quit to leave.")
            await SandboxConsole(world: world, person: world.people[0]).run()
        }
    }
}
