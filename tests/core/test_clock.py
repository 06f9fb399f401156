"""Days are counted in the registry's time zone, not the server's: a deadline falls on the same day
whatever the server's clock says."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from registry import create_app
from registry.compliance import engine
from registry.core import clock

#: 26 hours apart: their days always differ
EARLIEST, LATEST = "Pacific/Kiritimati", "Etc/GMT+12"


def _today_in(zone: str, database_url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "clock-test",
                      "BABEL_DEFAULT_TIMEZONE": zone})
    with app.app_context():
        return clock.today(), engine.context().as_of


def test_today_is_the_day_in_the_registrys_time_zone(database_url):
    for zone in (EARLIEST, LATEST):
        today, as_of = _today_in(zone, database_url)
        assert today == datetime.now(ZoneInfo(zone)).date()
        assert as_of == today


def test_two_registries_half_a_world_apart_count_different_days(database_url):
    assert _today_in(EARLIEST, database_url)[0] > _today_in(LATEST, database_url)[0]
