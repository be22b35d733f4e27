// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "guest-agent",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "guest-agent", targets: ["GuestAgent"]),
        .executable(name: "mock-metadata-server", targets: ["MockMetadataServer"]),
        .library(name: "AgentBase", targets: ["AgentBase"]),
        .library(name: "HostEffects", targets: ["HostEffects"]),
        .library(name: "DataSources", targets: ["DataSources"]),
        .library(name: "Plugins", targets: ["Plugins"]),
        .library(name: "PasswordCrypto", targets: ["PasswordCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "PasswordCrypto",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("dl")]
        ),
        // The base every layer above shares: root-confined paths and reading, JSON and YAML
        // values and parsers, text escaping and previews, time.
        .target(name: "AgentBase"),
        // The host-effects layer: the only code that changes the machine.
        .target(
            name: "HostEffects",
            dependencies: [
                "AgentBase",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .target(
            name: "DataSources",
            dependencies: [
                "AgentBase",
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CZlib",
            linkerSettings: [.linkedLibrary("z")]
        ),
        .target(name: "CProcessArguments"),
        .target(name: "CStartupMemory"),
        .target(name: "CGlibcFloor", linkerSettings: [.linkedLibrary("m")]),
        .target(
            name: "CShadowCrypt",
            linkerSettings: [.linkedLibrary("crypt")]
        ),
        .target(
            name: "Plugins",
            dependencies: [
                "AgentBase",
                "HostEffects",
                "DataSources",
                "PasswordCrypto",
                "CShadowCrypt",
                "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "GuestAgent",
            dependencies: [
                "CProcessArguments",
                "CStartupMemory",
                "CGlibcFloor",
                "AgentBase",
                "Plugins",
                "DataSources",
                "PasswordCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MockMetadataKit",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "MockMetadataServer",
            dependencies: ["MockMetadataKit"]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "AgentBase", "HostEffects", "Plugins", "DataSources", "PasswordCrypto", "MockMetadataKit",
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "AgentBaseTests", dependencies: ["AgentBase", "TestSupport"]),
        .testTarget(
            name: "HostEffectsTests", dependencies: ["AgentBase", "HostEffects", "TestSupport", "CStartupMemory"]),
        // Reads Sources/ only: the layering and import rules (docs/ARCHITECTURE.md).
        .testTarget(name: "ArchitectureTests"),
        .testTarget(name: "PasswordCryptoTests", dependencies: ["PasswordCrypto", "TestSupport"]),
        .testTarget(
            name: "DataSourcesTests", dependencies: ["AgentBase", "DataSources", "TestSupport", "MockMetadataKit"]),
        .testTarget(
            name: "PluginsTests",
            dependencies: ["AgentBase", "HostEffects", "Plugins", "PasswordCrypto", "TestSupport"],
            // Read by path from the source tree (NetworkRendererGoldenTests), not bundled.
            exclude: ["Golden"]),
        .testTarget(name: "MockMetadataServerTests", dependencies: ["MockMetadataKit", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "MockMetadataKit"]),
    ]
)

// Upcoming language features for every Swift target (Swift 6 mode already checks
// concurrency strictly): `any` spelled out for every existential.
let cTargets = ["CCurl", "CGlibcFloor", "CProcessArguments", "CShadowCrypt", "CStartupMemory", "CZlib"]
for target in package.targets where !cTargets.contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("ExistentialAny")]
}
