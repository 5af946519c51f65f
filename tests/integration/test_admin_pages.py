"""The admin pages as each admin role sees them: companies (search,
details, suspend and unsuspend with a reason), customer accounts (forced
password reset by mail, sign-out everywhere, 2FA off), admin accounts
(super only), the audit log with its filters and the mail outbox with the
error of a failing mail. Every action is audited with the admin as actor."""

import re
import time
import uuid

import pytest
import requests

from conftest import csrf_of, text_of
from test_admin_signin import code, create_admin, enrol, admin_signin, new_admin
from test_signin import signin
from test_signup import form, signup
from team_flow import accept_new, address, invitation_link, role_of

DEMO_TENANT = "5e0d7a9c-3b1f-4c2e-9a8d-6f4b2c1e0a01"


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'admin.signin.%' "
                  "OR bucket LIKE 'signin.%' OR bucket LIKE 'signup.%' "
                  "OR bucket LIKE 'forgot.%'")


@pytest.fixture(scope="module")
def roles(stack):
    """One signed-in admin per role."""
    return {role: new_admin(stack, role)[0]
            for role in ("super", "support", "finance")}


@pytest.fixture
def customer(base, mailbox):
    """A new company and its signed-in owner: (session, form data, tenant id, user id)."""
    data = form(company=f"Dağ Çayı {uuid.uuid4().hex[:6]} MMC")
    s = requests.Session()
    assert signup(s, base, data).status_code == 303
    return s, data


def across_tenants(owner_db, sql, args=()):
    """One row of a query on tenant-owned tables (their policies bind the
    owner too): in a transaction that sees every tenant."""
    with owner_db.cursor() as c:
        c.execute("BEGIN")
        c.execute("SELECT set_config('portal.all_tenants', 'on', true)")
        c.execute(sql, args)
        row = c.fetchone()
        c.execute("COMMIT")
        return row


def ids_of(owner_db, email):
    return across_tenants(owner_db, "SELECT u.id::text, m.tenant_id::text FROM users u "
                          "JOIN tenant_members m ON m.user_id = u.id WHERE u.email = %s",
                          (email,))


def post_form(s, page_url, action_url, **fields):
    page = s.get(page_url)
    assert page.status_code == 200, page.status_code
    return s.post(action_url, data={"csrf": csrf_of(page.text), **fields},
                  allow_redirects=False)


def audit_rows(owner_db, event, tenant=None):
    with owner_db.cursor() as c:
        c.execute("SELECT actor_kind, actor_email, tenant_id::text, detail FROM audit_log "
                  "WHERE event = %s AND (%s::uuid IS NULL OR tenant_id = %s::uuid) "
                  "ORDER BY id", (event, tenant, tenant))
        return c.fetchall()


PAGES = ["/admin/tenants", f"/admin/tenants/{DEMO_TENANT}", "/admin/admins", "/admin/audit",
         "/admin/outbox"]
ALLOWED = {
    "super": {"/admin/tenants", f"/admin/tenants/{DEMO_TENANT}", "/admin/admins",
              "/admin/audit", "/admin/outbox"},
    "support": {"/admin/tenants", f"/admin/tenants/{DEMO_TENANT}", "/admin/audit",
                "/admin/outbox"},
    "finance": {"/admin/tenants", f"/admin/tenants/{DEMO_TENANT}", "/admin/audit"},
}


@pytest.mark.parametrize("role", ["super", "support", "finance"])
def test_each_role_opens_only_its_pages_and_sees_only_their_links(base, roles, role):
    s = roles[role]
    for path in PAGES:
        r = s.get(base + path, allow_redirects=False)
        want = 200 if path in ALLOWED[role] else 403
        assert r.status_code == want, (role, path, r.status_code)
    page = s.get(base + "/admin/tenants")
    nav = re.search(r'<nav class="admin-nav".*?</nav>', page.text, re.S).group(0)
    assert ('href="/admin/admins"' in nav) == (role == "super")
    assert ('href="/admin/outbox"' in nav) == (role != "finance")
    assert "Sign out" in text_of(page.text)


