import Foundation

/// The shape of `seed/demo.json`: the demo organization's people, places, names and project
/// titles. `DemoSeed` turns it into families, loans and grants with dates relative to today.
struct DemoData: Decodable {
    struct Organization: Decodable { let code: String; let name: String }
    struct DemoUser: Decodable { let role: Role; let email: String }
    struct Programme: Decodable {
        let name: String
        let donor: String
        let budget: String
        let funds: String
        let late_fee: String
        let late_fee_after_days: Int
        let tranche_approval: Bool
    }
    struct Region: Decodable { let name: String; let districts: [District] }
    struct District: Decodable { let name: String; let mahallas: [String] }

    let organization: Organization
    let users: [DemoUser]
    let programmes: [Programme]
    let regions: [Region]
    let female_names: [String]
    let male_names: [String]
    let surnames: [String]
    let projects: [String: [String]]
    let visit_notes: [String]

    static func load() throws -> DemoData {
        guard let file = embeddedSeed.first(where: { $0.name == "demo.json" }) else {
            throw RavnaqError.setup("the demo data (seed/demo.json) is missing from this build")
        }
        return try JSONDecoder().decode(DemoData.self, from: Data(file.text.utf8))
    }
}

/// A small deterministic generator (SplitMix64), so every demo load looks the same.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476C_E5B9_E1D9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
