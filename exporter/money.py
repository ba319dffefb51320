"""How money is stored, defined once: every amount is DECIMAL(38,18), up to 20 integer digits and
18 decimals (Pionex quotes at most 18; a value with more is flagged, see sources/typed.py).

A product of two such amounts would need scale 36 and overflows at 10 x 10: code that multiplies
sizes its operands on purpose (normalize/api_fills.py) instead of using MONEY_SQL for both."""

from __future__ import annotations

import polars as pl

MAX_SCALE = 18
MONEY_SQL = f"DECIMAL(38,{MAX_SCALE})"
MONEY_POLARS = pl.Decimal(38, MAX_SCALE)
