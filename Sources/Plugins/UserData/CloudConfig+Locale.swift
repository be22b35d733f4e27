import AgentBase
import FoundationEssentials

/// cloud-config `locale` and `locale_configfile` (cloud-init's cc_locale).
struct LocaleConfig: Sendable, Equatable {
    /// A locale name such as `en_US.UTF-8`, `de_DE`, `sr_RS@latin`, `C.UTF-8`.
    var name: String
    /// Where `LANG=` is written: /etc/default/locale unless `locale_configfile` names another.
    var configFile = "/etc/default/locale"

    static func read(_ locale: YAMLValue?, configFile: YAMLValue?) throws -> LocaleConfig {
        guard let name = try SystemKeys.text(locale, "locale") else {
            throw CloudConfigError.type("locale", "a locale name (locale_configfile alone does nothing)")
        }
        try validate(name)
        var config = LocaleConfig(name: name)
        if let path = try SystemKeys.text(configFile, "locale_configfile") {
            if let problem = SystemRoot.problem(with: path) {
                throw CloudConfigError.type("locale_configfile", "an absolute path (\(problem))")
            }
            config.configFile = path
        }
        return config
    }

    /// Letters, digits and `_ . - @ +`, at most 64 bytes. Why: the name becomes a line of
    /// /etc/default/locale (read by shells through pam_env and by `. /etc/default/locale`)
    /// and of /etc/locale.gen, so a newline, a quote or a `$` would let the user data add lines
    /// or run commands as every login.
    static func validate(_ name: String) throws {
        let allowed = /^[A-Za-z0-9][A-Za-z0-9_.@+-]*$/
        guard name.utf8.count <= 64, (try? allowed.wholeMatch(in: name)) != nil else {
            throw CloudConfigError.type("locale", "a locale name such as en_US.UTF-8, not '\(TextPreview.line(name))'")
        }
    }
}
