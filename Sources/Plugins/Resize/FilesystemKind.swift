/// The filesystems the resize plugin grows, each with the tool that grows it mounted.
public enum FilesystemKind: String, Sendable, Equatable, Codable {
    case ext, xfs, btrfs

    /// nil for every type the plugin does not grow (vfat, tmpfs, squashfs, ...).
    public init?(mountType: String) {
        switch mountType {
        case "ext2", "ext3", "ext4": self = .ext
        case "xfs": self = .xfs
        case "btrfs": self = .btrfs
        default: return nil
        }
    }

    /// Filesystems on the network or on another host: never ours to grow.
    static let networkTypes: Set<String> = [
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "fuse.glusterfs", "9p", "virtiofs",
        "afs", "lustre", "fuse.sshfs", "fuse.s3fs", "gfs2", "ocfs2",
    ]
    /// Layered roots (containers, live images): the writable layer is not a disk to grow.
    static let overlayTypes: Set<String> = ["overlay", "overlayfs", "aufs", "unionfs"]
}
