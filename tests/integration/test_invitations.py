"""Invitations (/invite/{token}) read from the real mail: a new address
creates its account (verified by the link) and joins; an existing account
joins with its password, or with one click when signed in as it; a link
works once, and an expired, revoked, used or unknown one gets a page that
says which; a person in several companies signs in to the last one used
and switches between them (POST, session rotated, audited); the dashboard
counts the open invitations for managers and shows a person theirs."""

import pytest
import requests

from conftest import csrf_of, text_of
from team_flow import (ALL, PASSWORD, accept_new, address, audit, company, invitation_link,
                       invite, member, post, role_of, tenant_of, user_id)
from test_signin import COOKIE, signin


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signup.%' OR bucket LIKE 'team.%'"
                  " OR bucket LIKE 'invite.%' OR bucket LIKE 'signin.%'")


def test_a_new_address_creates_its_account_and_joins(base, owner_db, mailbox):
    owner, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    email = address("new")
    assert invite(owner, base, email, "admin").status_code == 303
    token, msg = invitation_link(mailbox, email)
    assert data["company"] in str(msg["Subject"])
    s = requests.Session()
    page = s.get(f"{base}/invite/{token}")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "same-origin"
    text = text_of(page.text)
    assert data["company"] in text and "Admin" in text and email in text
    assert "Create your account" in text
    weak = s.post(f"{base}/invite/{token}", data={"csrf": csrf_of(page.text), "name": "Orxan",
                                                 "password": "password1234", "terms": "yes"})
    assert weak.status_code == 400 and "most common" in text_of(weak.text)
    no_terms = s.post(f"{base}/invite/{token}", data={"csrf": csrf_of(page.text),
                                                     "name": "Orxan", "password": PASSWORD})
    assert no_terms.status_code == 400
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM users WHERE email = %s", (email,))
        assert c.fetchone()[0] == 0, "a refused form creates nothing"
    r = s.post(f"{base}/invite/{token}", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "name": "Orxan Rzayev", "password": PASSWORD, "terms": "yes"})
    assert r.status_code == 303 and r.headers["Location"] == "/account/team?done=joined"
    assert COOKIE in r.headers["Set-Cookie"]
    team = text_of(s.get(base + r.headers["Location"]).text)
    assert "Welcome to the team." in team and "Send invitation" in team
    assert role_of(owner_db, tenant, email) == "admin"
    with owner_db.cursor() as c:
        c.execute("SELECT email_verified_at IS NOT NULL, name FROM users WHERE email = %s", (email,))
        assert c.fetchone() == (True, "Orxan Rzayev")
        c.execute(ALL + "SELECT accepted_at IS NOT NULL, accepted_by::text FROM invitations"
                  " WHERE email = %s", (email,))
        assert c.fetchone() == (True, user_id(owner_db, email))
    (joined,) = audit(owner_db, "team.member.joined", tenant)
    assert joined["before"] is None and joined["after"] == {"email": email, "role": "admin"}
    assert joined["account_created"] is True
    again = requests.get(f"{base}/invite/{token}")
    assert again.status_code == 410 and "used already" in text_of(again.text)
    used = requests.Session()
    p = used.get(f"{base}/signin")
    r = used.post(f"{base}/invite/{token}", data={"csrf": csrf_of(p.text), "name": "X",
                                                 "password": PASSWORD, "terms": "yes"})
    assert r.status_code == 410


