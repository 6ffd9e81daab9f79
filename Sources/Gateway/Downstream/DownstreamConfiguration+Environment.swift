extension DownstreamConfiguration {
    /// Reads the service URLs, `ADMIN_USER_IDS` and the `SERVICE_*` settings; each bad value
    /// becomes a problem of `env`. An unset URL leaves its service unconfigured.
    init(reading env: inout EnvironmentReader) {
        var urls: [DownstreamService: String] = [:]
        for service in DownstreamService.allCases {
            urls[service] = env.url(service.environmentVariable, default: nil, schemes: ["http", "https"])
        }
        var admins: Set<Int64> = []
        for entry in (env.string("ADMIN_USER_IDS") ?? "").split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            if let id = Int64(text), id > 0 {
                admins.insert(id)
            } else if !text.isEmpty {
                env.problem("ADMIN_USER_IDS", "\"\(text)\" is not a Telegram user id (a positive whole number); separate ids with commas")
            }
        }
        let timeout = env.seconds("SERVICE_TIMEOUT", default: .seconds(10))
        let attempts = env.integer("SERVICE_ATTEMPTS", default: 3, in: 1...10)
        let failures = env.integer("SERVICE_CIRCUIT_FAILURES", default: 5, in: 1...1000)
        let coolDown = env.seconds("SERVICE_CIRCUIT_COOLDOWN", default: .seconds(30))
        self.init(
            serviceURLs: urls,
            adminUserIDs: admins,
            retry: RetryPolicy(attempts: attempts, attemptTimeout: timeout),
            circuitBreaker: CircuitBreaker.Configuration(failureThreshold: failures, coolDown: coolDown)
        )
    }
}
