"""Proof of work on sign-in and sign-up: once an address's rate climbs past
a threshold the page carries a signed challenge, a post without the work is
refused with 429, Retry-After and a message that tells a person what to do,
a post with it (solved here with hashlib, independently of the server and
of htdocs/js/pow.js) goes through, and the same solved challenge works once."""

import hashlib
import html
import re

import pytest
import requests

from conftest import csrf_of, text_of
from test_signin import signin
from test_signup import form, signup

IP_KEY = hashlib.sha256(b"127.0.0.1").digest()


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signin.%' "
                  "OR bucket LIKE 'signup.%'")
    yield
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signin.%' "
                  "OR bucket LIKE 'signup.%'")


def set_hits(owner_db, bucket, hits):
    with owner_db.cursor() as c:
        c.execute("INSERT INTO rate_limits (bucket, key_hash, window_end, hits) "
                  "VALUES (%s, %s, now() + interval '10 minutes', %s) "
                  "ON CONFLICT (bucket, key_hash) DO UPDATE SET hits = EXCLUDED.hits, "
                  "window_end = EXCLUDED.window_end", (bucket, IP_KEY, hits))


def hits(owner_db, bucket):
    with owner_db.cursor() as c:
        c.execute("SELECT hits FROM rate_limits WHERE bucket = %s AND key_hash = %s",
                  (bucket, IP_KEY))
        row = c.fetchone()
    return row[0] if row else 0


def challenge_of(page):
    m = re.search(r'name="pow_challenge" value="([^"]+)"', page)
    bits = re.search(r'data-pow-bits="(\d+)"', page)
    return (html.unescape(m.group(1)), int(bits.group(1))) if m else (None, 0)


def solve(challenge, bits):
    for n in range(50_000_000):
        d = hashlib.sha256((challenge + str(n)).encode()).digest()
        if int.from_bytes(d, "big") >> (256 - bits) == 0:
            return str(n)
    raise AssertionError("no nonce")


@pytest.fixture
def account(base, mailbox):
    data = form()
    assert signup(requests.Session(), base, data).status_code == 303
    return data


def post_signin(s, base, page, account, **extra):
    return s.post(base + "/signin", allow_redirects=False, data={
        "csrf": csrf_of(page), "email": account["email"], "password": account["password"],
        **extra})


def test_a_quiet_address_gets_no_challenge(http, base, account):
    page = http.get(base + "/signin").text
    assert challenge_of(page) == (None, 0) and "pow.js" not in page
    assert signin(http, base, account["email"], account["password"]).status_code == 303


def test_sign_in_past_the_threshold_needs_the_work_once(http, base, account, owner_db):
    set_hits(owner_db, "signin.ip", 20)
    page = http.get(base + "/signin").text
    challenge, bits = challenge_of(page)
    assert challenge and challenge.startswith("v1.signin.") and 16 <= bits <= 20
    assert '<script src="/static/js/pow.js" defer></script>' in page
    assert "<noscript>" in page and "needs JavaScript" in page
    assert http.get(base + "/static/js/pow.js").status_code == 200

    bare = post_signin(http, base, page, account)
    assert bare.status_code == 429
    assert 0 < int(bare.headers["Retry-After"]) <= 600
    text = text_of(bare.text)
    assert "Please confirm you are not a bot" in text and "JavaScript" in text
    assert hits(owner_db, "signin.ip") == 20, "a post refused for missing work counts nothing"

    wrong = post_signin(http, base, page, account, pow_challenge=challenge, pow_nonce="x1")
    assert wrong.status_code == 429

    nonce = solve(challenge, bits)
    done = post_signin(http, base, page, account, pow_challenge=challenge, pow_nonce=nonce)
    assert done.status_code == 303 and done.headers["Location"] == "/account/"

    again = requests.Session()
    replay_page = again.get(base + "/signin").text
    replay = post_signin(again, base, replay_page, account, pow_challenge=challenge,
                         pow_nonce=nonce)
    assert replay.status_code == 429 and "not a bot" in text_of(replay.text)
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM pow_spent "
                  "WHERE challenge_hash = sha256(convert_to(%s, 'UTF8'))", (challenge,))
        assert c.fetchone()[0] == 1


def test_a_challenge_of_another_purpose_is_refused(http, base, account, owner_db):
    set_hits(owner_db, "signup.ip", 6)
    challenge, bits = challenge_of(http.get(base + "/signup").text)
    assert challenge and challenge.startswith("v1.signup.")
    set_hits(owner_db, "signin.ip", 20)
    page = http.get(base + "/signin").text
    r = post_signin(http, base, page, account, pow_challenge=challenge,
                    pow_nonce=solve(challenge, bits))
    assert r.status_code == 429


def test_sign_up_past_the_threshold_needs_the_work(http, base, owner_db):
    set_hits(owner_db, "signup.ip", 6)
    data = form()
    page = http.get(base + "/signup").text
    challenge, bits = challenge_of(page)
    assert challenge and "pow.js" in page
    bare = http.post(base + "/signup", data={"csrf": csrf_of(page), **data},
                     allow_redirects=False)
    assert bare.status_code == 429 and "Retry-After" in bare.headers
    assert "Please confirm you are not a bot" in text_of(bare.text)
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM users WHERE email = %s", (data["email"],))
        assert c.fetchone()[0] == 0
    done = http.post(base + "/signup", allow_redirects=False, data={
        "csrf": csrf_of(page), **data, "pow_challenge": challenge,
        "pow_nonce": solve(challenge, bits)})
    assert done.status_code == 303
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM users WHERE email = %s", (data["email"],))
        assert c.fetchone()[0] == 1


def test_the_refusal_is_translated(base, owner_db, account):
    set_hits(owner_db, "signin.ip", 20)
    for lang, words in [("ru", "не робот"), ("az", "Bot olmadığınızı"), ("tr", "bot olmadığınızı")]:
        s = requests.Session()
        page = s.get(f"{base}/signin?lang={lang}").text
        r = post_signin(s, base, page, account)
        assert r.status_code == 429 and words in text_of(r.text), lang
