import JSONSupport
import Hummingbird

/// `GET /`: a short welcome naming the service.
struct RootController {
    struct Welcome: JSONResponse {
        func write(to json: inout JSONWriter) {
            json.object { object in
                object.field("name", "ecommerce")
                object.field("version", AppVersion.current)
            }
        }
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/") { _, _ in Welcome() }
    }
}

public enum AppVersion {
    public static let current = "1.0.0"
}
