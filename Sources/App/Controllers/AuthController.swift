import HTTPTypes
import Hummingbird

/// `/auth`: register, sign in, who am I, sign out.
struct AuthController {
    let auth: AuthService
    let maxBodySize: Int
    /// Attempts per client address on register and login; nil when `AUTH_RATE_LIMIT` is 0.
    let attempts: AttemptLimiter?
    let addresses: ClientAddresses

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/auth/register", use: register)
        router.post("/auth/login", use: login)
        router.get("/auth/me", use: me)
        router.post("/auth/logout", use: logout)
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Created<SignInResponse> {
        try admitAttempt(request, context)
        var request = request
        let registration = try RegistrationRequest(body: try await request.jsonBody(limit: maxBodySize))
        let (user, account, token) = try await auth.register(registration)
        return Created(body: SignInResponse(user: UserResponse(user), account: AccountResponse(account),
                                            token: TokenResponse(token)))
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> SignInResponse {
        try admitAttempt(request, context)
        var request = request
        let (account, token) = try await auth.login(try LoginRequest(body: try await request.jsonBody(limit: maxBodySize)))
        return SignInResponse(account: AccountResponse(account), token: TokenResponse(token))
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> MeResponse {
        let (account, user) = try await auth.me(try context.requireCaller())
        return MeResponse(account: AccountResponse(account), user: UserResponse(user))
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await auth.logout(try context.requireCaller())
        return Response(status: .noContent)
    }

    /// Counted before the body is read, so a refused attempt costs nothing more.
    private func admitAttempt(_ request: Request, _ context: AppRequestContext) throws(AppError) {
        guard let attempts else { return }
        try attempts.admit(addresses.address(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[.xForwardedFor],
                                             logger: context.logger))
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
