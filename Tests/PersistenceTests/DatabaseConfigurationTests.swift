import Persistence
import Testing

@Suite("DATABASE_URL and DATABASE_POOL_SIZE")
struct DatabaseConfigurationTests {
    @Test func fullURL() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://gateway:p%40ss@db.internal:6543/botgateway?sslmode=require", poolSize: 7)
        #expect(configuration == DatabaseConfiguration(
            host: "db.internal",
            port: 6543,
            username: "gateway",
            password: "p@ss",
            database: "botgateway",
            tls: .require,
            poolSize: 7
        ))
    }

    @Test func defaultsAndVariants() throws {
        let plain = try DatabaseConfiguration(url: "postgresql://gateway@127.0.0.1/botgateway")
        #expect(plain.port == 5432)
        #expect(plain.password == nil)
        #expect(plain.tls == .prefer)
        #expect(plain.poolSize == 10)

        let ipv6 = try DatabaseConfiguration(url: "postgres://gateway@[::1]:5433/db?sslmode=disable")
        #expect(ipv6.host == "::1")
        #expect(ipv6.port == 5433)
        #expect(ipv6.tls == .disable)
    }

    @Test(arguments: [
        ("mysql://gateway@127.0.0.1/db", "scheme"),
        ("postgres://gateway@127.0.0.1", "database name"),
        ("postgres://127.0.0.1:5432/db", "user name"),
        ("postgres://gateway@:5432/db", "host"),
        ("postgres://gateway:hunter2secret@127.0.0.1:99999/db", "port"),
        ("postgres://gateway:hunter2secret@127.0.0.1/db?sslmode=verify-ca", "sslmode"),
        ("postgres://gateway@127.0.0.1/db?application_name=x", "application_name"),
        ("just text", "not a URL"),
    ])
    func malformedURLsSayWhatIsWrong(url: String, mentions: String) {
        let error = #expect(throws: PersistenceError.self) { try DatabaseConfiguration(url: url) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.hasPrefix("DATABASE_URL: ") == true)
        #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("hunter2secret") == false)
    }

    @Test func environmentReadsBothVariables() throws {
        let configuration = try DatabaseConfiguration(environment: [
            "DATABASE_URL": " postgres://gateway@127.0.0.1:5432/botgateway ",
            "DATABASE_POOL_SIZE": "25",
        ])
        #expect(configuration.poolSize == 25)
        #expect(configuration.database == "botgateway")
    }

    @Test func aBadEnvironmentIsOneErrorListingEveryProblem() {
        let error = #expect(throws: PersistenceError.self) {
            try DatabaseConfiguration(environment: ["DATABASE_URL": "postgres://gateway:topsecret@127.0.0.1:0/db", "DATABASE_POOL_SIZE": "zero"])
        }
        let lines = error?.message.split(separator: "\n") ?? []
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("DATABASE_URL:") == true)
        #expect(lines.last?.hasPrefix("DATABASE_POOL_SIZE:") == true)
        #expect(error?.description.contains("topsecret") == false)

        let missing = #expect(throws: PersistenceError.self) { try DatabaseConfiguration(environment: [:]) }
        #expect(missing?.message.hasPrefix("DATABASE_URL: required") == true)
    }

    @Test func descriptionRedactsThePassword() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://gateway:topsecret@127.0.0.1/db")
        #expect(!configuration.description.contains("topsecret"))
        #expect(configuration.description.contains("<redacted>"))
    }
}
