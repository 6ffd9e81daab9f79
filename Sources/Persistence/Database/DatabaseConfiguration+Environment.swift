import Foundation

extension DatabaseConfiguration {
    /// Reads `DATABASE_URL` (required) and `DATABASE_POOL_SIZE` (1-1000,
    /// default 10) from environment variables, as documented in
    /// `docs/configuration.md`.
    ///
    /// - Parameter environment: The variables, usually `ProcessInfo.processInfo.environment`.
    /// - Throws: ``PersistenceError/Code/invalidConfiguration`` with one line
    ///   per bad variable; the password is never quoted.
    public init(environment: [String: String]) throws(PersistenceError) {
        var problems: [String] = []

        var poolSize = 10
        if let text = Self.value("DATABASE_POOL_SIZE", in: environment) {
            if let parsed = Int(text), (1...1000).contains(parsed) {
                poolSize = parsed
            } else {
                problems.append("DATABASE_POOL_SIZE: expected a whole number from 1 to 1000, got \"\(text)\"")
            }
        }

        var parsed: DatabaseConfiguration?
        if let url = Self.value("DATABASE_URL", in: environment) {
            do {
                parsed = try DatabaseConfiguration(url: url, poolSize: poolSize)
            } catch {
                problems.insert(error.message, at: 0)
            }
        } else {
            problems.insert("DATABASE_URL: required: postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]", at: 0)
        }

        guard problems.isEmpty, let parsed else {
            throw PersistenceError(code: .invalidConfiguration, message: problems.joined(separator: "\n"))
        }
        self = parsed
    }

    private static func value(_ name: String, in environment: [String: String]) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
