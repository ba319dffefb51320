"""Pionex request signing: the exact prehash string and its lowercase-hex HMAC-SHA256.

Per Pionex's official API spec (github.com/pionex-official/pionex-open-api, Authentication): raw (un-encoded) `key=value` pairs sorted by key in byte order,
`METHOD + path + "?" + query`, plus the JSON body for POST/DELETE only. The query sent on the
wire is the signed string itself, byte for byte, so the server verifies what we signed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

_BODY_METHODS = frozenset({"POST", "DELETE"})


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        # Lists go as one comma-joined value, never as repeated keys (docs 2.2).
        return ",".join(_text(item) for item in value)
    return str(value)


def canonical_query(params: Mapping[str, object]) -> str:
    """`k=v&...` with None dropped, raw values, keys sorted by byte order (A-Z before a-z)."""
    pairs = sorted(
        ((key, _text(value)) for key, value in params.items() if value is not None),
        key=lambda pair: pair[0].encode("utf-8"),
    )
    return "&".join(f"{key}={value}" for key, value in pairs)


def prehash(method: str, path: str, params: Mapping[str, object], body: str | None = None) -> str:
    """The exact string that is signed. A body is appended for POST/DELETE only, ignored for GET."""
    method = method.upper()
    text = f"{method}{path}?{canonical_query(params)}"
    if body is not None and method in _BODY_METHODS:
        text += body
    return text


def hmac_hex(secret: str, message: str) -> str:
    """Lowercase hex HMAC-SHA256 of `message` keyed by `secret` (both UTF-8)."""
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def sign(
    secret: str, method: str, path: str, params: Mapping[str, object], body: str | None = None
) -> tuple[str, str]:
    """Return (query string to send, PIONEX-SIGNATURE) for one request."""
    return canonical_query(params), hmac_hex(secret, prehash(method, path, params, body))
