import Conversations
import Foundation

/// libFuzzer's entry point: bytes read as a stored conversation state, as
/// the gateway reads what a lease returns. The hand-written reader must
/// never take what `JSONDecoder` would refuse or read it differently, and a
/// state read must write back to bytes that read as the same state. A thrown
/// error is the expected outcome for most inputs; a trap marks a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let state = try? ConversationState.decode(bytes) else { return 0 }
    guard let reference = try? JSONDecoder().decode(ConversationState.self, from: Data(bytes)), reference == state else {
        fatalError("read a state JSONDecoder reads otherwise: \(String(decoding: bytes, as: UTF8.self))")
    }
    guard (try? ConversationState.decode(state.encoded())) == state else {
        fatalError("a state does not survive being written and read back")
    }
    return 0
}
