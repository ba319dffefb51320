"""API records are not trusted blindly (issue 15, defect 6): a fill whose symbol is not the pair
asked for, whose time is outside the asked window, or whose fee coin is neither side nor a known
coin is kept raw, booked as the record says and flagged for review, and the fetch says so (exit 3).
So does a fill the derive cannot book as it is (price x size too large to store exactly): it is
flagged when booked, and the fetch reports it the same way rather than exit 0.

The simulator serves such records itself (`suspect_fills`) on the last page of a walk.
"""

from __future__ import annotations

import json
from pathlib import Path

from exporter.simulator import start
from exporter.simulator.server import SUSPECT_FEE_COIN, suspects
from tests.conftest_api import cli_config, sim_config
from tests.helpers import cli, query


def _key(record: dict) -> str:
    return f"{record['id']}:{record['orderId']}:{record['role']}"


def test_untrustworthy_fills_are_kept_raw_flagged_and_reported(tmp_path: Path) -> None:
    with start(sim_config(suspect_fills=True)) as sim:
        db, env = cli_config(tmp_path, sim)
        result = cli("fetch", env=env)
        asked = sim.truth.traded_symbols[1]
        foreign, old, odd_fee, huge = suspects(sim.truth, asked, 0)
        truth = {_key(f) for f in sim.truth.fills}
    assert result.exit_code == 3, result.output
    raw = dict(query(db, "SELECT record_key, record FROM api_records WHERE kind = 'fill'"))
    assert truth | {_key(old), _key(odd_fee), _key(huge)} == set(raw)
    assert json.loads(raw[_key(odd_fee)])["feeCoin"] == SUSPECT_FEE_COIN  # kept as received
    booked = {
        key: (symbol, review, reason)
        for key, symbol, review, reason in query(
            db,
            "SELECT split_part(api_ref, ':', 2) || ':' || split_part(api_ref, ':', 3) || ':' || "
            "split_part(api_ref, ':', 4), symbol, needs_review, review_reason FROM transactions "
            "WHERE source = 'api'",
        )
    }
    symbol, review, reason = booked[_key(foreign)]
    if review:  # it may have landed first from its own pair's walk: then it is simply right
        assert f"served for {asked} but its symbol is {foreign['symbol']}" in reason
    assert symbol == foreign["symbol"]  # booked as the record says, never as the asked pair
    assert booked[_key(old)][1] and "outside the asked window" in booked[_key(old)][2]
    assert booked[_key(odd_fee)][1] and f"fee coin {SUSPECT_FEE_COIN}" in booked[_key(odd_fee)][2]
    assert booked[_key(huge)][1] and "too large to store" in booked[_key(huge)][2]
    unflagged = {k for k, (_s, flagged, _r) in booked.items() if not flagged}
    assert unflagged >= truth - {_key(foreign)}
    flagged = len(booked) - len(unflagged)
    assert flagged == 4 - (not review)  # the report counts what it flagged, nothing it did not
    assert f"{flagged} fill(s) kept raw and flagged for review" in result.stdout
    status = json.loads(cli("status", "--json", env=env).stdout)
    assert any("outside the asked window" in r["reason"] for r in status["review"])


def test_a_foreign_symbol_fill_is_flagged_when_it_arrives_first(tmp_path: Path) -> None:
    """Asked only for one pair, the other pair's fill can only come from the wrong reply."""
    with start(sim_config(suspect_fills=True)) as sim:
        db, env = cli_config(tmp_path, sim)
        asked = sim.truth.traded_symbols[1]
        foreign, *_others = suspects(sim.truth, asked, 0)
        with_only_asked = {**env}
        result = cli("fetch", "--symbols", asked, env=with_only_asked)
    assert result.exit_code == 3, result.output
    (row,) = query(
        db,
        "SELECT symbol, needs_review, review_reason FROM transactions WHERE api_ref LIKE ?",
        [f"%:{_key(foreign)}"],
    )
    assert row[0] == foreign["symbol"] and row[1]
    assert f"served for {asked} but its symbol is {foreign['symbol']}" in row[2]


