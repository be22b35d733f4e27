import AgentBase
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// Writing a file the cloud or the user asked for: the files plugin's and cloud-config's one way.
enum FileWriting {
    /// Writes one file atomically at `path` under the root, creating missing parents (0755)
    /// and never following a symbolic link: the one implementation, used by the
    /// files plugin and cloud-config `write_files`. `path` must have passed `InjectedFilePolicy`.
    static func write(_ contents: Data, to path: String, mode: mode_t, owner: FileOwner? = nil, context: PluginContext)
        throws
    {
        let parent = SystemRoot.parentAndName(of: path).parent
        if parent != "/" { try context.writer.makeDirectory(parent, mode: 0o755, createOnly: true) }
        try context.writer.write(contents, to: path, mode: mode, owner: owner)
    }
}
