// swift-tools-version: 6.1
import PackageDescription

// Fuzz targets live in their own package: libFuzzer supplies `main`, so these executables
// link only under `--sanitize fuzzer`, and a plain `swift build`/`swift test` of the root
// package would fail on them. Build and run them with `Tools/fuzz.sh TARGET SECONDS`.
//
// Each target is an executable with no main.swift whose sources define
// `LLVMFuzzerTestOneInput`. FuzzRecords feeds record batches; FuzzRequests feeds request frames and response bodies;
// FuzzCoordination feeds the ZooKeeper protocol's records, stored transactions and snapshots, and Raft's peer messages.
let package = Package(
    name: "TernFuzz",
    dependencies: [
        .package(name: "Tern", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzRecords",
            dependencies: [
                // The root package is named explicitly so this does not depend on the name
                // of the directory the repository is checked out into.
                .product(name: "TernPrimitives", package: "Tern"),
                .product(name: "TernProtocol", package: "Tern"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzRequests",
            dependencies: [
                .product(name: "TernProtocol", package: "Tern"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzCoordination",
            dependencies: [
                .product(name: "TernZooKeeper", package: "Tern"),
                .product(name: "TernCoordination", package: "Tern"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ]
)
