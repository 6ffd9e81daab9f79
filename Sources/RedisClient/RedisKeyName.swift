/// Writes key names whose hash tag has several parts, `{a:b:c}suffix`.
///
/// Interpolating `"{\(a):\(b):\(c)}:state"` appends part by part: ~2,900
/// instructions for such a key (callgrind), against ~950 written into one
/// allocation here; a step makes a dozen of them. Keys of one part and a
/// suffix stay interpolated, which costs about as little.
public enum RedisKeyName {
    /// `{first:second}suffix`.
    public static func tagged(_ first: String, _ second: String, suffix: String = "") -> String {
        self.tag(first, second, nil, suffix: suffix)
    }

    /// `{first:second:third}suffix`.
    public static func tagged(_ first: String, _ second: String, _ third: String, suffix: String = "") -> String {
        self.tag(first, second, third, suffix: suffix)
    }

    private static func tag(_ first: String, _ second: String, _ third: String?, suffix: String) -> String {
        let count = 3 + first.utf8.count + second.utf8.count + (third.map { 1 + $0.utf8.count } ?? 0) + suffix.utf8.count
        return String(unsafeUninitializedCapacity: count) { buffer in
            var next = write("{", at: buffer.baseAddress!)
            next = write(first, at: next)
            next = write(":", at: next)
            next = write(second, at: next)
            if let third {
                next = write(":", at: next)
                next = write(third, at: next)
            }
            next = write("}", at: next)
            next = write(suffix, at: next)
            return next - buffer.baseAddress!
        }
    }

    /// Copies `text`'s UTF-8 to `target`, which has room for it; returns the byte after it.
    @inline(__always)
    private static func write(_ text: String, at target: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return target }
            target.update(from: base, count: bytes.count)
            return target + bytes.count
        }
    }
}
