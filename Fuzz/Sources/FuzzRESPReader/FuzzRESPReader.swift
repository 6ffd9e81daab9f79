@testable import RedisClient

/// libFuzzer's entry point: bytes as if read from a Redis socket, fed to
/// the hiredis reader wrapper the connection uses and drained of replies.
/// The first byte picks where the input is split into two reads, so replies
/// that straddle reads are covered too. A thrown `RedisError` is the
/// expected outcome for malformed input; only a crash, trap or sanitizer
/// report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0, let reader = try? RESPReader() else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let bytes = UnsafeRawBufferPointer(rebasing: input.dropFirst())
    let split = Int(input[0]) % (bytes.count + 1)
    for read in [bytes[..<split], bytes[split...]] {
        do {
            try reader.feed(UnsafeRawBufferPointer(rebasing: read))
            while try reader.next() != nil {}
        } catch {
            // The connection closes on a protocol error; so does this.
            return 0
        }
    }
    return 0
}
