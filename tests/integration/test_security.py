"""/account/security: changing the password (other sessions end, a notice
arrives, the new password works, a wrong current one is refused and
rate-limited), the live sessions with "sign out" each and all others, an
id that is not the person's answering 404."""

import re

import psycopg2
import pytest
import requests

from conftest import text_of
from test_signin import COOKIE, signin
from twofa import PASSWORD, fresh_account, page, post

NEW = "amber-copper-lantern-77"


@pytest.fixture(scope="module")
def owner_db(stack):
    """A connection of this module's own: a restart test of another module
    (test_tenancy.py) ends the shared one."""
    conn = psycopg2.connect(stack.owner_db)
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signin.%' "
                  "OR bucket LIKE 'signup.%' OR bucket LIKE 'security.%'")


def events(owner_db, email, like):
    with owner_db.cursor() as c:
        c.execute("SELECT event, detail FROM audit_log WHERE actor_email = %s AND event LIKE %s "
                  "ORDER BY id", (email, like))
        return c.fetchall()


def test_the_page_has_its_three_sections_and_is_linked_from_the_menu_and_dashboard(base):
    data, s = fresh_account(base)
    text = text_of(page(s, base).text)
    for heading in ("Two-step verification", "Password", "Signed-in devices",
                    "Two-step verification for your company"):
        assert heading in text
    assert "This device" in text
    dashboard = s.get(base + "/account/").text
    assert 'href="/account/security"' in dashboard, "the account menu"
    assert "Two-step sign-in is off" in text_of(dashboard)
    assert 'href="/account/security#two-factor"' in dashboard, "the dashboard's advice"


def test_signed_out_the_page_asks_to_sign_in(base):
    r = requests.get(base + "/account/security", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/signin?next=")


def test_changing_the_password_ends_the_other_sessions_and_rotates_this_one(
        base, mailbox, owner_db):
    data, s = fresh_account(base)
    other = requests.Session()
    assert signin(other, base, data["email"], PASSWORD).status_code == 303
    before = s.cookies.get(COOKIE)
    r = post(s, base, "/account/security/password",
             {"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert r.status_code == 303 and r.headers["Location"] == "/account/security?done=password"
    assert s.cookies.get(COOKIE) != before, "the token rotated"
    assert "Your password was changed" in text_of(page(s, base, "/account/security?done=password").text)
    assert requests.get(base + "/account/", cookies={COOKIE: before},
                        allow_redirects=False).status_code == 303, "the old token is dead"
    assert other.get(base + "/account/", allow_redirects=False).status_code == 303
    assert signin(requests.Session(), base, data["email"], PASSWORD).status_code == 401
    assert signin(requests.Session(), base, data["email"], NEW).status_code == 303
    got = mailbox.wait_for(data["email"], count=2)   # the sign-up's code, then the notice
    assert any("password was changed" in str(m["message"]["Subject"]) for m in got)
    assert [e for e, _ in events(owner_db, data["email"], "user.password.%")] == \
        ["user.password.changed"]


@pytest.mark.parametrize("fields, status, message", [
    ({"current": "wrong-password-123", "password": NEW, "confirm": NEW}, 401,
     "That is not your current password"),
    ({"current": PASSWORD, "password": NEW, "confirm": NEW + "x"}, 400,
     "The two new passwords are not the same"),
    ({"current": PASSWORD, "password": "password1234", "confirm": "password1234"}, 400,
     "most common"),
    ({"current": PASSWORD, "password": PASSWORD, "confirm": PASSWORD}, 400,
     "the same as the current one"),
    ({"password": NEW, "confirm": NEW}, 400, "Enter your current password"),
])
def test_a_refused_change_says_why_and_changes_nothing(base, fields, status, message):
    data, s = fresh_account(base)
    token = s.cookies.get(COOKIE)
    r = post(s, base, "/account/security/password", fields)
    assert r.status_code == status
    assert message in text_of(r.text)
    assert s.cookies.get(COOKIE) == token
    assert signin(requests.Session(), base, data["email"], PASSWORD).status_code == 303


def test_wrong_current_passwords_are_rate_limited(base):
    data, s = fresh_account(base)
    wrong = {"current": "wrong-password-123", "password": NEW, "confirm": NEW}
    codes = [post(s, base, "/account/security/password", wrong).status_code
             for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = post(s, base, "/account/security/password",
                 {"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert right.status_code == 429, "even the right one waits out the window"


def session_forms(html):
    return re.findall(r'action="(/account/security/sessions/([0-9a-f-]{36})/signout)"', html)


def test_the_sessions_list_signs_out_one_device_and_all_others(base, owner_db):
    data, s = fresh_account(base)
    phone = requests.Session()
    phone.headers["User-Agent"] = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
                                   "AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1")
    laptop = requests.Session()
    laptop.headers["User-Agent"] = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"
                                    " (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
    for dev in (phone, laptop):
        assert signin(dev, base, data["email"], PASSWORD).status_code == 303
    html = page(s, base).text
    text = text_of(html)
    assert "Safari · iOS" in text and "Chrome · Windows" in text and "127.0.0.1" in text
    forms = session_forms(html)
    # The sign-up's browser, the phone and the laptop; none for this one.
    assert len(forms) == 3, "a button for each other session"
    with owner_db.cursor() as c:
        c.execute("SELECT id::text FROM sessions WHERE user_id = (SELECT id FROM users "
                  "WHERE email = %s) AND user_agent LIKE '%%iPhone%%' AND revoked_at IS NULL",
                  (data["email"],))
        phone_id = c.fetchone()[0]
    r = post(s, base, f"/account/security/sessions/{phone_id}/signout", {})
    assert r.status_code == 303
    assert phone.get(base + "/account/", allow_redirects=False).status_code == 303
    assert laptop.get(base + "/account/", allow_redirects=False).status_code == 200
    assert "That device was signed out" in text_of(page(s, base, "/account/security?done="
                                                    "signed_out").text)
    assert len(session_forms(page(s, base).text)) == 2
    r = post(s, base, "/account/security/sessions/signout-others", {})
    assert r.status_code == 303
    assert laptop.get(base + "/account/", allow_redirects=False).status_code == 303
    assert s.get(base + "/account/", allow_redirects=False).status_code == 200
    assert session_forms(page(s, base).text) == []
    got = [e for e, _ in events(owner_db, data["email"], "user.session.%")]
    assert got == ["user.session.revoked", "user.session.revoked_others"]


def test_another_persons_session_id_is_404_and_stays_signed_in(base, owner_db):
    victim, v = fresh_account(base)
    _, attacker = fresh_account(base)
    with owner_db.cursor() as c:
        c.execute("SELECT id::text FROM sessions WHERE user_id = (SELECT id FROM users "
                  "WHERE email = %s) AND revoked_at IS NULL", (victim["email"],))
        victim_session = c.fetchone()[0]
    for sid in (victim_session, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        r = post(attacker, base, f"/account/security/sessions/{sid}/signout", {})
        assert r.status_code == 404, sid
    assert v.get(base + "/account/", allow_redirects=False).status_code == 200
    # Nor can one sign out one's own current session through that form.
    with owner_db.cursor() as c:
        c.execute("SELECT id::text FROM sessions WHERE token_hash = sha256(%s::bytea)",
                  (v.cookies.get(COOKIE).encode(),))
        own = c.fetchone()[0]
    assert post(v, base, f"/account/security/sessions/{own}/signout", {}).status_code == 404
