"""Regenerate `pionex_subset.json` from the official spec (needs PyYAML; not run by the tests).

    git clone https://github.com/pionex-official/pionex-open-api /tmp/spec
    git -C /tmp/spec checkout b8c63d29ed9b49d967b75b75b0c2ef057e45cc77
    python tests/spec/make_pionex_subset.py /tmp/spec > tests/spec/pionex_subset.json

For each path the fetcher reads, the `data` schema of its 200 reply with every `$ref` inlined and
descriptions dropped; `relied` lists the fields the fetcher, the normalization and the reports
read (the spec marks nothing required, so that list is ours).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

COMMIT = "b8c63d29ed9b49d967b75b75b0c2ef057e45cc77"
PATHS = {
    "openapi.yaml": [
        "/api/v1/common/symbols",
        "/api/v1/account/balances",
        "/api/v1/trade/fills",
        "/api/v1/trade/fillsByOrderId",
        "/api/v1/trade/allOrders",
    ],
    "openapi_wallet.yaml": ["/api/v1/wallet/balancesFull"],
    "openapi_bot.yaml": [
        "/api/v1/bot/orders",
        "/api/v1/bot/orders/spotGrid/order",
        "/api/v1/bot/orders/futuresGrid/order",
        "/api/v1/bot/orders/smartCopy/order",
    ],
}
_FILL = [
    "fills[].id",
    "fills[].orderId",
    "fills[].symbol",
    "fills[].side",
    "fills[].role",
    "fills[].price",
    "fills[].size",
    "fills[].fee",
    "fills[].feeCoin",
    "fills[].timestamp",
]
RELIED = {
    "/api/v1/common/symbols": [
        "symbols[].symbol",
        "symbols[].baseCurrency",
        "symbols[].quoteCurrency",
    ],
    "/api/v1/account/balances": ["balances[].coin", "balances[].free", "balances[].frozen"],
    "/api/v1/trade/fills": _FILL,
    "/api/v1/trade/fillsByOrderId": _FILL,
    "/api/v1/trade/allOrders": [
        "orders[].orderId",
        "orders[].symbol",
        "orders[].createTime",
        "orders[].updateTime",
    ],
    "/api/v1/wallet/balancesFull": ["botAccount.detail[].type", "botAccount.detail[].list"],
    "/api/v1/bot/orders": [
        "nextPageToken",
        "results[].buOrderType",
        "results[].buOrderId",
        "results[].status",
        "results[].base",
        "results[].quote",
        "results[].createTime",
        "results[].closeTime",
    ],
    "/api/v1/bot/orders/spotGrid/order": [
        f"buOrderData.{f}"
        for f in (
            "quoteTotalInvestment",
            "baseTotalInvestment",
            "realizedProfit",
            "gridProfit",
            "profitWithdrawn",
            "totalFeeInQuote",
            "totalFeeInBase",
            "baseAmount",
            "quoteAmount",
        )
    ],
    "/api/v1/bot/orders/futuresGrid/order": [
        f"buOrderData.{f}"
        for f in (
            "quoteInvestment",
            "profitWithdrawn",
            "profitExited",
            "fundingFeePayment",
            "liquidationFee",
        )
    ],
    "/api/v1/bot/orders/smartCopy/order": [
        f"buOrderData.{f}"
        for f in (
            "quoteTotalInvestment",
            "profit",
            "fundingFee",
            "currentQuoteAmount",
            "portfolio[].base",
            "portfolio[].currentBaseAmount",
            "portfolio[].totalFeeInQuote",
            "portfolio[].totalFeeInBase",
        )
    ],
}
KEEP = ("type", "format", "nullable", "enum")


def inline(node: Any, spec: dict[str, Any]) -> Any:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return inline(spec["components"]["schemas"][name], spec)
    out = {k: node[k] for k in KEEP if k in node}
    if "properties" in node:
        out["properties"] = {k: inline(v, spec) for k, v in node["properties"].items()}
    if "items" in node:
        out["items"] = inline(node["items"], spec)
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = inline(node["additionalProperties"], spec)
    return out


def data_schema(spec: dict[str, Any], path: str) -> Any:
    reply = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    for part in reply["schema"]["allOf"]:
        if "data" in part.get("properties", {}):
            return inline(part["properties"]["data"], spec)
    raise SystemExit(f"{path}: no data schema")


def error_schema(spec: dict[str, Any]) -> Any:
    """The envelope of a refusal: ErrorResponse, or the wallet spec's BaseResponse with a code."""
    schemas = spec["components"]["schemas"]
    return inline(schemas.get("ErrorResponse") or schemas["BaseResponse"], spec)


def examples(spec: dict[str, Any], paths: list[str]) -> list[Any]:
    """Every whole example reply the spec gives: 200 replies of our paths and its error replies."""
    found = []
    for path in paths:
        reply = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        if "example" in reply:
            found.append({"path": path, "reply": reply["example"]})
    for name, response in spec["components"].get("responses", {}).items():
        example = response.get("content", {}).get("application/json", {}).get("example")
        if example is not None:
            found.append({"path": None, "response": name, "reply": example})
    return found


def main(root: Path) -> None:
    out: dict[str, Any] = {
        "source": f"pionex-official/pionex-open-api @ {COMMIT}",
        "note": "generated by tests/spec/make_pionex_subset.py; types are the spec's own",
        "errors": {},
        "examples": {},
        "paths": {},
    }
    for file, paths in PATHS.items():
        spec = yaml.safe_load((root / file).read_text())
        out["errors"][file] = error_schema(spec)
        out["examples"][file] = examples(spec, paths)
        for path in paths:
            out["paths"][path] = {
                "file": file,
                "data": data_schema(spec, path),
                "relied": RELIED[path],
            }
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
