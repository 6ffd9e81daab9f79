/// Which users `GET /api/v1/users` lists; the empty filter lists everyone.
public struct UserFilter: Sendable, Hashable {
    public var role: UserRole?
    /// An executor's trade, such as `electrician`.
    public var specialization: String?
    /// Only executors free for new work.
    public var availableOnly: Bool

    /// Creates a filter.
    public init(role: UserRole? = nil, specialization: String? = nil, availableOnly: Bool = false) {
        self.role = role
        self.specialization = specialization
        self.availableOnly = availableOnly
    }

    /// The query parameters; an unset filter is left out.
    var query: [(name: String, value: String)] {
        var query: [(name: String, value: String)] = []
        if let role {
            query.append(("role", role.rawValue))
        }
        if let specialization {
            query.append(("specialization", specialization))
        }
        if availableOnly {
            query.append(("available_only", "true"))
        }
        return query
    }
}
