import Hummingbird

/// `/users` and the old service's `POST /user`.
struct UsersController {
    let users: UserService
    let maxBodySize: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/users", use: list)
        router.post("/users", use: create)
        router.post("/user", use: create)
        router.get("/users/:id", use: get)
        router.put("/users/:id", use: replace)
        router.patch("/users/:id", use: patch)
        router.delete("/users/:id", use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ListResponse<UserResponse> {
        try context.requireAdmin()
        let page = try QueryReader.page(of: request)
        return ListResponse(try await users.list(page), request: request, transform: UserResponse.init)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Created<UserResponse> {
        try context.requireAdmin()
        var request = request
        let fields = try UserFields(body: try await request.jsonBody(limit: maxBodySize))
        return Created(body: UserResponse(try await users.create(fields)))
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> UserResponse {
        let id = try context.id()
        try context.requireOwner(ofUser: id)
        return UserResponse(try await users.get(id: id))
    }

    @Sendable func replace(_ request: Request, context: AppRequestContext) async throws -> UserResponse {
        let id = try context.id()
        try context.requireOwner(ofUser: id)
        var request = request
        let fields = try UserFields(body: try await request.jsonBody(limit: maxBodySize))
        return UserResponse(try await users.update(id: id) { $0 = fields })
    }

    @Sendable func patch(_ request: Request, context: AppRequestContext) async throws -> UserResponse {
        let id = try context.id()
        try context.requireOwner(ofUser: id)
        var request = request
        let patch = try UserPatch(body: try await request.jsonBody(limit: maxBodySize))
        return UserResponse(try await users.update(id: id, patch.apply))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin()
        try await users.delete(id: try context.id())
        return Response(status: .noContent)
    }
}
