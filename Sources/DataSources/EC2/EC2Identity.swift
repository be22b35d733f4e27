import AgentBase
import FoundationEssentials

/// Who the instance is: its id, availability zone, primary private IPv4 and primary MAC.
///
/// One request on EC2: `dynamic/instance-identity/document`, the JSON document every
/// instance has (`instanceId`, `availabilityZone`, `privateIp`), in the first round. An IMDS
/// without it (nova's EC2 tree, other clones) costs a second round: `instance-id`,
/// `placement/availability-zone` and, when the network is needed, `mac` (AWS: the MAC of
/// device 0) together.
struct EC2Identity: Sendable, Equatable {
    static let documentPath = "latest/dynamic/instance-identity/document"

    var instanceID: String
    var availabilityZone: String?
    /// `privateIp` of the identity document: the primary ENI's primary private IPv4.
    var privateIPv4: String?
    /// `meta-data/mac`, read only without an identity document.
    var primaryMAC: String?

    /// Reads the identity document, or the separate leaves when there is none.
    static func read(_ reader: IMDSTextReader, wantsMAC: Bool) async throws -> EC2Identity {
        if let document = try await reader.text(documentPath) {
            return try parse(document, location: reader.session.url(documentPath).absoluteString)
        }
        let meta = "latest/meta-data/"
        async let instanceID = reader.trimmed(meta + "instance-id")
        async let zone = reader.trimmed(meta + "placement/availability-zone")
        async let mac = wantsMAC ? reader.trimmed(meta + "mac") : nil
        guard let id = try await instanceID, !id.isEmpty else {
            throw DataSourceError.missingField(location: reader.session.url(meta).absoluteString, field: "instance-id")
        }
        return EC2Identity(
            instanceID: id, availabilityZone: try await zone?.nonEmpty, privateIPv4: nil,
            primaryMAC: try await mac?.nonEmpty)
    }

    /// The identity document's fields; a document that is not a JSON object or has no
    /// `instanceId` string is an error naming `location` (a present but broken document is
    /// not silently replaced by other paths).
    static func parse(_ text: String, location: String) throws -> EC2Identity {
        guard let object = try? JSONValue.parse(Data(text.utf8)),
            let document = object.objectValue
        else {
            throw DataSourceError.malformedDocument(location: location, reason: "not a JSON object")
        }
        func string(_ key: String) -> String? {
            document[key]?.stringValue?.trimmingWhitespaceAndNewlines().nonEmpty
        }
        guard let id = string("instanceId") else {
            throw DataSourceError.missingField(location: location, field: "instanceId")
        }
        // On an IPv6-only instance `privateIp` is its IPv6 address: no IPv4 to name the primary by.
        let privateIP = string("privateIp")
        return EC2Identity(
            instanceID: id, availabilityZone: string("availabilityZone"),
            privateIPv4: privateIP?.contains(":") == false ? privateIP : nil, primaryMAC: nil)
    }
}

extension String {
    /// Nil for the empty string.
    var nonEmpty: String? { isEmpty ? nil : self }
}
