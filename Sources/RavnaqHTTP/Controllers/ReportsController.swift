import Hummingbird
import RavnaqCore

/// `GET /api/v1/reports/{name}`: the reports for grant officers (SPEC §8), as PostgreSQL built them.
struct ReportsController {
    let reports: Reports

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("reports/:name", use: report)
    }

    @Sendable func report(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        let actor = try context.requireActor()
        let query = try ReportQuery.parse(
            report: try context.parameters.require("name"), asOf: request.query("as_of"),
            from: request.query("from"), to: request.query("to"), by: request.query("by"))
        return try await reports.run(query, as: actor)
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/reports/{name}": {
        "get": {"summary": "A report for grant officers (portfolio, grants, outcomes, training) as of a date, per group and in total; families appear only by code",
                "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string", "enum": ["portfolio", "grants", "outcomes", "training"]}},
                               {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "default: today; nothing after it counts"},
                               {"name": "from", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "start of the period (default: the beginning)"},
                               {"name": "to", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "end of the period (default: as_of)"},
                               {"name": "by", "in": "query", "schema": {"type": "string"}, "description": "comma list of programme, region, district, project_type, mentor (training also course)"}],
                "responses": {"200": {"description": "{report, as_of, from, to, by, rows:[{<group keys>, <metrics>}], total:{<metrics>}}; amounts are decimal strings, ratios JSON numbers (null with a zero denominator)"},
                              "404": {"$ref": "#/components/responses/Problem"},
                              "422": {"$ref": "#/components/responses/Problem"}}}
      }
    }}
    """#
}
