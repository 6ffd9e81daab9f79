public import Conversations

/// The UK bot's conversations, as uk-bot-flows.md describes them. Service
/// call names are mapped to the downstream services by ``UKServiceCalls``.
public enum UKFlows {
    /// `/create_request`: category → description → address → photos → confirm.
    public static let createRequest = Flow("create_request") {
        Step("category", prompt: "request.category.prompt", accepts: .dynamicChoice("categories", columns: 2, hint: "common.use_buttons"))
            .onEnter(UKServiceCalls.categories)
            .next("description")
        Step("description", prompt: "request.description.prompt", accepts: .text(10...1000, invalid: "request.description.invalid"))
            .next("address")
        Step("address", prompt: "request.address.prompt", accepts: .text(3...200, invalid: "request.address.invalid"))
            .next("photo")
        Step(
            "photo",
            prompt: "request.photo.prompt",
            accepts: .photos(max: 3, skip: true, hint: "request.photo.hint", received: "request.photo.received")
        )
        .store(as: "photos")
        .next("confirm")
        Step(
            "confirm",
            prompt: Prompt("request.confirm.summary", [
                "category": .data("category.label"),
                "description": .data("description"),
                "address": .data("address"),
                "photos": .count("photos"),
            ]),
            accepts: .confirm(hint: "common.use_buttons")
        )
        .action(UKServiceCalls.createRequest, with: ["category", "description", "address", "photos"])
        .onSuccess(.finish(Prompt("request.created", ["number": .data("number")])))
    }

    /// `/request_status`: asks for a number (or takes the command's argument) and shows the request.
    public static let requestStatus = Flow("request_status") {
        Step("number", prompt: "request.status.prompt", accepts: .text(1...32, invalid: "request.status.invalid"))
            .action(UKServiceCalls.requestDetails, with: ["number"])
            .onFailure(.notFound, .stay(Prompt("request.status.not_found", ["number": .data("number")])))
            .onSuccess(.finish(Prompt("request.status.details", [
                "number": .data("number"),
                "status": .data("status"),
                "executor": .data("executor"),
                "history": .data("history"),
            ])))
    }

    /// `/take_shift`: an available shift, then **Confirm**; 409 means someone else was faster.
    public static let takeShift = Flow("take_shift") {
        Step("shift", prompt: "shift.available.prompt", accepts: .dynamicChoice("shifts", empty: "shift.available.empty", hint: "common.use_buttons"))
            .onEnter(UKServiceCalls.availableShifts)
            .next("confirm")
        Step("confirm", prompt: Prompt("shift.take.confirm", ["shift": .data("shift.label")]), accepts: .confirm(hint: "common.use_buttons"))
            .action(UKServiceCalls.takeShift, with: ["shift"])
            .onFailure(.conflict, .finish("shift.conflict"))
            .onSuccess(.finish("shift.taken"))
    }

    /// `/analytics`: **Day**, **Week** or **Month**, then the summary.
    public static let analytics = Flow("analytics") {
        Step("period", prompt: "analytics.prompt", accepts: .choice([
            Choice("day", label: "button.day"),
            Choice("week", label: "button.week"),
            Choice("month", label: "button.month"),
        ], columns: 3, hint: "common.use_buttons"))
        .action(UKServiceCalls.analyticsSummary, with: ["period"])
        .onSuccess(.finish(Prompt("analytics.summary", [
            "period": .dataKey(prefix: "analytics.period.", data: "period"),
            "created": .data("created"),
            "done": .data("done"),
            "hours": .data("hours"),
            "active": .data("active"),
        ])))
    }

    /// `/language`: **English**, **Русский**, **O‘zbekcha**; the choice is stored at once.
    public static let language = Flow("language") {
        Step("language", prompt: "language.prompt", accepts: .choice([
            Choice("en", label: "language.name.en"),
            Choice("ru", label: "language.name.ru"),
            Choice("uz", label: "language.name.uz"),
        ], columns: 3, hint: "common.use_buttons"))
        .action(UKServiceCalls.setLanguage, with: ["language"])
        .onSuccess(.finish(Prompt("language.changed", ["language": .dataKey(prefix: "language.name.", data: "language")])))
    }

    /// Every flow of the bot.
    public static let all = [createRequest, requestStatus, takeShift, analytics, language]
}
