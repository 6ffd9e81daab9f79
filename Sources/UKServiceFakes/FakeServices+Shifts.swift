import Foundation

extension FakeServices {
    /// Three open shifts over the next days, so `/take_shift` has something to offer.
    static func defaultShifts() -> [ServicesState.Shift] {
        let day: TimeInterval = 86_400
        let start = (Date().timeIntervalSince1970 / day).rounded(.down) * day + day + 9 * 3600
        return (1...3).map { index in
            let begins = Date(timeIntervalSince1970: start + Double(index - 1) * day)
            return ServicesState.Shift(
                id: "s-\(index)", startsAt: isoDate(begins), endsAt: isoDate(begins.addingTimeInterval(8 * 3600)),
                location: "Block \(index + 3)")
        }
    }

    func listShifts(_ context: ServiceContext, in state: ServicesState) -> ServiceResponse {
        let shifts: [ServicesState.Shift] = switch context.route {
        case .myShifts: state.shifts.filter { $0.takenBy == context.user?.id }
        case .availableShifts: state.shifts.filter { $0.takenBy == nil }
        default: state.shifts.filter { shift in
            // ISO dates compare as text; `to` is inclusive of its whole day.
            (context.query["from"].map { shift.startsAt >= $0 } ?? true) && (context.query["to"].map { shift.startsAt <= $0 + "T23:59:59Z" } ?? true)
        }
        }
        return .ok(.object(["items": .array(shifts.map(\.json))]))
    }

    func takeShift(_ context: ServiceContext, in state: inout ServicesState) -> ServiceResponse {
        guard let index = state.shifts.firstIndex(where: { $0.id == context.parameters[0] }) else {
            return .notFound("shift \(context.parameters[0])")
        }
        guard context.user?.roles.contains("executor") == true else {
            return .error(403, "forbidden", "only executors take shifts")
        }
        guard state.shifts[index].takenBy == nil else {
            return .error(409, "conflict", "shift \(context.parameters[0]) is already taken")
        }
        state.shifts[index].takenBy = context.user?.id
        return .ok(state.shifts[index].json)
    }

    func analyticsSummary(_ context: ServiceContext, in state: ServicesState) -> ServiceResponse {
        let period = context.query["period"] ?? "week"
        guard ["day", "week", "month"].contains(period) else {
            return .validation("period must be day, week or month")
        }
        guard context.user.map({ !Set($0.roles).isDisjoint(with: ["manager", "admin"]) }) == true else {
            return .error(403, "forbidden", "analytics are for managers and admins")
        }
        return .ok(.object([
            "period": .string(period),
            "requests_created": .int(Int64(state.requests.count)),
            "requests_done": .int(Int64(state.requests.filter { $0.status == "done" }.count)),
            "avg_resolution_hours": .double(18.5),
            "active_users": .int(Int64(state.users.values.filter { $0.status == "active" }.count)),
        ]))
    }
}
