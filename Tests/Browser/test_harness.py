"""Tests of the harness itself: the server, the browser, the API and CLI helpers."""

import json

from selenium.webdriver.common.by import By

from harness import demo_users, parse_logins, screenshot


def admin_email():
    return next(u["email"] for u in demo_users() if u["role"] == "admin")


def test_health_answers_in_the_browser(browser, base_url, ravnaq):
    browser.get(base_url + "/healthz")
    assert '"status":"ok"' in browser.page_source.replace(" ", "")
    assert json.loads(browser.find_element(By.TAG_NAME, "body").text) == {"status": "ok", "database": "ok"}
    assert screenshot(browser, "harness-healthz").stat().st_size > 0


def test_api_me_with_the_admin_demo_token(api, ravnaq):
    response = api(ravnaq.token("admin"), "GET", "/api/v1/me")
    assert response.status == 200, response.text
    assert response.json()["email"] == admin_email()
    assert response.json()["role"] == "admin"
    assert api(None, "GET", "/api/v1/me").status == 401


def test_every_demo_user_has_a_token(ravnaq):
    assert {u["email"] for u in demo_users()} <= {e for e, l in ravnaq.logins.items() if l.token}


def test_cli_reads_the_served_database(cli):
    families = json.loads(cli("family", "list", "--format", "json").stdout)
    assert families, "the demo organization has families"


def test_parse_logins_reads_tokens_and_welcome_links():
    text = ("admin\tadmin@demo.ravnaq.example\trvq_abc-DEF_1\n"
            "  mentor  ольга.ким@demo.ravnaq.example  http://127.0.0.1:4321/welcome/Xy_z-9\n"
            "  admin  admin@demo.ravnaq.example  http://127.0.0.1:4321/welcome/AAA\n"
            "some log line without a link\n")
    logins = parse_logins(text)
    assert logins["admin@demo.ravnaq.example"].token == "rvq_abc-DEF_1"
    assert logins["admin@demo.ravnaq.example"].link == "http://127.0.0.1:4321/welcome/AAA"
    assert logins["admin@demo.ravnaq.example"].role == "admin"
    olga = logins["ольга.ким@demo.ravnaq.example"]
    assert (olga.role, olga.link, olga.token) == ("mentor", "http://127.0.0.1:4321/welcome/Xy_z-9", None)
    assert len(logins) == 2
