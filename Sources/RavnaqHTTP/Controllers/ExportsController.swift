import Foundation
import Hummingbird
import RavnaqCore

/// `GET /api/v1/exports/{kind}?format=csv|xlsx`: an export in the shape imports read, streamed
/// page by page as PostgreSQL gives it (see `Exports`).
struct ExportsController {
    let exports: Exports

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("exports/:kind", use: export)
    }

    @Sendable func export(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        // The role is checked first: a role that may not export is told so whatever it names,
        // and a refusal is a problem, not a broken download.
        try actor.require(.admin, .coordinator, to: "export data")
        let kind = try ImportKind.named(try context.parameters.require("kind"), what: "export")
        let format = try SpreadsheetQuery.format(request, default: "csv")!
        let exports = self.exports
        let headers = SpreadsheetQuery.headers(format: format, fileName: "\(kind.rawValue)-\(SpreadsheetQuery.today())")
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await exports.run(kind, format: format, as: actor) { bytes in
                if !bytes.isEmpty { try await writer.write(ByteBuffer(data: bytes)) }
            }
            try await writer.finish(nil)
        })
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/exports/{kind}": {
        "get": {"summary": "Export families, projects, loans, repayments or grants in the shape imports read (streamed)",
                "description": "The same columns under the same English headers as POST /api/v1/imports/{kind}, so that an export imported into an empty organization gives back the same data. Families: one row per member (not erased ones), a family without members one row; repayments: live ones only (not reversed, not recoveries); grants: one row per tranche. Coordinators and admins.",
                "parameters": [{"name": "kind", "in": "path", "required": true, "schema": {"type": "string", "enum": ["families", "projects", "loans", "repayments", "grants"]}},
                               {"$ref": "#/components/parameters/format"}, {"$ref": "#/components/parameters/sep"}],
                "responses": {"200": {"description": "The file (Content-Disposition names it)", "content": {
                                "text/csv": {"schema": {"type": "string"}},
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"},
                              "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}}}
      }
    },
    "parameters": {
      "format": {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]}, "description": "csv (RFC 4180, UTF-8 with a BOM) or xlsx (a frozen header row, typed number cells); json where the answer has a JSON form (its default)"},
      "sep": {"name": "sep", "in": "query", "schema": {"type": "string", "enum": [",", ";", "\t"]}, "description": "the CSV separator (default ','; ';' suits Excel in Russian and Uzbek locales)"}
    }}
    """#
}

/// `?format=` and `?sep=` of every answer that comes as a spreadsheet, and its headers.
enum SpreadsheetQuery {
    /// nil for JSON (where the route has a JSON form and it is asked for or the default).
    static func format(_ request: Request, default fallback: String) throws -> SheetWriter.Format? {
        let separator: Character
        switch request.query("sep") {
        case nil, ",": separator = ","
        case ";": separator = ";"
        case "\t": separator = "\t"
        case let other?: throw RavnaqError.badQuery([.init(pointer: "/sep", detail: "\"\(other)\" is not a separator: use , ; or a tab")])
        }
        switch request.query("format") ?? fallback {
        case "json" where fallback == "json": return nil
        case "csv": return .csv(separator: separator)
        case "xlsx": return .xlsx
        case let other:
            let choices = fallback == "json" ? "json, csv or xlsx" : "csv or xlsx"
            throw RavnaqError.badQuery([.init(pointer: "/format", detail: "\"\(other)\" is not a format: use \(choices)")])
        }
    }

    static func headers(format: SheetWriter.Format, fileName: String) -> HTTPFields {
        [.contentType: format.contentType, .contentDisposition: "attachment; filename=\"\(fileName).\(format.fileExtension)\"",
         .cacheControl: "no-store"]
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }
}
