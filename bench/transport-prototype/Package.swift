// swift-tools-version: 6.2
// Not part of guest-agent (never shipped, not in the root Package.swift): three minimal
// HTTP/1.1 GET clients for issue 12's transport comparison (docs/HTTP-TRANSPORT-CHOICE.md). Path dependency on the agent's own
// swift-nio checkout (run `swift build` in the repository first), so it builds offline.
import PackageDescription

let package = Package(
    name: "transport-proto",
    dependencies: [
        .package(path: "../../.build/checkouts/swift-nio")
    ],
    targets: [
        .executableTarget(
            name: "NIOGet",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(name: "CCurlProto", linkerSettings: [.linkedLibrary("curl")]),
        .executableTarget(name: "CurlGet", dependencies: ["CCurlProto"]),
        .executableTarget(name: "SocketGet"),
    ]
)
