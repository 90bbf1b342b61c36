import Foundation
import Postgres
import RavnaqMoney

// PATCH /families/{id}, /projects/{id}, /programmes/{id} (SPEC §9): only the fields sent
// change; each is checked like on create. A field cannot be cleared by PATCH (send a value).

extension Families {
    public func update(family key: String, _ input: FamilyInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "change families")
        return try await database.transaction(as: actor) { connection in
            let id = try Self.resolve(connection, key: key, organizationID: actor.organizationID)
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            var errors = FieldErrors()
            if input.code != nil { errors.add("/code", "a family's code does not change") }
            if input.members != nil { errors.add("/members", "add members with POST /families/{id}/members") }
            let region = errors.text(input.region, "/region", required: false)
            if input.region != nil, region == nil { errors.add("/region", "must not be empty") }
            let district = errors.text(input.district, "/district", required: false)
            if input.district != nil, district == nil { errors.add("/district", "must not be empty") }
            let consentOn = errors.date(input.consent_on, "/consent_on", required: false)
            if let consentOn, consentOn > today { errors.add("/consent_on", "is in the future") }
            // As on a create: the mahalla is personal data, kept only with consent (given before or now).
            if input.mahalla != nil, input.consent_on == nil {
                let consentGiven: Bool = try connection.query("SELECT consent_on IS NOT NULL FROM families WHERE id = $1", [id]).first!.decode(0)
                if !consentGiven { errors.add("/mahalla", "is personal data: it needs consent_on") }
            }
            for (index, category) in (input.categories ?? []).enumerated() where FamilyCategory(rawValue: category) == nil {
                errors.add("/categories/\(index)", "\"\(category)\" is not one of: \(FamilyCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try errors.check()
            try connection.query(
                """
                UPDATE families SET region = coalesce($2, region), district = coalesce($3, district), mahalla = coalesce($4, mahalla),
                                    categories = coalesce($5::text[], categories), registry_ref = coalesce($6, registry_ref),
                                    consent_on = coalesce($7, consent_on), consent_withdrawn_on = CASE WHEN $7::date IS NULL THEN consent_withdrawn_on END
                WHERE id = $1
                """,
                [id, region, district, input.mahalla, input.categories.map(postgresArray), input.registry_ref, consentOn])
            return try Self.caseFile(connection, id: id, actor: actor, asOf: today)!
        }
    }
}

extension Projects {
    public func update(project key: String, _ input: ProjectInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "change projects")
        var errors = FieldErrors()
        if input.family_id != nil { errors.add("/family_id", "a project does not move to another family") }
        let type = errors.choice(input.type, "/type", as: ProjectType.self, required: false)
        let title = errors.text(input.title, "/title", required: false)
        if input.title != nil, title == nil { errors.add("/title", "must not be empty") }
        let startedOn = errors.date(input.started_on, "/started_on", required: false)
        let revenue = errors.amount(input.expected_monthly_revenue, "/expected_monthly_revenue", currency: .uzs, required: false, allowZero: true)
        let costs = errors.amount(input.expected_monthly_costs, "/expected_monthly_costs", currency: .uzs, required: false, allowZero: true)
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let id = try References.existingProject(key, connection, organizationID: actor.organizationID)
            guard try connection.query(
                """
                UPDATE projects SET type = coalesce($3, type), title = coalesce($4, title), description = coalesce($5, description),
                                    started_on = coalesce($6, started_on),
                                    expected_monthly_revenue = coalesce($7::numeric, expected_monthly_revenue),
                                    expected_monthly_costs = coalesce($8::numeric, expected_monthly_costs)
                WHERE id = $1 AND organization_id = $2
                """,
                [id, actor.organizationID, type?.rawValue, title, input.description, startedOn,
                 revenue?.formatted(minorDigits: 2), costs?.formatted(minorDigits: 2)]
            ).affectedRows == 1 else { throw RavnaqError.notFound("project \(key)") }
            return try Self.find(connection, id: id, organizationID: actor.organizationID)!
        }
    }
}

extension Programmes {
    public func update(programme key: String, _ input: ProgrammeInput, as actor: Actor) async throws -> ProgrammeView {
        try actor.require(.admin, to: "change programmes' settings")
        let current = try await get(key, as: actor)
        let currency = Currency.named(current.currency)!
        var errors = FieldErrors()
        if input.currency != nil { errors.add("/currency", "a programme's currency does not change: its loans and grants are in it") }
        let name = errors.text(input.name, "/name", required: false)
        let donor = errors.text(input.donor, "/donor", required: false)
        let startsOn = errors.date(input.starts_on, "/starts_on", required: false)
        let endsOn = errors.date(input.ends_on, "/ends_on", required: false)
        let budget = errors.amount(input.budget, "/budget", currency: currency, required: false, allowZero: true)
        let servicing = ServicingSettings(input, currency: currency, errors: &errors)
        Self.checkGraduation(input.graduation, &errors)
        Self.checkAlertWeights(input.alert_weights, &errors)
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let id = UUID(uuidString: current.id)!
            if let name { try Self.refuseDuplicate(name: name, except: id, connection, actor: actor) }
            try connection.query(
                """
                UPDATE programmes SET name = coalesce($2, name), donor = coalesce($3, donor), starts_on = coalesce($4, starts_on),
                                      ends_on = coalesce($5, ends_on), budget = coalesce($6::numeric, budget),
                                      tranche_approval = coalesce($7, tranche_approval), graduation = graduation || coalesce($8::jsonb, '{}'),
                                      late_fee = coalesce($9::numeric, late_fee), late_fee_percent = coalesce($10::numeric, late_fee_percent),
                                      late_fee_after_days = coalesce($11::integer, late_fee_after_days),
                                      late_fee_repeat = coalesce($12, late_fee_repeat),
                                      arrears_tolerance = coalesce($13::numeric, arrears_tolerance),
                                      installment_multiple = CASE WHEN $14::numeric IS NULL THEN installment_multiple ELSE nullif($14::numeric, 0) END,
                                      write_off_approval = coalesce($15::boolean, write_off_approval),
                                      disbursement_approval_above = CASE WHEN $16::numeric IS NULL THEN disbursement_approval_above
                                                                         ELSE nullif($16::numeric, 0) END,
                                      early_payoff = coalesce($17, early_payoff),
                                      alert_weights = alert_weights || coalesce($18::jsonb, '{}')
                WHERE id = $1
                """,
                [id, name, donor, startsOn, endsOn, budget.map(currency.format), input.tranche_approval,
                 try input.graduation.map { String(decoding: try RavnaqJSON.encode($0), as: UTF8.self) }] + servicing.values(currency)
                + [try input.alert_weights.map { String(decoding: try RavnaqJSON.encode($0), as: UTF8.self) }])
            return try Self.find(connection, id: id, organizationID: actor.organizationID)!
        }
    }
}
