"""Admin accounts: portalctl create-admin prints a one-time enrolment link,
the link sets a password and a TOTP secret confirmed with a code, sign-in
always takes e-mail, password and code; a code works once, failures are
audited and rate-limited, and the admin and customer session spaces never
open each other's pages."""

import re
import subprocess
import time
import uuid

import pytest
import requests

from conftest import csrf_of, text_of

import stack as stacklib

ADMIN_COOKIE = "portal_admin"


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'admin.signin.%' "
                  "OR bucket LIKE 'signin.%'")


def code(secret, step_offset=0):
    """The TOTP code of the current 30-second step plus step_offset."""
    step = int(time.time()) // 30 + step_offset
    return subprocess.run(["oathtool", "--totp", "-b", secret, "-N", f"@{step * 30}"],
                          capture_output=True, text=True, check=True).stdout.strip()


def create_admin(stack, role="super", email=None):
    """portalctl create-admin: (e-mail, the enrolment link it printed)."""
    email = email or f"staff-{uuid.uuid4().hex[:10]}@portal.example"
    out = stacklib.portalctl("create-admin", email, "--role", role, "--base-url",
                             stack.nodes[0].url, conninfo=stack.owner_db).stdout
    m = re.search(r"(http\S+/admin/enrol/([A-Za-z0-9_-]{43}))", out)
    assert m, out
    return email, m.group(1)


def enrol(s, link, password="staff-copper-lantern-77", offset=-1):
    page = s.get(link)
    assert page.status_code == 200, page.text
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    sealed = re.search(r'name="sealed" value="([^"]+)"', page.text).group(1)
    r = s.post(link, allow_redirects=False, data={
        "csrf": csrf_of(page.text), "sealed": sealed, "password": password,
        "confirm": password, "code": code(secret, offset)})
    return r, secret


def admin_signin(s, base, email, password, totp, next_=None):
    page = s.get(base + "/admin/signin" + (f"?next={next_}" if next_ else ""))
    assert page.status_code == 200, page.status_code
    data = {"csrf": csrf_of(page.text), "email": email, "password": password, "code": totp}
    m = re.search(r'name="next" value="([^"]*)"', page.text)
    if m:
        data["next"] = m.group(1).replace("&amp;", "&")
    return s.post(base + "/admin/signin", data=data, allow_redirects=False)


def new_admin(stack, role="super"):
    """An enrolled, signed-in admin: (session, email, password, secret)."""
    base = stack.nodes[0].url
    email, link = create_admin(stack, role)
    s = requests.Session()
    s.headers["Accept-Language"] = "en"
    r, secret = enrol(s, link)
    assert r.status_code == 303, r.text
    assert admin_signin(s, base, email, "staff-copper-lantern-77",
                        code(secret)).status_code == 303
    return s, email, "staff-copper-lantern-77", secret


def test_create_admin_enrol_and_sign_in(stack, base, owner_db, http):
    email, link = create_admin(stack, "support")
    assert link.startswith(base + "/admin/enrol/")
    with owner_db.cursor() as c:
        c.execute("SELECT role, password_hash, totp_secret FROM admins WHERE email = %s",
                  (email,))
        assert c.fetchone() == ("support", None, None), "no usable password before enrolment"
    page = http.get(link)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" in page.headers["Cache-Control"], "the page shows the TOTP secret"
    assert "<svg" in page.text and 'class="qr"' in page.text, "the QR code is inline"
    assert email in text_of(page.text)
    # A weak password, different passwords and a wrong code each re-show the form.
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    sealed = re.search(r'name="sealed" value="([^"]+)"', page.text).group(1)
    base_form = {"csrf": csrf_of(page.text), "sealed": sealed}
    weak = http.post(link, data={**base_form, "password": "password1234",
                                 "confirm": "password1234", "code": code(secret)})
    assert weak.status_code == 400 and "common" in text_of(weak.text)
    assert "no-store" in weak.headers["Cache-Control"], "so does the form shown again"
    differ = http.post(link, data={**base_form, "password": "staff-copper-lantern-77",
                                   "confirm": "staff-copper-lantern-78", "code": code(secret)})
    assert differ.status_code == 400 and "differ" in text_of(differ.text)
    wrong = http.post(link, data={**base_form, "password": "staff-copper-lantern-77",
                                  "confirm": "staff-copper-lantern-77", "code": "000000"
                                  if code(secret) != "000000" else "111111"})
    assert wrong.status_code == 400 and "does not match" in text_of(wrong.text)
    with owner_db.cursor() as c:
        c.execute("SELECT password_hash FROM admins WHERE email = %s", (email,))
        assert c.fetchone() == (None,), "a refused enrolment changes nothing"
    done = http.post(link, allow_redirects=False, data={
        **base_form, "password": "staff-copper-lantern-77",
        "confirm": "staff-copper-lantern-77", "code": code(secret, -1)})
    assert done.status_code == 303 and done.headers["Location"] == "/admin/signin?enrolled=1"
    with owner_db.cursor() as c:
        c.execute("SELECT totp_secret FROM admins WHERE email = %s", (email,))
        sealed_db = c.fetchone()[0]
        assert sealed_db.startswith("v1.") and secret not in sealed_db, "stored sealed"
    spent = requests.get(link)
    assert spent.status_code == 410 and "used already or has expired" in text_of(spent.text)
    r = admin_signin(http, base, email, "staff-copper-lantern-77", code(secret))
    assert r.status_code == 303 and r.headers["Location"] == "/admin/tenants"
    assert ADMIN_COOKIE in http.cookies
    page = http.get(base + "/admin/tenants")
    assert page.status_code == 200 and email in page.text
    with owner_db.cursor() as c:
        c.execute("SELECT event, actor_kind FROM audit_log WHERE actor_email = %s ORDER BY id",
                  (email,))
        assert c.fetchall() == [("admin.enrolled", "admin"), ("admin.signin", "admin")]


