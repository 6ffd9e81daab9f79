import ArgumentParser
import CurlHTTP
import Foundation
import Gateway
import Logging
import Metrics
import OpenSSLTLS
import Prometheus
import RedisClient
import ServiceLifecycle
import TelegramBotAPI

/// `bot-gateway serve`: reads the configuration from the environment and runs
/// the webhook listener until SIGTERM or SIGINT, then shuts down gracefully —
/// stop accepting connections, finish requests in flight, drain the update
/// queue within `GATEWAY_SHUTDOWN_TIMEOUT` — and exits 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway (configured by environment variables; see docs/configuration.md)."
    )

    func run() async throws {
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            Self.fail("invalid configuration (\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s")):\n\(error)")
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

        let tls = configuration.server.tls.map(Self.loadCertificate)

        // Until the conversation engine exists, an update is only logged.
        let logUpdate: @Sendable (UpdateDelivery) -> Void = { delivery in
            logger.debug(
                "update",
                metadata: [
                    "bot": "\(delivery.bot)",
                    "update_id": "\(delivery.update.updateID)",
                    "kind": "\(delivery.update.kind.fieldName)",
                    "conversation": "\(delivery.update.conversationKey?.description ?? "none")",
                ]
            )
        }
        let telegramHTTP = try HTTPClient()
        let botClients = Dictionary(uniqueKeysWithValues: configuration.bots.map { bot in
            (bot.id, BotAPIClient(
                configuration: .init(token: bot.token, baseURL: configuration.telegram.apiURL),
                httpClient: telegramHTTP,
                logger: logger,
                observer: { GatewayMetrics().record($0) }
            ))
        })
        let readiness = ReadinessChecks()

        // The group stops services in reverse order: certificate reloads,
        // then the pollers, then the server (in-flight requests finish), then
        // the dispatcher, which finishes (in process: drains) what the others
        // accepted; in durable mode then the relays and senders, and Redis last.
        var services: [any Service] = []
        let sink: any UpdateSink
        if let redis = configuration.redis {
            let redisClient = RedisClient(configuration: redis.connection, logger: logger)
            let inbox = RedisInbox(client: redisClient, configuration: redis.pipeline, logger: logger)
            readiness.register(RedisReadinessCheck(client: redisClient))
            services.append(redisClient)
            for bot in configuration.bots {
                guard let client = botClients[bot.id] else { continue }
                let sender = OutboundSender(client: client, logger: logger)
                services.append(sender)
                services.append(OutboxRelay(inbox: inbox, bot: bot.id, sender: sender, logger: logger))
            }
            services.append(InboxDispatcher(inbox: inbox, bots: configuration.bots.map(\.id), logger: logger) { item in
                logUpdate(item.delivery)
                return .unchanged
            })
            sink = inbox
        } else {
            let dispatcher = InProcessDispatcher(configuration: configuration.dispatcher, logger: logger) { logUpdate($0) }
            services.append(dispatcher)
            sink = dispatcher
        }
        let webhook = WebhookEndpoint(
            bots: configuration.webhookBots,
            options: .init(maxBodyBytes: configuration.server.maxBodyBytes, addressPolicy: configuration.server.addressPolicy),
            sink: sink,
            logger: logger
        )
        let server = configuration.server
        let app = GatewayApplication.make(
            webhook: webhook,
            operational: OperationalEndpoints(readiness: readiness, metrics: MetricsEndpoint(registry: registry)),
            host: server.host,
            port: server.port,
            tls: tls,
            logger: logger,
            onServerRunning: { port in
                logger.info(
                    "gateway listening",
                    metadata: [
                        "host": "\(server.host)",
                        "port": "\(port)",
                        "tls": "\(tls?.certificate.description ?? "off")",
                        "bots": "\(configuration.bots.map { "\($0.id)=\($0.webhookPath)" }.joined(separator: ","))",
                    ]
                )
            }
        )

        services.append(app)
        if !configuration.telegram.useWebhook {
            for bot in configuration.bots {
                guard let client = botClients[bot.id] else { continue }
                services.append(LongPollingService(
                    bot: bot.id,
                    client: client,
                    sink: sink,
                    configuration: .init(timeout: configuration.telegram.pollingTimeout, allowedUpdates: Update.handledKinds),
                    logger: logger
                ))
            }
        }
        if let tls {
            services.append(CertificateReloadService(store: tls, logger: logger))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // In-flight requests get 20 s on top of the drain deadline; a client
        // still trickling a body after that is cut off rather than holding
        // the process open for ever.
        groupConfiguration.maximumGracefulShutdownDuration = server.shutdownTimeout + .seconds(20)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            await telegramHTTP.shutdown()
            throw error
        }
        await telegramHTTP.shutdown()
        logger.info("gateway stopped")
    }

    /// Loads and checks the certificate now, so a bad file stops the start
    /// with one clear line instead of failing every handshake later.
    private static func loadCertificate(_ files: GatewayConfiguration.TLSFiles) -> TLSContextStore {
        do {
            return try TLSContextStore(configuration: TLSConfiguration(
                certificateFile: files.certificateFile,
                privateKeyFile: files.privateKeyFile
            ))
        } catch {
            fail("TLS_CERT_FILE / TLS_KEY_FILE: \(error)")
        }
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("bot-gateway: \(message)\n".utf8))
        Foundation.exit(1)
    }
}
