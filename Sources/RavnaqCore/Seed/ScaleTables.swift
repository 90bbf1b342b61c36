import Foundation
import Postgres

/// The rows of one table waiting to be sent with COPY. `ScaleSeed` fills a batch of these for a
/// chunk of families, sends them in foreign-key order, and empties them for the next chunk.
struct CopyTable {
    let table: String
    let statement: String
    var rows: [[String?]] = []

    init(_ table: String, _ columns: String) {
        self.table = table
        statement = "COPY \(table) (\(columns)) FROM STDIN"
    }

    mutating func add(_ row: [String?]) { rows.append(row) }

    /// Sends the rows and forgets them; answers how many went in.
    mutating func send(_ connection: PostgresConnection) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        defer { rows.removeAll(keepingCapacity: true) }
        return try connection.copyIn(statement, rows: rows)
    }
}

/// Every table a generated family writes to, in an order that satisfies the foreign keys
/// (ledger transactions before the loans, repayments and tranches that point at them).
struct ScaleTables {
    var families = CopyTable(
        "families", "id, organization_id, code, region, district, mahalla, categories, registry_ref, consent_on")
    var members = CopyTable(
        "members", "id, organization_id, family_id, full_name, sex, birth_date, pinfl, relation, disability, works")
    var mentorAssignments = CopyTable("mentor_assignments", "id, organization_id, family_id, mentor_id, from_on")
    var projects = CopyTable(
        "projects", "id, organization_id, family_id, type, title, started_on, status, expected_monthly_revenue, expected_monthly_costs")
    var projectStatusChanges = CopyTable(
        "project_status_changes", "organization_id, project_id, from_status, to_status, changed_on")
    var ledgerTransactions = CopyTable(
        "ledger_transactions", "id, organization_id, occurred_on, currency, kind, memo")
    var postings = CopyTable("postings", "organization_id, transaction_id, account_id, currency, amount")
    var loans = CopyTable(
        "loans", """
            id, organization_id, number, programme_id, project_id, currency, principal, annual_rate, method, installments, frequency, \
            grace_periods, planned_disbursement_on, late_fee, late_fee_after_days, status, disbursed_on, disbursement_transaction, repaid_on, written_off_on, \
            written_off_principal, write_off_reason, write_off_transaction
            """)
    var loanInstallments = CopyTable("loan_installments", "organization_id, loan_id, n, due_on, principal, interest")
    var repayments = CopyTable(
        "repayments", "id, organization_id, loan_id, paid_on, amount, principal, interest, fees, transaction_id")
    var grants = CopyTable("grants", "id, organization_id, number, programme_id, project_id, currency, total")
    var grantTranches = CopyTable(
        "grant_tranches", "organization_id, grant_id, n, amount, planned_on, condition, approved_at, approved_by, disbursed_on, transaction_id")
    var grantExpenses = CopyTable("grant_expenses", "id, organization_id, grant_id, spent_on, category, amount, receipt")
    var enrollments = CopyTable(
        "enrollments", "id, organization_id, course_id, member_id, completed, completed_on, certificate_no")
    var attendance = CopyTable("attendance", "organization_id, session_id, enrollment_id")
    var projectReports = CopyTable(
        "project_reports", "id, organization_id, project_id, period, revenue, costs, units_sold, members_working, hired_workers")
    var householdIncomes = CopyTable(
        "household_incomes", "id, organization_id, family_id, period, household_size, project, wages, pension, benefits")
    var assessments = CopyTable(
        "assessments", "id, organization_id, family_id, assessed_on, kind, " + Assessments.domains.joined(separator: ", "))
    var visits = CopyTable("visits", "id, organization_id, family_id, visited_on, kind, notes, next_visit_on, mentor_id")
    /// Only the members who stopped working; every other member's row is written after the load.
    var memberWorkChanges = CopyTable("member_work_changes", "organization_id, member_id, family_id, changed_on, works, worked_before")

    /// Every table, in foreign-key order: the one list that sending and ANALYZE both read.
    static var inOrder: [WritableKeyPath<ScaleTables, CopyTable>] {
        [\.families, \.members, \.mentorAssignments, \.projects, \.projectStatusChanges, \.ledgerTransactions, \.postings,
         \.loans, \.loanInstallments, \.repayments, \.grants, \.grantTranches, \.grantExpenses, \.enrollments, \.attendance,
         \.projectReports, \.householdIncomes, \.assessments, \.visits, \.memberWorkChanges]
    }

    /// The names of those tables (constants, not input).
    var names: [String] { Self.inOrder.map { self[keyPath: $0].table } }

    /// Sends every table in foreign-key order; answers the number of rows written.
    mutating func send(_ connection: PostgresConnection) throws -> Int {
        var written = 0
        for table in Self.inOrder {
            written += try self[keyPath: table].send(connection)
        }
        return written
    }
}

/// The generator's randomness and its ids. Ids are time-ordered rather than random (the layout
/// of UUID version 8: 16 bits of the stream, a 44-bit counter, 62 random bits), so that
/// millions of rows go into the primary-key and foreign-key indexes in key order — several times
/// faster than scattering random UUIDs over the whole index.
struct ScaleRandom: RandomNumberGenerator {
    private var random: SeededRandom
    private let stream: UInt64
    private var counter: UInt64 = 0

    init(seed: UInt64, stream: UInt64) {
        random = SeededRandom(seed: seed ^ stream)
        self.stream = stream & 0xFFFF
    }

    mutating func next() -> UInt64 { random.next() }

    mutating func uuid() -> UUID {
        counter += 1
        // Big-endian: the stream (16 bits), then the counter, split around the version nibble.
        let high = (stream << 48) | ((counter >> 12) << 16) | 0x8000 | (counter & 0xFFF)
        let low = (random.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // the RFC 4122 variant
        return withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { raw in
            UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                        raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]))
        }
    }
}
