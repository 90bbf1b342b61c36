import Foundation
import Hummingbird
import RavnaqCore

/// `GET /api/v1/me` (who the token belongs to) and `GET /api/v1/users` (the organization's
/// users, for admins and coordinators, who assign mentors by email).
struct UsersController {
    let users: Users

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("me", use: me)
        group.get("users", use: list)
    }

    struct Me: ResponseEncodable {
        let id: UUID?
        let email: String
        let role: Role
        let organization_id: UUID
    }

    @Sendable func me(_ request: Request, context: RavnaqRequestContext) async throws -> Me {
        let user = try await users.me(as: try context.requireActor())
        return Me(id: user.id, email: user.email, role: user.role, organization_id: user.organizationID)
    }

    struct UserList: ResponseEncodable {
        struct Item: Encodable {
            let id: UUID
            let email: String
            let role: Role
        }
        let items: [Item]
        let next_cursor: String?
    }

    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> UserList {
        let actor = try context.requireActor()
        let all = try await users.list(as: actor)
        return UserList(items: all.map { .init(id: $0.id, email: $0.email, role: $0.role) }, next_cursor: nil)
    }
}
