import Foundation
import RavnaqMoney
import Testing

@Suite("Portfolio at risk")
struct PortfolioRiskTests {
    @Test("the whole outstanding principal of loans with DPD above the threshold, over all outstanding")
    func ratio() {
        let loans: [(outstanding: Amount, dpd: Int)] = [
            (uzs("100"), 31), (uzs("300"), 0), (uzs("400"), 30), (uzs("200"), 91),
        ]
        #expect(PortfolioRisk.par(outstandingByDPD: loans, threshold: 30) == Decimal(string: "0.3"))
        #expect(PortfolioRisk.par(outstandingByDPD: loans, threshold: 90) == Decimal(string: "0.2"))
        #expect(PortfolioRisk.par(outstandingByDPD: loans, threshold: 0) == Decimal(string: "0.7"))
        #expect(PortfolioRisk.par(outstandingByDPD: loans, threshold: 91) == 0)
    }

    @Test("DPD equal to the threshold is not at risk; one day more is")
    func strictThreshold() {
        #expect(PortfolioRisk.par(outstandingByDPD: [(uzs("50"), 30)], threshold: 30) == 0)
        #expect(PortfolioRisk.par(outstandingByDPD: [(uzs("50"), 31)], threshold: 30) == 1)
    }

    @Test("a zero denominator gives nil, not zero")
    func zeroDenominator() {
        #expect(PortfolioRisk.par(outstandingByDPD: [], threshold: 30) == nil)
        #expect(PortfolioRisk.par(outstandingByDPD: [(.zero, 45), (.zero, 0)], threshold: 30) == nil)
    }

    @Test("a non-terminating ratio keeps its digits")
    func thirds() {
        let par = PortfolioRisk.par(outstandingByDPD: [(uzs("1"), 40), (uzs("2"), 0)], threshold: 30)
        let third = Decimal(1) / Decimal(3)
        #expect(par == third)
        #expect(par.map { $0 > Decimal(string: "0.3333333333")! && $0 < Decimal(string: "0.3333333334")! } == true)
    }
}
