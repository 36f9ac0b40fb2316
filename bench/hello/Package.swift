// swift-tools-version:6.2
// Baseline for bench/run.sh: a plain Hummingbird hello-world, no middleware.
import PackageDescription

let package = Package(
    name: "BenchHello",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "bench-hello",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/Hello"
        ),
    ]
)
