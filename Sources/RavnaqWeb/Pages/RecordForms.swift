import Foundation
import HTTPTypes
import Hummingbird
import RavnaqCore
import RavnaqHTTP

/// The forms a mentor fills in at a family's door: a visit (with the next one), a month's project
/// report, the household's income (answered at once with income per head and its band), an
/// assessment, a goal, a referral, and a goal's or referral's status. Each is kept by the
/// phone while offline and sent with an Idempotency-Key made on the phone, so that however
/// often it is sent it is recorded once (web/assets/app.js; `Database.record(as:once:…)`).
struct RecordForms {
    let services: Services

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("families/:id/visit") { try await show($0, $1, visitForm) }
        group.post("families/:id/visit", use: saveVisit)
        group.get("families/:id/income") { try await show($0, $1, incomeForm) }
        group.post("families/:id/income", use: saveIncome)
        group.get("families/:id/assessment") { try await show($0, $1, assessmentForm) }
        group.post("families/:id/assessment", use: saveAssessment)
        group.get("families/:id/goal") { try await show($0, $1, goalForm) }
        group.post("families/:id/goal", use: saveGoal)
        group.get("families/:id/referral") { try await show($0, $1, referralForm) }
        group.post("families/:id/referral", use: saveReferral)
        group.post("families/:id/goals/:item/status", use: goalStatus)
        group.post("families/:id/referrals/:item/status", use: referralStatus)
        group.get("projects/:id/report", use: reportPage)
        group.post("projects/:id/report", use: saveReport)
    }

    // MARK: The forms

    func visitForm(_ family: String, _ texts: Texts) -> FormView {
        FormView(
            heading: texts["record_visit"], action: "/families/\(family)/visit", submit: texts["save"],
            back: ("/families/\(family)", texts["back_to_family"]), offlineLabel: texts["record_visit"],
            fields: [
                FormField(name: "date", label: texts["field_visit_date"], kind: .date, initial: Today.display()),
                FormField(name: "kind", label: texts["field_visit_kind"], kind: .select,
                          options: VisitKind.allCases.map { ($0.rawValue, texts["visit_kind_\($0.rawValue)"]) }, initial: "home"),
                FormField(name: "notes", label: texts["field_notes"], kind: .textarea, required: false),
                FormField(name: "next_visit_on", label: texts["field_next_visit"], kind: .date, hint: texts["hint_next_visit"],
                          initial: Today.display(daysAhead: 14)),
            ])
    }

    func incomeForm(_ family: String, _ texts: Texts) -> FormView {
        FormView(
            heading: texts["record_income"], action: "/families/\(family)/income", submit: texts["save"],
            back: ("/families/\(family)", texts["back_to_family"]), intro: texts["income_intro"], offlineLabel: texts["record_income"],
            fields: [
                FormField(name: "period", label: texts["field_month"], kind: .month, initial: Today.previousMonth()),
                FormField(name: "household_size", label: texts["household_size"], kind: .integer),
            ] + IncomeSource.allCases.map {
                FormField(name: $0.rawValue, label: texts["source_\($0.rawValue)"], kind: .amount, required: false, initial: "")
            })
    }

    func assessmentForm(_ family: String, _ texts: Texts) -> FormView {
        let levels = (1...5).map { "\($0) — \(texts["level_\($0)"])" }
        return FormView(
            heading: texts["record_assessment"], action: "/families/\(family)/assessment", submit: texts["save"],
            back: ("/families/\(family)", texts["back_to_family"]), offlineLabel: texts["record_assessment"],
            legend: (texts["levels_title"], levels + [texts["level_0"]]),
            fields: [
                FormField(name: "assessed_on", label: texts["field_assessed_on"], kind: .date, initial: Today.display()),
                FormField(name: "kind", label: texts["field_assessment_kind"], kind: .select,
                          options: AssessmentKind.allCases.map { ($0.rawValue, texts["assessment_kind_\($0.rawValue)"]) }, initial: "periodic"),
            ] + Assessments.domains.map { domain in
                let optional = Assessments.optionalDomains.contains(domain)
                return FormField(name: "score_\(domain)", label: texts["domain_\(domain)"], kind: .select, hint: texts["domain_hint_\(domain)"],
                                 options: (optional ? [("0", "0 — \(texts["level_0_short"])")] : [])
                                     + (1...5).map { ("\($0)", "\($0) — \(texts["level_\($0)"])") })
            })
    }

    func goalForm(_ family: String, _ texts: Texts) -> FormView {
        FormView(
            heading: texts["add_goal"], action: "/families/\(family)/goal", submit: texts["save"],
            back: ("/families/\(family)", texts["back_to_family"]), offlineLabel: texts["add_goal"],
            fields: [
                FormField(name: "text", label: texts["field_goal"], kind: .textarea),
                FormField(name: "date", label: texts["field_set_on"], kind: .date, initial: Today.display()),
                FormField(name: "target_on", label: texts["field_target_on"], kind: .date, required: false),
            ])
    }

    func referralForm(_ family: String, _ texts: Texts) -> FormView {
        FormView(
            heading: texts["add_referral"], action: "/families/\(family)/referral", submit: texts["save"],
            back: ("/families/\(family)", texts["back_to_family"]), offlineLabel: texts["add_referral"],
            fields: [
                FormField(name: "specialist", label: texts["field_specialist"], kind: .select,
                          options: ["psychologist", "lawyer", "doctor", "pedagogue", "employment_service", "other"].map { ($0, texts["specialist_\($0)"]) }),
                FormField(name: "reason", label: texts["field_reason"], kind: .textarea),
                FormField(name: "date", label: texts["field_referred_on"], kind: .date, initial: Today.display()),
            ])
    }

    func reportForm(_ project: String, family: String, title: String, _ texts: Texts) -> FormView {
        FormView(
            heading: "\(texts["record_report"]): \(title)", action: "/projects/\(project)/report", submit: texts["save"],
            back: ("/families/\(family)", texts["back_to_family"]), offlineLabel: "\(texts["record_report"]): \(title)",
            fields: [
                FormField(name: "period", label: texts["field_month"], kind: .month, initial: Today.previousMonth()),
                FormField(name: "revenue", label: texts["field_revenue"], kind: .amount),
                FormField(name: "costs", label: texts["field_costs"], kind: .amount),
                FormField(name: "units_sold", label: texts["field_units_sold"], kind: .integer, required: false),
                FormField(name: "members_working", label: texts["field_members_working"], kind: .integer),
                FormField(name: "hired_workers", label: texts["field_hired_workers"], kind: .integer, required: false),
            ])
    }

    // MARK: Showing and saving

    /// A family's form, new.
    func show(_ request: Request, _ context: RavnaqRequestContext, _ form: (String, Texts) -> FormView) async throws -> Response {
        let actor = try context.requireActor()
        try actor.require(.admin, .coordinator, .mentor, to: "record for families")
        let family = try context.parameters.require("id")
        // The family must be one this person may see; a stranger's form is a 404 like its page.
        _ = try await services.families.get(family, as: actor)
        let texts = Language.of(request).texts
        let view = form(family, texts)
        return Pages.shared.page("record_form", title: view.heading, view.values(form: nil, problems: nil, texts: texts),
                                 request: request, context: context)
    }

    /// Reads the form, checks what the page can check, saves through the service and goes to
    /// `done`; else answers the form again (422) with every problem beside its field.
    static func submit(_ request: Request, _ context: RavnaqRequestContext, view: FormView,
                read: (Form, inout FormProblems) -> Void,
                save: (Form, IdempotencyKey?) async throws -> String) async throws -> Response {
        var request = request
        let form = try await Form.read(&request)
        let texts = Language.of(request).texts
        var problems = FormProblems(texts: texts)
        read(form, &problems)
        if problems.isEmpty {
            do {
                return Pages.redirect(try await save(form, Self.idempotency(request, form)))
            } catch let error as RavnaqError {
                try problems.absorb(error)
            }
        }
        return Pages.shared.page("record_form", title: view.heading, view.values(form: form, problems: problems, texts: texts),
                                 request: request, context: context, status: .unprocessableContent)
    }

    /// The phone's Idempotency-Key, compared by the form's fields (without its token, which
    /// changes when the phone signs in again).
    static func idempotency(_ request: Request, _ form: Form) -> IdempotencyKey? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty, key.count <= 255 else { return nil }
        var fields = form.fields
        fields["csrf"] = nil
        let body = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return IdempotencyKey(key: key, body: body)
    }

    @Sendable func saveVisit(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let family = try context.parameters.require("id")
        let texts = Language.of(request).texts
        var date: String?, next: String?
        return try await Self.submit(request, context, view: visitForm(family, texts), read: { form, problems in
            date = problems.date(form, "date")
            _ = problems.text(form, "kind")
            next = problems.date(form, "next_visit_on")
        }, save: { form, key in
            _ = try await services.cases.recordVisit(
                family: family, VisitInput(date: date, kind: form["kind"], notes: form["notes"], next_visit_on: next),
                as: try context.requireActor(), idempotency: key)
            return "/families/\(family)?done=visit"
        })
    }

    @Sendable func saveIncome(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let family = try context.parameters.require("id")
        let texts = Language.of(request).texts
        var period: String?, size: Int?
        var sources: [String: AmountInput] = [:]
        return try await Self.submit(request, context, view: incomeForm(family, texts), read: { form, problems in
            period = problems.month(form, "period")
            size = problems.integer(form, "household_size", in: 1...50)
            for source in IncomeSource.allCases {
                sources[source.rawValue] = problems.amount(form, source.rawValue, required: false) ?? "0"
            }
        }, save: { _, key in
            let saved = try await services.progress.incomes.record(
                family: family, IncomeInput(period: period, household_size: size, sources: sources),
                as: try context.requireActor(), idempotency: key).document
            return "/families/\(family)?done=income&period=\(saved.string("period") ?? "")"
        })
    }

    @Sendable func saveAssessment(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let family = try context.parameters.require("id")
        let texts = Language.of(request).texts
        var date: String?
        var scores: [String: Int] = [:]
        return try await Self.submit(request, context, view: assessmentForm(family, texts), read: { form, problems in
            date = problems.date(form, "assessed_on")
            _ = problems.text(form, "kind")
            for domain in Assessments.domains {
                scores[domain] = problems.integer(form, "score_\(domain)", in: Assessments.optionalDomains.contains(domain) ? 0...5 : 1...5)
            }
        }, save: { form, key in
            _ = try await services.progress.assessments.record(
                family: family, AssessmentInput(assessed_on: date, kind: form["kind"], scores: scores),
                as: try context.requireActor(), idempotency: key)
            return "/families/\(family)?done=assessment"
        })
    }

    @Sendable func saveGoal(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let family = try context.parameters.require("id")
        let texts = Language.of(request).texts
        var date: String?, target: String?
        return try await Self.submit(request, context, view: goalForm(family, texts), read: { form, problems in
            _ = problems.text(form, "text")
            date = problems.date(form, "date")
            target = problems.date(form, "target_on", required: false)
        }, save: { form, key in
            _ = try await services.cases.addGoal(family: family, GoalInput(text: form["text"], target_on: target, date: date),
                                                 as: try context.requireActor(), idempotency: key)
            return "/families/\(family)?done=goal"
        })
    }

    @Sendable func saveReferral(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let family = try context.parameters.require("id")
        let texts = Language.of(request).texts
        var date: String?
        return try await Self.submit(request, context, view: referralForm(family, texts), read: { form, problems in
            _ = problems.text(form, "specialist")
            _ = problems.text(form, "reason")
            date = problems.date(form, "date")
        }, save: { form, key in
            _ = try await services.cases.addReferral(family: family, ReferralInput(specialist: form["specialist"], reason: form["reason"], date: date),
                                                     as: try context.requireActor(), idempotency: key)
            return "/families/\(family)?done=referral"
        })
    }

    @Sendable func goalStatus(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        try await changeStatus(request, context, goals: true)
    }

    @Sendable func referralStatus(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        try await changeStatus(request, context, goals: false)
    }

    /// A goal's or referral's new status, as of today; refused changes come back on the family's page.
    private func changeStatus(_ request: Request, _ context: RavnaqRequestContext, goals: Bool) async throws -> Response {
        var request = request
        let form = try await Form.read(&request)
        let family = try context.parameters.require("id"), item = try context.parameters.require("item")
        let input = CaseStatusInput(status: form["status"], date: Today.iso())
        let actor = try context.requireActor()
        do {
            if goals {
                _ = try await services.cases.changeGoalStatus(family: family, goal: item, input, as: actor)
            } else {
                _ = try await services.cases.changeReferralStatus(family: family, referral: item, input, as: actor)
            }
        } catch let error as RavnaqError {
            var problems = FormProblems(texts: Language.of(request).texts)
            try problems.absorb(error)
            return Pages.shared.page("error", title: problems.general ?? error.message,
                                     ["message": problems.general ?? error.message, "back": "/families/\(family)"],
                                     request: request, context: context, status: .unprocessableContent)
        }
        return Pages.redirect("/families/\(family)?done=\(goals ? "goal_status" : "referral_status")")
    }

    @Sendable func reportPage(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        try actor.require(.admin, .coordinator, .mentor, to: "record project reports")
        let id = try context.parameters.require("id")
        let project = try await services.projects.get(id, as: actor).document
        let texts = Language.of(request).texts
        let view = reportForm(id, family: project.string("family_id") ?? "", title: project.string("title") ?? "", texts)
        return Pages.shared.page("record_form", title: view.heading, view.values(form: nil, problems: nil, texts: texts),
                                 request: request, context: context)
    }

    @Sendable func saveReport(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let id = try context.parameters.require("id")
        let project = try await services.projects.get(id, as: actor).document
        let family = project.string("family_id") ?? ""
        let texts = Language.of(request).texts
        var input = MonthlyReportInput()
        return try await Self.submit(request, context, view: reportForm(id, family: family, title: project.string("title") ?? "", texts), read: { form, problems in
            input.period = problems.month(form, "period")
            input.revenue = problems.amount(form, "revenue")
            input.costs = problems.amount(form, "costs")
            input.units_sold = problems.integer(form, "units_sold", in: 0...1_000_000, required: false)
            input.members_working = problems.integer(form, "members_working", in: 0...50)
            input.hired_workers = problems.integer(form, "hired_workers", in: 0...1000, required: false)
        }, save: { _, key in
            _ = try await services.progress.reports.record(project: id, input, as: actor, idempotency: key)
            return "/families/\(family)?done=report"
        })
    }
}

/// Today in Tashkent, for the dates a form suggests (the services decide what "today" is for
/// what they check, in the organization's own time zone).
enum Today {
    static let zone = TimeZone(identifier: "Asia/Tashkent")!

    static func components(daysAhead: Int = 0) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let day = calendar.date(byAdding: .day, value: daysAhead, to: Date())!
        return calendar.dateComponents([.year, .month, .day], from: day)
    }

    static func iso(daysAhead: Int = 0) -> String {
        let c = components(daysAhead: daysAhead)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    static func display(daysAhead: Int = 0) -> String { Formats.date(iso(daysAhead: daysAhead)) }

    /// The month before this one, as MM.YYYY (a month is reported once it is over).
    static func previousMonth() -> String {
        let c = components()
        let (year, month) = c.month! == 1 ? (c.year! - 1, 12) : (c.year!, c.month! - 1)
        return String(format: "%02d.%04d", month, year)
    }
}
