import FoundationEssentials

/// Where the resize plugin reads the kernel's view of mounts and block devices, as host
/// paths. Only the running kernel knows what is mounted where and how big each device
/// is, so these are never taken from `--root` (an image's `/proc` is empty or, in a
/// chroot, would describe the host). `--root` instead selects the mount point: the
/// filesystem mounted exactly at the root's `/` (or `resize_mount_points`).
///
/// Tests point these at fixture trees (detection) or at a hand-written mountinfo that
/// names a loop device (real images); the plugin in the registry always uses `live`.
public struct ResizeSettings: Sendable, Equatable {
    /// `/proc/self/mountinfo`.
    public var mountInfoPath: String
    /// The sysfs mount (`/sys`): `class/block` and `dev/block` are read under it.
    public var sysfsPath: String
    /// The device directory (`/dev`): device nodes are named `<deviceDirectory>/<name>`.
    public var deviceDirectory: String

    public init(mountInfoPath: String, sysfsPath: String, deviceDirectory: String) {
        self.mountInfoPath = mountInfoPath
        self.sysfsPath = sysfsPath
        self.deviceDirectory = deviceDirectory
    }

    public static let live = ResizeSettings(
        mountInfoPath: "/proc/self/mountinfo", sysfsPath: "/sys", deviceDirectory: "/dev")

    /// All three under one fixture directory (`base/proc/self/mountinfo`, `base/sys`, `base/dev`).
    public static func under(_ base: String) -> ResizeSettings {
        ResizeSettings(
            mountInfoPath: base + "/proc/self/mountinfo", sysfsPath: base + "/sys", deviceDirectory: base + "/dev")
    }
}
