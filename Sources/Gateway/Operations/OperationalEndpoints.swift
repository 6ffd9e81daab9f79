public import Hummingbird

/// `GET /health`, `GET /ready` and `GET /metrics`.
///
/// `/health` says only that the process answers (a liveness probe);
/// `/ready` runs the registered checks and answers 503 while a required one is
/// down (a readiness probe: stop sending traffic, do not restart).
public struct OperationalEndpoints: Sendable {
    private let readiness: ReadinessChecks
    private let metrics: MetricsEndpoint

    /// Creates the endpoints.
    public init(readiness: ReadinessChecks, metrics: MetricsEndpoint) {
        self.readiness = readiness
        self.metrics = metrics
    }

    /// Adds the three routes to `router`: the admin listener's.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        Self.registerHealth(on: router)
        router.get("/ready") { _, _ in
            await self.ready()
        }
        router.get("/metrics") { _, _ in
            self.metrics.respond()
        }
    }

    /// Adds `/health` alone: the webhook listener's, for a load balancer's probe.
    public static func registerHealth<Context: RequestContext>(on router: Router<Context>) {
        router.get("/health") { _, _ in
            Self.json(.ok, JSONText.render([("status", .string("alive"))]))
        }
    }

    private func ready() async -> Response {
        let results = await self.readiness.evaluate()
        let isReady = results.allSatisfy { !$0.isRequired || $0.state.isUp }
        let checks: [(String, JSONText)] = results.map { result in
            var fields: [(String, JSONText)] = [("required", .bool(result.isRequired))]
            switch result.state {
            case .up:
                fields.insert(("status", .string("up")), at: 0)
            case .counting(let counts):
                fields.insert(("status", .string("up")), at: 0)
                fields.append(("counts", .object(counts.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })))
            case .down(let reason):
                // An optional dependency that is down leaves the gateway degraded, not unready.
                fields.insert(("status", .string(result.isRequired ? "down" : "degraded")), at: 0)
                fields.append(("reason", .string(reason)))
            }
            return (result.name, .object(fields))
        }
        let body = JSONText.render([("status", .string(isReady ? "ready" : "not_ready")), ("checks", .object(checks))])
        return Self.json(isReady ? .ok : .serviceUnavailable, body)
    }

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body + "\n"))
        )
    }
}
