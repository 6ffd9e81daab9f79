import Foundation
import Logging

/// Reads typed values out of an environment dictionary, collecting one
/// problem per bad value instead of stopping at the first.
struct EnvironmentReader {
    let environment: [String: String]
    private(set) var problems: [ConfigurationError.Problem] = []

    init(_ environment: [String: String]) {
        self.environment = environment
    }

    /// The trimmed value, or nil when unset or blank.
    func string(_ name: String) -> String? {
        guard let value = self.environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        return value.isEmpty ? nil : value
    }

    mutating func problem(_ name: String, _ message: String) {
        self.problems.append(.init(variable: name, message: message))
    }

    mutating func bool(_ name: String, default value: Bool) -> Bool {
        guard let text = self.string(name) else { return value }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            self.problem(name, "expected true or false, got \"\(text)\"")
            return value
        }
    }

    mutating func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) -> Int {
        guard let text = self.string(name) else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            self.problem(name, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
            return value
        }
        return parsed
    }

    mutating func seconds(_ name: String, default value: Duration) -> Duration {
        guard let text = self.string(name) else { return value }
        guard let parsed = Double(text), parsed.isFinite, parsed > 0, parsed <= 3600 else {
            self.problem(name, "expected a number of seconds greater than 0 and at most 3600, got \"\(text)\"")
            return value
        }
        return .milliseconds(Int64((parsed * 1000).rounded()))
    }

    mutating func url(_ name: String, default value: String?, schemes: Set<String>) -> String? {
        guard let text = self.string(name) else { return value }
        let parts = text.split(separator: ":", maxSplits: 1)
        let scheme = parts.first.map { $0.lowercased() } ?? ""
        guard parts.count == 2, schemes.contains(scheme), parts[1].hasPrefix("//"), parts[1].count > 2 else {
            let expected = schemes.sorted().map { "\($0)://" }.joined(separator: " or ")
            self.problem(name, "expected an absolute URL starting with \(expected), got \"\(text)\"")
            return value
        }
        return text
    }

    /// A comma-separated list of CIDRs; `telegram` stands for Telegram's
    /// published ranges when `allowTelegram` is set.
    mutating func networks(_ name: String, allowTelegram: Bool) -> [IPNetwork]? {
        guard let text = self.string(name) else { return nil }
        var networks: [IPNetwork] = []
        for entry in text.split(separator: ",") {
            let entry = entry.trimmingCharacters(in: .whitespaces)
            if allowTelegram, entry.lowercased() == "telegram" {
                networks += IPNetwork.telegram
            } else if let network = IPNetwork(entry) {
                networks.append(network)
            } else {
                let hint = allowTelegram ? ", or the word telegram" : ""
                self.problem(name, "\"\(entry)\" is not an IPv4 or IPv6 address or CIDR block (like 149.154.160.0/20 or 2001:db8::/32)\(hint)")
            }
        }
        return networks
    }

    mutating func logLevel(_ name: String, default value: Logger.Level) -> Logger.Level {
        guard let text = self.string(name) else { return value }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            self.problem(name, "expected one of \(levels), got \"\(text)\"")
            return value
        }
        return level
    }
}
