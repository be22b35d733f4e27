import Logging

extension Logger {
    /// A copy with the `plugin` metadata key set.
    public func with(plugin id: String) -> Logger {
        var copy = self
        copy[metadataKey: "plugin"] = "\(id)"
        return copy
    }

    /// A copy with the `stage` metadata key set.
    func with(stage: PluginStage) -> Logger {
        var copy = self
        copy[metadataKey: "stage"] = "\(stage.rawValue)"
        return copy
    }
}
