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
            return reply.string == "PONG" ? .up : .down("PING answered \(reply)")
        } catch let error as RedisError {
            return .down("\(error.code): \(error.message)")
        } catch {
            return .down("\(error)")
        }
    }
}
