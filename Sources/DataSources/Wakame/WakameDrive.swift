import AgentBase
import FoundationEssentials

/// The Wakame-vdc metadata drive's contents (docs/PROTOCOLS.md, Wakame-vdc), read from any
/// volume: `meta-data/` in EC2's key layout, one file per key, and `user-data` at the root.
///
/// Facts relied on (axsh/wakame-vdc `dcmgr/lib/dcmgr/drivers/hypervisor/linux_hypervisor.rb`
/// `setup_metadata_drive`, `dcmgr/lib/dcmgr/metadata/aws.rb`): every value is written with
/// Ruby's `puts`, so it ends in a line feed and a nil value is a lone line feed; a key ending
/// in `/` with no value is an empty directory (`public-keys/` when the instance has no key).
struct WakameDrive: Sendable {
    let volume: any ConfigDriveVolume
    /// The device or directory, as errors and `query` name it.
    let location: String
    let limits: DocumentLimits

    static let metaData = "meta-data"
    /// Each meta-data value is one line or one key.
    static let leafBytes = 64 * 1024

    /// nil when the volume has no `meta-data/instance-id` (a vfat volume labelled METADATA that
    /// is not Wakame-vdc's); else the instance.
    func metadata(sourceID: String) throws -> InstanceMetadata? {
        guard let instanceID = try text("instance-id"), !instanceID.isEmpty else { return nil }
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: instanceID,
            hostname: try text("local-hostname").flatMap { $0.isEmpty ? nil : $0 })
        metadata.sourceLocation = location
        metadata.availabilityZone = try text("placement/availability-zone").flatMap { $0.isEmpty ? nil : $0 }
        metadata.publicKeys = try publicKeys()
        metadata.network = try WakameNetwork(drive: self).description()
        metadata.userDataDocument = try userData()
        // `first-boot` marks the start at which the host waits for the password (§12.2).
        if try volume.readFile("\(Self.metaData)/first-boot", maxBytes: Self.leafBytes) != nil {
            metadata.passwordPublication = .wakameDrive(device: location)
        }
        return metadata
    }

    /// A `meta-data/` value, trimmed (the line feed `puts` added); nil when the file is absent.
    func text(_ key: String) throws -> String? {
        guard let data = try volume.readFile("\(Self.metaData)/\(key)", maxBytes: Self.leafBytes) else { return nil }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataSourceError.malformedDocument(
                location: "\(location)/\(Self.metaData)/\(key)", reason: "not UTF-8 text")
        }
        return text.trimmingWhitespaceAndNewlines()
    }

    /// The names in a `meta-data/` directory, nil when it is absent.
    func list(_ key: String) throws -> [String]? {
        try volume.listDirectory("\(Self.metaData)/\(key)")
    }

    /// The root's `user-data`: Wakame-vdc writes it at every instance start, a lone line feed
    /// when the instance has none, which is no user data. A damaged file fails only the user
    /// data (an unreadable document), not the drive; a read stopped by the deadline stops all.
    func userData() throws -> OptionalDocument {
        do {
            guard let data = try volume.readFile("user-data", maxBytes: limits.userDataBytes),
                data.contains(where: { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") })
            else { return .absent }
            return .present(data)
        } catch VolumeReadError.stopped(let path) {
            throw VolumeReadError.stopped(path: path)
        } catch {
            return .unreadable(DocumentReadError(document: "user data", reason: "\(location)/user-data: \(error)"))
        }
    }

    /// `public-keys/<n>/openssh-key` for every numbered key directory, in number order
    /// (Wakame-vdc writes only `0`, beside a file `0=<key id>` holding the same key).
    func publicKeys() throws -> [PublicKeyEntry] {
        let numbers = (try list("public-keys") ?? []).compactMap { Int($0) }.sorted()
        return try numbers.compactMap { number in
            guard let line = try text("public-keys/\(number)/openssh-key"), !line.isEmpty else { return nil }
            return PublicKeyEntry(name: "public-keys/\(number)", line: line)
        }
    }
}
