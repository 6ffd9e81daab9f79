import Foundation
import TelegramBotAPI
import TelegramEmulator

extension FakeServices {
    /// The request categories with their names in every locale.
    static let categories: [JSONValue] = [
        ("plumbing", "Plumbing", "Сантехника", "Santexnika"),
        ("electrical", "Electrical", "Электрика", "Elektr"),
        ("heating", "Heating", "Отопление", "Isitish"),
        ("cleaning", "Cleaning", "Уборка", "Tozalash"),
        ("other", "Other", "Другое", "Boshqa"),
    ].map { code, en, ru, uz in
        .object(["code": .string(code), "names": .object(["en": .string(en), "ru": .string(ru), "uz": .string(uz)])])
    }

    func createRequest(_ context: ServiceContext, in state: inout ServicesState) -> ServiceResponse {
        let codes = Self.categories.compactMap { $0["code"]?.stringValue }
        guard let category = context.body?["category"]?.stringValue, codes.contains(category) else {
            return .validation("category must be one of \(codes.joined(separator: ", "))")
        }
        let description = context.body?["description"]?.stringValue ?? ""
        guard (10...1000).contains(description.count) else {
            return .validation("description must be 10 to 1000 characters")
        }
        let address = context.body?["address"]?.stringValue ?? ""
        guard (3...200).contains(address.count) else {
            return .validation("address must be 3 to 200 characters")
        }
        let photos = (try? context.body?["photos"]?.decode([String].self)) ?? []
        let number = state.requests.count + 1
        let now = Self.isoDate(Date())
        let request = ServicesState.StoredRequest(
            id: "r-\(number)", number: String(format: "R-%06d", number), ownerID: context.user!.id, category: category,
            description: description, address: address, photos: photos, status: "new", executor: nil, createdAt: now,
            history: [("new", now)])
        state.requests.append(request)
        return ServiceResponse(status: 201, body: .object([
            "id": .string(request.id), "number": .string(request.number), "status": .string("new"), "created_at": .string(now),
        ]))
    }

    func listRequests(_ context: ServiceContext, in state: ServicesState) -> ServiceResponse {
        let limit = min(100, max(1, Int(context.query["limit"] ?? "") ?? 10))
        let mine = context.query["mine"] == "true"
        let visible = state.requests.reversed().filter { !mine || $0.ownerID == context.user?.id }.prefix(limit)
        return .ok(.object(["items": .array(visible.map { request in
            .object([
                "number": .string(request.number), "category": .string(request.category), "status": .string(request.status),
                "created_at": .string(request.createdAt),
            ])
        })]))
    }

    func requestByNumber(_ context: ServiceContext, in state: ServicesState) -> ServiceResponse {
        guard let request = state.requests.first(where: { $0.number == context.parameters[0] }) else {
            return .notFound("request \(context.parameters[0])")
        }
        return .ok(.object([
            "id": .string(request.id), "number": .string(request.number), "category": .string(request.category),
            "description": .string(request.description), "address": .string(request.address),
            "photos": .array(request.photos.map(JSONValue.string)), "status": .string(request.status),
            "executor": request.executor.map(JSONValue.string) ?? .null, "created_at": .string(request.createdAt),
            "history": .array(request.history.map { .object(["status": .string($0.status), "at": .string($0.at)]) }),
        ]))
    }
}
