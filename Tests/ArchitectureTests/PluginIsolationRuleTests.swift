import Foundation
import Testing

/// No plugin calls another (issue 23): a plugin's folder under Sources/Plugins may use the
/// runtime (Runtime/) and the shared operations (Operations/: accounts, host name, keys,
/// files, password checks), never a type declared in another plugin's folder. Operations
/// use no plugin's types either. A new cloud-config key therefore reaches an operation, not
/// a plugin, and each plugin can change without breaking another.
@Suite struct PluginIsolationRuleTests {
    static let pluginsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Plugins")
    /// Folders that are not plugins: what every plugin may use.
    static let shared: Set<String> = ["Runtime", "Operations"]

    /// The types a Swift text declares at its top level (struct, enum, class, actor, protocol,
    /// typealias), by name.
    static func declaredTypes(in text: String) -> Set<String> {
        let pattern =
            /^(?:public |private |fileprivate |internal )?(?:final )?(?:struct|enum|class|actor|protocol|typealias) ([A-Z]\w*)/
            .anchorsMatchLineEndings()
        return Set(text.matches(of: pattern).map { String($0.output.1) })
    }

    /// The names of `types` that `text` uses as whole words (outside nothing: comments count,
    /// since a comment naming another plugin's code is how such a call starts).
    static func uses(of types: Set<String>, in text: String) -> [String] {
        types.filter { name in
            text.firstMatch(of: try! Regex("\\b\(name)\\b")) != nil
        }.sorted()
    }

    /// Folder name -> (file path -> text) of every Swift file under Sources/Plugins.
    static func folders() throws -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        let manager = FileManager.default
        for folder in try manager.contentsOfDirectory(atPath: pluginsDirectory.path) {
            let directory = pluginsDirectory.appendingPathComponent(folder)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                continue
            }
            let files = (manager.enumerator(atPath: directory.path)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".swift") }
            for file in files {
                result[folder, default: [:]]["Sources/Plugins/\(folder)/\(file)"] = try String(
                    contentsOfFile: directory.appendingPathComponent(file).path, encoding: .utf8)
            }
        }
        return result
    }

    @Test func theRuleSeesAnotherPluginsType() {
        #expect(
            Self.declaredTypes(in: "public struct UsersPlugin: Plugin {\n}\nenum Helper {}\n") == [
                "UsersPlugin", "Helper",
            ])
        #expect(
            Self.uses(of: ["UsersPlugin", "Helper"], in: "_ = try await UsersPlugin().apply(context)") == [
                "UsersPlugin"
            ])
        #expect(Self.uses(of: ["Helper"], in: "let helpers = HelperX()").isEmpty)
    }

    @Test func noPluginFolderUsesAnotherPluginsTypes() throws {
        let folders = try Self.folders()
        #expect(folders.keys.contains("Users") && folders.keys.contains("Operations"), "\(folders.keys.sorted())")
        let declared = folders.mapValues { files in
            files.values.reduce(into: Set<String>()) { $0.formUnion(Self.declaredTypes(in: $1)) }
        }
        for (folder, files) in folders where folder != "Runtime" {
            let foreign = declared.filter { $0.key != folder && !Self.shared.contains($0.key) }
                .reduce(into: Set<String>()) { $0.formUnion($1.value) }
            for (path, text) in files.sorted(by: { $0.key < $1.key }) {
                for name in Self.uses(of: foreign, in: text) {
                    let owner = declared.first { $0.value.contains(name) && $0.key != folder }?.key ?? "?"
                    Issue.record("\(path) uses \(name) from the \(owner) plugin: move what both need to Operations/")
                }
            }
        }
    }
}
