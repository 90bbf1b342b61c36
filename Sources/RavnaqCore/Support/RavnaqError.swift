import Foundation

/// The one error type of the service layer. The HTTP layer maps it to problem+json in one
/// place and the CLI prints it in one place (`ErrorText`, which names an invalid field by the
/// command's option); each case says what kind of answer it becomes.
public enum RavnaqError: Error, Sendable, Equatable {
    /// Invalid input: every offending field with what is wrong with it (422, or 400 when the
    /// body could not be parsed at all).
    case invalid([FieldError])
    /// Query parameters a list cannot work with: a limit above 500, a foreign cursor (400).
    case badQuery([FieldError])
    /// A business rule refused the request (422): which one, and why in words.
    case rule(Refusal, message: String)
    /// A duplicate, or an Idempotency-Key reused with another body (409).
    case conflict(Refusal, message: String)
    /// Not found, or not visible to this actor — indistinguishable on purpose (404).
    case notFound(String)
    /// Visible, but this actor's role may not do it (403).
    case forbidden(String)
    /// No valid credentials (401).
    case unauthenticated
    /// PostgreSQL cannot be reached right now (503).
    case unavailable(String)
    /// The machine or the configuration is not ready (CLI: setup problems such as a missing
    /// PostgreSQL installation or an unreachable data directory).
    case setup(String)
    /// Our fault, not the request's: a database error no service expected, a value that could
    /// not be decoded, a broken invariant (500). The text is for the log, never for the client.
    case fault(String)

    public struct FieldError: Sendable, Equatable, Codable {
        /// A JSON pointer to the field (`/members/0/birth_date`).
        public let pointer: String
        public let detail: String
        /// The spreadsheet column's header as the file wrote it, for an imported row's field.
        public let column: String?
        public init(pointer: String, detail: String, column: String? = nil) {
            self.pointer = pointer
            self.detail = detail
            self.column = column
        }
    }

    public static func invalid(_ pointer: String, _ detail: String) -> RavnaqError {
        .invalid([FieldError(pointer: pointer, detail: detail)])
    }

    /// A sentence a coordinator understands.
    public var message: String {
        switch self {
        case .invalid(let errors), .badQuery(let errors):
            // "amount: must be greater than zero", "members 0 birth_date: …": the field as a
            // person names it (the pointers themselves are in the problem's `errors`).
            errors.map { "\($0.pointer.isEmpty ? "input" : $0.pointer.dropFirst().replacingOccurrences(of: "/", with: " ")): \($0.detail)" }
                .joined(separator: "; ")
        case .rule(_, let message), .conflict(_, let message): message
        case .notFound(let what): "\(what) was not found"
        case .forbidden(let reason): reason
        case .unauthenticated: "a valid bearer token is required"
        case .unavailable(let reason): "the database is unavailable: \(reason)"
        case .setup(let reason): reason
        case .fault(let detail): "an internal error: \(detail)"
        }
    }
}

extension RavnaqError: CustomStringConvertible {
    /// The message; the CLI prints invalid input in its own words (`ErrorText`).
    public var description: String { message }
}