def test_search_finds_a_company_by_name_tax_id_and_member_email(base, roles, stack):
    s = roles["support"]
    for q in ("Xəzər", "1234567891", "member@xezer"):
        page = s.get(base + "/admin/tenants", params={"q": q})
        assert page.status_code == 200 and "Xəzər Ticarət MMC" in text_of(page.text), q
    none = s.get(base + "/admin/tenants", params={"q": "no-such-company-" + uuid.uuid4().hex})
    assert "No company matches" in text_of(none.text)
    detail = s.get(f"{base}/admin/tenants/{DEMO_TENANT}")
    text = text_of(detail.text)
    assert "owner@xezer.example" in text and "Owner" in text and "member@xezer.example" in text
    assert s.get(base + "/admin/tenants/not-a-uuid").status_code == 404
    assert s.get(f"{base}/admin/tenants/{uuid.uuid4()}").status_code == 404


def test_suspending_signs_the_company_out_and_keeps_it_out(base, roles, customer, owner_db):
    s, data = customer
    user_id, tenant = ids_of(owner_db, data["email"])
    assert s.get(base + "/verify", allow_redirects=False).status_code == 200, "signed in"
    admin = roles["super"]
    url = f"{base}/admin/tenants/{tenant}"
    no_reason = post_form(admin, url, url + "/status", action="suspend", reason="  ")
    assert no_reason.status_code == 400 and "Write the reason" in text_of(no_reason.text)
    assert across_tenants(owner_db, "SELECT status FROM tenants WHERE id = %s",
                          (tenant,)) == ("active",), "a refused form changes nothing"
    r = post_form(admin, url, url + "/status", action="suspend", reason="unpaid invoice 2026-11")
    assert r.status_code == 303
    assert "Suspended" in text_of(admin.get(url).text)
    assert s.get(base + "/verify", allow_redirects=False).status_code == 303, "signed out"
    again = signin(requests.Session(), base, data["email"], data["password"])
    assert again.status_code == 403 and "suspended" in text_of(again.text).lower()
    [(kind, actor, t, detail)] = audit_rows(owner_db, "admin.tenant.suspended", tenant)
    assert kind == "admin" and actor.startswith("staff-") and detail["reason"] == \
        "unpaid invoice 2026-11"
    assert (detail["before"], detail["after"]) == ({"status": "active"}, {"status": "suspended"})
    support = roles["support"]
    assert post_form(support, url, url + "/status", action="unsuspend",
                     reason="x").status_code == 403, "support may not unsuspend"
    r = post_form(admin, url, url + "/status", action="unsuspend", reason="paid")
    assert r.status_code == 303
    [(_, _, _, detail)] = audit_rows(owner_db, "admin.tenant.unsuspended", tenant)
    assert detail["reason"] == "paid"
    assert (detail["before"], detail["after"]) == ({"status": "suspended"}, {"status": "active"})
    assert signin(requests.Session(), base, data["email"], data["password"]).status_code == 303


def test_force_reset_mails_a_link_ends_sessions_and_the_old_password(base, roles, customer,
                                                                     owner_db, mailbox):
    s, data = customer
    user_id, tenant = ids_of(owner_db, data["email"])
    support = roles["support"]
    url = f"{base}/admin/users/{user_id}"
    page = support.get(url)
    assert page.status_code == 200 and data["email"] in text_of(page.text)
    refused = post_form(support, url, url + "/reset", reason="")
    assert refused.status_code == 400
    r = post_form(support, url, url + "/reset", reason="ticket 4411: owner locked out")
    assert r.status_code == 303
    assert "reset link is on its way" in text_of(support.get(r.headers["Location"]
                                                             .replace("/admin", base + "/admin", 1)).text)
    got = mailbox.wait_for(data["email"], count=2)   # the sign-up code, then the link
    body = got[-1]["message"].get_body(("plain",)).get_content()
    assert re.search(r"http\S+/reset\?token=[A-Za-z0-9_-]{43}", body)
    assert s.get(base + "/verify", allow_redirects=False).status_code == 303, "signed out"
    assert signin(requests.Session(), base, data["email"], data["password"]).status_code == 401
    [(kind, actor, t, detail)] = audit_rows(owner_db, "admin.user.password_reset", tenant)
    assert kind == "admin" and detail["reason"] == "ticket 4411: owner locked out"
    assert roles["finance"].post(url + "/reset", data={"csrf": csrf_of(page.text),
                                                       "reason": "x"}).status_code == 403


