"""The Pricing page reads the plans from PostgreSQL on every view."""

import contextlib

from conftest import text_of


@contextlib.contextmanager
def changed(db, sql_do, sql_undo):
    with db.cursor() as c:
        c.execute(sql_do)
    try:
        yield
    finally:
        with db.cursor() as c:
            c.execute(sql_undo)


def test_demo_plans_with_monthly_price_and_saving(http, base):
    text = text_of(http.get(base + "/pricing").text)
    for words in ("1 month", "3 months", "6 months", "12 months", "$49.00", "$499.00",
                  "$41.58 / month", "Save 15%", "Save 10%", "Save 5%", "Up to 3 devices"):
        assert words in text, words


def test_a_price_changed_in_the_database_shows_at_once(http, base, owner_db):
    with changed(owner_db, "UPDATE plans SET price_minor = 45900 WHERE code = 'yearly'",
                 "UPDATE plans SET price_minor = 49900 WHERE code = 'yearly'"):
        text = text_of(http.get(base + "/pricing").text)
        assert "$459.00" in text and "$38.25 / month" in text and "Save 21%" in text
        assert "$499.00" not in text


def test_an_inactive_plan_disappears(http, base, owner_db):
    with changed(owner_db, "UPDATE plans SET active = false WHERE code = 'quarterly'",
                 "UPDATE plans SET active = true WHERE code = 'quarterly'"):
        text = text_of(http.get(base + "/pricing").text)
        assert "3 months" not in text and "$139.00" not in text
        assert "6 months" in text


def test_without_plans_the_page_says_so(http, base, owner_db):
    with changed(owner_db, "UPDATE plans SET active = false",
                 "UPDATE plans SET active = true"):
        r = http.get(base + "/pricing")
        assert r.status_code == 200
        assert "$" not in text_of(r.text)
        home = text_of(http.get(base + "/").text)
        assert "$" not in home, "the home page quotes no price without plans"


def test_prices_and_durations_in_russian(http, base):
    text = text_of(http.get(base + "/pricing?lang=ru").text)
    for words in ("1 месяц", "3 месяца", "6 месяцев", "12 месяцев", "3 устройств"):
        assert words in text, words


def test_home_quotes_the_lowest_monthly_price(http, base):
    assert "$41.58" in text_of(http.get(base + "/").text)


def test_plan_buttons_lead_to_a_prefilled_sales_form(http, base):
    html = http.get(base + "/pricing").text
    assert 'href="/contact?topic=sales&amp;months=12"' in html
    form = http.get(base + "/contact?topic=sales&months=12").text
    assert "12 months" in form
    assert '<option value="sales" selected' in form
