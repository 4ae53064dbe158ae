import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The console's HTML: templates compiled into the binary and rendered with every value escaped
/// (Mustache's `{{…}}`; the console never uses the unescaped form), one-time flash messages, and the
/// headers every console response carries.
struct ConsolePages: Sendable {
    /// Our own stylesheet and script only, nothing inline, never inside another site's frame.
    static let contentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'"

    let library: MustacheLibrary
    let currency: Currency
    let cookies: ConsoleCookies

    init(currency: Currency, cookies: ConsoleCookies) throws {
        var library = MustacheLibrary()
        for template in ConsoleTemplates.templates {
            try library.register(String(decoding: template.text, as: UTF8.self), named: template.name)
        }
        self.library = library
        self.currency = currency
        self.cookies = cookies
    }

    /// A message shown once, on the next page drawn.
    struct Flash: Sendable {
        var text: String
        var isError = false

        static func error(_ text: String) -> Flash { Flash(text: text, isError: true) }

        /// What a refused form says above itself: the reason, unless it is only the fields' problems,
        /// which are shown beside the fields.
        static func refusal(_ error: AppError) -> Flash? {
            if case .validation = error { return nil }
            return .error(error.reason)
        }

        /// In a cookie as base64url, a leading `!` marking an error.
        var cookieValue: String { Base64URL.encode(Data(((isError ? "!" : "") + text).utf8)) }

        init(text: String, isError: Bool = false) {
            self.text = text
            self.isError = isError
        }

        init?(cookieValue: String) {
            guard let data = Base64URL.decode(cookieValue), let text = String(data: data, encoding: .utf8), !text.isEmpty else { return nil }
            self.init(text: text.hasPrefix("!") ? String(text.dropFirst()) : text, isError: text.hasPrefix("!"))
        }
    }

    /// Which part of the console a page belongs to, for the navigation.
    enum Section: String, CaseIterable {
        case dashboard = "Dashboard", products = "Products", orders = "Orders", users = "Users", webhooks = "Webhooks"

        var path: String { self == .dashboard ? "/admin" : "/admin/\(rawValue.lowercased())" }
    }

    /// A page drawn with `template`. Signed in, it has the navigation and the session's CSRF token;
    /// `flash` wins over the one a previous request left, which this response clears either way.
    func page(
        _ template: String, title: String, section: Section? = nil, _ values: [String: Any] = [:],
        status: HTTPResponse.Status = .ok, flash: Flash? = nil, request: Request, context: AppRequestContext
    ) -> Response {
        let pending = request.cookies[ConsoleCookies.flashCookieName].flatMap { Flash(cookieValue: $0.value) }
        var values = values
        values["title"] = title
        if let shown = flash ?? pending {
            values["flash"] = ["text": shown.text, "isError": shown.isError]
        }
        if let session = context.consoleSession {
            values["signedIn"] = true
            values["csrfToken"] = session.csrfToken
            values["nav"] = Section.allCases.map { ["href": $0.path, "label": $0.rawValue, "current": $0 == section] }
        }
        var response = html(library.render(values, withTemplate: template) ?? "", status: status)
        if pending != nil {
            response.setCookie(cookies.removal(ConsoleCookies.flashCookieName, request, context))
        }
        return response
    }

    /// 303 to `path` (always a console path of ours), leaving `flash` for the page drawn there.
    func redirect(to path: String, flash: Flash? = nil, request: Request, context: AppRequestContext) -> Response {
        var response = Response(status: .seeOther, headers: [.location: path])
        Self.secure(&response.headers)
        if let flash {
            response.setCookie(cookies.cookie(ConsoleCookies.flashCookieName, flash.cookieValue, request, context))
        }
        return response
    }

    /// Where a change sends the browser, and what it tells it there.
    struct Done {
        var path: String
        var message: String
    }

    /// Runs a form's change and sends the browser on with the change's message. A change the rules
    /// refuse draws the form's page again (`redraw`, given the refusal) with its status; a missing
    /// resource stays an error page of its own.
    func submit(
        _ request: Request, _ context: AppRequestContext, _ change: () async throws -> Done,
        redraw: (AppError) async throws -> Response
    ) async throws -> Response {
        do {
            let done = try await change()
            return redirect(to: done.path, flash: Flash(text: done.message), request: request, context: context)
        } catch let error as AppError where error.status != .notFound {
            return try await redraw(error)
        }
    }

    /// An error as a page of its own (no navigation: the error may be that there is no session).
    func errorPage(status: HTTPResponse.Status, reason: String, headers: HTTPFields = [:]) -> Response {
        let values: [String: Any] = ["title": status.reasonPhrase, "heading": status.reasonPhrase, "reason": reason]
        var response = html(library.render(values, withTemplate: "error") ?? "", status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    private func html(_ text: String, status: HTTPResponse.Status) -> Response {
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        Self.secure(&response.headers)
        return response
    }

    /// What every console response carries: the CSP, no sniffing, no caching of pages that show
    /// the shop's data, and no leaking of console URLs to other sites.
    static func secure(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "same-origin"
        headers[.cacheControl] = "no-store"
    }

    /// Money as the console shows it: two decimals and the shop's currency.
    func money(_ amount: Money) -> String { "\(amount.withMinorDigits) \(currency.code)" }

    static func time(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: false).timeSeparator(.colon)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

extension ConsolePages {
    /// Whether a request path is the console's, whose errors are pages rather than JSON.
    static func isConsole(_ path: String) -> Bool {
        path == "/admin" || path.hasPrefix("/admin/")
    }
}
