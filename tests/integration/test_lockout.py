"""An account that repeated failed sign-ins lock out: its owner gets one
mail about it (not one per refused try), saying until when, from where, and
where to choose a new password; the lockout is audited. And a bot that fills
in the hidden honeypot field is refused, with nothing done."""

import re
import time

import pytest
import requests

from conftest import csrf_of, text_of
from test_signin import COOKIE, signin
from test_signup import form, signup


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signin.%' "
                  "OR bucket LIKE 'signup.%'")


@pytest.fixture
def account(base, mailbox):
    data = form()
    assert signup(requests.Session(), base, data).status_code == 303
    return data


def lockout_mails(mailbox, address):
    return [m for m in mailbox.to(address) if "paused" in str(m["message"]["Subject"])]


def test_a_locked_account_gets_one_mail_saying_until_when_and_from_where(
        http, base, account, mailbox, owner_db):
    for i in range(10):
        assert signin(http, base, account["email"], f"wrong-guess-{i}").status_code == 401
    refused = [signin(http, base, account["email"], account["password"]) for _ in range(3)]
    assert [r.status_code for r in refused] == [429, 429, 429]
    assert COOKIE not in refused[0].headers.get("Set-Cookie", "")
    deadline = time.time() + 15
    while not lockout_mails(mailbox, account["email"]) and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(2)   # jobs run every second: a second mail would be here by now
    mails = lockout_mails(mailbox, account["email"])
    assert len(mails) == 1, [str(m["message"]["Subject"]) for m in mailbox.to(account["email"])]
    body = mails[0]["message"].get_body(("plain",)).get_content()
    assert "Sign-ins to your account are paused" in body
    assert "127.0.0.1" in body
    assert re.search(r"http\S+/forgot\b", body)
    until = re.search(r"after: (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", body)
    assert until, body
    locked_for = time.mktime(time.strptime(until.group(1), "%Y-%m-%d %H:%M")) - time.mktime(
        time.gmtime())
    assert 780 < locked_for <= 900, locked_for
    html = mails[0]["message"].get_body(("html",)).get_content()
    assert "paused" in html and "/forgot" in html
    with owner_db.cursor() as c:
        c.execute("SELECT count(*), min(ip::text) FROM audit_log "
                  "WHERE event = 'user.signin.lockout' AND actor_email = %s",
                  (account["email"],))
        count, ip = c.fetchone()
    assert count == 1 and ip.startswith("127.0.0.1")


def test_the_lockout_mail_is_in_the_owners_language(base, mailbox):
    data = form()
    assert signup(requests.Session(), base, data, lang="ru").status_code == 303
    s = requests.Session()
    for i in range(11):
        signin(s, base, data["email"], f"wrong-guess-{i}")
    got = []
    deadline = time.time() + 15
    while not got and time.time() < deadline:
        got = [m for m in mailbox.to(data["email"])
               if "приостановлены" in str(m["message"]["Subject"])]
        time.sleep(0.1)
    assert got, [str(m["message"]["Subject"]) for m in mailbox.to(data["email"])]
    assert "Попытки шли с адреса" in got[0]["message"].get_body(("plain",)).get_content()


def test_an_unknown_address_locked_out_sends_no_mail(http, base, mailbox, owner_db):
    ghost = f"nobody-{time.time_ns()}@nowhere.example"
    for i in range(12):
        signin(http, base, ghost, f"wrong-guess-{i}")
    time.sleep(2)
    assert not mailbox.to(ghost)
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM audit_log WHERE event = 'user.signin.lockout' "
                  "AND actor_email = %s", (ghost,))
        assert c.fetchone()[0] == 0


def test_a_filled_honeypot_on_sign_in_is_refused_and_signs_no_one_in(
        http, base, account, owner_db):
    page = http.get(base + "/signin")
    trap = re.search(r'<div class="trap" aria-hidden="true">.*?</div>', page.text, re.S)
    assert trap and 'tabindex="-1"' in trap.group(0) and 'autocomplete="off"' in trap.group(0)
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM audit_log WHERE actor_email = %s", (account["email"],))
        before = c.fetchone()[0]
    r = http.post(base + "/signin", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "email": account["email"], "password": account["password"],
        "website": "http://spam.example"})
    assert r.status_code == 400
    assert "We could not accept this form" in text_of(r.text)
    assert COOKIE not in r.headers.get("Set-Cookie", "")
    assert http.get(base + "/account/", allow_redirects=False).status_code == 303
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM audit_log WHERE actor_email = %s", (account["email"],))
        assert c.fetchone()[0] == before


def test_a_filled_honeypot_on_sign_up_creates_nothing(base, owner_db):
    data = form(website="http://spam.example")
    r = signup(requests.Session(), base, data)
    assert r.status_code == 400 and "We could not accept this form" in text_of(r.text)
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM users WHERE email = %s", (data["email"],))
        assert c.fetchone()[0] == 0
