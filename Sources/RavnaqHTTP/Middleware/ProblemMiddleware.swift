import Foundation
import Hummingbird
import Logging
import RavnaqCore

/// The one place where errors become RFC 9457 `application/problem+json` answers, with a
/// stable `type` per kind of problem and, for invalid input, every offending field.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as RavnaqError {
            if case .fault(let detail) = error { return Self.fault(detail, context: context) }
            return Problem(error).response
        } catch let error as HTTPError {
            // Hummingbird's own: unknown route (404), body too large, undecodable body (400).
            let type = error.status == .notFound ? ProblemTypes.notFound : error.status == .badRequest ? ProblemTypes.malformedRequest : ProblemTypes.otherHTTP(error.status.code)
            return Problem(status: error.status, type: type, title: error.status.reasonPhrase,
                           detail: error.body ?? error.status.reasonPhrase).response
        } catch let error as MethodNotAllowed {
            var response = Problem(status: .methodNotAllowed, type: ProblemTypes.methodNotAllowed, title: "Method not allowed",
                                   detail: "\(request.uri.path) takes \(error.allowed.joined(separator: ", ")), not \(request.method)").response
            response.headers[.allow] = error.allowed.joined(separator: ", ")
            return response
        } catch let error as BodyTooLarge {
            return Problem(status: .contentTooLarge, type: ProblemTypes.bodyTooLarge, title: "The request body is too large",
                           detail: "the body is over the limit of \(error.limit) bytes (\(error.limit >> 20) MiB)"
                               + (error.limit < ImportsController.maximumBytes ? "; send bulk data through an import" : "")).response
        } catch let error as MalformedBody {
            return Problem(status: .badRequest, type: ProblemTypes.malformedRequest, title: "The request body could not be read",
                           detail: error.detail).response
        } catch let error as DecodingError {
            return Problem(status: .badRequest, type: ProblemTypes.malformedRequest, title: "The request body could not be read",
                           detail: Problem.describe(error)).response
        } catch {
            return Self.fault(String(reflecting: error), context: context)
        }
    }

    /// A fault of ours: a 500 that says nothing of its cause but the request id, which the log
    /// line (with the cause) carries too.
    static func fault(_ detail: String, context: Context) -> Response {
        context.logger.error("internal error: \(detail)", metadata: ["request_id": "\(context.id)"])
        return Problem(status: .internalServerError, type: ProblemTypes.internalError, title: "Internal error",
                       detail: "something went wrong on the server; it was logged with request id \(context.id)",
                       requestID: context.id).response
    }
}

/// An RFC 9457 problem document.
struct Problem: Encodable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let errors: [RavnaqError.FieldError]?
    /// On a 500 only: the id the log line carries.
    let request_id: String?
    private let httpStatus: HTTPResponse.Status

    static let typePrefix = "urn:ravnaq:problem:"

    init(status: HTTPResponse.Status, type: String, title: String, detail: String, errors: [RavnaqError.FieldError]? = nil,
         requestID: String? = nil) {
        self.type = Self.typePrefix + type
        self.title = title
        self.status = status.code
        self.detail = detail
        self.errors = errors
        self.request_id = requestID
        self.httpStatus = status
    }

    init(_ error: RavnaqError) {
        switch error {
        case .invalid(let errors):
            self.init(status: .unprocessableContent, type: ProblemTypes.invalidInput, title: "Invalid input",
                      detail: error.message, errors: errors)
        case .badQuery(let errors):
            self.init(status: .badRequest, type: ProblemTypes.invalidQuery, title: "Invalid query parameters",
                      detail: error.message, errors: errors)
        case .rule(let refusal, let message):
            self.init(status: .unprocessableContent, type: ProblemTypes.name(refusal), title: "The request breaks a rule", detail: message)
        case .conflict(let refusal, let message):
            self.init(status: .conflict, type: ProblemTypes.name(refusal), title: "Conflict", detail: message)
        case .notFound:
            self.init(status: .notFound, type: ProblemTypes.notFound, title: "Not found", detail: error.message)
        case .forbidden:
            self.init(status: .forbidden, type: ProblemTypes.forbidden, title: "Forbidden", detail: error.message)
        case .unauthenticated:
            self.init(status: .unauthorized, type: ProblemTypes.unauthenticated, title: "Unauthenticated", detail: error.message)
        case .unavailable:
            self.init(status: .serviceUnavailable, type: ProblemTypes.databaseUnavailable, title: "Service unavailable",
                      detail: "the database cannot be reached right now; try again shortly")
        case .setup(let message):
            self.init(status: .internalServerError, type: ProblemTypes.setup, title: "Server setup problem", detail: message)
        case .fault:
            // Answered by `ProblemMiddleware.fault`, with a request id; never with the detail.
            self.init(status: .internalServerError, type: ProblemTypes.internalError, title: "Internal error",
                      detail: "something went wrong on the server; it was logged")
        }
    }

    private enum CodingKeys: String, CodingKey { case type, title, status, detail, errors, request_id }

    var response: Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)) ?? Data(#"{"title":"Internal error","status":500}"#.utf8)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if httpStatus == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: httpStatus, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Names the field a JSON decoding error is about, as a JSON pointer.
    static func describe(_ error: DecodingError) -> String {
        func pointer(_ path: [any CodingKey]) -> String {
            "/" + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/")
        }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not valid JSON" : "\(pointer(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(pointer(context.codingPath + [key])): is required"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(pointer(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "the body could not be read"
        }
    }
}
