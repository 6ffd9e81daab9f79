import Foundation
public import TelegramBotAPI

/// How one reply is stored in a conversation's outbox list: the Bot API
/// method's name and its parameters as JSON, `{"method": …, "parameters": {…}}`.
///
/// Readable with `redis-cli`, and stable across releases as long as the Bot
/// API parameters are. Uploads cannot be stored (their bytes are not JSON);
/// send a file id or URL instead.
public enum OutboxEnvelope {
    private enum CodingKeys: String, CodingKey {
        case method
        case parameters
        case at
    }

    /// Telegram accepts a callback query's answer for about 15 seconds after
    /// the press ("query is too old" after that); an answer still queued
    /// past this age is dropped rather than sent or retried.
    public static let callbackAnswerWindow: Duration = .seconds(15)

    /// A reply as stored: the call, and when it was committed (kept for
    /// callback answers only, which expire).
    public struct Stored: Sendable {
        public var call: OutboundCall
        /// Milliseconds since 1970 at commit; nil when not kept.
        public var committedAt: Int64?
        /// The call's Bot API body when it is at hand already (replies handed
        /// over at commit), so sending does not encode it again.
        public var body: [UInt8]? = nil

        /// Whether this is a callback answer older than ``OutboxEnvelope/callbackAnswerWindow`` at `now`.
        public func isExpiredCallbackAnswer(now: Date = Date()) -> Bool {
            guard case .answerCallbackQuery = self.call, let committedAt else { return false }
            let age = Int64((now.timeIntervalSince1970 * 1000).rounded()) - committedAt
            return age > OutboxEnvelope.callbackAnswerWindow.components.seconds * 1000
        }
    }

    private struct Decoded: Decodable {
        let call: OutboundCall
        let at: Int64?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let method = try container.decode(String.self, forKey: .method)
            self.at = try container.decodeIfPresent(Int64.self, forKey: .at)
            switch method {
            case SendMessage.name: self.call = .sendMessage(try container.decode(SendMessage.self, forKey: .parameters))
            case SendPhoto.name: self.call = .sendPhoto(try container.decode(SendPhoto.self, forKey: .parameters))
            case EditMessageText.name: self.call = .editMessageText(try container.decode(EditMessageText.self, forKey: .parameters))
            case EditMessageReplyMarkup.name:
                self.call = .editMessageReplyMarkup(try container.decode(EditMessageReplyMarkup.self, forKey: .parameters))
            case DeleteMessage.name: self.call = .deleteMessage(try container.decode(DeleteMessage.self, forKey: .parameters))
            case AnswerCallbackQuery.name:
                self.call = .answerCallbackQuery(try container.decode(AnswerCallbackQuery.self, forKey: .parameters))
            case SetMyCommands.name: self.call = .setMyCommands(try container.decode(SetMyCommands.self, forKey: .parameters))
            default:
                throw DecodingError.dataCorruptedError(forKey: .method, in: container, debugDescription: "unknown method \(method)")
            }
        }
    }

    /// The stored form of `call`.
    /// - Throws: ``DurablePipelineError`` (`unencodableReply`) for an upload.
    public static func encode(_ call: OutboundCall) throws -> [UInt8] {
        try self.encode(call, at: Date())
    }

    /// The stored form of `call` committed at `date` (kept for callback answers).
    /// - Throws: ``DurablePipelineError`` (`unencodableReply`) for an upload.
    public static func encode(_ call: OutboundCall, at date: Date) throws -> [UInt8] {
        try self.prepare(call, at: date).bytes
    }

    /// A reply encoded once: its stored form, and the Bot API body inside it.
    public struct Prepared: Sendable {
        /// The stored form, `{"method": …, "at": …, "parameters": <body>}`.
        public var bytes: [UInt8]
        /// The JSON body the Bot API gets (``OutboundCall/jsonBody()``).
        public var body: [UInt8]
    }

    /// `call` encoded once: its Bot API body, and the stored form built
    /// around those same bytes (the parameters object is the body).
    /// - Throws: ``DurablePipelineError`` (`unencodableReply`) for an upload.
    public static func prepare(_ call: OutboundCall, at date: Date) throws -> Prepared {
        if case .sendPhoto(let parameters) = call, case .upload = parameters.photo {
            throw DurablePipelineError(
                code: .unencodableReply,
                message: "a photo upload cannot be kept in the outbox; send it by file id or URL"
            )
        }
        let body: [UInt8]
        do {
            body = try call.jsonBody()
        } catch {
            throw DurablePipelineError(code: .unencodableReply, message: "\(call.methodName) could not be encoded: \(error)")
        }
        // Method names are ASCII identifiers: nothing in them needs escaping.
        var bytes = Array(#"{"method":""#.utf8) + Array(call.methodName.utf8) + Array(#"","#.utf8)
        if case .answerCallbackQuery = call {
            bytes += Array(#""at":\#(Int64((date.timeIntervalSince1970 * 1000).rounded())),"#.utf8)
        }
        bytes += Array(#""parameters":"#.utf8)
        bytes += body
        bytes.append(UInt8(ascii: "}"))
        return Prepared(bytes: bytes, body: body)
    }

    /// The call stored as `bytes`.
    public static func decode(_ bytes: [UInt8]) throws -> OutboundCall {
        try JSONDecoder().decode(Decoded.self, from: Data(bytes)).call
    }

    /// The call stored as `bytes`, with when it was committed.
    public static func decodeStored(_ bytes: [UInt8]) throws -> Stored {
        let decoded = try JSONDecoder().decode(Decoded.self, from: Data(bytes))
        return Stored(call: decoded.call, committedAt: decoded.at)
    }
}
