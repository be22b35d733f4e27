/// The transport the agent ships: `http://` over `SocketTransport` (every metadata service,
/// every boot), `https://` over `CurlTransport` (user-data includes), which loads libcurl
/// only when the first https request is made. Both keep the `HTTPTransport` contract.
public struct AgentTransport: HTTPTransport {
    private let plain = SocketTransport()
    private let secure = CurlTransport()

    public init() {}

    public func send(_ request: HTTPRequestSpec, limits: TransferLimits) async throws -> HTTPReply {
        if request.url.scheme?.lowercased() == "https" {
            return try await secure.send(request, limits: limits)
        }
        return try await plain.send(request, limits: limits)
    }
}
