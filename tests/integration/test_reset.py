"""A forgotten password: the same answer for a registered and an unknown
e-mail, a single-use link read from the real message, a new password that
signs out every session and is mailed about, all audited."""

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
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'forgot.%' "
                  "OR bucket LIKE 'signin.%' OR bucket LIKE 'signup.%'")


def ask(s, base, email):
    page = s.get(base + "/forgot")
    return s.post(base + "/forgot", data={"csrf": csrf_of(page.text), "email": email})


def link_in(mailbox, address, count=1, timeout=15.0):
    """The token of the count-th reset mail to address. The sign-up's
    verification mail may land in the box too (when the jobs deliver it
    after the mailbox fixture emptied it), so only reset mails count."""
    deadline = time.time() + timeout
    while True:
        links = [m.group(1) for m in (
            re.search(r"http\S+/reset\?token=([A-Za-z0-9_-]{43})",
                      got["message"].get_body(("plain",)).get_content())
            for got in mailbox.to(address)) if m]
        if len(links) >= count or time.time() > deadline:
            break
        time.sleep(0.1)
    assert len(links) >= count, f"no reset mail reached {address}"
    return links[-1]


@pytest.fixture
def account(http, base, mailbox):
    data = form()
    assert signup(requests.Session(), base, data).status_code == 303
    return data


def test_the_answer_does_not_tell_whether_the_address_is_registered(http, base, account,
                                                                   mailbox):
    known = ask(http, base, account["email"])
    unknown = ask(requests.Session(), base, "nobody-" + account["email"])
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: text_of(r.text).replace(account["email"], "").replace("nobody-", "")
    assert strip(known) == strip(unknown)
    assert "a link is on its way" in text_of(known.text)
    link_in(mailbox, account["email"])
    assert not mailbox.to("nobody-" + account["email"])


def test_a_reset_sets_the_password_signs_out_everywhere_and_works_once(
        http, base, account, mailbox, owner_db):
    other = requests.Session()
    assert signin(other, base, account["email"], account["password"]).status_code == 303
    assert other.get(base + "/account/", allow_redirects=False).status_code == 200
    ask(http, base, account["email"])
    token = link_in(mailbox, account["email"])
    page = http.get(f"{base}/reset?token={token}")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"
    weak = http.post(base + "/reset", data={"csrf": csrf_of(page.text), "token": token,
                                            "password": "password1234"})
    assert weak.status_code == 400 and "most common" in text_of(weak.text)
    done = http.post(base + "/reset", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "token": token, "password": "new-copper-lantern-77"})
    assert done.status_code == 303 and done.headers["Location"] == "/signin?reset=1"
    assert other.get(base + "/account/", allow_redirects=False).status_code == 303, \
        "the other session is signed out"
    again = http.post(base + "/reset", data={"csrf": csrf_of(page.text), "token": token,
                                             "password": "another-copper-lantern-78"})
    assert again.status_code == 410 and "used already" in text_of(again.text)
    assert signin(requests.Session(), base, account["email"],
                  account["password"]).status_code == 401
    assert signin(requests.Session(), base, account["email"],
                  "new-copper-lantern-77").status_code == 303
    notices = mailbox.wait_for(account["email"], count=3)
    assert "password was changed" in str(notices[-1]["message"]["Subject"])
    with owner_db.cursor() as c:
        c.execute("SELECT event FROM audit_log WHERE actor_email = %s AND event LIKE "
                  "'user.password.%%' ORDER BY id", (account["email"],))
        assert [e for (e,) in c.fetchall()] == ["user.password.reset_requested",
                                                "user.password.reset"]


def test_a_newer_link_replaces_an_older_one(http, base, account, mailbox):
    ask(http, base, account["email"])
    first = link_in(mailbox, account["email"])
    ask(http, base, account["email"])
    second = link_in(mailbox, account["email"], count=2)
    assert first != second
    assert http.get(f"{base}/reset?token={first}").status_code == 410
    assert http.get(f"{base}/reset?token={second}").status_code == 200


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "%00" * 10])
def test_a_bad_link_is_explained(http, base, token):
    r = http.get(f"{base}/reset?token={token}")
    assert r.status_code in (400, 410)
    if r.status_code == 410:
        assert "Ask for a new one" in text_of(r.text)


def test_asking_is_rate_limited_per_address(http, base, account):
    for _ in range(3):
        assert ask(http, base, account["email"]).status_code == 200
    r = ask(http, base, account["email"])
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