def test_revoke_sessions_and_reset_2fa(base, roles, customer, owner_db):
    s, data = customer
    user_id, tenant = ids_of(owner_db, data["email"])
    with owner_db.cursor() as c:
        c.execute("UPDATE users SET totp_secret = 'v1.x', totp_last_step = 1 WHERE id = %s",
                  (user_id,))
    support = roles["support"]
    url = f"{base}/admin/users/{user_id}"
    assert post_form(support, url, url + "/sessions", reason="stolen laptop").status_code == 303
    assert s.get(base + "/verify", allow_redirects=False).status_code == 303
    assert post_form(support, url, url + "/totp", reason="lost phone").status_code == 303
    with owner_db.cursor() as c:
        c.execute("SELECT totp_secret, totp_last_step FROM users WHERE id = %s", (user_id,))
        assert c.fetchone() == (None, None)
    assert audit_rows(owner_db, "admin.user.sessions_revoked", tenant)[0][3]["reason"] == \
        "stolen laptop"
    assert audit_rows(owner_db, "admin.user.totp_reset", tenant)[0][3]["reason"] == "lost phone"


def test_create_a_company_and_its_owner_joins_from_the_mailed_invitation(base, roles, owner_db,
                                                                          mailbox):
    admin = roles["super"]
    url = base + "/admin/tenants"
    bad = post_form(admin, url, url, name="Yeni MMC", owner_email="not-an-email")
    assert bad.status_code == 400 and "owner's e-mail" in text_of(bad.text)
    assert 'value="Yeni MMC"' in bad.text, "the form keeps what was typed"
    name = f"Yeni Ufuq {uuid.uuid4().hex[:6]} MMC"
    boss = address("boss")
    r = post_form(admin, url, url, name=name, tax_id="9900112233", country="AZ",
                  owner_email=boss.upper())
    assert r.status_code == 303
    page = text_of(admin.get(base + r.headers["Location"]).text)
    assert name in page and "its owner was sent an invitation" in page
    assert "Invitations waiting for an answer" in page and boss in page
    assert across_tenants(owner_db, "SELECT status, tax_id FROM tenants WHERE name = %s",
                          (name,)) == ("active", "9900112233")
    tenant = str(across_tenants(owner_db, "SELECT id FROM tenants WHERE name = %s", (name,))[0])
    created = audit_rows(owner_db, "admin.tenant.created", tenant)
    assert len(created) == 1 and created[0][3]["owner_email"] == boss
    # The owner reads the mail, creates the account and owns the company.
    token, msg = invitation_link(mailbox, boss)
    assert name in str(msg["Subject"])
    s, answer = accept_new(base, token, name="Rəşad Məmmədov")
    assert answer.status_code == 303, text_of(answer.text)[:300]
    assert role_of(owner_db, tenant, boss) == "owner"
    assert name in text_of(s.get(base + "/account/").text)
    after = text_of(admin.get(base + r.headers["Location"]).text)
    assert "Invitations waiting for an answer" not in after and "Rəşad Məmmədov" in after
    assert roles["finance"].post(url, data={"name": "x"}).status_code == 403


def test_admins_page_creates_an_admin_disables_one_and_refuses_disabling_oneself(
        base, roles, owner_db, mailbox):
    """A new admin's link is shown once; a change signs the changed admin out.
    (The last-super rule is decided by admin_rules.c: tests/unit/test_admin.c.)"""
    sup = roles["super"]
    url = base + "/admin/admins"
    email = f"new-{uuid.uuid4().hex[:8]}@portal.example"
    r = post_form(sup, url, url, email=email, role="finance")
    assert r.status_code == 200
    link = re.search(r'class="enrol-link">(http[^<]+)<', r.text).group(1)
    assert "/admin/enrol/" in link
    [mail] = mailbox.wait_for(email)
    assert "Set up your admin account" in str(mail["message"]["Subject"])
    assert link in mail["message"].get_body(("plain",)).get_content(), "the same link, mailed"
    assert post_form(sup, url, url, email=email, role="finance").status_code == 409
    assert post_form(sup, url, url, email="x@portal.example", role="root").status_code == 400
    s = requests.Session()
    res, secret = enrol(s, link)
    assert res.status_code == 303
    assert admin_signin(s, base, email, "staff-copper-lantern-77", code(secret)).status_code == 303
    with owner_db.cursor() as c:
        c.execute("SELECT id::text FROM admins WHERE email = %s", (email,))
        new_id = c.fetchone()[0]
    r = post_form(sup, url, f"{url}/{new_id}", role="finance", status="disabled")
    assert r.status_code == 303
    assert s.get(base + "/admin/tenants", allow_redirects=False).status_code == 303, \
        "a disabled admin is signed out"
    # Disabling oneself is refused: the row marked "you" is the super's own.
    page = sup.get(url)
    mine = page.text[page.text.index('<span class="badge-current">'):]
    my_id = re.search(r"/admin/admins/([0-9a-f-]{36})", mine).group(1)
    selfish = post_form(sup, url, f"{url}/{my_id}", role="super", status="disabled")
    assert selfish.status_code == 409 and "cannot disable yourself" in text_of(selfish.text)
    assert roles["support"].get(url).status_code == 403
    [(kind, actor, t, detail)] = [row for row in audit_rows(owner_db, "admin.admin.changed")
                                  if row[3]["email"] == email]
    assert kind == "admin" and detail["status"] == "disabled"


