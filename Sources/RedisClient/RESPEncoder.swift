import NIOCore

/// Encodes commands to RESP: `*<count>\r\n` then `$<length>\r\n<bytes>\r\n`
/// per argument.
///
/// Written here rather than with hiredis's `redisFormatCommandArgv`, which
/// needed every argument copied into one C buffer, formatted each length with
/// `sprintf` into a second buffer, and that copied again (144,000
/// instructions per update, callgrind). Here the size is counted first and
/// the command written in one pass into the buffer's free space. hiredis
/// still reads replies.
enum RESPEncoder {
    /// Appends one command's wire form to `buffer`.
    static func encode(_ arguments: [RedisArgument], into buffer: inout ByteBuffer) {
        precondition(!arguments.isEmpty, "a Redis command needs at least its name")
        var size = Self.headerSize(arguments.count)
        for argument in arguments {
            let length = argument.wireLength
            size += Self.headerSize(length) + length + 2
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { target in
            var writer = Writer(target: target)
            writer.header(UInt8(ascii: "*"), arguments.count)
            for argument in arguments {
                writer.header(UInt8(ascii: "$"), argument.wireLength)
                switch argument {
                case .string(let text):
                    if text.utf8.withContiguousStorageIfAvailable({ writer.copy($0) }) == nil {
                        for byte in text.utf8 { writer.byte(byte) }
                    }
                case .integer(let value):
                    if value < 0 { writer.byte(UInt8(ascii: "-")) }
                    writer.decimal(value.magnitude)
                case .bytes(let bytes):
                    bytes.withUnsafeBufferPointer { writer.copy($0) }
                }
                writer.byte(0x0D)
                writer.byte(0x0A)
            }
            assert(writer.position == size)
            return writer.position
        }
    }

    /// `<marker><decimal count>\r\n`.
    private static func headerSize(_ count: Int) -> Int {
        1 + Self.digits(UInt(count)) + 2
    }

    /// How many decimal digits `value` takes.
    static func digits(_ value: UInt) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    /// Writes into free space already counted to be large enough.
    private struct Writer {
        let target: UnsafeMutableRawBufferPointer
        var position = 0

        mutating func byte(_ byte: UInt8) {
            self.target[self.position] = byte
            self.position += 1
        }

        mutating func copy(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            (self.target.baseAddress! + self.position).copyMemory(from: base, byteCount: bytes.count)
            self.position += bytes.count
        }

        mutating func decimal(_ value: UInt) {
            let count = RESPEncoder.digits(value)
            var rest = value
            for offset in stride(from: count - 1, through: 0, by: -1) {
                self.target[self.position + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            self.position += count
        }

        mutating func header(_ marker: UInt8, _ count: Int) {
            self.byte(marker)
            self.decimal(UInt(count))
            self.byte(0x0D)
            self.byte(0x0A)
        }
    }
}

extension RedisArgument {
    /// The number of bytes the argument takes on the wire (an integer in decimal).
    var wireLength: Int {
        switch self {
        case .string(let text): text.utf8.count
        case .integer(let value): (value < 0 ? 1 : 0) + RESPEncoder.digits(value.magnitude)
        case .bytes(let bytes): bytes.count
        }
    }
}
