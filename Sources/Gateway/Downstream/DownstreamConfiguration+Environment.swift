import Foundation
import ServiceClients

extension DownstreamConfiguration {
    /// Reads every `<NAME>_SERVICE_URL`, `ADMIN_USER_IDS` and the `SERVICE_*` settings; each bad
    /// value becomes a problem of `env`.
    init(reading env: inout EnvironmentReader) {
        var urls: [String: String] = [:]
        let suffix = "_SERVICE_URL"
        for variable in env.environment.keys.sorted() where variable.hasSuffix(suffix) && variable.count > suffix.count {
            let stem = variable.dropLast(suffix.count)
            guard stem.allSatisfy({ ($0.isASCII && ($0.isUppercase || $0.isNumber)) || $0 == "_" }) else { continue }
            if let url = env.url(variable, default: nil, schemes: ["http", "https"]) {
                urls[stem.lowercased()] = url
            }
        }
        var concurrency: [String: Int] = [:]
        for service in urls.keys.sorted() {
            let variable = "\(service.uppercased())_SERVICE_CONCURRENCY"
            concurrency[service] = env.integer(variable, default: Self.defaultConcurrency, in: 1...10_000)
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
        let slowCall = env.seconds("SERVICE_CIRCUIT_SLOW_CALL", default: .seconds(5))
        self.init(
            serviceURLs: urls,
            adminUserIDs: admins,
            retry: RetryPolicy(attempts: attempts, attemptTimeout: timeout),
            circuitBreaker: CircuitBreaker.Configuration(failureThreshold: failures, coolDown: coolDown, slowCallDuration: slowCall),
            concurrency: concurrency
        )
    }
}
