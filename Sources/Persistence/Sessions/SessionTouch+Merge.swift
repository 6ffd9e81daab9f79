extension SessionTouch {
    /// A user of a bot: touches with the same key fold into one row.
    struct Key: Hashable {
        var bot: String
        var telegramUserID: Int64
    }

    var key: Key { Key(bot: self.bot, telegramUserID: self.telegramUserID) }

    /// The later of two touches of one user, keeping a language either carried.
    func merged(with newer: SessionTouch) -> SessionTouch {
        var latest = newer.at >= self.at ? newer : self
        let older = newer.at >= self.at ? self : newer
        latest.language = latest.language ?? older.language
        latest.roles = latest.roles ?? older.roles
        latest.locale = latest.locale ?? older.locale
        return latest
    }

    /// One touch per user: PostgreSQL's `ON CONFLICT DO UPDATE` may not
    /// touch a row twice in one statement.
    static func coalesced(_ touches: [SessionTouch]) -> [SessionTouch] {
        var byKey: [Key: SessionTouch] = [:]
        for touch in touches {
            byKey[touch.key] = byKey[touch.key].map { $0.merged(with: touch) } ?? touch
        }
        return Array(byKey.values)
    }
}