def test_a_fee_in_a_known_third_coin_or_a_zero_fee_is_not_a_problem() -> None:
    from exporter.pionex.vetting import fill_problem

    fill = {"symbol": "BTC_USDC", "timestamp": 5, "fee": "0.1", "feeCoin": "USDT"}
    asked = {"symbol": "BTC_USDC", "startTime": 1, "endTime": 9}
    assert fill_problem(fill, asked, {"USDT"}) is None
    assert fill_problem({**fill, "fee": "0", "feeCoin": ""}, asked, set()) is None
    assert "fee coin USDT" in (fill_problem(fill, asked, set()) or "")
    assert "outside the asked window 1..9" in (
        fill_problem({**fill, "timestamp": 10}, asked, {"USDT"}) or ""
    )
    assert fill_problem({**fill, "timestamp": 10}, {"symbol": "BTC_USDC"}, {"USDT"}) is None


def test_a_fill_without_a_readable_time_is_booked_at_its_fetch_time_and_flagged(
    tmp_path: Path,
) -> None:
    from exporter.normalize.pipeline import rebuild
    from exporter.pionex import landing
    from exporter.pionex.vetting import fill_problem
    from exporter.store.db import open_db
    from tests.conftest_api import fresh_db

    fill = {
        "id": 7,
        "orderId": 8,
        "symbol": "BTC_USDT",
        "side": "BUY",
        "role": "TAKER",
        "price": "60000",
        "size": "0.001",
        "fee": "0.000001",
        "feeCoin": "BTC",
        "timestamp": "soon",
    }
    asked = {"symbol": "BTC_USDT", "orderId": 8}
    problem = fill_problem(fill, asked, set())
    assert problem == "timestamp 'soon' is not an integer of ms"
    db = fresh_db(tmp_path)
    with open_db(db) as con:
        cp = landing.load_checkpoint(con, "default", "/api/v1/trade/fills", "BTC_USDT")
        landing.PageWriter(con, 0).write(
            cp,
            run_id=1,
            kind="fill",
            endpoint="/api/v1/trade/fillsByOrderId",
            params=asked,
            records=[("7:8:TAKER", None, fill, problem)],
        )
        rebuild(con, "default")
    ((at, fetched, review, reason),) = query(
        db,
        "SELECT t.occurred_at, r.fetched_at, t.needs_review, t.review_reason FROM transactions t, "
        "api_records r WHERE t.source = 'api'",
    )
    assert at == fetched and review and "not an integer" in reason


def test_fills_a_fetch_landed_but_never_derived_are_reported_by_the_next_fetch(
    tmp_path: Path,
) -> None:
    """A fetch killed after landing its pages leaves fills no derive has booked and no report has
    named: the next fetch books them and reports their flags, though they are not its own."""
    from exporter.app.fetching import fetch_to_db
    from exporter.pionex.credentials import Credentials, Secret

    with start(sim_config(suspect_fills=True)) as sim:
        db, env = cli_config(tmp_path, sim)
        cfg = sim.sim.config
        landed = fetch_to_db(
            db,
            "default",
            Credentials(Secret(cfg.api_key), Secret(cfg.api_secret)),
            base_url=sim.base_url,
            rate_limit=1000.0,
            rebuild=False,  # what a run killed before its derive leaves
        )
        assert landed.new_fills and not query(db, "SELECT * FROM transactions WHERE source = 'api'")
        _foreign, old, odd_fee, huge = suspects(sim.truth, sim.truth.traded_symbols[1], 0)
        result = cli("fetch", env=env)
    assert result.exit_code == 3, result.output
    for record in (old, odd_fee, huge):
        assert _key(record) in result.stdout, (_key(record), result.stdout)
    assert "too large to store" in result.stdout
