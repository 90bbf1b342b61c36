import Foundation
import RavnaqMoney

/// What must hold before a tranche may be disbursed (SPEC §5).
public enum GrantCondition: String, Sendable, CaseIterable, Codable {
    /// Named `unconditional` in Swift so that it never reads like `Optional.none`.
    case unconditional = "none"
    case trainingCompleted = "training_completed"
    case businessPlanApproved = "business_plan_approved"
    case previousTrancheAccounted = "previous_tranche_accounted"
}

public enum ExpenseCategory: String, Sendable, CaseIterable, Codable {
    case equipment, materials, rent, transport, other
}

public enum TrancheStatus: String, Sendable, CaseIterable, Codable {
    case pending, approved, disbursed
}

/// The arithmetic of grants, without a database: exact, on whole minor units.
public enum GrantRules {
    /// `previous_tranche_accounted`: expenses cover at least 80 % of what was disbursed before,
    /// i.e. 5 · expenses ≥ 4 · disbursed, compared as 128-bit integers so nothing can overflow
    /// or round.
    public static func previousTranchesAccounted(expenses: Amount, disbursedBefore: Amount) -> Bool {
        let left = expenses.minorUnits.multipliedFullWidth(by: 5)
        let right = disbursedBefore.minorUnits.multipliedFullWidth(by: 4)
        return (left.high, left.low) >= (right.high, right.low)
    }

    /// The smallest expenses that make `previous_tranche_accounted` hold: ⌈0.8 · disbursed⌉ in
    /// minor units (said in the refusal, so the coordinator knows what is missing).
    public static func expensesNeeded(disbursedBefore: Amount) -> Amount {
        // ⌈4d / 5⌉ without overflow: d = 5q + r, so 4d/5 = 4q + 4r/5.
        let q = disbursedBefore.minorUnits / 5
        let r = disbursedBefore.minorUnits % 5
        return Amount(minorUnits: 4 * q + (4 * r + 4) / 5)
    }

    /// The sum of amounts, or nil if it does not fit in 64-bit minor units.
    public static func sum(_ amounts: [Amount]) -> Amount? {
        var total: Int64 = 0
        for amount in amounts {
            let (next, overflow) = total.addingReportingOverflow(amount.minorUnits)
            if overflow { return nil }
            total = next
        }
        return Amount(minorUnits: total)
    }
}

extension Currency {
    /// A `numeric(18,2)` as PostgreSQL writes it (`"4000000.00"`) as an exact amount. The column
    /// keeps two decimal places whatever the currency, so zero digits beyond the currency's own
    /// are dropped first (`"1500.00"` is 1500 JPY).
    func amount(numeric text: String) throws -> Amount {
        var whole = text
        var fraction = ""
        if let point = text.firstIndex(of: ".") {
            whole = String(text[..<point])
            fraction = String(text[text.index(after: point)...])
            while fraction.count > minorDigits, fraction.hasSuffix("0") { fraction.removeLast() }
        }
        guard let amount = parse(fraction.isEmpty ? whole : whole + "." + fraction) else {
            throw RavnaqError.fault("the stored amount \(text) does not fit \(code)")
        }
        return amount
    }
}
