"""Helpers of the profile, company, team and invitation tests: a company of
its own for each test (through the real sign-up), invitations read from
the real mail, and the members they make."""

import re
import time
import uuid

import requests

from conftest import csrf_of
from test_signup import form, signup

PASSWORD = "amber-harbour-window-58"


def company(base, lang="en", **over):
    """A new company through the sign-up form: (session of its owner, data)."""
    s = requests.Session()
    s.headers["Accept-Language"] = lang
    data = form(**over)
    r = signup(s, base, data, lang=lang)
    assert r.status_code == 303, r.text
    return s, data


def address(tag="person"):
    return f"{tag}-{uuid.uuid4().hex[:10]}@team.example"


def post(s, base, path, page="/account/team", **data):
    """A form post as the page would send it (its CSRF token)."""
    got = s.get(base + page)
    assert got.status_code == 200, got.status_code
    return s.post(base + path, data={"csrf": csrf_of(got.text), **data}, allow_redirects=False)


def invite(s, base, email, role):
    return post(s, base, "/account/team/invite", email=email, role=role)


def invitation_link(mailbox, email, count=1):
    """The token and the message of the count-th invitation mail to email
    (counting invitations only: a sign-up's code mail may come between)."""
    found = []
    for _ in range(150):
        found = []
        for m in mailbox.to(email):
            body = m["message"].get_body(("plain",)).get_content()
            link = re.search(r"http\S+/invite/([A-Za-z0-9_-]{43})", body)
            if link:
                found.append((link.group(1), m["message"]))
        if len(found) >= count:
            return found[count - 1]
        time.sleep(0.1)
    raise AssertionError(f"no invitation number {count} reached {email}")


def accept_new(base, token, name="Leyla Quliyeva", password=PASSWORD, lang="en"):
    """Opens the link in a fresh browser and creates the account: (session, answer)."""
    s = requests.Session()
    s.headers["Accept-Language"] = lang
    page = s.get(f"{base}/invite/{token}")
    assert page.status_code == 200, page.text
    r = s.post(f"{base}/invite/{token}", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "name": name, "password": password, "terms": "yes"})
    return s, r


def member(base, owner, mailbox, role, email=None):
    """A new member of owner's company with role: (session, email)."""
    email = email or address(role)
    assert invite(owner, base, email, role).status_code == 303
    token, _ = invitation_link(mailbox, email)
    s, r = accept_new(base, token)
    assert r.status_code == 303, r.text
    return s, email


# The owner obeys the policies too (FORCE): a look across tenants says so.
ALL = "SELECT set_config('portal.all_tenants', 'on', true); "


def tenant_of(owner_db, email):
    with owner_db.cursor() as c:
        c.execute(ALL + "SELECT m.tenant_id::text FROM tenant_members m JOIN users u ON u.id = m.user_id"
                  " WHERE u.email = %s ORDER BY m.created_at LIMIT 1", (email,))
        return c.fetchone()[0]


def user_id(owner_db, email):
    with owner_db.cursor() as c:
        c.execute("SELECT id::text FROM users WHERE email = %s", (email,))
        return c.fetchone()[0]


def role_of(owner_db, tenant, email):
    with owner_db.cursor() as c:
        c.execute(ALL + "SELECT m.role FROM tenant_members m JOIN users u ON u.id = m.user_id"
                  " WHERE m.tenant_id = %s AND u.email = %s", (tenant, email))
        row = c.fetchone()
        return row[0] if row else None


def audit(owner_db, event, tenant):
    with owner_db.cursor() as c:
        c.execute("SELECT detail FROM audit_log WHERE event = %s AND tenant_id = %s ORDER BY id",
                  (event, tenant))
        return [d for (d,) in c.fetchall()]
