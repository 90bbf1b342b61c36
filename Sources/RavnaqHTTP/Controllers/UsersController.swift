import Hummingbird
import RavnaqCore

/// `GET /api/v1/me` (who the token belongs to) and `GET /api/v1/users` (the organization's
/// users, for admins and coordinators, who assign mentors by email).
struct UsersController {
    let users: Users

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("me", use: me)
        group.get("users", use: list)
        group.patch("users/:id", use: changeContact)
    }

    @Sendable func changeContact(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<UserView> {
        var request = request
        let (input, _) = try await request.decode(ContactInput.self)
        return JSONAnswer(try await users.changeContact(user: try context.parameters.require("id"), input, as: try context.requireActor()))
    }

    /// Ids in answers are lower-case strings (`idString`), never Swift's upper-case `uuidString`.
    struct Me: ResponseEncodable {
        let id: String
        let email: String
        let role: Role
        let organization_id: String
    }

    @Sendable func me(_ request: Request, context: RavnaqRequestContext) async throws -> Me {
        let user = try await users.me(as: try context.requireActor())
        return Me(id: user.id.idString, email: user.email, role: user.role, organization_id: user.organizationID.idString)
    }

    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> Paged<UserView> {
        try await users.list(page: try request.page(), as: try context.requireActor())
    }
}
