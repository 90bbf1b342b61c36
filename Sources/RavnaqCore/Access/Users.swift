import Foundation
import Postgres

public struct User: Sendable, Equatable, Codable {
    public let id: UUID
    public let organizationID: UUID
    public let email: String
    public let role: Role
}

/// Users and their bearer tokens. A token is shown once, when it is made; only its SHA-256 is
/// stored, and authentication compares hashes inside PostgreSQL.
public struct Users: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Creates the user and a first token. Returns both; the token cannot be read again.
    public func add(email: String, role: Role, organizationID: UUID, actorName: String) async throws -> (User, String) {
        try await database.transaction(recordedAs: actorName) { connection in
            try Self.insert(connection, email: email, role: role, organizationID: organizationID)
        }
    }

    /// Adds a user and its first token inside the caller's transaction; answers the token.
    static func insert(_ connection: PostgresConnection, email: String, role: Role, organizationID: UUID) throws -> (User, String) {
        guard email.range(of: #"^[^@\s]+@[^@\s]+$"#, options: .regularExpression) != nil else {
            throw RavnaqError.invalid("/email", "\"\(email)\" is not an email address")
        }
        if try connection.query("SELECT 1 FROM users WHERE lower(email) = lower($1)", [email]).rowCount > 0 {
            throw RavnaqError.conflict(.duplicateUser, message: "a user with email \(email) already exists")
        }
        let id: UUID = try connection.query(
            "INSERT INTO users (organization_id, email, role) VALUES ($1, $2, $3) RETURNING id",
            [organizationID, email, role.rawValue]
        ).first!.decode(0)
        let token = newToken()
        try storeToken(token, userID: id, organizationID: organizationID, on: connection)
        return (User(id: id, organizationID: organizationID, email: email, role: role), token)
    }

    /// A further token for an existing user.
    public func newToken(email: String, actorName: String) async throws -> String {
        let token = Self.newToken()
        try await database.transaction(recordedAs: actorName) { connection in
            let user = try Self.find(email: email, on: connection)
            try Self.restore(connection, user: user.id)
            try Self.storeToken(token, userID: user.id, organizationID: user.organizationID, on: connection)
        }
        return token
    }

    /// The user is revoked: every token and browser session of theirs stops working at once,
    /// and they cannot sign in (a new token or invitation restores them). Returns how many
    /// tokens and sessions ended.
    @discardableResult
    public func revoke(email: String, actorName: String) async throws -> Int {
        let revoked = try await database.transaction(recordedAs: actorName) { connection in
            let user = try Self.find(email: email, on: connection)
            // The operator acts as an admin of the user's organization (ravnaq_revoke_user checks).
            try connection.query("SELECT set_config('ravnaq.organization_id', $1, true), set_config('ravnaq.role', 'admin', true)",
                                 [user.organizationID])
            return try Self.revoke(connection, user: user.id)
        }
        forgetRevoked()
        return revoked
    }

    /// An admin revokes a user of their organization (the web app's Users page).
    @discardableResult
    public func revoke(user id: UUID, as actor: Actor) async throws -> Int {
        try actor.require(.admin, to: "revoke users")
        if id == actor.userID { throw RavnaqError.rule(.ownAccount, message: "you cannot revoke yourself") }
        let revoked = try await database.transaction(as: actor) { connection in try Self.revoke(connection, user: id) }
        forgetRevoked()
        return revoked
    }

    private static func revoke(_ connection: PostgresConnection, user id: UUID) throws -> Int {
        let ended: Int? = try connection.query("SELECT ravnaq_revoke_user($1)", [id]).first!.decode(0)
        guard let ended else { throw RavnaqError.notFound("user \(id.idString)") }
        return ended
    }

    /// Revocations are rare: this process forgets every remembered token (another process's
    /// revocation is caught by the check in each transaction).
    private func forgetRevoked() { database.tokens.forgetAll() }

    /// An admin gives a user of their organization another role; their tokens and sessions
    /// carry the new role from their next request (the check in every transaction compares it).
    public func changeRole(user id: UUID, to role: Role, as actor: Actor) async throws -> UserView {
        try actor.require(.admin, to: "change roles")
        if id == actor.userID { throw RavnaqError.rule(.ownAccount, message: "you cannot change your own role") }
        let view = try await database.transaction(as: actor) { connection in
            guard let row = try connection.query(
                "UPDATE users SET role = $2 WHERE id = $1 AND organization_id = $3 RETURNING email, revoked_at IS NOT NULL, phone, messages_consent",
                [id, role.rawValue, actor.organizationID]).first
            else { throw RavnaqError.notFound("user \(id.idString)") }
            return UserView(id: id.idString, email: try row.decode(0), role: role, revoked: try row.decode(1),
                            phone: try row.decode(2, as: String?.self), messages_consent: try row.decode(3))
        }
        forgetRevoked()
        return view
    }

    public func find(email: String) async throws -> User {
        try await database.transaction { connection in try Self.find(email: email, on: connection) }
    }

    /// The actor a bearer token stands for, or `unauthenticated`.
    public func authenticate(token: String) async throws -> Actor {
        // A token has a fixed shape; anything else cannot match and costs no query.
        guard token.hasPrefix(Self.tokenPrefix), token.utf8.count == Self.tokenPrefix.utf8.count + 43 else {
            throw RavnaqError.unauthenticated
        }
        let actor: Actor? = try await database.autocommit { connection in
            guard let row = try connection.query(Self.authenticateSQL, [token]).first else { return nil }
            return Actor(userID: try row.decode(0), organizationID: try row.decode(1),
                         role: Role(rawValue: try row.decode(2))!, name: try row.decode(3), token: token)
        }
        guard let actor else {
            database.tokens.forget(token)
            throw RavnaqError.unauthenticated
        }
        database.tokens.remember(actor, for: token)
        return actor
    }

    /// The actor of a request's token, from memory when the token was seen before (no trip to
    /// the pool), else as `authenticate`. Only for work that runs in `transaction(as:)`, which
    /// checks the token again in the statement that sets the actor (sql/definitions/10_access.sql).
    public func requestActor(token: String) async throws -> Actor {
        if let known = database.tokens.actor(for: token) { return known }
        return try await authenticate(token: token)
    }

    static let authenticateSQL = """
        SELECT u.id, u.organization_id, u.role, u.email
        FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = sha256(convert_to($1, 'UTF8')) AND t.revoked_at IS NULL
        """

    static let tokenPrefix = "rvq_"

    /// 256 random bits from the system's generator (getrandom), base64url without padding,
    /// after a prefix that says what the token is (`rvq_` API token, `rvs_` session, `rvl_` link).
    static func newToken(prefix: String = tokenPrefix) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + base64
    }

    /// A random token for a form shown before there is a session (the web app's sign-in).
    public static func formToken() -> String { newToken(prefix: "") }

    /// A user of the organization by email or id.
    static func user(_ connection: PostgresConnection, key: String, organizationID: UUID) throws -> (id: UUID, role: Role)? {
        guard let row = try connection.query(
            "SELECT id, role FROM users WHERE organization_id = $1 AND (lower(email) = lower($2) OR id::text = lower($2))",
            [organizationID, key]
        ).first else { return nil }
        let role: String = try row.decode(1)
        return (try row.decode(0), try Role(rawValue: role).orThrow("role \(role)"))
    }

    /// A revoked user given a new token or invitation has access again.
    static func restore(_ connection: PostgresConnection, user id: UUID) throws {
        try connection.query("UPDATE users SET revoked_at = NULL WHERE id = $1 AND revoked_at IS NOT NULL", [id])
    }

    private static func storeToken(_ token: String, userID: UUID, organizationID: UUID, on connection: PostgresConnection) throws {
        try connection.query(
            "INSERT INTO api_tokens (organization_id, user_id, token_hash) VALUES ($1, $2, sha256(convert_to($3, 'UTF8')))",
            [organizationID, userID, token])
    }

    private static func find(email: String, on connection: PostgresConnection) throws -> User {
        guard let row = try connection.query(
            "SELECT id, organization_id, email, role FROM users WHERE lower(email) = lower($1)", [email]
        ).first else { throw RavnaqError.notFound("user \(email)") }
        return User(id: try row.decode(0), organizationID: try row.decode(1), email: try row.decode(2),
                    role: Role(rawValue: try row.decode(3))!)
    }
}

