import AgentBase
import FoundationEssentials

/// The variables of an OpenNebula `context.sh` turned into `InstanceMetadata`
/// (docs/PROTOCOLS.md, OpenNebula). Variable names and precedence are those of OpenNebula's
/// own guest scripts (one-apps `context-linux`: `loc-20-set-username-password`,
/// `loc-22-ssh_public_key`, `net-15-hostname`) and of cloud-init's `DataSourceOpenNebula`.
public struct OpenNebulaContext: Sendable, Equatable {
    public var variables: [String: String]

    /// cloud-init's and cloudbase-init's instance id for every OpenNebula instance: the context
    /// carries no id of its own that both peers use, so per-instance state is the image's
    /// (a clone of an image that already booted does not run per-instance plugins again, as with them).
    public static let instanceID = "iid-dsopennebula"

    public init(variables: [String: String]) {
        self.variables = variables
    }

    /// A non-empty value (OpenNebula writes `NAME=''` for an unset template attribute).
    func value(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    public func metadata(sourceID: String, location: String?) -> InstanceMetadata {
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: Self.instanceID,
            hostname: value("SET_HOSTNAME") ?? value("HOSTNAME"),
            publicKeys: publicKeys())
        metadata.sourceLocation = location
        // one-context's default user is root; the agent never lets metadata make root its admin
        // user (AdminUser), so USERNAME=root leaves the configured admin user in place.
        if let user = value("USERNAME"), user != "root" { metadata.meta["admin_username"] = user }
        metadata.platformPassword = password()
        metadata.userDataDocument = userData()
        metadata.network = OpenNebulaNetwork(context: self).description()
        return metadata
    }

    /// `SSH_PUBLIC_KEY` (one-context's name; cloud-init also reads `SSH_KEY`): one key per
    /// line, blank lines and `#` comments left out.
    func publicKeys() -> [PublicKeyEntry] {
        guard let text = value("SSH_PUBLIC_KEY") ?? value("SSH_KEY") else { return [] }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }.enumerated()
            .map { PublicKeyEntry(name: "SSH_PUBLIC_KEY[\($0.offset)]", line: $0.element) }
    }

    /// The password, in one-context's order: `CRYPTED_PASSWORD_BASE64`, `PASSWORD_BASE64`,
    /// `CRYPTED_PASSWORD`, `PASSWORD`. A base64 form that does not decode is passed on as an
    /// empty clear text, so that setting it fails loudly instead of silently using the next one.
    func password() -> PlatformPassword? {
        func decoded(_ name: String) -> String? {
            value(name).map { Data(base64Encoded: $0.trimmingWhitespaceAndNewlines()) }.map {
                $0.flatMap { String(data: $0, encoding: .utf8) } ?? ""
            }
        }
        if let hash = decoded("CRYPTED_PASSWORD_BASE64") {
            return PlatformPassword(secret: .cryptHash(hash), origin: "OpenNebula CRYPTED_PASSWORD_BASE64")
        }
        if let clear = decoded("PASSWORD_BASE64") {
            return PlatformPassword(secret: .clearText(clear), origin: "OpenNebula PASSWORD_BASE64")
        }
        if let hash = value("CRYPTED_PASSWORD") {
            return PlatformPassword(secret: .cryptHash(hash), origin: "OpenNebula CRYPTED_PASSWORD")
        }
        if let clear = value("PASSWORD") {
            return PlatformPassword(secret: .clearText(clear), origin: "OpenNebula PASSWORD")
        }
        return nil
    }

    /// `USER_DATA`, else `USERDATA`; base64 when `USERDATA_ENCODING` (or `USER_DATA_ENCODING`)
    /// is `base64`. Text that does not decode is unreadable user data (cloud-init would run the
    /// base64 text itself as user data).
    func userData() -> OptionalDocument {
        guard let raw = value("USER_DATA") ?? value("USERDATA") else { return .absent }
        let encoding = variables["USERDATA_ENCODING"] ?? variables["USER_DATA_ENCODING"]
        guard encoding == "base64" else { return .present(Data(raw.utf8)) }
        let compact = raw.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            return .unreadable(
                DocumentReadError(document: "user data", reason: "USER_DATA is marked base64 but does not decode"))
        }
        return .present(data)
    }
}