def test_an_existing_account_joins_with_its_password_and_switches(base, owner_db, mailbox):
    first, first_data = company(base)
    second, second_data = company(base)
    email = first_data["email"]
    assert invite(second, base, email, "viewer").status_code == 303
    token, _ = invitation_link(mailbox, email)
    s = requests.Session()
    page = s.get(f"{base}/invite/{token}")
    assert "This address already has an account" in text_of(page.text)
    wrong = s.post(f"{base}/invite/{token}", data={"csrf": csrf_of(page.text),
                                                  "password": "not-the-password-99"})
    assert wrong.status_code == 401
    assert "The password is not right for this account." in text_of(wrong.text)
    r = s.post(f"{base}/invite/{token}", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "password": first_data["password"]})
    assert r.status_code == 303
    second_tenant = tenant_of(owner_db, second_data["email"])
    first_tenant = tenant_of(owner_db, email)
    assert role_of(owner_db, second_tenant, email) == "viewer"
    assert role_of(owner_db, first_tenant, email) == "owner", "the first membership stays"
    assert second_data["company"] in text_of(s.get(base + "/account/").text)

    # Sign-in opens the company used last: the one just joined.
    again = requests.Session()
    assert signin(again, base, email, first_data["password"]).status_code == 303
    assert second_data["company"] in text_of(again.get(base + "/account/").text)
    page = again.get(base + "/account/companies")
    text = text_of(page.text)
    assert first_data["company"] in text and second_data["company"] in text
    old_cookie = again.cookies.get(COOKIE)
    r = again.post(base + "/account/switch", allow_redirects=False,
                   data={"csrf": csrf_of(page.text), "tenant": first_tenant})
    assert r.status_code == 303 and r.headers["Location"] == "/account/"
    assert again.cookies.get(COOKIE) != old_cookie, "the session rotates"
    dash = text_of(again.get(base + "/account/").text)
    assert first_data["company"] in dash
    with owner_db.cursor() as c:
        c.execute("SELECT detail FROM audit_log WHERE event = 'user.tenant.switched' AND "
                  "actor_email = %s", (email,))
        (detail,) = [d for (d,) in c.fetchall()]
    assert detail == {"before": {"tenant": second_tenant}, "after": {"tenant": first_tenant}}
    old = requests.Session()
    old.cookies.set(COOKIE, old_cookie)
    assert old.get(base + "/account/", allow_redirects=False).status_code == 303, \
        "the session before the switch is over"


def test_signed_in_as_the_invited_address_one_click_joins(base, owner_db, mailbox):
    host, host_data = company(base)
    guest, guest_data = company(base)
    assert invite(host, base, guest_data["email"], "member").status_code == 303
    token, _ = invitation_link(mailbox, guest_data["email"])
    page = guest.get(f"{base}/invite/{token}")
    assert "You are signed in with the invited address." in text_of(page.text)
    assert 'name="password"' not in page.text
    r = guest.post(f"{base}/invite/{token}", data={"csrf": csrf_of(page.text)},
                   allow_redirects=False)
    assert r.status_code == 303
    assert role_of(owner_db, tenant_of(owner_db, host_data["email"]), guest_data["email"]) \
        == "member"


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_an_expired_or_revoked_link_says_so(base, owner_db, mailbox, state):
    owner, data = company(base)
    email = address(state)
    assert invite(owner, base, email, "member").status_code == 303
    token, _ = invitation_link(mailbox, email)
    column = "expires_at = now() - interval '1 second'" if state == "expired" \
        else "revoked_at = now()"
    with owner_db.cursor() as c:
        c.execute(ALL + f"UPDATE invitations SET {column} WHERE email = %s", (email,))
    r = requests.get(f"{base}/invite/{token}")
    assert r.status_code == 410
    assert ("has expired" if state == "expired" else "withdrawn") in text_of(r.text)
    s = requests.Session()
    p = s.get(f"{base}/signin")
    r = s.post(f"{base}/invite/{token}", data={"csrf": csrf_of(p.text), "name": "Late",
                                              "password": PASSWORD, "terms": "yes"})
    assert r.status_code == 410
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM users WHERE email = %s", (email,))
        assert c.fetchone()[0] == 0


@pytest.mark.parametrize("token", ["A" * 43, "short", "A" * 42 + "!"])
def test_an_unknown_link_is_explained(base, token):
    r = requests.get(f"{base}/invite/{token}")
    assert r.status_code == 404
    assert "This invitation link is not valid" in text_of(r.text)


def test_the_dashboard_shows_open_invitations(base, owner_db, mailbox):
    owner, data = company(base)
    guest, guest_data = company(base)
    assert invite(owner, base, address("wait"), "viewer").status_code == 303
    assert invite(owner, base, guest_data["email"], "member").status_code == 303
    assert "Invitations waiting for an answer: 2." in text_of(owner.get(base + "/account/").text)
    # Not before the address is verified: anyone can sign up with another's
    # address, and would see that person's invitations.
    dash = text_of(guest.get(base + "/account/").text)
    assert "An invitation to join another company" not in dash
    with owner_db.cursor() as c:
        c.execute("UPDATE users SET email_verified_at = now() WHERE email = %s",
                  (guest_data["email"],))
    dash = text_of(guest.get(base + "/account/").text)
    assert f"An invitation to join another company: {data['company']} (Member)" in dash
    assert data["company"] in text_of(guest.get(base + "/account/companies").text)


