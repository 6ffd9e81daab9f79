extension Step {
    /// The input a step accepts and how it is checked.
    ///
    /// Input of another kind (a photo where text is expected, text where a
    /// button is) is never stored: the step answers with its hint, if it has
    /// one, and shows its screen again.
    public struct Input: Sendable, Hashable {
        enum Rule: Sendable, Hashable {
            case text(length: ClosedRange<Int>, invalid: String)
            case number(range: ClosedRange<Int>, invalid: String)
            case choice([Choice], columns: Int)
            case dynamicChoice(options: String, empty: String?, columns: Int)
            case photos(max: Int, skip: Bool, received: String?)
            case contact
            case location
            case confirm
        }

        let rule: Rule
        /// Said when the input is of the wrong kind.
        let hint: String?

        /// Text, trimmed of surrounding whitespace, whose length in characters
        /// is within `length`; otherwise the `invalid` prompt with `{min}`,
        /// `{max}` and `{length}`, and the same screen again.
        public static func text(_ length: ClosedRange<Int>, invalid: String) -> Input {
            Input(rule: .text(length: length, invalid: invalid), hint: nil)
        }

        /// A whole number within `range`, stored as an `.int`; otherwise the
        /// `invalid` prompt with `{min}` and `{max}`, and the same screen again.
        public static func number(_ range: ClosedRange<Int>, invalid: String) -> Input {
            Input(rule: .number(range: range, invalid: invalid), hint: nil)
        }

        /// One button per choice, `columns` to a row; the chosen value is stored.
        public static func choice(_ choices: [Choice], columns: Int = 1, hint: String? = nil) -> Input {
            precondition(columns > 0, "a choice needs at least one column")
            return Input(rule: .choice(choices, columns: columns), hint: hint)
        }

        /// One button per option of the ``FlowValue/options(_:)`` list under the
        /// data key `options` (loaded by the step's `onEnter` call). The chosen
        /// option's value is stored, and its label under `<store key>.label`.
        /// With `empty`, an empty list finishes the conversation with that prompt.
        public static func dynamicChoice(_ options: String, empty: String? = nil, columns: Int = 1, hint: String? = nil) -> Input {
            precondition(columns > 0, "a choice needs at least one column")
            return Input(rule: .dynamicChoice(options: options, empty: empty, columns: columns), hint: hint)
        }

        /// Photos, stored as their file ids in a `.strings` list: the step moves
        /// on once `max` photos arrived, or when **Skip** is pressed (if `skip`).
        /// After each photo short of `max` the step shows `received` (with
        /// `{count}` and `{max}`), or its prompt again.
        ///
        /// The list is kept when the step is entered again with **Back**: new
        /// photos are added to it, and a photo sent when it is already full
        /// starts a new list.
        public static func photos(max: Int, skip: Bool, hint: String, received: String? = nil) -> Input {
            precondition(max > 0, "a photo step takes at least one photo")
            return Input(rule: .photos(max: max, skip: skip, received: received), hint: hint)
        }

        /// A shared contact; its phone number is stored.
        public static let contact = Input(rule: .contact, hint: nil)

        /// A shared contact, with a hint for other input.
        public static func contact(hint: String) -> Input {
            Input(rule: .contact, hint: hint)
        }

        /// A shared location, stored as the text `latitude,longitude`.
        public static let location = Input(rule: .location, hint: nil)

        /// A shared location, with a hint for other input.
        public static func location(hint: String) -> Input {
            Input(rule: .location, hint: hint)
        }

        /// The **Confirm** button; nothing is stored.
        public static let confirm = Input(rule: .confirm, hint: nil)

        /// The **Confirm** button, with a hint for other input.
        public static func confirm(hint: String) -> Input {
            Input(rule: .confirm, hint: hint)
        }

        /// What kind of input this is.
        public var kind: InputKind {
            switch self.rule {
            case .text: .text
            case .number: .number
            case .choice, .dynamicChoice: .choice
            case .photos: .photo
            case .contact: .contact
            case .location: .location
            case .confirm: .confirm
            }
        }

        /// Whether the input is stored under the step's data key.
        var stores: Bool {
            if case .confirm = self.rule { false } else { true }
        }
    }
}
