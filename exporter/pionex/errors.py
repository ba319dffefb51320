"""Typed API errors a caller can act on: stop (auth), skip (symbol), retry later (network), fix code."""

from __future__ import annotations

from exporter.errors import UserError


class ApiError(UserError):
    """Pionex answered `result: false` (or could not be reached). Never carries credentials."""

    def __init__(self, message: str, *, code: str | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.path = path


class ReadOnlyViolation(ApiError):
    """A non-GET method or a path outside the read allow-list was asked for; nothing was sent."""


class AuthError(ApiError):
    """The key, signature, IP allow-list or permissions were refused: the user must act."""


class ClockError(AuthError):
    """The server kept refusing our timestamp even after resyncing the clock from its replies."""


class RouteMissingError(ApiError):
    """HTTP 404: this host has no such route (e.g. a venue without the wallet or bot API)."""


class InvalidSymbolError(ApiError):
    """The pair is unknown to the server (e.g. a guessed or long-delisted pair): skip and note it."""


class NetworkError(ApiError):
    """5xx, timeouts, dropped connections or broken bodies persisted through every retry."""


class RemoteError(ApiError):
    """Any other `result: false` reply (parameter errors, unknown codes)."""


# One actionable sentence per auth code (docs section 3.2); both spellings of INVALID_APIKEY.
AUTH_HINTS = {
    "INVALID_SIGNATURE": "Pionex rejected the request signature: check that PIONEX_API_SECRET is the secret belonging to this API key (no extra spaces or quotes).",
    "INVALID_APIKEY": "Pionex does not recognise this API key: copy the key again from Pionex > API Management, or create a new read-only key.",
    "INVALIE_APIKEY": "Pionex does not recognise this API key: copy the key again from Pionex > API Management, or create a new read-only key.",
    "APIKEY_LOST": "No API key reached Pionex: set PIONEX_API_KEY (or the credentials file) to your read-only key.",
    "SIGNATURE_LOST": "The request signature was missing: set PIONEX_API_SECRET (or the credentials file) to your key's secret.",
    "APIKEY_EXPIRED": "This API key has expired: create a new key with only 'Enable reading' and 'Bot reading' in Pionex > API Management.",
    "IP_NOT_WHITELISTED": "This API key is bound to other IP addresses: add this machine's public IP to the key's allow-list in Pionex > API Management.",
    "PERMISSION_DENIED": "This API key lacks a read permission: edit it in Pionex > API Management and tick 'Enable reading' and 'Bot reading' (never trading or withdrawal).",
    # The wallet spec's failure example (HTTP 401): its message says key or signature.
    "UNAUTHORIZED": "Pionex refused the API key or its signature: check PIONEX_API_KEY and PIONEX_API_SECRET (copy them again from Pionex > API Management).",
}

# The permission each spec names for a path we read ("API Key Permissions" in openapi.yaml,
# openapi_wallet.yaml and openapi_bot.yaml at b8c63d29).
_WALLET_PERMISSION = "Trade reading"
_BOT_PERMISSION = "Bot reading"
_READ_PERMISSION = "Enable reading"


def permission_for(path: str) -> str:
    if path.startswith("/api/v1/wallet/"):
        return _WALLET_PERMISSION
    if path.startswith("/api/v1/bot/"):
        return _BOT_PERMISSION
    return _READ_PERMISSION


def _permission_hint(path: str) -> str:
    permission = permission_for(path)
    return (
        f"This API key lacks the '{permission}' permission that {path} needs: edit it in Pionex "
        f"> API Management and tick '{permission}' (reading only, never trading or withdrawal)."
    )


INVALID_SYMBOL_CODES = frozenset(
    {"MARKET_INVALID_SYMBOL", "TRADE_INVALID_SYMBOL", "TRADE_INVAILD_SYMBOL"}
)


def error_for(code: str | None, message: str, path: str) -> ApiError:
    """Map a `result: false` envelope to its typed error."""
    if code == "PERMISSION_DENIED":
        return AuthError(f"{_permission_hint(path)} (code {code})", code=code, path=path)
    if code in AUTH_HINTS:
        return AuthError(f"{AUTH_HINTS[code]} (code {code})", code=code, path=path)
    if code in INVALID_SYMBOL_CODES:
        return InvalidSymbolError(
            f"{path}: unknown symbol ({code}: {message})", code=code, path=path
        )
    return RemoteError(f"{path}: Pionex error {code}: {message}", code=code, path=path)
