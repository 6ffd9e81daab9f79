/// SplitMix64: random numbers that are the same on every run, for the
/// tests that compare a hand-written reader with `JSONDecoder`.
public struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The bytes JSON is made of, and a few that break UTF-8.
    static let jsonBytes: [UInt8] = Array(#"{}[]:,"\/u0123456789-.eE tnrfb"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]

    /// `bytes` with one to three bytes replaced, removed or inserted.
    public mutating func mutated(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...3, using: &self) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &self)
            let byte = Self.jsonBytes.randomElement(using: &self)!
            switch Int.random(in: 0..<3, using: &self) {
            case 0: bytes[index] = byte
            case 1: bytes.remove(at: index)
            default: bytes.insert(byte, at: index)
            }
        }
        return bytes
    }
}
