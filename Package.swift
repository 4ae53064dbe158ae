// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ecommerce",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ecommerce", targets: ["ecommerce"]),
        .library(name: "App", targets: ["App"]),
    ],
    traits: [
        // Off by default, so `swift run ecommerce` and `swift test` need no C library.
        .trait(name: "MySQL", description: "MySQL and MariaDB as a database, through MariaDB Connector/C (libmariadb-dev)"),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        // Exact: the SQLite engine calls the C functions this version vendors (Sources/CSQLite).
        .package(url: "https://github.com/vapor/sqlite-nio.git", exact: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // The one outbound HTTP client (Stripe), run as a service of the service group.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // The admin console's templates.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "App",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // The HTTP/1 pipeline's types, for the connection guard (Sources/App/HTTP).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // Its thread pool, for name lookups that block (webhook endpoints' addresses).
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .target(name: "SQLiteEngine"),
                .target(name: "SQLMariaDB", condition: .when(traits: ["MySQL"])),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Mustache", package: "swift-mustache"),
                "JSONSupport",
                "Stripe",
                "Webhooks",
            ],
            // Compiled into the binary: the service serves its contract and its console with nothing to
            // find on disk.
            resources: [
                .embedInCode("Resources/openapi.json"),
                .embedInCode("Resources/console/dashboard.mustache"),
                .embedInCode("Resources/console/error.mustache"),
                .embedInCode("Resources/console/field.mustache"),
                .embedInCode("Resources/console/layout.mustache"),
                .embedInCode("Resources/console/order-rows.mustache"),
                .embedInCode("Resources/console/order.mustache"),
                .embedInCode("Resources/console/orders.mustache"),
                .embedInCode("Resources/console/product-delete.mustache"),
                .embedInCode("Resources/console/product-new.mustache"),
                .embedInCode("Resources/console/product.mustache"),
                .embedInCode("Resources/console/products.mustache"),
                .embedInCode("Resources/console/sign-in.mustache"),
                .embedInCode("Resources/console/user.mustache"),
                .embedInCode("Resources/console/users.mustache"),
                .embedInCode("Resources/console/webhooks.mustache"),
                .embedInCode("Resources/console/console.css"),
                .embedInCode("Resources/console/console.js"),
            ]
        ),
        // JSON read and written by hand, for speed: a strict parser with exact numbers, and a writer
        // that DTOs write their fields into (no Foundation coders on the request path).
        .target(name: "JSONSupport"),
        // Signing to the Standard Webhooks specification, and endpoints' signing secrets.
        .target(name: "Webhooks", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Stripe's REST API (PaymentIntents, refunds) and its webhook signatures: infrastructure the
        // payment services call, apart from the rules.
        .target(
            name: "Stripe",
            dependencies: [
                "JSONSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The SQLite that sqlite-nio builds in, declared for direct calls (see include/CSQLite.h).
        .target(
            name: "CSQLite",
            dependencies: [.product(name: "SQLiteNIO", package: "sqlite-nio")]
        ),
        // The SQLite engine: connections on threads of their own with cached statements, as SQLKit
        // databases; one writer with group commit, readers beside it, a checkpointer for the WAL.
        .target(
            name: "SQLiteEngine",
            dependencies: [
                "CSQLite",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                // For its dialect and its encoder and decoder of values only.
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // MariaDB Connector/C, which speaks to MySQL and MariaDB servers alike.
        .systemLibrary(
            name: "CMariaDB",
            pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]
        ),
        // A small SQLKit driver over Connector/C: connections on their own threads, a pool, the dialect.
        .target(
            name: "SQLMariaDB",
            dependencies: [
                // Conditional too, and the sources are `#if MySQL`: without the trait this module is empty
                // and nothing asks pkg-config for libmariadb.
                .target(name: "CMariaDB", condition: .when(traits: ["MySQL"])),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ecommerce",
            dependencies: [
                "App",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Waits with deadlines, shared by the test targets.
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                "TestSupport",
                "JSONSupport",
                "Stripe",
                "Webhooks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .target(name: "SQLMariaDB", condition: .when(traits: ["MySQL"])),
            ]
        ),
        .testTarget(
            name: "SQLiteEngineTests",
            dependencies: [
                "SQLiteEngine",
                "TestSupport",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
            ]
        ),
        // Compiles CSQLite.h beside sqlite-nio's own sqlite3.h, so a declaration that drifts fails the
        // build (every build: SwiftPM builds all of the package's targets, this one needed by none).
        .target(
            name: "CSQLiteDeclarationCheck",
            dependencies: ["CSQLite", .product(name: "SQLiteNIO", package: "sqlite-nio")],
            path: "Tests/CSQLiteDeclarationCheck",
            publicHeadersPath: "." // it has no headers of its own
        ),
        .testTarget(
            name: "SQLMariaDBTests",
            dependencies: [
                .target(name: "SQLMariaDB", condition: .when(traits: ["MySQL"])),
                .product(name: "SQLKit", package: "sql-kit"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
