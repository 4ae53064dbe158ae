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
        let page = try QueryReader.page(of: request)
        return ListResponse(try await users.list(page), request: request, transform: UserResponse.init)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Created<UserResponse> {
        var request = request
        let fields = try UserFields(body: try await request.jsonBody(limit: maxBodySize))
        return Created(body: UserResponse(try await users.create(fields)))
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> UserResponse {
        UserResponse(try await users.get(id: try context.id()))
    }

    @Sendable func replace(_ request: Request, context: AppRequestContext) async throws -> UserResponse {
        let id = try context.id()
        var request = request
        let fields = try UserFields(body: try await request.jsonBody(limit: maxBodySize))
        return UserResponse(try await users.update(id: id) { $0 = fields })
    }

    @Sendable func patch(_ request: Request, context: AppRequestContext) async throws -> UserResponse {
        let id = try context.id()
        var request = request
        let patch = try UserPatch(body: try await request.jsonBody(limit: maxBodySize))
        return UserResponse(try await users.update(id: id, patch.apply))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await users.delete(id: try context.id())
        return Response(status: .noContent)
    }
}
