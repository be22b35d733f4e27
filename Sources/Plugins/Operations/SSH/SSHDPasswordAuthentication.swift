import DataSources
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Sets sshd's `PasswordAuthentication` (cloud-config `ssh_pwauth`) where the image's sshd
/// reads it first. sshd keeps the first value it reads for a keyword, so:
/// - when `sshd_config` includes `sshd_config.d/*.conf` before any `Match` (Debian 12 and 13,
///   Ubuntu, Fedora), a drop-in there, named to sort before the usual ones (`50-cloud-init`,
///   `50-redhat`), whose later values would otherwise be ignored;
/// - else `sshd_config` itself: every global `PasswordAuthentication` line is replaced, or
///   one is added before the first `Match` block (a line after it would apply only to that
///   block's connections).
/// On the live system sshd is then asked to reload if it runs (`systemctl
/// try-reload-or-restart`); under `--root` nothing is started.
struct SSHDPasswordAuthentication: Sendable {
    let context: PluginContext

    static let mainConfig = "/etc/ssh/sshd_config"
    static let dropInDirectory = "/etc/ssh/sshd_config.d"
    static let dropIn = "/etc/ssh/sshd_config.d/40-guest-agent.conf"

    /// Writes the setting; returns the file written, or nil when the root has no
    /// `sshd_config` (no OpenSSH server: nothing reads the setting, as cloud-init skips it).
    @discardableResult
    func set(_ enabled: Bool) async throws -> String? {
        let value = enabled ? "yes" : "no"
        guard let data = try context.writer.read(Self.mainConfig) else {
            context.logger.warning(
                "ssh_pwauth ignored: the root has no \(Self.mainConfig) (no OpenSSH server)", metadata: [:])
            return nil
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        let path: String
        if Self.includesDropIns(lines) {
            try context.writer.makeDirectory(Self.dropInDirectory, createOnly: true)
            let text = "# Written by guest-agent from cloud-config ssh_pwauth.\nPasswordAuthentication \(value)\n"
            try context.writer.write(Data(text.utf8), to: Self.dropIn, mode: 0o644)
            path = Self.dropIn
        } else {
            let edited = Self.setting(lines, to: value).joined(separator: "\n")
            try context.writer.write(Data(edited.utf8), to: Self.mainConfig, mode: try mode(of: Self.mainConfig))
            path = Self.mainConfig
        }
        context.logger.info("sshd PasswordAuthentication set", metadata: ["value": "\(value)", "file": "\(path)"])
        if context.root.isLiveSystem { await reload() }
        return path
    }

    /// The first word of a configuration line, lower-cased ("" for blank and comment lines).
    static func keyword(_ line: String) -> String {
        let trimmed = line.trimmingWhitespace()
        guard !trimmed.hasPrefix("#") else { return "" }
        return String(trimmed.prefix { !$0.isWhitespace && $0 != "=" }).lowercased()
    }

    /// Whether an `Include` before the first `Match` names files in sshd_config.d (relative
    /// names are under /etc/ssh, as sshd reads them).
    static func includesDropIns(_ lines: [String]) -> Bool {
        for line in lines {
            switch keyword(line) {
            case "match": return false
            case "include":
                let arguments = line.trimmingWhitespace().split(whereSeparator: \.isWhitespace).dropFirst()
                if arguments.contains(where: { $0.hasPrefix(dropInDirectory + "/") || $0.hasPrefix("sshd_config.d/") })
                {
                    return true
                }
            default: continue
            }
        }
        return false
    }

    /// The lines with every global `PasswordAuthentication` set to `value`, or one added
    /// before the first `Match` (at the end when there is none).
    static func setting(_ lines: [String], to value: String) -> [String] {
        var result: [String] = []
        var replaced = false
        var inMatch = false
        for line in lines {
            let word = keyword(line)
            if word == "match" && !inMatch {
                inMatch = true
                if !replaced {
                    result.append("PasswordAuthentication \(value)")
                    replaced = true
                }
            }
            if !inMatch && word == "passwordauthentication" {
                result.append("PasswordAuthentication \(value)")
                replaced = true
            } else {
                result.append(line)
            }
        }
        if !replaced {
            if result.last == "" { result.removeLast() }
            result += ["PasswordAuthentication \(value)", ""]
        }
        return result
    }

    private func mode(of guestPath: String) throws -> mode_t {
        var info = stat()
        guard lstat(try context.root.resolve(guestPath), &info) == 0 else { return 0o644 }
        return info.st_mode & 0o7777
    }

    /// Debian and Ubuntu name the unit ssh.service, Fedora and RHEL sshd.service; a unit
    /// that is not running is left stopped (it reads the file when it starts).
    private func reload() async {
        for unit in ["ssh.service", "sshd.service"] {
            if let result = try? await context.runner.run(["systemctl", "try-reload-or-restart", unit]),
                result.failure == nil
            {
                return
            }
        }
        context.logger.info("sshd not reloaded (not running, or no systemd): it reads the setting when it starts")
    }
}
