import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// Faults of ours answer 500 with a request id and nothing of the database's text; refusals
/// the services expect keep their words.
@Suite("Server faults are 500s (issue 13)")
struct FaultTests {
    /// Breaks the schema under a running app the way a bad migration or a bug would.
    static func sabotage(_ database: Database, _ sql: String) async throws {
        try await database.pool.withConnection { try $0.execute(sql) }
        database.pool.close()  // prepared statements planned before the change are dropped
    }

    static func expectFault(_ answer: Answer, leaking secrets: [String], _ comment: Comment) {
        #expect(answer.status == .internalServerError, comment)
        #expect(answer.problemType == "urn:ravnaq:problem:internal", comment)
        let requestID = answer.object["request_id"] as? String
        #expect(requestID?.isEmpty == false, comment)
        #expect((answer.object["detail"] as? String)?.contains(requestID ?? "?") == true, comment)
        for secret in secrets { #expect(!answer.text.contains(secret), "\(comment): \(answer.text)") }
    }

    @Test("an unexpected database error (a column gone) is a 500 with a request id, not the SQLSTATE")
    func unexpectedDatabaseError() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            _ = try await api.openSpecLoan(disburse: false)
            try await Self.sabotage(app.database, "ALTER TABLE programmes RENAME COLUMN donor TO donor_gone")
            let answer = try await call(client, .get, "/api/v1/programmes", token: token)
            Self.expectFault(answer, leaking: ["42703", "donor", "column"], "GET /programmes")
        }
    }

    @Test("a value that cannot be decoded is a 500, not a 422 with the decoder's words")
    func decodingFailure() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            let programme = try await api.openSpecLoan(disburse: false).programme
            try await Self.sabotage(app.database, "ALTER TABLE programmes DROP CONSTRAINT programmes_dates_ordered, ALTER COLUMN starts_on TYPE text USING 'soon'")
            let answer = try await call(client, .get, "/api/v1/programmes/\(programme)", token: token)
            Self.expectFault(answer, leaking: ["soon", "decode", "LocalDate"], "GET /programmes/{id}")
        }
    }

    @Test("a constraint no service expects (a broken invariant) is a 500, and nothing is written")
    func brokenInvariant() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            let loan = try await api.openSpecLoan().loan
            try await Self.sabotage(app.database, "ALTER TABLE repayments ADD CONSTRAINT repayments_never CHECK (false) NOT VALID")
            let before = try await databaseFingerprint(app.database)
            let answer = try await call(client, .post, "/api/v1/loans/\(loan)/repayments", token: token,
                                        body: #"{"amount":"1000","date":"2025-02-15"}"#, key: "k")
            Self.expectFault(answer, leaking: ["repayments_never", "23514", "violates"], "POST repayments")
            #expect(try await databaseFingerprint(app.database) == before)
        }
    }

    @Test("a refusal the database keeps for a rule (two programmes of one name) is a 409 in words")
    func duplicateProgrammeName() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let body = #"{"name":"Family Business 2025","donor":"UNDP","currency":"UZS","starts_on":"2025-01-01","ends_on":"2026-12-31","budget":"500000000"}"#
            #expect(try await call(client, .post, "/api/v1/programmes", token: token, body: body).status == .created)
            let again = try await call(client, .post, "/api/v1/programmes", token: token, body: body.replacingOccurrences(of: "Family", with: "family"))
            #expect(again.status == .conflict)
            #expect(again.problemType == "urn:ravnaq:problem:duplicate-programme-name")
            #expect(again.object["detail"] as? String == #"a programme named "Family Business 2025" already exists"#)
        }
        // Past the service's check (two requests at once), the database's index answers in the same words' kind.
        let refusal = RavnaqError(PostgresError(kind: .server, sqlState: .uniqueViolation, message: "duplicate key value violates unique constraint",
                                                constraint: "programmes_name_key"))
        #expect(refusal == .conflict(.duplicateProgrammeName, message: "a programme with this name already exists"))
    }
}
