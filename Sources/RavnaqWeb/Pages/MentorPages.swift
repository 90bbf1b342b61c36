import Foundation
import HTTPTypes
import Hummingbird
import RavnaqCore
import RavnaqHTTP

/// "My families" (a mentor's caseload, or everyone's family search) and a family's page: its
/// members, projects with their loans, income per head against the poverty line over the last
/// 12 months, self-sufficiency now against intake, open goals and referrals, recent visits.
struct MentorPages {
    let services: Services

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("families", use: families)
        group.get("families/:id", use: family)
    }

    @Sendable func families(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        try actor.require(.admin, .coordinator, .mentor, to: "work with families")
        let texts = Language.of(request).texts
        let query = request.uri.queryParameters.get("q").map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        if actor.role == .mentor && query == nil {
            let caseload = try await services.cases.caseload(as: actor)
            let items: [[String: Any]] = caseload.map { item in
                [
                    "id": item.familyID.idString, "code": item.code, "head": item.head ?? "", "district": item.district,
                    "mahalla": item.mahalla ?? "", "status": texts["family_status_\(item.status)"],
                    "last_visit": Formats.date(item.lastVisitOn), "due": Formats.date(item.dueOn),
                    "overdue": item.daysOverdue > 0, "days_overdue": texts.format("days_overdue", ["n": "\(item.daysOverdue)"]),
                    "due_today": item.daysOverdue == 0,
                    "late": (item.maxDaysPastDue ?? 0) > 0, "dpd": texts.format("days_past_due", ["n": "\(item.maxDaysPastDue ?? 0)"]),
                ]
            }
            return Pages.shared.page("my_families", title: texts["my_families_title"], ["families": items, "empty": items.isEmpty],
                                     request: request, context: context)
        }
        // Three letters at least: fewer match half the organization, and no index helps to find them.
        if let query, query.count < 3 {
            return Pages.shared.page("families", title: texts["families_title"], ["q": query, "too_short": texts["search_too_short"]],
                                     request: request, context: context, status: .unprocessableContent)
        }
        let found = try await services.families.list(query: query, page: Page(limit: 50), as: actor)
        let items: [[String: Any]] = found.documents.map { family in
            ["id": family.string("id") ?? "", "code": family.string("code") ?? "", "head": family.string("head") ?? "",
             "district": family.string("district") ?? "", "status": texts["family_status_\(family.string("status") ?? "")"]]
        }
        return Pages.shared.page("families", title: texts["families_title"],
                                 ["families": items, "q": query ?? "", "empty": items.isEmpty, "more": found.nextCursor != nil],
                                 request: request, context: context)
    }

    @Sendable func family(_ request: Request, context: RavnaqRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        try actor.require(.admin, .coordinator, .mentor, to: "work with families")
        let language = Language.of(request)
        let texts = language.texts
        let id = try context.parameters.require("id")
        let file = try await services.families.get(id, as: actor).document
        async let incomes = services.progress.incomes.list(family: id, page: Page(limit: 500), as: actor)
        async let assessments = services.progress.assessments.list(family: id, page: Page(limit: 500), as: actor)
        async let goals = services.cases.goals(family: id, page: Page(limit: 500), as: actor)
        async let referrals = services.cases.referrals(family: id, page: Page(limit: 500), as: actor)
        async let visits = services.cases.visits(family: id, page: Page(limit: 500), as: actor)
        var values = FamilyView.header(file, texts: texts, language: language)
        values["members"] = FamilyView.members(file, texts: texts)
        values["projects"] = FamilyView.projects(file, texts: texts, language: language, canReport: actor.role != .grantOfficer)
        let months = try await incomes.documents
        values.merge(FamilyView.income(months, texts: texts, language: language)) { _, new in new }
        values.merge(FamilyView.scores(try await assessments.documents, texts: texts)) { _, new in new }
        values["goals"] = FamilyView.openItems(try await goals.documents, kind: "goals", texts: texts, csrf: context.session?.csrfToken ?? "")
        values["referrals"] = FamilyView.openItems(try await referrals.documents, kind: "referrals", texts: texts, csrf: context.session?.csrfToken ?? "")
        values["visits"] = FamilyView.visits(try await visits.documents, texts: texts)
        values["coordinator"] = actor.role == .admin || actor.role == .coordinator
        if let done = request.uri.queryParameters.get("done") { values["notice"] = texts.entries["done_\(done)"] ?? "" }
        // A household income just recorded is answered with its income per head and band at once.
        if let period = request.uri.queryParameters.get("period"), let month = months.first(where: { $0.string("period") == period }) {
            values["income_notice"] = texts.format("income_result", [
                "per_capita": Formats.amount(month.string("per_capita"), in: language), "band": texts["band_\(month.string("band") ?? "none")"]])
        }
        return Pages.shared.page("family", title: "\(texts["family"]) \(file.string("code") ?? "")", values, request: request, context: context)
    }
}

/// A family's page, piece by piece, from the services' documents.
enum FamilyView {
    static func header(_ file: Document, texts: Texts, language: Language) -> [String: Any] {
        let head = file.list("members").first { $0.string("relation") == "head" }?.string("full_name")
        return [
            "id": file.string("id") ?? "", "code": file.string("code") ?? "", "head": head ?? "",
            "region": file.string("region") ?? "", "district": file.string("district") ?? "", "mahalla": file.string("mahalla") ?? "",
            "status": texts["family_status_\(file.string("status") ?? "")"],
            "categories": ((file["categories"] as? [String]) ?? []).map { texts["category_\($0)"] }.joined(separator: ", "),
            "mentor": file.object("mentor").string("email") ?? texts["none"],
        ]
    }

