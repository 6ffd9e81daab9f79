/// Where one conversation is: its flow and step, what was entered so far, the
/// steps to go **Back** to, and a version that tells a current button from a stale one.
///
/// Stored as JSON (``encoded()``, ``decode(_:)``) under the conversation's
/// state key, with the FSM TTL.
public struct ConversationState: Codable, Sendable, Hashable {
    /// The flow's name.
    public var flow: String
    /// This run of the flow, as given to ``FlowRuntime/start(flow:data:id:)``;
    /// the base of the idempotency keys of its service calls.
    public var id: String
    /// The current step's name.
    public var step: String
    /// Everything entered and loaded so far, by data key.
    public var data: [String: FlowValue]
    /// The steps entered before the current one, oldest first; **Back** pops the last.
    public var history: [String]
    /// Changes whenever the conversation changes; buttons carry the version
    /// they were shown with, and a press with another version is never acted on.
    ///
    /// A run starts at a number derived from its ``id`` (see
    /// ``initialVersion(for:)``), so a button left over from an earlier run
    /// does not match a later one. Versions stay below 2^53, which the Redis
    /// store's Lua script compares exactly.
    public var version: UInt64
    /// A service call the runtime waits for; only set in the states a driver
    /// passes from a ``FlowAction/call(_:)`` back with its
    /// ``FlowEvent/serviceResult(_:)``, never in a state to save.
    public var pending: PendingCall?

    /// Creates a state.
    public init(
        flow: String,
        id: String,
        step: String,
        data: [String: FlowValue] = [:],
        history: [String] = [],
        version: UInt64,
        pending: PendingCall? = nil
    ) {
        self.flow = flow
        self.id = id
        self.step = step
        self.data = data
        self.history = history
        self.version = version
        self.pending = pending
    }

    /// The first version of the run `id`: 32 bits of its FNV-1a hash, shifted
    /// to leave 2^20 changes before the next run's range.
    public static func initialVersion(for id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return ((hash & 0xffff_ffff) << 20) + 1
    }
}

/// A service call in flight, and what to go back to if it fails.
public struct PendingCall: Codable, Sendable, Hashable {
    /// Why the call was made.
    public enum Purpose: String, Codable, Sendable, Hashable {
        /// The current step's `onEnter`: its screen follows success.
        case enter
        /// The current step's `action`, after its input was accepted.
        case action
    }

    public let purpose: Purpose
    public let call: ServiceCall
    /// The conversation before the event that started the chain of calls;
    /// nil for a chain started by ``FlowRuntime/start(flow:data:id:)``.
    let rollback: Snapshot?

    init(purpose: Purpose, call: ServiceCall, rollback: Snapshot?) {
        self.purpose = purpose
        self.call = call
        self.rollback = rollback
    }
}

/// The parts of a state that an event changes.
struct Snapshot: Codable, Sendable, Hashable {
    var step: String
    var data: [String: FlowValue]
    var history: [String]
    var version: UInt64

    init(_ state: ConversationState) {
        self.step = state.step
        self.data = state.data
        self.history = state.history
        self.version = state.version
    }
}

extension ConversationState {
    /// The state with `snapshot`'s step, data, history and version, and no call pending.
    func restored(_ snapshot: Snapshot) -> ConversationState {
        ConversationState(
            flow: self.flow,
            id: self.id,
            step: snapshot.step,
            data: snapshot.data,
            history: snapshot.history,
            version: snapshot.version
        )
    }
}
