"""Two-step verification with codes made by an independent tool (Debian's
oathtool): enrolment shows a QR code and the secret, one code confirms it
(and the session token rotates), ten recovery codes are shown once and
stored hashed; sign-in then needs a code, a code counts once, a recovery
code works once and is mailed about; turning it off needs the password and
a code; an owner can require it of the whole company."""

import re

import psycopg2
import pytest
import requests

from conftest import csrf_of, text_of
from test_signin import COOKIE, signin
from twofa import (PASSWORD, enrol, fresh_account, page, post, recovery_codes,
                   start_enrolment, totp)


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


def user_row(owner_db, email):
    with owner_db.cursor() as c:
        c.execute("SELECT id, totp_secret, totp_pending, totp_last_step FROM users "
                  "WHERE email = %s", (email,))
        return c.fetchone()


def events(owner_db, email, like):
    with owner_db.cursor() as c:
        c.execute("SELECT event FROM audit_log WHERE actor_email = %s AND event LIKE %s "
                  "ORDER BY id", (email, like))
        return [e for (e,) in c.fetchall()]


def second_step(s, base, code, expect=303):
    form = s.get(base + "/signin/2fa", allow_redirects=False)
    assert form.status_code == 200, form.headers.get("Location")
    r = s.post(base + "/signin/2fa", data={"csrf": csrf_of(form.text), "code": code},
               allow_redirects=False)
    assert r.status_code == expect, text_of(r.text)[:300]
    return r


def test_enrolment_shows_a_qr_code_and_the_secret_sealed_until_confirmed(base, owner_db):
    data, s = fresh_account(base)
    enrol_page, secret = start_enrolment(s, base)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in enrol_page.text and 'class="qr"' in \
        enrol_page.text
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret), secret
    assert "no-store" in enrol_page.headers["Cache-Control"]
    _, sealed, pending, _ = user_row(owner_db, data["email"])
    assert sealed is None and pending.startswith("v1.")
    assert secret.replace(" ", "") not in pending, "sealed, not plain"
    # A wrong code re-shows the page with the error; nothing turns on.
    wrong = "000000" if totp(secret) != "000000" else "111111"
    r = post(s, base, "/account/security/2fa/confirm", {"code": wrong},
             from_path="/account/security/2fa")
    assert r.status_code == 400 and "That code is not right" in text_of(r.text)
    r = post(s, base, "/account/security/2fa/confirm", {"code": "12ab"},
             from_path="/account/security/2fa")
    assert r.status_code == 400 and "Enter the 6 digits" in text_of(r.text)
    assert user_row(owner_db, data["email"])[1] is None


def test_a_confirmed_enrolment_rotates_the_token_and_shows_ten_codes_once(
        base, owner_db, mailbox):
    data, s = fresh_account(base)
    _, secret = start_enrolment(s, base)
    before = s.cookies.get(COOKIE)
    r = post(s, base, "/account/security/2fa/confirm", {"code": totp(secret)},
             from_path="/account/security/2fa")
    assert r.status_code == 200 and "no-store" in r.headers["Cache-Control"]
    codes = recovery_codes(r.text)
    assert len(set(codes)) == 10
    assert s.cookies.get(COOKIE) != before, "the token rotated at 2FA"
    assert requests.get(base + "/account/", cookies={COOKIE: before},
                        allow_redirects=False).status_code == 303
    text = text_of(page(s, base).text)
    assert "Unused recovery codes: 10" in text
    assert not any(c in page(s, base).text for c in codes), "shown once only"
    uid, sealed, pending, last = user_row(owner_db, data["email"])
    assert sealed.startswith("v1.") and pending is None and last is not None
    with owner_db.cursor() as c:
        c.execute("SELECT code_hash FROM recovery_codes WHERE user_id = %s", (uid,))
        hashes = [h for (h,) in c.fetchall()]
    assert len(hashes) == 10 and not set(codes) & set(hashes), "stored hashed"
    assert any("two-step verification is on" in str(m["message"]["Subject"])
               for m in mailbox.wait_for(data["email"], count=2))
    assert events(owner_db, data["email"], "user.two_factor.%") == ["user.two_factor.enabled"]
    assert "Two-step sign-in is off" not in text_of(s.get(base + "/account/").text)


