import PostgresNIO

/// Words for a failed query that an operator can act on.
public enum PostgresErrorMessage {
    /// The server's own message (with detail and hint) when there is one.
    /// `PSQLError.description` is deliberately generic so as not to leak
    /// data; the server's message names the object at fault, not values.
    /// The kind of failure alone, naming no host, port or value: for `/ready`.
    public static func kind(of error: any Error) -> String {
        if let error = error as? PSQLError {
            return "\(error.code)"
        }
        return error is PostgresTransactionError ? "the transaction failed" : "unavailable"
    }

    public static func text(for error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            guard let cause = error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError else {
                return "the transaction failed"
            }
            return Self.text(for: cause)
        }
        if let error = error as? PSQLError {
            guard let info = error.serverInfo else {
                return error.underlying.map { "\(error.code): \($0)" } ?? "\(error.code)"
            }
            var text = info[.message] ?? "server error"
            if let detail = info[.detail] { text += " (\(detail))" }
            if let hint = info[.hint] { text += "; hint: \(hint)" }
            return text
        }
        return String(describing: error)
    }
}
