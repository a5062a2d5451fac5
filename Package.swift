// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "streamvault",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "streamvault", targets: ["streamvault"]),
        .library(name: "LibAV", targets: ["LibAV"]),
        .library(name: "Packager", targets: ["Packager"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibAV", pkgConfig: "libavformat"),
        .target(name: "LibAV", dependencies: ["CLibAV", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Packager", dependencies: ["LibAV", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "streamvault",
            dependencies: [
                "Packager",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LibAVTests", dependencies: ["LibAV", "TestSupport"]),
        .testTarget(name: "PackagerTests", dependencies: ["Packager", "LibAV", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["streamvault", "Packager", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
