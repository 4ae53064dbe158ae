import Hummingbird

/// `GET /openapi.json` (the contract, byte for byte as in the repository) and `GET /docs` (a reference
/// page rendered from it once, at start-up, served with a policy that lets a browser load nothing
/// beyond it). Both public.
struct DocsController {
    let page: String

    init() throws {
        page = ReferencePage(document: try APIDocument.parsed()).html
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        let document = ByteBuffer(bytes: APIDocument.bytes)
        let page = ByteBuffer(string: page)
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: document))
        }
        router.get("/docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: ReferencePage.contentSecurityPolicy],
                     body: .init(byteBuffer: page))
        }
    }
}
