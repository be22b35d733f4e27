import AgentBase
import DataSources
import FoundationEssentials

/// The normalized metadata as `guest-agent query` prints it: secrets redacted, user data
/// reported by size only (it may carry secrets too).
///
/// Built as `JSONValue` and printed with `JSONEncoder` (FoundationEssentials), not with
/// `JSONSerialization`/`NSNumber`, which are corelibs Foundation and link ICU's data (issue 12).
/// The output is the same: sorted keys, two-space indent, `"key" : value`, whole numbers as `3`.
enum MetadataQuery {
    static let redacted = "<redacted>"
    /// Keys under `meta` whose values are secrets.
    static let secretMetaKeys: Set<String> = ["admin_pass", "password"]

    public static func view(_ metadata: InstanceMetadata) -> [String: JSONValue] {
        var meta: [String: JSONValue] = [:]
        for (key, value) in metadata.meta { meta[key] = .string(secretMetaKeys.contains(key) ? redacted : value) }
        var view: [String: JSONValue] = [
            "source": .string(metadata.sourceID),
            "instance_id": .string(metadata.instanceID),
            "public_keys": .array(
                metadata.publicKeys.map { .object(["name": .string($0.name), "key": .string($0.line)]) }),
            "meta": .object(meta),
            "files": .array(
                metadata.files.map { .object(["path": .string($0.path), "bytes": number($0.contents.count)]) }),
            "user_data_bytes": number(metadata.userData?.count ?? 0),
            "has_network_data": .bool(metadata.network != nil),
        ]
        view["source_location"] = metadata.sourceLocation.map { .string($0) }
        view["hostname"] = metadata.hostname.map { .string($0) }
        view["name"] = metadata.name.map { .string($0) }
        view["availability_zone"] = metadata.availabilityZone.map { .string($0) }
        view["launch_index"] = metadata.launchIndex.map { number($0) }
        if metadata.adminPassword != nil { view["admin_pass"] = .string(redacted) }
        if metadata.platformPassword != nil { view["platform_password"] = .string(redacted) }
        if let script = metadata.startupScript {
            // Where it comes from and its size, not its text (like user data: `user_data_bytes`).
            var entry: [String: JSONValue] = [
                "origin": .string(script.origin), "bytes": number(script.content?.count ?? 0),
            ]
            entry["unfetched_url"] = script.unfetchedURL.map { .string($0) }
            view["startup_script"] = .object(entry)
        }
        if !metadata.unreadableDocuments.isEmpty {
            view["unreadable_documents"] = .array(metadata.unreadableDocuments.map { .string("\($0)") })
        }
        if !metadata.refusedKeys.isEmpty { view["refused_keys"] = .array(metadata.refusedKeys.map { .string($0) }) }
        if !metadata.refusedFiles.isEmpty {
            view["refused_files"] = .array(
                metadata.refusedFiles.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) })
        }
        switch metadata.passwordPublication {
        case .none: view["password_publication"] = .string("none")
        case .novaPasswordEndpoint(let url): view["password_publication"] = .string(url.absoluteString)
        case .ec2Console: view["password_publication"] = .string("ec2-console")
        case .wakameDrive(let device): view["password_publication"] = .string("wakame-drive:\(device)/meta-data/pw.enc")
        }
        return view
    }

    /// One key of the view (`instance_id`, `meta.admin_username`), nil when absent.
    public static func value(_ view: [String: JSONValue], key: String) -> JSONValue? {
        key.split(separator: ".").reduce(JSONValue.object(view) as JSONValue?) { current, part in
            current?.objectValue?[String(part)]
        }
    }

    /// JSON text (sorted keys) or plain text for strings, numbers and booleans (`1`/`0`, as
    /// NSNumber printed them before); plain text has its control characters escaped.
    public static func render(_ value: JSONValue, json: Bool) -> String {
        if !json, let text = value.stringValue ?? value.numberText { return TextPreview.escaped(text) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return value.plainText }
        return String(decoding: data, as: UTF8.self)
    }

    /// A count as a JSON number (printed `3`, never `3.0`).
    private static func number(_ value: Int) -> JSONValue { .number(Double(value)) }
}
