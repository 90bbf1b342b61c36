"""Signing in through one-time links, signing out, locking after failures, CSRF, revocation."""

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness import sign_in, wait_for
from webapp import HOME, PASSWORD, body_text, path_of, session_fetch, today_display

ROLES = ["mentor", "coordinator", "grant_officer", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_through_its_link_and_lands_home(role, new_browser, ravnaq, accounts):
    driver = new_browser()
    email = accounts.sign_in(driver, role)
    assert path_of(driver) == HOME[role], f"{email} landed on {driver.current_url}"
    assert email in driver.find_element(By.CSS_SELECTOR, "form.sign-out").text

    # Signed out: the home page asks to sign in again.
    driver.find_element(By.CSS_SELECTOR, "#sign-out").click()
    WebDriverWait(driver, 10).until(lambda d: path_of(d) == "/sign-in")
    driver.get(ravnaq.base + HOME[role])
    assert path_of(driver) == "/sign-in", driver.current_url
    assert driver.find_elements(By.CSS_SELECTOR, "#email")

    # And the password chosen on the link signs in.
    sign_in(driver, ravnaq.base, email, PASSWORD, path="/sign-in")
    assert path_of(driver) == HOME[role], driver.current_url


def test_five_wrong_passwords_lock_the_account(new_browser, ravnaq, accounts):
    email = accounts.email("bobur.tursunov@demo.ravnaq.example")
    driver = new_browser()
    accounts.sign_in(driver, email)  # a fresh password, known to be right
    driver.delete_all_cookies()

    answers = []
    for attempt in range(6):
        sign_in(driver, ravnaq.base, email, "wrong-password-%d" % attempt, path="/sign-in")
        assert path_of(driver) == "/sign-in", driver.current_url
        answers.append(wait_for(driver, "#form-error").text)
        if re.search(r"\b\d{1,2}:\d{2}\b", answers[-1]):
            break
    locked = [a for a in answers if re.search(r"\b\d{1,2}:\d{2}\b", a)]
    assert locked, f"no locked message (with a time HH:MM) after {len(answers)} wrong passwords: {answers}"
    assert len(answers) in (5, 6), f"locked after {len(answers)} attempts: {answers}"
    assert answers[0] != locked[0], "the first wrong password already says locked"

    # The right password is refused while locked.
    sign_in(driver, ravnaq.base, email, PASSWORD, path="/sign-in")
    assert path_of(driver) == "/sign-in", f"signed in while locked: {driver.current_url}"
    message = wait_for(driver, "#form-error").text
    assert re.search(r"\b\d{1,2}:\d{2}\b", message), message
    driver.get(ravnaq.base + "/families")
    assert path_of(driver) == "/sign-in"


def _visit_count(api, token, family_id):
    response = api(token, "GET", f"/api/v1/families/{family_id}/visits?limit=500")
    assert response.status == 200, response.text
    return len(response.json()["items"])


def test_a_form_without_the_csrf_token_is_refused(new_browser, ravnaq, api, accounts):
    driver = new_browser()
    email = accounts.sign_in(driver, "aziza.rahimova@demo.ravnaq.example")
    token = ravnaq.token(email)
    link = wait_for(driver, "a.family[data-family-code]")
    family_id = link.get_attribute("href").rstrip("/").split("/")[-1]
    driver.get(ravnaq.base + f"/families/{family_id}")
    before = _visit_count(api, token, family_id)
    fields = {"date": today_display(), "kind": "home", "notes": "csrf probe", "next_visit_on": today_display()}

    # fetch with the session's cookies and no token.
    body = "&".join(f"{k}={v}" for k, v in fields.items()).replace(" ", "+")
    answer = session_fetch(driver, f"/families/{family_id}/visit", "POST", body,
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert answer["status"] == 403, answer

    # A plain form posted without the token (what another site's page would send).
    driver.execute_script(
        """
        const [action, fields] = arguments;
        const form = document.createElement('form');
        form.method = 'post'; form.action = action;
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement('input');
          input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
        }
        document.body.appendChild(form);
        HTMLFormElement.prototype.submit.call(form);
        """, f"/families/{family_id}/visit", fields)
    WebDriverWait(driver, 10).until(lambda d: path_of(d) == f"/families/{family_id}/visit")
    status = driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0]; return n && n.responseStatus")
    if status is not None:
        assert status == 403, status
    assert "csrf probe" not in body_text(driver)

    assert _visit_count(api, token, family_id) == before, "a visit was recorded without the CSRF token"


def test_revoking_a_user_ends_their_browser_session(new_browser, ravnaq, cli, accounts):
    driver = new_browser()
    email = accounts.sign_in(driver, "ольга.ким@demo.ravnaq.example")
    assert path_of(driver) == "/families"
    cli("user", "revoke", email)
    driver.get(ravnaq.base + "/families")
    assert path_of(driver) == "/sign-in", f"still signed in after revoke: {driver.current_url}"
    # And the password no longer signs in.
    sign_in(driver, ravnaq.base, email, PASSWORD, path="/sign-in")
    assert path_of(driver) == "/sign-in", driver.current_url
