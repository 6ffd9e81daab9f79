// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for the gateway's parsers; built and run only by
// `scripts/fuzz.sh`, never by CI. Each target is a bare
// `LLVMFuzzerTestOneInput`: libFuzzer supplies `main`, so the build passes
// `-sanitize=fuzzer` and `-parse-as-library` (see the script).
let package = Package(
    name: "bot-gateway-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "bot-gateway", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
    ],
    targets: [
        .executableTarget(
            name: "FuzzUpdateDecoder",
            dependencies: [.product(name: "TelegramBotAPI", package: "bot-gateway")]
        ),
        .executableTarget(
            name: "FuzzWebhookRequest",
            dependencies: [
                .product(name: "Gateway", package: "bot-gateway"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "TelegramBotAPI", package: "bot-gateway"),
            ]
        ),
        .executableTarget(
            name: "FuzzRESPReader",
            dependencies: [.product(name: "RedisClient", package: "bot-gateway")]
        ),
        .executableTarget(
            name: "FuzzCatalogParser",
            dependencies: [.product(name: "Localization", package: "bot-gateway")]
        ),
        .executableTarget(
            name: "FuzzConversationState",
            dependencies: [.product(name: "Conversations", package: "bot-gateway")]
        ),
    ]
)
