import AgentBase
import DataSources
import Foundation
import HostEffects
import Plugins

/// A scratch root holding copies of the host's account databases (passwd, group, shadow,
/// gshadow, login.defs, skel), so the real useradd/chpasswd work in it with `--root`
/// while the host's own files stay untouched.
public enum UsersRealToolsRoot {
    public static func make() throws -> TemporaryDirectory {
        let root = try makeAccountsOnly()
        try linkHostTools(["useradd", "usermod", "groupadd", "chpasswd", "visudo"], into: root)
        return root
    }

    /// The copied account databases and /etc/skel, without the tools.
    public static func makeAccountsOnly() throws -> TemporaryDirectory {
        let root = try TemporaryDirectory(prefix: "guest-agent-root")
        try FileManager.default.createDirectory(atPath: root.path + "/etc/default", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.path + "/home", withIntermediateDirectories: true)
        for file in ["passwd", "group", "shadow", "gshadow", "login.defs", "default/useradd"]
        where FileManager.default.fileExists(atPath: "/etc/" + file) {
            try FileManager.default.copyItem(atPath: "/etc/" + file, toPath: root.path + "/etc/" + file)
        }
        if FileManager.default.fileExists(atPath: "/etc/skel") {
            try FileManager.default.copyItem(atPath: "/etc/skel", toPath: root.path + "/etc/skel")
        }
        return root
    }

    /// Makes the host's `tools` visible in `root/usr/sbin` (symbolic links), since the agent
    /// looks programs up in its target root, as it does in a real image.
    public static func linkHostTools(_ tools: [String], into root: TemporaryDirectory) throws {
        try FileManager.default.createDirectory(atPath: root.path + "/usr/sbin", withIntermediateDirectories: true)
        for tool in tools {
            guard let host = Program.which(tool),
                !FileManager.default.fileExists(atPath: root.path + "/usr/sbin/" + tool)
            else { continue }
            try FileManager.default.createSymbolicLink(
                atPath: root.path + "/usr/sbin/" + tool, withDestinationPath: host)
        }
    }

    /// The runner the agent uses, finding tools under `root`.
    public static func runner(for root: TemporaryDirectory) -> SubprocessCommandRunner {
        SubprocessCommandRunner(tools: ToolLocator(root: SystemRoot(root.path)))
    }
}
