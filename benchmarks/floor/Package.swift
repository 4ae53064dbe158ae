// swift-tools-version:6.0
// The framework's floor: Hummingbird serving one static route and nothing else. A package of its
// own, so that the service's builds (and CI's) never compile it; `benchmarks/run.sh` builds and
// serves it in the same run as the service, and reports every scenario as a share of it.
import PackageDescription

let package = Package(
    name: "floor",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
    ],
    targets: [
        .executableTarget(name: "floor", dependencies: [.product(name: "Hummingbird", package: "hummingbird")]),
    ]
)
