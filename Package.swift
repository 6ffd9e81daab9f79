// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "bot-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bot-gateway", targets: ["bot-gateway"]),
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .library(name: "CurlHTTP", targets: ["CurlHTTP"]),
        .library(name: "TelegramBotAPI", targets: ["TelegramBotAPI"]),
        .library(name: "OpenSSLTLS", targets: ["OpenSSLTLS"]),
        .library(name: "Persistence", targets: ["Persistence"]),
        .library(name: "Localization", targets: ["Localization"]),
        .library(name: "Conversations", targets: ["Conversations"]),
        .library(name: "Gateway", targets: ["Gateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // No traits: the defaults pull in swift-configuration, which we do not use.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        // System libraries: each is a module map plus one shim header.
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),

        .target(
            name: "RedisClient",
            dependencies: [
                "CHiredis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "CurlHTTP",
            dependencies: [
                "CCurl",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ServiceClients",
            dependencies: [
                "CurlHTTP",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "OpenSSLTLS",
            dependencies: [
                "COpenSSL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // A cursor over JSON bytes for the hand-written readers on the hot path.
        .target(name: "FastJSON"),
        .target(
            name: "TelegramBotAPI",
            dependencies: [
                "CurlHTTP",
                "FastJSON",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TelegramEmulator",
            dependencies: [
                "CurlHTTP",
                "TelegramBotAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "UKServiceFakes",
            dependencies: ["TelegramBotAPI", "TelegramEmulator"]
        ),
        .target(
            name: "Persistence",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "Localization"),
        // Recurring times: five-field cron in an IANA time zone.
        .target(name: "Scheduling"),
        // JSON Web Tokens (RFC 7519) verified with OpenSSL: HS256, RS256, ES256.
        .target(
            name: "JSONWebToken",
            dependencies: ["OpenSSLTLS"]
        ),
        .target(
            name: "Conversations",
            dependencies: ["FastJSON", "RedisClient"]
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "Conversations",
                "CurlHTTP",
                "Localization",
                "TelegramBotAPI",
                "OpenSSLTLS",
                "JSONWebToken",
                "Persistence",
                "RedisClient",
                "Scheduling",
                "ServiceClients",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ConversationBots",
            dependencies: [
                "Conversations",
                "Gateway",
                "Localization",
                "Persistence",
                "TelegramBotAPI",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "UKManagementBot",
            dependencies: [
                "ConversationBots",
                "Conversations",
                "CurlHTTP",
                "Gateway",
                "Localization",
                "Persistence",
                "RedisClient",
                "ServiceClients",
                "TelegramBotAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ForwardBot",
            dependencies: [
                "CurlHTTP",
                "Gateway",
                "OpenSSLTLS",
                "RedisClient",
                "ServiceClients",
                "TelegramBotAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The sandbox: the gateway with the fake Telegram and UK services in process, and its
        // chat page (plain HTML/CSS/JS compiled into the module).
        .target(
            name: "Sandbox",
            dependencies: [
                "Conversations",
                "Gateway",
                "Localization",
                "ServiceClients",
                "TelegramBotAPI",
                "TelegramEmulator",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("Web")]
        ),
        // The catalogs and migrations compiled into the executable (the EmbedFiles plugin).
        .target(name: "BundledFiles", plugins: ["EmbedFiles"]),
        .executableTarget(name: "embed-files"),
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["embed-files"]),
        .executableTarget(
            name: "bot-gateway",
            dependencies: [
                "BundledFiles",
                "ConversationBots",
                "Conversations",
                "CurlHTTP",
                "ForwardBot",
                "Localization",
                "UKManagementBot",
                "Gateway",
                "OpenSSLTLS",
                "Persistence",
                "RedisClient",
                "Sandbox",
                "TelegramBotAPI",
                "TelegramEmulator",
                "UKServiceFakes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "bench",
            dependencies: [
                "CurlHTTP",
                "UKServiceFakes",
                "Gateway",
                "OpenSSLTLS",
                "RedisClient",
                "TelegramBotAPI",
                "TelegramEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Helpers shared by the test targets: clocks, process runners, private servers.
        .target(
            name: "GatewayTestSupport",
            dependencies: [
                "Gateway",
                "Persistence",
                "RedisClient",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Tests/GatewayTestSupport"
        ),
        .testTarget(
            name: "RedisClientTests",
            dependencies: ["RedisClient", "GatewayTestSupport"]
        ),
        .testTarget(
            name: "FastJSONTests",
            dependencies: ["FastJSON"]
        ),
        .testTarget(
            name: "ServiceClientsTests",
            dependencies: ["ServiceClients"]
        ),
        .testTarget(
            name: "ConversationsTests",
            dependencies: [
                "Conversations",
                "GatewayTestSupport",
                "RedisClient",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "PersistenceTests",
            dependencies: [
                "Persistence",
                "GatewayTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "CurlHTTPTests",
            dependencies: [
                "CurlHTTP",
                "TelegramEmulator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "OpenSSLTLSTests",
            dependencies: [
                "OpenSSLTLS",
                "GatewayTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TelegramBotAPITests",
            dependencies: [
                "GatewayTestSupport",
                "TelegramBotAPI",
                "TelegramEmulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TelegramEmulatorTests",
            dependencies: ["TelegramEmulator", "TelegramBotAPI", "CurlHTTP"]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "CurlHTTP",
                "Gateway",
                "GatewayTestSupport",
                "ServiceClients",
                "Localization",
                "Persistence",
                "OpenSSLTLS",
                "RedisClient",
                "TelegramBotAPI",
                "TelegramEmulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TelegramIntegrationTests",
            dependencies: [
                "CurlHTTP",
                "TelegramBotAPI",
                "TelegramEmulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "UKManagementBotTests",
            dependencies: [
                "OpenSSLTLS",
                "UKServiceFakes",
                "GatewayTestSupport",
                "UKManagementBot",
                "ServiceClients",
                "Conversations",
                "CurlHTTP",
                "Gateway",
                "Localization",
                "Persistence",
                "RedisClient",
                "TelegramBotAPI",
                "TelegramEmulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "ConversationBotsTests",
            dependencies: [
                "ConversationBots",
                "Conversations",
                "Gateway",
                "Localization",
                "Persistence",
                "TelegramBotAPI",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ForwardBotTests",
            dependencies: [
                "CurlHTTP",
                "ForwardBot",
                "Gateway",
                "GatewayTestSupport",
                "OpenSSLTLS",
                "RedisClient",
                "ServiceClients",
                "TelegramBotAPI",
                "TelegramEmulator",
                "UKManagementBot",
                "UKServiceFakes",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "UKServiceFakesTests",
            dependencies: ["CurlHTTP", "TelegramBotAPI", "TelegramEmulator", "UKServiceFakes"]
        ),
        .testTarget(
            name: "LocalizationTests",
            dependencies: ["Localization"]
        ),
        .testTarget(
            name: "SchedulingTests",
            dependencies: ["Scheduling"]
        ),
        .testTarget(
            name: "JSONWebTokenTests",
            dependencies: ["GatewayTestSupport", "JSONWebToken", "OpenSSLTLS"]
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: [
                "ConversationBots",
                "CurlHTTP",
                "Gateway",
                "GatewayTestSupport",
                "Localization",
                "Sandbox",
                "TelegramBotAPI",
                "TelegramEmulator",
                "UKManagementBot",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: ["browser"]
        ),
        .testTarget(
            name: "COpenSSLTests",
            dependencies: ["COpenSSL"]
        ),
    ]
)

for target in package.targets where target.type != .system && target.type != .plugin {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
