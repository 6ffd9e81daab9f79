import ArgumentParser
import CurlHTTP
import Foundation
import Logging
import RedisClient
import TelegramEmulator

/// A temporary check that the Redis and HTTP clients work on this machine,
/// against a local redis-server and an HTTP server it starts itself. It is
/// replaced by `bot-gateway sandbox` once the gateway serves a bot.
struct SmokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smoke",
        abstract: "Temporary: exercise the Redis and HTTP clients against local servers."
    )

    @Option(help: "Redis URL; defaults to REDIS_URL.")
    var redisURL: String?

    func run() async throws {
        guard let url = redisURL ?? ProcessInfo.processInfo.environment["REDIS_URL"] else {
            throw ValidationError("set REDIS_URL or pass --redis-url (scripts/run.sh starts a private redis-server)")
        }
        try await checkRedis(url: url)
        try await checkHTTP()
        print("smoke check passed")
    }

    private func checkRedis(url: String) async throws {
        let redis = RedisClient(configuration: try RedisConfiguration(url: url), logger: Logger(label: "smoke"))
        do {
            let key = RedisArgument.string("smoke:\(UUID().uuidString)")
            try await redis.send("SET", key, "hello")
            let value = try await redis.send("GET", key).string
            let counted = try await redis.transaction([["INCR", key], ["DEL", key]])
            let script = RedisScript("return redis.call('PING')")
            let pong = try await redis.evaluate(script).string
            print("redis   \(url): GET -> \(value ?? "nil"), MULTI/EXEC -> \(counted.count) results, EVALSHA -> \(pong ?? "nil")")
            await redis.close()
        } catch {
            await redis.close()
            throw error
        }
    }

    private func checkHTTP() async throws {
        let server = LocalHTTPServer { request in
            LocalHTTPServer.Response(status: 200, body: Array("\(request.method) \(request.uri) \(request.body.count) bytes".utf8))
        }
        let port = try await server.start()
        let client = try HTTPClient()
        do {
            let get = try await client.execute(HTTPRequest(method: .get, url: "http://127.0.0.1:\(port)/ping"))
            let post = try await client.execute(HTTPRequest(
                method: .post,
                url: "http://127.0.0.1:\(port)/echo",
                body: .bytes(Array("{\"ok\":true}".utf8))
            ))
            print("http    127.0.0.1:\(port): GET -> \(get.status) \"\(String(decoding: get.body, as: UTF8.self))\", POST -> \(post.status) \"\(String(decoding: post.body, as: UTF8.self))\", connections: \(server.connectionCount)")
            await client.shutdown()
            await server.shutdown()
        } catch {
            await client.shutdown()
            await server.shutdown()
            throw error
        }
    }
}
