import AgentBase
import DataSources
import FoundationEssentials
import HostEffects
import PasswordCrypto

#if canImport(Glibc)
import Glibc
#endif

/// Gives each instance SSH host keys of its own: on a new instance id the image's host
/// keys are replaced by new ones (Ed25519 and ECDSA made in-process, RSA by the target root's
/// `ssh-keygen`), so clones of one image can never impersonate each other. Per instance:
/// kept on later boots.
public struct HostKeysPlugin: Plugin {
    public static let pluginID = "host_keys"
    public let id = HostKeysPlugin.pluginID
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.local

    public static let beginMarker = "-----BEGIN SSH HOST KEY FINGERPRINTS-----"
    public static let endMarker = "-----END SSH HOST KEY FINGERPRINTS-----"
    static let sshDirectory = "/etc/ssh"
    static let workDirectory = "/etc/ssh/.guest-agent-host-keys"

    public init() {}

    /// The types to make: the user data's `ssh_genkeytypes`, else `ssh_host_key_types`;
    /// ed25519 first (sshd can start as soon as one key exists), then in the order given.
    static func types(_ context: PluginContext) -> [SSHHostKeyType] {
        let types = context.userDataOverrides.hostKeyTypes ?? context.config.sshHostKeyTypes
        return types.filter { $0 == .ed25519 } + types.filter { $0 != .ed25519 }
    }

    /// The user data's `ssh_deletekeys: false` keeps the image's host keys: only the types the
    /// image lacks are made (cloud-init's meaning). Default: every image key is replaced.
    static func keepsImageKeys(_ context: PluginContext) -> Bool {
        context.userDataOverrides.deleteImageHostKeys == false
    }

    /// The types to generate now: all of them, or with `ssh_deletekeys: false` those without a key.
    static func typesToMake(_ context: PluginContext) -> [SSHHostKeyType] {
        guard keepsImageKeys(context) else { return types(context) }
        return types(context).filter {
            !FileManager.default.fileExists(atPath: (try? context.root.resolve(keyPath($0))) ?? "")
        }
    }

    static func keyPath(_ type: SSHHostKeyType) -> String { "\(sshDirectory)/ssh_host_\(type.rawValue)_key" }

