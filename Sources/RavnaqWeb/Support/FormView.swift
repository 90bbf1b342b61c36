import Foundation

/// One field of a form as the `record_form` template draws it: a label on every field, the
/// person's input kept when the form comes back with errors, the error beside the field, and
/// HTML's own checks (required, pattern) so that the browser refuses obvious mistakes before
/// sending.
struct FormField {
    enum Kind { case text, textarea, date, month, amount, integer, select, password }

    let name: String
    let label: String
    var kind: Kind = .text
    var required = true
    var hint: String?
    var options: [(value: String, label: String)] = []
    /// The value shown when the form is new.
    var initial: String = ""

    func values(form: Form?, problems: FormProblems?, texts: Texts) -> [String: Any] {
        let value = form?.fields[name] ?? initial
        var values: [String: Any] = [
            "name": name, "label": label, "required": required, "value": value,
            "hint": hint ?? "", "error": problems?.byField[name] ?? "",
            "is_select": kind == .select, "is_textarea": kind == .textarea,
            "is_input": kind != .select && kind != .textarea,
        ]
        switch kind {
        case .date:
            values["type"] = "text"
            values["inputmode"] = "numeric"
            values["placeholder"] = texts["date_placeholder"]
            values["pattern"] = #"\d{1,2}[./\-]\d{1,2}[./\-]\d{4}|\d{4}-\d{2}-\d{2}"#
        case .month:
            values["type"] = "text"
            values["inputmode"] = "numeric"
            values["placeholder"] = texts["month_placeholder"]
            values["pattern"] = #"\d{1,2}[./\-]\d{4}|\d{4}-\d{2}"#
        case .amount:
            values["type"] = "text"
            values["inputmode"] = "decimal"
            values["pattern"] = #"[0-9  ]+([.,][0-9]{1,2})?"#
        case .integer:
            values["type"] = "text"
            values["inputmode"] = "numeric"
            values["pattern"] = "[0-9]+"
        case .password:
            values["type"] = "password"
        case .text, .textarea, .select:
            values["type"] = "text"
        }
        values["options"] = options.map { ["value": $0.value, "label": $0.label, "selected": $0.value == value] }
        return values
    }
}

/// A whole form for `record_form`.
struct FormView {
    let heading: String
    let action: String
    let submit: String
    let back: (href: String, label: String)
    var intro: String?
    /// The label under which the phone's outbox lists the form while it waits (nil: never kept offline).
    var offlineLabel: String?
    var legend: (title: String, lines: [String])?
    let fields: [FormField]

    func values(form: Form?, problems: FormProblems?, texts: Texts) -> [String: Any] {
        var values: [String: Any] = [
            "heading": heading, "action": action, "submit": submit, "back": back.href, "back_label": back.label,
            "intro": intro ?? "", "offline": offlineLabel != nil, "offline_label": offlineLabel ?? "",
            "fields": fields.map { $0.values(form: form, problems: problems, texts: texts) },
            "form_error": "",
        ]
        if let legend {
            values["legend_title"] = legend.title
            values["legend"] = legend.lines
        }
        if let problems { values["form_error"] = problems.values["form_error"] ?? "" }
        return values
    }
}
