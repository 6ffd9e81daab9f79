/// An error from the Persistence module: bad configuration, an unreachable
/// database, a migration the migrator refuses to run, or a stored value it
/// cannot read.
///
/// The message says what to do. It never carries the database password.
public struct PersistenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: Sendable, Hashable {
            case invalidConfiguration
            case databaseUnavailable
            case migrationsUnreadable
            case migrationChanged
            case migrationMissing
            case migrationOutOfOrder
            case migrationFailed
            case invalidStoredValue
        }

        fileprivate let value: Value

        /// `DATABASE_URL` or `DATABASE_POOL_SIZE` is malformed.
        public static let invalidConfiguration = Code(value: .invalidConfiguration)
        /// The database did not answer (down, unreachable, or refusing the login).
        public static let databaseUnavailable = Code(value: .databaseUnavailable)
        /// The migrations directory or one of its files cannot be read.
        public static let migrationsUnreadable = Code(value: .migrationsUnreadable)
        /// A migration that was applied has since been edited.
        public static let migrationChanged = Code(value: .migrationChanged)
        /// A migration that was applied is no longer in the directory.
        public static let migrationMissing = Code(value: .migrationMissing)
        /// A pending migration sorts before one already applied.
        public static let migrationOutOfOrder = Code(value: .migrationOutOfOrder)
        /// A migration's SQL failed; its transaction was rolled back.
        public static let migrationFailed = Code(value: .migrationFailed)
        /// A row holds a value this code cannot interpret (a malformed jsonb, an unknown target).
        public static let invalidStoredValue = Code(value: .invalidStoredValue)

        public var description: String {
            switch self.value {
            case .invalidConfiguration: "invalidConfiguration"
            case .databaseUnavailable: "databaseUnavailable"
            case .migrationsUnreadable: "migrationsUnreadable"
            case .migrationChanged: "migrationChanged"
            case .migrationMissing: "migrationMissing"
            case .migrationOutOfOrder: "migrationOutOfOrder"
            case .migrationFailed: "migrationFailed"
            case .invalidStoredValue: "invalidStoredValue"
            }
        }
    }

    public let code: Code
    /// What went wrong and what to do about it.
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String {
        "\(self.code): \(self.message)"
    }
}
