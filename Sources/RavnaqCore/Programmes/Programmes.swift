import Dates
import Foundation
import Postgres
import RavnaqMoney

/// A funding line of a donor. Every loan and grant belongs to one and takes its currency.
public struct ProgrammeView: Encodable, Sendable, ListItem {
    public let id: String
    public let name: String
    public let donor: String
    public let currency: String
    public let starts_on: String
    public let ends_on: String
    public let budget: String
    public let tranche_approval: Bool
    public let late_fee: String
    public let late_fee_after_days: Int
    /// Issue 16: a late fee as a percentage of what is unpaid of the installment ("0" when fixed).
    public let late_fee_percent: String
    /// "once" or "monthly".
    public let late_fee_repeat: String
    public let arrears_tolerance: String
    /// Regular installments are rounded up to a multiple of it; null when not.
    public let installment_multiple: String?
    /// Four eyes: write-offs need a second person; so do disbursements above this (null: none).
    public let write_off_approval: Bool
    public let disbursement_approval_above: String?
    /// "full_interest" or "interest_to_date": how a loan paid off early is charged interest.
    public let early_payoff: String
    /// Issue 17: every alert signal's weight in this programme's families' scores, the defaults
    /// with the programme's own over them.
    public let alert_weights: [String: Int]
    public let funds_received: String

    /// Every key, null included (`installment_multiple`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(donor, forKey: .donor)
        try container.encode(currency, forKey: .currency)
        try container.encode(starts_on, forKey: .starts_on)
        try container.encode(ends_on, forKey: .ends_on)
        try container.encode(budget, forKey: .budget)
        try container.encode(tranche_approval, forKey: .tranche_approval)
        try container.encode(late_fee, forKey: .late_fee)
        try container.encode(late_fee_after_days, forKey: .late_fee_after_days)
        try container.encode(late_fee_percent, forKey: .late_fee_percent)
        try container.encode(late_fee_repeat, forKey: .late_fee_repeat)
        try container.encode(arrears_tolerance, forKey: .arrears_tolerance)
        try container.encode(installment_multiple, forKey: .installment_multiple)
        try container.encode(write_off_approval, forKey: .write_off_approval)
        try container.encode(disbursement_approval_above, forKey: .disbursement_approval_above)
        try container.encode(early_payoff, forKey: .early_payoff)
        try container.encode(alert_weights, forKey: .alert_weights)
        try container.encode(funds_received, forKey: .funds_received)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, donor, currency, starts_on, ends_on, budget, tranche_approval, late_fee, late_fee_after_days,
             late_fee_percent, late_fee_repeat, arrears_tolerance, installment_multiple, write_off_approval,
             disbursement_approval_above, early_payoff, alert_weights, funds_received
    }
}

public struct ProgrammeInput: Decodable, Sendable {
    public var name: String?
    public var donor: String?
    public var currency: String?
    public var starts_on: String?
    public var ends_on: String?
    public var budget: AmountInput?
    public var tranche_approval: Bool?
    public var late_fee: AmountInput?
    public var late_fee_after_days: Int?
    public var late_fee_percent: DecimalInput?
    public var late_fee_repeat: String?
    public var arrears_tolerance: AmountInput?
    /// "0" clears it.
    public var installment_multiple: AmountInput?
    public var write_off_approval: Bool?
    /// "0" clears it.
    public var disbursement_approval_above: AmountInput?
    /// "full_interest" (the default) or "interest_to_date".
    public var early_payoff: String?
    /// Graduation settings over the defaults (SPEC §7): income_months 3, min_ssm 3, max_dpd 30,
    /// courses 1, count_benefits false.
    public var graduation: [String: SettingValue]?
    /// Alert weights over the defaults (issue 17): a signal's code and a whole number from 0
    /// (the signal is off) to 100.
    public var alert_weights: [String: SettingValue]?

