import HTTPTypes
import Hummingbird

/// `/auth`: register, sign in, who am I, sign out.
struct AuthController {
    let auth: AuthService
    let maxBodySize: Int
    let attempts: SignInAttempts

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/auth/register", use: register)
        router.post("/auth/login", use: login)
        router.get("/auth/me", use: me)
        router.post("/auth/logout", use: logout)
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Created<SignInResponse> {
        try attempts.admit(request, context)
        var request = request
        let registration = try RegistrationRequest(body: try await request.jsonBody(limit: maxBodySize))
        let (user, account, token) = try await auth.register(registration)
        return Created(body: SignInResponse(user: UserResponse(user), account: AccountResponse(account),
                                            token: TokenResponse(token)))
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> SignInResponse {
        try attempts.admit(request, context)
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
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
