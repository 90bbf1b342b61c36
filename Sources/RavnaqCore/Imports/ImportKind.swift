import Foundation

/// What a file can bring in. Each kind's columns have an English name (the one exports write)
/// and the usual Uzbek and Russian names of registers kept today; other headers are mapped by
/// the person importing (`--map`, `?map=`).
public enum ImportKind: String, CaseIterable, Sendable, Codable {
    case families, projects, loans, repayments, grants

    public var columns: [ImportColumn] {
        switch self {
        case .families: ImportColumn.families
        case .projects: ImportColumn.projects
        case .loans: ImportColumn.loans
        case .repayments: ImportColumn.repayments
        case .grants: ImportColumn.grants
        }
    }
}

public struct ImportColumn: Sendable {
    /// The English header, also the field's name in error pointers (`/rows/17/birth_date`).
    public let key: String
    public let required: Bool
    /// Other headers that mean the same column, as registers write them.
    public let aliases: [String]

    init(_ key: String, required: Bool = false, _ aliases: String...) {
        self.key = key
        self.required = required
        self.aliases = aliases
    }

    static let families: [ImportColumn] = [
        .init("family_code", required: true, "Oila kodi", "Oila raqami", "Код семьи", "Номер семьи"),
        .init("region", required: true, "Viloyat", "Hudud", "Область", "Регион"),
        .init("district", required: true, "Tuman", "Tuman (shahar)", "Район"),
        .init("mahalla", "Mahalla", "MFY", "Махалля", "Махалла"),
        .init("categories", "Toifa", "Toifalar", "Категория", "Категории"),
        .init("registry_ref", "Reestr raqami", "Ijtimoiy reestr raqami", "Номер в реестре"),
        .init("consent_on", "Rozilik sanasi", "Дата согласия"),
        .init("full_name", "F.I.Sh.", "FISh", "Familiya ism sharif", "Ism familiya", "ФИО", "Ф.И.О."),
        .init("sex", "Jinsi", "Пол"),
        .init("birth_date", "Tug'ilgan sana", "Tug'ilgan sanasi", "Дата рождения"),
        .init("relation", "Qarindoshligi", "Oila boshlig'iga qarindoshligi", "Родство", "Степень родства"),
        .init("pinfl", "JShShIR", "ПИНФЛ"),
        .init("disability", "Nogironlik", "Nogironligi", "Инвалидность"),
        .init("works", "Ishlaydi", "Bandligi", "Работает", "Занятость"),
    ]

    static let projects: [ImportColumn] = [
        .init("project_ref", required: true, "Loyiha raqami", "Номер проекта"),
        .init("family_code", required: true, "Oila kodi", "Oila raqami", "Код семьи", "Номер семьи"),
        .init("type", required: true, "Loyiha turi", "Faoliyat turi", "Тип проекта", "Вид деятельности"),
        .init("title", required: true, "Loyiha nomi", "Nomi", "Название проекта", "Название"),
        .init("description", "Tavsif", "Izoh", "Описание"),
        .init("started_on", "Boshlangan sana", "Дата начала"),
        .init("expected_monthly_revenue", "Oylik tushum", "Kutilayotgan oylik tushum", "Ожидаемая выручка в месяц"),
        .init("expected_monthly_costs", "Oylik xarajat", "Kutilayotgan oylik xarajat", "Ожидаемые расходы в месяц"),
    ]

    static let loans: [ImportColumn] = [
        .init("loan_ref", required: true, "Kredit raqami", "Qarz raqami", "Номер займа", "Номер кредита"),
        .init("project_ref", required: true, "Loyiha raqami", "Номер проекта"),
        .init("programme", required: true, "Dastur", "Программа"),
        .init("currency", "Valyuta", "Валюта"),
        .init("principal", required: true, "Kredit summasi", "Asosiy qarz", "Сумма займа", "Сумма кредита"),
        .init("annual_rate", required: true, "Yillik foiz", "Foiz stavkasi", "Годовая ставка", "Процентная ставка"),
        .init("method", required: true, "To'lov usuli", "Метод погашения"),
        .init("installments", required: true, "To'lovlar soni", "Muddat (oy)", "Количество платежей", "Срок (мес.)"),
        .init("frequency", "To'lov davriyligi", "Периодичность"),
        .init("grace_periods", "Imtiyozli davr", "Льготный период"),
        .init("planned_disbursement_on", "Rejadagi berish sanasi", "Плановая дата выдачи"),
        .init("first_due_on", "Birinchi to'lov sanasi", "Дата первого платежа"),
        .init("disbursed_on", "Berilgan sana", "Дата выдачи"),
    ]

    static let repayments: [ImportColumn] = [
        .init("loan", required: true, "loan_ref", "Kredit raqami", "Qarz raqami", "Номер займа", "Номер кредита"),
        .init("paid_on", required: true, "To'lov sanasi", "Sana", "Дата платежа", "Дата оплаты"),
        .init("amount", required: true, "Summa", "To'lov summasi", "Сумма", "Сумма платежа"),
    ]

    static let grants: [ImportColumn] = [
        .init("grant_ref", required: true, "Grant raqami", "Номер гранта"),
        .init("project_ref", required: true, "Loyiha raqami", "Номер проекта"),
        .init("programme", required: true, "Dastur", "Программа"),
        .init("currency", "Valyuta", "Валюта"),
        .init("tranche", required: true, "Transh", "Transh raqami", "Транш", "Номер транша"),
        .init("amount", required: true, "Summa", "Transh summasi", "Сумма", "Сумма транша"),
        .init("planned_on", required: true, "Rejadagi sana", "Плановая дата"),
        .init("condition", "Shart", "Условие"),
        .init("disbursed_on", "Berilgan sana", "Дата выдачи"),
    ]
}
