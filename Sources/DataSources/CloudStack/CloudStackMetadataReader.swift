import FoundationEssentials

/// Reads CloudStack's EC2-shaped metadata under `http://ROUTER/latest/`. Unlike EC2,
/// `meta-data/public-keys` is the keys' text itself, one per line (cloudbase-init
/// `CloudStack.get_public_keys`), not a listing of `N=name` entries.
struct CloudStackMetadataReader: Sendable {
    let base: URL
    let client: MetadataHTTPClient
    /// Each meta-data leaf is one short line or a few keys.
    static let leafBytes = 64 * 1024
    static let userDataBytes = 1 << 20

    func read(sourceID: String, needs: MetadataNeeds) async throws -> InstanceMetadata {
        let instanceIDURL = url("meta-data/instance-id")
        // The first request decides whether the router is a metadata server at all.
        guard let instanceID = try await text("meta-data/instance-id"), !instanceID.isEmpty else {
            throw DataSourceError.missingField(location: instanceIDURL.absoluteString, field: "instance-id")
        }
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: instanceID,
            hostname: try await text("meta-data/local-hostname").flatMap { $0.isEmpty ? nil : $0 },
            publicKeys: try await publicKeys(),
            availabilityZone: try await text("meta-data/availability-zone").flatMap { $0.isEmpty ? nil : $0 })
        if needs.contains(.userData) {
            metadata.userDataDocument = try await OptionalDocument.read("user data") {
                try await client.getIfPresent(url("user-data"), maxBytes: Self.userDataBytes)
            }
        }
        return metadata
    }

    func url(_ path: String) -> URL { base.appending(relativePath: path) }

    /// The trimmed text of a leaf, nil on 404.
    func text(_ path: String) async throws -> String? {
        let address = url(path)
        guard let data = try await client.getIfPresent(address, maxBytes: Self.leafBytes) else { return nil }
        return try HTTPReply(status: 200, body: data).text(from: address).trimmingWhitespaceAndNewlines()
    }

    func publicKeys() async throws -> [PublicKeyEntry] {
        guard let text = try await text("meta-data/public-keys") else { return [] }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            .enumerated().map { PublicKeyEntry(name: "public-keys[\($0.offset)]", line: $0.element) }
    }
}
