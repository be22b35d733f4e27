import Foundation

/// Finds the executables `swift build` put beside the test bundle.
public enum BuiltProducts {
    /// Directory of the test runner (`.build/<triple>/debug`), where products are built.
    public static var directory: URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        // swift-testing may run from inside `<name>.xctest`; walk up to the build directory.
        while directory.path != "/"
            && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("guest-agent").path)
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }

    public static func path(_ product: String) -> String {
        directory.appendingPathComponent(product).path
    }

    /// The bundled fixture set the mock server, demo and benchmark serve.
    public static var defaultFixtures: String {
        repository.appendingPathComponent("fixtures/default").path
    }

    /// The repository's top folder (from this file's location).
    public static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}
