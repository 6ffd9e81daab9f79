import Foundation

/// One line a person typed into the sandbox, read as what it asks for.
enum SandboxInput: Equatable {
    case quit
    case help
    /// Press the button with this label on the newest keyboard.
    case press(String)
    case command(name: String, arguments: String)
    case text(String)
    case photo(caption: String?)
    case contact(phone: String)
    case location(latitude: Double, longitude: Double)
    /// Nothing to do, with a hint to print (empty for a blank line).
    case ignored(String)

    /// Reads `line` against the labels of the newest keyboard, row by row:
    /// a label (any case) or its number presses the button; `/…` is a
    /// command; `:photo`, `:contact`, `:location`, `:help`, `:quit` are
    /// actions; anything else is text.
    static func parse(_ line: String, labels: [String]) -> SandboxInput {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .ignored("") }
        if let number = Int(trimmed), labels.indices.contains(number - 1) {
            return .press(labels[number - 1])
        }
        if let label = labels.first(where: { $0.lowercased() == trimmed.lowercased() }) {
            return .press(label)
        }
        if trimmed.hasPrefix("/"), trimmed.count > 1 {
            let parts = trimmed.dropFirst().split(separator: " ", maxSplits: 1)
            let name = parts[0].split(separator: "@").first.map(String.init) ?? ""
            return .command(name: name, arguments: parts.count > 1 ? String(parts[1]) : "")
        }
        if trimmed.hasPrefix(":") {
            let parts = trimmed.split(separator: " ", maxSplits: 1).map(String.init)
            let argument = parts.count > 1 ? parts[1] : nil
            switch parts[0].lowercased() {
            case ":q", ":quit", ":exit":
                return .quit
            case ":help":
                return .help
            case ":photo":
                return .photo(caption: argument)
            case ":contact":
                return .contact(phone: argument ?? "+998901234567")
            case ":location":
                let numbers = (argument ?? "").split(separator: " ").compactMap { Double($0) }
                guard numbers.count == 2 else { return .ignored("usage: :location <latitude> <longitude>") }
                return .location(latitude: numbers[0], longitude: numbers[1])
            default:
                return .ignored("unknown action \(parts[0]); type :help")
            }
        }
        return .text(trimmed)
    }

    static let helpText = """
        Type text to send it; /command to send a command (/start to begin).
        Press a button by typing its label or its number.
        :photo [caption]  send a photo     :contact [phone]  share a phone number
        :location <lat> <lon>  share a location     :quit  leave
        """
}
