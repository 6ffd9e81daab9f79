public import RedisClient

/// `GET /ready`'s view of Redis: a `PING` answered within `timeout`.
public struct RedisReadinessCheck: ReadinessCheck {
    public let name = "redis"
    public let isRequired = true
    private let client: RedisClient
    private let timeout: Duration

    /// Creates the check on `client`.
    public init(client: RedisClient, timeout: Duration = .seconds(1)) {
        self.client = client
        self.timeout = timeout
    }

    public func check() async -> ReadinessState {
        do {
            let reply = try await self.client.send(["PING"], timeout: self.timeout)
            return reply.string == "PONG" ? .up : .down("PING was not answered PONG")
        } catch let error as RedisError {
            // The code only: a message may name the server's address, and /ready names checks, never hosts.
            return .down("\(error.code)")
        } catch {
            return .down("unexpected error")
        }
    }
}
