// swift-tools-version: 6.1
import PackageDescription

// Every Swift target builds in Swift 6 mode with complete strict concurrency and the
// upcoming features the style guide asks for (see ../shared/STYLE.md §7).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Tern",
    products: [
        .library(name: "TernPrimitives", targets: ["TernPrimitives"]),
        .library(name: "TernProtocol", targets: ["TernProtocol"]),
        .library(name: "TernCompression", targets: ["TernCompression"]),
        .library(name: "TernLogStore", targets: ["TernLogStore"]),
        .library(name: "TernTransport", targets: ["TernTransport"]),
        .library(name: "TernTransportNIO", targets: ["TernTransportNIO"]),
        .library(name: "TernCoordination", targets: ["TernCoordination"]),
        .library(name: "TernZooKeeper", targets: ["TernZooKeeper"]),
        .library(name: "TernZooKeeperServer", targets: ["TernZooKeeperServer"]),
        .library(name: "TernZooKeeperClient", targets: ["TernZooKeeperClient"]),
        .library(name: "TernGroupCoordinator", targets: ["TernGroupCoordinator"]),
        .library(name: "TernTransactionCoordinator", targets: ["TernTransactionCoordinator"]),
        .library(name: "TernBrokerCore", targets: ["TernBrokerCore"]),
        .library(name: "TernAssembly", targets: ["TernAssembly"]),
        .executable(name: "tern-broker", targets: ["TernBrokerMain"]),
        .executable(name: "tern-coordinator", targets: ["TernCoordinatorMain"]),
        .executable(name: "tern-codegen", targets: ["TernCodegen"]),
        .executable(name: "tern-bench", targets: ["TernBench"]),
        .executable(name: "tern-log-crash-child", targets: ["TernLogCrashChild"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // System libraries: Debian's -dev packages, found through pkg-config.
        .systemLibrary(name: "CZlib", path: "Modules/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZ4", path: "Modules/CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZstd", path: "Modules/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", path: "Modules/CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .target(name: "CCRC32C", path: "Modules/CCRC32C"),

        .target(
            name: "TernPrimitives",
            path: "Modules/Primitives",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernProtocol",
            dependencies: [
                "TernPrimitives", "CCRC32C",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Modules/Protocol",
            exclude: ["Schema"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernCompression",
            dependencies: ["TernPrimitives", "CZlib", "CLZ4", "CZstd", "CSnappy"],
            path: "Modules/Compression",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernLogStore",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernCompression",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Modules/LogStore",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernTransport",
            dependencies: [
                "TernPrimitives", "TernProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Modules/Transport",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernTransportNIO",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Modules/TransportNIO",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernCoordination",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernTransport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Modules/Coordination",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernZooKeeper",
            dependencies: [
                "TernPrimitives",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Modules/ZooKeeper",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernZooKeeperServer",
            dependencies: [
                "TernPrimitives", "TernZooKeeper", "TernCoordination", "TernTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Modules/ZooKeeperServer",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernZooKeeperClient",
            dependencies: [
                "TernPrimitives", "TernZooKeeper", "TernCoordination", "TernTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Modules/ZooKeeperClient",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernGroupCoordinator",
            dependencies: [
                "TernPrimitives",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Modules/GroupCoordinator",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernTransactionCoordinator",
            dependencies: [
                "TernPrimitives",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Modules/TransactionCoordinator",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TernBrokerCore",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernCompression", "TernLogStore", "TernTransport",
                "TernCoordination", "TernGroupCoordinator", "TernTransactionCoordinator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Modules/BrokerCore",
            swiftSettings: strictSettings
        ),

        .target(
            name: "TernAssembly",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernCompression", "TernLogStore", "TernTransport",
                "TernTransportNIO", "TernCoordination", "TernGroupCoordinator", "TernTransactionCoordinator", "TernBrokerCore",
                "TernZooKeeperClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Modules/Assembly",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "TernBrokerMain",
            dependencies: [
                "TernAssembly",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Modules/BrokerMain",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "TernCoordinatorMain",
            dependencies: [
                "TernPrimitives", "TernTransport", "TernTransportNIO", "TernCoordination", "TernZooKeeper",
                "TernZooKeeperServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Modules/CoordinatorMain",
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "TernCodegen",
            path: "Tools/Codegen",
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "TernBench",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernCompression", "TernLogStore", "TernTransport", "TernTransportNIO",
                "TernCoordination", "TernBrokerCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tools/Bench",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "TernLogCrashChild",
            dependencies: ["TernLogStore", "TernProtocol", "TernPrimitives", .product(name: "NIOCore", package: "swift-nio")],
            path: "Tools/LogCrashChild",
            swiftSettings: strictSettings
        ),

        .testTarget(
            name: "PrimitivesTests",
            dependencies: ["TernPrimitives"],
            path: "Tests/PrimitivesTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ProtocolTests",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernCompression",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/ProtocolTests",
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LogStoreTests",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernCompression", "TernLogStore",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/LogStoreTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TransportTests",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernTransport", "TernTransportNIO",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/TransportTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CoordinationTests",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernCoordination", "TernTransport", "TernTransportNIO",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/CoordinationTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ZooKeeperTests",
            dependencies: [
                "TernPrimitives", "TernZooKeeper",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/ZooKeeperTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ZooKeeperServerTests",
            dependencies: [
                "TernPrimitives", "TernZooKeeper", "TernZooKeeperServer", "TernCoordination", "TernTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ZooKeeperServerTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ZooKeeperClientTests",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernZooKeeper", "TernZooKeeperClient", "TernCoordination",
                "TernTransport", "TernTransportNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ZooKeeperClientTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GroupCoordinatorTests",
            dependencies: [
                "TernPrimitives", "TernGroupCoordinator",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/GroupCoordinatorTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TransactionCoordinatorTests",
            dependencies: [
                "TernPrimitives", "TernTransactionCoordinator",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/TransactionCoordinatorTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrokerCoreTests",
            dependencies: [
                "TernPrimitives", "TernProtocol", "TernCompression", "TernLogStore", "TernTransport",
                "TernCoordination", "TernGroupCoordinator", "TernBrokerCore", "TernTransactionCoordinator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/BrokerCoreTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AssemblyTests",
            dependencies: ["TernAssembly", "TernTransport", "TernZooKeeperClient"],
            path: "Tests/AssemblyTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CompressionTests",
            dependencies: ["TernPrimitives", "TernCompression"],
            path: "Tests/CompressionTests",
            swiftSettings: strictSettings
        ),
    ]
)
