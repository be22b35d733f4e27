import AgentBase
import Foundation
import Testing

@testable import Plugins

/// `package_update`, `package_upgrade` and `packages` as cloud-init 22.4's schema has them
/// (pure: parsing and the argv each package manager gets).
@Suite struct CloudConfigPackagesParsingTests {
    static func parse(_ yaml: String) throws -> CloudConfig {
        try CloudConfig(Data(("#cloud-config\n" + yaml).utf8))
    }

    @Test func readsNamesPairsAndTheFlags() throws {
        let config = try Self.parse(
            """
            package_update: true
            package_upgrade: yes
            packages:
              - pwgen
              - [libpython3.8, 3.8.10-0ubuntu1~20.04.2]
              - [curl, '']
              - nginx=1.22*
            """)
        let request = config.packageRequest
        #expect(request.updateKey == "package_update" && request.upgradeKey == "package_upgrade")
        #expect(
            request.packages == [
                CloudConfig.Package(name: "pwgen"),
                CloudConfig.Package(name: "libpython3.8", version: "3.8.10-0ubuntu1~20.04.2"),
                CloudConfig.Package(name: "curl"),
                CloudConfig.Package(name: "nginx=1.22*"),
            ])
        #expect(config.unknownKeys.isEmpty)
        #expect(config.summary == "package_update, package_upgrade, packages (4)")
    }

    /// 22.4 still reads the old names (deprecated in its schema): either key true is true.
    @Test func theAptAliasesOf22_4() throws {
        let config = try Self.parse("apt_update: true\napt_upgrade: true\npackage_update: false\n")
        #expect(config.packageRequest.updateKey == "apt_update")
        #expect(config.packageRequest.upgradeKey == "apt_upgrade")
        #expect(config.unknownKeys.isEmpty)
        #expect(config.summary == "apt_update, apt_upgrade")
        let both = try Self.parse("apt_update: true\npackage_update: true\n")
        #expect(both.packageRequest.updateKey == "package_update")
    }

    @Test func falseOrAbsentAsksForNothing() throws {
        let config = try Self.parse("package_update: false\npackage_upgrade: false\nhostname: a\n")
        #expect(config.packageRequest.isEmpty)
        #expect(config.packageRequest.refreshKey == nil)
        #expect(config.summary == "hostname")
        #expect(try Self.parse("hostname: a\n").packageRequest == CloudConfig.PackageRequest())
    }

    /// cloud-init refreshes the lists before any upgrade or install, also without
    /// `package_update`; the refresh is named by the key that needed it.
    @Test func theRefreshBelongsToTheKeyThatNeedsIt() throws {
        #expect(try Self.parse("packages: [a]\n").packageRequest.refreshKey == "packages")
        #expect(try Self.parse("package_upgrade: true\npackages: [a]\n").packageRequest.refreshKey == "package_upgrade")
        #expect(try Self.parse("package_update: true\npackages: [a]\n").packageRequest.refreshKey == "package_update")
    }

    @Test func wrongTypesNameTheKey() {
        let cases: [(String, CloudConfigError)] = [
            ("package_update: [1]\n", .type("package_update", "true or false")),
            ("package_upgrade: sometimes\n", .type("package_upgrade", "true or false")),
            ("apt_update: {a: 1}\n", .type("apt_update", "true or false")),
            ("packages: vim\n", .type("packages", "a list")),
            (
                "packages: [{name: vim}]\n",
                .type("packages[0]", "a package name or a [name, version] list of two strings")
            ),
            ("packages: [a, [vim]]\n", .type("packages[1]", "a package name or a [name, version] list of two strings")),
            (
                "packages: [[a, b, c]]\n",
                .type("packages[0]", "a package name or a [name, version] list of two strings")
            ),
            ("packages: [7]\n", .type("packages[0]", "a package name or a [name, version] list of two strings")),
            ("packages: [[[a], '1']]\n", .type("packages[0][0]", "a package name")),
            ("packages: [[a, [1]]]\n", .type("packages[0][1]", "a version string")),
            (
                "packages: [[vim, 1.10]]\n",
                .type("packages[0][1]", "a version string (quote it: '1.10' unquoted is a number)")
            ),
        ]
        for (yaml, expected) in cases {
            #expect(throws: expected, "\(yaml)") { try Self.parse(yaml) }
        }
    }

    /// An entry that would be an option to the package manager, or holds blanks, is refused
    /// by name: `packages` names packages, never options.
    @Test func optionsAndBlanksAreNotPackageNames() {
        for yaml in [
            "packages: ['-oAPT::Get::AllowUnauthenticated=true']\n", "packages: ['--installroot=/']\n",
            "packages: ['vim nano']\n", "packages: ['']\n", "packages: [[vim, '1.0 -y']]\n",
            "packages: [['-x', '1']]\n", "packages: [\"a\\tb\"]\n",
        ] {
            #expect {
                try Self.parse(yaml)
            } throws: { error in
                guard case .type(let key, let expected)? = error as? CloudConfigError else { return false }
                return key.hasPrefix("packages[0]") && expected.contains("not starting with '-', no blanks")
            }
        }
    }

    @Test func anEmptyListIsAcceptedWithAWarning() throws {
        let config = try Self.parse("packages: []\n")
        #expect(config.packageRequest.isEmpty)
        #expect(config.warnings.contains { $0.hasPrefix("packages: an empty list") }, "\(config.warnings)")
    }

    /// `package_reboot_if_required` is not applied: it is reported with the unknown keys.
    @Test func rebootIfRequiredIsReportedUnknown() throws {
        let config = try Self.parse("package_upgrade: true\npackage_reboot_if_required: true\n")
        #expect(config.unknownKeys == ["package_reboot_if_required"])
        #expect(config.summary == "package_upgrade, unknown keys ignored: package_reboot_if_required")
    }

    /// Each manager's argv in cloud-init's order: refresh, upgrade, install, versions in
    /// the manager's own syntax.
    @Test(arguments: [
        (
            PackageManager.Kind.apt, "/usr/bin/apt-get",
            [
                ["/usr/bin/apt-get", "--option=Dpkg::Options::=--force-confold", "-y", "--quiet", "update"],
                ["/usr/bin/apt-get", "--option=Dpkg::Options::=--force-confold", "-y", "--quiet", "dist-upgrade"],
                [
                    "/usr/bin/apt-get", "--option=Dpkg::Options::=--force-confold", "-y", "--quiet", "install", "a",
                    "b=1.2-3",
                ],
            ]
        ),
        (
            .dnf, "/usr/bin/dnf",
            [
                ["/usr/bin/dnf", "-y", "makecache"], ["/usr/bin/dnf", "-y", "upgrade"],
                ["/usr/bin/dnf", "-y", "install", "a", "b-1.2-3"],
            ]
        ),
        (
            .yum, "/usr/bin/yum",
            [
                ["/usr/bin/yum", "-t", "-y", "makecache"], ["/usr/bin/yum", "-t", "-y", "upgrade"],
                ["/usr/bin/yum", "-t", "-y", "install", "a", "b-1.2-3"],
            ]
        ),
        (
            .zypper, "/usr/bin/zypper",
            [
                ["/usr/bin/zypper", "--non-interactive", "refresh"],
                ["/usr/bin/zypper", "--non-interactive", "update"],
                ["/usr/bin/zypper", "--non-interactive", "install", "--auto-agree-with-licenses", "a", "b=1.2-3"],
            ]
        ),
        (
            .apk, "/sbin/apk",
            [
                ["/sbin/apk", "--quiet", "update"],
                ["/sbin/apk", "--quiet", "upgrade", "--update-cache", "--available"],
                ["/sbin/apk", "--quiet", "add", "a", "b=1.2-3"],
            ]
        ),
    ])
    func eachManagersCommands(kind: PackageManager.Kind, path: String, expected: [[String]]) throws {
        let request = try Self.parse("package_update: true\npackage_upgrade: true\npackages: [a, [b, 1.2-3]]\n")
            .packageRequest
        let commands = PackageManager(kind: kind, guestPath: path).commands(for: request)
        #expect(commands.map(\.argv) == expected)
        #expect(commands.map(\.key) == ["package_update", "package_upgrade", "packages"])
        #expect(commands.map(\.step) == ["update", "upgrade", "install"])
        let subcommands: [PackageManager.Kind: [String]] = [
            .apt: ["update", "dist-upgrade", "install"], .dnf: ["makecache", "upgrade", "install"],
            .yum: ["makecache", "upgrade", "install"], .zypper: ["refresh", "update", "install"],
            .apk: ["update", "upgrade", "add"],
        ]
        #expect(commands.map(\.what) == subcommands[kind]?.map { kind.rawValue + " " + $0 })
        #expect(
            commands.allSatisfy { $0.environment == (kind == .apt ? ["DEBIAN_FRONTEND": "noninteractive"] : [:]) })
    }

    @Test func onlyWhatIsAskedRuns() throws {
        let manager = PackageManager(kind: .dnf, guestPath: "/usr/bin/dnf")
        #expect(
            try manager.commands(for: Self.parse("package_update: true\n").packageRequest).map(\.step) == ["update"])
        #expect(
            try manager.commands(for: Self.parse("packages: [a]\n").packageRequest).map(\.key) == [
                "packages", "packages",
            ])
        #expect(
            try manager.commands(for: Self.parse("package_upgrade: true\n").packageRequest).map(\.step)
                == ["update", "upgrade"])
        #expect(try manager.commands(for: Self.parse("hostname: a\n").packageRequest).isEmpty)
    }
}
