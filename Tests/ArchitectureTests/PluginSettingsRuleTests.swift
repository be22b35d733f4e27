import Foundation
import Testing

/// Each plugin reads its own settings (issue 23): `AgentConfig` holds one settings value per
/// plugin (`HostnameConfig`, `NetworkConfig`, ...) plus the shared ones (`run`, `account`),
/// and a plugin's folder reads `config.<group>` only for its own group, the shared ones and
/// the few others listed here with the reason.
@Suite struct PluginSettingsRuleTests {
    static let shared: Set<String> = ["run", "account"]
    static let own: [String: Set<String>] = [
        "HostKeys": ["hostKeys"], "Hostname": ["hostname"], "Network": ["network"], "Password": ["password"],
        "Resize": ["resize"], "SSHKeys": ["sshKeys"], "UserData": ["userData"], "Users": [], "Files": [],
        "PlatformPassword": [], "StartupScript": [],
        // The shared operations act for several plugins: the host name's and the password's.
        "Operations": ["hostname", "password"],
        "Runtime": ["sources"],
    ]
    /// Reads of another plugin's group, each with why.
    static let allowed: [String: Set<String>] = [
        // Whether a config drive's password can go to nova: the sources' list and URL.
        "Password": ["sources"],
        // A user-data host name is validated as the hostname plugin's (netbios), and
        // `manage_etc_hosts` there overrides that plugin's.
        "UserData": ["hostname"],
        // The platform's startup script is bounded as user data scripts are
        // (`userdata_script_timeout`): one limit for every script the agent runs.
        "StartupScript": ["userData"],
    ]

    static func groupsRead(in text: String) -> Set<String> {
        let pattern = /config\.(sources|run|account|hostname|network|resize|hostKeys|password|sshKeys|userData)\./
        return Set(text.matches(of: pattern).map { String($0.output.1) })
    }

    @Test func theRuleSeesAGroupRead() {
        #expect(Self.groupsRead(in: "let x = context.config.network.networkRenderer") == ["network"])
        #expect(Self.groupsRead(in: "config.manageEtcHosts // a cloud-config field").isEmpty)
    }

    @Test func eachPluginReadsItsOwnSettings() throws {
        var problems: [String] = []
        for (folder, files) in try PluginIsolationRuleTests.folders() {
            guard let ownGroups = Self.own[folder] else {
                problems.append("Sources/Plugins/\(folder): a folder this rule does not know: add it to `own`")
                continue
            }
            let permitted = ownGroups.union(Self.shared).union(Self.allowed[folder] ?? [])
            for (path, text) in files {
                for group in Self.groupsRead(in: text).subtracting(permitted).sorted() {
                    problems.append("\(path) reads config.\(group), another plugin's settings")
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.sorted().joined(separator: "\n"))")
    }
}
