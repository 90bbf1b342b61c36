/// The whole digits of an amount in groups of three from the right, `"1200000"` → `"1 200 000"`
/// with `separator` between the groups: the one grouping that the alerts' words, the messages
/// and the web app's pages share (each with its own separator, sign and decimals).
public enum ThousandsGrouping {
    public static func grouped(_ digits: some StringProtocol, separator: String) -> String {
        let digits = Array(digits)
        var groups: [String] = []
        var end = digits.count
        while end > 0 {
            groups.insert(String(digits[max(0, end - 3)..<end]), at: 0)
            end -= 3
        }
        return groups.joined(separator: separator)
    }
}
