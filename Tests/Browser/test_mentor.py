"""A mentor on a phone-sized window records a visit, an income and an assessment."""

import re
import uuid
from decimal import Decimal

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from harness import screenshot, wait_for
from webapp import fill, parse_amount, path_of, query_of, scroll_width, submit_form, this_month, today_display

WIDTH = 360
DOMAINS = ["income", "employment", "housing", "food", "childcare", "children_education", "adult_education", "health",
           "life_skills", "family_relations", "community", "legal", "mobility", "safety", "credit"]


def assert_fits(driver):
    width = scroll_width(driver)
    inner = driver.execute_script("return window.innerWidth")
    assert width <= max(WIDTH, inner), f"{driver.current_url}: the page is {width} px wide in a {inner} px window"


def test_mentor_records_a_visit_an_income_and_an_assessment_at_360px(new_browser, ravnaq, accounts):
    driver = new_browser(width=WIDTH, height=740)
    accounts.sign_in(driver, "aziza.rahimova@demo.ravnaq.example")
    assert path_of(driver) == "/families"
    assert_fits(driver)
    card = wait_for(driver, "ul#families a.family[data-family-code]")
    code = card.get_attribute("data-family-code")
    card.click()
    wait_for(driver, "section#members")
    family_path = path_of(driver)
    assert code in driver.find_element(By.TAG_NAME, "h1").text
    assert_fits(driver)

    # A visit.
    driver.find_element(By.CSS_SELECTOR, "#record-visit").click()
    wait_for(driver, "form.record [name=date]")
    assert_fits(driver)
    notes = f"Browser test visit {uuid.uuid4().hex[:8]}"
    fill(driver, "date", today_display())
    Select(driver.find_element(By.CSS_SELECTOR, "form.record [name=kind]")).select_by_value("home")
    fill(driver, "notes", notes)
    submit_form(driver)
    wait_for(driver, "#notice", 15)
    assert path_of(driver) == family_path and "done=visit" in query_of(driver), driver.current_url
    visits = driver.find_element(By.CSS_SELECTOR, "#visits").text
    assert today_display() in visits and notes in visits, visits
    assert_fits(driver)

    # An income for this month (the form suggests last month, recorded already in the demo).
    driver.find_element(By.CSS_SELECTOR, "#record-income").click()
    wait_for(driver, "form.record [name=period]")
    assert_fits(driver)
    fill(driver, "period", this_month())
    fill(driver, "household_size", "5")
    fill(driver, "wages", "1 250 000")
    fill(driver, "pension", "300 000")
    submit_form(driver)
    notice = wait_for(driver, "#notice", 15).text
    assert path_of(driver) == family_path and "done=income" in query_of(driver), \
        f"{driver.current_url}: {driver.find_element(By.TAG_NAME, 'main').text[:600]}"
    # (1 250 000 + 300 000) / 5 = 310 000 a person.
    amounts = [parse_amount(a) for a in re.findall(r"\d[\d\u00a0 ]*(?:,\d+)?", notice)]
    assert Decimal("310000") in amounts, f"no per-capita income of 310 000 in the notice: {notice!r}"
    rows = {r.find_elements(By.CSS_SELECTOR, "td")[0].text: r
            for r in driver.find_elements(By.CSS_SELECTOR, "table#incomes tbody tr")}
    assert this_month() in rows, list(rows)
    assert parse_amount(rows[this_month()].find_elements(By.CSS_SELECTOR, "td")[1].text) == Decimal("310000")
    assert driver.find_elements(By.CSS_SELECTOR, "figure#income-chart svg")
    assert_fits(driver)

    # An assessment, every domain at 3.
    driver.find_element(By.CSS_SELECTOR, "#record-assessment").click()
    wait_for(driver, "form.record [name=assessed_on]")
    assert_fits(driver)
    fill(driver, "assessed_on", today_display())
    for domain in DOMAINS:
        Select(driver.find_element(By.CSS_SELECTOR, f"form.record [name=score_{domain}]")).select_by_value("3")
    submit_form(driver)
    wait_for(driver, "#notice", 15)
    assert path_of(driver) == family_path and "done=assessment" in query_of(driver), \
        f"{driver.current_url}: {driver.find_element(By.TAG_NAME, 'main').text[:600]}"
    scores = driver.find_element(By.CSS_SELECTOR, "#scores").text
    assert today_display() in scores, scores
    assert_fits(driver)
    screenshot(driver, "mentor-360-family-after-forms")


def test_a_form_with_errors_answers_beside_the_field(new_browser, ravnaq, accounts):
    driver = new_browser(width=WIDTH, height=740)
    accounts.sign_in(driver, "aziza.rahimova@demo.ravnaq.example")
    cards = driver.find_elements(By.CSS_SELECTOR, "ul#families a.family[data-family-code]")
    driver.get(cards[-1].get_attribute("href") + "/income")
    # Values the browser's own checks let through, that the server refuses: 60 people, then a month to come.
    fill(driver, "period", this_month())
    fill(driver, "household_size", "60")
    submit_form(driver)
    errors = {e.get_attribute("id"): e.text for e in driver.find_elements(By.CSS_SELECTOR, "p.field-error")}
    assert "household_size-error" in errors, errors
    assert driver.find_element(By.CSS_SELECTOR, "[name=household_size]").get_attribute("aria-invalid") == "true"
    assert_fits(driver)
    fill(driver, "period", "12.2099")
    fill(driver, "household_size", "4")
    fill(driver, "wages", "100 000")
    submit_form(driver)
    errors = {e.get_attribute("id"): e.text for e in driver.find_elements(By.CSS_SELECTOR, "p.field-error")}
    assert "period-error" in errors, \
        f"{driver.current_url}: a month to come (12.2099) is not refused beside its field: {errors}"
    assert_fits(driver)
