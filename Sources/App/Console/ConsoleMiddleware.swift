import Hummingbird

/// Every console route but signing in: the session comes from the cookie alone (a bearer token
/// does not open the console), customers are refused, and a form that changes something must carry
/// the session's CSRF token. Signed out, a page sends the visitor to the sign-in form.
struct ConsoleSessionMiddleware: RouterMiddleware {
    let auth: AuthService
    let pages: ConsolePages
    let maxBodySize: Int

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.caller = nil
        if let token = request.cookies[ConsoleSession.cookieName]?.value, !token.isEmpty,
           let caller = try await auth.authenticate(token: token) {
            context.caller = caller
            context.consoleSession = ConsoleSession(token: token, caller: caller)
        }
        guard let session = context.consoleSession else {
            return pages.redirect(to: "/admin/sign-in", flash: request.method == .get ? nil : .error("Sign in again: your session ended."),
                                  request: request, context: context)
        }
        try context.requireAdmin()
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        let form = try await ConsoleForm(request: &request, limit: maxBodySize)
        guard session.accepts(csrfToken: form["csrf_token"]) else {
            throw AppError.forbidden("This form is out of date or was not sent by this console; reload the page and try again.")
        }
        context.consoleForm = form
        return try await next(request, context)
    }
}

extension ConsoleForm {
    /// The body of a console POST: a URL-encoded form, else 415.
    init(request: inout Request, limit: Int) async throws {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == Self.mediaType else {
            throw AppError.unsupportedMediaType("Console forms are sent as \(Self.mediaType).")
        }
        let buffer = try await request.collectBody(upTo: limit)
        self.init(urlEncoded: String(buffer: buffer))
    }
}
