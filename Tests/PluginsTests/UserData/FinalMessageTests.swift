import DataSources
import Foundation
import TestSupport
import Testing

@testable import Plugins

/// cloud-config `final_message`: cloud-init's placeholders, printed when the run ends.
@Suite struct FinalMessageTests {
    static let values = ["uptime": "12.34", "timestamp": "T", "datasource": "ec2", "version": "9.9"]

    @Test func placeholdersInBothFormsAndCasesAreReplaced() {
        #expect(
            FinalMessage.render(
                "up $UPTIME s, ${uptime}; at $TIMESTAMP from ${DATASOURCE} v$version.", values: Self.values)
                == "up 12.34 s, 12.34; at T from ec2 v9.9.")
    }

    @Test func anythingElseIsLeftAsWritten() {
        #expect(
            FinalMessage.render("$HOME ${nope} $Uptime costs $5 $ {x} $$ ${VERSION", values: Self.values)
                == "$HOME ${nope} $Uptime costs $5 $ {x} $$ ${VERSION")
    }

    @Test func valuesAreTheRunningKernelsUptimeAnRFC2822TimestampTheSourceAndTheVersion() throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-final")
        let uptime = try work.write("4711.25 9000.50\n", to: "uptime")
        #expect(FinalMessage.uptime(from: uptime) == "4711.25")
        #expect(FinalMessage.uptime(from: try work.write("garbage\n", to: "bad")) == nil)
        #expect(FinalMessage.uptime(from: work.path + "/missing") == nil)
        #expect(FinalMessage.rfc2822(Date(timeIntervalSince1970: 86400 * 365)) == "Fri, 01 Jan 1971 00:00:00 +0000")
        let root = try PluginTestContext.makeRoot()
        var metadata = PluginTestContext.sampleMetadata()
        metadata.sourceID = "configdrive"
        let values = FinalMessage.values(
            for: PluginTestContext.context(metadata, root: root), now: Date(timeIntervalSince1970: 0),
            uptimeFile: uptime)
        #expect(
            values == [
                "uptime": "4711.25", "timestamp": "Thu, 01 Jan 1970 00:00:00 +0000", "datasource": "configdrive",
                "version": AgentVersion.current,
            ])
    }

    @Test func printedOnTheConsoleWithItsValues() async throws {
        let root = try PluginTestContext.makeRoot()
        let boots = UserDataBoots(
            root: root.path,
            userData: Data("#cloud-config\nfinal_message: \"v${VERSION} from $DATASOURCE up $UPTIME s\"\n".utf8))
        #expect(await boots.boot().status == .done)
        let line = try #require(boots.console.first)
        #expect(boots.console.count == 1)
        #expect(line.hasPrefix("v\(AgentVersion.current) from openstack up "), "\(line)")
        let uptime = try #require(
            Double(line.dropFirst("v\(AgentVersion.current) from openstack up ".count).dropLast(2)))
        #expect(uptime > 0 && line.hasSuffix(" s"))
        #expect(boots.logs.text.contains("cloud-config final_message"))
    }
}
