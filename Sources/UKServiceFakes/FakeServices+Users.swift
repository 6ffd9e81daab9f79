extension FakeServices {
    func userByTelegram(_ context: ServiceContext, in state: ServicesState) -> ServiceResponse {
        guard let id = Int64(context.parameters[0]), let user = state.users.values.first(where: { $0.telegramID == id }) else {
            return .notFound("user")
        }
        return .ok(user.json)
    }

    func changeLanguage(_ context: ServiceContext, in state: inout ServicesState) -> ServiceResponse {
        guard let language = context.body?["language"]?.stringValue, ["en", "ru", "uz"].contains(language) else {
            return .validation("language must be one of en, ru, uz")
        }
        let id = context.parameters[0]
        guard state.users[id] != nil else { return .notFound("user") }
        guard id == context.user?.id || context.user?.roles.contains("admin") == true else {
            return .error(403, "forbidden", "you may change only your own language")
        }
        state.users[id]?.language = language
        return .ok(state.users[id]!.json)
    }

    func listUsers(_ context: ServiceContext, in state: ServicesState) -> ServiceResponse {
        let page = max(1, Int(context.query["page"] ?? "") ?? 1)
        let perPage = min(100, max(1, Int(context.query["per_page"] ?? "") ?? 20))
        let matching = state.users.values
            .filter { user in context.query["role"].map { user.roles.contains($0) } ?? true }
            .filter { user in context.query["specialization"].map { user.specialization == $0 } ?? true }
            .filter { user in context.query["available_only"] == "true" ? user.isAvailable : true }
            .sorted { $0.id < $1.id }
        // A hostile page number skips everything rather than overflowing.
        let skip = (page - 1).multipliedReportingOverflow(by: perPage)
        let items = matching.dropFirst(skip.overflow ? matching.count : skip.partialValue).prefix(perPage)
        return .ok(.object([
            "items": .array(items.map(\.json)), "page": .int(Int64(page)), "per_page": .int(Int64(perPage)),
            "total": .int(Int64(matching.count)),
        ]))
    }
}