extension Users {
    /// The actor's own user, read in a transaction acting as it, which checks that the token is
    /// still in force (an answer from memory alone could outlive a revocation).
    public func me(as actor: Actor) async throws -> User {
        try await database.transaction(as: actor) { connection in
            guard let id = actor.userID, let row = try connection.query(
                "SELECT email, role FROM users WHERE id = $1 AND organization_id = $2", [id, actor.organizationID]
            ).first else { throw RavnaqError.unauthenticated }
            return User(id: id, organizationID: actor.organizationID, email: try row.decode(0), role: Role(rawValue: try row.decode(1))!)
        }
    }

    /// The organization's users, oldest first. Admins and coordinators only.
    public func list(page: Page = Page(), as actor: Actor) async throws -> Paged<UserView> {
        guard actor.role == .admin || actor.role == .coordinator else {
            throw RavnaqError.forbidden("only admins and coordinators can list the organization's users")
        }
        let list = ListKey("/users", of: actor)
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            try Paged(
                rows: connection.query(
                    """
                    SELECT u.id, u.email, u.role, u.revoked_at IS NOT NULL, u.phone, u.messages_consent, u.created_at::text, u.id::text FROM users u
                    WHERE u.organization_id = $1 AND ($2::timestamptz IS NULL OR (u.created_at, u.id) > ($2, $3::uuid))
                    ORDER BY u.created_at, u.id LIMIT $4
                    """,
                    [actor.organizationID, after?[0], after?[1], page.limit + 1]).rows,
                page: page, list: list
            ) {
                UserView(id: try $0.decode(0, as: UUID.self).idString, email: try $0.decode(1), role: Role(rawValue: try $0.decode(2))!,
                         revoked: try $0.decode(3), phone: try $0.decode(4, as: String?.self), messages_consent: try $0.decode(5))
            }
        }
    }

    /// An admin records a user's phone and whether they agree to be sent messages (issue 17:
    /// notifications reach mentors and grant officers there). The user is named by id or email;
    /// `phone: ""` removes the phone and the consent with it. A wrong form is a 422 naming `/phone`.
    public func changeContact(user key: String, _ input: ContactInput, as actor: Actor) async throws -> UserView {
        try actor.require(.admin, to: "change users' phones")
        var errors = FieldErrors()
        let phone = PhoneChange(phone: input.phone, consent: input.messages_consent, errors: &errors)
        let language = errors.choice(input.language, "/language", as: NotificationText.Language.self, required: false)
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            guard let user = try Self.user(connection, key: key, organizationID: actor.organizationID) else {
                throw RavnaqError.notFound("user \(key)")
            }
            let row = try connection.query(
                """
                UPDATE users SET phone = CASE WHEN $3 THEN NULL ELSE coalesce($2, phone) END,
                                 messages_consent = CASE WHEN $3 THEN false ELSE coalesce($4, messages_consent) END,
                                 language = coalesce($5, language)
                WHERE id = $1
                RETURNING email, role, revoked_at IS NOT NULL, phone, messages_consent
                """, [user.id, phone.phone, phone.removes, input.messages_consent, language?.rawValue]).first!
            let view = UserView(id: user.id.idString, email: try row.decode(0), role: Role(rawValue: try row.decode(1))!,
                                revoked: try row.decode(2), phone: try row.decode(3, as: String?.self), messages_consent: try row.decode(4))
            if view.messages_consent, view.phone == nil { throw RavnaqError.invalid("/messages_consent", PhoneNumber.consentNeedsPhone) }
            return view
        }
    }
}

public struct ContactInput: Decodable, Sendable {
    public var phone: String?
    public var messages_consent: Bool?
    /// uz (the default), ru or en: the language of their notifications.
    public var language: String?
    public init(phone: String? = nil, messages_consent: Bool? = nil, language: String? = nil) {
        self.phone = phone
        self.messages_consent = messages_consent
        self.language = language
    }
}

/// A user as `GET /users` lists them.
public struct UserView: Encodable, Sendable, Equatable, ListItem {
    public let id: String
    public let email: String
    public let role: Role
    /// Revoked: no token or session of theirs works until they are given a new one.
    public let revoked: Bool
    /// E.164; where notifications are sent when `messages_consent`.
    public var phone: String? = nil
    public var messages_consent = false

    /// Every key, null included (`phone`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(email, forKey: .email)
        try container.encode(role, forKey: .role)
        try container.encode(revoked, forKey: .revoked)
        try container.encode(phone, forKey: .phone)
        try container.encode(messages_consent, forKey: .messages_consent)
    }

    enum CodingKeys: String, CodingKey { case id, email, role, revoked, phone, messages_consent }
}
