import Foundation
import Synchronization

/// Who holds a lease or a claim: one gateway instance (`INSTANCE_ID`) in one
/// run of its process. Every lease and claim token starts with both, so any
/// instance can tell from the heartbeats (``InstanceRoster``) whether the
/// holder still lives: a holder whose instance stopped beating, or whose
/// instance restarted (same id, another run), is taken over at once instead
/// of after its lease expires.
public struct InstanceIdentity: Sendable, Hashable {
    /// The instance's name, stable across restarts.
    public let id: String
    /// This run of the process: random, new at every start.
    public let run: String

    /// Creates the identity of this run of instance `id`.
    public init(id: String, run: String = InstanceIdentity.randomRun()) {
        self.id = id
        self.run = run
    }

    /// The default `INSTANCE_ID`: the host's name and the webhook port, so
    /// two instances on one host differ and a restarted one keeps its name.
    /// With port 0 (any free port) the process id stands in for the port:
    /// unique, but not kept across restarts.
    public static func defaultID(port: Int) -> String {
        let name = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        let host = String(name.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }.prefix(100))
        let suffix = port == 0 ? "pid\(ProcessInfo.processInfo.processIdentifier)" : "\(port)"
        return "\(host.isEmpty ? "gateway" : host)-\(suffix)"
    }

    /// Whether `id` can name an instance: 1–128 of A-Z a-z 0-9 `_ - . :`
    /// (a `|` would break the tokens, braces the hash tags).
    public static func isValid(_ id: String) -> Bool {
        (1...128).contains(id.count)
            && id.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-.:".unicodeScalars.contains($0)) }
    }

    /// A new random run id: 12 lowercase hex digits (48 random bits), made
    /// once per start and for the ids of dead letters.
    public static func randomRun() -> String {
        var bits = UInt64.random(in: 0..<(1 << 48))
        var digits = [UInt8](repeating: 0, count: 12)
        for index in digits.indices.reversed() {
            let nibble = UInt8(truncatingIfNeeded: bits & 0xF)
            digits[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            bits >>= 4
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// Tokens issued by this process. After the run id a count is as unique
    /// as a random draw, without a `getrandom` system call per token (one per
    /// update and per send).
    private static let issued = Atomic<UInt64>(0)

    /// A new token for a lease or claim held by this run.
    func token() -> String {
        "\(self.id)|\(self.run)|\(Self.issued.wrappingAdd(1, ordering: .relaxed).newValue)"
    }

    /// The instance and run that hold `token`; nil when it is no holder's
    /// token (`ready`, `backoff`, or a token of an older release).
    static func holder(of token: String) -> (id: Substring, run: Substring)? {
        let parts = token.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (parts[0], parts[1])
    }
}
