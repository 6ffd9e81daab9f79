import Gateway

/// A backend's 2xx answer, taken apart but not yet checked action by action:
/// `{"actions": [{"method", "parameters"}…], "state": …}`, both optional.
struct ForwardAnswer: Sendable {
    /// Each action's JSON, as sent.
    var actions: [[UInt8]]
    /// What becomes of the conversation's state; a new state is the JSON as sent.
    var state: StepOutcome.StateChange

    /// Nothing to send, the state kept: an empty body or `{}`.
    static let nothing = ForwardAnswer(actions: [], state: .keep)

    /// Why an answer is refused as a whole.
    struct Refusal: Error, Sendable {
        var reason: DeadLetter.Reason
        var message: String
    }

    /// Takes `body` apart.
    ///
    /// - Throws: ``Refusal`` for a body that is not a JSON object, `actions`
    ///   that is not an array, more than ``ForwardBotConfiguration/maxActions``
    ///   actions, or a state larger than ``ForwardBotConfiguration/maxStateBytes``.
    static func parse(_ body: [UInt8]) throws(Refusal) -> ForwardAnswer {
        let whole = JSONSpans.trimmed(body, body.indices)
        guard !whole.isEmpty else { return .nothing }
        guard JSONSpans.isValid(body[whole]), let members = JSONSpans.members(body, in: whole) else {
            throw Refusal(reason: .invalidAnswer, message: "the answer is not a JSON object (\(Self.preview(body[whole])))")
        }
        var answer = ForwardAnswer.nothing
        // A key given twice counts once, the last, as most JSON parsers read it.
        for (key, range) in members {
            switch key {
            case "actions":
                if Self.isNull(body, range) {
                    answer.actions = []
                    continue
                }
                guard let elements = JSONSpans.elements(body, in: range) else {
                    throw Refusal(reason: .invalidAnswer, message: "\"actions\" is not an array (\(Self.preview(body[range])))")
                }
                answer.actions = elements.map { Array(body[$0]) }
            case "state":
                answer.state = Self.isNull(body, range) ? .clear : .set(Array(body[range]))
            default:
                continue
            }
        }
        if answer.actions.count > ForwardBotConfiguration.maxActions {
            throw Refusal(
                reason: .tooManyActions,
                message: "the answer has \(answer.actions.count) actions; at most \(ForwardBotConfiguration.maxActions) are allowed per update")
        }
        if case .set(let state) = answer.state, state.count > ForwardBotConfiguration.maxStateBytes {
            throw Refusal(
                reason: .stateTooLarge,
                message: "the answer's state is \(state.count) bytes of JSON; at most \(ForwardBotConfiguration.maxStateBytes) are kept")
        }
        return answer
    }

    private static func isNull(_ body: [UInt8], _ range: Range<Int>) -> Bool {
        body[range].elementsEqual("null".utf8)
    }

    /// The start of a refused body, for the operator: enough to recognise it, short enough for a log line.
    static func preview(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(120), as: UTF8.self)
        return bytes.count > 120 ? "starts with \(text)…" : "got \(text)"
    }
}