    static func members(_ file: Document, texts: Texts) -> [[String: Any]] {
        file.list("members").map { member in
            ["name": member.string("full_name") ?? texts["erased"], "relation": texts["relation_\(member.string("relation") ?? "")"],
             "birth_date": Formats.date(member.string("birth_date")),
             "works": (member["works"] as? Bool) == true ? texts["yes"] : texts["no"],
             "disability": (member["disability"] as? Bool) == true ? texts["yes"] : texts["no"]]
        }
    }

    static func projects(_ file: Document, texts: Texts, language: Language, canReport: Bool) -> [[String: Any]] {
        file.list("projects").map { project in
            [
                "id": project.string("id") ?? "", "title": project.string("title") ?? "",
                "type": texts["project_type_\(project.string("type") ?? "")"],
                "status": texts["project_status_\(project.string("status") ?? "")"],
                "can_report": canReport && project.string("status") == "active",
                "has_loans": !project.list("loans").isEmpty,
                "loans": project.list("loans").map { loan -> [String: Any] in
                    let dpd = loan.int("days_past_due") ?? 0
                    return ["id": loan.string("id") ?? "", "number": loan.string("number") ?? "",
                            "status": texts["loan_status_\(loan.string("status") ?? "")"],
                            "late": dpd > 0, "dpd": texts.format("days_past_due", ["n": "\(dpd)"]),
                            "outstanding": Formats.amount(loan.string("outstanding_principal"), currency: loan.string("currency") ?? "UZS", in: language)]
                },
                "grants": project.list("grants").map { grant -> [String: Any] in
                    ["id": grant.string("id") ?? "", "number": grant.string("number") ?? "",
                     "total": Formats.amount(grant.string("total"), currency: grant.string("currency") ?? "UZS", in: language),
                     "utilization": Formats.percent(grant.string("utilization"))]
                },
            ]
        }
    }

    /// The last 12 months with an income record: per head against the poverty line, as a chart and a table.
    static func income(_ months: [Document], texts: Texts, language: Language) -> [String: Any] {
        let last = Array(months.suffix(12))
        guard !last.isEmpty else { return ["income_rows": [[String: Any]](), "income_chart": "", "has_income": false] }
        let labels = last.map { Formats.month($0.string("period").map { $0 + "-01" }) }
        let chart = Charts.line(
            title: texts["income_chart_title"], labels: labels,
            series: [.init(name: texts["per_capita"], style: "series-a", values: last.map { $0.string("per_capita") }),
                     .init(name: texts["poverty_line"], style: "series-b", values: last.map { $0.string("poverty_line") })],
            axis: { Formats.grouped($0) })
        let rows: [[String: Any]] = last.reversed().map { month in
            ["month": Formats.month(month.string("period").map { $0 + "-01" }),
             "size": month.string("household_size") ?? "",
             "per_capita": Formats.amount(month.string("per_capita"), in: language),
             "poverty_line": Formats.amount(month.string("poverty_line"), in: language),
             "band": texts["band_\(month.string("band") ?? "none")"], "poor": month.string("band") == "poor"]
        }
        return ["income_rows": rows, "income_chart": chart, "has_income": true]
    }

    /// The latest assessment's scores against intake, domain by domain.
    static func scores(_ assessments: [Document], texts: Texts) -> [String: Any] {
        guard let latest = assessments.last else { return ["scores": [], "has_scores": false] }
        let intake = assessments.first { $0.string("kind") == "intake" }
        let rows: [[String: Any]] = Assessments.domains.map { domain in
            let now = latest.object("scores").int(domain)
            let then = intake?.object("scores").int(domain)
            let change = latest.object("change_since_intake").int(domain)
            return ["domain": texts["domain_\(domain)"], "intake": then.map(Self.score) ?? "–", "latest": now.map(Self.score) ?? "–",
                    "change": change.map { $0 > 0 ? "+\($0)" : "\($0)" } ?? "", "down": (change ?? 0) < 0, "up": (change ?? 0) > 0]
        }
        return ["scores": rows, "has_scores": true, "scores_on": Formats.date(latest.string("assessed_on")),
                "scores_kind": texts["assessment_kind_\(latest.string("kind") ?? "")"]]
    }

    private static func score(_ value: Int) -> String { value == 0 ? "n/a" : "\(value)" }

    /// Open goals or referrals, each with the form that changes its status.
    static func openItems(_ items: [Document], kind: String, texts: Texts, csrf: String) -> [[String: Any]] {
        let closing = kind == "goals" ? ["achieved", "dropped"] : ["done", "declined"]
        return items.filter { $0.string("status") == "open" }.map { item in
            [
                "id": item.string("id") ?? "", "family_id": item.string("family_id") ?? "",
                "text": item.string("text") ?? item.string("reason") ?? "",
                "specialist": item.string("specialist").map { texts["specialist_\($0)"] } ?? "",
                "since": Formats.date(item.string("set_on") ?? item.string("referred_on")),
                "target": Formats.date(item.string("target_on")),
                "choices": closing.map { ["value": $0, "label": texts["\(kind)_status_\($0)"]] },
                "csrf": csrf,
            ]
        }
    }

    static func visits(_ visits: [Document], texts: Texts) -> [[String: Any]] {
        visits.suffix(5).reversed().map { visit in
            ["date": Formats.date(visit.string("date")), "kind": texts["visit_kind_\(visit.string("kind") ?? "")"],
             "next": Formats.date(visit.string("next_visit_on")), "notes": visit.string("notes") ?? ""]
        }
    }
}
