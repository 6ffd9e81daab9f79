import Foundation
import Logging
import PostgresNIO

/// Applies the migrations of `Migrations/` that the database has not seen,
/// in name order, each in its own transaction, and records each one's name,
/// SHA-256 checksum and time in `schema_migrations`.
///
/// It refuses to run when an applied file has changed or disappeared: the
/// database would no longer match the files, and the fix (a new migration)
/// is a person's decision. Gateway instances starting together are safe: the
/// whole run holds a PostgreSQL advisory lock on one connection, so a second
/// migrator waits and then finds nothing left to do.
public struct Migrator: Sendable {
    /// The advisory-lock key every migrator takes ("botgmigr" in ASCII):
    /// fixed, so instances of any version exclude each other.
    static let lockKey: Int64 = 0x626F_7467_6D69_6772

    private let database: Database
    private let files: [MigrationFile]
    private let logger: Logger

    /// Creates a migrator for `files` (see ``MigrationFile/load(directory:)``).
    public init(database: Database, files: [MigrationFile], logger: Logger) {
        self.database = database
        self.files = files
        self.logger = logger
    }

    /// Every applied and every pending migration, in name order; applied
    /// files that changed or went missing are listed as such instead of
    /// failing, so an operator sees them all.
    public func status() async throws -> [MigrationStatus] {
        try await self.database.client.withConnection { connection in
            let applied = try await self.appliedMigrations(connection, createTable: false)
            let checksums = try await self.checksums(connection)
            return self.statuses(applied: applied, checksums: checksums)
        }
    }

    /// Applies the pending migrations and returns their names (empty when
    /// the database is up to date).
    ///
    /// - Throws: ``PersistenceError`` with ``PersistenceError/Code/migrationChanged``
    ///   or ``PersistenceError/Code/migrationMissing`` naming the file, before
    ///   anything is applied; ``PersistenceError/Code/migrationOutOfOrder``
    ///   when a pending file sorts before an applied one;
    ///   ``PersistenceError/Code/migrationFailed`` when a
    ///   file's SQL fails (that file is rolled back; earlier ones stay).
    @discardableResult
    public func up() async throws -> [String] {
        try await self.database.client.withConnection { connection in
            // Held on this connection for the whole run; released before the
            // connection returns to the pool, or with the session if it dies.
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: self.logger)
            do {
                let applied = try await self.applyPending(connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: self.logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: self.logger)
                throw error
            }
        }
    }

    private func applyPending(_ connection: PostgresConnection) async throws -> [String] {
        let applied = try await self.appliedMigrations(connection, createTable: true)
        let checksums = try await self.checksums(connection)
        for status in self.statuses(applied: applied, checksums: checksums) {
            switch status.state {
            case .changed:
                throw PersistenceError(
                    code: .migrationChanged,
                    message: "\(status.name) was applied but has changed since (its SHA-256 differs from schema_migrations); restore the applied version and put the change in a new migration"
                )
            case .missing:
                throw PersistenceError(
                    code: .migrationMissing,
                    message: "\(status.name) was applied but is not in the migrations directory; restore it (applied migrations are never removed) or point --directory at the right folder"
                )
            case .applied, .pending:
                continue
            }
        }

        // Name order is the promise: a pending file that sorts before an
        // applied one (two branches each adding a migration) would run in an
        // order no database saw in testing, so a person renames it first.
        if let lastApplied = applied.keys.max(), let early = self.files.first(where: { applied[$0.name] == nil && $0.name < lastApplied }) {
            throw PersistenceError(
                code: .migrationOutOfOrder,
                message: "\(early.name) is pending but sorts before \(lastApplied), which is applied; rename it to sort after \(lastApplied)"
            )
        }

        var done: [String] = []
        for (file, checksum) in zip(self.files, checksums) where applied[file.name] == nil {
            do {
                try await connection.withTransaction(logger: self.logger) { transaction in
                    for statement in SQLScript.statements(in: file.sql) {
                        try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                    }
                    try await transaction.query(
                        "INSERT INTO schema_migrations (name, checksum) VALUES (\(file.name), \(checksum))",
                        logger: self.logger
                    )
                }
            } catch {
                throw PersistenceError(
                    code: .migrationFailed,
                    message: "\(file.name) failed and was rolled back: \(PostgresErrorMessage.text(for: error))"
                )
            }
            self.logger.info("migration applied", metadata: ["migration": "\(file.name)"])
            done.append(file.name)
        }
        return done
    }

    private struct AppliedMigration {
        var checksum: String
        var appliedAt: Date
    }

    private func appliedMigrations(_ connection: PostgresConnection, createTable: Bool) async throws -> [String: AppliedMigration] {
        if createTable {
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name text PRIMARY KEY,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: self.logger
            )
        } else {
            let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: self.logger)
            for try await found in exists.decode(Bool.self) where !found {
                return [:]
            }
        }
        var applied: [String: AppliedMigration] = [:]
        let rows = try await connection.query("SELECT name, checksum, applied_at FROM schema_migrations", logger: self.logger)
        for try await (name, checksum, appliedAt) in rows.decode((String, String, Date).self) {
            applied[name] = AppliedMigration(checksum: checksum, appliedAt: appliedAt)
        }
        return applied
    }

    /// SHA-256 of each file, hex, in file order. PostgreSQL computes them,
    /// so the gateway needs no crypto library of its own.
    private func checksums(_ connection: PostgresConnection) async throws -> [String] {
        guard !self.files.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT encode(sha256(convert_to(f.sql, 'UTF8')), 'hex')
            FROM unnest(\(self.files.map(\.sql))::text[]) WITH ORDINALITY AS f(sql, position)
            ORDER BY f.position
            """,
            logger: self.logger
        )
        var checksums: [String] = []
        for try await checksum in rows.decode(String.self) {
            checksums.append(checksum)
        }
        return checksums
    }

    private func statuses(applied: [String: AppliedMigration], checksums: [String]) -> [MigrationStatus] {
        var statuses: [MigrationStatus] = zip(self.files, checksums).map { file, checksum in
            guard let record = applied[file.name] else { return MigrationStatus(name: file.name, state: .pending) }
            return MigrationStatus(name: file.name, state: record.checksum == checksum ? .applied(record.appliedAt) : .changed)
        }
        let present = Set(self.files.map(\.name))
        statuses += applied.keys.filter { !present.contains($0) }.map { MigrationStatus(name: $0, state: .missing) }
        return statuses.sorted { $0.name < $1.name }
    }
}
