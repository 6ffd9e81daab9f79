/// One button of a static choice: the value stored when it is pressed, its
/// label, and optionally the step it leads to (a branch; otherwise the step's
/// own `next`).
public struct Choice: Sendable, Hashable {
    /// Stored in the data and carried in the button's callback data: printable
    /// ASCII, at most ``ButtonPress/maximumChoiceValueLength`` bytes (checked by
    /// ``FlowRegistry/validate(keys:)``).
    public var value: String
    public var label: ButtonLabel
    /// The step this choice leads to instead of the step's `next`.
    public var next: String?

    /// Creates a choice.
    public init(_ value: String, label: ButtonLabel, next: String? = nil) {
        self.value = value
        self.label = label
        self.next = next
    }
}
