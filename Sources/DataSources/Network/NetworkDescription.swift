/// What a source said about the network: a validated model, or why its description cannot
/// be used. Why not throw from the source: a broken `network_data.json` must fail only the
/// network plugin (with the image's own configuration left in force), never discovery or
/// the other plugins.
public enum NetworkDescription: Sendable, Equatable {
    /// Validated by `make`, the only place in the agent that builds it: the network plugin
    /// renders it without validating again (interface names become file names there).
    case configuration(NetworkConfiguration)
    case invalid(NetworkConfigError)

    /// Converts and validates; a problem becomes `.invalid`. Routes no network reaches are
    /// dropped first, named (`droppingUnreachableRoutes`).
    static func make(_ build: () throws -> NetworkConfiguration) -> NetworkDescription {
        do {
            let config = try build().droppingUnreachableRoutes()
            try NetworkValidator.validate(config)
            return .configuration(config)
        } catch let error as NetworkConfigError {
            return .invalid(error)
        } catch {
            return .invalid(NetworkConfigError("network description", field: "", "\(error)"))
        }
    }
}
