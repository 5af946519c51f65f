"""Customers sign in and out: sessions in PostgreSQL, the cookie rotated at
sign-in, idle and absolute timeouts, ?next= only inside the site, answers
that never tell whether an e-mail has an account, sessions shared by two
Apache nodes, and the router sending visitors where they belong."""

import re
import time

import pytest
import requests

from conftest import csrf_of, text_of

COOKIE = "portal_session"


@pytest.fixture(scope="module")
def demo(stack):
    return stack.demo


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    """Each test starts with the sign-in counters of this address at zero."""
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signin.%'")


def signin(s, base, email, password, next_=None):
    page = s.get(base + "/signin" + (f"?next={next_}" if next_ else ""))
    assert page.status_code == 200, page.status_code
    data = {"csrf": csrf_of(page.text), "email": email, "password": password}
    m = re.search(r'name="next" value="([^"]*)"', page.text)
    if m:
        data["next"] = m.group(1).replace("&amp;", "&")
    return s.post(base + "/signin", data=data, allow_redirects=False)


@pytest.fixture
def owner(base, demo):
    s = requests.Session()
    s.headers["Accept-Language"] = "en"
    r = signin(s, base, demo["customer"]["email"], demo["customer"]["password"])
    assert r.status_code == 303, r.text
    yield s
    s.close()


