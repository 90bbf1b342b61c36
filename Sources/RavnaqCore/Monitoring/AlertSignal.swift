import Foundation

/// The signals that a family is slipping (issue 17). PostgreSQL decides them and their figures
/// (`family_signals()`, sql/definitions/85_alerts.sql, which also holds the default weights);
/// this names the codes, so that a programme's weights can be checked, and words each reason in
/// English. The codes are stable: the web app translates by them.
public enum AlertSignal: String, CaseIterable, Sendable {
    case loanInArrears = "loan_in_arrears"
    case repaymentLate = "repayment_late"
    case netIncomeFalling = "net_income_falling"
    case incomeBelowLine = "income_below_line"
    case grantUnaccounted = "grant_unaccounted"
    case visitOverdue = "visit_overdue"
    case ssmDomainDropped = "ssm_domain_dropped"
    case memberStoppedWorking = "member_stopped_working"
    case recordsMissing = "records_missing"

    /// The reason in words, with the figures behind it.
    public func words(_ figures: JSONValue) -> String {
        switch self {
        case .netIncomeFalling:
            let months = figures["months"].array.compactMap(\.string)
            let net = figures["net"].array.compactMap(\.string).map(Self.grouped)
            return "net income fell \(net.count) months in a row: \(net.joined(separator: " → "))"
                + (months.count == net.count && !months.isEmpty ? " (\(months.first!) to \(months.last!))" : "")
        case .recordsMissing:
            let month = figures["month"].string ?? "last month"
            var missing: [String] = []
            if figures["project_report"].bool == true { missing.append("no project report") }
            if figures["household_income"].bool == true { missing.append("no household income") }
            return "\(missing.joined(separator: " and ")) recorded for \(month), due by the 10th"
        case .repaymentLate, .loanInArrears:
            let days = figures["days_past_due"].integer ?? 0
            return "loan \(figures["loan"].string ?? "?") is \(days) day\(days == 1 ? "" : "s") past due"
                + (self == .loanInArrears ? ", in arrears" : "")
                + ": \(Self.grouped(figures["overdue"].string ?? "0")) \(figures["currency"].string ?? "") overdue"
        case .visitOverdue:
            let days = figures["days_overdue"].integer ?? 0
            return "a visit was due on \(figures["due_on"].string ?? "?"), \(days) days ago"
                + (figures["last_visit_on"].string.map { " (last visit \($0))" } ?? " (no visit yet)")
        case .ssmDomainDropped:
            let dates = figures["assessed_on"].array.compactMap(\.string)
            let domains = figures["domains"].array.map { domain in
                "\(domain["domain"].string ?? "?") \(domain["from"].string ?? "?") → \(domain["to"].string ?? "?")"
            }
            return "self-sufficiency scores fell"
                + (dates.count == 2 ? " from \(dates[0]) to \(dates[1])" : "") + ": " + domains.joined(separator: ", ")
        case .incomeBelowLine:
            let months = figures["months"].array.compactMap(\.string)
            let income = figures["per_capita"].array.compactMap(\.string).map(Self.grouped)
            let line = figures["line"].array.compactMap(\.string).map(Self.grouped)
            guard months.count == 2, income.count == 2, line.count == 2 else { return "per-capita income fell below the poverty line" }
            return "per-capita income fell below the poverty line in \(months[1]): \(income[1]) against \(line[1])"
                + " (\(months[0]): \(income[0]) against \(line[0]))"
        case .memberStoppedWorking:
            let members = figures["members"].array.map { member in
                let relation = member["relation"].string ?? "member"
                let who = member["name"].string.map { "\($0) (\(relation))" } ?? "the \(relation)"
                return "\(who) stopped working on \(member["stopped_on"].string ?? "?")"
            }
            return members.joined(separator: "; ")
        case .grantUnaccounted:
            return "grant \(figures["grant"].string ?? "?"): \(Self.grouped(figures["spent"].string ?? "0")) of "
                + "\(Self.grouped(figures["disbursed"].string ?? "0")) \(figures["currency"].string ?? "") disbursed 60 or more days ago "
                + "accounted for (\(figures["utilization_percent"].string ?? "?") %)"
        }
    }

    /// An amount as people read it: thousands grouped by spaces, whole amounts without their
    /// zero minor digits ("1200000.00" → "1 200 000", "950000.50" → "950 000.50").
    public static func grouped(_ amount: String) -> String {
        var (whole, fraction) = (Substring(amount), Substring(""))
        if let dot = amount.firstIndex(of: ".") {
            whole = amount[..<dot]
            fraction = amount[amount.index(after: dot)...]
        }
        let negative = whole.hasPrefix("-")
        let grouped = (negative ? "-" : "") + ThousandsGrouping.grouped(negative ? whole.dropFirst() : whole, separator: " ")
        return fraction.allSatisfy { $0 == "0" } ? grouped : grouped + "." + fraction
    }
}
