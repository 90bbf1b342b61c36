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
        let name = try context.parameters.require("kind")
        guard let kind = ImportKind(rawValue: name) else {
            throw RavnaqError.notFound("import \"\(name)\" (imports: \(ImportKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
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
}
