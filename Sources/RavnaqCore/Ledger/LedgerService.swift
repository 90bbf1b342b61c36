import Dates
import Postgres

/// Reading the books.
public struct LedgerService: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func trialBalance(asOf: String?, as actor: Actor) async throws -> TrialBalance {
        try actor.require(.admin, .coordinator, .grantOfficer, to: "read the ledger")
        let date = try FieldErrors.asOf(asOf)
        return try await database.transaction(as: actor) { connection in
            let asOf = try date ?? Organizations.today(connection, organizationID: actor.organizationID)
            return try Ledger.trialBalance(connection, organizationID: actor.organizationID, asOf: asOf)
        }
    }
}