def test_audit_filters_and_actor_emails(base, roles, owner_db):
    s = roles["super"]
    page = s.get(base + "/admin/audit", params={"event": "admin.signin"})
    assert page.status_code == 200
    text = text_of(page.text)
    assert "admin.signin" in text and "staff-" in text, "the actor's e-mail is shown"
    assert "user.signin" not in text
    only_tenant = s.get(base + "/admin/audit", params={"tenant": DEMO_TENANT})
    assert only_tenant.status_code == 200
    future = s.get(base + "/admin/audit", params={"from": "2999-01-01"})
    assert "No event matches" in text_of(future.text)
    bad = s.get(base + "/admin/audit", params={"from": "yesterday"})
    assert bad.status_code == 400 and "2026-12-01T14:30" in text_of(bad.text)
    bad_tenant = s.get(base + "/admin/audit", params={"tenant": "xyz"})
    assert bad_tenant.status_code == 400
    with owner_db.cursor() as c:
        c.execute("SELECT actor_email FROM audit_log WHERE event = 'admin.signin' "
                  "ORDER BY id DESC LIMIT 1")
        newest = c.fetchone()[0]
    by_actor = s.get(base + "/admin/audit", params={"actor": newest.upper(),
                                                    "event": "admin"})
    rows = re.findall(r"<tr>.*?</tr>", by_actor.text, re.S)[1:]
    assert rows and all(newest in r for r in rows)


def test_outbox_shows_a_failing_mail_with_its_error(base, roles, customer, owner_db, mailbox):
    s, data = customer
    user_id, tenant = ids_of(owner_db, data["email"])
    mailbox.refuse_next(1, "550 5.1.1 No such mailbox here")
    url = f"{base}/admin/users/{user_id}"
    assert post_form(roles["support"], url, url + "/reset",
                     reason="test the outbox").status_code == 303
    deadline = time.time() + 15
    while time.time() < deadline:
        page = roles["support"].get(base + "/admin/outbox", params={"status": "failed"})
        if "No such mailbox here" in page.text:
            break
        time.sleep(0.5)
    assert "No such mailbox here" in text_of(page.text)
    assert data["email"] in text_of(page.text)
    assert roles["support"].get(base + "/admin/outbox?status=bogus").status_code == 400
    assert roles["finance"].get(base + "/admin/outbox").status_code == 403


def test_audit_pages_hold_25_rows_newest_first(base, roles, owner_db):
    event = f"test.page{uuid.uuid4().hex[:8]}.row"
    with owner_db.cursor() as c:
        for i in range(30):
            c.execute("INSERT INTO audit_log (event, actor_kind, detail) "
                      "VALUES (%s, 'system', %s)", (event, f'{{"n": {i}}}'))
    s = roles["finance"]
    first = s.get(base + "/admin/audit", params={"event": event})
    rows = re.findall(r'<code class="audit-detail">\{&quot;n&quot;: (\d+)\}</code>', first.text)
    assert rows == [str(n) for n in range(29, 4, -1)], "25 rows, newest first"
    nxt = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = s.get(base + nxt)
    rows = re.findall(r'<code class="audit-detail">\{&quot;n&quot;: (\d+)\}</code>', second.text)
    assert rows == ["4", "3", "2", "1", "0"] and 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text


