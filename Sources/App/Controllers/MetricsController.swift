import Hummingbird
import Prometheus

/// `GET /metrics` in the Prometheus text format. With a token configured, scrapers must send
/// `Authorization: Bearer <token>`; with a metrics port, the route is served there instead.
struct MetricsController<Context: RequestContext> {
    let registry: PrometheusCollectorRegistry
    let token: String?

    func addRoutes(to router: Router<Context>) {
        router.get("/metrics") { request, _ in
            if let token {
                guard request.headers[.authorization] == "Bearer \(token)" else {
                    throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "A metrics token is required.")
                }
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }
}
