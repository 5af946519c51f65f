"""What the C code asks of sql/ and of the catalogs exists: every query label
it runs, with the number of parameters it passes, and every catalog key it
names. A typo here would otherwise be a 500 or a raw key on a page."""

import glob
import json
import os
import re

import stack as stacklib

ROOT = stacklib.ROOT
C_FILES = glob.glob(os.path.join(ROOT, "mod_portal", "**", "*.c"), recursive=True)


def sql_queries():
    queries = {}
    for path in glob.glob(os.path.join(ROOT, "sql", "*.sql")):
        area = os.path.basename(path)[:-4]
        for label, body in re.findall(r"(?ms)^-- name: (\w+)\n(.*?)(?=^-- name:|\Z)",
                                      open(path).read()):
            body = re.sub(r"'[^']*'", "", re.sub(r"--[^\n]*", "", body))
            params = [int(n) for n in re.findall(r"\$(\d+)", body)]
            queries[f"{area}.{label}"] = max(params, default=0)
    return queries


def test_every_query_the_code_runs_exists_with_its_parameters():
    queries = sql_queries()
    calls = []
    for path in C_FILES:
        src = open(path).read()
        calls += [(path, label, int(n)) for label, n in re.findall(
            r'portal_(?:db_)?query\([^;]*?"(\w+\.\w+)",\s*(\d+)', src, re.S)]
    assert len(calls) >= 8, "the scan finds the calls"
    for path, label, n in calls:
        assert label in queries, f"{os.path.relpath(path, ROOT)} runs {label}, not in sql/"
        assert queries[label] == n, f"{label} takes {queries[label]} parameters, given {n}"


def test_every_catalog_key_the_code_names_exists():
    with open(os.path.join(ROOT, "templates", "i18n", "en.json")) as f:
        en = json.load(f)

    def has(key):
        node = en
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return isinstance(node, str)

    keys, plural_bases = set(), set()
    with open(os.path.join(ROOT, "conf", "roles.json")) as f:
        not_keys = set(json.load(f)["permissions"])
    for path in C_FILES:
        src = re.sub(r"(?m)^#include.*$", "", open(path).read())
        plural_bases |= set(re.findall(r'portal_i18n_count\([^;]*?"([a-z][\w.]+)"', src, re.S))
        keys |= set(re.findall(r'portal_text\(pr, "([\w.]+)"\)', src))
        keys |= set(re.findall(r'"((?:contact\.errors|admin|pricing|home|money)\.[\w.]+)"', src))
        # "admin." also starts audit events, rate-limit buckets and admin
        # permissions: not keys.
        not_keys.update(re.findall(r'portal_limit\(pr, "([\w.]+)"', src))
        for call in re.findall(r"portal_audit_\w+\((.*?)\);", src, re.S):
            not_keys.update(re.findall(r'"([\w.]+)"', call))
        for array in re.findall(r"events\[\]\s*=\s*\{(.*?)\};", src, re.S):
            not_keys.update(re.findall(r'"([\w.]+)"', array))
        codes = re.findall(r'portal_fail\(pr, \w+, "(\w+)"\)', src)
        codes += re.findall(r'portal_limit_as\(pr, "(\w+)"', src)
        for code in codes:
            keys |= {f"errors.{code}.title", f"errors.{code}.message"}
        for page in re.findall(r'portal_view\(pr, "(\w+)"\)', src):
            keys |= {f"pages.{page}.title", f"pages.{page}.description"}
    assert plural_bases, "the scan finds the counted phrases"
    for base in plural_bases:
        keys |= {f"{base}.{form}" for form in ("one", "few", "many", "other")}
    keys = {k for k in keys - plural_bases - set(sql_queries()) - not_keys
            if not k.endswith(".")}
    assert len(keys) > 30, "the scan finds the keys"
    missing = sorted(k for k in keys if not has(k))
    assert not missing, missing


def test_content_disposition_is_built_in_one_place():
    """File names reach headers only through core/disposition.c, which makes
    them safe (RFC 6266 with an ASCII fallback)."""
    setting = re.compile(r'apr_table_\w+\([^;]*"Content-Disposition"'
                         r'(?![^;]*portal_content_disposition\()', re.S | re.I)
    assert setting.search('apr_table_setn(r->headers_out, "Content-Disposition", v);')
    assert not setting.search('apr_table_setn(h, "Content-Disposition",\n'
                              '    portal_content_disposition(p, "attachment", name));')
    elsewhere = [os.path.relpath(p, ROOT) for p in C_FILES if setting.search(open(p).read())]
    assert not elsewhere, f"set Content-Disposition with portal_content_disposition: {elsewhere}"
