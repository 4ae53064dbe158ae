import Hummingbird

/// `floor PORT`: `GET /health` answers the service's own health body, with no middleware at all.
let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 28190
let router = Router()
router.get("/health") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"],
             body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
