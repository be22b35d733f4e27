import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// Issue 29: Rock Ridge continuation areas (`CE`) that loop, chain on or hold thousands of
/// entries end the read at once with an error naming the drive, never a long walk.
@Suite(.ownThread(.timesDeadlines)) struct RockRidgeBoundsTests {
    static func write(_ bytes: [UInt8], in work: TemporaryDirectory) throws -> String {
        let path = work.path + "/config-2.iso"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = Date()
        try await body()
        return Date().timeIntervalSince(start)
    }

    /// The drive: 4,000 records continuing in one area that continues in itself
    /// (about 270 KB; the reader before the fix took tens of seconds over it).
    @Test func aContinuationLoopFailsFastThroughTheConfigDriveSource() async throws {
        let work = try TemporaryDirectory()
        let image = try Self.write(RockRidgeImage.continuationLoop(records: 4000), in: work)
        let source = ConfigDriveSource(locator: ConfigDriveLocator(root: SystemRoot(""), configuredPaths: [image]))
        var message = ""
        let elapsed = await Self.seconds {
            do {
                _ = try await source.load()
            } catch {
                message = "\(error)"
            }
        }
        #expect(elapsed < 3, "took \(elapsed) s")
        #expect(message.contains(image) && message.contains("loop"), "\(message)")
    }

    @Test func aLongContinuationChainIsCappedInBytes() async throws {
        let work = try TemporaryDirectory()
        let image = try Self.write(RockRidgeImage.longChain(areas: 12), in: work)
        let volume = try ISO9660Volume(path: image)
        #expect {
            _ = try volume.listDirectory("")
        } throws: { error in
            "\(error)".contains(image) && "\(error)".contains("65536 bytes")
        }
    }

    @Test func thousandsOfEntriesInOneRecordAreRefused() async throws {
        let work = try TemporaryDirectory()
        let image = try Self.write(RockRidgeImage.manyEntries(areas: 3), in: work)
        let volume = try ISO9660Volume(path: image)
        #expect {
            _ = try volume.listDirectory("")
        } throws: { error in
            "\(error)".contains(image) && "\(error)".contains("1024 system use entries")
        }
    }

    /// Continuations within the caps still give the names they carry (genisoimage's own
    /// long names are checked in ISO9660VolumeTests).
    @Test func aShortChainIsStillRead() async throws {
        let work = try TemporaryDirectory()
        let image = try Self.write(RockRidgeImage.longChain(areas: 3), in: work)
        #expect(try ISO9660Volume(path: image).listDirectory("") == ["r0"])
    }
}
