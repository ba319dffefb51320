"""A corpus of malformed Pionex exports, built in a temporary folder at test time (no binary junk
is committed). Each case says what the importer must do with it:

- "refused": exit 1, one message naming the file (and the fragments listed), no traceback, and the
  database byte-for-byte as it was;
- "flagged": imported, with the listed review fragment on the offending row;
- "skipped": imported as nothing (an empty or header-only file), reported, nothing inserted;
- "refused or flagged": either of the first two (where both are reasonable designs).
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import (
    DW_HEADER,
    OTHERS_HEADER,
    POSITION_HEADER,
    STAKING_HEADER,
    TRADING_HEADER,
    quoted_csv,
)

EXPORT_DIR = "pionex_txn_2026-03-01_2026-03-31_gen_2026-04-02"
TRADING_V2024_HEADER = (
    "date(UTC+0)",
    "amount",
    "price",
    "order_type",
    "side",
    "symbol",
    "state",
    "fee",
    "strategy_type",
)

TRADE = (
    "2026-03-03 10:00:01",
    "0.01",
    "942.505",
    "94250.5",
    "BUY",
    "BTC_USDT",
    "0.47",
    "USDT",
    "Spot",
    "s_1",
)
OTHER = ("2026-03-04 08:00:00", "USDT", "-0.5", "FundingFee", "BTC_USDT_PERP")
DEPOSIT = ("2026-03-02 09:00:00", "DEPOSIT", "100", "USDT", "TRC20", "0xabc", "0")
STAKE = ("2026-03-05 00:00:00", "0.1", "USDT", "", "", "claimed_profit")
POSITION = (
    "p_1",
    "BTC_USDT_PERP",
    "long",
    "2026-03-06 00:00:00",
    "2026-03-07 00:00:00",
    "1.5",
    "-0.1",
    "0",
)


def with_cell(row: tuple[str, ...], index: int, value: str) -> tuple[str, ...]:
    cells = list(row)
    cells[index] = value
    return tuple(cells)


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]  # writes the file(s) under the folder, returns the import path
    expect: str  # refused | flagged | skipped
    fragments: tuple[str, ...] = ()  # in the error message (refused) or review_reason (flagged)
    bug: str | None = None  # a known bug: the case is a strict xfail until it is fixed


def _csv(
    name: str, header: tuple[str, ...], rows: list[tuple[str, ...]], **kw
) -> Callable[[Path], Path]:  # type: ignore[no-untyped-def]
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(quoted_csv(header, rows, **kw).encode("utf-8"))
        return path

    return build


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def _zip(
    name: str, members: dict[str, bytes], after: Callable[[zipfile.ZipFile], None] | None = None
) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, data in members.items():
                archive.writestr(member, data)
            if after:
                after(archive)
        return path

    return build


def _good_trading() -> bytes:
    return quoted_csv(TRADING_HEADER, [TRADE]).encode()


def _truncated_zip(folder: Path) -> Path:
    whole = _zip("whole.zip", {f"{EXPORT_DIR}/trading.csv": _good_trading() * 50})(folder)
    cut = folder / "truncated.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    whole.unlink()
    return cut


def _corrupt_member_zip(folder: Path) -> Path:
    """A zip whose directory is intact but whose compressed bytes were damaged (bad CRC/inflate)."""
    rows = [with_cell(TRADE, 9, f"s_{i}") for i in range(400)]
    path = _zip(
        "corrupt.zip", {f"{EXPORT_DIR}/trading.csv": quoted_csv(TRADING_HEADER, rows).encode()}
    )(folder)
    data = bytearray(path.read_bytes())
    for offset in range(200, 260):  # inside the deflate stream of the only member
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def _declare_huge(archive: zipfile.ZipFile) -> None:
    # The central directory is written at close from these records: declare 5 GiB unpacked
    # (stored as a zip64 extra field), as a zip bomb would.
    archive.filelist[0].file_size = 5 * 1024**3


def _nested_zip(folder: Path) -> Path:
    inner = _zip("inner.zip", {f"{EXPORT_DIR}/trading.csv": _good_trading()})(folder)
    outer = _zip("outer.zip", {"inner.zip": inner.read_bytes()})(folder)
    inner.unlink()
    return outer


def _random_junk(name: str, size: int, seed: int) -> Callable[[Path], Path]:
    return _bytes(name, random.Random(seed).randbytes(size))


def cases() -> list[Case]:
    trading = "trading.csv"
    return [
        # --- not text, not a zip -------------------------------------------------------------
        Case("binary junk .csv", _random_junk("junk.csv", 4096, 1), "refused", ("junk.csv",)),
        Case("binary junk .zip", _random_junk("junk.zip", 4096, 2), "refused", ("junk.zip", "zip")),
        Case(
            "ELF-like bytes with NUL",
            _bytes("prog.csv", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64),
            "refused",
            ("prog.csv",),
        ),
        Case(
            "NUL byte inside a valid file",
            _bytes(trading, _good_trading().replace(b"BTC_USDT", b"BTC\x00USDT")),
            "refused",
            ("trading.csv", "NUL"),
        ),
        Case("junk .xlsx", _random_junk("book.xlsx", 2048, 3), "refused", ("book.xlsx", "xlsx")),
        # --- wrong encodings ----------------------------------------------------------------------
        Case(
            "latin-1 text",
            _bytes(
                "others.csv",
                quoted_csv(OTHERS_HEADER, [with_cell(OTHER, 4, "Café")]).encode("latin-1"),
            ),
            "refused",
            ("others.csv", "line 2", "not UTF-8"),
        ),
        Case(
            "UTF-16 with BOM",
            _bytes(trading, quoted_csv(TRADING_HEADER, [TRADE]).encode("utf-16")),
            "refused",
            ("trading.csv",),
        ),
        # --- broken zips --------------------------------------------------------------------------
        Case("truncated zip", _truncated_zip, "refused", ("truncated.zip",)),
        Case(
            "zip with a damaged member",
            _corrupt_member_zip,
            "refused",
            ("corrupt.zip", "trading.csv"),
        ),
        Case(
            "zip bomb-like declared size",
            _zip("bomb.zip", {f"{EXPORT_DIR}/trading.csv": _good_trading()}, _declare_huge),
            "refused",
            ("bomb.zip", "5,368,709,120 bytes"),
        ),
        Case(
            "zip holding only a nested zip",
            _nested_zip,
            "refused",
            ("outer.zip", "no export files"),
        ),
        Case(
            "zip with no export files",
            _zip("readme.zip", {"README.txt": b"hello"}),
            "refused",
            ("readme.zip", "no export files"),
        ),
        Case("empty zip archive", _zip("nothing.zip", {}), "refused", ("nothing.zip",)),
        # --- layout problems -----------------------------------------------------------------------
        Case(
            "missing column",
            _csv(trading, TRADING_HEADER[:-1], [TRADE[:-1]]),
            "refused",
            ("trading.csv", "line 1", "not a Pionex export"),
        ),
        Case(
            "extra column",
            _csv(trading, (*TRADING_HEADER, "surprise"), [(*TRADE, "x")]),
            "refused or flagged",
        ),
        Case(
            "semicolon-separated (a European spreadsheet re-save)",
            _bytes(trading, _good_trading().replace(b'","', b'";"')),
            "refused",
            ("trading.csv", "not a Pionex export"),
        ),
        Case(
            "a thousand columns",
            _csv("wide.csv", tuple(f"col{i}" for i in range(1000)), [tuple("1" * 1000)]),
            "refused",
            ("wide.csv", "not a Pionex export"),
        ),
        Case(
            "duplicated header columns",
            _csv(trading, (*TRADING_HEADER[:5], *TRADING_HEADER[:5]), [TRADE]),
            "refused",
            ("trading.csv", "not a Pionex export"),
        ),
        Case(
            "truncated row",
            _bytes(trading, _good_trading() + b'"2026-03-03 10:00:02","0.01","942.5"\n'),
            "refused",
            ("trading.csv", "line 3", "truncated"),
        ),
        Case(
            "row with extra fields",
            _csv(trading, TRADING_HEADER, [TRADE, (*TRADE, "x", "y")]),
            "refused",
            ("trading.csv", "line 3", "extra fields"),
        ),
        Case(
            "unbalanced quote",
            _bytes(
                trading,
                _good_trading()
                + b'"2026-03-03 10:00:02,"0.01","1","100","BUY","BTC_USDT","0","USDT","Spot","s"\n',
            ),
            "refused",
            ("trading.csv",),
        ),
        Case(
            "two exports concatenated (header again mid-file)",
            _bytes(trading, _good_trading() + _good_trading()),
            "refused",
            ("trading.csv", "line 3", "date-time"),
        ),
        # --- impossible values --------------------------------------------------------------------
        Case(
            "impossible date 2024-11-31",
            _csv(trading, TRADING_HEADER, [with_cell(TRADE, 0, "2024-11-31 00:04:25")]),
            "refused",
            ("trading.csv", "line 2", "date(UTC+0)", "2024-11-31 00:04:25"),
        ),
        Case(
            "29 February of a common year",
            _csv("deposit-withdraw.csv", DW_HEADER, [with_cell(DEPOSIT, 0, "2025-02-29 12:00:00")]),
            "refused",
            ("deposit-withdraw.csv", "line 2", "2025-02-29"),
        ),
        Case(
            "hour 25",
            _csv("others.csv", OTHERS_HEADER, [OTHER, with_cell(OTHER, 0, "2026-03-04 25:00:00")]),
            "refused",
            ("others.csv", "line 3", "25:00:00"),
        ),
        Case(
            "thousands separator",
            _csv(trading, TRADING_HEADER, [with_cell(TRADE, 2, "1,942.50")]),
            "refused",
            ("trading.csv", "column 'amount'", "1,942.50"),
        ),
        Case(
            "number too large for DECIMAL(38,18)",
            _csv(trading, TRADING_HEADER, [with_cell(TRADE, 1, "9" * 25)]),
            "refused",
            ("trading.csv", "column 'executed_qty'"),
        ),
        Case(
            "NaN amount",
            _csv("others.csv", OTHERS_HEADER, [with_cell(OTHER, 2, "NaN")]),
            "refused",
            ("others.csv", "column 'amount'", "NaN"),
        ),
        Case(
            "Infinity price",
            _csv(trading, TRADING_HEADER, [with_cell(TRADE, 3, "Infinity")]),
            "refused",
            ("trading.csv", "column 'price'"),
        ),
        Case(
            "formula in a number column",
            _csv(trading, TRADING_HEADER, [with_cell(TRADE, 2, "=1+1")]),
            "refused",
            ("trading.csv", "column 'amount'", "=1+1"),
        ),
        Case(
            "empty required cell",
            _csv("position_futures.csv", POSITION_HEADER, [with_cell(POSITION, 5, "")]),
            "refused",
            ("position_futures.csv", "line 2", "column 'pnl'", "empty"),
        ),
        Case(
            "huge field",
            _csv("others.csv", OTHERS_HEADER, [with_cell(OTHER, 2, "1" + "0" * 2_000_000)]),
            "refused",
            ("others.csv", "column 'amount'"),
        ),
        Case(
            "huge text field",
            _csv("others.csv", OTHERS_HEADER, [with_cell(OTHER, 4, "x" * 5_000_000)]),
            "refused",
            ("others.csv", "line 2", "column 'comment'", "5,000,000 characters"),
        ),
        # --- a coin or symbol that is no ticker (issue 15, defect 7) ----------------------------------
        Case(
            "formula-looking symbol",
            _csv(
                trading,
                TRADING_HEADER,
                [with_cell(TRADE, 5, '=HYPERLINK("http://evil.example","x")')],
            ),
            "refused",
            ("trading.csv", "line 2", "column 'symbol'", "=HYPERLINK", "Pionex symbol"),
        ),
        Case(
            "stray quote in the symbol",
            _bytes(
                trading,
                _good_trading()
                + b'"2026-03-03 10:00:02","0.01","1","100","BUY",ETH_USDT","0","USDT","Spot","s"\n',
            ),
            "refused",
            ("trading.csv", "line 3", "column 'symbol'", 'ETH_USDT"', "Pionex symbol"),
        ),
        Case(
            "a date in the coin column of others.csv",
            _csv("others.csv", OTHERS_HEADER, [OTHER, with_cell(OTHER, 1, "2025-13-01 00:00:00")]),
            "refused",
            ("others.csv", "line 3", "column 'coin'", "2025-13-01 00:00:00", "coin ticker"),
        ),
        Case(
            "a number in the coin column of deposit-withdraw.csv",
            _csv("deposit-withdraw.csv", DW_HEADER, [with_cell(DEPOSIT, 3, "100")]),
            "refused",
            ("deposit-withdraw.csv", "line 2", "column 'coin'", "'100'", "coin ticker"),
        ),
        Case(
            "a sentence as the fee coin",
            _csv(trading, TRADING_HEADER, [with_cell(TRADE, 7, "USDT (rebate)")]),
            "refused",
            ("trading.csv", "line 2", "column 'fee_coin'", "USDT (rebate)"),
        ),
        # --- huge values (issue 15, defect 2) ---------------------------------------------------------
        Case(
            "2024 layout: amount / price of 10^20 or more",
            _csv(
                trading,
                TRADING_V2024_HEADER,
                [
                    (
                        "2024-11-30 00:04:25",
                        "1000000",
                        "0.00000000000001",
                        "LIMIT",
                        "BUY",
                        "SOL_USDT",
                        "FILLED",
                        "0.002",
                        "",
                    )
                ],
            ),
            "flagged",
            ("10^20 or more", "base side not booked"),
        ),
        Case(
            "a coin's movements add up past 10^20",
            _csv(
                "others.csv",
                OTHERS_HEADER,
                [with_cell(with_cell(OTHER, 2, "60000000000000000000"), 3, "CommissionIn")] * 2,
            ),
            "refused",
            ("others.csv", "line 3", "column 'amount'", "60000000000000000000", "10^20"),
        ),
        # --- kept and flagged, never dropped --------------------------------------------------------
        Case(
            "negative quantity in a fill",
            _csv(trading, TRADING_HEADER, [with_cell(TRADE, 1, "-0.01")]),
            "flagged",
            ("negative",),
        ),
        Case(
            "negative amount in a fill",
            _csv(trading, TRADING_HEADER, [with_cell(TRADE, 2, "-942.505")]),
            "flagged",
            ("negative",),
        ),
        Case(
            "negative withdrawal fee",
            _csv(
                "deposit-withdraw.csv",
                DW_HEADER,
                [with_cell(with_cell(DEPOSIT, 1, "WITHDRAW"), 6, "-1")],
            ),
            "flagged",
            ("negative amount or fee",),
        ),
        Case(
            "symbol without an underscore",
            _csv(trading, TRADING_HEADER, [with_cell(TRADE, 5, "BTCUSDT")]),
            "flagged",
            ("symbol is not BASE_QUOTE",),
        ),
        Case(
            "SQL in a text cell",
            _csv(
                trading, TRADING_HEADER, [with_cell(TRADE, 4, "BUY'); DROP TABLE transactions; --")]
            ),
            "flagged",
            ("unknown side",),
        ),
        Case(
            "formula-looking others.csv tag",
            _csv("others.csv", OTHERS_HEADER, [with_cell(OTHER, 3, "@SUM(A1:A9)")]),
            "flagged",
            ("unknown others.csv tag @SUM(A1:A9)",),
        ),
        Case(
            "more than 18 decimals",
            _csv(trading, TRADING_HEADER, [with_cell(TRADE, 6, "0.0000000000000000001")]),
            "flagged",
            ("18",),
        ),
        Case(
            "unknown staking tag",
            _csv("staking.csv", STAKING_HEADER, [with_cell(STAKE, 5, "+cmd|' /C calc'!A0")]),
            "flagged",
            ("unknown staking.csv tag",),
        ),
        Case(
            "unknown position side",
            _csv("position_futures.csv", POSITION_HEADER, [with_cell(POSITION, 2, "-sideways")]),
            "flagged",
            ("unknown position_side",),
        ),
        # --- nothing to import -----------------------------------------------------------------------
        # Given alone, an empty file is the wrong file (inside an export zip it is skipped).
        Case(
            "zero-byte file",
            _bytes(trading, b""),
            "refused",
            ("trading.csv", "not a Pionex export", "empty"),
        ),
        Case(
            "only a BOM and blank lines",
            _bytes(trading, b"\xef\xbb\xbf\n\n\r\n"),
            "refused",
            ("trading.csv", "not a Pionex export"),
        ),
        Case("header only", _csv(trading, TRADING_HEADER, []), "skipped"),
    ]


# A member whose name climbs out of the archive, and one with an absolute path: nothing may be
# written outside, and the rows are imported (read from memory) or refused as a whole.
TRAVERSAL_MEMBERS = ("../../escaped/trading.csv", "/tmp/pionex-export-absolute/trading.csv")
