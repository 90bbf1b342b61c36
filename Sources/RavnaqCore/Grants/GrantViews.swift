import Foundation
import RavnaqMoney

/// A grant as answers show it: amounts in the grant's currency, `utilization` as a JSON number
/// (null while nothing is disbursed).
public struct GrantView: Encodable, Sendable, ListItem {
    public let id: String
    public let number: String
    public let programme_id: String
    public let programme: String
    public let project_id: String
    public let family_code: String
    public let currency: String
    public let total: String
    public let disbursed: String
    public let expenses: String
    public let utilization: Decimal?
    public let tranches: [GrantTrancheView]

    private enum CodingKeys: String, CodingKey {
        case id, number, programme_id, programme, project_id, family_code, currency, total, disbursed, expenses
        case utilization, tranches
    }

    /// Written by hand so that a missing utilization is `null`, not a missing key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(number, forKey: .number)
        try container.encode(programme_id, forKey: .programme_id)
        try container.encode(programme, forKey: .programme)
        try container.encode(project_id, forKey: .project_id)
        try container.encode(family_code, forKey: .family_code)
        try container.encode(currency, forKey: .currency)
        try container.encode(total, forKey: .total)
        try container.encode(disbursed, forKey: .disbursed)
        try container.encode(expenses, forKey: .expenses)
        try container.encode(utilization, forKey: .utilization)
        try container.encode(tranches, forKey: .tranches)
    }
}

public struct GrantTrancheView: Encodable, Sendable {
    public let n: Int
    public let amount: String
    public let planned_on: String
    public let condition: String
    public let status: String
    public let approved: Bool
    public let approved_by: String?
    public let disbursed_on: String?

    private enum CodingKeys: String, CodingKey {
        case n, amount, planned_on, condition, status, approved, approved_by, disbursed_on
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(n, forKey: .n)
        try container.encode(amount, forKey: .amount)
        try container.encode(planned_on, forKey: .planned_on)
        try container.encode(condition, forKey: .condition)
        try container.encode(status, forKey: .status)
        try container.encode(approved, forKey: .approved)
        try container.encode(approved_by, forKey: .approved_by)
        try container.encode(disbursed_on, forKey: .disbursed_on)
    }
}

public struct GrantExpenseView: Encodable, Sendable, ListItem {
    public let id: String
    public let grant_id: String
    public let date: String
    public let category: String
    public let amount: String
    public let currency: String
    public let receipt: String?

    private enum CodingKeys: String, CodingKey { case id, grant_id, date, category, amount, currency, receipt }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(grant_id, forKey: .grant_id)
        try container.encode(date, forKey: .date)
        try container.encode(category, forKey: .category)
        try container.encode(amount, forKey: .amount)
        try container.encode(currency, forKey: .currency)
        try container.encode(receipt, forKey: .receipt)
    }
}

public struct GrantInput: Decodable, Sendable {
    public var programme_id: String?
    public var project_id: String?
    public var currency: String?
    public var total: AmountInput?
    public var tranches: [TrancheInput]?

    public init(programme_id: String? = nil, project_id: String? = nil, currency: String? = nil, total: AmountInput? = nil,
                tranches: [TrancheInput]? = nil) {
        self.programme_id = programme_id
        self.project_id = project_id
        self.currency = currency
        self.total = total
        self.tranches = tranches
    }
}

public struct TrancheInput: Decodable, Sendable {
    public var amount: AmountInput?
    public var planned_on: String?
    /// Default: `none`.
    public var condition: String?

    public init(amount: AmountInput? = nil, planned_on: String? = nil, condition: String? = nil) {
        self.amount = amount
        self.planned_on = planned_on
        self.condition = condition
    }
}

public struct DisbursementInput: Decodable, Sendable {
    public var date: String?
    public init(date: String? = nil) { self.date = date }
}

public struct ExpenseInput: Decodable, Sendable {
    public var date: String?
    public var category: String?
    public var amount: AmountInput?
    public var receipt: String?

    public init(date: String? = nil, category: String? = nil, amount: AmountInput? = nil, receipt: String? = nil) {
        self.date = date
        self.category = category
        self.amount = amount
        self.receipt = receipt
    }
}
