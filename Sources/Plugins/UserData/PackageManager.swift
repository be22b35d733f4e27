import AgentBase
import FoundationEssentials
import HostEffects

/// The image's own package manager and the commands cloud-init's
/// `package_update_upgrade_install` module runs with it (its distros' `package_command`,
/// `update_package_sources` and `install_packages` in 22.4), as argv arrays.
struct PackageManager: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case apt = "apt-get"
        case dnf
        case yum
        case zypper
        case apk

        /// How a `[name, version]` entry is written for this manager. apt, zypper and apk
        /// read `name=version`; dnf and yum take `name-version` (a NEVRA prefix).
        /// Why not cloud-init 22.4's `%s-%s` for zypper and apk: `=` is their documented
        /// syntax (zypper's `name=version` capability, apk's `name=version` constraint), and
        /// apk reads `name-version` as a package name.
        func spec(_ package: CloudConfig.Package) -> String {
            guard let version = package.version else { return package.name }
            switch self {
            case .apt, .zypper, .apk: return package.name + "=" + version
            case .dnf, .yum: return package.name + "-" + version
            }
        }
    }

    /// One command to run, and the cloud-config key it is run for (named in its failure).
    struct Command: Sendable, Equatable {
        var key: String
        /// `update`, `upgrade` or `install`: names the output file.
        var step: String
        /// The manager and its subcommand ("zypper refresh", "apt-get dist-upgrade"), for messages.
        var what: String
        var argv: [String]
        /// Added to the runner's fixed environment (apt's `DEBIAN_FRONTEND`).
        var environment: [String: String] = [:]
    }

    var kind: Kind
    /// The program's path inside the root (`/usr/bin/apt-get`): what runs, in a chroot when
    /// the root is not `/`.
    var guestPath: String

    /// The first of apt-get, dnf, yum, zypper, apk found in the root's standard directories
    /// (`ToolLocator.directories`), never on this machine's PATH: with `--root` the image's
    /// own manager must run, and an image without one has none even when this machine has.
    /// dnf before yum: Fedora and RHEL 8+ keep `yum` as a link to dnf.
    static func find(in root: SystemRoot) -> PackageManager? {
        let tools = ToolLocator(root: root)
        for kind in Kind.allCases {
            if let guestPath = tools.guestPath(of: kind.rawValue) {
                return PackageManager(kind: kind, guestPath: guestPath)
            }
        }
        return nil
    }

    /// What the module runs for `request`, in its order: refresh the lists (before any
    /// upgrade or install, also when only `packages` is set), upgrade, install. Empty when
    /// the request is.
    func commands(for request: CloudConfig.PackageRequest) -> [Command] {
        var commands: [Command] = []
        if let key = request.refreshKey { commands.append(command(key: key, step: "update", refresh)) }
        if let key = request.upgradeKey { commands.append(command(key: key, step: "upgrade", upgrade)) }
        if !request.packages.isEmpty {
            commands.append(command(key: "packages", step: "install", install + request.packages.map(kind.spec)))
        }
        return commands
    }

    private func command(key: String, step: String, _ arguments: [String]) -> Command {
        Command(
            key: key, step: step, what: kind.rawValue + " " + (arguments.first ?? ""),
            argv: [guestPath] + base + arguments,
            // Why: debconf would otherwise wait for answers on a terminal nobody watches.
            environment: kind == .apt ? ["DEBIAN_FRONTEND": "noninteractive"] : [:])
    }

    /// Options before the subcommand, as cloud-init gives them: never a question
    /// (`-y`, `--non-interactive`), and for apt the image's changed configuration files kept
    /// (`--force-confold`: an upgrade must not replace what the image's builder changed).
    private var base: [String] {
        switch kind {
        case .apt: ["--option=Dpkg::Options::=--force-confold", "-y", "--quiet"]
        case .dnf: ["-y"]
        // `-t`: tolerant, so a package already installed is not an error (cloud-init's comment).
        case .yum: ["-t", "-y"]
        case .zypper: ["--non-interactive"]
        case .apk: ["--quiet"]
        }
    }

    private var refresh: [String] {
        switch kind {
        case .apt, .apk: ["update"]
        case .dnf, .yum: ["makecache"]
        case .zypper: ["refresh"]
        }
    }

    /// cloud-init's upgrade: apt's `dist-upgrade` (its `apt_get_upgrade_subcommand` default,
    /// which may add or remove packages to complete an upgrade), zypper's `update`, apk's
    /// `upgrade --update-cache --available`.
    private var upgrade: [String] {
        switch kind {
        case .apt: ["dist-upgrade"]
        case .dnf, .yum: ["upgrade"]
        case .zypper: ["update"]
        case .apk: ["upgrade", "--update-cache", "--available"]
        }
    }

    private var install: [String] {
        switch kind {
        case .apt, .dnf, .yum: ["install"]
        case .zypper: ["install", "--auto-agree-with-licenses"]
        case .apk: ["add"]
        }
    }
}
