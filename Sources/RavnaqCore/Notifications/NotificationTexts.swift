import Foundation

/// What each notification says, in its recipient's language (issue 17): Uzbek (the default),
/// Russian or English. The one home of the wording; the figures travel beside it in `details`.
enum NotificationText {
    enum Language: String, CaseIterable, Sendable { case uz, ru, en }

    static func visitDue(family code: String, on date: String, in language: Language) -> String {
        switch language {
        case .uz: "Ertaga (\(date)) \(code) oilasiga tashrif rejalashtirilgan."
        case .ru: "Завтра (\(date)) запланирован визит к семье \(code)."
        case .en: "A visit to family \(code) is due tomorrow (\(date))."
        }
    }

    static func installmentDue(loan: String, amount: String, currency: String, on date: String, in language: Language) -> String {
        let amount = AlertSignal.grouped(amount)
        return switch language {
        case .uz: "Eslatma: \(loan) qarz bo‘yicha \(amount) \(currency) to‘lov muddati \(date)."
        case .ru: "Напоминаем: платёж \(amount) \(currency) по займу \(loan) — до \(date)."
        case .en: "Reminder: a payment of \(amount) \(currency) on loan \(loan) is due on \(date)."
        }
    }

    static func highAlert(family code: String, score: Int, in language: Language) -> String {
        switch language {
        case .uz: "\(code) oilasiga yordam kerak: xavf bali \(score)."
        case .ru: "Семье \(code) нужна помощь: балл риска \(score)."
        case .en: "Family \(code) needs help: alert score \(score)."
        }
    }

    static func trancheApproval(grant: String, amount: String, currency: String, in language: Language) -> String {
        let amount = AlertSignal.grouped(amount)
        return switch language {
        case .uz: "\(grant) grant (\(amount) \(currency)) bo‘laklari tasdiqlashingizni kutmoqda."
        case .ru: "Транши гранта \(grant) (\(amount) \(currency)) ждут вашего утверждения."
        case .en: "The tranches of grant \(grant) (\(amount) \(currency)) wait for your approval."
        }
    }
}
