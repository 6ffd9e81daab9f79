import Foundation
import Hummingbird
import Logging
import NIOCore
import OpenSSLTLS
import ServiceLifecycle
import Testing

/// A Hummingbird application on 127.0.0.1 behind the OpenSSL handler, with a
/// fresh self-signed certificate in a temporary directory.
struct TLSTestServer {
    let port: Int
    let store: TLSContextStore
    let directory: String

    var baseURL: String { "https://127.0.0.1:\(self.port)" }
    var certificateFile: String { self.store.configuration.certificateFile }
    var privateKeyFile: String { self.store.configuration.privateKeyFile }

    /// Runs `body` while the server runs, then stops the server and removes
    /// the directory.
    static func run(
        handshakeTimeout: TimeAmount = .seconds(10),
        _ body: (TLSTestServer) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: directory)
        let store = try TLSContextStore(
            configuration: TLSConfiguration(
                certificateFile: files.certificateFile,
                privateKeyFile: files.privateKeyFile,
                handshakeTimeout: handshakeTimeout
            )
        )

        let router = Router()
        router.get("/") { _, _ in "ok" }
        router.post("/echo") { request, _ -> String in
            let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
            return String(body.readableBytes)
        }
        var logger = Logger(label: "tls-test")
        logger.logLevel = .warning
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            server: .http1OverOpenSSL(tls: store),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        // A service group so the server stops the way production stops it:
        // graceful shutdown, which lets open connections finish.
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(TLSTestServer(port: port, store: store, directory: directory))
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }
}

enum TemporaryDirectory {
    static func make() throws -> String {
        let path = NSTemporaryDirectory() + "openssl-tls-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
