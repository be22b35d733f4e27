import AgentBase
import FoundationEssentials
import HostEffects

/// Applies cloud-config `locale` as cloud-init's Debian distro does: the locale is made
/// available, then `LANG=<locale>` is written to /etc/default/locale (or `locale_configfile`).
///
/// Making it available: when the root has /etc/locale.gen (Debian's `locales` package), the
/// locale's line (`en_US.UTF-8 UTF-8`, from /usr/share/i18n/SUPPORTED when present) goes in the
/// agent's block there unless an uncommented line already enables it, and `locale-gen` runs
/// inside the root (Debian's locale-gen reads that file; cloud-init's `locale-gen NAME` is
/// Ubuntu's form). `C`, `POSIX` and `C.UTF-8` are built in and need nothing.
struct CloudConfigLocale: Sendable {
    let context: PluginContext

    static let localeGen = "/etc/locale.gen"
    static let block = ManagedBlock(
        begin: "# BEGIN guest-agent cloud-config locale", end: "# END guest-agent cloud-config locale")

    func apply(_ config: LocaleConfig) async throws {
        if !Self.isBuiltIn(config.name), let existing = try context.writer.read(Self.localeGen) {
            let line = try genLine(for: config.name)
            if !Self.enabledOutsideBlock(config.name, in: existing) {
                let edit = Self.block.replacing(in: existing, with: [line])
                if edit.data != existing {
                    try context.writer.write(edit.data, to: Self.localeGen, mode: 0o644)
                    try await generate()
                }
            }
        }
        try writeConfig(config)
        context.logger.info(
            "cloud-config locale set", metadata: ["locale": "\(config.name)", "file": "\(config.configFile)"])
    }

    static func isBuiltIn(_ name: String) -> Bool {
        ["c", "posix", "c.utf-8", "c.utf8"].contains(name.lowercased())
    }

    /// The locale.gen line: SUPPORTED's line for the name, else `NAME CHARSET` from the name's
    /// own `.charset`; a name with neither is refused (locale-gen would not know its charset).
    func genLine(for name: String) throws -> String {
        if let supported = try context.writer.read("/usr/share/i18n/SUPPORTED") {
            for line in String(decoding: supported, as: UTF8.self).split(separator: "\n") {
                let words = line.split(separator: " ")
                if words.count == 2, words[0] == name { return String(line) }
            }
            throw CloudConfigError.type(
                "locale", "a locale the root supports (\(name) is not in /usr/share/i18n/SUPPORTED)")
        }
        guard let dot = name.firstIndex(of: ".") else {
            throw CloudConfigError.type("locale", "a name with its charset, such as \(name).UTF-8")
        }
        let charset = name[name.index(after: dot)...].prefix { $0 != "@" }
        return "\(name) \(charset)"
    }

    /// Whether an uncommented line outside the agent's block already names the locale.
    static func enabledOutsideBlock(_ name: String, in localeGen: Data) -> Bool {
        let outside = block.replacing(in: localeGen, with: []).data
        return String(decoding: outside, as: UTF8.self).split(separator: "\n").contains {
            $0.split(whereSeparator: \.isWhitespace).first.map(String.init) == name
        }
    }

    private func generate() async throws {
        let command = InRootCommand(context: context)
        guard command.has("locale-gen") else {
            context.logger.warning("cloud-config locale: the root has no locale-gen; /etc/locale.gen updated only")
            return
        }
        try await command.check(["locale-gen"])
    }

    /// `LANG=` set in the config file: other lines (LANGUAGE, LC_*) kept, every LANG line replaced.
    private func writeConfig(_ config: LocaleConfig) throws {
        let existing = try context.writer.read(config.configFile).map { String(decoding: $0, as: UTF8.self) } ?? ""
        var lines = existing.split(separator: "\n").map(String.init).filter {
            !$0.trimmingWhitespace().hasPrefix("LANG=")
        }
        lines.append("LANG=\(config.name)")
        let data = Data((lines.joined(separator: "\n") + "\n").utf8)
        guard data != Data(existing.utf8) else { return }
        try FileWriting.write(data, to: config.configFile, mode: 0o644, context: context)
    }
}
