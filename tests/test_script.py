"""The enhancement script: marks this month on the schedule only when the edition is this year's."""
from __future__ import annotations

import datetime

import pytest

from quality import browser


@pytest.mark.parametrize("today, expected", [
    (datetime.datetime(2019, 3, 15, 12), ["3월", "3월"]),
    (datetime.datetime(2026, 3, 15, 12), []),
])
def test_current_month_is_marked_in_the_edition_year(site, today, expected):
    with browser() as chromium:
        page = chromium.new_page()
        page.clock.install(time=today)
        page.goto((site / "ko" / "schedule" / "index.html").as_uri())
        marked = page.eval_on_selector_all('th[aria-current="date"].gd-schedule__month--now', "els => els.map(e => e.textContent.trim())")
        assert marked == expected
        page.close()
