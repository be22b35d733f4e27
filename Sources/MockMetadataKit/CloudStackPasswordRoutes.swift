import Foundation

/// CloudStack's password server (port 8080 on the virtual router; docs/PROTOCOLS.md,
/// CloudStack), as its `passwd_server_ip.py` answers: any request carrying `DomU_Request`.
/// `send_my_password` answers the pending password, else `saved_password`;
/// `saved_password` forgets the pending password (the acknowledgement) and answers
/// `saved_password`; any other value answers `bad_request` with status 400.
struct CloudStackPasswordRoutes {
    let state: MockState
    static let header = "domu_request"

    static func applies(to request: MockRequest) -> Bool { request.header(header) != nil }

    func handle(_ request: MockRequest) -> MockResponse {
        switch request.header(Self.header) {
        case "send_my_password":
            return .text(state.cloudStackPassword ?? "saved_password")
        case "saved_password":
            state.acknowledgeCloudStackPassword()
            return .text("saved_password")
        default:
            return .text("bad_request", status: 400)
        }
    }
}