def test_sign_in_needs_the_code_which_counts_once_and_keeps_next(base, owner_db):
    data, s = fresh_account(base)
    secret, _ = enrol(s, base)
    b = requests.Session()
    r = signin(b, base, data["email"], PASSWORD, next_="/account/security")
    assert r.status_code == 303 and r.headers["Location"] == "/signin/2fa"
    assert COOKIE not in b.cookies, "no session before the code"
    assert b.get(base + "/account/", allow_redirects=False).status_code == 303
    # The code the enrolment used is spent: refused here.
    r = second_step(b, base, totp(secret), expect=401)
    assert "That code is not right, or was used already" in text_of(r.text)
    code = totp(secret, ahead=1)
    r = second_step(b, base, code)
    assert r.headers["Location"] == "/account/security", "?next= survives the second step"
    assert b.get(base + "/account/", allow_redirects=False).status_code == 200
    # The same code again, from another browser with the password: refused.
    c = requests.Session()
    assert signin(c, base, data["email"], PASSWORD).headers["Location"] == "/signin/2fa"
    second_step(c, base, code, expect=401)
    assert COOKIE not in c.cookies
    assert "user.signin" in events(owner_db, data["email"], "user.signin%")


def test_a_recovery_code_works_once_and_is_mailed_about(base, owner_db, mailbox):
    data, s = fresh_account(base)
    _, codes = enrol(s, base)
    b = requests.Session()
    signin(b, base, data["email"], PASSWORD)
    r = second_step(b, base, codes[3].upper().replace("-", " "))
    assert r.headers["Location"] == "/account/"
    assert b.get(base + "/account/", allow_redirects=False).status_code == 200
    c = requests.Session()
    signin(c, base, data["email"], PASSWORD)
    second_step(c, base, codes[3], expect=401)
    got = mailbox.wait_for(data["email"], count=3)
    used = [m for m in got if "recovery code was used" in str(m["message"]["Subject"])]
    assert used, [str(m["message"]["Subject"]) for m in got]
    assert "Recovery codes left: 9" in used[0]["message"].get_body(("plain",)).get_content()
    assert events(owner_db, data["email"], "user.recovery.%") == ["user.recovery.used"]
    assert "Unused recovery codes: 9" in text_of(page(s, base).text)


def test_the_challenge_allows_five_tries_then_starts_over(base):
    data, s = fresh_account(base)
    secret, _ = enrol(s, base)
    b = requests.Session()
    signin(b, base, data["email"], PASSWORD)
    right = {totp(secret, k) for k in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(100000, 999999) if f"{n:06d}" not in right)
    for i in range(4):
        second_step(b, base, wrong, expect=401)
    form = b.get(base + "/signin/2fa")
    r = b.post(base + "/signin/2fa", data={"csrf": csrf_of(form.text), "code": wrong},
               allow_redirects=False)
    assert r.status_code == 410 and "This sign-in has expired" in text_of(r.text)
    assert 'name="code"' not in r.text, "no form to try a sixth code in"
    assert "Max-Age=0" in r.headers["Set-Cookie"], "the challenge cookie goes"
    again = b.get(base + "/signin/2fa", allow_redirects=False)
    assert again.status_code == 410 and 'href="/signin"' in again.text


def test_without_a_challenge_the_second_step_says_to_sign_in(base):
    r = requests.get(base + "/signin/2fa", allow_redirects=False)
    assert r.status_code == 410 and "Sign in again" in text_of(r.text)
    forged = requests.get(base + "/signin/2fa", cookies={"portal_2fa": "A" * 43},
                          allow_redirects=False)
    assert forged.status_code == 410


