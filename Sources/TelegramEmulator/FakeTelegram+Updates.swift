import TelegramBotAPI

extension FakeTelegram {
    func getUpdates(_ parameters: RequestParameters) async throws -> Reply {
        let offset = parameters.int("offset") ?? 0
        let limit = min(100, max(1, parameters.int("limit") ?? 100))
        let timeout = max(0, parameters.int("timeout") ?? 0)
        let allowed = try parameters["allowed_updates"].map { value in
            do { return try value.decode([String].self) } catch { throw BotAPIFailure.badRequest("can't parse allowed updates") }
        }
        let generation = try mutate { state in
            guard state.webhook == nil else { throw BotAPIFailure.webhookActive }
            if let allowed { state.allowedUpdates = allowed.isEmpty ? nil : allowed }
            if offset > 0 {
                state.pending.removeAll { $0.updateID < offset }
            } else if offset < 0 {
                state.pending = Array(state.pending.suffix(-offset))
            }
            state.pollGeneration += 1
            return state.pollGeneration
        }
        let outcome = await changes.value(before: .now + .seconds(timeout)) { () -> Result<[Update], BotAPIFailure>? in
            state.withLock { state in
                if state.pollGeneration != generation { return .failure(.otherGetUpdates) }
                if state.webhook != nil { return .failure(.webhookActive) }
                return state.pending.isEmpty ? nil : .success(Array(state.pending.prefix(limit)))
            }
        }
        return try Reply(encoding: try (outcome ?? .success([])).get())
    }

    /// Makes an update of the given kind with the next `update_id` and queues it for the webhook or
    /// for `getUpdates`, unless the bot's `allowed_updates` leaves its kind out.
    func enqueue(_ makeKind: (inout EmulatorState) throws -> Update.Kind) rethrows -> Update {
        try mutate { state in
            let update = Update(updateID: state.takeUpdateID(), kind: try makeKind(&state))
            let allowed = state.webhook.map(\.allowedUpdates) ?? state.allowedUpdates
            if let allowed, let kind = Self.kindName(of: update), !allowed.contains(kind) {
                return update
            }
            state.pending.append(update)
            return update
        }
    }

    /// The update's JSON key, such as `message` or `callback_query`, as `allowed_updates` names it.
    static func kindName(of update: Update) -> String? {
        guard case .object(let fields) = try? JSONValue(encoding: update) else { return nil }
        return fields.keys.first { $0 != "update_id" }
    }
}
