import Foundation

/// One `.sql` file of the migrations directory. Files are applied in name
/// order (`0001_initial.sql`, `0002_…`) and never edited once applied.
public struct MigrationFile: Sendable, Hashable {
    /// The file name, which is also its key in `schema_migrations`.
    public var name: String
    public var sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }

    /// The `.sql` files of `directory`, sorted by name.
    ///
    /// - Throws: ``PersistenceError/Code/migrationsUnreadable`` when the
    ///   directory or a file cannot be read, or a file is not UTF-8.
    public static func load(directory: String) throws(PersistenceError) -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PersistenceError(
                code: .migrationsUnreadable,
                message: "cannot read the migrations directory \(directory): \(error.localizedDescription) (pass --directory or set MIGRATIONS_DIR)"
            )
        }
        return try names.filter { $0.hasSuffix(".sql") }.sorted().map { name throws(PersistenceError) in
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PersistenceError(code: .migrationsUnreadable, message: "cannot read the migration \(path)")
            }
            guard let sql = String(data: data, encoding: .utf8) else {
                throw PersistenceError(code: .migrationsUnreadable, message: "the migration \(path) is not UTF-8 text")
            }
            return MigrationFile(name: name, sql: sql)
        }
    }
}