def test_two_supers_demoting_each_other_at_once_leave_one_super(stack, base, owner_db):
    """The last-super rule under a race: both changes are held at the same
    point (a lock on both admins' rows) and let go together; the second one
    decides under the lock of the super admins as the first left them."""
    import threading
    import psycopg2
    a, a_email, _, _ = new_admin(stack, "super")
    b, b_email, _, _ = new_admin(stack, "super")
    with owner_db.cursor() as c:
        c.execute("SELECT id::text FROM admins WHERE role = 'super' AND status = 'active' "
                  "AND email NOT IN (%s, %s)", (a_email, b_email))
        others = [r[0] for r in c.fetchall()]
        c.execute("UPDATE admins SET status = 'disabled' WHERE id = ANY(%s::uuid[])", (others,))
        c.execute("SELECT email, id::text FROM admins WHERE email IN (%s, %s)",
                  (a_email, b_email))
        ids = dict(c.fetchall())
    url = base + "/admin/admins"
    forms = {who: csrf_of(s.get(url).text) for who, s in (("a", a), ("b", b))}
    locker = psycopg2.connect(stack.owner_db)
    answers = {}
    try:
        with locker.cursor() as c:
            c.execute("SELECT 1 FROM admins WHERE id = ANY(%s::uuid[]) FOR UPDATE",
                      (list(ids.values()),))

        def demote(who, s, target):
            answers[who] = s.post(f"{url}/{ids[target]}", allow_redirects=False, data={
                "csrf": forms[who], "role": "support", "status": "active"}).status_code

        threads = [threading.Thread(target=demote, args=("a", a, b_email)),
                   threading.Thread(target=demote, args=("b", b, a_email))]
        for t in threads:
            t.start()
        deadline = time.time() + 15
        waiting = 0
        while time.time() < deadline and waiting < 2:
            with owner_db.cursor() as c:
                c.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
                waiting = c.fetchone()[0]
            time.sleep(0.05)
        assert waiting == 2, "both changes wait on the admins' rows"
    finally:
        locker.rollback()
        locker.close()
        for t in threads:
            t.join(20)
        with owner_db.cursor() as c:
            c.execute("SELECT count(*) FROM admins WHERE role = 'super' AND status = 'active'")
            supers = c.fetchone()[0]
            c.execute("UPDATE admins SET role = 'super' WHERE id = ANY(%s::uuid[])",
                      (list(ids.values()),))
            c.execute("UPDATE admins SET status = 'active' WHERE id = ANY(%s::uuid[])", (others,))
    assert supers == 1, answers
    assert sorted(answers.values()) in ([303, 403], [303, 409]), answers


def test_support_turning_2fa_off_removes_the_recovery_codes_and_mails_the_person(
        base, roles, owner_db, mailbox):
    """After support's reset no old recovery code opens the account (not even
    in a second step started before it), a pending enrolment is gone, the
    person is mailed in their language and the audit row has before/after."""
    from twofa import PASSWORD, enrol as enrol_2fa, fresh_account
    from test_signin import COOKIE
    data, s = fresh_account(base)
    _, codes = enrol_2fa(s, base)
    user_id, tenant = ids_of(owner_db, data["email"])
    b = requests.Session()
    assert signin(b, base, data["email"], PASSWORD).headers["Location"] == "/signin/2fa"
    with owner_db.cursor() as c:
        c.execute("UPDATE users SET locale = 'ru', totp_pending = 'v1.pending', "
                  "totp_pending_at = now() WHERE id = %s", (user_id,))
    mailbox.reset()
    url = f"{base}/admin/users/{user_id}"
    assert post_form(roles["support"], url, url + "/totp",
                     reason="lost phone").status_code == 303
    # The second step begun before the reset is over; no code of the old set
    # is left to open the account, should two-step verification come back.
    assert b.get(base + "/signin/2fa", allow_redirects=False).status_code == 410
    assert COOKIE not in b.cookies
    with owner_db.cursor() as c:
        c.execute("SELECT totp_secret, totp_pending, totp_pending_at FROM users WHERE id = %s",
                  (user_id,))
        assert c.fetchone() == (None, None, None)
        c.execute("SELECT count(*) FROM recovery_codes WHERE user_id = %s", (user_id,))
        assert c.fetchone()[0] == 0
    deadline, found = time.time() + 15, []
    while not found and time.time() < deadline:
        found = [m for m in mailbox.to(data["email"])
                 if "поддержка отключила" in str(m["message"]["Subject"]).lower()]
        time.sleep(0.1)
    [mail] = found
    msg = mail["message"]
    assert "Поддержка отключила двухэтапную проверку" in msg.get_body(("plain",)).get_content()
    assert "/account/security" in msg.get_body(("html",)).get_content()
    [row] = audit_rows(owner_db, "admin.user.totp_reset", tenant)
    assert row[3]["reason"] == "lost phone"
    assert row[3]["before"] == {"totp": True, "pending": True, "recovery_left": 10}
    assert row[3]["after"] == {"totp": False, "pending": False, "recovery_left": 0}
