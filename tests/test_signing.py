"""The signer reproduces the vectors V1-V8 byte for byte (computed with Python's hmac and
cross-checked with `openssl dgst`; V2 is the official spec's worked example)."""

from __future__ import annotations

import pytest

from exporter.pionex.signing import canonical_query, hmac_hex, prehash, sign

DOC_SECRET = "NFqv4MB3hB0SOiEsJNDP9e0jDdKPWbDqS_Z1dbU4"
TEST_SECRET = "unit-test-secret-not-real-0001"

VECTORS = [
    (
        "V1",
        DOC_SECRET,
        'GET/api/v1/trade/allOrders?limit=1&symbol=BTC_USDT&timestamp=1655896754515{"symbol": "BTC_USDT"}',
        "ec83d21e1237cbe7e0172f79c0e3a4741c86f6b201ba762f21149bf195519be1",
    ),
    (
        "V2",
        DOC_SECRET,
        "GET/api/v1/trade/allOrders?limit=1&symbol=BTC_USDT&timestamp=1655896754515",
        "25dbbd2a6478ec4870653249d644cfb246eee4da347645cc98373f275e189242",
    ),
    (
        "V3",
        TEST_SECRET,
        "GET/api/v1/account/balances?timestamp=1700000000000",
        "cf6a3c9b29ef105140ca9946a1b4a10fb2684fd13fb0da2df1559f27b9c7a119",
    ),
    (
        "V4",
        TEST_SECRET,
        "GET/api/v1/trade/fills?endTime=1701388799999&startTime=1698796800000&symbol=ETH_USDT&timestamp=1701388800123",
        "ca7eb93a4ba9c65da466710ebbe3f8dda3f2d86c372d16adec4173046b5122b8",
    ),
    (
        "V5a",
        TEST_SECRET,
        "GET/api/v1/bot/orders?buOrderTypes=futures_grid,spot_grid&status=finished&timestamp=1701388800123",
        "47434a0bd05f72a751fbe833621f48151d145ce880171578098aba20567fc14d",
    ),
    (
        "V5b",
        TEST_SECRET,
        "GET/api/v1/bot/orders?buOrderTypes=futures_grid%2Cspot_grid&status=finished&timestamp=1701388800123",
        "eb9f7cefd924e5f0230426484e977178836e6a34c1b2b245422cf56bbb142089",
    ),
    (
        "V6",
        TEST_SECRET,
        'POST/api/v1/earn/dual/invests?timestamp=1701388800123{"base":"BTC","clientDualIds":["my-order-001"]}',
        "0b5e136148e8a5c96adc1dcfc9f7aecd8b9741c074cfaf906763278874a4d05f",
    ),
    (
        "V7",
        TEST_SECRET,
        "GET/api/v1/trade/fillsByOrderId?fromId=9876543210&orderId=123456789&timestamp=1701388800123",
        "18bfc031d91aac49359e945c0b3e23d1cac17d8bfb859f448a28790520d58310",
    ),
    (
        "V8",
        DOC_SECRET,
        "/ws?key=OElNn5D_Frnf5MR0ChjYdG7PunK0AOgHTvevwzWS&timestamp=1655896754515websocket_auth",
        "3e901247350e744353f4a7a479fd67181184a627b119352ec1b7a432925e772c",
    ),
]


@pytest.mark.parametrize(
    ("name", "secret", "message", "expected"), VECTORS, ids=[v[0] for v in VECTORS]
)
def test_hmac_hex_matches_documented_vector(
    name: str, secret: str, message: str, expected: str
) -> None:
    assert hmac_hex(secret, message) == expected


def test_v2_real_get_ignores_any_body() -> None:
    params = {"symbol": "BTC_USDT", "limit": 1, "timestamp": 1655896754515}
    text = prehash("GET", "/api/v1/trade/allOrders", params, body='{"symbol": "BTC_USDT"}')
    assert text == VECTORS[1][2]
    assert sign(DOC_SECRET, "GET", "/api/v1/trade/allOrders", params)[1] == VECTORS[1][3]


def test_v4_unsorted_params_give_the_documented_prehash_and_signature() -> None:
    params = {
        "symbol": "ETH_USDT",
        "startTime": 1698796800000,
        "endTime": 1701388799999,
        "timestamp": 1701388800123,
    }
    assert prehash("GET", "/api/v1/trade/fills", params) == VECTORS[3][2]
    query, signature = sign(TEST_SECRET, "GET", "/api/v1/trade/fills", params)
    assert signature == VECTORS[3][3]
    assert "GET/api/v1/trade/fills?" + query == VECTORS[3][2]


def test_v5a_list_param_is_one_raw_comma_joined_value() -> None:
    params = {
        "status": "finished",
        "buOrderTypes": ["futures_grid", "spot_grid"],
        "timestamp": 1701388800123,
    }
    assert sign(TEST_SECRET, "GET", "/api/v1/bot/orders", params)[1] == VECTORS[4][3]


def test_v6_post_appends_the_exact_body() -> None:
    body = '{"base":"BTC","clientDualIds":["my-order-001"]}'
    text = prehash("post", "/api/v1/earn/dual/invests", {"timestamp": 1701388800123}, body)
    assert hmac_hex(TEST_SECRET, text) == VECTORS[6][3]


def test_v7_from_id_sorts_first() -> None:
    params = {"orderId": 123456789, "timestamp": 1701388800123, "fromId": 9876543210}
    assert sign(TEST_SECRET, "GET", "/api/v1/trade/fillsByOrderId", params)[1] == VECTORS[7][3]


def test_none_params_are_dropped_before_sorting() -> None:
    assert canonical_query({"b": None, "a": 1, "timestamp": 5}) == "a=1&timestamp=5"


def test_keys_sort_by_byte_order_uppercase_first() -> None:
    assert canonical_query({"b": 1, "B": 2, "a": 3}) == "B=2&a=3&b=1"


def test_signer_never_emits_the_obsolete_base64_form() -> None:
    signature = hmac_hex(DOC_SECRET, VECTORS[0][2])
    assert signature != "7IPSHhI3y+fgFy95wOOkdByG9rIBunYvIRSb8ZVRm+E="
    assert len(signature) == 64 and signature == signature.lower()
