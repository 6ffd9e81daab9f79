@testable import RedisClient
import NIOCore
import Testing

/// Commands as Redis reads them (the RESP specification's multi-bulk form).
@Suite("RESP encoder")
struct RESPEncoderTests {
    private func encoded(_ commands: [RedisArgument]...) -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        for command in commands {
            RESPEncoder.encode(command, into: &buffer)
        }
        return String(decoding: buffer.readableBytesView, as: UTF8.self)
    }

    @Test func aCommandIsAnArrayOfBulkStrings() {
        #expect(encoded(["SET", "key", "value"]) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
    }

    @Test func integersAreDecimalAndLengthsCountBytes() {
        #expect(encoded(["EXPIRE", "k", .integer(-42)]) == "*3\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$3\r\n-42\r\n")
        #expect(encoded(["INCRBY", "k", .integer(Int.min)]) == "*3\r\n$6\r\nINCRBY\r\n$1\r\nk\r\n$20\r\n-9223372036854775808\r\n")
        #expect(encoded(["SET", "ключ", "🚰"]) == "*3\r\n$3\r\nSET\r\n$8\r\nключ\r\n$4\r\n🚰\r\n")
        for value in [0, 9, 10, 99, 100, Int.max, -1, -10] {
            #expect(encoded([.integer(value)]) == "*1\r\n$\(String(value).utf8.count)\r\n\(value)\r\n")
        }
        let ten = String(repeating: "x", count: 10)
        let arguments = [RedisArgument](repeating: .string(ten), count: 10)
        #expect(encoded(arguments) == "*10\r\n" + String(repeating: "$10\r\n\(ten)\r\n", count: 10))
    }

    @Test func bytesPassAsTheyAreEmptyOnesToo() {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        RESPEncoder.encode(["SET", .bytes([0x00, 0x0D, 0x0A, 0xFF]), .bytes([]), ""], into: &buffer)
        #expect(Array(buffer.readableBytesView) == Array("*4\r\n$3\r\nSET\r\n$4\r\n".utf8) + [0x00, 0x0D, 0x0A, 0xFF] + Array("\r\n$0\r\n\r\n$0\r\n\r\n".utf8))
    }

    @Test func commandsFollowOneAnother() {
        #expect(encoded(["PING"], ["GET", "a"]) == "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n")
    }
}
