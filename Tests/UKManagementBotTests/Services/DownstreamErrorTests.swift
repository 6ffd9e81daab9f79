import ServiceClients
import Testing
import UKManagementBot

@Suite("Downstream errors")
struct DownstreamErrorTests {
    @Test("every code maps to a catalog key of the plan", arguments: [
        (DownstreamError.Code.unavailable, "error.service_unavailable"),
        (.rateLimited, "error.service_unavailable"),
        (.cancelled, "error.service_unavailable"),
        (.forbidden, "error.forbidden"),
        (.blocked, "error.blocked"),
        (.notFound, "error.not_found"),
        (.conflict, "error.conflict"),
        (.unauthorized, "error.unexpected"),
        (.invalid, "error.unexpected"),
        (.notConfigured, "error.unexpected"),
        (.unexpected, "error.unexpected"),
    ])
    func catalogKeys(code: DownstreamError.Code, key: String) {
        #expect(code.catalogKey == key)
        #expect(DownstreamError(code, service: "shift", message: "m").catalogKey == key)
    }

    @Test("the description names the code, the service and the service's own error")
    func description() {
        let error = DownstreamError(
            .conflict, service: "shift", message: "POST /api/v1/shifts/s-1/take answered 409", status: 409,
            serviceCode: "conflict", serviceMessage: "shift s-1 is already taken")
        #expect(
            error.description
                == "DownstreamError.conflict from the shift service: POST /api/v1/shifts/s-1/take answered 409 [conflict: shift s-1 is already taken]")
    }
}
