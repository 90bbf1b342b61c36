import Foundation
import Hummingbird
import RavnaqCore
import RavnaqHTTP

/// A submitted form (application/x-www-form-urlencoded), read once by the session middleware,
/// which checks its token, and kept on the request for the page that handles it.
struct Form: Sendable {
    let fields: [String: String]
    /// The body as sent: an Idempotency-Key is compared by it.
    let body: String

    init(body: String) {
        self.body = body
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            fields[name] = value
        }
        self.fields = fields
    }

    private static func decode(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }

    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    static func read(_ request: inout Request) async throws -> Form {
        let buffer = try await request.collectBody(upTo: 1 << 20)
        return Form(body: String(buffer: buffer))
    }
}

/// What was wrong with a form, field by field, in the person's language, and what was typed
/// (a form shown again keeps the person's input).
struct FormProblems: Sendable {
    private(set) var byField: [String: String] = [:]
    /// A problem of the whole form (a rule of the books, a conflict).
    private(set) var general: String?
    let texts: Texts

    init(texts: Texts) { self.texts = texts }

    var isEmpty: Bool { byField.isEmpty && general == nil }

    mutating func add(_ field: String, key: String, _ values: [String: String] = [:]) {
        if byField[field] == nil { byField[field] = texts.format(key, values) }
    }

    mutating func setGeneral(_ text: String) { general = text }

    /// A required date typed as DD.MM.YYYY (or YYYY-MM-DD), as the services take it.
    mutating func date(_ form: Form, _ field: String, required: Bool = true) -> String? {
        guard let text = form[field] else {
            if required { add(field, key: "error_required") }
            return nil
        }
        guard let date = Formats.parseDate(text) else {
            add(field, key: "error_date")
            return nil
        }
        return date
    }

    mutating func month(_ form: Form, _ field: String) -> String? {
        guard let text = form[field] else {
            add(field, key: "error_required")
            return nil
        }
        guard let month = Formats.parseMonth(text) else {
            add(field, key: "error_month")
            return nil
        }
        return month
    }

    mutating func amount(_ form: Form, _ field: String, required: Bool = true) -> AmountInput? {
        guard let text = form[field] else {
            if required { add(field, key: "error_required") }
            return nil
        }
        guard let amount = Formats.parseAmount(text) else {
            add(field, key: "error_amount")
            return nil
        }
        return AmountInput(amount)
    }

    mutating func integer(_ form: Form, _ field: String, in range: ClosedRange<Int>, required: Bool = true) -> Int? {
        guard let text = form[field] else {
            if required { add(field, key: "error_required") }
            return nil
        }
        guard let value = Int(text), range.contains(value) else {
            add(field, key: "error_range", ["min": "\(range.lowerBound)", "max": "\(range.upperBound)"])
            return nil
        }
        return value
    }

    mutating func text(_ form: Form, _ field: String, required: Bool = true) -> String? {
        guard let text = form[field] else {
            if required { add(field, key: "error_required") }
            return nil
        }
        return text
    }

    /// What a service refused, placed beside the field it names (its JSON pointer's last part,
    /// as the forms name their fields) or above the form. Known wordings are said in the
    /// person's language; a rule is named by its refusal, whose text the catalogue may have.
    /// Anything else is shown as the service worded it (English), never dropped.
    mutating func absorb(_ error: RavnaqError) throws {
        switch error {
        case .invalid(let errors):
            for error in errors {
                let field = Self.field(of: error.pointer)
                if byField[field] == nil { byField[field] = ServiceWording.say(error.detail, texts: texts) }
            }
        case .rule(let refusal, let message), .conflict(let refusal, let message):
            let key = "refusal_\(refusal)"
            general = texts.entries[key] ?? message
        case .forbidden(let reason):
            general = texts["error_forbidden"] + " (" + reason + ")"
        default:
            throw error
        }
    }

    /// `/sources/wages` → `wages`, `/scores/health` → `score_health`, `/next_visit_on` → itself.
    static func field(of pointer: String) -> String {
        let parts = pointer.split(separator: "/").map(String.init)
        if parts.first == "scores", parts.count > 1 { return "score_" + parts[1] }
        return parts.last ?? ""
    }

    /// For the template: each field's message under `errors.<field>`, and `invalid.<field>`.
    var values: [String: Any] {
        ["errors": byField, "invalid": byField.mapValues { _ in true }, "form_error": general ?? (byField.isEmpty ? "" : texts["error_check_fields"])]
    }
}

/// The services' own wordings of a field's problem that the web app says in each language.
enum ServiceWording {
    static let known: [(prefix: String, key: String)] = [
        ("is required", "error_required"),
        ("must not be empty", "error_required"),
        ("must be greater than zero", "error_positive"),
        ("must not be negative", "error_not_negative"),
        ("is in the future", "error_future"),
        ("must be after the visit's date", "error_next_visit_after"),
        ("has more than", "error_decimals"),
        ("is outside the dates", "error_date_range"),
        ("is before the day the goal is set", "error_target_before_set"),
    ]

    static func say(_ detail: String, texts: Texts) -> String {
        for (prefix, key) in known where detail.hasPrefix(prefix) || detail.contains(prefix) {
            return texts[key]
        }
        return detail
    }
}
