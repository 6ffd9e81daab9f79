/// A place in a catalog file.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// Bytes from the start of the file.
    public var offset: Int
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int

    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// The position of byte `offset` of `bytes`.
    init(offset: Int, in bytes: [UInt8]) {
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0b1100_0000 != 0b1000_0000 {  // not a UTF-8 continuation byte
                column += 1
            }
        }
        self.init(offset: offset, line: line, column: column)
    }

    public var description: String {
        "line \(self.line), column \(self.column) (byte \(self.offset))"
    }
}