    /// The image's host key files (`ssh_host_*_key`, `.pub`, `-cert.pub`) in the root's /etc/ssh.
    static func existingKeyFiles(_ root: SystemRoot) -> [String] {
        guard let directory = try? root.resolve(sshDirectory),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return [] }
        return names.filter { name in
            name.hasPrefix("ssh_host_")
                && (name.hasSuffix("_key") || name.hasSuffix("_key.pub") || name.hasSuffix("_key-cert.pub"))
        }.sorted().map { sshDirectory + "/" + $0 }
    }

    /// The key types to make, and whether the image's other host keys stay.
    public struct Plan: PlannedChanges {
        let types: [SSHHostKeyType]
        let keepsImageKeys: Bool
        public let changes: [String]
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        guard context.tools.find("ssh-keygen") != nil else {
            return .skip("no ssh-keygen in the target root (an image without OpenSSH needs no host keys)")
        }
        if let state = try context.savedState(as: HostKeysState.self), state.instanceID == context.metadata.instanceID,
            Self.types(context).allSatisfy({
                FileManager.default.fileExists(atPath: (try? context.root.resolve(Self.keyPath($0))) ?? "")
            })
        {
            return .skip("host keys made for instance \(context.metadata.instanceID) are kept")
        }
        let toMake = Self.typesToMake(context)
        guard !toMake.isEmpty else {
            return .skip("ssh_deletekeys is false and the image has every host key type: its keys are kept")
        }
        var changes: [String] = []
        let existing = Self.existingKeyFiles(context.root)
        let keepsImageKeys = Self.keepsImageKeys(context)
        if keepsImageKeys {
            if !existing.isEmpty { changes.append("keep the image's host keys (ssh_deletekeys: false)") }
        } else if !existing.isEmpty {
            changes.append("remove the image's host keys: \(existing.joined(separator: ", "))")
        }
        let types = toMake.map(\.rawValue).joined(separator: ", ")
        changes.append(
            "generate \(types) host keys in \(Self.sshDirectory) and print their fingerprints on the console"
        )
        return .apply(Plan(types: toMake, keepsImageKeys: keepsImageKeys, changes: changes))
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        let keys = try await generate(plan, context)
        try context.saveState(
            HostKeysState(instanceID: context.metadata.instanceID, fingerprints: keys.map(\.fingerprint)))
        context.console(Self.beginMarker)
        for key in keys { context.console(key.fingerprint) }
        context.console(Self.endMarker)
        if let publisher = HostKeyPublishers.publisher(forSource: context.metadata.sourceID) {
            try await publisher.publish(keys, context: context)
        }
        return .done
    }

    /// Generates every configured key, then installs each one atomically over the image's
    /// (never a moment with no key of a type that had one) and removes the image's other
    /// host keys. A failure leaves the image's keys in place.
    ///
    /// Ed25519 and ECDSA are made in-process (`OpenSSHHostKeyPair`, OpenSSH's own formats);
    /// RSA by the root's ssh-keygen in a private work directory, started first so that its
    /// prime search overlaps the rest.
    private func generate(_ plan: Plan, _ context: PluginContext) async throws -> [HostKey] {
        let writer = context.writer
        // Owned by root as sshd requires; a test running unprivileged keeps its own uid.
        let owner: FileOwner? = geteuid() == 0 ? FileOwner(uid: 0, gid: 0) : nil
        let comment = Self.comment(context.metadata)
        try writer.makeDirectory(Self.sshDirectory, mode: 0o755, createOnly: true)
        try writer.remove(Self.workDirectory)  // a crashed earlier run's leftovers
        let types = plan.types
        async let rsa: GeneratedKey? =
            types.contains(.rsa) ? Self.sshKeygenRSA(context, owner: owner, comment: comment) : nil
        var keys: [SSHHostKeyType: GeneratedKey] = [:]
        for type in types {
            let algorithm: OpenSSHHostKeyPair.Algorithm
            switch type {
            case .ed25519: algorithm = .ed25519
            case .ecdsa: algorithm = .ecdsaP256
            case .rsa: continue
            }
            let pair = OpenSSHHostKeyPair.generate(algorithm, comment: comment)
            keys[type] = GeneratedKey(
                privateKey: Data(pair.privateKeyFile.utf8), publicKey: Data((pair.publicKeyLine + "\n").utf8),
                fingerprint: pair.fingerprint)
        }
        keys[.rsa] = try await rsa
        defer { try? writer.remove(Self.workDirectory) }
        let ordered = types.compactMap { type in keys[type].map { (type, $0) } }
        let installed = Set(ordered.flatMap { [Self.keyPath($0.0), Self.keyPath($0.0) + ".pub"] })
        for (type, key) in ordered {
            try writer.write(key.privateKey, to: Self.keyPath(type), mode: 0o600, owner: owner)
            try writer.write(key.publicKey, to: Self.keyPath(type) + ".pub", mode: 0o644, owner: owner)
        }
        for stale in Self.existingKeyFiles(context.root)
        where !installed.contains(stale) && !plan.keepsImageKeys {
            try writer.remove(stale)
        }
        return ordered.map { type, key in
            HostKey(
                type: type,
                publicKey: String(decoding: key.publicKey, as: UTF8.self).trimmingWhitespaceAndNewlines(),
                fingerprint: key.fingerprint)
        }
    }

    private struct GeneratedKey: Sendable {
        var privateKey: Data
        var publicKey: Data
        var fingerprint: String
    }

    /// The keys' comment, as ssh-keygen's `user@host`: `root@` and the instance's host name
    /// (its first label, when it is a plain one), else `root@localhost`.
    static func comment(_ metadata: InstanceMetadata) -> String {
        let label = (metadata.hostname ?? metadata.name ?? "").split(separator: ".").first.map(String.init) ?? ""
        let plain =
            !label.isEmpty && label.utf8.count <= 63
            && label.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
            }
        return "root@" + (plain ? label : "localhost")
    }

    /// An RSA host key from the root's ssh-keygen, in the private work directory.
    private static func sshKeygenRSA(_ context: PluginContext, owner: FileOwner?, comment: String) async throws
        -> GeneratedKey
    {
        try context.writer.makeDirectory(workDirectory, mode: 0o700, owner: owner)
        let file = try context.root.resolve("\(workDirectory)/ssh_host_rsa_key")
        // -N "": host keys have no passphrase; -q: no art on stdout. No stdin: ssh-keygen
        // never finds an existing file here, so it never asks to overwrite.
        try await context.runner.check(["ssh-keygen", "-q", "-t", "rsa", "-N", "", "-C", comment, "-f", file])
        let listing = try await context.runner.check(["ssh-keygen", "-l", "-E", "sha256", "-f", file + ".pub"])
        guard let privateKey = FileManager.default.contents(atPath: file),
            let publicKey = FileManager.default.contents(atPath: file + ".pub")
        else {
            throw HostError.io(path: file, operation: "read the generated key", errno: ENOENT)
        }
        return GeneratedKey(
            privateKey: privateKey, publicKey: publicKey,
            fingerprint: listing.standardOutput.trimmingWhitespaceAndNewlines())
    }
}