def test_turning_it_off_needs_the_password_and_a_code(base, owner_db, mailbox):
    data, s = fresh_account(base)
    secret, codes = enrol(s, base)
    r = post(s, base, "/account/security/2fa/disable", {"password": "wrong-password-1",
                                                         "code": codes[0]})
    assert r.status_code == 401 and "That is not your current password" in text_of(r.text)
    r = post(s, base, "/account/security/2fa/disable", {"password": PASSWORD,
                                                         "code": "2222-2222-2222"})
    assert r.status_code == 401 and "That code is not right" in text_of(r.text)
    r = post(s, base, "/account/security/2fa/disable", {"password": PASSWORD, "code": ""})
    assert r.status_code == 400 and "Enter your password and a code" in text_of(r.text)
    assert user_row(owner_db, data["email"])[1] is not None
    r = post(s, base, "/account/security/2fa/disable", {"password": PASSWORD,
                                                         "code": codes[0]})
    assert r.status_code == 303
    assert user_row(owner_db, data["email"])[1] is None
    assert "Two-step verification is off" in text_of(
        page(s, base, "/account/security?done=two_factor_off").text)
    assert events(owner_db, data["email"], "user.two_factor.%") == [
        "user.two_factor.enabled", "user.two_factor.disabled"]
    assert any("two-step verification is off" in str(m["message"]["Subject"])
               for m in mailbox.wait_for(data["email"], count=3))
    assert signin(requests.Session(), base, data["email"],
                  PASSWORD).headers["Location"] == "/account/"


def test_new_recovery_codes_replace_the_old_ones(base):
    data, s = fresh_account(base)
    secret, old = enrol(s, base)
    r = post(s, base, "/account/security/2fa/recovery", {"code": totp(secret, ahead=1)})
    assert r.status_code == 200
    new = recovery_codes(r.text)
    assert len(new) == 10 and not set(new) & set(old)
    b = requests.Session()
    signin(b, base, data["email"], PASSWORD)
    second_step(b, base, old[0], expect=401)
    second_step(b, base, new[0])


def member_of(owner_db, owner_email):
    """A second person in the owner's company, with the same password."""
    email = "member-" + owner_email
    with owner_db.cursor() as c:
        c.execute("BEGIN")
        c.execute("SELECT set_config('portal.all_tenants', 'on', true)")
        c.execute("INSERT INTO users (email, password_hash, email_verified_at) "
                  "SELECT %s, password_hash, now() FROM users WHERE email = %s RETURNING id",
                  (email, owner_email))
        uid = c.fetchone()[0]
        c.execute("INSERT INTO tenant_members (tenant_id, user_id, role) "
                  "SELECT m.tenant_id, %s, 'member' FROM tenant_members m JOIN users u "
                  "ON u.id = m.user_id WHERE u.email = %s", (uid, owner_email))
        c.execute("COMMIT")
    return email


def test_an_owner_can_require_it_and_members_must_enrol_first(base, owner_db):
    data, s = fresh_account(base)
    member = member_of(owner_db, data["email"])
    m = requests.Session()
    m.headers["Accept-Language"] = "en"
    assert signin(m, base, member, PASSWORD).status_code == 303
    # Members see no such switch; owners need their own 2FA first.
    assert "for your company" not in text_of(page(m, base).text)
    assert post(m, base, "/account/security/require-2fa", {"require": "on"}).status_code == 403
    r = post(s, base, "/account/security/require-2fa", {"require": "on"})
    assert r.status_code == 409 and "your own account first" in text_of(r.text)
    enrol(s, base)
    r = post(s, base, "/account/security/require-2fa", {"require": "on"})
    assert r.status_code == 303
    # Now the member reaches only the security page (and sign-out).
    r = m.get(base + "/account/", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/account/security?required=1"
    text = text_of(page(m, base, "/account/security?required=1").text)
    assert "Your company requires two-step verification" in text
    secret, _ = enrol(m, base)
    assert m.get(base + "/account/", allow_redirects=False).status_code == 200
    # Required: it cannot be turned off.
    r = post(m, base, "/account/security/2fa/disable", {"password": PASSWORD,
                                                         "code": totp(secret, ahead=1)})
    assert r.status_code == 409 and "cannot be turned off" in text_of(r.text)
    assert events(owner_db, data["email"], "tenant.%") == ["tenant.require_2fa.changed"]
    r = post(s, base, "/account/security/require-2fa", {"require": "off"})
    assert r.status_code == 303
    with owner_db.cursor() as c:
        c.execute("SELECT detail FROM audit_log WHERE event = 'tenant.require_2fa.changed'"
                  " AND actor_email = %s ORDER BY id", (data["email"],))
        assert [d for (d,) in c.fetchall()] == [
            {"before": {"required": False}, "after": {"required": True}},
            {"before": {"required": True}, "after": {"required": False}}]


def test_a_member_without_it_can_still_sign_out_when_it_is_required(base, owner_db):
    data, s = fresh_account(base)
    member = member_of(owner_db, data["email"])
    enrol(s, base)
    post(s, base, "/account/security/require-2fa", {"require": "on"})
    m = requests.Session()
    assert signin(m, base, member, PASSWORD).status_code == 303
    r = post(m, base, "/signout", {})
    assert r.status_code == 303 and r.headers["Location"] == "/signin?signed_out=1"
    assert m.get(base + "/account/security", allow_redirects=False).status_code == 303


def live_sessions(owner_db, email):
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                  "WHERE u.email = %s AND s.revoked_at IS NULL", (email,))
        return c.fetchone()[0]


