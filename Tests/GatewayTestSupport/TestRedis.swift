import Foundation
public import Logging
public import RedisClient

/// The Redis the test command started (`REDIS_URL`), for tests that run against a real server.
public enum TestRedis {
    /// A logger that keeps tests quiet but for errors.
    public static let logger: Logger = {
        var logger = Logger(label: "redis-tests")
        logger.logLevel = .error
        return logger
    }()

    /// The configuration of the test command's Redis.
    /// - Throws: when `REDIS_URL` is not set, saying how to run the tests.
    public static func configuration() throws -> RedisConfiguration {
        guard let url = ProcessInfo.processInfo.environment["REDIS_URL"] else {
            throw TestSupportError("REDIS_URL is not set: run ./scripts/test.sh, or export REDIS_URL=redis://127.0.0.1:6379")
        }
        return try RedisConfiguration(url: url)
    }

    /// Every key under the hash tags of `prefix` (`{prefix:…}`): one test's keys, found with `SCAN`.
    public static func keys(prefix: String, on client: RedisClient) async throws -> [String] {
        try await client.scan(match: "{\(prefix):*")
    }

    /// Deletes every key under `prefix`: what `FLUSHALL` would do to one
    /// test's gateway, without touching other tests' keys.
    public static func deleteKeys(prefix: String, on client: RedisClient) async throws {
        for key in try await Self.keys(prefix: prefix, on: client) {
            try await client.send(["DEL", .string(key)])
        }
    }
}

/// Runs `body` with a pooled client that is closed afterwards, also when
/// `body` throws.
public func withRedisClient<Result: Sendable>(
    _ configuration: RedisConfiguration,
    _ body: (RedisClient) async throws -> Result
) async throws -> Result {
    let client = RedisClient(configuration: configuration, logger: TestRedis.logger)
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}

/// A test environment that cannot run a test, with what to do about it.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
