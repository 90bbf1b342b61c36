import Foundation
import HTTPTypes
import Hummingbird
import RavnaqCore
import RavnaqHTTP

/// An admin's Users page: every user of the organization with their role, an invitation (the
/// one-time link is shown once, to be passed on), a change of role, and revocation, which ends
/// the person's sessions and tokens at once.
struct AdminPages {
    let services: Services
    let signIn: SignIn

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("users", use: list)
        group.post("users/invite", use: invite)
        group.post("users/:id/role", use: changeRole)
        group.post("users/:id/revoke", use: revoke)
    }

    private func admin(_ context: RavnaqRequestContext) throws -> Actor {
        let actor = try context.requireActor()
        try actor.require(.admin, to: "manage users")
        return actor
    }

    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        try await page(request, context, link: nil, problems: nil, status: .ok)
    }

    private func page(_ request: Request, _ context: RavnaqRequestContext, link: (email: String, url: String)?, problems: FormProblems?,
                      form: Form? = nil, status: HTTPResponse.Status) async throws -> Response {
        let actor = try admin(context)
        let texts = Language.of(request).texts
        let users = try await services.users.list(page: try Page(limit: "50", cursor: request.uri.queryParameters.get("cursor")), as: actor)
        let roles = Role.allCases.map(\.rawValue)
        var values: [String: Any] = [
            "users": users.items.map { user -> [String: Any] in
                ["id": user.id, "email": user.email, "role": texts["role_\(user.role.rawValue)"], "revoked": user.revoked,
                 "self": user.id == actor.userID?.idString,
                 "roles": roles.map { ["value": $0, "label": texts["role_\($0)"], "selected": $0 == user.role.rawValue] }]
            },
            "roles": roles.map { ["value": $0, "label": texts["role_\($0)"], "selected": $0 == (form?["role"] ?? "mentor")] },
            "email": form?.fields["email"] ?? "",
        ]
        if let next = users.nextCursor { values["next"] = "/users?cursor=\(next)" }
        if request.uri.queryParameters.get("cursor") != nil { values["first"] = "/users" }
        if let link {
            values["link_email"] = link.email
            values["link_url"] = link.url
        }
        if let done = request.uri.queryParameters.get("done") { values["notice"] = texts.entries["done_\(done)"] ?? "" }
        values.merge((problems ?? FormProblems(texts: texts)).values) { _, new in new }
        return Pages.shared.page("users", title: texts["users_title"], values, request: request, context: context, status: status)
    }

    /// Invites a new user, or sends an existing one a new link; shows the link once.
    @Sendable func invite(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try admin(context)
        var request = request
        let form = try await Form.read(&request)
        var problems = FormProblems(texts: Language.of(request).texts)
        let email = problems.text(form, "email")
        let role = form["role"].flatMap(Role.init(rawValue:))
        if role == nil { problems.add("role", key: "error_required") }
        if problems.isEmpty, let email, let role {
            do {
                let existing = try? await services.users.find(email: email)
                if let existing, existing.organizationID != actor.organizationID {
                    throw RavnaqError.conflict(.duplicateUser, message: "a user with email \(email) already exists")
                }
                if existing == nil {
                    _ = try await services.users.add(email: email, role: role, organizationID: actor.organizationID, actorName: actor.name)
                }
                let token = try await signIn.issueLink(email: email, purpose: .invitation, actorName: actor.name)
                return try await page(request, context, link: (email, "\(Self.origin(request))/welcome/\(token)"), problems: nil, status: .ok)
            } catch let error as RavnaqError {
                try problems.absorb(error)
            }
        }
        return try await page(request, context, link: nil, problems: problems, form: form, status: .unprocessableContent)
    }

    @Sendable func changeRole(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try admin(context)
        var request = request
        let form = try await Form.read(&request)
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw RavnaqError.notFound("user") }
        guard let role = form["role"].flatMap(Role.init(rawValue:)) else { throw RavnaqError.invalid("/role", "is not a role") }
        _ = try await services.users.changeRole(user: id, to: role, as: actor)
        return Pages.redirect("/users?done=role")
    }

    @Sendable func revoke(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try admin(context)
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw RavnaqError.notFound("user") }
        _ = try await services.users.revoke(user: id, as: actor)
        return Pages.redirect("/users?done=revoke")
    }

    /// This site's address as the browser reached it (through the proxy, https).
    static func origin(_ request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1:8080"
        return (SessionMiddleware.overTLS(request) ? "https://" : "http://") + host
    }
}
