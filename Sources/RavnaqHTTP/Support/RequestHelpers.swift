import Foundation
import HTTPTypes
import Hummingbird
import RavnaqCore

extension Request {
    /// Decodes the JSON body — already read and checked by `RequestBodyMiddleware` — into a
    /// service's input type, with the text that an idempotent request is compared by (an empty
    /// body reads as `{}`). Unreadable JSON is a 400 naming the field; what is readable but
    /// wrong is reported by the service (422, every field).
    mutating func decode<T: Decodable>(_ type: T.Type) async throws -> (T, String) {
        let buffer = try await collectBody(upTo: RequestBodyMiddleware.maximumBytes)
        let bytes = buffer.readableBytes == 0 ? Array("{}".utf8) : Array(buffer.readableBytesView)
        do {
            return (try JSONDecoder().decode(T.self, from: Data(bytes)), String(decoding: bytes, as: UTF8.self))
        } catch let error as DecodingError {
            throw MalformedBody(detail: Problem.describe(error))
        }
    }

    /// The `Idempotency-Key` header with the body it is compared by.
    /// A key longer than the 255 characters kept is refused (422), never cut short.
    func idempotencyKey(body: String) throws -> IdempotencyKey? {
        guard let key = headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty else { return nil }
        guard key.count <= 255 else { throw RavnaqError.invalid("/Idempotency-Key", "is longer than 255 characters") }
        return IdempotencyKey(key: key, body: body)
    }
}

/// A body that is not JSON of the expected shape (400).
struct MalformedBody: Error {
    let detail: String
}

/// Every idempotent operation records something new (a repayment, a disbursement, a write-off),
/// so its answer — the first time and each replay — is a 201.
extension StoredAnswer: ResponseGenerator {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: .created, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Any answer of a service as JSON with a status (200 unless told).
struct JSONAnswer<Value: Encodable>: ResponseGenerator {
    let value: Value
    var status: HTTPResponse.Status = .ok

    init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try RavnaqJSON.encode(value))))
    }
}

extension JSONText: ResponseGenerator {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// JSON from PostgreSQL with a status other than 200 (201 for a create).
struct CreatedJSON: ResponseGenerator {
    let json: JSONText
    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json.text)))
    }
}

/// A page of any list: `{"items":[…],"next_cursor":…}` (SPEC §9).
extension Paged: ResponseGenerator {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: try json())))
    }
}

extension Request {
    /// `limit` and `cursor` of a list; the list checks that the cursor is one of its own.
    func page() throws -> Page {
        try Page(limit: uri.queryParameters.get("limit"), cursor: uri.queryParameters.get("cursor"))
    }

    func query(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }
}
