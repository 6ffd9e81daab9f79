/// Redis Cluster's key-to-slot function: CRC16 (XMODEM) of the key, or of
/// the part inside its first non-empty `{…}` hash tag, modulo 16384.
public enum HashSlot {
    /// Slots in a cluster.
    public static let count = 16384

    /// The slot `key` lives in.
    public static func of<Bytes: Collection<UInt8>>(_ key: Bytes) -> Int {
        Int(crc16(hashed(key)) & 0x3FFF)
    }

    /// The slot of a key given as text.
    public static func of(_ key: String) -> Int {
        of(Array(key.utf8))
    }

    /// The bytes Redis hashes: those between the first `{` and the next `}`
    /// after it when that span is not empty, else the whole key.
    static func hashed<Bytes: Collection<UInt8>>(_ key: Bytes) -> Bytes.SubSequence {
        if let open = key.firstIndex(of: UInt8(ascii: "{")) {
            let start = key.index(after: open)
            if let close = key[start...].firstIndex(of: UInt8(ascii: "}")), close != start {
                return key[start..<close]
            }
        }
        return key[...]
    }

    static func crc16<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte))]
        }
        return crc
    }

    /// CRC16-CCITT (polynomial 0x1021, initial value 0), one entry per byte value.
    private static let table: [UInt16] = (0..<256).map { value in
        var crc = UInt16(value) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}