def test_the_invitation_mail_is_in_the_language_of_an_existing_account(base, owner_db,
                                                                       mailbox):
    owner, data = company(base)
    guest, guest_data = company(base, lang="ru")
    assert invite(owner, base, guest_data["email"], "viewer").status_code == 303
    _, msg = invitation_link(mailbox, guest_data["email"])
    assert "приглашение в компанию" in str(msg["Subject"])
    assert "Ваша роль: Наблюдатель" in msg.get_body(("plain",)).get_content()


def test_a_password_alone_opens_no_session_of_an_account_with_two_step_verification(
        base, owner_db, mailbox):
    """The link joins the account to the company, then asks for its code as
    sign-in does: no session, in this company or the person's others,
    before it."""
    import twofa
    host, host_data = company(base)
    victim, victim_session = twofa.fresh_account(base)
    secret, _ = twofa.enrol(victim_session, base)
    assert invite(host, base, victim["email"], "member").status_code == 303
    token, _ = invitation_link(mailbox, victim["email"])
    s = requests.Session()
    s.headers["Accept-Language"] = "en"
    page = s.get(f"{base}/invite/{token}")
    r = s.post(f"{base}/invite/{token}", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "password": victim["password"]})
    assert r.status_code == 303 and r.headers["Location"] == "/signin/2fa"
    assert not s.cookies.get(COOKIE)
    assert s.get(base + "/account/", allow_redirects=False).status_code == 303
    host_tenant = tenant_of(owner_db, host_data["email"])
    assert role_of(owner_db, host_tenant, victim["email"]) == "member"
    form = s.get(base + "/signin/2fa")
    assert form.status_code == 200
    r = s.post(base + "/signin/2fa", allow_redirects=False, data={
        "csrf": csrf_of(form.text), "code": twofa.totp(secret, ahead=1)})
    assert r.status_code == 303 and r.headers["Location"] == "/account/team?done=joined"
    assert host_data["company"] in text_of(s.get(base + "/account/").text)


def test_an_invitation_to_a_suspended_company_is_refused(base, owner_db, mailbox):
    owner, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    email = address("suspended")
    assert invite(owner, base, email, "member").status_code == 303
    token, _ = invitation_link(mailbox, email)
    s = requests.Session()
    s.headers["Accept-Language"] = "en"
    page = s.get(f"{base}/invite/{token}")
    assert page.status_code == 200
    with owner_db.cursor() as c:
        c.execute(ALL + "UPDATE tenants SET status = 'suspended' WHERE id = %s", (tenant,))
        assert c.rowcount == 1
    r = s.post(f"{base}/invite/{token}", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "name": "Leyla Quliyeva", "password": PASSWORD,
        "terms": "yes"})
    assert r.status_code == 403
    assert "This company's account is suspended" in text_of(r.text)
    assert not s.cookies.get(COOKIE)
    again = s.get(f"{base}/invite/{token}")
    assert again.status_code == 403 and 'name="password"' not in again.text
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM users WHERE email = %s", (email,))
        assert c.fetchone()[0] == 0
        c.execute(ALL + "SELECT accepted_at FROM invitations WHERE email = %s", (email,))
        assert c.fetchone() == (None,)


def test_password_tries_through_a_link_count_with_sign_in_and_lock_it(base, owner_db,
                                                                      mailbox):
    """Wrong passwords on the link use up the account's sign-in tries: past
    them the account is locked and its owner mailed, as at /signin."""
    first, first_data = company(base)
    second, _ = company(base)
    email = first_data["email"]
    assert invite(second, base, email, "viewer").status_code == 303
    token, _ = invitation_link(mailbox, email)
    s = requests.Session()
    s.headers["Accept-Language"] = "en"
    page = s.get(f"{base}/invite/{token}")
    codes = [s.post(f"{base}/invite/{token}", data={"csrf": csrf_of(page.text),
                                                   "password": f"wrong-{i}-password"}
                    ).status_code for i in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429, codes
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM audit_log WHERE event = 'user.signin.lockout'"
                  " AND actor_email = %s", (email,))
        assert c.fetchone()[0] == 1, "the lockout, audited and mailed as at /signin"
    r = signin(requests.Session(), base, email, first_data["password"])
    assert r.status_code == 429, "the same lock as sign-in's"
