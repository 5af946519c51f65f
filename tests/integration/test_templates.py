"""Every user-facing string lives in the catalogs: templates hold none of
their own, and every catalog key a template names exists in all four
languages."""

import glob
import json
import os
import re

import pytest

import stack as stacklib

TEMPLATES = os.path.join(stacklib.ROOT, "templates")
LOCALES = ("en", "tr", "az", "ru")
TEXT_ATTRS = ("alt", "title", "placeholder", "aria-label", "label")


def templates():
    return sorted(glob.glob(os.path.join(TEMPLATES, "**", "*.mustache"), recursive=True))


def catalog(code):
    with open(os.path.join(TEMPLATES, "i18n", f"{code}.json")) as f:
        return json.load(f)


def lookup(cat, dotted):
    node = cat
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


@pytest.mark.parametrize("path", templates(), ids=lambda p: os.path.relpath(p, TEMPLATES))
def test_no_words_outside_the_catalogs(path):
    src = open(path).read()
    src = re.sub(r"(?s)\{\{!.*?\}\}", "", src)              # comments
    src = re.sub(r"(?s)<svg\b.*?</svg>", "", src)            # icons carry no words
    values = [(a, v) for a in TEXT_ATTRS for v in re.findall(rf'\s{a}="([^"]*)"', src)]
    values += [("content", v) for v in
               re.findall(r'<meta\s+name="description"\s+content="([^"]*)"', src)]
    for attr, value in values:
            assert not re.search(r"[^\W\d_]", re.sub(r"\{\{.*?\}\}", "", value)), \
                f'{attr}="{value}" holds words outside the catalogs'
    text = re.sub(r"(?s)\{\{\{.*?\}\}\}|\{\{.*?\}\}", " ", src)  # tags
    text = re.sub(r"(?s)<!--.*?-->", " ", text)
    text = re.sub(r"(?s)<[^>]*>", " ", text)                 # markup
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)             # entities
    words = re.findall(r"[^\W\d_]{2,}", text)
    assert not words, f"words outside the catalogs: {words[:10]}"


def test_every_catalog_key_a_template_names_exists():
    cats = {code: catalog(code) for code in LOCALES}
    missing = []
    for path in templates():
        for key in re.findall(r"\{\{\{?\s*[&#^/]?\s*t\.([\w.]+)\s*\}?\}\}", open(path).read()):
            for code, cat in cats.items():
                if lookup(cat, key) is None:
                    missing.append(f"{os.path.relpath(path, TEMPLATES)}: t.{key} ({code})")
    assert not missing, missing[:20]


def test_the_catalogs_have_the_same_keys():
    def leaves(node, prefix=""):
        for k, v in node.items():
            yield from leaves(v, prefix + k + ".") if isinstance(v, dict) else [prefix + k]
    en = set(leaves(catalog("en")))
    for code in LOCALES[1:]:
        other = set(leaves(catalog(code)))
        assert en - other == set(), f"{code} lacks {sorted(en - other)[:10]}"
        assert other - en == set(), f"{code} has extra {sorted(other - en)[:10]}"


# Values built by the server as HTML, which a template may put in unescaped:
# template (relative to templates/) -> the names it may use with {{{ }}} or
# {{& }}. Inline SVG (a QR code) and rendered Markdown (libcmark, raw HTML
# off) will be the only kinds; nothing a visitor typed ever is.
UNESCAPED_ALLOWED = {
    "cabinet/two_factor_enrol.mustache": ("qr",),   # core/qr_svg.h
    "admin/enrol.mustache": ("enrol.qr",),
}


def unescaped_tags(text):
    """Names used with {{{name}}} or {{&name}}, and whether the template
    changes its delimiters (which would hide such tags from this scan)."""
    names = re.findall(r"\{\{\{\s*([^}\s]+)\s*\}\}\}", text)
    names += re.findall(r"\{\{&\s*([^}\s]+)\s*\}\}", text)
    return names, bool(re.search(r"\{\{=", text))


def test_the_scan_sees_unescaped_tags():
    assert unescaped_tags("<p>{{{ qr_svg }}} {{&body}} {{name}}</p>")[0] == ["qr_svg", "body"]
    assert unescaped_tags("{{=<% %>=}}")[1]


@pytest.mark.parametrize("path", templates(), ids=lambda p: os.path.relpath(p, TEMPLATES))
def test_templates_escape_everything_else(path):
    """README promises that templates escape: no triple mustache and no
    ampersand tag but the allowlisted server-built values."""
    rel = os.path.relpath(path, TEMPLATES)
    names, changes_delimiters = unescaped_tags(open(path).read())
    assert not changes_delimiters, f"{rel} changes the delimiters"
    allowed = set(UNESCAPED_ALLOWED.get(rel, ()))
    assert set(names) <= allowed, f"{rel} writes {sorted(set(names) - allowed)} unescaped"
