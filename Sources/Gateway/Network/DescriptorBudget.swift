#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging

/// The file descriptors the process may open, checked against what the
/// listeners may hold: each listener keeps up to `GATEWAY_MAX_CONNECTIONS`
/// connections, and Redis, PostgreSQL, the Bot API and downstream services
/// need their own on top (``headroom``).
public enum DescriptorBudget {
    /// Descriptors kept for everything but the listeners' connections.
    public static let headroom = 256

    /// Raises the soft limit to the hard limit (as Go and nginx do: the soft
    /// default of 1,024 is a relic), then warns when even that is below what
    /// the two listeners may use at their caps.
    /// - Parameters:
    ///   - maxConnections: One listener's connection cap.
    ///   - logger: Where the warning goes.
    /// - Returns: The soft limit in force afterwards.
    @discardableResult
    public static func raise(forConnections maxConnections: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
                limit = raised
            }
        }
        let soft = limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
        let needed = maxConnections.multipliedReportingOverflow(by: 2).partialValue.addingReportingOverflow(Self.headroom).partialValue
        if soft < needed {
            logger.warning(
                "the descriptor limit is below what the listeners may use",
                metadata: [
                    "limit": "\(soft)",
                    "needed": "\(needed)",
                    "hint": "raise the hard limit (ulimit -n, LimitNOFILE=) or lower GATEWAY_MAX_CONNECTIONS",
                ]
            )
        }
        return soft
    }
}
