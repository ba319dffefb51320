"""The simulator verifies signatures the way the spec says: raw values, sorted by key.

pionex-official/pionex-open-api `openapi.yaml` (commit b8c63d29), "Signing Process" step 2:
"Format query parameters as key-value pairs (no URL encoding for signature values)". The vectors
are those of tests/test_signing.py (computed with Python's hmac, cross-checked with openssl dgst;
V2 is Pionex's own worked example without its GET-body typo; V5a/V5b are one bot-list query signed raw and percent-encoded).
"""

from __future__ import annotations

import time

import httpx
import pytest

from exporter.simulator import start
from tests.conftest_api import sim_config

DOC_KEY = "OElNn5D_Frnf5MR0ChjYdG7PunK0AOgHTvevwzWS"
DOC_SECRET = "NFqv4MB3hB0SOiEsJNDP9e0jDdKPWbDqS_Z1dbU4"
V2_STAMP = 1655896754515
V2_SIGNATURE = "25dbbd2a6478ec4870653249d644cfb246eee4da347645cc98373f275e189242"
TEST_SECRET = "unit-test-secret-not-real-0001"
V5_STAMP = 1701388800123
V5A_RAW = "47434a0bd05f72a751fbe833621f48151d145ce880171578098aba20567fc14d"
V5B_ENCODED = "eb9f7cefd924e5f0230426484e977178836e6a34c1b2b245422cf56bbb142089"


def _at(stamp: int, **changes: object):  # type: ignore[no-untyped-def]
    """A simulator whose clock reads `stamp` now, so a published vector's timestamp is fresh."""
    return start(sim_config(clock_skew_ms=stamp - int(time.time() * 1000), **changes))


def test_the_specs_own_signing_example_is_accepted() -> None:
    with _at(V2_STAMP, api_key=DOC_KEY, api_secret=DOC_SECRET) as sim:
        reply = httpx.get(
            f"{sim.base_url}/api/v1/trade/allOrders?limit=1&symbol=BTC_USDT&timestamp={V2_STAMP}",
            headers={"PIONEX-KEY": DOC_KEY, "PIONEX-SIGNATURE": V2_SIGNATURE},
        )
    body = reply.json()
    assert body["result"] is True, body
    assert len(body["data"]["orders"]) <= 1


@pytest.mark.parametrize(
    ("wire_value", "signature", "accepted"),
    [
        ("futures_grid,spot_grid", V5A_RAW, True),  # raw comma, signed raw: the spec's way
        ("futures_grid%2Cspot_grid", V5A_RAW, True),  # encoded on the wire, signed raw
        ("futures_grid%2Cspot_grid", V5B_ENCODED, False),  # signed over %2C (pionex-py 1.2.0)
        ("futures_grid,spot_grid", V5B_ENCODED, False),
    ],
)
def test_a_signature_over_the_percent_encoded_query_is_refused(
    wire_value: str, signature: str, accepted: bool
) -> None:
    with _at(V5_STAMP, api_secret=TEST_SECRET) as sim:
        query = f"buOrderTypes={wire_value}&status=finished&timestamp={V5_STAMP}"
        reply = httpx.get(
            f"{sim.base_url}/api/v1/bot/orders?{query}",
            headers={"PIONEX-KEY": sim.sim.config.api_key, "PIONEX-SIGNATURE": signature},
        )
        assert sim.requests[-1].query == query  # what we meant to send is what arrived
    body = reply.json()
    if accepted:
        assert body["result"] is True, body
    else:
        assert (body["result"], body["code"]) == (False, "INVALID_SIGNATURE")
