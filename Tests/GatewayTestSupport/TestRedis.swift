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
}

/// A test environment that cannot run a test, with what to do about it.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
