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
          "responses": {"200": {"description": "The trial balance.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TrialBalance"}}}},
                        "403": {"$ref": "#/components/responses/Forbidden"},
                        "422": {"$ref": "#/components/responses/Invalid"}}
        }
      }
    },
    "schemas": {
      "TrialBalance": {"type": "object", "required": ["as_of", "accounts", "totals"], "properties": {
        "as_of": {"$ref": "#/components/schemas/Date"},
        "accounts": {"type": "array", "items": {"type": "object", "required": ["account", "currency", "debit", "credit", "balance"], "properties": {
          "account": {"type": "string", "examples": ["cash"]}, "currency": {"type": "string"}, "debit": {"$ref": "#/components/schemas/Amount"},
          "credit": {"$ref": "#/components/schemas/Amount"}, "balance": {"$ref": "#/components/schemas/Amount", "description": "debit − credit"}}}},
        "totals": {"type": "array", "items": {"type": "object", "required": ["currency", "debit", "credit"], "properties": {
          "currency": {"type": "string"}, "debit": {"$ref": "#/components/schemas/Amount"}, "credit": {"$ref": "#/components/schemas/Amount"}}}},
        "total_debit": {"$ref": "#/components/schemas/Amount", "description": "only when the books hold one currency"},
        "total_credit": {"$ref": "#/components/schemas/Amount", "description": "only when the books hold one currency"}}}
    }}
    """#
}
