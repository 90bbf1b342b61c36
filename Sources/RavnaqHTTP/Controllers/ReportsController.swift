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
                "description": "portfolio: loans_active, outstanding_principal, disbursed, collected, written_off, par30, par90, on_time_rate, and beside them the loans restructured by as_of: restructured_loans, restructured_outstanding, restructured_par30 (their own PAR30; null when none is outstanding). grants: grants, budget (of the programmes the group's grants belong to: read it by programme), committed, disbursed, expenses, remaining_budget (budget − committed), utilization, tranches_pending. outcomes: families, intake_/now_ poor, near_poor, above, ssm_<domain>_change, ready (every graduation criterion met, no loan past due, neither graduated nor exited), graduated, median_net_income, jobs. training: enrollments, completions, completion_rate, trained_/untrained_ families, above_line, above_line_share.",
                "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string", "enum": ["portfolio", "grants", "outcomes", "training"]}},
                               {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "default: today; nothing after it counts"},
                               {"name": "from", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "start of the period (default: the beginning)"},
                               {"name": "to", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "end of the period (default: as_of)"},
                               {"name": "by", "in": "query", "schema": {"type": "string"}, "description": "comma list of programme, region, district, project_type, mentor, head_sex (female, male, unknown), category (a family in two counts in each, none for none; the total counts it once), disability (with_disability, without_disability); training also course (not with category)"}],
                "responses": {"200": {"description": "The report", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}},
                              "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                              "422": {"$ref": "#/components/responses/Invalid"}}}
      }
    },
    "schemas": {
      "Report": {"type": "object", "required": ["report", "as_of", "from", "to", "by", "rows", "total"],
        "description": "Amounts are decimal strings, ratios JSON numbers rounded to 6 decimals (null with a zero denominator). Amounts of two currencies are never added: in portfolio and grants every row also carries its `currency` (rows are per group and currency), `totals` has one object per currency, and `total` carries the currency when the report holds one; when it holds several, `total.currency` and its amounts and money ratios (par30, par90, restructured_par30, utilization) are null while its counts and on_time_rate cover every loan or grant. Outcomes and training hold no money but median_net_income, in UZS like all progress figures. `total` counts distinct loans, grants or families, not a sum of rows. Families appear only through their groups.",
        "properties": {
          "report": {"enum": ["portfolio", "grants", "outcomes", "training"]},
          "as_of": {"$ref": "#/components/schemas/Date"}, "from": {"type": ["string", "null"], "format": "date"},
          "to": {"$ref": "#/components/schemas/Date"}, "by": {"type": "array", "items": {"type": "string"}},
          "rows": {"type": "array", "items": {"type": "object", "description": "the group keys (names; mentor by email), `currency` in portfolio and grants, then the metrics"}},
          "total": {"type": "object", "description": "the metrics over all loans, grants or families (portfolio and grants: with `currency`)"},
          "totals": {"type": "array", "items": {"type": "object"}, "description": "portfolio and grants only: the metrics per currency, each with `currency`"}},
        "examples": [{"report": "portfolio", "as_of": "2025-05-20", "from": null, "to": "2025-05-20", "by": ["programme"],
                      "rows": [{"programme": "Ayol", "currency": "UZS", "loans_active": 2, "outstanding_principal": "1300000.00", "disbursed": "1800000.00",
                                "collected": "500000.00", "written_off": "0.00", "par30": 0.307692, "par90": 0, "on_time_rate": 0.625},
                               {"programme": "Dollar", "currency": "USD", "loans_active": 1, "outstanding_principal": "200.00", "disbursed": "300.00",
                                "collected": "100.00", "written_off": "0.00", "par30": 0, "par90": 0, "on_time_rate": 0.5}],
                      "total": {"currency": null, "loans_active": 3, "outstanding_principal": null, "disbursed": null, "collected": null,
                                "written_off": null, "par30": null, "par90": null, "on_time_rate": 0.6},
                      "totals": [{"currency": "USD", "loans_active": 1, "outstanding_principal": "200.00", "disbursed": "300.00", "collected": "100.00",
                                  "written_off": "0.00", "par30": 0, "par90": 0, "on_time_rate": 0.5},
                                 {"currency": "UZS", "loans_active": 2, "outstanding_principal": "1300000.00", "disbursed": "1800000.00",
                                  "collected": "500000.00", "written_off": "0.00", "par30": 0.307692, "par90": 0, "on_time_rate": 0.625}]}]}
    }}
    """#
}
