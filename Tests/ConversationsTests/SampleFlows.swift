import Conversations

/// Flows shaped like the UK bot's, written here so the generic module's tests
/// import no bot code.
enum SampleFlows {
    /// Like `create_request`: category from a service, two bounded texts, up
    /// to three photos, a summary, and Confirm that posts it.
    static let request = Flow("file_request") {
        Step("category", prompt: "request.category.prompt", accepts: .dynamicChoice("categories", columns: 2, hint: "hint.buttons"))
            .onEnter("request.categories")
            .next("description")
        Step("description", prompt: "request.description.prompt", accepts: .text(10...1000, invalid: "request.description.invalid"))
            .next("address")
        Step("address", prompt: "request.address.prompt", accepts: .text(3...200, invalid: "request.address.invalid"))
            .next("photo")
        Step("photo", prompt: "request.photo.prompt", accepts: .photos(max: 3, skip: true, hint: "request.photo.hint", received: "request.photo.received"))
            .store(as: "photos")
            .next("confirm")
        Step("confirm", prompt: Prompt("request.confirm.summary", [
            "category": .data("category.label"),
            "description": .data("description"),
            "address": .data("address"),
            "photos": .count("photos"),
        ]), accepts: .confirm)
            .action("request.create", with: ["category", "description", "address", "photos"])
            .onSuccess(.finish(Prompt("request.created", ["number": .data("number")])))
    }

    /// Like `take_shift`: a list loaded on entry, details loaded for the
    /// chosen one, Confirm; 409 ends with a message; success goes on to a
    /// step that loads the schedule (a chain of two calls).
    static let shift = Flow("take_shift") {
        Step("shift", prompt: "shift.available.prompt", accepts: .dynamicChoice("shifts", empty: "shift.available.empty"))
            .onEnter("shift.available")
            .next("confirm")
        Step("confirm", prompt: Prompt("shift.take.confirm", ["start": .data("start"), "end": .data("end")]), accepts: .confirm)
            .onEnter("shift.details", with: ["shift"])
            .action("shift.take", with: ["shift"])
            .onSuccess(.step("schedule"))
            .onFailure(.conflict, .finish("shift.conflict"))
        Step("schedule", prompt: Prompt("shift.schedule.title", ["count": .count("schedule")]), accepts: .confirm)
            .onEnter("shift.schedule")
            .back(false)
            .next(.finish("shift.taken"))
    }

    /// Like `analytics`: Day/Week/Month in one row, then a service call whose
    /// result the final message shows.
    static let analytics = Flow("analytics") {
        Step("period", prompt: "analytics.prompt", accepts: .choice([
            Choice("day", label: "button.day"),
            Choice("week", label: "button.week"),
            Choice("month", label: "button.month"),
        ], columns: 3))
            .action("analytics.summary", with: ["period"])
            .onSuccess(.finish(Prompt("analytics.summary", [
                "period": .dataKey(prefix: "analytics.period.", data: "period"),
                "created": .data("created"),
            ])))
    }

    /// Like `request_status`: a number, then a lookup that may not find it.
    static let status = Flow("request_status") {
        Step("number", prompt: "request.status.prompt", accepts: .number(1...999_999, invalid: "request.status.invalid"))
            .action("request.status", with: ["number"])
            .onSuccess(.finish(Prompt("request.status.details", ["number": .data("number")])))
            .onFailure(.notFound, .stay("request.status.unknown"))
    }

    /// A static choice that branches, then contact or location.
    static let reach = Flow("reach") {
        Step("how", prompt: "reach.prompt", accepts: .choice([
            Choice("phone", label: "reach.phone", next: "contact"),
            Choice("visit", label: "reach.visit", next: "location"),
        ]))
        Step("contact", prompt: "reach.contact", accepts: .contact(hint: "reach.contact.hint"))
            .next(.finish("reach.thanks"))
        Step("location", prompt: "reach.location", accepts: .location)
            .next(.finish("reach.thanks"))
    }

    static let registry = FlowRegistry([request, shift, analytics, status, reach])

    /// Every catalog key the sample flows use, with the runtime's own.
    static let catalog: Set<String> = [
        "request.category.prompt", "hint.buttons", "request.description.prompt", "request.description.invalid",
        "request.address.prompt", "request.address.invalid", "request.photo.prompt", "request.photo.hint",
        "request.photo.received", "request.confirm.summary", "request.created",
        "shift.available.prompt", "shift.available.empty", "shift.take.confirm", "shift.conflict",
        "shift.schedule.title", "shift.taken",
        "analytics.prompt", "button.day", "button.week", "button.month", "analytics.summary",
        "request.status.prompt", "request.status.invalid", "request.status.details", "request.status.unknown",
        "reach.prompt", "reach.phone", "reach.visit", "reach.contact", "reach.contact.hint", "reach.location", "reach.thanks",
        "button.back", "button.cancel", "button.skip", "button.confirm", "common.cancelled",
        "error.service_unavailable", "error.conflict", "error.not_found", "error.forbidden", "error.unexpected",
    ]

    /// The categories the sample request service offers.
    static let categories: FlowValue = .options([
        FlowOption(value: "plumbing", label: "Plumbing"),
        FlowOption(value: "electric", label: "Electricity"),
        FlowOption(value: "heating", label: "Heating"),
    ])
}
