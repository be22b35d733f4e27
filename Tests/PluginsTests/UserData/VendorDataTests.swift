import DataSources
import Foundation
import TestSupport
import Testing

@testable import Plugins

/// NoCloud's `vendor-data` run as cloud-init runs it: before the user data, its cloud-config
/// keys overridden by the user's, off when the user says so, and never in the user's way.
@Suite(.serialized, .enabled(if: Program.isRoot, "needs root (bind mount, chroot): skipped; CI runs as root"))
struct VendorDataTests {
    static func boots(_ root: ChrootScratchRoot, user: String, vendor: String?) -> UserDataBoots {
        let boots = UserDataBoots(root: root.path, userData: Data(user.utf8))
        boots.vendorData = vendor.map { Data($0.utf8) }
        return boots
    }

    @Test func vendorScriptsRunBeforeTheUsersAndOnce() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let boots = Self.boots(
            root, user: "#!/bin/sh\necho user >> /tmp/marks\n", vendor: "#!/bin/sh\necho vendor >> /tmp/marks\n")
        let first = await boots.boot()
        #expect(first.status == .done, "\(first)")
        #expect(boots.marks("/tmp/marks") == ["vendor", "user"])
        #expect(await boots.boot().status == .skipped)
        #expect(boots.marks("/tmp/marks") == ["vendor", "user"])
    }

    @Test func theUsersCloudConfigKeysWinOverTheVendors() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let vendor = """
            #cloud-config
            write_files:
              - path: /etc/from-vendor
                content: vendor
            runcmd:
              - echo vendor-runcmd >> /tmp/marks
            """
        let user = """
            #cloud-config
            write_files:
              - path: /etc/from-user
                content: user
            """
        let boots = Self.boots(root, user: user, vendor: vendor)
        let record = await boots.boot()
        #expect(record.status == .done, "\(record)")
        #expect(boots.read("/etc/from-user") == "user")
        #expect(boots.read("/etc/from-vendor") == nil, "the user's write_files replaces the vendor's")
        #expect(boots.marks("/tmp/marks") == ["vendor-runcmd"], "a key the user does not set still applies")
    }

    @Test func theUserCanTurnVendorDataOff() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let boots = Self.boots(
            root, user: "#cloud-config\nvendor_data: {enabled: false}\nruncmd: [echo user >> /tmp/marks]\n",
            vendor: "#!/bin/sh\necho vendor >> /tmp/marks\n")
        #expect(await boots.boot().status == .done)
        #expect(boots.marks("/tmp/marks") == ["user"])
    }

    @Test func vendorDataAloneRuns() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let boots = Self.boots(root, user: "", vendor: "#!/bin/sh\necho vendor >> /tmp/marks\n")
        #expect(await boots.boot().status == .done)
        #expect(boots.marks("/tmp/marks") == ["vendor"])
    }

    @Test func brokenVendorDataIsSkippedAndTheUserDataRuns() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        // Gzip magic and then garbage: the vendor's document cannot be decoded.
        let boots = Self.boots(root, user: "#!/bin/sh\necho user >> /tmp/marks\n", vendor: nil)
        boots.vendorData = Data([0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFF])
        #expect(await boots.boot().status == .done)
        #expect(boots.marks("/tmp/marks") == ["user"])
        #expect(boots.logs.text.contains("vendor data skipped"))
    }
}
