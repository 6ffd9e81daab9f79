import ArgumentParser
import BundledFiles
import ForwardBot
import Foundation
import Gateway
import Localization
import Logging
import Metrics
import OpenSSLTLS
import Persistence
import Prometheus
import ServiceLifecycle
import UKManagementBot

/// `bot-gateway serve`: reads the configuration from the environment and runs
/// the gateway until SIGTERM or SIGINT, then shuts down gracefully — stop
/// accepting connections, finish requests in flight, finish (durable mode) or
/// drain (in process) the updates taken, within `GATEWAY_SHUTDOWN_TIMEOUT` —
/// and exits 0. With `DATABASE_URL` it applies pending migrations first.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway (configured by environment variables; see docs/configuration.md)."
    )

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration(environment: environment)
        } catch {
            Self.fail(error)
        }
        GatewayApplication.useThreads(configuration.threads)
        var databaseConfiguration: DatabaseConfiguration?
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            do {
                databaseConfiguration = try DatabaseConfiguration(environment: environment)
            } catch {
                Self.fail("invalid configuration: \(error)")
            }
        }

        let logging = configuration.logging
        LoggingSystem.bootstrap { label in
            switch logging.format {
            case .json:
                return JSONLogHandler(label: label, level: logging.level)
            case .text:
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = logging.level
                return handler
            }
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(GatewayMetrics.makeFactory(registry: registry))
        let logger = Logger(label: "bot-gateway")
        DescriptorBudget.raise(forConnections: configuration.server.limits.maxConnections, logger: logger)

        let catalogs = Self.loadCatalogs()
        let tls = configuration.server.tls.map { Self.loadCertificate($0, variables: "TLS_CERT_FILE / TLS_KEY_FILE") }
        let adminTLS = configuration.admin.tls.map { Self.loadCertificate($0, variables: "ADMIN_TLS_CERT_FILE / ADMIN_TLS_KEY_FILE") }
        do {
            // Each bot against its kind: settings, and the services it calls.
            try Self.kinds.check(configuration)
        } catch {
            Self.fail(error)
        }
        var inputs = GatewayAssembly.Inputs(
            configuration: configuration,
            kinds: Self.kinds,
            catalogs: catalogs,
            registry: registry,
            tls: tls,
            adminTLS: adminTLS,
            logger: logger
        )
        guard let databaseConfiguration else {
            try await Self.serve(inputs)
            return
        }
        // The migration files are ours: a bad one stops the start. The server
        // is not: when it is away, serve without it and connect behind.
        let migrations: [MigrationFile]
        do {
            migrations = try MigrateCommand.Options.migrations(directory: nil)
        } catch {
            Self.fail("migrations: \(error)")
        }
        try await Database.withRunning(configuration: databaseConfiguration, logger: logger) { database in
            let connector = DatabaseConnector(database: database, migrations: migrations, logger: logger)
            switch await connector.connect(timeout: .seconds(5)) {
            case .connected:
                break
            case .unreachable(let kind):
                logger.warning("PostgreSQL not reachable at start; serving without it and connecting in the background", metadata: ["error": "\(kind)"])
            case .migrationFailed(let message):
                Self.fail("database: a migration failed: \(message)")
            }
            inputs.database = database
            inputs.databaseConnector = connector
            try await Self.serve(inputs)
        }
    }

    /// The bot kinds this executable carries: adding a kind adds it here.
    static let kinds = BotKinds([UKBotKind(), ForwardBotKind()])

    private static func serve(_ inputs: GatewayAssembly.Inputs) async throws {
        let assembly: GatewayAssembly
        do {
            assembly = try await GatewayAssembly.build(inputs)
        } catch {
            Self.fail("cannot start: \(error)")
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: assembly.services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: inputs.logger
        )
        // In-flight requests get 20 s on top of the drain deadline; a client
        // still trickling a body after that is cut off rather than holding
        // the process open for ever.
        groupConfiguration.maximumGracefulShutdownDuration = inputs.configuration.server.shutdownTimeout + .seconds(20)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            await assembly.http.shutdown()
            throw error
        }
        await assembly.http.shutdown()
        inputs.logger.info("gateway stopped")
    }

    /// Loads and checks the certificate now, so a bad file stops the start
    /// with one clear line instead of failing every handshake later.
    private static func loadCertificate(_ files: GatewayConfiguration.TLSFiles, variables: String) -> TLSContextStore {
        do {
            return try TLSContextStore(configuration: TLSConfiguration(
                certificateFile: files.certificateFile,
                privateKeyFile: files.privateKeyFile
            ))
        } catch {
            fail("\(variables): \(error)")
        }
    }

    /// The message catalogs, checked: those of the folder `LOCALES_DIR` names, else the ones built
    /// into the executable; a problem stops the start with one clear line.
    static func loadCatalogs() -> Catalogs {
        do {
            return try Self.catalogs()
        } catch {
            fail("message catalogs: \(error)")
        }
    }

    /// The message catalogs, checked (see ``loadCatalogs()``).
    static func catalogs() throws(LocalizationError) -> Catalogs {
        let catalogs: Catalogs
        if let folder = try Catalogs.configuredFolder() {
            catalogs = try Catalogs.load(directory: folder)
        } else {
            catalogs = try Catalogs.load(files: BundledFiles.locales.map { ($0.name, Array($0.text.utf8)) }, in: "bot-gateway's built-in locales")
        }
        try catalogs.validate()
        return catalogs
    }

    /// Stops the start with every configuration problem, one a line.
    static func fail(_ error: ConfigurationError) -> Never {
        Self.fail("invalid configuration (\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s")):\n\(error)")
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("bot-gateway: \(message)\n".utf8))
        Foundation.exit(1)
    }
}
