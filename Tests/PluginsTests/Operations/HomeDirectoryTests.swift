import DataSources
import Foundation
import HostEffects
import Plugins
import TestSupport
import Testing

/// Regression (hostile probe): a run killed inside useradd left the user in /etc/passwd
/// without a home; the next run reused the user and ssh_keys created the home as
/// root:root 0755 without /etc/skel.
@Suite struct HomeDirectoryTests {
    static let needsRoot = "giving files to uid 1000 needs root: skipped (CI runs as root)"
    let bashrc = Data("# skel bashrc\nalias ll='ls -l'\n".utf8) + Data([0xE9, 0x00, 0xFF])
    let settings = Data("[ui]\ntheme = dark\n".utf8)

    /// A scratch root where cloud-user (1000:1000) exists without a home, with a small
    /// /etc/skel (a 0644 file, a 0700 subdirectory holding a 0640 file, a symbolic link
    /// to a host file) and, when given, this login.defs.
    func rootWithoutHome(loginDefs: String? = "HOME_MODE 0750\nUMASK 022\n") throws -> TemporaryDirectory {
        let root = try PluginTestContext.makeRoot()
        try FileManager.default.removeItem(atPath: root.path + "/home/cloud-user")
        try root.write(bashrc, to: "etc/skel/.bashrc", mode: 0o644)
        try root.write(settings, to: "etc/skel/.config/app/settings.ini", mode: 0o640)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root.path + "/etc/skel/.config")
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: root.path + "/etc/skel/.config/app")
        try FileManager.default.createSymbolicLink(
            atPath: root.path + "/etc/skel/.host-passwd", withDestinationPath: "/etc/passwd")
        if let loginDefs { try root.write(loginDefs, to: "etc/login.defs") }
        return root
    }

    /// The skeleton's files are in the home, byte for byte, with their modes, owned by the user.
    func expectSkeletonCopied(_ root: TemporaryDirectory, homeMode: Int = 0o750) throws {
        let home = try root.attributes("home/cloud-user")
        #expect(
            home.mode == homeMode && home.uid == 1000 && home.gid == 1000,
            "home \(String(home.mode, radix: 8)) \(home.uid):\(home.gid)")
        #expect(FileManager.default.contents(atPath: root.path + "/home/cloud-user/.bashrc") == bashrc)
        #expect(
            FileManager.default.contents(atPath: root.path + "/home/cloud-user/.config/app/settings.ini") == settings)
        let expected = [
            (".bashrc", 0o644), (".config", 0o700), (".config/app", 0o755), (".config/app/settings.ini", 0o640),
        ]
        for (path, mode) in expected {
            let attributes = try root.attributes("home/cloud-user/" + path)
            #expect(
                attributes.mode == mode && attributes.uid == 1000 && attributes.gid == 1000,
                "\(path): \(String(attributes.mode, radix: 8)) \(attributes.uid):\(attributes.gid)")
        }
        // The link is neither copied nor followed, and no temporary tree is left behind.
        #expect(
            (try? FileManager.default.destinationOfSymbolicLink(atPath: root.path + "/home/cloud-user/.host-passwd"))
                == nil)
        #expect(!FileManager.default.fileExists(atPath: root.path + "/home/cloud-user/.host-passwd"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path + "/home") == ["cloud-user"])
    }

    @Test(.enabled(if: Program.isRoot, Comment(rawValue: needsRoot)))
    func usersPluginRecreatesAMissingHomeFromSkel() async throws {
        let root = try rootWithoutHome()
        // What a repair killed half-way left behind is discarded, not reused.
        try root.write("stale\n", to: "home/.cloud-user.guest-agent-home.tmp/.bashrc")
        let runner = RecordingCommandRunner()
        let log = LogCapture()
        let context = PluginTestContext.context(
            PluginTestContext.sampleMetadata(), root: root, runner: runner, logger: log.logger())
        #expect(
            try await UsersPlugin().describedPlan(context)
                == .apply([
                    "add existing user cloud-user to sudo",
                    "repair home directory /home/cloud-user of cloud-user (missing)",
                ]))
        #expect(try await UsersPlugin().planAndApply(context) == .done)

        try expectSkeletonCopied(root)
        #expect(!runner.calls.contains { $0.argv.first == "useradd" }, "the existing user is reused")
        #expect(
            log.lines.contains {
                $0.hasPrefix(
                    "notice created missing home directory /home/cloud-user of cloud-user from /etc/skel (4 entries copied),"
                        + " owner 1000:1000, mode 0750 (HOME_MODE 0750 in /etc/login.defs)")
            }, "\(log.text)")
        #expect(log.text.contains("skipped symbolic link /etc/skel/.host-passwd: not copied into /home/cloud-user"))
        // Repaired once: the next plan has nothing left to say about the home.
        #expect(try await UsersPlugin().describedPlan(context) == .apply(["add existing user cloud-user to sudo"]))
    }

    @Test(.enabled(if: Program.isRoot, Comment(rawValue: needsRoot)))
    func sshKeysAloneRecreatesTheHomeInsteadOfARootOwnedOne() async throws {
        let root = try rootWithoutHome()
        let log = LogCapture()
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, logger: log.logger())
        #expect(
            try await SSHKeysPlugin().describedPlan(context)
                == .apply([
                    "repair home directory /home/cloud-user of cloud-user (missing)", "install 1 key(s) for cloud-user",
                ]))
        #expect(try await SSHKeysPlugin().planAndApply(context) == .done)

        try expectSkeletonCopied(root)
        let directory = try root.attributes("home/cloud-user/.ssh")
        let file = try root.attributes("home/cloud-user/.ssh/authorized_keys")
        #expect(directory.mode == 0o700 && directory.uid == 1000 && directory.gid == 1000)
        #expect(file.mode == 0o600 && file.uid == 1000 && file.gid == 1000)
        #expect(root.read("home/cloud-user/.ssh/authorized_keys")?.contains("demo") == true)
        #expect(log.text.contains("notice created missing home directory /home/cloud-user of cloud-user"))
    }

    @Test(.enabled(if: Program.isRoot, Comment(rawValue: needsRoot)))
    func aHomeOwnedByRootIsGivenBackToTheUserItselfOnly() async throws {
        let root = try PluginTestContext.makeRoot()
        let home = root.path + "/home/cloud-user"
        try root.write("root's\n", to: "home/cloud-user/kept-by-root")
        #expect(chown(home, 0, 0) == 0 && chmod(home, 0o711) == 0)
        let log = LogCapture()
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, logger: log.logger())
        #expect(
            try await UsersPlugin().describedPlan(context)
                == .apply([
                    "add existing user cloud-user to sudo",
                    "repair home directory /home/cloud-user of cloud-user (owned by uid 0)",
                ]))
        _ = try await UsersPlugin().planAndApply(context)

        let after = try root.attributes("home/cloud-user")
        #expect(after.uid == 1000 && after.gid == 1000)
        #expect(after.mode == 0o711, "only the owner changes")
        let inside = try root.attributes("home/cloud-user/kept-by-root")
        #expect(inside.uid == 0 && inside.gid == 0, "not recursive")
        #expect(root.read("home/cloud-user/kept-by-root") == "root's\n")
        #expect(
            log.text.contains(
                "notice gave home directory /home/cloud-user of cloud-user back to 1000:1000 (it was owned by uid 0;"))

        // ssh_keys alone repairs it the same way.
        #expect(chown(home, 0, 0) == 0)
        _ = try await SSHKeysPlugin().planAndApply(
            PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root))
        #expect(try root.attributes("home/cloud-user").uid == 1000)
    }

    @Test func aHomeThatIsASymbolicLinkIsRefusedAndNothingIsWrittenOutside() async throws {
        let root = try rootWithoutHome()
        let outside = try TemporaryDirectory()
        let before = try FileManager.default.attributesOfItem(atPath: outside.path)
        try FileManager.default.createSymbolicLink(
            atPath: root.path + "/home/cloud-user", withDestinationPath: outside.path)
        let link = root.path + "/home/cloud-user"
        let runner = RecordingCommandRunner()
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)

        await #expect(throws: HostError.symlinkInPath(link)) { try await UsersPlugin().describedPlan(context) }
        await #expect(throws: HostError.symlinkInPath(link)) { try await UsersPlugin().planAndApply(context) }
        await #expect(throws: HostError.symlinkInPath(link)) { try await SSHKeysPlugin().describedPlan(context) }
        await #expect(throws: HostError.symlinkInPath(link)) { try await SSHKeysPlugin().planAndApply(context) }
        #expect("\(HostError.symlinkInPath(link))".contains(link))
        #expect(runner.calls.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        let after = try FileManager.default.attributesOfItem(atPath: outside.path)
        #expect(after[.ownerAccountID] as? NSNumber == before[.ownerAccountID] as? NSNumber)
        #expect(after[.posixPermissions] as? NSNumber == before[.posixPermissions] as? NSNumber)
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: link) == outside.path, "the link is left as it is"
        )
    }

    /// useradd's rule: HOME_MODE, else 0777 & ~UMASK, else 0755. Numbers are read like
    /// useradd reads them (strtol base 0): a real useradd makes `UMASK 22` a 0751 home.
    @Test(
        .enabled(if: Program.isRoot, Comment(rawValue: needsRoot)),
        arguments: [
            ("HOME_MODE 0750\n", 0o750),
            ("UMASK 027\n", 0o750),
            (nil, 0o755),
            ("# HOME_MODE 0700\nUMASK\t\t077\n", 0o700),
            ("UMASK 022\nHOME_MODE \"0700\"\n", 0o700),
            ("UMASK 22\n", 0o751),
            ("UMASK nonsense\n", 0o755),
        ] as [(String?, Int)])
    func theHomeModeFollowsLoginDefs(loginDefs: String?, mode: Int) async throws {
        let root = try rootWithoutHome(loginDefs: loginDefs)
        let log = LogCapture()
        _ = try await UsersPlugin().planAndApply(
            PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, logger: log.logger()))
        try expectSkeletonCopied(root, homeMode: mode)
        let shown = "mode 0" + String(mode, radix: 8)
        #expect(log.text.contains(shown), "\(log.text)")
    }
}

