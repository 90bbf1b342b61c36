import Hummingbird
import RavnaqCore

/// `/api/v1/alerts`: which family needs help, and why (issue 17).
struct AlertsController {
    let alerts: Alerts

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("alerts", use: list)
        group.post("alerts/:id/acknowledge", use: acknowledge)
    }

    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> Paged<AlertView> {
        try await alerts.list(asOf: request.query("as_of"), mentor: request.query("mentor"), page: try request.page(),
                              as: try context.requireActor())
    }

    @Sendable func acknowledge(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<AlertView> {
        var request = request
        let (input, _) = try await request.decode(AcknowledgementInput.self)
        return JSONAnswer(try await alerts.acknowledge(try context.parameters.require("id"), input, as: try context.requireActor()))
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/alerts": {
        "get": {"summary": "Families that need help as of a day, highest score first, each with its reasons in words and the figures behind them (admin, coordinator: every family or one mentor's; mentor: their own); an acknowledged alert is left out until its score rises",
                "parameters": [{"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "default today"},
                               {"name": "mentor", "in": "query", "description": "a mentor's email: only the families they mentor on the day (a mentor may name only themselves)", "schema": {"type": "string"}},
                               {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of alerts.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Alert"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/alerts/{id}/acknowledge": {
        "post": {"summary": "Acknowledge a family's alert as of today at today's score (admin, coordinator, the family's mentor): it stays away until the score rises above it; a family without an alert today is a 422 no-alert",
                 "parameters": [{"name": "id", "in": "path", "required": true, "description": "the alert's id, which is its family's id (or the family's code)", "schema": {"type": "string"}}],
                 "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AcknowledgementInput"}}}},
                 "responses": {"200": {"description": "The alert, with the acknowledgement just made.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Alert"}}}},
                               "400": {"$ref": "#/components/responses/BadRequest"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      }
    },
    "schemas": {
      "AcknowledgementInput": {"type": "object", "properties": {"note": {"type": "string", "maxLength": 2000}}},
      "Alert": {"type": "object", "required": ["id", "family_id", "family_code", "district", "mentor", "as_of", "score", "level", "reasons", "acknowledged"], "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "family_id": {"$ref": "#/components/schemas/Id"}, "family_code": {"type": "string"},
        "district": {"type": "string"}, "mentor": {"type": ["string", "null"]}, "as_of": {"$ref": "#/components/schemas/Date"},
        "score": {"type": "integer", "minimum": 1, "description": "the sum of the weights of the family's signals (README, Smart monitoring)"},
        "level": {"type": "string", "enum": ["high", "medium", "low"], "description": "high from 50, medium from 25, low below"},
        "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/AlertReason"}},
        "acknowledged": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["as_of", "score", "note", "by", "at"], "properties": {
          "as_of": {"$ref": "#/components/schemas/Date"}, "score": {"type": "integer"}, "note": {"type": ["string", "null"]},
          "by": {"type": ["string", "null"]}, "at": {"type": "string"}}}], "description": "the acknowledgement the alert came back over (its score rose since), or the one just made"}}},
      "AlertReason": {"type": "object", "required": ["code", "weight", "text", "figures"], "properties": {
        "code": {"type": "string", "enum": ["loan_in_arrears", "repayment_late", "net_income_falling", "income_below_line", "grant_unaccounted", "visit_overdue", "ssm_domain_dropped", "member_stopped_working", "records_missing"], "description": "stable: the web app translates by it"},
        "weight": {"type": "integer"}, "text": {"type": "string", "description": "the reason in English words, with its figures"},
        "figures": {"type": "object", "description": "the figures behind it, by code (README, Smart monitoring)"}}}
    }}
    """#
}
