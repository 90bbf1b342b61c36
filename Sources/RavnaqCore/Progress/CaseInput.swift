import Foundation

public enum VisitKind: String, CaseIterable, Sendable { case home, phone, online, office }

public enum GoalStatus: String, CaseIterable, Sendable { case open, achieved, dropped }

public enum Specialist: String, CaseIterable, Sendable {
    case psychologist, lawyer, doctor, pedagogue
    case employmentService = "employment_service"
    case other
}

public enum ReferralStatus: String, CaseIterable, Sendable { case open, done, declined }

/// `POST /api/v1/families/{id}/visits`.
public struct VisitInput: Decodable, Sendable {
    public var date: String?
    public var kind: String?
    public var notes: String?
    public var next_visit_on: String?

    public init(date: String? = nil, kind: String? = nil, notes: String? = nil, next_visit_on: String? = nil) {
        self.date = date
        self.kind = kind
        self.notes = notes
        self.next_visit_on = next_visit_on
    }
}

/// `POST /api/v1/families/{id}/goals`; `date` (the day the goal was set) defaults to today.
public struct GoalInput: Decodable, Sendable {
    public var text: String?
    public var target_on: String?
    public var date: String?

    public init(text: String? = nil, target_on: String? = nil, date: String? = nil) {
        self.text = text
        self.target_on = target_on
        self.date = date
    }
}

/// `POST /api/v1/families/{id}/referrals`; `date` (the day of the referral) defaults to today.
public struct ReferralInput: Decodable, Sendable {
    public var specialist: String?
    public var reason: String?
    public var date: String?

    public init(specialist: String? = nil, reason: String? = nil, date: String? = nil) {
        self.specialist = specialist
        self.reason = reason
        self.date = date
    }
}

/// `POST …/goals/{gid}/status` and `…/referrals/{rid}/status`; `date` defaults to today.
public struct CaseStatusInput: Decodable, Sendable {
    public var status: String?
    public var date: String?

    public init(status: String? = nil, date: String? = nil) {
        self.status = status
        self.date = date
    }
}
