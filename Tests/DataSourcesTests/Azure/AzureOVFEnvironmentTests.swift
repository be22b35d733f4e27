import Foundation
import Testing

@testable import DataSources

/// `ovf-env.xml` as cloud-init's `OvfEnvXml` reads it (its test_azure.py `construct_ovf_env`
/// shape): the fields, the keys, the required elements, and malformed input.
@Suite struct AzureOVFEnvironmentTests {
    static func document(
        username: String = "myuser", hostname: String = "ovf-host", extra: String = "", section: Bool = true
    ) -> String {
        let provisioning = """
            <wa:ProvisioningSection>
              <wa:Version>1.0</wa:Version>
              <wa:LinuxProvisioningConfigurationSet>
                <wa:ConfigurationSetType>LinuxProvisioningConfiguration</wa:ConfigurationSetType>
                <wa:UserName>\(username)</wa:UserName>
                <wa:HostName>\(hostname)</wa:HostName>
                \(extra)
              </wa:LinuxProvisioningConfigurationSet>
            </wa:ProvisioningSection>
            """
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <ns0:Environment xmlns:ns0="http://schemas.dmtf.org/ovf/environment/1"
             xmlns:oe="http://schemas.dmtf.org/ovf/environment/1"
             xmlns:wa="http://schemas.microsoft.com/windowsazure"
             xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            \(section ? provisioning : "")
              <wa:PlatformSettingsSection>
                <wa:Version>1.0</wa:Version>
                <wa:PlatformSettings><wa:ProvisionGuestAgent>true</wa:ProvisionGuestAgent></wa:PlatformSettings>
              </wa:PlatformSettingsSection>
            </ns0:Environment>
            """
    }

    static func parse(_ text: String) throws -> AzureOVFEnvironment? {
        try AzureOVFEnvironment.parse(Data(text.utf8), location: "/dev/sr0/ovf-env.xml")
    }

    @Test func everyFieldIsRead() throws {
        let userData = "#cloud-config\nhostname: from-custom-data\n"
        let extra = """
            <wa:UserPassword> s3cr&amp;t </wa:UserPassword>
            <wa:DisableSshPasswordAuthentication>false</wa:DisableSshPasswordAuthentication>
            <wa:CustomData>\(Data(userData.utf8).base64EncodedString())</wa:CustomData>
            <wa:SSH><wa:PublicKeys>
              <wa:PublicKey><wa:Fingerprint>6BE7A7C3</wa:Fingerprint><wa:Path>/home/myuser/.ssh/authorized_keys</wa:Path>
                <wa:Value>ssh-rsa AAAAB3Nza demo@host</wa:Value></wa:PublicKey>
              <wa:PublicKey><wa:Fingerprint>ABCDEF</wa:Fingerprint><wa:Path>/x</wa:Path></wa:PublicKey>
            </wa:PublicKeys></wa:SSH>
            """
        let environment = try #require(try Self.parse(Self.document(extra: extra)))
        #expect(environment.username == "myuser")
        #expect(environment.hostname == "ovf-host")
        #expect(environment.password == " s3cr&t ")
        #expect(environment.disableSSHPasswordAuthentication == false)
        #expect(environment.customData == Data(userData.utf8))
        #expect(environment.publicKeys.map(\.line) == ["ssh-rsa AAAAB3Nza demo@host"])
        #expect(environment.refusedKeys == ["ovf-env.xml PublicKey[1] has no Value (a certificate fingerprint only)"])
        #expect(!"\(environment)".contains("s3cr"), "the password is never shown")
    }

    @Test func aDocumentWithoutAProvisioningSectionIsNotAzures() throws {
        #expect(try Self.parse(Self.document(section: false)) == nil)
    }

    @Test(arguments: [
        (AzureOVFEnvironmentTests.document(username: ""), "<UserName> is empty"),
        (AzureOVFEnvironmentTests.document(extra: "<wa:HostName>again</wa:HostName>"), "2 <HostName> elements"),
        (
            AzureOVFEnvironmentTests.document(extra: "<wa:CustomData>not base64!</wa:CustomData>"),
            "CustomData is not base64"
        ),
        (
            AzureOVFEnvironmentTests.document(
                extra: "<wa:DisableSshPasswordAuthentication>maybe</wa:DisableSshPasswordAuthentication>"),
            "is not a boolean"
        ),
        (
            "<Environment><wa:ProvisioningSection></wa:ProvisioningSection></Environment>",
            "no <LinuxProvisioningConfigurationSet>"
        ),
        ("<Environment><ProvisioningSection>", "not XML the agent reads"),
        ("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><Environment/>", "DOCTYPE"),
    ])
    func brokenDocumentsAreNamedErrors(text: String, reason: String) {
        #expect {
            try Self.parse(text)
        } throws: { error in
            guard case DataSourceError.malformedDocument(let location, let said) = error else { return false }
            return location == "/dev/sr0/ovf-env.xml" && said.contains(reason)
        }
    }
}
