import Foundation
import Hummingbird

/// What the console serves without a session: the sign-in form and its stylesheet and script.
/// Signing in follows the API's login rules to the letter (the same service, the same per-address
/// and per-username throttles); only admins get a session.
struct ConsoleSignInController {
    let auth: AuthService
    let pages: ConsolePages
    let attempts: SignInAttempts
    let maxBodySize: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/admin/sign-in", use: form)
        router.post("/admin/sign-in", use: signIn)
        router.get("/admin/assets/console.css") { _, _ in Self.asset(ConsoleTemplates.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/admin/assets/console.js") { _, _ in Self.asset(ConsoleTemplates.script, type: "text/javascript; charset=utf-8") }
    }

    /// The form carries a fresh token that must come back in a cookie only this browser holds: a
    /// page of another site cannot sign a visitor in to an account of its choosing.
    @Sendable func form(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = Hex.random128()
        var response = page(username: nil, problems: [:], csrfToken: token, flash: nil, status: .ok, request, context)
        response.setCookie(pages.cookies.cookie(ConsoleCookies.signInCookieName, token, path: "/admin/sign-in", request, context))
        return response
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        try attempts.admit(request, context)
        var request = request
        let form = try await ConsoleForm(request: &request, limit: maxBodySize)
        guard let expected = request.cookies[ConsoleCookies.signInCookieName]?.value, !expected.isEmpty,
              ConsoleSession.constantTimeEqual(Array(expected.utf8), Array((form["csrf_token"] ?? "").utf8))
        else { throw AppError.forbidden("This sign-in form is out of date; reload the page and sign in again.") }
        let signedIn: (Account, IssuedToken)
        do {
            signedIn = try await auth.login(try LoginRequest(body: form.json(["username", "password"])))
        } catch let error as AppError {
            guard case .validation(let problems) = error else {
                var response = page(username: form["username"], problems: [:], csrfToken: expected, flash: .error(error.reason),
                                    status: error.status, request, context)
                for field in error.headers where field.name != .wwwAuthenticate { response.headers.append(field) }
                return response
            }
            return page(username: form["username"], problems: problems, csrfToken: expected, flash: nil, status: .badRequest, request, context)
        }
        let (account, token) = signedIn
        guard account.role == .admin else {
            // The token was issued by the login rules; a customer never gets to use it here.
            if let caller = try await auth.authenticate(token: token.value) { try await auth.logout(caller) }
            throw AppError.forbidden("The console is for the shop's admins; customers use the shop itself.")
        }
        var response = pages.redirect(to: "/admin", flash: ConsolePages.Flash(text: "Signed in as \(account.username)."),
                                      request: request, context: context)
        let lifetime = max(1, Int(token.expiresAt.timeIntervalSinceNow.rounded(.down)))
        response.setCookie(pages.cookies.cookie(ConsoleSession.cookieName, token.value, maxAge: lifetime, request, context))
        response.setCookie(pages.cookies.removal(ConsoleCookies.signInCookieName, path: "/admin/sign-in", request, context))
        return response
    }

    private func page(
        username: String?, problems: FieldProblems, csrfToken: String, flash: ConsolePages.Flash?,
        status: HTTPResponse.Status, _ request: Request, _ context: AppRequestContext
    ) -> Response {
        let fields = [
            ConsoleField("username", "Username", value: username, problems: problems, autocomplete: "username"),
            ConsoleField("password", "Password", value: nil, problems: problems, type: "password", autocomplete: "current-password"),
        ]
        return pages.page("sign-in", title: "Sign in", ["fields": fields.values, "csrfToken": csrfToken],
                          status: status, flash: flash, request: request, context: context)
    }

    private static func asset(_ bytes: [UInt8], type: String) -> Response {
        var response = Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        ConsolePages.secure(&response.headers)
        // Nothing of the shop's in them: browsers may keep them a while.
        response.headers[.cacheControl] = "max-age=300"
        return response
    }
}
