import Foundation

/// A fixture directory laid out like a config drive: `openstack/latest/...`,
/// optional `openstack/<version>/...` overrides, `openstack/content/NNNN`, an optional
/// `openstack/versions` list, `ec2/latest/meta-data.json` (nested) with `user-data`, and a
/// NoCloud seed in `nocloud/`; a public cloud's files in its own directory (`digitalocean/`,
/// `hetzner/`: `CloudRoutes`).
struct FixtureTree: Sendable {
    let root: URL

    static let novaVersions = [
        "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
        "2016-10-06", "2017-02-22", "2018-08-27",
    ]

    /// Versions advertised at `/openstack` (without `latest`).
    var openStackVersions: [String] {
        guard let text = try? String(contentsOf: root.appendingPathComponent("openstack/versions"), encoding: .utf8)
        else {
            return Self.novaVersions
        }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }

    /// An OpenStack file for a version: `openstack/<v>/name`, else `openstack/latest/name`.
    func openStackFile(version: String, name: String) -> Data? {
        for directory in [version, "latest"] {
            if let data = FileManager.default.contents(
                atPath: root.appendingPathComponent("openstack/\(directory)/\(name)").path)
            {
                return data
            }
        }
        return nil
    }

    func content(_ name: String) -> Data? {
        guard !name.contains("/"), !name.hasPrefix(".") else { return nil }
        return FileManager.default.contents(atPath: root.appendingPathComponent("openstack/content/\(name)").path)
    }

    /// A NoCloud seed file (`nocloud/meta-data`, ...); nil for other names.
    func noCloudFile(_ name: String) -> Data? {
        guard ["meta-data", "user-data", "vendor-data", "network-config"].contains(name) else { return nil }
        return FileManager.default.contents(atPath: root.appendingPathComponent("nocloud/\(name)").path)
    }

    /// A public cloud's fixture file, `<platform>/<name>` (`digitalocean/v1.json`); nil when
    /// absent or when `name` tries to leave the platform's directory.
    func cloudFile(_ platform: String, _ name: String) -> Data? {
        guard !name.split(separator: "/").contains(where: { $0 == ".." || $0.hasPrefix(".") }) else { return nil }
        return FileManager.default.contents(atPath: root.appendingPathComponent("\(platform)/\(name)").path)
    }

    /// An EC2 file for a version (`ec2/<v>/name`, else `ec2/latest/name`).
    func ec2File(version: String, name: String) -> Data? {
        for directory in [version, "latest"] {
            if let data = FileManager.default.contents(
                atPath: root.appendingPathComponent("ec2/\(directory)/\(name)").path)
            {
                return data
            }
        }
        return nil
    }

    /// The nested EC2 meta-data dictionary.
    func ec2MetaData(version: String) -> [String: Any]? {
        guard let data = ec2File(version: version, name: "meta-data.json") else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}
