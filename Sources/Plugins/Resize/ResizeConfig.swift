import FoundationEssentials

/// The resize plugin's settings.
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct ResizeConfig: SettingsGroup {
    /// `resize_mount_points`
    public var resizeMountPoints: [String] = ["/"]

    public init() {}

    static let title = "The resize plugin"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "resize_mount_points",
            help:
                "Mount points whose partition, LVM volumes and filesystem the resize plugin grows to fill their disk.",
            show: { ConfigSchema.show($0.resizeMountPoints) },
            apply: { $0.resizeMountPoints = try ConfigSchema.nonEmptyList(try ConfigSchema.guestPaths($1)) }
        )
    ]
}
