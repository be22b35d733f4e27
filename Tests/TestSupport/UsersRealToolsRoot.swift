import Foundation

/// A scratch root holding copies of the host's account databases (passwd, group, shadow,
/// gshadow, login.defs, skel), so the real useradd/chpasswd work in it with `--root`
/// while the host's own files stay untouched.
public enum UsersRealToolsRoot {
    public static func make() throws -> TemporaryDirectory {
        let root = try TemporaryDirectory(prefix: "guest-agent-root")
        try FileManager.default.createDirectory(atPath: root.path + "/etc/default", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.path + "/home", withIntermediateDirectories: true)
        for file in ["passwd", "group", "shadow", "gshadow", "login.defs", "default/useradd"] where FileManager.default.fileExists(atPath: "/etc/" + file) {
            try FileManager.default.copyItem(atPath: "/etc/" + file, toPath: root.path + "/etc/" + file)
        }
        if FileManager.default.fileExists(atPath: "/etc/skel") {
            try FileManager.default.copyItem(atPath: "/etc/skel", toPath: root.path + "/etc/skel")
        }
        return root
    }
}