    public init(name: String? = nil, donor: String? = nil, currency: String? = nil, starts_on: String? = nil,
                ends_on: String? = nil, budget: AmountInput? = nil, tranche_approval: Bool? = nil,
                late_fee: AmountInput? = nil, late_fee_after_days: Int? = nil, late_fee_percent: DecimalInput? = nil,
                late_fee_repeat: String? = nil, arrears_tolerance: AmountInput? = nil, installment_multiple: AmountInput? = nil,
                write_off_approval: Bool? = nil, disbursement_approval_above: AmountInput? = nil, early_payoff: String? = nil,
                graduation: [String: SettingValue]? = nil, alert_weights: [String: SettingValue]? = nil) {
        self.name = name
        self.donor = donor
        self.currency = currency
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.budget = budget
        self.tranche_approval = tranche_approval
        self.late_fee = late_fee
        self.late_fee_after_days = late_fee_after_days
        self.late_fee_percent = late_fee_percent
        self.late_fee_repeat = late_fee_repeat
        self.arrears_tolerance = arrears_tolerance
        self.installment_multiple = installment_multiple
        self.write_off_approval = write_off_approval
        self.disbursement_approval_above = disbursement_approval_above
        self.early_payoff = early_payoff
        self.graduation = graduation
        self.alert_weights = alert_weights
    }
}

/// One graduation setting as a request sends it: `count_benefits` a boolean, the others whole
/// numbers. Any other JSON value is read as `.invalid`, so that `Programmes.checkGraduation`
/// refuses it as a 422 naming `/graduation/<key>` (with every other mistake of the request)
/// instead of the body being unreadable.
public enum SettingValue: Codable, Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    case integer(Int)
    case boolean(Bool)
    /// A string, a fraction, a number past Int, null, an array or an object.
    case invalid

    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // JSONDecoder reads neither a number as a Bool nor true as an Int.
        if container.decodeNil() {
            self = .invalid
        } else if let value = try? container.decode(Bool.self) {
            self = .boolean(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else {
            self = .invalid
        }
    }

    /// As stored in `programmes.graduation` (only checked settings are stored).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .boolean(let value): try container.encode(value)
        case .invalid: try container.encodeNil()
        }
    }
}

public struct FundsInput: Decodable, Sendable {
    public var date: String?
    public var amount: AmountInput?
    public init(date: String? = nil, amount: AmountInput? = nil) {
        self.date = date
        self.amount = amount
    }
}

