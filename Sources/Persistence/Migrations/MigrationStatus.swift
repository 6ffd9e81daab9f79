import Foundation

/// Where one migration stands, as `bot-gateway migrate status` lists it.
public struct MigrationStatus: Sendable, Hashable {
    /// The migration's state.
    public enum State: Sendable, Hashable {
        /// Applied at that time, and the file is unchanged.
        case applied(Date)
        /// In the directory, not applied yet.
        case pending
        /// Applied, but the file has changed since: the migrator refuses to run.
        case changed
        /// Applied, but the file is gone: the migrator refuses to run.
        case missing
    }

    /// The file name.
    public var name: String
    public var state: State

    public init(name: String, state: State) {
        self.name = name
        self.state = state
    }
}
