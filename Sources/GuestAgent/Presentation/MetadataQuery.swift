import DataSources
import Foundation

/// The normalized metadata as `guest-agent query` prints it: secrets redacted, user data
/// reported by size only (it may carry secrets too).
enum MetadataQuery {
    static let redacted = "<redacted>"
    /// Keys under `meta` whose values are secrets.
    static let secretMetaKeys: Set<String> = ["admin_pass", "password"]

    public static func view(_ metadata: InstanceMetadata) -> [String: Any] {
        var meta: [String: String] = [:]
        for (key, value) in metadata.meta { meta[key] = secretMetaKeys.contains(key) ? redacted : value }
        var view: [String: Any] = [
            "source": metadata.sourceID,
            "instance_id": metadata.instanceID,
            "public_keys": metadata.publicKeys.map { ["name": $0.name, "key": $0.line] },
            "meta": meta,
            "files": metadata.files.map { ["path": $0.path, "bytes": $0.contents.count] },
            "user_data_bytes": metadata.userData?.count ?? 0,
            "has_network_data": metadata.network != nil,
        ]
        view["hostname"] = metadata.hostname
        view["name"] = metadata.name
        view["availability_zone"] = metadata.availabilityZone
        view["launch_index"] = metadata.launchIndex
        if metadata.adminPassword != nil { view["admin_pass"] = redacted }
        if !metadata.refusedKeys.isEmpty { view["refused_keys"] = metadata.refusedKeys }
        if !metadata.refusedFiles.isEmpty {
            view["refused_files"] = metadata.refusedFiles.map { ["path": $0.path, "reason": $0.reason] }
        }
        switch metadata.passwordPublication {
        case .none: view["password_publication"] = "none"
        case .novaPasswordEndpoint(let url): view["password_publication"] = url.absoluteString
        case .ec2Console: view["password_publication"] = "ec2-console"
        }
        return view
    }

    /// One key of the view (`instance_id`, `meta.admin_username`), nil when absent.
    public static func value(_ view: [String: Any], key: String) -> Any? {
        key.split(separator: ".").reduce(view as Any?) { current, part in
            (current as? [String: Any])?[String(part)]
        }
    }

    /// JSON text (sorted keys) or plain text for strings and numbers.
    public static func render(_ value: Any, json: Bool) -> String {
        if !json, let string = value as? String { return string }
        if !json, let number = value as? NSNumber { return number.stringValue }
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: options)
        {
            return String(decoding: data, as: UTF8.self)
        }
        if let data = try? JSONSerialization.data(withJSONObject: [value], options: options) {
            let text = String(decoding: data, as: UTF8.self)
            return String(text.dropFirst().dropLast()).trimmingWhitespaceAndNewlines()
        }
        return "\(value)"
    }
}