def test_one_challenge_makes_one_session_however_many_codes_race(stack, base, owner_db):
    """A code and a recovery code sent at once on one challenge: one
    session, the other request told to sign in again. The challenge row is
    held locked until both have read it as live."""
    import threading
    import time
    data, s = fresh_account(base)
    secret, codes = enrol(s, base)
    before = live_sessions(owner_db, data["email"])
    b = requests.Session()
    assert signin(b, base, data["email"], PASSWORD).headers["Location"] == "/signin/2fa"
    csrf = csrf_of(b.get(base + "/signin/2fa").text)
    locker = psycopg2.connect(stack.owner_db)
    cur = locker.cursor()
    cur.execute("SELECT 1 FROM signin_challenges c JOIN users u ON u.id = c.user_id "
                "WHERE u.email = %s AND c.used_at IS NULL FOR UPDATE", (data["email"],))
    answers = {}

    def send(name, code):
        x = requests.Session()
        x.cookies.update(b.cookies)
        r = x.post(base + "/signin/2fa", data={"csrf": csrf, "code": code},
                   allow_redirects=False)
        answers[name] = r.status_code

    threads = [threading.Thread(target=send, args=("totp", totp(secret, ahead=1))),
               threading.Thread(target=send, args=("recovery", codes[0]))]
    for t in threads:
        t.start()
    time.sleep(1.0)
    locker.rollback()
    locker.close()
    for t in threads:
        t.join(20)
    assert sorted(answers.values()) == [303, 410], answers
    assert live_sessions(owner_db, data["email"]) == before + 1


def test_a_challenge_of_a_company_suspended_since_is_refused(base, owner_db):
    data, s = fresh_account(base)
    secret, _ = enrol(s, base)
    b = requests.Session()
    b.headers["Accept-Language"] = "en"
    assert signin(b, base, data["email"], PASSWORD).headers["Location"] == "/signin/2fa"
    form = b.get(base + "/signin/2fa")
    assert form.status_code == 200
    with owner_db.cursor() as c:
        c.execute("SELECT set_config('portal.all_tenants', 'on', true); "
                  "UPDATE tenants SET status = 'suspended' WHERE id = (SELECT tenant_id FROM"
                  " tenant_members m JOIN users u ON u.id = m.user_id WHERE u.email = %s)",
                  (data["email"],))
        assert c.rowcount == 1
    before = live_sessions(owner_db, data["email"])
    r = b.post(base + "/signin/2fa", data={"csrf": csrf_of(form.text),
                                           "code": totp(secret, ahead=1)},
               allow_redirects=False)
    assert r.status_code == 410 and "Sign in again" in text_of(r.text)
    assert live_sessions(owner_db, data["email"]) == before
    assert b.get(base + "/signin/2fa", allow_redirects=False).status_code == 410
