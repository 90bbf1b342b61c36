"""The coordinator's desk: a repayment from the collection list moves the books exactly; the
family search folds case and Uzbek apostrophes."""

from decimal import Decimal

from selenium.webdriver.common.by import By

from harness import screenshot, wait_for
from webapp import parse_amount, path_of, query_of, submit_form


def trial_balance(driver, base):
    driver.get(base + "/books")
    wait_for(driver, "table#trial-balance")
    accounts = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "table#trial-balance tbody tr[data-account]"):
        cells = row.find_elements(By.CSS_SELECTOR, "td")
        accounts[row.get_attribute("data-account")] = {
            "debit": parse_amount(cells[1].text), "credit": parse_amount(cells[2].text),
            "balance": parse_amount(row.find_element(By.CSS_SELECTOR, "td.balance").text)}
    totals = driver.find_elements(By.CSS_SELECTOR, "table#trial-balance tfoot tr")
    assert totals, "no totals row"
    cells = totals[0].find_elements(By.CSS_SELECTOR, "td")
    return accounts, parse_amount(cells[0].text), parse_amount(cells[1].text)


def test_a_repayment_from_the_collection_list_moves_the_books_exactly(new_browser, ravnaq, api, accounts):
    driver = new_browser()
    accounts.sign_in(driver, "coordinator")
    assert path_of(driver) == "/collections"
    before, debit0, credit0 = trial_balance(driver, ravnaq.base)
    assert "cash" in before and "loans_receivable" in before, before.keys()
    assert debit0 == credit0, (debit0, credit0)
    # The page's figures are the ledger's.
    ledger = api(ravnaq.token("coordinator"), "GET", "/api/v1/ledger/trial-balance").json()
    assert {a["account"]: Decimal(a["balance"]) for a in ledger["accounts"]}["cash"] == before["cash"]["balance"]

    driver.get(ravnaq.base + "/collections")
    row = wait_for(driver, "table#collections tr[data-loan-number]")
    number = row.get_attribute("data-loan-number")
    form = row.find_element(By.CSS_SELECTOR, "form.repay")
    amount = form.find_element(By.CSS_SELECTOR, "[name=amount]")
    amount.clear()
    amount.send_keys("100 000")
    driver.execute_script("window.confirm = () => true;")
    submit_form(driver, f"table#collections tr[data-loan-number='{number}'] form.repay")
    notice = wait_for(driver, "#notice").text
    assert path_of(driver) == "/collections" and "done=repayment" in query_of(driver), driver.current_url
    assert number in notice, notice
    screenshot(driver, "coordinator-1280-collections-after-repayment")

    after, debit1, credit1 = trial_balance(driver, ravnaq.base)
    paid = Decimal("100000")
    assert after["cash"]["balance"] - before["cash"]["balance"] == paid
    assert after["cash"]["debit"] - before["cash"]["debit"] == paid
    assert after["cash"]["credit"] == before["cash"]["credit"]
    assert debit1 == credit1, (debit1, credit1)
    assert debit1 - debit0 == paid and credit1 - credit0 == paid
    # The other side: principal, interest and fees together, nothing else debited.
    others = [name for name in after if name != "cash"]
    credited = sum(after[n]["credit"] - before.get(n, {"credit": Decimal(0)})["credit"] for n in others)
    assert credited == paid, {n: after[n]["credit"] - before.get(n, {"credit": Decimal(0)})["credit"] for n in others}
    income_side = sum(after[n]["credit"] - before[n]["credit"]
                      for n in ("loans_receivable", "interest_income", "fee_income") if n in after)
    assert income_side == paid, "the repayment went to other accounts than receivable, interest and fees"
    assert all(after[n]["debit"] == before[n]["debit"] for n in others if n in before)


def search_codes(driver, base, text):
    driver.get(base + "/families")
    field = wait_for(driver, "form.search #q")
    field.clear()
    field.send_keys(text)
    submit_form(driver, "form.search")
    return sorted(a.get_attribute("data-family-code")
                  for a in driver.find_elements(By.CSS_SELECTOR, "#families a.family[data-family-code]"))


def test_family_search_ignores_case_and_uzbek_apostrophes(new_browser, ravnaq, api, accounts):
    driver = new_browser()
    accounts.sign_in(driver, "coordinator")
    typed = search_codes(driver, ravnaq.base, "o\u2018g\u2018iloy")   # as written: O‘g‘iloy
    assert typed, "no family found for o‘g‘iloy"
    for variant in ("O'G'ILOY", "oʻgʻiloy", "O`G`ILOY", "o’g’iloy", "ogiloy", "OGILOY"):
        assert search_codes(driver, ravnaq.base, variant) == typed, variant
    # The API answers the same families.
    found = api(ravnaq.token("coordinator"), "GET", "/api/v1/families?q=O%27G%27ILOY&limit=100").json()["items"]
    assert sorted(f["code"] for f in found) == typed
    # Cyrillic names too, in any case.
    assert search_codes(driver, ravnaq.base, "ольга") == search_codes(driver, ravnaq.base, "ОЛЬГА") != []