def test_a_code_works_once_and_every_failure_looks_the_same(stack, base, owner_db):
    s, email, password, secret = new_admin(stack)
    used = code(secret)           # new_admin signed in with this step's code
    again = admin_signin(requests.Session(), base, email, password, used)
    assert again.status_code == 401
    wrong_password = admin_signin(requests.Session(), base, email, "not-the-password-1",
                                  code(secret, 1))
    unknown = admin_signin(requests.Session(), base, "nobody-" + email, password,
                           code(secret, 1))
    assert again.status_code == wrong_password.status_code == unknown.status_code == 401
    strip = lambda r: re.sub(r"ID: \S+", "", text_of(r.text).replace("nobody-", ""))
    assert strip(again) == strip(wrong_password) == strip(unknown)
    assert "code works only once" in text_of(again.text)
    ok = admin_signin(requests.Session(), base, email, password, code(secret, 1))
    assert ok.status_code == 303, "the next step's code still works"
    with owner_db.cursor() as c:
        c.execute("SELECT detail->>'failed' FROM audit_log WHERE event = 'admin.signin.failed' "
                  "AND actor_email IN (%s, %s) ORDER BY id", (email, "nobody-" + email))
        assert [r[0] for r in c.fetchall()] == ["code", "password", "unknown"]


def test_missing_fields_change_nothing(stack, base, http):
    page = http.get(base + "/admin/signin")
    r = http.post(base + "/admin/signin", data={"csrf": csrf_of(page.text),
                                                "email": "x@portal.example", "password": "p"})
    assert r.status_code == 400 and "6-digit code" in text_of(r.text)
    no_csrf = requests.post(base + "/admin/signin", data={"email": "a@b.c"})
    assert no_csrf.status_code == 403


def test_sign_in_is_rate_limited_per_account(stack, base):
    s, email, password, secret = new_admin(stack)
    answers = [admin_signin(requests.Session(), base, email, "wrong-password-000",
                            "123456").status_code for _ in range(6)]
    assert answers[:4] == [401] * 4 and answers[-1] == 429
    blocked = admin_signin(requests.Session(), base, email, password, code(secret, 1))
    assert blocked.status_code == 429 and blocked.headers.get("Retry-After")


