/// A block of addresses in CIDR notation: `149.154.160.0/20`, `2001:db8::/32`;
/// a bare address is a block of one.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block (host bits cleared).
    public let address: IPAddress
    /// The number of leading bits that name the network.
    public let prefixLength: Int

    /// The ranges Telegram sends webhooks from, as published in the Bot API
    /// documentation ("Marvin's Marvellous Guide to All Things Webhook").
    public static let telegram: [IPNetwork] = [
        IPNetwork("149.154.160.0/20")!,
        IPNetwork("91.108.4.0/22")!,
    ]

    /// Parses `address/prefix` or a bare address; nil when either part is
    /// invalid or the prefix is longer than the address.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0].trimmingSpaces) else { return nil }
        let bits = address.bytes.count * 8
        var prefixLength = bits
        if parts.count == 2 {
            guard let parsed = Int(parts[1].trimmingSpaces), (0...bits).contains(parsed) else { return nil }
            prefixLength = parsed
        }
        self.prefixLength = prefixLength
        self.address = IPAddress(masking: address, toPrefix: prefixLength)
    }

    /// Whether `candidate` lies in this block; an IPv4 address never lies in
    /// an IPv6 block or the other way round.
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == self.address.bytes.count else { return false }
        return IPAddress(masking: candidate, toPrefix: self.prefixLength) == self.address
    }

    public var description: String { "\(self.address)/\(self.prefixLength)" }
}

extension IPAddress {
    /// `address` with every bit after the first `prefix` cleared.
    fileprivate init(masking address: IPAddress, toPrefix prefix: Int) {
        var bytes = address.bytes
        for index in bytes.indices {
            let kept = min(max(prefix - index * 8, 0), 8)
            bytes[index] &= kept == 8 ? 0xFF : ~(0xFF >> kept)
        }
        self.init(unchecked: bytes)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var result = self
        while result.first == " " { result.removeFirst() }
        while result.last == " " { result.removeLast() }
        return result
    }
}
