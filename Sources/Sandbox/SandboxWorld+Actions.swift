import Foundation
import TelegramBotAPI
import TelegramEmulator

/// What a person does on the page; each makes one update the gateway receives as from Telegram.
extension SandboxWorld {
    /// The largest photo the page uploads: Telegram's own limit for photos.
    public static let maximumPhotoBytes = 10 * 1024 * 1024

    /// Sends text; `/name args` (or `/name@bot args`) as a command with its entity.
    @discardableResult
    public func send(_ text: String, from id: Int64, in place: Place) throws(SandboxError) -> Update {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw SandboxError(.invalid, "text is empty") }
        guard trimmed.utf16.count <= 4096 else { throw SandboxError(.invalid, "text is longer than Telegram's 4096 characters") }
        let person = try self.person(id)
        let user = telegramUser(person, in: place)
        let update: Update
        // A command addressed to another bot is only text to this one.
        if let command = Self.command(in: trimmed), command.addressee.map({ $0.lowercased() == telegram.configuration.botUsername.lowercased() }) ?? true {
            update = user.sendCommand(command.name, arguments: command.arguments, addressedToBot: command.addressee != nil)
        } else {
            update = user.send(trimmed)
        }
        remember(update, of: person)
        return update
    }

    /// Presses the inline button labelled `label` on the bot's message `messageID`, or on its
    /// newest message with such a button.
    @discardableResult
    public func press(_ label: String, messageID: Int?, by id: Int64, in place: Place) throws(SandboxError) -> Update {
        let person = try self.person(id)
        do {
            let update = try telegramUser(person, in: place).press(label, inMessage: messageID)
            remember(update, of: person)
            return update
        } catch {
            throw SandboxError(.notFound, "\(error)")
        }
    }

    /// Sends a photo with the picture's bytes, as uploaded from the page; without them (from the
    /// terminal), a photo the page shows as a placeholder.
    @discardableResult
    public func sendPhoto(_ data: [UInt8]?, caption: String?, from id: Int64, in place: Place) throws(SandboxError) -> Update {
        if let data {
            guard !data.isEmpty else { throw SandboxError(.invalid, "the photo is empty") }
            guard data.count <= Self.maximumPhotoBytes else { throw SandboxError(.tooLarge, "photos are limited to 10 MB") }
        }
        let person = try self.person(id)
        let caption = caption.flatMap { $0.isEmpty ? nil : String($0.prefix(1024)) }
        let update = telegramUser(person, in: place).sendPhoto(caption: caption, data: data)
        remember(update, of: person)
        return update
    }

    /// Shares the person's own phone number (a made-up one unless given), as the "share contact"
    /// button of a reply keyboard does.
    @discardableResult
    public func shareContact(phone: String? = nil, from id: Int64, in place: Place) throws(SandboxError) -> Update {
        let person = try self.person(id)
        let update = telegramUser(person, in: place).sendContact(phoneNumber: phone ?? "+99890\(String(person.id).suffix(7))")
        remember(update, of: person)
        return update
    }

    /// Shares a point on the map.
    @discardableResult
    public func shareLocation(latitude: Double, longitude: Double, from id: Int64, in place: Place) throws(SandboxError) -> Update {
        guard (-90...90).contains(latitude), (-180...180).contains(longitude) else {
            throw SandboxError(.invalid, "latitude must be within ±90 and longitude within ±180")
        }
        let person = try self.person(id)
        let update = telegramUser(person, in: place).sendLocation(latitude: latitude, longitude: longitude)
        remember(update, of: person)
        return update
    }

    /// Reads `/name[@bot] [arguments]`; nil for text that is not a command.
    static func command(in text: String) -> (name: String, arguments: String, addressee: String?)? {
        guard text.hasPrefix("/"), text.count > 1 else { return nil }
        let parts = text.dropFirst().split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        let head = parts[0].split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(head[0])
        guard !name.isEmpty, name.count <= 32, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            return nil
        }
        let arguments = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        return (name, arguments, head.count > 1 ? String(head[1]) : nil)
    }
}
