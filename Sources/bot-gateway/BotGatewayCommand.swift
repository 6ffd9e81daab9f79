import ArgumentParser

/// The `bot-gateway` executable.
@main
struct BotGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bot-gateway",
        abstract: "A Telegram bot gateway: webhook in, conversations, downstream services, replies out.",
        subcommands: [ServeCommand.self, SandboxCommand.self, DoctorCommand.self, FlowsCommand.self, WebhookCommand.self, MigrateCommand.self, DeadLettersCommand.self, TLSCommand.self]
    )
}
