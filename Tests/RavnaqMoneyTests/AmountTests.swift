import RavnaqMoney
import Testing

@Suite("Amounts and currencies")
struct AmountTests {
    @Test("parses plain decimals into minor units", arguments: [
        ("12500000", 2, Int64(1_250_000_000)),
        ("12500000.5", 2, 1_250_000_050),
        ("12500000.50", 2, 1_250_000_050),
        ("945595.97", 2, 94_559_597),
        ("-3.00", 2, -300),
        ("-0.01", 2, -1),
        ("0", 2, 0),
        ("-0", 2, 0),
        ("007.10", 2, 710),
        ("1500", 0, 1500),
        ("1234.567", 3, 1_234_567),
        ("1234.5", 3, 1_234_500),
        ("92233720368547758.07", 2, Int64.max),
        ("9223372036854775807", 0, Int64.max),
        ("-92233720368547758.07", 2, -Int64.max),
        ("0.000000000000000001", 18, 1),
    ])
    func parses(_ text: String, _ digits: Int, _ minorUnits: Int64) {
        #expect(Amount.parse(text, minorDigits: digits) == Amount(minorUnits: minorUnits))
    }

    @Test("refuses anything else", arguments: [
        ("", 2), ("-", 2), (".5", 2), ("5.", 2), ("-.5", 2), ("+5", 2), (" 5", 2), ("5 ", 2),
        ("1 000", 2), ("1,000", 2), ("1,5", 2), ("1e5", 2), ("1E5", 2), ("0x10", 2), ("12.3.4", 2),
        ("--1", 2), ("abc", 2), ("١٢", 2), ("１２", 2), ("NaN", 2), ("Infinity", 2),
        ("0.005", 2), ("945595.975", 2), ("5.0", 0), ("5.", 0), ("1.2345", 3),
        ("12345678901234567890", 2), ("12345678901234567890", 0), ("92233720368547758.08", 2),
        ("9223372036854775808", 0), ("-9223372036854775808", 0), ("100000000000000000", 2),
        ("1", 19), ("1", -1),
    ])
    func refuses(_ text: String, _ digits: Int) {
        #expect(Amount.parse(text, minorDigits: digits) == nil)
    }

    @Test("formats with exactly the currency's minor digits", arguments: [
        (Int64(1_250_000_000), 2, "12500000.00"),
        (94_559_597, 2, "945595.97"),
        (-300, 2, "-3.00"),
        (5, 2, "0.05"),
        (-5, 2, "-0.05"),
        (0, 2, "0.00"),
        (1500, 0, "1500"),
        (-1500, 0, "-1500"),
        (1_234_567, 3, "1234.567"),
        (7, 3, "0.007"),
        (Int64.max, 2, "92233720368547758.07"),
        (Int64.min, 2, "-92233720368547758.08"),
    ])
    func formats(_ minorUnits: Int64, _ digits: Int, _ text: String) {
        #expect(Amount(minorUnits: minorUnits).formatted(minorDigits: digits) == text)
    }

    @Test("format then parse gives the same amount", arguments: [0, 2, 3])
    func roundTrip(_ digits: Int) {
        for minorUnits: Int64 in [0, 1, -1, 9, 10, 99, 100, 101, -12_345, 94_559_597, Int64.max, -Int64.max] {
            let amount = Amount(minorUnits: minorUnits)
            #expect(Amount.parse(amount.formatted(minorDigits: digits), minorDigits: digits) == amount)
        }
    }

    @Test("whole major units, as JSON integers arrive")
    func major() {
        #expect(Amount.major(12_500_000, minorDigits: 2) == Amount(minorUnits: 1_250_000_000))
        #expect(Amount.major(-3, minorDigits: 3) == Amount(minorUnits: -3000))
        #expect(Amount.major(Int64.max / 10, minorDigits: 2) == nil)
        #expect(Amount.major(1, minorDigits: 19) == nil)
    }

    @Test("arithmetic and order")
    func arithmetic() {
        let a = Amount(minorUnits: 150)
        let b = Amount(minorUnits: 275)
        #expect(a + b == Amount(minorUnits: 425))
        #expect(a - b == Amount(minorUnits: -125))
        #expect(a < b && !(b < a))
        #expect([b, .zero, a].sorted() == [.zero, a, b])
        #expect((a - a).isZero && a.isPositive && (a - b).isNegative)
    }

    @Test("currencies know their minor digits")
    func currencies() {
        #expect(Currency.uzs == Currency(code: "UZS", minorDigits: 2))
        #expect(Currency.named("UZS") == .uzs)
        #expect(Currency.named("uzs") == .uzs)
        for code in ["USD", "EUR", "RUB", "KZT", "GBP"] {
            #expect(Currency.named(code)?.minorDigits == 2, "\(code)")
        }
        #expect(Currency.named("JPY")?.minorDigits == 0)
        #expect(Currency.named("KWD")?.minorDigits == 3)
        #expect(Currency.named("XYZ") == nil)
        #expect(Currency.named("") == nil)
        #expect(Currency.named("JPY")?.parse("1500") == Amount(minorUnits: 1500))
        #expect(Currency.named("JPY")?.parse("1500.5") == nil)
        #expect(Currency.named("KWD")?.format(Amount(minorUnits: 1_234_567)) == "1234.567")
    }
}
