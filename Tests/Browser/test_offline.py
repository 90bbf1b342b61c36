"""A mentor's form sent offline waits in the phone's outbox and is recorded once when back online."""

import time
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness import screenshot, set_offline, wait_for
from webapp import fill, session_fetch, today_display

OUTBOX_ITEMS = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open('ravnaq', 1);
open.onerror = () => done({error: String(open.error)});
open.onsuccess = () => {
  const db = open.result;
  if (!db.objectStoreNames.contains('outbox')) { done([]); return; }
  const request = db.transaction('outbox', 'readonly').objectStore('outbox').getAll();
  request.onsuccess = () => done(request.result);
  request.onerror = () => done({error: String(request.error)});
};
"""


def visit_count(api, token, family_id):
    response = api(token, "GET", f"/api/v1/families/{family_id}/visits?limit=500")
    assert response.status == 200, response.text
    return len(response.json()["items"])


def outbox_shown(driver):
    box = driver.find_element(By.CSS_SELECTOR, "#outbox")
    return box.is_displayed() and box.get_attribute("hidden") is None


def test_a_visit_sent_offline_is_recorded_once_when_back_online(new_browser, ravnaq, api, accounts):
    driver = new_browser(width=360, height=740)
    email = accounts.sign_in(driver, "aziza.rahimova@demo.ravnaq.example")
    token = ravnaq.token(email)
    cards = driver.find_elements(By.CSS_SELECTOR, "ul#families a.family[data-family-code]")
    assert len(cards) >= 2, "aziza has several families"
    family_id = cards[1].get_attribute("href").rstrip("/").split("/")[-1]
    driver.get(ravnaq.base + f"/families/{family_id}/visit")
    wait_for(driver, "form.record[data-offline] [name=date]")
    # app.js is loaded (deferred) before the form is used.
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return !!window.ravnaqOutbox"))
    before = visit_count(api, token, family_id)
    notes = f"Offline visit {uuid.uuid4().hex[:8]}"

    set_offline(driver, True)
    try:
        fill(driver, "date", today_display())
        fill(driver, "notes", notes)
        driver.find_element(By.CSS_SELECTOR, "form.record button[type=submit]").click()
        WebDriverWait(driver, 15).until(outbox_shown)
        WebDriverWait(driver, 15).until(lambda d: "1" in d.find_element(By.CSS_SELECTOR, "#outbox").text)
        banner = driver.find_element(By.CSS_SELECTOR, "#outbox").text
        assert "1 form" in banner, banner
        items = driver.execute_async_script(OUTBOX_ITEMS)
        assert isinstance(items, list) and len(items) == 1, items
        item = items[0]
        assert item["state"] == "waiting" and item["url"].endswith(f"/families/{family_id}/visit"), item
        time.sleep(1)
        assert visit_count(api, token, family_id) == before, "recorded although the browser was offline"
        screenshot(driver, "offline-360-outbox-waiting")
    finally:
        set_offline(driver, False)

    # Back online: the 'online' event (or the next page) sends it.
    deadline = time.monotonic() + 35
    reloaded = False
    while visit_count(api, token, family_id) == before and time.monotonic() < deadline:
        time.sleep(0.5)
        if not reloaded and time.monotonic() > deadline - 27:
            driver.refresh()  # the 'online' event did not come within 8 s: the next page replays
            reloaded = True
    assert visit_count(api, token, family_id) == before + 1, "the waiting visit was not sent within 35 s"
    WebDriverWait(driver, 15).until(lambda d: not outbox_shown(d))
    assert driver.execute_async_script(OUTBOX_ITEMS) == []
    time.sleep(1)
    assert visit_count(api, token, family_id) == before + 1

    # A retry of the same request (same Idempotency-Key) is not recorded again.
    driver.get(ravnaq.base + f"/families/{family_id}")
    wait_for(driver, "#visits")
    assert notes in driver.find_element(By.CSS_SELECTOR, "#visits").text
    csrf = driver.find_element(By.CSS_SELECTOR, "meta[name=csrf-token]").get_attribute("content")
    body = "&".join(part for part in item["body"].split("&") if not part.startswith("csrf=")) + "&csrf=" + csrf
    answer = session_fetch(driver, item["url"], "POST", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": item["key"], "X-Ravnaq-Outbox": "1"})
    assert answer["status"] == 200, answer
    assert visit_count(api, token, family_id) == before + 1, "the replayed request was recorded twice"
    visits = api(token, "GET", f"/api/v1/families/{family_id}/visits?limit=500").json()["items"]
    assert sum(1 for v in visits if v.get("notes") == notes) == 1
