import TelegramBotAPI

extension FakeTelegram {
    func sendPhoto(_ parameters: RequestParameters) throws -> Reply {
        let chatID = try parameters.chatID()
        let caption = parameters["caption"]?.stringValue
        let captionEntities = try parameters.entities("caption_entities")
        let markup = try parameters.replyMarkup()
        let sizes: [PhotoSize]
        if let upload = parameters.files["photo"] {
            sizes = mutate { state in Self.makePhotoSizes(byteCount: upload.data.count, data: upload.data, in: &state) }
        } else if let reference = parameters["photo"]?.stringValue, !reference.isEmpty {
            if reference.hasPrefix("http://") || reference.hasPrefix("https://") {
                sizes = mutate { state in Self.makePhotoSizes(byteCount: 50_000, in: &state) }
            } else if let known = state.withLock({ $0.photos[reference] }) {
                sizes = known
            } else {
                throw BotAPIFailure.wrongFileIdentifier
            }
        } else {
            throw BotAPIFailure.badRequest("there is no photo in the request")
        }
        let message = try post(method: "sendPhoto", chatID: chatID, markup: markup, replyTo: parameters.replyToMessageID) { id, chat, date in
            Message(
                messageID: id, from: bot, chat: chat, date: date, caption: caption, captionEntities: captionEntities,
                photo: sizes, replyMarkup: markup?.inlineKeyboard)
        }
        return try Reply(encoding: message)
    }

    /// Makes the three sizes Telegram keeps of a photo, smallest first, and remembers them under
    /// each size's `file_id` so the photo can be sent again by id, with its bytes when known.
    static func makePhotoSizes(byteCount: Int, data: [UInt8]? = nil, in state: inout EmulatorState) -> [PhotoSize] {
        let number = state.takeFileNumber()
        let sizes = [(90, 67, 1), (320, 240, 8), (1280, 960, 64)].map { width, height, share in
            PhotoSize(
                fileID: "AgACAgIAAxkBAAIE\(number)x\(width)",
                fileUniqueID: "AQAD\(number)x\(width)",
                width: width, height: height,
                fileSize: max(1, byteCount * share / 64))
        }
        for size in sizes {
            state.photos[size.fileID] = sizes
            if let data { state.fileData[size.fileID] = data }
        }
        return sizes
    }
}
