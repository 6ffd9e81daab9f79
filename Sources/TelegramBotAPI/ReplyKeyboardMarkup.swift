/// A custom keyboard that replaces the user's letter keyboard
/// (Bot API `ReplyKeyboardMarkup`); pressing a button sends its label as text.
public struct ReplyKeyboardMarkup: Codable, Sendable, Hashable {
    /// The buttons, row by row.
    public var keyboard: [[KeyboardButton]]
    /// Keep the keyboard shown even when the user hides the regular keyboard.
    public var isPersistent: Bool?
    /// Fit the keyboard's height to its rows instead of the standard height.
    public var resizeKeyboard: Bool?
    /// Hide the keyboard once a button was pressed.
    public var oneTimeKeyboard: Bool?
    /// Shown in the input field while the keyboard is active (1…64 characters).
    public var inputFieldPlaceholder: String?
    /// Show the keyboard only to mentioned users and to the sender of the
    /// message replied to.
    public var selective: Bool?

    /// Creates a reply keyboard.
    public init(
        keyboard: [[KeyboardButton]],
        isPersistent: Bool? = nil,
        resizeKeyboard: Bool? = nil,
        oneTimeKeyboard: Bool? = nil,
        inputFieldPlaceholder: String? = nil,
        selective: Bool? = nil
    ) {
        self.keyboard = keyboard
        self.isPersistent = isPersistent
        self.resizeKeyboard = resizeKeyboard
        self.oneTimeKeyboard = oneTimeKeyboard
        self.inputFieldPlaceholder = inputFieldPlaceholder
        self.selective = selective
    }

    enum CodingKeys: String, CodingKey {
        case keyboard
        case isPersistent = "is_persistent"
        case resizeKeyboard = "resize_keyboard"
        case oneTimeKeyboard = "one_time_keyboard"
        case inputFieldPlaceholder = "input_field_placeholder"
        case selective
    }
}

/// One button of a reply keyboard (Bot API `KeyboardButton`).
public struct KeyboardButton: Codable, Sendable, Hashable {
    /// The label, sent as a message when pressed (unless a request field is set).
    public var text: String
    /// Send the user's phone number as a contact; private chats only.
    public var requestContact: Bool?
    /// Send the user's current location; private chats only.
    public var requestLocation: Bool?

    /// Creates a button.
    public init(text: String, requestContact: Bool? = nil, requestLocation: Bool? = nil) {
        self.text = text
        self.requestContact = requestContact
        self.requestLocation = requestLocation
    }

    /// A button that shares the user's phone number.
    public static func contactRequest(_ text: String) -> KeyboardButton {
        KeyboardButton(text: text, requestContact: true)
    }

    /// A button that shares the user's location.
    public static func locationRequest(_ text: String) -> KeyboardButton {
        KeyboardButton(text: text, requestLocation: true)
    }

    enum CodingKeys: String, CodingKey {
        case text
        case requestContact = "request_contact"
        case requestLocation = "request_location"
    }
}
