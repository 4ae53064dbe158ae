import Metrics
import Prometheus

/// The service's metrics: swift-metrics backed by one Prometheus registry, which `GET /metrics` renders.
/// swift-metrics has one process-wide backend, so the registry is bootstrapped once per process.
public enum AppMetrics {
    public static let registry = PrometheusCollectorRegistry()

    private static let bootstrap: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        // Registered up front, so every counter is scraped (as 0) before its first event.
        _ = (ordersPlaced, ordersCancelled, ordersRefusedOutOfStock, failedLogins, requestsAbortedByClient,
             CountedDatabase.statements)
    }()

    /// Installs the Prometheus backend; later calls do nothing.
    static func bootstrapOnce() {
        _ = bootstrap
    }

    /// Prometheus names allow `[a-zA-Z0-9_:]`; swift-metrics labels such as `http.route` become `http_route`.
    private static func prometheusName(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
    }

    /// Business events, counted where the rule that decides them lives.
    static let ordersPlaced = Counter(label: "ecommerce_orders_placed")
    static let ordersCancelled = Counter(label: "ecommerce_orders_cancelled")
    static let ordersRefusedOutOfStock = Counter(label: "ecommerce_orders_refused_out_of_stock")
    static let failedLogins = Counter(label: "ecommerce_logins_failed")
    /// Requests whose client hung up before sending the whole body: kept out of the 5xx count.
    static let requestsAbortedByClient = Counter(label: "ecommerce_requests_aborted_by_client")
}
