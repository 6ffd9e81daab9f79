/// What a step shows: its prompt, its buttons, and what it waits for.
public struct Screen: Sendable, Hashable {
    /// The flow and step shown, for renderers that style some steps and for logs.
    public var flow: String
    public var step: String
    /// The prompt, data references resolved.
    public var prompt: Prompt
    /// Rows of buttons: choices, then **Skip** or **Confirm**, then **Back** and **Cancel**.
    public var buttons: [[ScreenButton]]
    /// The input the step waits for.
    public var expects: InputKind
    /// What the step's data key holds: what was entered here before (shown
    /// again after **Back**, or on the way forward again; for a dynamic
    /// choice, the chosen option's label), or the photos received so far;
    /// nil when there is nothing.
    public var previous: FlowValue?

    /// Creates a screen.
    public init(flow: String, step: String, prompt: Prompt, buttons: [[ScreenButton]], expects: InputKind, previous: FlowValue? = nil) {
        self.flow = flow
        self.step = step
        self.prompt = prompt
        self.buttons = buttons
        self.expects = expects
        self.previous = previous
    }
}

/// One inline button of a ``Screen``.
public struct ScreenButton: Sendable, Hashable {
    public var label: ButtonLabel
    /// The `callback_data` (see ``ButtonPress``).
    public var callbackData: String

    /// Creates a button.
    public init(label: ButtonLabel, callbackData: String) {
        self.label = label
        self.callbackData = callbackData
    }

    init(label: ButtonLabel, press: ButtonPress) {
        self.init(label: label, callbackData: press.callbackData)
    }
}
