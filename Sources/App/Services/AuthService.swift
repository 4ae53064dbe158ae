import Crypto
import Foundation

/// A bearer token just issued: its value is shown to the client once and stored only as a hash.
public struct IssuedToken: Sendable {
    public var value: String
    public var expiresAt: Date
}

/// Sign-in: registration, login with throttling, tokens, and the admins that operators create.
public struct AuthService: Sendable {
    static let failureWindow: TimeInterval = 15 * 60
    static let failuresAllowed = 10

    let store: any Store
    let hasher: PasswordHasher
    let tokenLifetime: Duration
    let now: @Sendable () -> Date
    /// Verified when the username is unknown, so a wrong username costs what a wrong password does.
    let dummyHash: String

    func register(_ request: RegistrationRequest) async throws -> (User, Account, IssuedToken) {
        let hash = try await hasher.hash(request.credentials.password)
        return try await store.transaction { [self] session in
            let time = now()
            let user = try await session.insertUser(request.user, at: time)
            let account = try await session.insertAccount(
                username: request.credentials.username, passwordHash: hash, userID: user.id, at: time
            )
            return (user, account, try await issueToken(for: account, in: session, at: time))
        }
    }

    /// Wrong password and unknown username fail alike. At most `failuresAllowed` wrong passwords are
    /// checked for a username within `failureWindow`, whatever the concurrency: each attempt first
    /// reserves its place as a failure, atomically with counting the others (`reserveLoginAttempt`),
    /// and only then is its password checked; a right one clears the username's failures. Once the
    /// places are taken every attempt is refused (429) until the oldest failure leaves the window.
    func login(_ request: LoginRequest) async throws -> (Account, IssuedToken) {
        let key = Identity.key(request.username)
        let time = now()
        let windowStart = time.addingTimeInterval(-Self.failureWindow)
        let reservation = try await store.transaction { session in
            try await session.reserveLoginAttempt(usernameKey: key, since: windowStart, at: time, limit: Self.failuresAllowed)
        }
        let attempt: Int64
        switch reservation {
        case .refused(let oldest):
            let retryAfter = Int(oldest.addingTimeInterval(Self.failureWindow).timeIntervalSince(time).rounded(.up))
            throw AppError.tooManyRequests("Too many failed sign-ins for this username; try again later.",
                                           retryAfter: max(1, retryAfter))
        case .reserved(let id):
            attempt = id
        }
        let account: Account?
        let verified: Bool
        do {
            account = try await store.read { try await $0.account(username: request.username) }
            verified = try await hasher.verify(request.password, against: account?.passwordHash ?? dummyHash)
        } catch {
            // No password was checked (the checks are saturated, the database failed): no failure either.
            try await store.transaction { try await $0.deleteLoginFailure(id: attempt) }
            throw error
        }
        guard verified, let account else {
            AppMetrics.failedLogins.increment()
            throw AppError.unauthorized("Wrong username or password.")
        }
        let token = try await store.transaction { [self] session in
            try await session.clearLoginFailures(usernameKey: key)
            return try await issueToken(for: account, in: session, at: time)
        }
        return (account, token)
    }

    func logout(_ caller: Caller) async throws {
        try await store.transaction { [now] in try await $0.revokeToken(id: caller.tokenID, at: now()) }
    }

    func me(_ caller: Caller) async throws -> (Account, User) {
        try await store.read { session in
            guard let account = try await session.account(id: caller.accountID),
                  let user = try await session.user(id: caller.userID)
            else { throw AppError.unauthorized("The account of this token no longer exists.") }
            return (account, user)
        }
    }

    /// The caller a bearer token stands for; nil when it is unknown, expired or revoked.
    func authenticate(token: String) async throws -> Caller? {
        try await store.caller(tokenHash: Self.hash(token), at: now())
    }

    /// Creates an admin with its user. A taken username is named as such, before its placeholder
    /// email could clash first.
    @discardableResult
    func createAdmin(username: String, password: String, user fields: UserFields) async throws -> Account {
        if try await store.read({ try await $0.account(username: username) }) != nil {
            throw AppError.conflict("The username \(username) is already taken.", details: ["username": ["is already taken"]])
        }
        let hash = try await hasher.hash(password)
        return try await store.transaction { [now] session in
            let time = now()
            let user = try await session.insertUser(fields, at: time)
            return try await session.insertAccount(username: username, passwordHash: hash, userID: user.id,
                                                   role: .admin, at: time)
        }
    }

    /// The admin named by `ADMIN_USERNAME`, unless that username exists already. Instances starting
    /// together may race to create it; the unique username lets one win and the others carry on.
    func createInitialAdmin(username: String, password: String) async throws {
        guard try await store.read({ try await $0.account(username: username) }) == nil else { return }
        let fields = UserFields(name: username, email: Self.placeholderEmail(for: username), phone: Self.placeholderPhone)
        do {
            try await createAdmin(username: username, password: password, user: fields)
        } catch AppError.conflict {
            return
        }
    }

    /// From the command line: a new password for the username, ending every token of its account at
    /// once (a running server included: see `TokenEndings`, `CallerCache`).
    func resetPassword(username: String, password: String) async throws {
        let hash = try await hasher.hash(password)
        try await store.transaction { [now] session in
            guard var account = try await session.account(username: username, lock: true) else {
                throw AppError.notFound("There is no account with the username \(username).")
            }
            account.passwordHash = hash
            account.updatedAt = now()
            try await session.updateAccount(account)
            try await session.revokeTokens(accountID: account.id, keeping: nil, at: account.updatedAt)
        }
    }

    /// From the command line: forgets the username's failed sign-ins; returns how many there were.
    func unlock(username: String) async throws -> Int {
        try await store.transaction { session in
            let key = Identity.key(username)
            let count = try await session.loginFailureCount(usernameKey: key)
            try await session.clearLoginFailures(usernameKey: key)
            return count
        }
    }

    /// Contact details for an admin created without them; `.invalid` is reserved and never delivers.
    static func placeholderEmail(for username: String) -> String { "\(username.lowercased())@admin.invalid" }
    static let placeholderPhone = "0000000"

    private func issueToken(for account: Account, in session: StoreSession, at time: Date) async throws -> IssuedToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let value = Base64URL.encode(Data(bytes))
        let expiresAt = time.addingTimeInterval(TimeInterval(tokenLifetime.components.seconds))
        try await session.insertToken(accountID: account.id, tokenHash: Self.hash(value), at: time, expiresAt: expiresAt)
        return IssuedToken(value: value, expiresAt: expiresAt)
    }

    /// SHA-256 in hex: tokens are 256 random bits, so a fast hash is enough to make a leaked table useless.
    static func hash(_ token: String) -> String {
        Hex.string(SHA256.hash(data: Data(token.utf8)))
    }
}
