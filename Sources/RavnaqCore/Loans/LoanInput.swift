import Foundation

public struct LoanInput: Decodable, Sendable {
    public var programme_id: String?
    public var project_id: String?
    public var principal: AmountInput?
    public var currency: String?
    public var annual_rate: DecimalInput?
    public var method: String?
    public var installments: Int?
    public var frequency: String?
    public var grace_periods: Int?
    public var planned_disbursement_on: String?
    public var first_due_on: String?

    public init(programme_id: String? = nil, project_id: String? = nil, principal: AmountInput? = nil, currency: String? = nil,
                annual_rate: DecimalInput? = nil, method: String? = nil, installments: Int? = nil, frequency: String? = nil,
                grace_periods: Int? = nil, planned_disbursement_on: String? = nil, first_due_on: String? = nil) {
        self.programme_id = programme_id
        self.project_id = project_id
        self.principal = principal
        self.currency = currency
        self.annual_rate = annual_rate
        self.method = method
        self.installments = installments
        self.frequency = frequency
        self.grace_periods = grace_periods
        self.planned_disbursement_on = planned_disbursement_on
        self.first_due_on = first_due_on
    }
}

/// `{"date": …}` (disbursement, reversal) and `{"date": …, "reason": …}` (write-off).
public struct DateInput: Decodable, Sendable {
    public var date: String?
    public var reason: String?
    public init(date: String? = nil, reason: String? = nil) {
        self.date = date
        self.reason = reason
    }
}

public struct RepaymentRequest: Decodable, Sendable {
    public var amount: AmountInput?
    public var date: String?
    public init(amount: AmountInput? = nil, date: String? = nil) {
        self.amount = amount
        self.date = date
    }
}
