import AgentBase
import FoundationEssentials

/// What the agent takes from GCE's instance and project attributes, as cloud-init's
/// `read_md` (DataSourceGCE.py) does: the SSH keys and the user data.
struct GCEAttributes {
    var publicKeys: [PublicKeyEntry]
    var refusedKeys: [String]
    var userData: OptionalDocument
    var startupScript: StartupScript?

    /// `now` (seconds since the epoch) decides which `google-ssh` keys have expired.
    init(instance: [String: JSONValue], project: [String: JSONValue], location: String, now: Int) {
        // The instance's keys always count; the project's unless the instance blocks them or
        // still uses the legacy `sshKeys` attribute, which replaces the project's keys.
        var sources: [(String, JSONValue?)] = [
            ("instance sshKeys", instance["sshKeys"]), ("instance ssh-keys", instance["ssh-keys"]),
        ]
        let blocked = instance["block-project-ssh-keys"]?.stringValue?.lowercased() == "true"
        if !blocked && instance["sshKeys"]?.stringValue?.isEmpty ?? true {
            sources += [("project ssh-keys", project["ssh-keys"]), ("project sshKeys", project["sshKeys"])]
        }
        var keys: [PublicKeyEntry] = []
        var refused: [String] = []
        for (name, value) in sources {
            guard let value else { continue }
            guard let text = value.stringValue else {
                refused.append("\(name) is not a string")
                continue
            }
            let parsed = GCESSHKeys.parse(text, attribute: name, now: now)
            keys += parsed.keys
            refused += parsed.refused
        }
        publicKeys = keys
        refusedKeys = refused
        userData = Self.userData(instance, location: location)
        startupScript = Self.startupScript(instance: instance, project: project)
    }

    /// The attributes Google's script runner (`google_metadata_script_runner`) reads for
    /// startup on Linux, in the order it runs them.
    static let startupKeys = ["startup-script", "startup-script-url"]

    /// The startup script as Google's runner picks it: the instance's attributes when they
    /// hold any non-empty startup key, else the project's (the levels never mix). Its text
    /// loses its leading blanks, as the runner trims them before writing the file.
    static func startupScript(instance: [String: JSONValue], project: [String: JSONValue]) -> StartupScript? {
        for (level, attributes) in [("instance", instance), ("project", project)] {
            let found = startupKeys.compactMap { key in
                attributes[key]?.stringValue.flatMap { $0.isEmpty ? nil : (key, $0) }
            }
            guard !found.isEmpty else { continue }
            let values = Dictionary(uniqueKeysWithValues: found)
            let text = values["startup-script"].map { String($0.drop(while: Self.isLeadingBlank)) }
            let trimmedURL = values["startup-script-url"]?.trimmingWhitespaceAndNewlines()
            let url = trimmedURL?.isEmpty == false ? trimmedURL : nil
            // A script of blanks only is nothing to run (Google's runner would run an empty file).
            guard text?.isEmpty == false || url != nil else { return nil }
            return StartupScript(
                origin: "\(level) attribute " + (text?.isEmpty == false ? "startup-script" : "startup-script-url"),
                content: text.flatMap { $0.isEmpty ? nil : Data($0.utf8) }, unfetchedURL: url)
        }
        return nil
    }

    /// The characters Google's runner trims from the start of a script (`" \n\v\f\t\r"`).
    private static func isLeadingBlank(_ character: Character) -> Bool {
        [" ", "\n", "\u{0B}", "\u{0C}", "\t", "\r", "\r\n"].contains(character)
    }

    /// The `user-data` attribute, base64-decoded when `user-data-encoding` says `base64`. An
    /// unknown encoding leaves it as it is (cloud-init warns and does the same).
    private static func userData(_ instance: [String: JSONValue], location: String) -> OptionalDocument {
        guard let value = instance["user-data"] else { return .absent }
        guard let text = value.stringValue else {
            return .unreadable(
                DocumentReadError(document: "user data", reason: "\(location): user-data is not a string"))
        }
        guard instance["user-data-encoding"]?.stringValue == "base64" else { return OptionalDocument(Data(text.utf8)) }
        guard let decoded = Data(base64Encoded: text) else {
            return .unreadable(
                DocumentReadError(
                    document: "user data", reason: "\(location): user-data-encoding is base64 but user-data is not"))
        }
        return OptionalDocument(decoded)
    }
}