def test_signed_out_admin_pages_redirect_and_signout_ends_the_session(stack, base):
    r = requests.get(base + "/admin/audit?event=admin", allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/admin/signin?next=%2Fadmin%2Faudit%3Fevent%3Dadmin"
    s, email, password, secret = new_admin(stack)
    page = s.get(base + "/admin/tenants")
    assert page.status_code == 200
    out = s.post(base + "/admin/signout", data={"csrf": csrf_of(page.text)},
                 allow_redirects=False)
    assert out.status_code == 303 and out.headers["Location"] == "/admin/signin?signed_out=1"
    assert s.get(base + "/admin/tenants", allow_redirects=False).status_code == 303


def test_next_brings_the_admin_back(stack, base):
    email, link = create_admin(stack)
    s = requests.Session()
    r, secret = enrol(s, link)
    r = admin_signin(s, base, email, "staff-copper-lantern-77", code(secret),
                     next_="/admin/outbox%3Fstatus%3Dfailed")
    assert r.status_code == 303 and r.headers["Location"] == "/admin/outbox?status=failed"


def test_customer_and_admin_sessions_never_open_each_other(stack, base):
    from test_signin import signin
    customer = requests.Session()
    demo = stack.demo["customer"]
    assert signin(customer, base, demo["email"], demo["password"]).status_code == 303
    assert customer.get(base + "/account/", allow_redirects=False).status_code == 200
    r = customer.get(base + "/admin/tenants", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin/signin")
    # The customer's token presented under the admin cookie's name is no admin session.
    token = customer.cookies.get("portal_session")
    forged = requests.get(base + "/admin/tenants", cookies={ADMIN_COOKIE: token},
                          allow_redirects=False)
    assert forged.status_code == 303
    s, *_ = new_admin(stack)
    assert s.get(base + "/admin/tenants").status_code == 200
    r = s.get(base + "/account/", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/signin")
    admin_token = s.cookies.get(ADMIN_COOKIE)
    r = requests.get(base + "/account/", cookies={"portal_session": admin_token},
                     allow_redirects=False)
    assert r.status_code == 303


def test_the_demo_admin_signs_in(stack, base):
    admin = stack.demo["admin"]
    assert admin["email"] == "admin@portal.example" and admin["role"] == "super"
    s = requests.Session()
    r = admin_signin(s, base, admin["email"], admin["password"], code(admin["totp_secret"]))
    if r.status_code == 401:   # an earlier test run used this step's code already
        r = admin_signin(s, base, admin["email"], admin["password"],
                         code(admin["totp_secret"], 1))
    assert r.status_code == 303
    assert s.get(base + "/admin/admins").status_code == 200


def test_idle_and_absolute_timeouts_end_an_admin_session(stack, base, owner_db):
    """15 minutes without a request, or 12 hours after sign-in, and the
    admin signs in again."""
    s, email, *_ = new_admin(stack)
    assert s.get(base + "/admin/tenants", allow_redirects=False).status_code == 200
    with owner_db.cursor() as c:
        c.execute("UPDATE admin_sessions SET last_seen_at = now() - interval '16 minutes' "
                  "WHERE admin_id = (SELECT id FROM admins WHERE email = %s)", (email,))
    assert s.get(base + "/admin/tenants", allow_redirects=False).status_code == 303
    s, email, *_ = new_admin(stack)
    with owner_db.cursor() as c:
        c.execute("SELECT expires_at - created_at FROM admin_sessions WHERE admin_id = "
                  "(SELECT id FROM admins WHERE email = %s)", (email,))
        assert c.fetchone()[0].total_seconds() == 12 * 3600
        c.execute("UPDATE admin_sessions SET expires_at = now() - interval '1 second' "
                  "WHERE admin_id = (SELECT id FROM admins WHERE email = %s)", (email,))
    assert s.get(base + "/admin/tenants", allow_redirects=False).status_code == 303


@pytest.fixture(scope="module")
def https_node(stack):
    n = stack.add_node("admin-tls", htdocs=stack.nodes[0].htdocs,
                       edit=lambda t: re.sub(r"(?m)^PortalBaseURL .*$",
                                             "PortalBaseURL https://portal.example.com", t))
    yield n
    n.stop()
    stack.nodes.remove(n)


def test_behind_a_tls_proxy_the_admin_cookie_is_secure_and_host_only(stack, https_node):
    """PortalBaseURL https (a TLS-terminating proxy): __Host- and Secure,
    like the customers' cookie."""
    email, link = create_admin(stack)
    s = requests.Session()
    r, secret = enrol(s, link)   # on the plain node: the same database
    assert r.status_code == 303
    page = requests.get(https_node.url + "/admin/signin")
    csrf_cookie = re.search(r"portal_csrf=([^;]+)", page.headers["Set-Cookie"]).group(1)
    r = requests.post(https_node.url + "/admin/signin", allow_redirects=False,
                      headers={"Origin": "https://portal.example.com"},
                      cookies={"portal_csrf": csrf_cookie},
                      data={"csrf": csrf_of(page.text), "email": email,
                            "password": "staff-copper-lantern-77", "code": code(secret)})
    assert r.status_code == 303, r.text
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("__Host-portal_admin=")
    assert "; Path=/" in cookie and "Secure" in cookie and "Domain" not in cookie


def test_an_admin_totp_secret_is_sealed_under_its_own_key(stack, base, owner_db):
    """An admin's sealed TOTP secret does not open as a customer's: copied
    into a customer account, its codes pass no second step there."""
    from twofa import PASSWORD, enrol as enrol_2fa, fresh_account
    from test_two_factor import second_step
    _, email, _, secret = new_admin(stack)
    data, s = fresh_account(base)
    enrol_2fa(s, base)
    with owner_db.cursor() as c:
        c.execute("UPDATE users SET totp_secret = (SELECT totp_secret FROM admins "
                  "WHERE email = %s), totp_last_step = NULL WHERE email = %s",
                  (email, data["email"]))
    b = requests.Session()
    b.headers["Accept-Language"] = "en"
    from test_signin import signin
    assert signin(b, base, data["email"], PASSWORD).headers["Location"] == "/signin/2fa"
    second_step(b, base, code(secret, 1), expect=401)
