import CurlHTTP
import Logging
import OpenSSLTLS
import ServiceLifecycle
import TelegramBotAPI

extension GatewayAssembly {
    /// The HTTP server (webhook routes, `/health`, `/ready`, `/metrics`), the
    /// long pollers when webhooks are off, and the certificate reloader.
    static func buildListeners(_ inputs: Inputs, storage: Storage, sink: any UpdateSink, http: HTTPClient) -> [any Service] {
        let configuration = inputs.configuration
        let logger = inputs.logger
        let webhook = WebhookEndpoint(
            bots: configuration.webhookBots,
            options: .init(maxBodyBytes: configuration.server.maxBodyBytes, addressPolicy: configuration.server.addressPolicy),
            sink: sink,
            logger: logger
        )
        let server = configuration.server
        let tls = inputs.tls
        let onListening = inputs.onListening
        let roundTrips = storage.redisRoundTrips
        var services: [any Service] = [GatewayApplication.make(
            webhook: webhook,
            operational: OperationalEndpoints(
                readiness: storage.readiness,
                metrics: MetricsEndpoint(registry: inputs.registry, beforeEmitting: { roundTrips?.update() })
            ),
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
                        "bots": "\(configuration.bots.map { "\($0.id)=\($0.kind):\($0.webhookPath)" }.joined(separator: ","))",
                    ]
                )
                await onListening(port)
            }
        )]
        if !configuration.telegram.useWebhook {
            for bot in configuration.bots {
                let client = BotAPIClient(configuration: .init(token: bot.token, baseURL: configuration.telegram.apiURL), httpClient: http, logger: logger)
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
        return services
    }
}
