import Foundation
import TestSupport
import Testing

/// What the apt test needs on this machine (scripts/setup.sh installs dpkg-dev).
enum AptTestTools {
    static var present: Bool {
        ["apt-get", "dpkg", "dpkg-deb", "dpkg-scanpackages", "dpkg-query", "chroot", "env"].allSatisfy {
            Program.which($0) != nil
        }
    }
}

/// `package_update`, `packages` and `package_upgrade` with the real apt-get and dpkg, run by
/// the built agent inside a chroot scratch root against a local repository (a `.deb` built
/// here with dpkg-deb, indexed with dpkg-scanpackages, `deb [trusted=yes] file:/repo ./`):
/// no network. The package installs only under /opt and /etc (the root's /usr is the host's,
/// read-only).
@Suite(
    .serialized,
    .enabled(if: Program.isRoot, "needs root (bind mount, chroot, dpkg in a scratch root): skipped; CI runs as root"),
    .enabled(
        if: AptTestTools.present,
        "needs apt-get, dpkg-deb and dpkg-scanpackages (package dpkg-dev, installed by scripts/setup.sh): skipped"))
struct PackagesEndToEndTests {
    static let package = "ga-hello"

    /// A scratch root with what apt-get and dpkg need to work in it, a repository at /repo
    /// and a config drive at /drive whose instance and user data each test step sets.
    final class AptRoot: @unchecked Sendable {
        let root: ChrootScratchRoot
        let work: TemporaryDirectory
        let config: String

        init() async throws {
            root = try await ChrootScratchRoot()
            work = try TemporaryDirectory(prefix: "guest-agent-debs")
            for directory in [
                "etc/apt/sources.list.d", "etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/trusted.gpg.d",
                "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/apt/lists/partial",
                "var/cache/apt/archives/partial", "var/log/apt", "repo",
            ] {
                try FileManager.default.createDirectory(
                    atPath: root.path + "/" + directory, withIntermediateDirectories: true)
            }
            // An empty dpkg database: nothing installed yet.
            try root.directory.write("", to: "var/lib/dpkg/status")
            try root.directory.write("", to: "var/lib/dpkg/available")
            try root.directory.write("deb [trusted=yes] file:/repo ./\n", to: "etc/apt/sources.list")
            config = try root.directory.write(
                "metadata_services = configdrive\nconfigdrive_paths = /drive\nplugins = userdata\n", to: "agent.conf")
        }

        func close() { root.close() }

        /// Builds `ga-hello` `version` (a file under /opt and a conffile under /etc) and makes
        /// it the repository's only package.
        func publish(_ version: String) async throws {
            let name = "ga-hello-\(version)"
            let tree = work.path + "/" + name
            try work.write(
                "Package: \(PackagesEndToEndTests.package)\nVersion: \(version)\nArchitecture: all\n"
                    + "Maintainer: guest-agent tests <tests@example.invalid>\nDescription: guest-agent test package\n",
                to: "\(name)/DEBIAN/control")
            try work.write("/etc/ga-hello.conf\n", to: "\(name)/DEBIAN/conffiles")
            try work.write("setting = packaged-\(version)\n", to: "\(name)/etc/ga-hello.conf")
            try work.write("\(version)\n", to: "\(name)/opt/ga-hello/version")
            let repo = root.path + "/repo"
            for old in try FileManager.default.contentsOfDirectory(atPath: repo) {
                try FileManager.default.removeItem(atPath: repo + "/" + old)
            }
            let build = try await Program.tool(
                "dpkg-deb", ["--build", "--root-owner-group", tree, repo + "/ga-hello_\(version)_all.deb"])
            try #require(build.status == 0, "dpkg-deb: \(build.standardError)")
            // Paths in the index relative to the repository (`./ga-hello_...deb`), as the
            // `./` suite of sources.list wants them.
            let index = try await Program.tool("env", ["-C", repo, "dpkg-scanpackages", ".", "/dev/null"])
            try #require(index.status == 0 && index.standardOutput.contains("Version: \(version)"), "\(index)")
            try index.standardOutput.write(toFile: repo + "/Packages", atomically: true, encoding: .utf8)
        }

        /// Makes the drive describe instance `id` with `userData`.
        func instance(_ id: String, userData: String) throws {
            try root.directory.write(
                #"{"uuid": "\#(id)", "hostname": "pkg-e2e"}"#, to: "drive/openstack/latest/meta_data.json")
            try root.directory.write(userData, to: "drive/openstack/latest/user_data")
        }

        func agent(_ arguments: [String]) async throws -> ProgramResult {
            try await Program.agent(arguments, config: config, root: root.path, timeout: 180)
        }

        /// dpkg's own answer inside the root: "install ok installed 1.0", or its error.
        func dpkgStatus() async throws -> String {
            let query = try await Program.tool(
                "chroot", [root.path, "dpkg-query", "-W", "-f", "${Status} ${Version}", PackagesEndToEndTests.package])
            return query.status == 0 ? query.standardOutput : "dpkg-query failed: \(query.standardError)"
        }

        func read(_ path: String) -> String? { root.directory.read(path) }
    }