def test_a_visitor_is_sent_to_sign_in_and_back(http, base, demo):
    r = http.get(base + "/account/", allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/signin?next=%2Faccount%2F"
    done = signin(http, base, demo["customer"]["email"], demo["customer"]["password"],
                  next_="%2Faccount%2F")
    assert done.status_code == 303 and done.headers["Location"] == "/account/"


def test_signing_in_opens_the_dashboard(http, base, demo):
    r = signin(http, base, demo["customer"]["email"], demo["customer"]["password"])
    assert r.status_code == 303 and r.headers["Location"] == "/account/"
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie, "plain HTTP to an http PortalBaseURL"
    page = http.get(base + "/account/")
    assert page.status_code == 200
    text = text_of(page.text)
    assert demo["customer"]["company"] in text
    assert "Recent sign-ins" in text and "This session" in text
    assert demo["customer"]["email"] in text, "the header's account menu"
    assert "Your e-mail address is not verified" not in text, "the demo owner is verified"
    assert "Two-step sign-in is off" in text, "the demo owner has no second factor"


@pytest.mark.parametrize("who", ["wrong password", "unknown e-mail"])
def test_a_failed_sign_in_does_not_say_whether_the_account_exists(http, base, demo, who):
    email = demo["customer"]["email"] if who == "wrong password" else "nobody@xezer.example"
    started = time.monotonic()
    r = signin(http, base, email, "not-the-password-at-all")
    took = time.monotonic() - started
    assert r.status_code == 401
    assert "That e-mail and password do not match an account" in text_of(r.text)
    assert COOKIE not in r.headers.get("Set-Cookie", "")
    assert took > 0.02, "an unknown e-mail costs an argon2id run too"


def test_a_missing_field_is_a_clear_error(http, base):
    page = http.get(base + "/signin")
    r = http.post(base + "/signin", data={"csrf": csrf_of(page.text), "email": "x"})
    assert r.status_code == 400
    assert "Enter your e-mail address and your password" in text_of(r.text)


def test_the_session_token_rotates_at_every_sign_in(http, base, demo):
    first = signin(http, base, demo["customer"]["email"], demo["customer"]["password"])
    token1 = http.cookies.get(COOKIE)
    # Signed in, the sign-in page sends the visitor on...
    assert http.get(base + "/signin", allow_redirects=False).headers["Location"] == "/account/"
    # ...so a second sign-in happens from a fresh page in the same browser.
    http.cookies.set(COOKIE, token1)
    s2 = requests.Session()
    second = signin(s2, base, demo["customer"]["email"], demo["customer"]["password"])
    assert first.status_code == second.status_code == 303
    assert s2.cookies.get(COOKIE) != token1


def test_signing_out_ends_the_session_everywhere(owner, base):
    token = owner.cookies.get(COOKIE)
    page = owner.get(base + "/account/")
    csrf = re.search(r'action="/signout" method="post">\s*<input type="hidden" name="csrf" '
                     r'value="([^"]+)"', page.text).group(1)
    r = owner.post(base + "/signout", data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/signin?signed_out=1"
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert "You have signed out" in text_of(owner.get(base + "/signin?signed_out=1").text)
    replay = requests.get(base + "/account/", cookies={COOKIE: token}, allow_redirects=False)
    assert replay.status_code == 303, "the old token opens nothing"


def test_a_token_from_before_sign_in_does_not_sign_out(owner, base):
    """The CSRF token of a signed-in visitor is bound to the session."""
    anonymous = requests.get(base + "/contact", cookies={
        "portal_csrf": owner.cookies.get("portal_csrf")})
    r = owner.post(base + "/signout", data={"csrf": csrf_of(anonymous.text)},
                   allow_redirects=False)
    assert r.status_code == 403
    assert owner.get(base + "/account/", allow_redirects=False).status_code == 200


@pytest.mark.parametrize("next_,landing", [
    ("%2Fpricing", "/pricing"),
    ("%2F%2Fevil.example%2F", "/account/"),
    ("https%3A%2F%2Fevil.example%2F", "/account/"),
    ("%2F%5Cevil.example", "/account/"),
])
def test_next_is_honoured_only_inside_the_site(http, base, demo, next_, landing):
    r = signin(http, base, demo["customer"]["email"], demo["customer"]["password"], next_)
    assert r.status_code == 303 and r.headers["Location"] == landing


@pytest.mark.parametrize("column,value", [
    ("last_seen_at", "now() - interval '31 minutes'"),   # idle (PortalSessionIdle 30m)
    ("expires_at", "now() - interval '1 second'"),        # absolute (PortalSessionMax)
])
def test_sessions_time_out(owner, base, owner_db, column, value):
    with owner_db.cursor() as c:
        c.execute(f"UPDATE sessions SET {column} = {value} "
                  "WHERE token_hash = sha256(convert_to(%s, 'UTF8'))",
                  (owner.cookies.get(COOKIE),))
        assert c.rowcount == 1
    r = owner.get(base + "/account/", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/signin?next=")


def test_last_seen_is_written_at_most_once_a_minute(owner, base, owner_db):
    def seen():
        with owner_db.cursor() as c:
            c.execute("SELECT last_seen_at FROM sessions "
                      "WHERE token_hash = sha256(convert_to(%s, 'UTF8'))",
                      (owner.cookies.get(COOKIE),))
            return c.fetchone()[0]
    before = seen()
    for _ in range(5):
        assert owner.get(base + "/account/").status_code == 200
    assert seen() == before
    with owner_db.cursor() as c:
        c.execute("UPDATE sessions SET last_seen_at = now() - interval '2 minutes' "
                  "WHERE token_hash = sha256(convert_to(%s, 'UTF8'))",
                  (owner.cookies.get(COOKIE),))
    owner.get(base + "/account/")
    assert seen() > before


def test_a_suspended_company_cannot_sign_in(http, base, demo, owner_db):
    with owner_db.cursor() as c:
        c.execute("SELECT set_config('portal.all_tenants', 'on', false)")
        c.execute("UPDATE tenants SET status = 'suspended' WHERE name = %s",
                  (demo["customer"]["company"],))
    try:
        r = signin(http, base, demo["member"]["email"], demo["member"]["password"])
    finally:
        with owner_db.cursor() as c:
            c.execute("UPDATE tenants SET status = 'active' WHERE name = %s",
                      (demo["customer"]["company"],))
            c.execute("SELECT set_config('portal.all_tenants', '', false)")
    assert r.status_code == 403
    assert "account is suspended" in text_of(r.text)


def test_a_session_of_a_suspended_company_opens_nothing(owner, base, demo, owner_db):
    """Whatever made the session (an invitation or a second step begun
    before the suspension), the session check refuses a suspended company."""
    assert owner.get(base + "/account/", allow_redirects=False).status_code == 200
    with owner_db.cursor() as c:
        c.execute("SELECT set_config('portal.all_tenants', 'on', false)")
        c.execute("UPDATE tenants SET status = 'suspended' WHERE name = %s",
                  (demo["customer"]["company"],))
    try:
        r = owner.get(base + "/account/", allow_redirects=False)
    finally:
        with owner_db.cursor() as c:
            c.execute("UPDATE tenants SET status = 'active' WHERE name = %s",
                      (demo["customer"]["company"],))
            c.execute("SELECT set_config('portal.all_tenants', '', false)")
    assert r.status_code == 303 and "/signin?next=" in r.headers["Location"]

@pytest.fixture(scope="module")
def second_node(stack):
    n = stack.add_node("signin-b", htdocs=stack.nodes[0].htdocs)
    yield n
    n.stop()
    stack.nodes.remove(n)


def test_a_session_made_on_one_node_works_on_another(owner, base, second_node):
    token = owner.cookies.get(COOKIE)
    other = requests.Session()
    other.cookies.set(COOKIE, token)
    other.cookies.set("portal_csrf", owner.cookies.get("portal_csrf"))
    page = other.get(second_node.url + "/account/", allow_redirects=False)
    assert page.status_code == 200
    csrf = re.search(r'action="/signout" method="post">\s*<input type="hidden" name="csrf" '
                     r'value="([^"]+)"', page.text).group(1)
    assert other.post(second_node.url + "/signout", data={"csrf": csrf},
                      allow_redirects=False).status_code == 303
    assert owner.get(base + "/account/", allow_redirects=False).status_code == 303, \
        "signed out on the second node, the first sees it at once"


@pytest.fixture(scope="module")
def https_node(stack):
    n = stack.add_node("signin-tls", htdocs=stack.nodes[0].htdocs,
                       edit=lambda t: re.sub(r"(?m)^PortalBaseURL .*$",
                                             "PortalBaseURL https://portal.example.com", t))
    yield n
    n.stop()
    stack.nodes.remove(n)


def test_behind_a_tls_proxy_the_cookie_is_secure_and_host_only(https_node, demo):
    """Apache sees plain HTTP behind a TLS-terminating proxy; PortalBaseURL
    says customers use https, so the cookie is __Host- and Secure."""
    s = requests.Session()
    page = s.get(https_node.url + "/signin")
    csrf_cookie = page.headers["Set-Cookie"]
    assert "Secure" in csrf_cookie
    r = requests.post(https_node.url + "/signin", allow_redirects=False,
                      headers={"Origin": "https://portal.example.com"},
                      cookies={"portal_csrf": re.search(r"portal_csrf=([^;]+)",
                                                        csrf_cookie).group(1)},
                      data={"csrf": csrf_of(page.text), "email": demo["customer"]["email"],
                            "password": demo["customer"]["password"]})
    assert r.status_code == 303, r.text
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("__Host-portal_session=")
    assert "; Path=/" in cookie and "Secure" in cookie and "Domain" not in cookie


def test_guessing_one_account_is_stopped(http, base, demo, owner_db):
    """Ten attempts on one account in 15 minutes, then 429 with Retry-After,
    even for the right password; every failure is in the audit log."""
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM audit_log WHERE event = 'user.signin.failed'")
        before = c.fetchone()[0]
    for i in range(10):
        r = signin(http, base, demo["member"]["email"], f"wrong-guess-number-{i}")
        assert r.status_code == 401, (i, r.status_code)
    r = signin(http, base, demo["member"]["email"], demo["member"]["password"])
    assert r.status_code == 429
    assert 800 < int(r.headers["Retry-After"]) <= 900
    assert COOKIE not in r.headers.get("Set-Cookie", "")
    with owner_db.cursor() as c:
        c.execute("SELECT count(*), bool_and(actor_email = %s) FROM audit_log "
                  "WHERE event = 'user.signin.failed' AND id > 0",
                  (demo["member"]["email"],))
        count, _ = c.fetchone()
    assert count - before == 10


def test_a_sign_in_and_a_sign_out_are_audited(owner, base, demo, owner_db):
    with owner_db.cursor() as c:
        c.execute("SELECT actor_email, tenant_id IS NOT NULL, ip FROM audit_log "
                  "WHERE event = 'user.signin' ORDER BY id DESC LIMIT 1")
        email, has_tenant, ip = c.fetchone()
    assert email == demo["customer"]["email"] and has_tenant and str(ip).startswith("127.0.0.1")
