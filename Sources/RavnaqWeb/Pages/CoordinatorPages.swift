import Foundation
import HTTPTypes
import Hummingbird
import RavnaqCore
import RavnaqHTTP
import RavnaqMoney

/// A coordinator's desk: today's collection list with a repayment form on every late loan, a
/// loan's page with its schedule, the case file, the books (trial balance), and opening a
/// project, a loan and a grant.
struct CoordinatorPages {
    let services: Services

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("collections", use: collections)
        group.get("loans/:id", use: loan)
        group.post("loans/:id/repayment", use: repay)
        group.get("families/:id/case-file", use: caseFile)
        group.get("books", use: books)
        group.get("families/:id/project", use: projectPage)
        group.post("families/:id/project", use: openProject)
        group.get("projects/:id/loan", use: newLoanPage)
        group.post("projects/:id/loan", use: openLoan)
        group.get("projects/:id/grant", use: newGrantPage)
        group.post("projects/:id/grant", use: openGrant)
    }

    private func desk(_ context: RavnaqRequestContext) throws -> Actor {
        let actor = try context.requireActor()
        try actor.require(.admin, .coordinator, to: "work the collections and the books")
        return actor
    }

    // MARK: Collections

    @Sendable func collections(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try desk(context)
        let language = Language.of(request)
        let texts = language.texts
        // Fifty a page, most days late first: the list a coordinator works through in a morning.
        let late = try await services.loans.late(asOf: nil, page: try Page(limit: "50", cursor: request.uri.queryParameters.get("cursor")), as: actor)
        let rows: [[String: Any]] = late.items.map { loan in
            [
                "id": loan.id, "number": loan.number, "family_id": loan.family_id, "family_code": loan.family_code,
                "family_head": loan.family_head ?? "", "mentor": loan.mentor ?? texts["none"],
                "dpd": texts.format("days_past_due", ["n": "\(loan.days_past_due)"]),
                "overdue": Formats.amount(loan.overdue, currency: loan.currency, in: language),
                "overdue_input": Formats.grouped(loan.overdue).replacingOccurrences(of: "\u{00A0}", with: " "),
                "key": Users.formToken(), "today": Today.display(), "csrf": context.session?.csrfToken ?? "",
            ]
        }
        var values: [String: Any] = ["loans": rows, "empty": rows.isEmpty, "today": Today.display()]
        if let next = late.nextCursor { values["next"] = "/collections?cursor=\(next)" }
        if request.uri.queryParameters.get("cursor") != nil { values["first"] = "/collections" }
        if request.uri.queryParameters.get("done") == "repayment" {
            values["notice"] = texts.format("done_repayment", ["loan": request.uri.queryParameters.get("loan") ?? ""])
        }
        return Pages.shared.page("collections", title: texts["collections_title"], values, request: request, context: context)
    }

    /// A repayment, from the collection list or a loan's page. The form carries a key made when
    /// it was drawn, sent as its Idempotency-Key: sent twice (a double tap, a reload), it is booked once.
    @Sendable func repay(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try desk(context)
        var request = request
        let form = try await Form.read(&request)
        let id = try context.parameters.require("id")
        let language = Language.of(request)
        var problems = FormProblems(texts: language.texts)
        let amount = problems.amount(form, "amount")
        let date = problems.date(form, "date")
        if problems.isEmpty {
            do {
                let key = form["key"].map { IdempotencyKey(key: $0, body: Self.repaymentBody(amount: amount!, date: date!)) }
                _ = try await services.loans.repay(id, RepaymentRequest(amount: amount, date: date), as: actor, idempotency: key)
                let loan = try await services.loans.get(id, asOf: nil, as: actor)
                return Pages.redirect(form["back"] == "loan" ? "/loans/\(id)?done=repayment" : "/collections?done=repayment&loan=\(loan.number)")
            } catch let error as RavnaqError {
                try problems.absorb(error)
            }
        }
        return try await loanPage(request, context, id: id, form: form, problems: problems, status: .unprocessableContent)
    }

    static func repaymentBody(amount: AmountInput, date: String) -> String {
        "{\"amount\":\"\(amount.text)\",\"date\":\"\(date)\"}"
    }

    // MARK: A loan

    @Sendable func loan(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        _ = try desk(context)
        return try await loanPage(request, context, id: try context.parameters.require("id"), form: nil, problems: nil, status: .ok)
    }

    private func loanPage(_ request: Request, _ context: RavnaqRequestContext, id: String, form: Form?, problems: FormProblems?,
                          status: HTTPResponse.Status) async throws -> Response {
        let actor = try desk(context)
        let language = Language.of(request)
        let texts = language.texts
        let loan = try await services.loans.get(id, asOf: nil, as: actor)
        let schedule = try await services.loans.schedule(id, asOf: nil, as: actor)
        let money = { (value: String?) in Formats.amount(value, currency: loan.currency, in: language) }
        var values: [String: Any] = [
            "id": loan.id, "number": loan.number, "status": texts["loan_status_\(loan.status)"], "principal": money(loan.principal),
            "rate": loan.annual_rate, "method": texts["method_\(loan.method)"], "installments_count": "\(loan.installments)",
            "disbursed_on": Formats.date(loan.disbursed_on), "outstanding": money(loan.outstanding_principal),
            "dpd": "\(loan.days_past_due)", "late": loan.days_past_due > 0, "overdue": money(loan.overdue), "total_owed": money(loan.total_owed),
            "project_id": loan.project_id, "can_repay": loan.status == "active" || loan.status == "written_off",
            "installments": schedule.installments.map { one -> [String: Any] in
                ["n": "\(one.n)", "due_on": Formats.date(one.due_on), "principal": money(one.principal), "interest": money(one.interest),
                 "fees": money(one.fees), "total": money(one.total), "paid": money(one.paid),
                 "status": texts["installment_status_\(one.status)"], "late": one.status == "late"]
            },
            "key": form?["key"] ?? Users.formToken(), "amount": form?.fields["amount"] ?? "", "date": form?.fields["date"] ?? Today.display(),
        ]
        values.merge((problems ?? FormProblems(texts: texts)).values) { _, new in new }
        if request.uri.queryParameters.get("done") == "repayment" { values["notice"] = texts.format("done_repayment", ["loan": loan.number]) }
        return Pages.shared.page("loan", title: "\(texts["loan"]) \(loan.number)", values, request: request, context: context, status: status)
    }

    // MARK: Case file and books

    @Sendable func caseFile(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try desk(context)
        let language = Language.of(request)
        let texts = language.texts
        let file = try await services.families.get(try context.parameters.require("id"), as: actor).document
        var values = FamilyView.header(file, texts: texts, language: language)
        values["members"] = FamilyView.members(file, texts: texts)
        values["projects"] = FamilyView.projects(file, texts: texts, language: language, canReport: true)
        values["as_of"] = Formats.date(file.string("as_of"))
        if let done = request.uri.queryParameters.get("done") { values["notice"] = texts.entries["done_\(done)"] ?? "" }
        return Pages.shared.page("case_file", title: "\(texts["case_file"]) \(file.string("code") ?? "")", values, request: request, context: context)
    }

    @Sendable func books(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try desk(context)
        let language = Language.of(request)
        let texts = language.texts
        let balance = try await services.ledger.trialBalance(asOf: nil, as: actor)
        let values: [String: Any] = [
            "as_of": Formats.date(balance.as_of),
            "accounts": balance.accounts.map { line -> [String: Any] in
                ["account": texts.entries["account_\(line.account)"] ?? line.account, "code": line.account,
                 "debit": Formats.amount(line.debit, currency: line.currency, in: language),
                 "credit": Formats.amount(line.credit, currency: line.currency, in: language),
                 "balance": Formats.amount(line.balance, currency: line.currency, in: language)]
            },
            "totals": balance.totals.map { total -> [String: Any] in
                ["debit": Formats.amount(total.debit, currency: total.currency, in: language),
                 "credit": Formats.amount(total.credit, currency: total.currency, in: language)]
            },
        ]
        return Pages.shared.page("books", title: texts["books_title"], values, request: request, context: context)
    }

    // MARK: Opening a project, a loan, a grant

    private func programmeOptions(_ actor: Actor) async throws -> [(value: String, label: String)] {
        try await Paged.all { page in try await services.programmes.list(page: page, as: actor) }.items.map { ($0.id, "\($0.name) (\($0.currency))") }
    }

    func projectForm(_ family: String, _ texts: Texts) -> FormView {
        FormView(
            heading: texts["open_project"], action: "/families/\(family)/project", submit: texts["open"],
            back: ("/families/\(family)", texts["back_to_family"]),
            fields: [
                FormField(name: "type", label: texts["field_project_type"], kind: .select,
                          options: ["sewing", "crafts", "baking", "livestock", "greenhouse", "retail", "services", "other"].map { ($0, texts["project_type_\($0)"]) }),
                FormField(name: "title", label: texts["field_title"]),
                FormField(name: "description", label: texts["field_description"], kind: .textarea, required: false),
                FormField(name: "started_on", label: texts["field_started_on"], kind: .date, required: false),
                FormField(name: "expected_monthly_revenue", label: texts["field_expected_revenue"], kind: .amount, required: false),
                FormField(name: "expected_monthly_costs", label: texts["field_expected_costs"], kind: .amount, required: false),
            ])
    }

    @Sendable func projectPage(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try desk(context)
        let family = try context.parameters.require("id")
        _ = try await services.families.get(family, as: actor)
        let texts = Language.of(request).texts
        let view = projectForm(family, texts)
        return Pages.shared.page("record_form", title: view.heading, view.values(form: nil, problems: nil, texts: texts), request: request, context: context)
    }

    @Sendable func openProject(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try desk(context)
        let family = try context.parameters.require("id")
        let texts = Language.of(request).texts
        var input = ProjectInput()
        return try await RecordForms.submit(request, context, view: projectForm(family, texts), read: { form, problems in
            input.family_id = family
            input.type = problems.text(form, "type")
            input.title = problems.text(form, "title")
            input.description = form["description"]
            input.started_on = problems.date(form, "started_on", required: false)
            input.expected_monthly_revenue = problems.amount(form, "expected_monthly_revenue", required: false)
            input.expected_monthly_costs = problems.amount(form, "expected_monthly_costs", required: false)
        }, save: { _, _ in
            _ = try await services.projects.create(input, as: actor)
            return "/families/\(family)/case-file?done=project"
        })
    }

    func loanForm(_ project: String, _ family: String, _ programmes: [(value: String, label: String)], _ texts: Texts) -> FormView {
        FormView(
            heading: texts["open_loan"], action: "/projects/\(project)/loan", submit: texts["open"],
            back: ("/families/\(family)/case-file", texts["back_to_case_file"]),
            fields: [
                FormField(name: "programme_id", label: texts["field_programme"], kind: .select, options: programmes),
                FormField(name: "principal", label: texts["field_principal"], kind: .amount),
                FormField(name: "currency", label: texts["field_currency"], kind: .select, options: [("UZS", "UZS"), ("USD", "USD")], initial: "UZS"),
                FormField(name: "annual_rate", label: texts["field_annual_rate"], kind: .amount, hint: texts["hint_annual_rate"]),
                FormField(name: "method", label: texts["field_method"], kind: .select,
                          options: RepaymentMethod.allCases.map { ($0.rawValue, texts["method_\($0.rawValue)"]) }, initial: "annuity"),
                FormField(name: "installments", label: texts["field_installments"], kind: .integer),
                FormField(name: "frequency", label: texts["field_frequency"], kind: .select,
                          options: Frequency.allCases.map { ($0.rawValue, texts["frequency_\($0.rawValue)"]) }, initial: "monthly"),
                FormField(name: "grace_periods", label: texts["field_grace_periods"], kind: .integer, required: false, initial: "0"),
                FormField(name: "planned_disbursement_on", label: texts["field_planned_disbursement"], kind: .date),
            ])
    }

    @Sendable func newLoanPage(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        try await projectForm(request, context, loanForm)
    }

    /// A new form for opening something of a project (a loan, a grant), with the programmes to choose from.
    private func projectForm(_ request: Request, _ context: RavnaqRequestContext,
                             _ form: (String, String, [(value: String, label: String)], Texts) -> FormView) async throws -> Response {
        let actor = try desk(context)
        let id = try context.parameters.require("id")
        let project = try await services.projects.get(id, as: actor).document
        let texts = Language.of(request).texts
        let view = form(id, project.string("family_id") ?? "", try await programmeOptions(actor), texts)
        return Pages.shared.page("record_form", title: view.heading, view.values(form: nil, problems: nil, texts: texts), request: request, context: context)
    }

    @Sendable func openLoan(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try desk(context)
        let id = try context.parameters.require("id")
        let project = try await services.projects.get(id, as: actor).document
        let texts = Language.of(request).texts
        var input = LoanInput(project_id: id)
        let view = loanForm(id, project.string("family_id") ?? "", try await programmeOptions(actor), texts)
        return try await RecordForms.submit(request, context, view: view, read: { form, problems in
            input.programme_id = problems.text(form, "programme_id")
            input.principal = problems.amount(form, "principal")
            input.currency = problems.text(form, "currency")
            input.annual_rate = problems.amount(form, "annual_rate")
            input.method = problems.text(form, "method")
            input.installments = problems.integer(form, "installments", in: 1...360)
            input.frequency = problems.text(form, "frequency")
            input.grace_periods = problems.integer(form, "grace_periods", in: 0...60, required: false)
            input.planned_disbursement_on = problems.date(form, "planned_disbursement_on")
        }, save: { _, _ in
            let loan = try await services.loans.open(input, as: actor)
            return "/loans/\(loan.id)"
        })
    }

    func grantForm(_ project: String, _ family: String, _ programmes: [(value: String, label: String)], _ texts: Texts) -> FormView {
        var fields = [
            FormField(name: "programme_id", label: texts["field_programme"], kind: .select, options: programmes),
            FormField(name: "currency", label: texts["field_currency"], kind: .select, options: [("UZS", "UZS"), ("USD", "USD")], initial: "UZS"),
            FormField(name: "total", label: texts["field_grant_total"], kind: .amount, hint: texts["hint_grant_total"]),
        ]
        for n in 1...3 {
            fields.append(FormField(name: "tranche\(n)_amount", label: texts.format("field_tranche_amount", ["n": "\(n)"]), kind: .amount, required: n == 1))
            fields.append(FormField(name: "tranche\(n)_planned_on", label: texts.format("field_tranche_planned", ["n": "\(n)"]), kind: .date, required: n == 1))
        }
        return FormView(heading: texts["open_grant"], action: "/projects/\(project)/grant", submit: texts["open"],
                        back: ("/families/\(family)/case-file", texts["back_to_case_file"]), fields: fields)
    }

    @Sendable func newGrantPage(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        try await projectForm(request, context, grantForm)
    }

    @Sendable func openGrant(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try desk(context)
        let id = try context.parameters.require("id")
        let project = try await services.projects.get(id, as: actor).document
        let family = project.string("family_id") ?? ""
        let texts = Language.of(request).texts
        var input = GrantInput(project_id: id)
        let view = grantForm(id, family, try await programmeOptions(actor), texts)
        return try await RecordForms.submit(request, context, view: view, read: { form, problems in
            input.programme_id = problems.text(form, "programme_id")
            input.currency = problems.text(form, "currency")
            input.total = problems.amount(form, "total")
            var tranches: [TrancheInput] = []
            for n in 1...3 where n == 1 || form["tranche\(n)_amount"] != nil || form["tranche\(n)_planned_on"] != nil {
                tranches.append(TrancheInput(amount: problems.amount(form, "tranche\(n)_amount"),
                                             planned_on: problems.date(form, "tranche\(n)_planned_on")))
            }
            input.tranches = tranches
        }, save: { _, _ in
            _ = try await services.grants.create(input, as: actor)
            return "/families/\(family)/case-file?done=grant"
        })
    }
}
