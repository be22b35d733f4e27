import AgentBase
import FoundationEssentials

/// cloud-config `package_update`, `package_upgrade` and `packages` (cloud-init's
/// `package_update_upgrade_install` module), read into what to ask the image's package
/// manager for; `CloudConfigPackages` runs it.
extension CloudConfig {
    /// One `packages` entry: a name, or cloud-init's `[name, version]` pair.
    struct Package: Sendable, Equatable {
        var name: String
        /// Nil: any version (the manager's choice). An empty version in the pair means the
        /// same, as cloud-init's `expand_package_list` reads it.
        var version: String?
    }

    /// What the document asks of the package manager.
    struct PackageRequest: Sendable, Equatable {
        /// The key that asks to refresh the package lists (`package_update`, or 22.4's
        /// deprecated alias `apt_update`); nil when none does.
        var updateKey: String?
        /// The key that asks to upgrade every package (`package_upgrade` or `apt_upgrade`).
        var upgradeKey: String?
        var packages: [Package] = []

        var isEmpty: Bool { updateKey == nil && upgradeKey == nil && packages.isEmpty }

        /// The key a refresh of the lists is run for: cloud-init refreshes before any upgrade
        /// or install even when `package_update` is not set (its `handle`: `update or
        /// len(pkglist) or upgrade`). Nil: no refresh.
        var refreshKey: String? {
            updateKey ?? upgradeKey ?? (packages.isEmpty ? nil : "packages")
        }

        /// The keys set, in the order they run ("package_update, packages"), for messages.
        var keys: [String] {
            [updateKey, upgradeKey, packages.isEmpty ? nil : "packages"].compactMap { $0 }
        }
    }

    // The keys: `package_update`, `package_upgrade`, `packages`, and cloud-init 22.4's
    // deprecated aliases `apt_update` and `apt_upgrade` (its `_multi_cfg_bool_get`: either one
    // true is true). `package_reboot_if_required` is not read: it stays an unknown key, reported.

    /// Reads the package keys of a document's top-level `map`; a wrong type is an error
    /// naming the key, as everywhere in cloud-config. `warnings` gets what is accepted but
    /// not as cloud-init's schema says (an empty `packages` list).
    static func packageRequest(_ map: [String: YAMLValue], warnings: inout [String]) throws -> PackageRequest {
        var request = PackageRequest()
        // `package_update` first: with both keys given, messages name the current one.
        for key in ["package_update", "apt_update"] where request.updateKey == nil {
            if try bool(map[key], key) == true { request.updateKey = key }
        }
        for key in ["package_upgrade", "apt_upgrade"] where request.upgradeKey == nil {
            if try bool(map[key], key) == true { request.upgradeKey = key }
        }
        if case .list(let items)? = map["packages"], items.isEmpty {
            // cloud-init's schema says minItems 1, but cloud-init itself installs nothing and
            // goes on; a template that renders an empty list should not fail the whole part.
            warnings.append(
                "packages: an empty list (cloud-init's schema wants at least one entry); nothing to install")
        }
        request.packages = try list(map["packages"], "packages").enumerated().map { index, item in
            try package(item, "packages[\(index)]")
        }
        return request
    }

    /// One entry, as cloud-init 22.4's schema allows it: a string, or a list of exactly two
    /// strings (name, version).
    static func package(_ value: YAMLValue, _ key: String) throws -> Package {
        let expected = "a package name or a [name, version] list of two strings"
        switch value {
        case .string(let name):
            return Package(name: try packageWord(name, key, what: "name"), version: nil)
        case .list(let pair) where pair.count == 2:
            guard case .string(let name) = pair[0] else { throw CloudConfigError.type("\(key)[0]", "a package name") }
            let version: String
            switch pair[1] {
            case .string(let text): version = text
            case .int, .double:
                // Why: YAML reads 1.10 as the number 1.1; cloud-init's schema wants a string,
                // and installing 1.1 for 1.10 would be a silent wrong answer.
                throw CloudConfigError.type("\(key)[1]", "a version string (quote it: '1.10' unquoted is a number)")
            default: throw CloudConfigError.type("\(key)[1]", "a version string")
            }
            return Package(
                name: try packageWord(name, "\(key)[0]", what: "name"),
                version: version.isEmpty ? nil : try packageWord(version, "\(key)[1]", what: "version"))
        default:
            throw CloudConfigError.type(key, expected)
        }
    }

    /// A name or version as it goes into the package manager's argv.
    ///
    /// Security: no shell ever sees it (argv only), but a word starting with `-` would be read
    /// by apt-get, dnf, zypper or apk as an option (`-o APT::...`, `--installroot`), so a
    /// `packages` entry could change what the tool does rather than name a package. Blanks
    /// and control characters cannot be part of any manager's package name or version.
    static func packageWord(_ text: String, _ key: String, what: String) throws -> String {
        guard !text.isEmpty, !text.hasPrefix("-"),
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw CloudConfigError.type(
                key, "a package \(what) (not empty, not starting with '-', no blanks), not '\(TextPreview.line(text))'")
        }
        return text
    }
}
