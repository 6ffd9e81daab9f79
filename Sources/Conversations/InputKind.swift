/// The kind of input a step waits for; a renderer uses it to pick the
/// keyboard (a contact or location request button, a forced reply for text).
public enum InputKind: String, Sendable, Hashable, Codable {
    case text
    case number
    case choice
    case photo
    case contact
    case location
    case confirm
}
