import Foundation
import Postgres

/// Signing in to the web app (issue 14): one-time links that set a password, email and
/// password sign-in with a lock after repeated failures, and browser sessions. Passwords are
/// hashed by PostgreSQL (pgcrypto's `crypt` with Blowfish, cost 10) and reach it only as a bound
/// parameter; nothing here logs them. Session ids and link tokens are random 256-bit values of
/// which only the SHA-256 is stored, as for API tokens.
///
/// This runs as the schema owner, before there is an actor (as `Users.authenticate` does); what
/// a session then does runs as its actor, checked in every transaction (`ravnaq_token_in_force`).
public struct SignIn: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// How long a one-time link is valid.
    public static let linkLifetimeHours = 72
    /// A session unused this long is over (`ravnaq_token_in_force` holds the same figure).
    public static let idleHours = 12
    /// Failed sign-ins within `lockWindowMinutes` that lock an account for as long.
    public static let failuresToLock = 5
    public static let lockWindowMinutes = 15

    public enum LinkPurpose: String, Sendable { case invitation, passwordReset = "password_reset" }

    /// A one-time link's token for the user with `email`, valid for 72 hours. An invitation also
    /// restores a revoked user once they set their password. Earlier unused links of the user stop.
    public func issueLink(email: String, purpose: LinkPurpose, actorName: String) async throws -> String {
        let token = Users.newToken(prefix: "rvl_")
        try await database.transaction(recordedAs: actorName) { connection in
            guard let row = try connection.query(
                "SELECT id, organization_id FROM users WHERE lower(email) = lower($1)", [email]).first
            else { throw RavnaqError.notFound("user \(email)") }
            let user: UUID = try row.decode(0)
            try connection.query("UPDATE sign_in_links SET used_at = now() WHERE user_id = $1 AND used_at IS NULL", [user])
            try connection.query(
                """
                INSERT INTO sign_in_links (token_hash, organization_id, user_id, purpose, expires_at)
                VALUES (sha256(convert_to($1, 'UTF8')), $2, $3, $4, now() + make_interval(hours => $5))
                """,
                [token, try row.decode(1, as: UUID.self), user, purpose.rawValue, Self.linkLifetimeHours])
        }
        return token
    }

    /// Whose link this is, while it is unused and unexpired.
    public func linkOwner(token: String) async throws -> User? {
        try await database.autocommit { connection in
            try connection.query(
                """
                SELECT u.id, u.organization_id, u.email, u.role FROM sign_in_links l JOIN users u ON u.id = l.user_id
                WHERE l.token_hash = sha256(convert_to($1, 'UTF8')) AND l.used_at IS NULL AND l.expires_at > now()
                """, [token]
            ).first.map { User(id: try $0.decode(0), organizationID: try $0.decode(1), email: try $0.decode(2), role: Role(rawValue: try $0.decode(3))!) }
        }
    }

    /// Sets the password of the link's user and uses the link up. Ends the user's other sessions
    /// (a reset is often because someone else may know the old one) and lifts a lock.
    public func setPassword(token: String, password: String, confirmation: String) async throws -> User {
        var errors = FieldErrors()
        Self.check(password: password, confirmation: confirmation, into: &errors)
        try errors.check()
        return try await database.transaction { connection in
            guard let row = try connection.query(
                """
                UPDATE sign_in_links l SET used_at = now() FROM users u
                WHERE l.token_hash = sha256(convert_to($1, 'UTF8')) AND l.used_at IS NULL AND l.expires_at > now() AND u.id = l.user_id
                RETURNING u.id, u.organization_id, u.email, u.role
                """, [token]).first
            else {
                throw RavnaqError.rule(.linkNotValid, message: "this link was used already or has expired; ask your administrator for a new one")
            }
            let user = User(id: try row.decode(0), organizationID: try row.decode(1), email: try row.decode(2),
                            role: Role(rawValue: try row.decode(3))!)
            try connection.query("SELECT set_config('ravnaq.actor', $1, true)", [user.email])
            try connection.query(
                """
                INSERT INTO user_passwords (organization_id, user_id, password_hash) VALUES ($3, $1, crypt($2, gen_salt('bf', 10)))
                ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, set_at = now(), locked_until = NULL
                """, [user.id, password, user.organizationID])
            try connection.query("DELETE FROM sign_in_failures WHERE user_id = $1", [user.id])
            try connection.query("UPDATE web_sessions SET ended_at = now() WHERE user_id = $1 AND ended_at IS NULL", [user.id])
            try Users.restore(connection, user: user.id)
            return user
        }
    }

    /// The rules of a password: 10 characters at least, and at most the 72 bytes Blowfish reads.
    static func check(password: String, confirmation: String, into errors: inout FieldErrors) {
        if password.count < 10 {
            errors.add("/password", "must have at least 10 characters")
        } else if password.utf8.count > 72 {
            errors.add("/password", "must have at most 72 bytes (about 36 Cyrillic or 72 Latin letters)")
        } else if password != confirmation {
            errors.add("/password_confirmation", "does not match the password")
        }
    }

    public enum Outcome: Sendable, Equatable {
        case signedIn(Session)
        /// Unknown email, wrong password, a user without a password or revoked: one answer for all.
        case refused
        /// Too many failures: no password is checked until `until` (HH:MM in the organization's zone).
        case locked(until: String)
    }

    /// A browser session: the cookie's id (shown once) and the token its forms carry.
    public struct Session: Sendable, Equatable {
        public let id: String
        public let csrfToken: String
        public let actor: Actor
    }

    public func signIn(email: String, password: String) async throws -> Outcome {
        try await database.transaction { connection in
            guard let row = try connection.query(
                """
                SELECT u.id, u.organization_id, u.role, u.email, u.revoked_at IS NULL AND p.password_hash = crypt($2, p.password_hash),
                       p.locked_until > now(), to_char(p.locked_until AT TIME ZONE o.time_zone, 'HH24:MI')
                FROM users u JOIN organizations o ON o.id = u.organization_id LEFT JOIN user_passwords p ON p.user_id = u.id
                WHERE lower(u.email) = lower($1) FOR UPDATE OF u
                """, [email, password]).first
            else {
                // Spend the time of a hash anyway, so that an unknown email is not told by speed.
                try connection.query("SELECT crypt($1, gen_salt('bf', 10))", [password])
                return .refused
            }
            let user: UUID = try row.decode(0)
            if try row.decode(5, as: Bool?.self) == true { return .locked(until: try row.decode(6)) }
            guard try row.decode(4, as: Bool?.self) == true else {
                return try Self.recordFailure(connection, user: user)
            }
            try connection.query("DELETE FROM sign_in_failures WHERE user_id = $1", [user])
            let actor = Actor(userID: user, organizationID: try row.decode(1), role: Role(rawValue: try row.decode(2))!,
                              name: try row.decode(3), token: Users.newToken(prefix: "rvs_"))
            let csrf = Users.newToken(prefix: "")
            try connection.query(
                "INSERT INTO web_sessions (id_hash, organization_id, user_id, csrf_token) VALUES (sha256(convert_to($1, 'UTF8')), $2, $3, $4)",
                [actor.token, actor.organizationID, user, csrf])
            return .signedIn(Session(id: actor.token!, csrfToken: csrf, actor: actor))
        }
    }

    /// One more failure; the fifth within the window (after any earlier lock) locks the account.
    private static func recordFailure(_ connection: PostgresConnection, user: UUID) throws -> Outcome {
        try connection.query("INSERT INTO sign_in_failures (organization_id, user_id) SELECT organization_id, id FROM users WHERE id = $1", [user])
        let row = try connection.query(
            """
            WITH recent AS (
                SELECT count(*) AS n FROM sign_in_failures f LEFT JOIN user_passwords p ON p.user_id = f.user_id
                WHERE f.user_id = $1 AND f.at > greatest(now() - make_interval(mins => $2), coalesce(p.locked_until, '-infinity'))
            )
            UPDATE user_passwords p SET locked_until = now() + make_interval(mins => $2)
            FROM recent, users u JOIN organizations o ON o.id = u.organization_id
            WHERE p.user_id = $1 AND u.id = p.user_id AND recent.n >= $3
            RETURNING to_char(p.locked_until AT TIME ZONE o.time_zone, 'HH24:MI')
            """, [user, lockWindowMinutes, failuresToLock]).first
        return try row.map { .locked(until: try $0.decode(0)) } ?? .refused
    }

    /// The session behind a cookie's id, if it is open and was used within 12 hours; using it
    /// keeps it open. Answers its actor and its forms' token.
    public func session(id: String) async throws -> Session? {
        guard id.hasPrefix("rvs_"), id.utf8.count == 4 + 43 else { return nil }
        return try await database.autocommit { connection in
            try connection.query(
                """
                UPDATE web_sessions s SET last_seen_at = now() FROM users u
                WHERE s.id_hash = sha256(convert_to($1, 'UTF8')) AND s.ended_at IS NULL
                  AND s.last_seen_at > now() - make_interval(hours => $2) AND u.id = s.user_id AND u.revoked_at IS NULL
                RETURNING u.id, u.organization_id, u.role, u.email, s.csrf_token
                """, [id, Self.idleHours]
            ).first.map {
                Session(id: id, csrfToken: try $0.decode(4),
                        actor: Actor(userID: try $0.decode(0), organizationID: try $0.decode(1), role: Role(rawValue: try $0.decode(2))!,
                                     name: try $0.decode(3), token: id))
            }
        }
    }

    public func signOut(id: String) async throws {
        _ = try await database.autocommit { connection in
            try connection.query("UPDATE web_sessions SET ended_at = now() WHERE id_hash = sha256(convert_to($1, 'UTF8')) AND ended_at IS NULL", [id])
                .affectedRows
        }
    }
}
