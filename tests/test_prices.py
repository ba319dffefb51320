"""`prices`: daily closes from the simulator's klines route, paged back with endTime, stored once,
resumed after a partial run; coins without a market are named and never guessed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from exporter.pionex.client import PionexClient
from exporter.pionex.errors import ReadOnlyViolation
from exporter.simulator import start
from tests.conftest_api import sim_config
from tests.helpers import cli, query
from tests.reports_data import deposit, export_folder, import_all, trade, utc_today


def _klines_calls(sim) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return [
        {k: v[0] for k, v in parse_qs(r.query).items()}
        for r in sim.requests
        if r.path == "/api/v1/market/klines"
    ]


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """BTC deposited 505 days ago (more than one 500-candle page back), an ETH/BTC trade 3 days
    ago, a coin Pionex never listed, and today's deposit (its day is not finished)."""
    today = utc_today()
    day = lambda n: (today - dt.timedelta(days=n)).isoformat()  # noqa: E731
    db = tmp_path / "p.duckdb"
    folder = export_folder(
        tmp_path,
        day(510),
        today.isoformat(),
        deposits=[
            deposit(f"{day(505)} 10:00:00", "2", "BTC"),
            deposit(f"{day(40)} 08:00:00", "1000", "ZZZNEVER"),
            deposit(f"{today} 00:00:01", "1", "ETH"),
        ],
        trades=[trade(f"{day(3)} 12:00:00", "BUY", "ETH_BTC", "10", "0.05", "0.5", "0.01", "ETH")],
    )
    import_all(db, folder)
    return db


def test_prices_stores_the_simulators_closes_for_every_day_a_coin_moves(history: Path) -> None:
    today = utc_today()
    with start(sim_config()) as sim:
        result = cli("--db", history, "prices", "--base-url", sim.base_url)
        assert result.exit_code == 0, result.output
        stored = {
            (a, d): Decimal(c) for a, d, c in query(history, "SELECT asset, day, close FROM prices")
        }
        for asset, ago in (("BTC", 505), ("BTC", 3), ("ETH", 3)):
            day = today - dt.timedelta(days=ago)
            assert stored[(asset, day)] == sim.sim.klines.close(f"{asset}_USDT", day)
        # Today's candle is unfinished: never stored, so it cannot freeze a moving close.
        assert not [k for k in stored if k[1] >= today]
        calls = _klines_calls(sim)
        assert {c["interval"] for c in calls} == {"1D"} and {c["limit"] for c in calls} == {"500"}
        btc = [int(c["endTime"]) for c in calls if c["symbol"] == "BTC_USDT"]
        assert len(btc) == 2 and btc[1] < btc[0]  # paged backwards past the first 500 days
        assert "ZZZNEVER_USDT is unknown to Pionex" in result.stdout
        assert query(history, "SELECT status FROM price_coverage WHERE asset = 'ZZZNEVER'") == [
            ("no_market",)
        ]
        assert not [k for k in stored if k[0] == "ZZZNEVER"]

        again = cli("--db", history, "prices", "--base-url", sim.base_url)
        assert again.exit_code == 0, again.output
        assert "0 new daily close(s)" in again.stdout
        assert len(_klines_calls(sim)) == len(calls) + 1  # only the unknown pair is asked again


def test_an_interrupted_run_resumes_with_only_the_missing_days(history: Path) -> None:
    with start(sim_config()) as sim:
        assert cli("--db", history, "prices", "--base-url", sim.base_url).exit_code == 0
        complete = query(history, "SELECT asset, day, close FROM prices ORDER BY ALL")
        # As if the run had died after BTC's first page: its older days are gone.
        import duckdb

        with duckdb.connect(str(history)) as con:
            con.execute("DELETE FROM prices WHERE asset = 'BTC' AND day < current_date - 400")
        before = len(_klines_calls(sim))
        result = cli("--db", history, "prices", "--base-url", sim.base_url)
        assert result.exit_code == 0, result.output
        asked = _klines_calls(sim)[before:]
        assert sorted(c["symbol"] for c in asked) == ["BTC_USDT", "ZZZNEVER_USDT"]
        # The walk starts at the missing day itself, not at the newest stored one.
        btc_day = utc_today() - dt.timedelta(days=505)
        (btc,) = [int(c["endTime"]) for c in asked if c["symbol"] == "BTC_USDT"]
        assert dt.datetime.fromtimestamp(btc / 1000, dt.UTC).date() == btc_day
        needed = (
            "SELECT p.asset, p.day, p.close FROM prices p SEMI JOIN ledger l "
            "ON l.asset = p.asset AND l.occurred_at::DATE = p.day ORDER BY ALL"
        )
        assert len(query(history, needed)) == 3
        assert set(query(history, needed)) <= set(complete)


