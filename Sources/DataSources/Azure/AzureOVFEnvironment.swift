import AgentBase
import FoundationEssentials

/// The provisioning media's `ovf-env.xml`, read as cloud-init 22.4.2's `OvfEnvXml`
/// (helpers/azure.py) reads it: `Environment/ProvisioningSection/
/// LinuxProvisioningConfigurationSet` with `UserName` and `HostName` (required),
/// `UserPassword`, `DisableSshPasswordAuthentication`, `CustomData` (base64, the user data)
/// and `SSH/PublicKeys/PublicKey` (`Fingerprint`, `Path`, `Value`). A document without a
/// `ProvisioningSection` is not Azure's (`nil`, cloud-init's `NonAzureDataSource`); one that is
/// not XML, lacks a required element or repeats one is broken (cloud-init's
/// `BrokenAzureDataSource`): a `malformedDocument` naming what.
struct AzureOVFEnvironment: Equatable, CustomStringConvertible {
    var username: String
    var hostname: String
    /// Clear text. Secret: never logged (`description` leaves it out).
    var password: String?
    var disableSSHPasswordAuthentication: Bool?
    var customData: Data?
    /// Key lines; a `PublicKey` with only a fingerprint (its key is in the WireServer's
    /// certificates, which the agent does not fetch) is listed in `refusedKeys`.
    var publicKeys: [PublicKeyEntry] = []
    var refusedKeys: [String] = []

    /// sshd's password authentication as cloud-init's `read_azure_ovf` sets `ssh_pwauth`:
    /// the opposite of `DisableSshPasswordAuthentication` when given, else on when a password
    /// is given, else nil (the image's setting stays).
    var sshPasswordAuthentication: Bool? {
        if let disabled = disableSSHPasswordAuthentication { return !disabled }
        return password == nil ? nil : true
    }

    var description: String {
        "ovf-env.xml for \(username)@\(hostname) (\(publicKeys.count) key(s), password \(password == nil ? "absent" : "given"))"
    }

    /// The environment, nil when the document has no ProvisioningSection, or a named error.
    static func parse(_ data: Data, location: String) throws -> AzureOVFEnvironment? {
        let root: XMLTreeElement
        do {
            root = try BoundedXML(maxBytes: 1 << 20).parse(data)
        } catch {
            throw DataSourceError.malformedDocument(location: location, reason: "not XML the agent reads (\(error))")
        }
        func broken(_ reason: String) -> DataSourceError { .malformedDocument(location: location, reason: reason) }
        /// The one child `name` of `element`: nil when absent (an error when `required`), an
        /// error when repeated (cloud-init's `_find` and `_parse_property`).
        func one(_ name: String, in element: XMLTreeElement, required: Bool) throws -> XMLTreeElement? {
            let matches = element.children(named: name)
            if matches.count > 1 {
                throw broken("\(matches.count) <\(name)> elements in <\(element.name)>, one expected")
            }
            if matches.isEmpty, required { throw broken("no <\(name)> in <\(element.name)>") }
            return matches.first
        }
        func text(_ name: String, in element: XMLTreeElement, required: Bool = false) throws -> String? {
            guard let found = try one(name, in: element, required: required) else { return nil }
            let value = found.text.trimmingWhitespaceAndNewlines()
            if value.isEmpty, required { throw broken("<\(name)> is empty") }
            return value.isEmpty ? nil : value
        }
        guard let section = try one("ProvisioningSection", in: root, required: false) else { return nil }
        guard let set = try one("LinuxProvisioningConfigurationSet", in: section, required: true) else { return nil }
        var environment = AzureOVFEnvironment(
            username: try text("UserName", in: set, required: true) ?? "",
            hostname: try text("HostName", in: set, required: true) ?? "")
        // A password is taken as written: leading or trailing spaces may be part of it.
        if let password = try one("UserPassword", in: set, required: false)?.text, !password.isEmpty {
            environment.password = password
        }
        if let flag = try text("DisableSshPasswordAuthentication", in: set) {
            // cloud-init's `util.translate_bool`.
            switch flag.lowercased() {
            case "true", "1", "on", "yes", "y": environment.disableSSHPasswordAuthentication = true
            case "false", "0", "off", "no", "n": environment.disableSSHPasswordAuthentication = false
            default: throw broken("DisableSshPasswordAuthentication '\(BoundedXML.preview(flag))' is not a boolean")
            }
        }
        if let encoded = try text("CustomData", in: set) {
            guard let decoded = Data(base64Encoded: encoded.filter { !$0.isWhitespace }) else {
                throw broken("CustomData is not base64")
            }
            environment.customData = decoded
        }
        if let keys = try one("SSH", in: set, required: false).flatMap({
            try one("PublicKeys", in: $0, required: false)
        }) {
            for (index, key) in keys.children(named: "PublicKey").enumerated() {
                let name = "ovf-env.xml PublicKey[\(index)]"
                guard let value = try text("Value", in: key) else {
                    environment.refusedKeys.append("\(name) has no Value (a certificate fingerprint only)")
                    continue
                }
                environment.publicKeys += CloudJSON.lines(of: value).map { PublicKeyEntry(name: name, line: $0) }
            }
        }
        return environment
    }
}
