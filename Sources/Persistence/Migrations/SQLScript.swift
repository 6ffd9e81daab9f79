/// Splits a migration file into statements.
///
/// PostgresNIO speaks only the extended query protocol, which takes one
/// statement at a time, so a file's statements are sent one by one. The
/// split honours what may contain a `;` without ending a statement: quoted
/// strings and identifiers, dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`)
/// and comments.
enum SQLScript {
    /// The statements of `sql`, trimmed, without the `;` between them;
    /// stretches holding only whitespace or comments are dropped.
    static func statements(in sql: String) -> [String] {
        let characters = Array(sql)
        var statements: [String] = []
        var current = ""
        var hasCode = false
        var index = 0

        func flush() {
            let statement = current.trimmingWhitespace()
            if hasCode, !statement.isEmpty { statements.append(statement) }
            current = ""
            hasCode = false
        }

        while index < characters.count {
            let character = characters[index]
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "-" where next == "-":
                let end = characters[index...].firstIndex(of: "\n") ?? characters.count
                current.append(contentsOf: characters[index..<end])
                index = end
            case "/" where next == "*":
                let end = Self.endOfBlockComment(characters, from: index)
                current.append(contentsOf: characters[index..<end])
                index = end
            case "'", "\"":
                let end = Self.endOfQuoted(characters, from: index, quote: character)
                current.append(contentsOf: characters[index..<end])
                hasCode = true
                index = end
            case "$":
                if let tag = Self.dollarTag(characters, at: index) {
                    let end = Self.endOfDollarQuoted(characters, bodyStart: index + tag.count, tag: tag)
                    current.append(contentsOf: characters[index..<end])
                    hasCode = true
                    index = end
                } else {
                    current.append(character)
                    hasCode = true
                    index += 1
                }
            case ";":
                flush()
                index += 1
            default:
                current.append(character)
                if !character.isWhitespace { hasCode = true }
                index += 1
            }
        }
        flush()
        return statements
    }

    /// Past the closing quote; a doubled quote inside stands for itself.
    private static func endOfQuoted(_ characters: [Character], from start: Int, quote: Character) -> Int {
        var index = start + 1
        while index < characters.count {
            if characters[index] == quote {
                if index + 1 < characters.count, characters[index + 1] == quote {
                    index += 2
                    continue
                }
                return index + 1
            }
            index += 1
        }
        return characters.count
    }

    /// Past the matching `*/`; PostgreSQL's block comments nest.
    private static func endOfBlockComment(_ characters: [Character], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index + 1 < characters.count {
            if characters[index] == "/", characters[index + 1] == "*" {
                depth += 1
                index += 2
            } else if characters[index] == "*", characters[index + 1] == "/" {
                depth -= 1
                index += 2
                if depth == 0 { return index }
            } else {
                index += 1
            }
        }
        return characters.count
    }

    /// The opening `$tag$` at `index`, if one starts there (`$1` is a parameter, not a tag).
    private static func dollarTag(_ characters: [Character], at index: Int) -> [Character]? {
        var end = index + 1
        while end < characters.count, characters[end] == "_" || characters[end].isLetter || (end > index + 1 && characters[end].isNumber) {
            end += 1
        }
        guard end < characters.count, characters[end] == "$" else { return nil }
        return Array(characters[index...end])
    }

    private static func endOfDollarQuoted(_ characters: [Character], bodyStart: Int, tag: [Character]) -> Int {
        var index = bodyStart
        while index + tag.count <= characters.count {
            if characters[index] == "$", Array(characters[index..<(index + tag.count)]) == tag {
                return index + tag.count
            }
            index += 1
        }
        return characters.count
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let start = self.firstIndex(where: { !$0.isWhitespace }) ?? self.endIndex
        let end = self.lastIndex(where: { !$0.isWhitespace }).map { self.index(after: $0) } ?? start
        return String(self[start..<end])
    }
}
