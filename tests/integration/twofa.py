"""Helpers of the security tests: a fresh account signed in, the security
page's forms, TOTP codes made by an independent tool (Debian's oathtool)."""

import re
import subprocess

import requests

from conftest import csrf_of, text_of
from test_signin import signin
from test_signup import form, signup

PASSWORD = "quiet-river-stone-41"


def fresh_account(base):
    """A new company and its owner; returns (data, a signed-in session)."""
    data = form()
    assert signup(requests.Session(), base, data).status_code == 303
    s = requests.Session()
    s.headers["Accept-Language"] = "en"
    assert signin(s, base, data["email"], data["password"]).status_code == 303
    return data, s


def page(s, base, path="/account/security"):
    r = s.get(base + path, allow_redirects=False)
    assert r.status_code == 200, (path, r.status_code, r.headers.get("Location"))
    return r


def post(s, base, path, fields, from_path="/account/security"):
    csrf = csrf_of(page(s, base, from_path).text)
    return s.post(base + path, data={"csrf": csrf, **fields}, allow_redirects=False)


def totp(secret, ahead=0):
    """The code of the step `ahead` steps from now, by oathtool."""
    cmd = ["oathtool", "--totp", "-b", secret.replace(" ", "")]
    if ahead:
        cmd += ["-N", f"now + {30 * ahead} seconds"]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def start_enrolment(s, base):
    """Starts two-step verification; returns the enrolment page and its secret."""
    r = post(s, base, "/account/security/2fa", {})
    assert r.status_code == 303 and r.headers["Location"] == "/account/security/2fa"
    enrol = page(s, base, "/account/security/2fa")
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', enrol.text).group(1)
    return enrol, secret


def recovery_codes(html):
    return re.findall(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>", html)


def enrol(s, base):
    """Turns two-step verification on; returns (secret, recovery codes)."""
    _, secret = start_enrolment(s, base)
    r = post(s, base, "/account/security/2fa/confirm", {"code": totp(secret)},
             from_path="/account/security/2fa")
    assert r.status_code == 200, text_of(r.text)[:400]
    codes = recovery_codes(r.text)
    assert len(codes) == 10
    return secret, codes