def test_the_client_reaches_klines_without_a_key_and_still_refuses_writes() -> None:
    with start(sim_config()) as sim, PionexClient(None, sim.base_url) as client:
        data = client.get(
            "/api/v1/market/klines", {"symbol": "BTC_USDT", "interval": "1D", "limit": 2}
        )
        assert [set(k) for k in data["klines"]] == [
            {"time", "open", "close", "high", "low", "volume"}
        ] * 2
        with pytest.raises(ReadOnlyViolation):
            client.request("POST", "/api/v1/market/klines")


def test_the_simulator_answers_klines_errors_as_the_spec_lists_them() -> None:
    with start(sim_config()) as sim, PionexClient(None, sim.base_url, max_attempts=1) as client:
        for params, code in (
            ({"symbol": "BTC_USDT", "interval": "1D", "limit": 501}, "MARKET_PARAMETER_ERROR"),
            ({"symbol": "BTC_USDT", "interval": "2D"}, "MARKET_PARAMETER_ERROR"),
            ({"symbol": "NOPE_USDT", "interval": "1D"}, "MARKET_INVALID_SYMBOL"),
        ):
            with pytest.raises(Exception) as caught:
                client.get("/api/v1/market/klines", params)
            assert getattr(caught.value, "code", None) == code


def test_sync_fetches_the_closes_after_the_fills(tmp_path: Path) -> None:
    from tests.ops_support import no_key_env, write_config, write_key_file

    config_sim = sim_config()
    db = tmp_path / "p.duckdb"
    with start(config_sim) as sim:
        config = write_config(
            tmp_path / "config.toml",
            db,
            {
                "main": {
                    "base_url": sim.base_url,
                    "rate_limit": 1000.0,
                    "export_dir": tmp_path / "out",
                    "credentials_file": write_key_file(
                        tmp_path / "k", config_sim.api_key, config_sim.api_secret
                    ),
                }
            },
        )
        result = cli("sync", "--account", "main", env=no_key_env(config))
        assert result.exit_code in (0, 3), result.output
        closes = query(db, "SELECT count(*) FROM prices")[0][0]
        assert closes > 0 and f"{closes} new daily closes" in result.stdout
        # Every finished day a priced coin moved on has its close, as the simulator serves it.
        rows = query(
            db,
            """SELECT DISTINCT l.asset, l.occurred_at::DATE, p.close FROM ledger l
                            LEFT JOIN prices p ON p.asset = l.asset AND p.day = l.occurred_at::DATE
                            WHERE l.asset NOT IN ('USDT', 'USDC') AND l.occurred_at::DATE < current_date""",
        )
        for asset, day, close in rows:
            assert close == sim.sim.klines.close(f"{asset}_USDT", day), (asset, day)


def test_a_close_that_cannot_be_stored_exactly_stops_only_that_coin(history: Path) -> None:
    day = utc_today() - dt.timedelta(days=3)
    with start(sim_config()) as sim:
        candles = sim.sim.klines._candles["ETH_USDT"]  # the served data itself, for this test
        ms = int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp() * 1000)
        next(c for c in candles if c["time"] == ms)["close"] = "3000.12345678901"
        result = cli("--db", history, "prices", "--base-url", sim.base_url)
    assert result.exit_code == 0, result.output
    assert "'3000.12345678901' does not fit the prices table" in result.stdout
    assert query(history, "SELECT status FROM price_coverage WHERE asset = 'ETH'") == [("unfit",)]
    assert query(history, "SELECT count(*) FROM prices WHERE asset = 'ETH'") == [(0,)]
    assert query(history, "SELECT count(*) FROM prices WHERE asset = 'BTC' AND day = ?", [day]) == [
        (1,)
    ]
    reasons = dict(
        query(
            history,
            """SELECT t.base_asset, v.unvalued_reason FROM transaction_values v
                                     JOIN transactions t USING (account, txn_id) WHERE t.kind = 'trade'""",
        )
    )
    assert reasons["ETH"] is None  # the ETH/BTC trade: valued by BTC's close, ETH's being refused
