"""The simulator answers in the official spec's shapes, and the spec's own examples go through
the fetcher's normalization.

`tests/spec/pionex_subset.json` is the `data` schema of every reply the fetcher reads, with the
spec's field types, from pionex-official/pionex-open-api at commit b8c63d29 (`openapi.yaml`,
`openapi_wallet.yaml`, `openapi_bot.yaml`; regenerate with `tests/spec/make_pionex_subset.py`).
Every reply of a real fetch is checked against it: each field served must be declared there with
its type (an invented field such as a futures grid's `realizedProfit` fails), and each field we
read (`relied`) must be present. The spec has whole example replies only for the balances and
its error envelopes; those run through the landing code and the error mapping.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from exporter.pionex import landing
from exporter.pionex.errors import AuthError, InvalidSymbolError, RemoteError, error_for
from exporter.pionex.fetch import FetchOptions, _held, fetch
from exporter.simulator import start
from exporter.simulator.server import WEIGHTS
from exporter.store.db import open_db
from tests.conftest_api import client_for, fresh_db, sim_config

SUBSET = json.loads((Path(__file__).parent / "spec" / "pionex_subset.json").read_text())
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def violations(value: Any, schema: dict[str, Any], where: str = "data") -> list[str]:
    """What in `value` the spec schema does not allow (OpenAPI 3.0 types, nullable, enum)."""
    if value is None:
        return [] if schema.get("nullable") else [f"{where}: null, not nullable"]
    kind = schema.get("type")
    if kind is not None:
        is_bool = isinstance(value, bool)
        if not isinstance(value, _TYPES[kind]) or (is_bool and kind != "boolean"):
            return [f"{where}: {type(value).__name__} {value!r}, spec type {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in the spec's enum {schema['enum']}"]
    found = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{where}.{key}: not a field of the spec")
            else:
                found += violations(item, schema["properties"][key], f"{where}.{key}")
    elif isinstance(value, dict) and "additionalProperties" in schema:
        for key, item in value.items():
            found += violations(item, schema["additionalProperties"], f"{where}[{key!r}]")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += violations(item, schema["items"], f"{where}[{i}]")
    return found


def missing(value: Any, dotted: str) -> bool:
    """Is the relied-on field `dotted` (e.g. `fills[].fee`) absent anywhere it should be?"""
    head, _, rest = dotted.partition(".")
    name, many = head.removesuffix("[]"), head.endswith("[]")
    if not isinstance(value, dict) or name not in value:
        return True
    inner = value[name]
    if not rest:
        return False
    if many:
        return any(missing(item, rest) for item in inner)
    return missing(inner, rest)


def test_the_validator_refuses_what_the_spec_does_not_allow() -> None:
    bot = SUBSET["paths"]["/api/v1/bot/orders"]["data"]
    good = {"nextPageToken": None, "results": [{"buOrderId": "1", "canceling": 0}]}
    assert violations(good, bot) == []
    assert violations({"results": [{"canceling": False}]}, bot) == [
        "data.results[0].canceling: bool False, spec type integer"
    ]
    futures = SUBSET["paths"]["/api/v1/bot/orders/futuresGrid/order"]["data"]
    assert violations({"buOrderData": {"realizedProfit": "1"}}, futures) == [
        "data.buOrderData.realizedProfit: not a field of the spec"
    ]
    assert missing({"fills": [{"fee": "1"}, {}]}, "fills[].fee")


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict[str, Any]]]:
    """Every (path, data) a real fetch read from the simulator through the real client."""
    replies: list[tuple[str, dict[str, Any]]] = []
    db = fresh_db(tmp_path_factory.mktemp("spec"), "spec")
    with start(sim_config()) as sim, open_db(db) as con, client_for(sim) as client:
        real_get = client.get

        def recording(path: str, params: Any = None) -> dict[str, Any]:
            data = real_get(path, params)
            replies.append((path, data))
            return data

        client.get = recording  # type: ignore[method-assign]
        fetch(con, client, "default", FetchOptions())
    return replies


def test_every_reply_the_fetcher_reads_has_the_specs_shape_and_types(
    fetched: list[tuple[str, dict[str, Any]]],
) -> None:
    assert {path for path, _ in fetched} == set(SUBSET["paths"])  # each path was exercised
    problems = []
    for path, data in fetched:
        spec = SUBSET["paths"][path]
        problems += [f"{path}: {v}" for v in violations(data, spec["data"])]
        problems += [f"{path}: no {field}" for field in spec["relied"] if missing(data, field)]
    assert problems == []


@pytest.mark.parametrize("http_status", [200, 401])
def test_error_envelopes_have_the_specs_shape(http_status: int) -> None:
    files = {path: spec["file"] for path, spec in SUBSET["paths"].items()}
    config = sim_config(permissions=frozenset(), auth_error_status=http_status)
    with start(config) as sim:
        for path in SUBSET["paths"]:
            if path == "/api/v1/common/symbols":
                continue  # public
            reply = httpx.get(sim.base_url + path, headers={"PIONEX-KEY": config.api_key})
            assert reply.status_code == http_status
            body = reply.json()
            assert body["result"] is False and body["code"] == "SIGNATURE_LOST"
            assert violations(body, SUBSET["errors"][files[path]], path) == []
    assert WEIGHTS.keys() >= SUBSET["paths"].keys()


def _example(file: str, path: str | None, response: str | None = None) -> dict[str, Any]:
    return next(
        e["reply"]
        for e in SUBSET["examples"][file]
        if e["path"] == path and e.get("response") == response
    )


def test_the_specs_balance_examples_go_through_the_landing_code(tmp_path: Path) -> None:
    spot = _example("openapi.yaml", "/api/v1/account/balances")
    full = _example("openapi_wallet.yaml", "/api/v1/wallet/balancesFull")
    for path, reply in (("/api/v1/account/balances", spot), ("/api/v1/wallet/balancesFull", full)):
        assert violations(reply["data"], SUBSET["paths"][path]["data"]) == []
    balances = spot["data"]["balances"]
    assert _held(balances) == {"BTC", "USDT"}
    db = fresh_db(tmp_path)
    with open_db(db) as con:
        landing.save_balances(con, "default", 1, balances, full["data"])
        rows = con.execute(
            "SELECT part, coin, free, frozen, record FROM api_balance_snapshots ORDER BY part, coin"
        ).fetchall()
    assert [(p, c, f, z) for p, c, f, z, _ in rows] == [
        ("full", None, None, None),
        ("spot", "BTC", Decimal("0.9"), Decimal("0")),
        ("spot", "USDT", Decimal("100"), Decimal("900")),
    ]
    assert json.loads(rows[0][4]) == full["data"]  # the whole-wallet reply kept as received


@pytest.mark.parametrize(
    ("file", "response", "error"),
    [
        ("openapi_wallet.yaml", "BadRequest", RemoteError),
        ("openapi_wallet.yaml", "Unauthorized", AuthError),
    ],
)
def test_the_specs_error_examples_map_to_typed_errors(
    file: str, response: str, error: type[Exception]
) -> None:
    reply = _example(file, None, response)
    assert violations(reply, SUBSET["errors"][file]) == []
    assert type(error_for(reply["code"], reply["message"], "/api/v1/wallet/balancesFull")) is error


def test_the_specs_failure_example_with_its_misspelt_code_is_an_invalid_symbol() -> None:
    # openapi.yaml's "Failure example" (prose, so not in the subset): TRADE_INVAILD_SYMBOL.
    assert isinstance(
        error_for("TRADE_INVAILD_SYMBOL", "Invalid symbol", "/api/v1/trade/fills"),
        InvalidSymbolError,
    )
