import Foundation
import Plugins
import Testing

@Suite struct UserDataConfigTests {
    @Test func keysAndDefaults() throws {
        #expect(AgentConfig().userData.userdataAllowInclude == false)
        #expect(AgentConfig().userData.userdataScriptTimeout == 600)
        let config = try AgentConfig(
            text: "userdata_allow_include = true\nuserdata_script_timeout = 30\n", file: "u.conf")
        #expect(config.userData.userdataAllowInclude && config.userData.userdataScriptTimeout == 30)
        // On by default, right after files (as cloud-init runs user data by default), followed
        // only by the platform's startup script.
        #expect(AgentConfig().run.plugins.suffix(3) == ["files", "userdata", "startup_script"])
        #expect(
            try AgentConfig(text: "# the sample's lines are comments\n", file: "u.conf").run.plugins.suffix(2) == [
                "userdata", "startup_script",
            ])
        #expect(
            try AgentConfig(text: "plugins = users, userdata\n", file: "u.conf").run.plugins == ["users", "userdata"])
    }

    @Test func badValuesNameFileLineAndKey() {
        #expect(
            throws: ConfigError.badValue(
                file: "u.conf", line: 2, key: "userdata_script_timeout", value: "0",
                expected: "seconds from 1.0 to 86400.0")
        ) {
            try AgentConfig(text: "# x\nuserdata_script_timeout = 0\n", file: "u.conf")
        }
        #expect(
            throws: ConfigError.badValue(
                file: "u.conf", line: 1, key: "userdata_allow_include", value: "maybe",
                expected: "true or false")
        ) {
            try AgentConfig(text: "userdata_allow_include = maybe\n", file: "u.conf")
        }
    }
}
