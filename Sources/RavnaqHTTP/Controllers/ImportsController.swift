import Foundation
import Hummingbird
import RavnaqCore

/// `POST /api/v1/imports/{kind}`: a register as a CSV or XLSX file, sent as the body itself or
/// as the `file` part of a multipart/form-data upload (a browser form); `?dry_run=true` checks
/// it all and writes nothing. 201 when rows were created, 200 when nothing was (a dry run, or a
/// file already imported); every problem of every row is one 422.
struct ImportsController {
    static let pathPrefix = "/api/v1/imports/"
    /// 100 000 families with their members are about 30 MB of CSV.
    static let maximumBytes = 128 << 20

    let imports: Imports

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.post("imports/:kind", use: run)
    }

    @Sendable func run(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        // A role that may not import is told so whatever it names.
        try actor.require(.admin, .coordinator, to: "import files")
        let kind = try ImportKind.named(try context.parameters.require("kind"), what: "import")
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maximumBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw BodyTooLarge(limit: Self.maximumBytes)
        }
        var upload = Upload(data: Data(body.readableBytesView), fileName: nil, mapping: request.query("map"))
        if let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data") {
            upload = try Upload.multipart(upload.data, contentType: contentType, mapping: upload.mapping)
        }
        guard !upload.data.isEmpty else { throw RavnaqError.invalid("/file", "the request carries no file") }
        let dryRun: Bool
        switch request.query("dry_run") {
        case nil, "false": dryRun = false
        case "true": dryRun = true
        case let other?: throw RavnaqError.badQuery([.init(pointer: "/dry_run", detail: "\"\(other)\" is neither true nor false")])
        }
        let result = try await imports.run(
            kind, data: upload.data, options: .init(dryRun: dryRun, mapping: try upload.parsedMapping(), fileName: upload.fileName), as: actor)
        return Response(
            status: result.created > 0 && !result.dry_run ? .created : .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: try RavnaqJSON.encode(result))))
    }

    /// The file and what came with it.
    struct Upload {
        var data: Data
        var fileName: String?
        /// JSON: the file's headers → the import's column names.
        var mapping: String?

        func parsedMapping() throws -> [String: String] {
            guard let mapping else { return [:] }
            guard let object = try? JSONSerialization.jsonObject(with: Data(mapping.utf8)) as? [String: String] else {
                throw RavnaqError.invalid("/map", "give a JSON object of the file's headers and the column names, such as {\"Familiya\": \"full_name\"}")
            }
            return object
        }

        /// The `file` part (or the first part with a file name) and an optional `map` part of a
        /// multipart/form-data body (RFC 7578).
        static func multipart(_ body: Data, contentType: String, mapping: String?) throws -> Upload {
            guard let boundary = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })?.dropFirst(9).trimmingCharacters(in: CharacterSet(charactersIn: "\"")),
                !boundary.isEmpty else {
                throw RavnaqError.invalid("/file", "a multipart/form-data body needs a boundary in its Content-Type")
            }
            let delimiter = Data("--\(boundary)".utf8)
            var upload = Upload(data: Data(), fileName: nil, mapping: mapping)
            var found = false
            var rest = body[...]
            while let start = rest.range(of: delimiter) {
                rest = rest[start.upperBound...]
                if rest.starts(with: Data("--".utf8)) { break }
                guard let end = rest.range(of: delimiter) else { break }
                let part = rest[..<end.lowerBound]
                guard let split = part.range(of: Data("\r\n\r\n".utf8)) else { continue }
                let head = String(decoding: part[..<split.lowerBound], as: UTF8.self)
                var content = part[split.upperBound...]
                if content.suffix(2) == Data("\r\n".utf8) { content = content.dropLast(2) }
                let disposition = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") } ?? ""
                let name = Self.parameter("name", of: disposition)
                let fileName = Self.parameter("filename", of: disposition)
                if name == "map" {
                    upload.mapping = String(decoding: content, as: UTF8.self)
                } else if !found, name == "file" || fileName != nil {
                    upload.data = Data(content)
                    upload.fileName = fileName
                    found = true
                }
            }
            guard found else { throw RavnaqError.invalid("/file", "the multipart body has no part named file") }
            return upload
        }

        private static func parameter(_ name: String, of header: Substring) -> String? {
            for piece in header.split(separator: ";").dropFirst() {
                let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0].lowercased() == name { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            return nil
        }
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/imports/{kind}": {
        "post": {"summary": "Import a register (CSV or XLSX): every row checked first, all or nothing",
                 "description": "The file is the body itself (text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream) or the `file` part of multipart/form-data (with an optional `map` part). CSV may be UTF-8 (with or without a BOM) or Windows-1251, separated by `,`, `;` or tab. Headers are the column names below, or the usual Uzbek and Russian ones (README, Imports); `map` maps others. Dates DD.MM.YYYY, YYYY-MM-DD or date cells; amounts with spaces between thousands and a comma or dot for decimals. Columns: families (one row per member): family_code, region, district, mahalla, categories, registry_ref, consent_on, full_name, sex, birth_date, relation, pinfl, disability, works. projects: project_ref, family_code, type, title, description, started_on, expected_monthly_revenue, expected_monthly_costs. loans: loan_ref, project_ref, programme, currency, principal, annual_rate, method, installments, frequency, grace_periods, planned_disbursement_on, first_due_on, disbursed_on. repayments: loan, paid_on, amount. grants (one row per tranche): grant_ref, project_ref, programme, currency, tranche, amount, planned_on, condition, disbursed_on. Rows already on record with the same data are left alone (a second import of a file writes nothing); a key on record with other data is a conflict in `errors`.",
                 "parameters": [{"name": "kind", "in": "path", "required": true, "schema": {"type": "string", "enum": ["families", "projects", "loans", "repayments", "grants"]}},
                                {"name": "dry_run", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}, "description": "check everything, write nothing"},
                                {"name": "map", "in": "query", "schema": {"type": "string"}, "description": "a JSON object: the file's headers → the column names"}],
                 "requestBody": {"required": true, "content": {
                   "text/csv": {"schema": {"type": "string"}},
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}},
                   "application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}},
                   "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}, "map": {"type": "string"}}}}}},
                 "responses": {"201": {"description": "Rows were created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportResult"}}}},
                               "200": {"description": "Nothing was written: a dry run, or every row was already on record", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportResult"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                               "413": {"description": "413: the file is over 128 MiB (urn:ravnaq:problem:body-too-large).", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                               "422": {"description": "422: every problem of the file at once, nothing written: `errors[].pointer` is `/rows/{row as the spreadsheet numbers it}/{column}` (or `/rows/{row}` for a refusal of the whole row, `/columns/{column}` for a missing column, `/file` for an unreadable file), `errors[].column` the header as the file wrote it.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}
      }
    },
    "schemas": {
      "ImportResult": {"type": "object", "required": ["kind", "file_sha256", "rows", "created", "unchanged", "members_created", "dry_run", "previously_imported_at", "ignored_columns", "warnings", "summary"],
        "properties": {
          "kind": {"enum": ["families", "projects", "loans", "repayments", "grants"]},
          "file_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
          "rows": {"type": "integer", "description": "data rows read (blank rows left out)"},
          "created": {"type": "integer", "description": "families, projects, loans, repayments or grants created (in a dry run: that would be)"},
          "unchanged": {"type": "integer", "description": "already on record with the same data, left as they are"},
          "members_created": {"type": ["integer", "null"], "description": "families imports: the members created with them"},
          "dry_run": {"type": "boolean"},
          "previously_imported_at": {"type": ["string", "null"], "description": "when this very file (by SHA-256) was imported before"},
          "ignored_columns": {"type": "array", "items": {"type": "string"}, "description": "headers of columns the import does not read"},
          "warnings": {"type": "array", "items": {"type": "string"}},
          "summary": {"type": "string"}}}
    }}
    """#
}

extension ImportKind {
    /// The kind a path names (`/imports/{kind}`, `/exports/{kind}`); another is a 404 listing them.
    static func named(_ name: String, what: String) throws -> ImportKind {
        guard let kind = ImportKind(rawValue: name) else {
            throw RavnaqError.notFound("\(what) \"\(name)\" (\(what)s: \(ImportKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return kind
    }
}
