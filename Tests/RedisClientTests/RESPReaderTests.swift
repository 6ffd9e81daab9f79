@testable import RedisClient
import Testing

/// The hiredis reader behind its Swift wrapper, fed raw bytes as a socket would.
@Suite("RESP reader")
struct RESPReaderTests {
    private func replies(_ text: String) throws -> [RedisValue] {
        let reader = try RESPReader()
        try Array(text.utf8).withUnsafeBytes { try reader.feed($0) }
        var values: [RedisValue] = []
        while let value = try reader.next() {
            values.append(value)
        }
        return values
    }

    @Test("every reply type, nested and pipelined")
    func readsEveryType() throws {
        let values = try self.replies("+OK\r\n-ERR no\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n*1\r\n:1\r\n$0\r\n\r\n")
        #expect(values.count == 6)
        #expect(values[0] == .simpleString("OK"))
        #expect(values[1] == .error("ERR no"))
        #expect(values[2] == .integer(42))
        #expect(values[3] == .bulkString(Array("abc".utf8)))
    }

    @Test("an array declaring more than the cap is a clear protocol error, not a 16 GiB allocation")
    func hugeArrayCountIsRefused() throws {
        for count in ["2147483647", "\(RESPReader.maxArrayElements + 1)"] {
            let error = #expect(throws: RedisError.self) { try self.replies("*\(count)\r\n") }
            #expect(error?.code == .protocolError)
            #expect(error?.message.contains("array of \(count) elements") == true, "\(String(describing: error))")
        }
        // At the cap the header is accepted; the reader waits for the elements.
        #expect(try self.replies("*\(RESPReader.maxArrayElements)\r\n").isEmpty)
    }

    @Test("negative and malformed counts are refused as malformed")
    func malformedCounts() throws {
        for text in ["*-2\r\n", "*x\r\n", "!oops\r\n"] {
            let error = #expect(throws: RedisError.self) { try self.replies(text) }
            #expect(error?.code == .protocolError)
        }
    }
}
