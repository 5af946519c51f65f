"""A company signs up: the tenant and its owner in one transaction, the
verification code read from the real message the jobs sent to the SMTP
sink, five tries a code, a new code with a cool-down, every refusal a
clear message that creates nothing."""

import re
import uuid

import pytest
import requests

from conftest import csrf_of, text_of


def form(**over):
    data = {"company": "Günəş Logistika MMC", "tax_id": "1402567891", "country": "AZ",
            "city": "Gəncə", "phone": "+994 22 255 10 10", "name": "Nigar Həsənova",
            "email": f"nigar-{uuid.uuid4().hex[:10]}@gunes.example",
            "password": "quiet-river-stone-41", "terms": "yes"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def signup(s, base, data, lang="en"):
    page = s.get(f"{base}/signup?lang={lang}")
    assert page.status_code == 200
    return s.post(base + "/signup", data={"csrf": csrf_of(page.text), **data},
                  allow_redirects=False)


def code_from(mailbox, address):
    got = mailbox.wait_for(address)
    assert got, f"no mail reached {address}"
    subject = str(got[-1]["message"]["Subject"])
    m = re.search(r"\b(\d{6})\b", subject)
    assert m, subject
    return m.group(1), got[-1]["message"]


def users_with(owner_db, email):
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM users WHERE email = %s", (email,))
        return c.fetchone()[0]


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signup.%' "
                  "OR bucket LIKE 'verify.%'")


def test_sign_up_then_verify_with_the_mailed_code(http, base, mailbox, owner_db):
    data = form()
    r = signup(http, base, data)
    assert r.status_code == 303 and r.headers["Location"] == "/verify"
    assert "portal_session=" in r.headers["Set-Cookie"], "signed in at once"
    page = http.get(base + "/account/")
    assert "not verified yet" in text_of(page.text)
    assert data["company"] in text_of(page.text)

    code, message = code_from(mailbox, data["email"])
    body = message.get_body(("plain",)).get_content()
    assert code in body and "/verify" in body
    assert message.get_body(("html",)) is not None

    verify = http.get(base + "/verify")
    assert data["email"] in text_of(verify.text)
    wrong = "000000" if code != "000000" else "111111"
    r = http.post(base + "/verify", data={"csrf": csrf_of(verify.text), "code": wrong})
    assert r.status_code == 400 and "4 tries left" in text_of(r.text)
    r = http.post(base + "/verify", data={"csrf": csrf_of(verify.text),
                                          "code": f"{code[:3]} {code[3:]}"},
                  allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/account/?verified=1"
    done = text_of(http.get(base + "/account/?verified=1").text)
    assert "Your e-mail address is verified" in done and "not verified yet" not in done

    with owner_db.cursor() as c:
        c.execute("SELECT set_config('portal.all_tenants', 'on', false)")
        c.execute("SELECT t.name, t.country, m.role, u.terms_version, u.locale "
                  "FROM users u JOIN tenant_members m ON m.user_id = u.id "
                  "JOIN tenants t ON t.id = m.tenant_id WHERE u.email = %s", (data["email"],))
        assert c.fetchone() == (data["company"], "AZ", "owner", "2026-11", "en")
        c.execute("SELECT set_config('portal.all_tenants', '', false)")
        c.execute("SELECT event FROM audit_log WHERE actor_email = %s ORDER BY id",
                  (data["email"],))
        assert [e for (e,) in c.fetchall()] == ["user.signup", "user.email.verified"]


@pytest.mark.parametrize("over,field_message", [
    ({"password": "short-pass"}, "at least 12 characters"),
    ({"password": "password1234"}, "one of the most common"),
    ({"company": "quiet-river-stone-41"}, "Do not use your e-mail, name or company name"),
    ({"terms": None}, "Accept the Terms of Service"),
    ({"email": "not-an-address"}, "Enter an e-mail address"),
    ({"country": "XX"}, "Choose your company's country"),
    ({"company": ""}, "Enter your company's name"),
    ({"phone": "call me maybe"}, "A phone number has only digits"),
])
def test_a_refused_form_says_why_and_creates_nothing(http, base, owner_db, over, field_message):
    data = form(**over)
    r = signup(http, base, data)
    assert r.status_code == 400
    assert field_message in text_of(r.text)
    assert 'value="Nigar Həsənova"' in r.text, "what was typed is kept"
    assert "portal_session" not in r.headers.get("Set-Cookie", "")
    assert users_with(owner_db, data["email"]) == 0


def test_a_taken_e_mail_is_explained(http, base, stack):
    r = signup(http, base, form(email=stack.demo["customer"]["email"]))
    assert r.status_code == 409
    assert "An account with this e-mail exists already" in text_of(r.text)


def test_a_bot_that_fills_the_trap_field_creates_nothing(http, base, owner_db):
    data = form(website="http://spam.example/")
    r = signup(http, base, data)
    assert r.status_code == 400
    assert users_with(owner_db, data["email"]) == 0


def test_the_form_speaks_azerbaijani(http, base):
    r = signup(http, base, form(password="short"), lang="az")
    assert r.status_code == 400
    assert "Ən azı 12 simvoldan ibarət şifrə seçin" in text_of(r.text)


def test_a_new_code_replaces_the_old_one_after_a_cool_down(http, base, mailbox):
    data = form()
    assert signup(http, base, data).status_code == 303
    first, _ = code_from(mailbox, data["email"])
    page = http.get(base + "/verify")
    r = http.post(base + "/verify/resend", data={"csrf": csrf_of(page.text)},
                  allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/verify?sent=1"
    mails = mailbox.wait_for(data["email"], count=2)
    assert len(mails) == 2
    second = re.search(r"\b(\d{6})\b", str(mails[-1]["message"]["Subject"])).group(1)
    again = http.post(base + "/verify/resend", data={"csrf": csrf_of(page.text)})
    assert again.status_code == 429 and 0 < int(again.headers["Retry-After"]) <= 60
    assert "You can ask for a new one in a minute" in text_of(again.text)
    if first != second:
        old = http.post(base + "/verify", data={"csrf": csrf_of(page.text), "code": first})
        assert old.status_code == 400, "the replaced code no longer works"
    ok = http.post(base + "/verify", data={"csrf": csrf_of(page.text), "code": second},
                   allow_redirects=False)
    assert ok.status_code == 303


def test_five_wrong_tries_end_a_code(http, base, mailbox):
    data = form()
    assert signup(http, base, data).status_code == 303
    code, _ = code_from(mailbox, data["email"])
    page = http.get(base + "/verify")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        r = http.post(base + "/verify", data={"csrf": csrf_of(page.text), "code": wrong})
        assert r.status_code == 400
    assert "tried too often" in text_of(r.text)
    r = http.post(base + "/verify", data={"csrf": csrf_of(page.text), "code": code})
    assert r.status_code == 400 and "Ask for a new one" in text_of(r.text)


def test_verifying_needs_a_session(base):
    r = requests.get(base + "/verify", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/signin?next=%2Fverify"
