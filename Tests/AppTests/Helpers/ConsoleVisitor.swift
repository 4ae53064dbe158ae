import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A browser's part in console tests: it keeps the cookies the console sets and sends them back,
/// posts forms URL-encoded, and finds the CSRF token in the last page it was shown.
struct ConsoleVisitor {
    let base: any TestClientProtocol
    var cookies: [String: String] = [:]
    var lastPage = ""
    /// Sent with every request, as a proxy in front of the console would add them.
    var extraHeaders: HTTPFields = [:]

    init(_ client: APIClient) {
        base = client.base
    }

    mutating func get(_ path: String) async throws -> APIResponse {
        try await send(.get, path, body: nil)
    }

    /// Posts `fields`, adding the CSRF token of the last page unless the fields name one themselves.
    mutating func post(_ path: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> APIResponse {
        var fields = fields
        if csrf, !fields.contains(where: { $0.0 == "csrf_token" }), let token = csrfToken { fields.append(("csrf_token", token)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, path, body: body)
    }

    /// Signs in through the form, as a person would.
    @discardableResult
    mutating func signIn(_ username: String = TestAdmin.username, _ password: String = TestAdmin.password) async throws -> APIResponse {
        _ = try await get("/admin/sign-in")
        return try await post("/admin/sign-in", [("username", username), ("password", password)])
    }

    /// The value of the last page's `name` hidden input (the first, where several forms carry one).
    func hidden(_ name: String) -> String? {
        guard let range = lastPage.range(of: #"name="\#(name)" value=""#) else { return nil }
        return String(lastPage[range.upperBound...].prefix { $0 != "\"" })
    }

    var csrfToken: String? { hidden("csrf_token") }

    mutating func send(_ method: HTTPRequest.Method, _ path: String, body: String?) async throws -> APIResponse {
        var headers = extraHeaders
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await base.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            APIResponse(status: $0.status, headers: $0.headers, body: String(buffer: $0.body))
        }
        for setCookie in response.headers[values: .setCookie] {
            let pair = setCookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count == 2 ? String(pair[1]) : ""
            if setCookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        if response.headers[.contentType]?.hasPrefix("text/html") == true { lastPage = response.body }
        return response
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

extension APIResponse {
    /// The `Set-Cookie` line that sets `name`.
    func setCookie(_ name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix("\(name)=") }
    }
}
