import CurlHTTP
import Logging
import OpenSSLTLS
import ServiceLifecycle
import TelegramBotAPI

extension GatewayAssembly {
    /// The two HTTP listeners — the webhook listener facing Telegram (webhook
    /// routes and `/health`) and the admin listener (`/health`, `/ready`,
    /// `/metrics`, loopback by default, and the operator API when configured) — the long pollers when webhooks are
    /// off, and the certificate reloaders.
    static func buildListeners(_ inputs: Inputs, storage: Storage, sink: any UpdateSink, http: HTTPClient, api: OperatorAPI?) -> [any Service] {
        let configuration = inputs.configuration
        let logger = inputs.logger
        let webhook = WebhookEndpoint(
            bots: configuration.webhookBots,
            options: .init(maxBodyBytes: configuration.server.maxBodyBytes, addressPolicy: configuration.server.addressPolicy),
            sink: sink,
            logger: logger
        )
        let server = configuration.server
        let admin = configuration.admin
        let tls = inputs.tls
        let adminTLS = inputs.adminTLS
        let onListening = inputs.onListening
        let onAdminListening = inputs.onAdminListening
        let roundTrips = storage.redisRoundTrips
        let operational = OperationalEndpoints(
            readiness: storage.readiness,
            metrics: MetricsEndpoint(registry: inputs.registry, beforeEmitting: { roundTrips?.update() })
        )
        var services: [any Service] = [
            GatewayApplication.make(
                name: "webhook",
                routes: { router in
                    webhook.register(on: router)
                    OperationalEndpoints.registerHealth(on: router)
                },
                host: server.host,
                port: server.port,
                tls: tls,
                limits: server.limits,
                admission: server.addressPolicy,
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
            ),
            GatewayApplication.make(
                name: "admin",
                routes: { router in
                    operational.register(on: router)
                    api?.register(on: router)
                },
                host: admin.host,
                port: admin.port,
                tls: adminTLS,
                limits: server.limits,
                logger: logger,
                onServerRunning: { port in
                    logger.info(
                        "admin listening",
                        metadata: ["host": "\(admin.host)", "port": "\(port)", "tls": "\(adminTLS?.certificate.description ?? "off")"]
                    )
                    await onAdminListening(port)
                }
            ),
        ]
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
        for store in [tls, adminTLS].compactMap({ $0 }) {
            services.append(CertificateReloadService(store: store, logger: logger))
        }
        return services
    }
}
