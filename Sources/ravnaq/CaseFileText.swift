import Foundation

/// A family's case file as a person reads it on a terminal: the family, then one section each
/// for members, projects, loans and grants (the JSON answer has it all, nested).
enum CaseFileText {
    static let memberColumns = ["id", "full_name", "sex", "birth_date", "relation", "pinfl", "disability", "works"]

    static func render(_ json: Data) throws -> String {
        let file = try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:]
        // A person reads yes and no; lists (categories) with commas.
        func text(_ value: Any?) -> String { OutputOptions.text(value, booleans: ("yes", "no"), separator: ", ") }
        func table(_ title: String, _ rows: [[String: Any]], _ columns: [String], extra: [String: String] = [:]) -> String {
            guard !rows.isEmpty else { return "\(title): none" }
            let cells = rows.map { row in columns.map { extra[$0].map { key in text(row[key]) } ?? text(row[$0]) } }
            return "\(title)\n" + TextTable.render(header: columns, rows: cells)
        }

        let place = [file["region"], file["district"], file["mahalla"]].map { text($0) }.filter { !$0.isEmpty }
        let mentor = file["mentor"] as? [String: Any]
        var facts: [(String, String)] = [
            ("status", text(file["status"]) + (text(file["status_on"]).isEmpty ? "" : " since \(text(file["status_on"]))")),
            ("place", place.joined(separator: ", ")),
            ("categories", text(file["categories"])),
            ("registry", text(file["registry_ref"])),
            ("consent", text(file["consent_on"]) + (text(file["consent_withdrawn_on"]).isEmpty ? "" : ", withdrawn \(text(file["consent_withdrawn_on"]))")),
            ("mentor", mentor.map { "\(text($0["email"])) since \(text($0["from"]))" } ?? "none"),
        ]
        facts = facts.filter { !$0.1.isEmpty }
        let width = facts.map(\.0.count).max() ?? 0
        let header = "Family \(text(file["code"])) as of \(text(file["as_of"]))\n"
            + facts.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")

        let projects = file["projects"] as? [[String: Any]] ?? []
        // Loans and grants sit inside their project; each row names its project's title.
        func funding(_ key: String) -> [[String: Any]] {
            projects.flatMap { project in
                (project[key] as? [[String: Any]] ?? []).map { $0.merging(["project": project["title"] ?? ""]) { current, _ in current } }
            }
        }
        return [
            header,
            table("Members", file["members"] as? [[String: Any]] ?? [], memberColumns),
            table("Projects", projects, ["id", "type", "title", "status", "started_on"]),
            table("Loans", funding("loans"), ["number", "project", "status", "currency", "principal", "outstanding_principal", "days_past_due"]),
            table("Grants", funding("grants"), ["number", "project", "status", "disbursed", "utilization"]),
        ].joined(separator: "\n\n")
    }
}
