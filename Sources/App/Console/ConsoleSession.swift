import Foundation
import HTTPTypes
import Hummingbird

/// A console session: a token of the ordinary token store, kept in a cookie, so signing out, a
/// password change or expiry ends it as it ends any token.
struct ConsoleSession: Sendable {
    static let cookieName = "ecommerce_session"

    let token: String
    let caller: Caller

    /// The CSRF token of this session's forms, derived from its token: only a page of this session
    /// can carry it, and another session's never matches.
    var csrfToken: String { AuthService.hash("ecommerce-console-csrf:" + token) }

    /// Whether `sent` is this session's CSRF token, compared in constant time.
    func accepts(csrfToken sent: String?) -> Bool {
        guard let sent else { return false }
        return Self.constantTimeEqual(Array(sent.utf8), Array(csrfToken.utf8))
    }

    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The console's cookies: the session, the sign-in form's CSRF token (there is no session yet to
/// derive it from) and the one-time flash message. All `HttpOnly`, `SameSite=Strict`, under /admin,
/// and `Secure` when the console is reached over HTTPS.
struct ConsoleCookies: Sendable {
    static let signInCookieName = "ecommerce_sign_in"
    static let flashCookieName = "ecommerce_flash"

    /// `COOKIE_SECURE=true`.
    let alwaysSecure: Bool
    let addresses: ClientAddresses

    /// Secure when configured so, or when a trusted proxy says the client came over HTTPS.
    func isSecure(_ request: Request, _ context: AppRequestContext) -> Bool {
        if alwaysSecure { return true }
        guard let proto = request.headers[.xForwardedProto],
              addresses.isTrusted(peer: context.remoteAddress?.ipAddress)
        else { return false }
        return proto.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    func cookie(_ name: String, _ value: String, path: String = "/admin", maxAge: Int? = nil,
                _ request: Request, _ context: AppRequestContext) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: isSecure(request, context),
               httpOnly: true, sameSite: .strict)
    }

    /// A cookie's removal: the same name and path, expired.
    func removal(_ name: String, path: String = "/admin", _ request: Request, _ context: AppRequestContext) -> Cookie {
        cookie(name, "", path: path, maxAge: 0, request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
