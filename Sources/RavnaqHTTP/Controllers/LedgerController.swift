import Hummingbird
import RavnaqCore

/// `GET /api/v1/ledger/trial-balance?as_of=`.
struct LedgerController {
    let ledger: LedgerService

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("ledger/trial-balance", use: trialBalance)
    }

    @Sendable func trialBalance(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<TrialBalance> {
        JSONAnswer(try await ledger.trialBalance(asOf: request.uri.queryParameters.get("as_of"), as: try context.requireActor()))
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/ledger/trial-balance": {
        "get": {
          "summary": "Every account's debit and credit totals as of a date; totals per currency",
          "parameters": [{"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "default: today"}],
          "responses": {"200": {"description": "{as_of, accounts:[{account, currency, debit, credit, balance}], totals:[{currency, debit, credit}], total_debit, total_credit}"},
                        "422": {"$ref": "#/components/responses/Problem"}}
        }
      }
    }}
    """#
}
