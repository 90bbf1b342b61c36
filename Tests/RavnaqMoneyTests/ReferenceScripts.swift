// Where the expected figures in these tests come from (a Swift file, not a README, so that
// SwiftPM does not warn about an unhandled file in the test target).
//
// # Where the expected figures in these tests come from
//
// The schedule figures are not produced by the Swift code under test. They were computed
// independently in Python 3.11 with exact rational arithmetic (`fractions.Fraction`), half-up
// rounding as `floor(x + 1/2)`, due dates from `dateutil.relativedelta` (which clamps to the end
// of the month and is applied to the anchor date each time), and the annuity payment cross-checked
// against `numpy_financial.pmt` (binary floats, so only loosely):
//
// ```sh
// python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install numpy-financial python-dateutil
// /tmp/refvenv/bin/python gen_swift.py > ScheduleReferenceData.swift
// /tmp/refvenv/bin/python ties2.py      # the half-minor-unit annuity ties in LoanScheduleTests
// ```
//
// `ScheduleReferenceData.swift` is that output, unedited. The loan-replay expectations
// (LoanReplayTests) use a three-installment schedule small enough to follow by hand; each test
// says what it expects and why. The SPEC's own worked figures (945 595.97 = 745 595.97 +
// 200 000.00; 36 days past due on 2025-04-20) are asserted directly.
//
// ## ref.py
//
// ```python
// """Independent reference for Ravnaq's loan schedules (SPEC §4), exact rational arithmetic.
//
// Money in minor units (ints); rates as Fractions; round() half-up via floor(x + 1/2);
// due dates with dateutil.relativedelta (clamps to month end, counted from the anchor).
// The annuity payment is also cross-checked against numpy_financial.pmt (binary floats,
// so only to within one minor unit or a millionth).
// """
// from fractions import Fraction as F
// from datetime import date, timedelta
// from dateutil.relativedelta import relativedelta
// import math
// import numpy_financial as npf
//
// PPY = {"monthly": 12, "biweekly": 26, "weekly": 52}
//
// def half_up(x: F) -> int:
//     return math.floor(x + F(1, 2))
//
// def due_dates(n, freq, disbursed, first_due=None):
//     anchor, offset = (first_due, -1) if first_due else (disbursed, 0)
//     out = []
//     for k in range(1, n + 1):
//         p = k + offset
//         if freq == "monthly":
//             out.append(anchor + relativedelta(months=p))
//         else:
//             out.append(anchor + timedelta(days=(14 if freq == "biweekly" else 7) * p))
//     return out
//
// def schedule(P, annual, method, n, freq, grace, disbursed, first_due=None):
//     """P in minor units; annual a decimal string. Returns [(n, due, principal, interest)]."""
//     r = F(annual) / 100 / PPY[freq]
//     m = n - grace
//     dates = due_dates(n, freq, disbursed, first_due)
//     rows, out = [], P
//     if r > 0 and method == "annuity":
//         A = half_up(P * r / (1 - (1 + r) ** -m))
//         approx = npf.pmt(float(r), m, -P)
//         # Floats cancel digits when r*m is tiny (0.000001 % a year: off by ~300 tiyin in 1.9e9),
//         # so the float check is relative; the exact Fraction A is the reference.
//         assert abs(approx - A) <= max(1, A * 1e-6), (approx, A)
//     for k in range(1, n + 1):
//         if k <= grace:
//             prin, intr = 0, half_up(P * r)
//         else:
//             if r == 0:
//                 intr, prin = 0, half_up(F(P, m))
//             elif method == "annuity":
//                 intr = half_up(out * r); prin = max(A - intr, 0)
//             elif method == "equal_principal":
//                 intr = half_up(out * r); prin = half_up(F(P, m))
//             else:  # flat
//                 intr = half_up(P * r); prin = half_up(F(P, m))
//             prin = out if k == n else min(prin, out)
//         out -= prin
//         rows.append((k, dates[k - 1], prin, intr))
//     assert sum(p for _, _, p, _ in rows) == P
//     return rows
//
// def fmt(minor, digits=2):
//     s = "-" if minor < 0 else ""
//     q, rem = divmod(abs(minor), 10 ** digits)
//     return f"{s}{q}.{rem:0{digits}d}" if digits else f"{s}{q}"
// ```
//
// ## gen_swift.py
//
// ```python
// """Writes ScheduleReferenceData.swift: expected schedules computed by ref.py (exact Fractions)."""
// import random
// from ref import *
//
// D = date.fromisoformat
// SW = {"annuity": ".annuity", "equal_principal": ".equalPrincipal", "flat": ".flat"}
//
// def major(minor, digits):
//     return fmt(minor, digits)
//
// def case_args(name, P, annual, method, n, freq, grace, disbursed, first_due, digits):
//     fd = f'"{first_due}"' if first_due else "nil"
//     return (f'name: "{name}", principal: "{major(P, digits)}", rate: "{annual}", method: {SW[method]}, '
//             f'installments: {n}, frequency: .{freq}, grace: {grace}, disbursed: "{disbursed}", '
//             f'firstDue: {fd}, digits: {digits}')
//
// def row(r, digits):
//     k, d, p, i = r
//     return f'"{d} {major(p, digits)} {major(i, digits)}"'
//
// def full(name, P, annual, method, n, freq, grace, disbursed, first_due=None, digits=2):
//     rows = schedule(P, annual, method, n, freq, grace, D(disbursed), D(first_due) if first_due else None)
//     body = ",\n".join("            " + row(r, digits) for r in rows)
//     return f"        FullCase({case_args(name, P, annual, method, n, freq, grace, disbursed, first_due, digits)}, rows: [\n{body},\n        ]),"
//
// def summary(name, P, annual, method, n, freq, grace, disbursed, first_due=None, digits=2):
//     rows = schedule(P, annual, method, n, freq, grace, D(disbursed), D(first_due) if first_due else None)
//     mid = rows[(n - 1) // 2]
//     interest = sum(r[3] for r in rows)
//     return (f"        SummaryCase({case_args(name, P, annual, method, n, freq, grace, disbursed, first_due, digits)},\n"
//             f"                    first: {row(rows[0], digits)}, middle: {row(mid, digits)}, last: {row(rows[-1], digits)},\n"
//             f'                    interestTotal: "{major(interest, digits)}"),')
//
// fulls = [
//     full("SPEC example: annuity, monthly", 1_000_000_000, "24", "annuity", 12, "monthly", 0, "2025-01-15"),
//     full("equal principal, monthly", 1_000_000_000, "24", "equal_principal", 12, "monthly", 0, "2025-01-15"),
//     full("flat, monthly", 1_000_000_000, "24", "flat", 12, "monthly", 0, "2025-01-15"),
//     full("annuity, biweekly", 250_000_000, "30", "annuity", 6, "biweekly", 0, "2025-03-03"),
//     full("equal principal, biweekly", 250_000_000, "30", "equal_principal", 6, "biweekly", 0, "2025-03-03"),
//     full("flat, biweekly", 250_000_000, "30", "flat", 6, "biweekly", 0, "2025-03-03"),
//     full("annuity, weekly", 100_000_000, "26", "annuity", 8, "weekly", 0, "2025-06-02"),
//     full("equal principal, weekly", 100_000_000, "26", "equal_principal", 8, "weekly", 0, "2025-06-02"),
//     full("flat, weekly", 100_000_000, "26", "flat", 8, "weekly", 0, "2025-06-02"),
//     full("annuity, 2 grace, from 31 January", 300_000_000, "24", "annuity", 6, "monthly", 2, "2025-01-31"),
//     full("equal principal, 2 grace, from 31 January", 300_000_000, "24", "equal_principal", 6, "monthly", 2, "2025-01-31"),
//     full("flat, 2 grace, from 31 January", 300_000_000, "24", "flat", 6, "monthly", 2, "2025-01-31"),
//     full("annuity, weekly, 3 grace", 75_000_000, "18.5", "annuity", 7, "weekly", 3, "2025-12-29"),
//     full("flat, biweekly, 1 grace", 75_000_000, "18.5", "flat", 5, "biweekly", 1, "2025-12-29"),
//     full("leap year: 31 January 2024, 13 months", 130_000_000, "12", "equal_principal", 13, "monthly", 0, "2024-01-31"),
//     full("first due date 29 February 2024", 50_000_000, "20", "annuity", 13, "monthly", 0, "2024-02-01", "2024-02-29"),
//     full("first due date, weekly", 40_000_000, "15", "flat", 4, "weekly", 0, "2025-02-01", "2025-02-10"),
//     full("first due date, biweekly, grace", 40_000_000, "15", "equal_principal", 4, "biweekly", 1, "2025-02-01", "2025-02-20"),
//     full("zero rate: annuity", 100_000_000, "0", "annuity", 3, "monthly", 0, "2025-01-15"),
//     full("zero rate: equal principal", 100_000_000, "0", "equal_principal", 3, "monthly", 0, "2025-01-15"),
//     full("zero rate: flat with grace", 100_000_000, "0", "flat", 4, "monthly", 1, "2025-01-15"),
//     full("non-terminating rate 25 %", 777_777_777, "25", "annuity", 12, "monthly", 0, "2025-05-20"),
//     full("annuity exact tie A = 1200.5 tiyin", 2328, "25", "annuity", 3, "monthly", 1, "2025-01-10"),
//     full("annuity exact tie A = 58824.5 tiyin", 169368, "25", "annuity", 3, "monthly", 0, "2025-01-10"),
//     full("interest exact tie 0.5 tiyin", 24, "25", "equal_principal", 1, "monthly", 0, "2025-01-10"),
//     full("tiny annuity", 100, "24", "annuity", 12, "monthly", 0, "2025-01-10"),
//     full("JPY, 0 minor digits", 1_000_000, "24", "annuity", 6, "monthly", 0, "2025-01-15", digits=0),
//     full("KWD, 3 minor digits", 1_234_567, "7.25", "equal_principal", 5, "monthly", 0, "2025-01-15", digits=3),
//     full("one installment", 500_000_000, "24", "flat", 1, "weekly", 0, "2025-01-15"),
// ]
// summaries = [
//     summary("520 weekly annuity at 25 %", 12_345_678_901, "25", "annuity", 520, "weekly", 0, "2025-01-06"),
//     summary("520 weekly annuity at 0.000001 %", 1_000_000_000_000, "0.000001", "annuity", 520, "weekly", 0, "2025-01-06"),
//     summary("600 monthly annuity at 1000 %, largest principal", 10**15, "1000", "annuity", 600, "monthly", 0, "2025-01-31"),
//     summary("600 monthly equal principal at 13.5 %", 10**15, "13.5", "equal_principal", 600, "monthly", 12, "2025-01-31"),
//     summary("260 biweekly flat at 36.6 %", 98_765_432_10, "36.6", "flat", 260, "biweekly", 6, "2025-02-28"),
//     summary("tiny loan over 600 weeks: parts clamp to what is outstanding", 350, "0", "equal_principal", 600, "weekly", 0, "2025-01-01"),
//     summary("tiny annuity over 600 weeks", 350, "5", "annuity", 600, "weekly", 0, "2025-01-01"),
// ]
// rng = random.Random(20250115)
// for i in range(40):
//     method = rng.choice(list(SW))
//     freq = rng.choice(list(PPY))
//     n = rng.randint(1, 120 if freq == "monthly" else 300)
//     g = rng.randint(0, min(n - 1, 6))
//     annual = rng.choice(["0", "12", "18", "24", "25", "30.5", "33.333", "42", "7.125", "99.99"])
//     P = rng.randint(1, 10**6) * rng.choice([1, 100, 10_000, 1_000_000])
//     d = date(2024, 1, 1) + timedelta(days=rng.randint(0, 800))
//     fd = d + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.3 else None
//     summaries.append(summary(f"random {i + 1}", P, annual, method, n, freq, g, d.isoformat(), fd.isoformat() if fd else None))
//
// print("""// Generated by the Python in ReferenceScripts.swift (gen_swift.py over ref.py): exact rational
// // arithmetic (fractions.Fraction), half-up rounding by floor(x + 1/2), due dates from
// // dateutil.relativedelta, annuity payments cross-checked with numpy_financial.pmt.
// // Rows are "due_on principal interest". Do not edit by hand; regenerate.
//
// enum ScheduleReferenceData {
//     static let full: [FullCase] = [""")
// print("\n".join(fulls))
// print("""    ]
//
//     static let summaries: [SummaryCase] = [""")
// print("\n".join(summaries))
// print("""    ]
// }""")
// ```
//
// ## ties2.py
//
// ```python
// from ref import *
// found = []
// for annual in ["25", "10", "7", "35", "13", "33.333", "19", "29", "1", "100", "37"]:
//     for freq in ["monthly", "biweekly", "weekly"]:
//         r = F(annual) / 100 / PPY[freq]
//         for m in (2, 3, 4):
//             q = (1 - (1 + r) ** -m) / r   # A = P / q
//             # tie: P/q = k + 1/2  -> P = (2k+1) q / 2 ; need P integer
//             num, den = q.numerator, q.denominator
//             # P = (2k+1)*num/(2*den) integer: choose smallest odd multiple
//             for k2 in range(1, 400000, 2):
//                 if (k2 * num) % (2 * den) == 0:
//                     P = k2 * num // (2 * den)
//                     if P <= 10**15: found.append((annual, freq, m, P, half_up(P / q)))
//                     break
// print(len(found))
// for f in found: print(f)
// print("scaled")
// for annual, freq, m, P, A in found:
//     M = 999_999_999
//     r = F(annual) / 100 / PPY[freq]
//     x = P * M * r / (1 - (1 + r) ** -m)
//     assert x.denominator == 2
//     print(f'        ("{annual}", .{freq}, {m}, {P * M}, {half_up(x)}),')
// ```
//
// ## early payoff (EarlyPayoffTests)
//
// The interest-to-date figures: the SPEC's loan's schedule in exact arithmetic, each scheduled
// interest within a minor unit of numpy_financial.ipmt, and the fifth installment's interest
// spread over the days of its period (15 May → 15 June, 17 of 31 days passed on 1 June).
//
// ```python
// import numpy_financial as npf
// from fractions import Fraction as F
// from datetime import date
// import math
// def half_up(x): return math.floor(x + F(1, 2))
// P, r, n = 1000000000, F(2, 100), 12          # 10 000 000.00 at 24 % a year, monthly
// rows, out = [], P
// A = half_up(F(P) * r / (1 - (1 + r) ** -n))
// for k in range(1, n + 1):
//     i = half_up(out * r); p = out if k == n else min(A - i, out); rows.append((p, i)); out -= p
// for k, (p, i) in enumerate(rows, 1):
//     assert abs(i / 100 - (-npf.ipmt(float(r), k, n, P / 100))) <= 0.01, k
// start, due, on = date(2025, 5, 15), date(2025, 6, 15), date(2025, 6, 1)
// accrued = half_up(F(rows[4][1] * (on - start).days, (due - start).days))
// principal = P - sum(p for p, _ in rows[:4])
// print(accrued, principal, principal + accrued, sum(i for _, i in rows[4:]) - accrued)
// # 7597295 692694568 700291863 56184908  (numpy: 138538.914 × 17/31 = 75972.9528)
// ```

/// Marker for the reference scripts above; nothing to run.
enum ReferenceScripts {}
