import Foundation

/// sshd's own reading of a root's /etc/ssh (`sshd -T`: the effective configuration, lower
/// case), run in a private mount namespace with that directory bound over /etc/ssh, a
/// passwd holding sshd's privilege separation user bound over /etc/passwd and a tmpfs
/// /run: this machine's files are untouched.
public enum SSHDEffectiveConfig {
    /// An installed sshd, else the one scripts/setup.sh unpacks from Debian's package.
    public static var sshd: String? {
        Program.which("sshd")
            ?? ["/var/cache/guest-agent-tests/openssh-server/usr/sbin/sshd"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func read(root: String) async throws -> String {
        guard let sshd else { throw Failure(description: "no sshd") }
        let work = try TemporaryDirectory()
        let script = """
            cp /etc/passwd "$1/passwd" && echo 'sshd:x:999:65534::/run/sshd:/usr/sbin/nologin' >> "$1/passwd" \\
            && mount --bind "$1/passwd" /etc/passwd && mount --bind "$3/etc/ssh" /etc/ssh \\
            && mount -t tmpfs none /run && mkdir -p /run/sshd && exec "$2" -T -f /etc/ssh/sshd_config
            """
        let result = try await Program.tool(
            "unshare", ["--mount", "--propagation", "private", "sh", "-c", script, "sh", work.path, sshd, root])
        guard result.status == 0 else { throw Failure(description: "sshd -T: \(result.standardError)") }
        return result.standardOutput
    }
}