/// The killed-useradd state made by the real useradd, repaired by the users plugin.
@Suite(.serialized) struct HomeDirectoryRealToolsTests {
    static var enabled: Bool { Program.isRoot && Program.which("useradd") != nil && Program.which("usermod") != nil }

    @Test(.enabled(if: enabled, "needs root, useradd and usermod: skipped (CI runs as root)"))
    func aUserThatUseraddLeftWithoutAHomeGetsTheHomeUseraddWouldHaveMade() async throws {
        let root = try UsersRealToolsRoot.make()
        // Reference: what useradd itself makes in this root.
        try await Program.tool(
            "useradd",
            ["--root", root.path, "--create-home", "--shell", "/bin/bash", "--user-group", "--", "ga-test-ref"]
        ).requireSuccess()
        // The run killed inside useradd: the user exists, the home does not.
        try await Program.tool(
            "useradd",
            ["--root", root.path, "--no-create-home", "--shell", "/bin/bash", "--user-group", "--", "ga-test-home"]
        ).requireSuccess()
        #expect(!FileManager.default.fileExists(atPath: root.path + "/home/ga-test-home"))
        let line = try #require(root.read("etc/passwd")?.split(separator: "\n").first { $0.hasPrefix("ga-test-home:") })
        let fields = line.split(separator: ":", omittingEmptySubsequences: false)
        let (uid, gid) = (String(fields[2]), String(fields[3]))

        var metadata = PluginTestContext.sampleMetadata()
        metadata.meta["admin_username"] = "ga-test-home"
        let log = LogCapture()
        let context = PluginTestContext.context(
            metadata, root: root, runner: UsersRealToolsRoot.runner(for: root), logger: log.logger())
        let plan = try await UsersPlugin().describedPlan(context)
        guard case .apply(let changes) = plan else {
            Issue.record("plan: \(plan)")
            return
        }
        #expect(changes.contains("repair home directory /home/ga-test-home of ga-test-home (missing)"))
        #expect(try await UsersPlugin().planAndApply(context) == .done)

        func stat(_ path: String) async throws -> String {
            try await Program.tool("stat", ["-c", "%u:%g %a %F", root.path + "/" + path]).standardOutput
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let reference = try await stat("home/ga-test-ref").split(separator: " ")
        #expect(
            try await stat("home/ga-test-home") == "\(uid):\(gid) \(reference[1]) directory",
            "same mode as useradd's own home")
        let skel = try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc/skel").sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path + "/home/ga-test-home").sorted() == skel)
        for name in skel {
            #expect(
                FileManager.default.contents(atPath: root.path + "/home/ga-test-home/" + name)
                    == FileManager.default.contents(atPath: root.path + "/etc/skel/" + name), "\(name)")
            let mode = try await stat("etc/skel/" + name).split(separator: " ")[1]
            #expect(try await stat("home/ga-test-home/" + name).hasPrefix("\(uid):\(gid) \(mode) "), "\(name)")
        }
        #expect(log.text.contains("notice created missing home directory /home/ga-test-home of ga-test-home"))
        // Repaired once: nothing left to do.
        #expect(try await UsersPlugin().describedPlan(context) == .skip("user ga-test-home exists with its groups"))
    }
}

extension ProgramResult {
    fileprivate func requireSuccess() throws {
        guard status == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "exit \(status): \(standardError)"])
        }
    }
}