public struct Programmes: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func create(_ input: ProgrammeInput, as actor: Actor) async throws -> ProgrammeView {
        try actor.require(.admin, to: "create programmes")
        var errors = FieldErrors()
        let name = errors.text(input.name, "/name")
        let donor = errors.text(input.donor, "/donor")
        let currency = errors.currency(input.currency, "/currency")
        let startsOn = errors.date(input.starts_on, "/starts_on")
        let endsOn = errors.date(input.ends_on, "/ends_on")
        let budget = errors.amount(input.budget, "/budget", currency: currency, allowZero: true)
        let servicing = currency.map { ServicingSettings(input, currency: $0, errors: &errors) }
        if let startsOn, let endsOn, endsOn < startsOn { errors.add("/ends_on", "must not be before starts_on") }
        Self.checkGraduation(input.graduation, &errors)
        Self.checkAlertWeights(input.alert_weights, &errors)
        let graduation = String(decoding: try RavnaqJSON.encode(input.graduation ?? [:]), as: UTF8.self)
        let alertWeights = String(decoding: try RavnaqJSON.encode(input.alert_weights ?? [:]), as: UTF8.self)
        try errors.check()
        let view = try await database.transaction(as: actor) { connection in
            try Self.refuseDuplicate(name: name!, except: nil, connection, actor: actor)
            let id: UUID = try connection.query(
                """
                INSERT INTO programmes (organization_id, name, donor, currency, starts_on, ends_on, budget, tranche_approval, graduation,
                                        late_fee, late_fee_percent, late_fee_after_days, late_fee_repeat, arrears_tolerance,
                                        installment_multiple, write_off_approval, disbursement_approval_above, early_payoff,
                                        alert_weights)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, coalesce($10::numeric, 0), coalesce($11::numeric, 0),
                        coalesce($12::integer, 0), coalesce($13, 'once'), coalesce($14::numeric, 0), nullif($15::numeric, 0),
                        coalesce($16::boolean, false), nullif($17::numeric, 0), coalesce($18, 'full_interest'), $19::jsonb)
                RETURNING id
                """,
                [actor.organizationID, name!, donor!, currency!.code, startsOn!, endsOn!, currency!.format(budget!),
                 input.tranche_approval ?? false, graduation] + servicing!.values(currency!) + [alertWeights]
            ).first!.decode(0)
            return try Self.find(connection, id: id, organizationID: actor.organizationID)
        }
        return try view.orThrow("programme")
    }

    /// The organization's programmes, oldest first.
    public func list(page: Page = Page(), as actor: Actor) async throws -> Paged<ProgrammeView> {
        let list = ListKey("/programmes", of: actor)
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            try Paged(
                rows: connection.query(
                    Self.columnsSQL + """
                        , p.created_at::text, p.id::text FROM programmes p
                        WHERE p.organization_id = $1 AND ($2::timestamptz IS NULL OR (p.created_at, p.id) > ($2, $3::uuid))
                        ORDER BY p.created_at, p.id LIMIT $4
                        """,
                    [actor.organizationID, after?[0], after?[1], page.limit + 1]).rows,
                page: page, list: list, item: Self.view)
        }
    }

    /// A programme by its id or its name (case ignored).
    public func get(_ key: String, as actor: Actor) async throws -> ProgrammeView {
        try await database.transaction(as: actor) { connection in
            try References.programme(key, connection, organizationID: actor.organizationID)
                .flatMap { try Self.find(connection, id: $0, organizationID: actor.organizationID) }
        }.orThrow("programme \(key)")
    }

    /// Donor money received: debit cash, credit donor_funds (SPEC §3).
    public func receiveFunds(programme id: String, _ input: FundsInput, as actor: Actor, key: IdempotencyKey?) async throws -> StoredAnswer {
        try actor.require(.admin, .coordinator, to: "record donor funds")
        let programme = try await get(id, as: actor)
        let currency = Currency.named(programme.currency)!
        var errors = FieldErrors()
        let date = errors.date(input.date, "/date")
        let amount = errors.amount(input.amount, "/amount", currency: currency)
        try errors.check()
        let programmeID = UUID(uuidString: programme.id)!
        return try await database.once(
            as: actor, key: key, operation: .donorFunds, resolve: { _ in (programmeID, programmeID.idString) }
        ) { connection, programmeID in
            // Cash totals are numeric(18,2) (the trial balance, funds received): money that would
            // take what came in past the largest amount is refused here, not as a fault there.
            let fits: Bool = try connection.query(
                """
                SELECT coalesce(sum(p.amount) FILTER (WHERE p.amount > 0), 0) + $3::numeric < 10000000000000000
                FROM postings p JOIN accounts a ON a.id = p.account_id
                WHERE a.organization_id = $1 AND a.code = 'cash' AND a.currency = $2
                """, [actor.organizationID, currency.code, currency.format(amount!)]).first!.decode(0)
            guard fits else {
                throw RavnaqError.rule(.booksLimit, message: "the cash received in \(currency.code) would pass the largest amount the books hold, 9999999999999999.99")
            }
            let transaction = try Ledger.post(
                connection, organizationID: actor.organizationID, currency: currency, on: date!, kind: .donorFunds,
                memo: "donor funds for \(programme.name)",
                entries: [.debit(.cash, amount!), .credit(.donorFunds, amount!)])
            try connection.query(
                "INSERT INTO programme_funds (organization_id, programme_id, received_on, amount, transaction_id) VALUES ($1, $2, $3, $4, $5)",
                [actor.organizationID, programmeID, date!, currency.format(amount!), transaction])
            return try Self.find(connection, id: programmeID, organizationID: actor.organizationID)!
        }
    }

    /// Names are unique in the organization, case ignored (as `programmes_name_key` keeps them).
    static func refuseDuplicate(name: String, except id: UUID?, _ connection: PostgresConnection, actor: Actor) throws {
        guard let existing = try connection.query(
            "SELECT name FROM programmes WHERE organization_id = $1 AND lower(name) = lower($2) AND id IS DISTINCT FROM $3",
            [actor.organizationID, name, id]
        ).first else { return }
        throw RavnaqError.conflict(.duplicateProgrammeName,
                                   message: "a programme named \"\(try existing.decode(0, as: String.self))\" already exists")
    }

    /// Graduation settings (SPEC §7) over the defaults: the whole numbers each within its range,
    /// count_benefits true or false (README, "Graduation").
    static func checkGraduation(_ settings: [String: SettingValue]?, _ errors: inout FieldErrors) {
        let ranges = ["income_months": 1...24, "min_ssm": 1...5, "max_dpd": 0...365, "courses": 0...20]
        for (key, value) in (settings ?? [:]).sorted(by: { $0.key < $1.key }) {
            let pointer = "/graduation/\(key)"
            if key == "count_benefits" {
                if case .boolean = value { continue }
                errors.add(pointer, "must be true or false")
            } else if let range = ranges[key] {
                guard case .integer(let number) = value else {
                    errors.add(pointer, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                    continue
                }
                if !range.contains(number) { errors.add(pointer, "must be from \(range.lowerBound) to \(range.upperBound)") }
            } else {
                errors.add(pointer, "is not a setting: use income_months, min_ssm, max_dpd, courses or count_benefits")
            }
        }
    }

    /// Alert weights (issue 17) over the defaults: each key a signal's code, each value a whole
    /// number from 0 (off) to 100 (README, "Smart monitoring").
    static func checkAlertWeights(_ weights: [String: SettingValue]?, _ errors: inout FieldErrors) {
        for (key, value) in (weights ?? [:]).sorted(by: { $0.key < $1.key }) {
            let pointer = "/alert_weights/\(key)"
            guard AlertSignal(rawValue: key) != nil else {
                errors.add(pointer, "is not a signal: use \(AlertSignal.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            guard case .integer(let weight) = value else {
                errors.add(pointer, "must be a whole number from 0 to 100")
                continue
            }
            if !(0...100).contains(weight) { errors.add(pointer, "must be from 0 to 100") }
        }
    }

    /// The columns `view` reads, of a programme `p`.
    static let columnsSQL = """
        SELECT p.id, p.name, p.donor, p.currency, p.starts_on, p.ends_on, p.budget::text, p.tranche_approval,
               p.late_fee::text, p.late_fee_after_days,
               (SELECT coalesce(sum(f.amount), 0)::numeric(18,2)::text FROM programme_funds f WHERE f.programme_id = p.id),
               trim_scale(p.late_fee_percent)::text, p.late_fee_repeat, p.arrears_tolerance::text, p.installment_multiple::text,
               p.write_off_approval, p.disbursement_approval_above::text, p.early_payoff,
               (alert_default_weights() || p.alert_weights)::text
        """

    static let selectSQL = columnsSQL + " FROM programmes p"

    static func find(_ connection: PostgresConnection, id: UUID, organizationID: UUID) throws -> ProgrammeView? {
        try connection.query(selectSQL + " WHERE p.id = $1 AND p.organization_id = $2", [id, organizationID]).first.map(view)
    }

    static func view(_ row: PostgresRow) throws -> ProgrammeView {
        ProgrammeView(
            id: try row.decode(0, as: UUID.self).idString, name: try row.decode(1), donor: try row.decode(2),
            currency: try row.decode(3), starts_on: try row.decode(4, as: LocalDate.self).description,
            ends_on: try row.decode(5, as: LocalDate.self).description, budget: try row.decode(6),
            tranche_approval: try row.decode(7), late_fee: try row.decode(8), late_fee_after_days: try row.decode(9),
            late_fee_percent: try row.decode(11), late_fee_repeat: try row.decode(12), arrears_tolerance: try row.decode(13),
            installment_multiple: try row.decode(14, as: String?.self), write_off_approval: try row.decode(15),
            disbursement_approval_above: try row.decode(16, as: String?.self), early_payoff: try row.decode(17),
            alert_weights: try JSONDecoder().decode([String: Int].self, from: Data(try row.decode(18, as: String.self).utf8)),
            funds_received: try row.decode(10))
    }
}

extension Optional {
    /// The value, or a 404 naming what was looked for.
    func orThrow(_ what: String) throws -> Wrapped {
        guard let self else { throw RavnaqError.notFound(what) }
        return self
    }
}