    /// A script part ahead of the cloud-config in the MIME order: it still runs after the
    /// packages are installed (cloud-init's final stage installs before the user scripts).
    static let firstUserData = """
        Content-Type: multipart/mixed; boundary="==P=="
        MIME-Version: 1.0

        --==P==
        Content-Type: text/x-shellscript

        #!/bin/sh
        cat /opt/ga-hello/version > /tmp/seen-by-script
        --==P==
        Content-Type: text/cloud-config

        #cloud-config
        package_update: true
        packages: [ga-hello]
        --==P==--
        """

    @Test func installThenUpgradeOnANewInstance() async throws {
        let apt = try await AptRoot()
        defer { apt.close() }
        try await apt.publish("1.0")
        try apt.instance("9a1b2c3d-0000-4000-8000-0000000000a1", userData: Self.firstUserData)

        let dry = try await apt.agent(["run", "--dry-run"])
        #expect(
            dry.standardOutput.contains(
                "run DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get --option=Dpkg::Options::=--force-confold -y --quiet"
                    + " update; then DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get"
                    + " --option=Dpkg::Options::=--force-confold -y --quiet install ga-hello"),
            "\(dry.standardOutput)")
        #expect(apt.read("opt/ga-hello/version") == nil, "a dry run installs nothing")

        let first = try await apt.agent(["run"])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(apt.read("opt/ga-hello/version") == "1.0\n")
        #expect(try await apt.dpkgStatus() == "install ok installed 1.0")
        #expect(apt.read("tmp/seen-by-script") == "1.0\n", "the script ran after the install")
        let installLog = "var/lib/guest-agent/userdata/output/part-2-packages-install.log"
        #expect(apt.read(installLog)?.contains("Setting up ga-hello (1.0)") == true, "\(apt.read(installLog) ?? "")")

        // A newer version published; the same instance boots again: nothing runs (once per
        // instance), so it stays at 1.0 and apt's logs are untouched.
        try await apt.publish("1.1")
        let logs = ["update", "install"].map { "var/lib/guest-agent/userdata/output/part-2-packages-\($0).log" }
        let before = try logs.map {
            try FileManager.default.attributesOfItem(atPath: apt.root.path + "/" + $0)[.modificationDate] as? Date
        }
        let second = try await apt.agent(["run"])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(try await apt.dpkgStatus() == "install ok installed 1.0")
        let after = try logs.map {
            try FileManager.default.attributesOfItem(atPath: apt.root.path + "/" + $0)[.modificationDate] as? Date
        }
        #expect(before == after, "a second boot ran the package manager again")

        // The image's administrator changed the conffile; a new instance upgrades: apt-get
        // dist-upgrade brings 1.1 and --force-confold keeps the changed file.
        try apt.root.directory.write("setting = mine\n", to: "etc/ga-hello.conf")
        try apt.instance("9a1b2c3d-0000-4000-8000-0000000000a2", userData: "#cloud-config\npackage_upgrade: true\n")
        let upgrade = try await apt.agent(["run"])
        #expect(upgrade.status == 0, "\(upgrade.standardError)")
        #expect(apt.read("opt/ga-hello/version") == "1.1\n")
        #expect(try await apt.dpkgStatus() == "install ok installed 1.1")
        #expect(apt.read("etc/ga-hello.conf") == "setting = mine\n")
        #expect(apt.read("etc/ga-hello.conf.dpkg-dist") == "setting = packaged-1.1\n")
    }

    @Test func anUnknownPackageFailsThePartWithAptsMessageAndTheOtherKeysApply() async throws {
        let apt = try await AptRoot()
        defer { apt.close() }
        try await apt.publish("1.0")
        try apt.instance(
            "9a1b2c3d-0000-4000-8000-0000000000b1",
            userData: """
                #cloud-config
                packages: [ga-hello, ga-nosuch]
                write_files:
                  - path: /etc/ga-other
                    content: applied
                runcmd:
                  - [sh, -c, "echo ran > /tmp/runcmd-mark"]
                """)
        let run = try await apt.agent(["run"])
        #expect(run.status == 1, "\(run.standardError)")
        let status = try await apt.agent(["status"]).standardOutput
        for text in [run.standardError, status] {
            #expect(text.contains("packages: apt-get install exited with status 100"), "\(text)")
            #expect(text.contains("E: Unable to locate package ga-nosuch"), "\(text)")
        }
        #expect(!status.contains("packages: apt-get update"), "the refresh succeeded: \(status)")
        #expect(apt.read("etc/ga-other") == "applied")
        #expect(apt.read("tmp/runcmd-mark") == "ran\n")
        #expect(try await apt.dpkgStatus().hasPrefix("dpkg-query failed"), "apt installs all or nothing")
    }
}
