"""Each tax tool's reading of our files, written from that tool's documented semantics
(the tools' import help pages cited beside each writer's mapping, BittyTax's README), never from our writers.

A reader returns the per-asset net the tool's balances would show after importing the file, and
fails on any row the tool would refuse or misread: a number that is not a plain positive decimal,
an asset named without an amount (or an amount without an asset), a row that moves nothing, or a
label whose meaning (incoming, outgoing, trade) contradicts the columns filled. Labels are known by
what they mean in the tool's own vocabulary, not by which one our writer happens to choose, so
choosing another label of the same meaning does not break a reader.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

PLAIN = re.compile(r"\d+(\.\d+)?")
# The meaning of a row, from the columns it fills.
TRADE, IN, OUT = "trade", "in", "out"


@dataclass(frozen=True)
class Labels:
    """A tool's label vocabulary by meaning. `blank` lists the shapes an empty label may have."""

    trade: frozenset[str]
    incoming: frozenset[str]
    outgoing: frozenset[str]
    either: frozenset[str] = frozenset()  # labels valid on an incoming or an outgoing row
    blank: frozenset[str] = frozenset({TRADE})
    case_sensitive: bool = True

    def allows(self, label: str, shape: str) -> bool:
        if not label:
            return shape in self.blank
        if self._has(self.trade, label):
            return shape == TRADE
        if self._has(self.incoming, label):
            return shape == IN
        if self._has(self.outgoing, label):
            return shape == OUT
        return self._has(self.either, label) and shape in (IN, OUT)

    def _has(self, vocabulary: frozenset[str], label: str) -> bool:
        if self.case_sensitive:
            return label in vocabulary
        return label.lower() in {known.lower() for known in vocabulary}


@dataclass(frozen=True)
class Reader:
    """Which columns a tool reads as received (+), sent (-) and a deducted fee (-)."""

    name: str
    received: tuple[str, str]  # (amount column, asset column)
    sent: tuple[str, str]
    fee: tuple[str, str] | None  # None: the tool's fee field moves no balance
    label: str
    labels: Labels
    max_places: int | None = None

    def nets(self, path: Path) -> dict[str, Decimal]:
        """Per-asset net of every row, as the tool books it (zero nets left out)."""
        nets: dict[str, Decimal] = {}
        with localcontext() as exact:
            exact.prec = 80  # sums of 20.18-digit amounts need more than the default 28 digits
            for line, row in _rows(path):
                for asset, amount in self.movements(line, row):
                    nets[asset] = nets.get(asset, Decimal(0)) + amount
        return {asset: net for asset, net in nets.items() if net}

    def movements(self, line: int, row: dict[str, str]) -> Iterable[tuple[str, Decimal]]:
        where = f"{self.name} line {line}: {row}"
        received = self._side(row, self.received, where)
        sent = self._side(row, self.sent, where)
        fee = self._side(row, self.fee, where) if self.fee else None
        assert received or sent, f"{where}: a row that moves nothing but a fee"
        shape = TRADE if received and sent else IN if received else OUT
        label = row[self.label]
        assert self.labels.allows(label, shape), f"{where}: label {label!r} on a {shape} row"
        if received:
            yield received[0], received[1]
        if sent:
            yield sent[0], -sent[1]
        if fee:
            yield fee[0], -fee[1]

    def _side(
        self, row: dict[str, str], columns: tuple[str, str], where: str
    ) -> tuple[str, Decimal] | None:
        amount_cell, asset = row[columns[0]], row[columns[1]]
        assert bool(amount_cell) == bool(asset), f"{where}: {columns} half filled"
        if not amount_cell:
            return None
        assert PLAIN.fullmatch(amount_cell), f"{where}: {amount_cell!r} is not a plain decimal"
        amount = Decimal(amount_cell)
        assert amount > 0, f"{where}: a zero amount is an empty cell, never 0"
        if self.max_places is not None:
            assert -amount.as_tuple().exponent <= self.max_places, f"{where}: too many places"
        return asset, amount


def _rows(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def _set(*labels: str) -> frozenset[str]:
    return frozenset(labels)


# CoinLedger (B.1): both sides filled and Type blank is a trade; one-sided rows need a Type. The
# fee is a disposal of the fee asset on top of the amounts.
COINLEDGER = Reader(
    "coinledger",
    ("Amount Received", "Asset Received"),
    ("Amount Sent", "Asset Sent"),
    ("Fee Amount (Optional)", "Fee Currency (Optional)"),
    "Type",
    Labels(
        trade=_set(),
        incoming=_set(
            "Deposit", "Income", "Interest", "Staking", "Mining", "Airdrop", "Gift Received",
            "Hard Fork",
        ),
        outgoing=_set(
            "Withdrawal", "Merchant Payment", "Gift Sent", "Interest Payment", "Investment Loss",
            "Theft Loss", "Casualty Loss",
        ),
    ),
)  # fmt: skip

# Koinly Universal (B.2): direction by column; trades and transfers carry no label; the fee is
# deducted on top of the sent amount.
KOINLY = Reader(
    "koinly",
    ("Received Amount", "Received Currency"),
    ("Sent Amount", "Sent Currency"),
    ("Fee Amount", "Fee Currency"),
    "Label",
    Labels(
        trade=_set("swap"),
        incoming=_set(
            "airdrop", "fork", "mining", "reward", "income", "other income", "loan interest",
            "staking",
        ),
        outgoing=_set("gift", "donation", "lost", "cost", "interest payment", "margin fee"),
        either=_set("realized gain", "funding fee"),
        blank=_set(TRADE, IN, OUT),
        case_sensitive=False,
    ),
)  # fmt: skip

# CoinTracker (B.3): an untagged receive or send is a transfer/income/disposal; tags say more.
COINTRACKER = Reader(
    "cointracker",
    ("Received Quantity", "Received Currency"),
    ("Sent Quantity", "Sent Currency"),
    ("Fee Amount", "Fee Currency"),
    "Tag",
    Labels(
        trade=_set(),
        incoming=_set(
            "staking", "airdrop", "fork", "mined", "interest", "margin gain", "margin rebate",
            "income",
        ),
        outgoing=_set("payment", "gift", "donation", "lost", "margin fee", "margin loss"),
        blank=_set(TRADE, IN, OUT),
        case_sensitive=False,
    ),
)  # fmt: skip

# CoinTracking (B.4): balances move by Buy and Sell only; the Fee field is informational, so a
# fee must already be folded into Buy/Sell or stand on its own `Other Fee` row.
COINTRACKING = Reader(
    "cointracking",
    ("Buy Amount", "Buy Currency"),
    ("Sell Amount", "Sell Currency"),
    None,
    "Type",
    Labels(
        trade=_set("Trade"),
        incoming=_set(
            "Deposit", "Income", "Gift / Tip", "Reward / Bonus", "Staking", "Mining", "Airdrop",
            "Income (non taxable)", "Masternode", "Mining (commercial)", "Minting",
            "Dividends Income", "Interest Income", "Lending Income", "Other Income",
            "Airdrop (non taxable)", "Margin Profit", "Derivatives / Futures Profit",
            "Receive LP Token",
        ),
        outgoing=_set(
            "Withdrawal", "Spend", "Donation", "Gift", "Stolen / Hacked / Fraud", "Lost",
            "Other Fee", "Expense (non taxable)", "Borrowing Fee", "Other Expense", "Margin Loss",
            "Margin Fee", "Derivatives / Futures Loss", "Return LP Token",
        ),
        blank=_set(),
    ),
)  # fmt: skip

# TurboTax universal crypto CSV (B.5): no negative numbers, at most 8 places; the fee is deducted.
TURBOTAX = Reader(
    "turbotax",
    ("Received Amount", "Received Asset"),
    ("Sent Amount", "Sent Asset"),
    ("Fee Amount", "Fee Asset"),
    "Type",
    Labels(
        trade=_set("Buy", "Sale", "Convert"),
        incoming=_set("Income", "Deposit", "Mining", "Airdrop", "Forking", "Staking", "Rewards"),
        outgoing=_set("Expense", "Withdrawal"),
        either=_set("Transfer", "Other"),
        blank=_set(),
        case_sensitive=False,
    ),
    max_places=8,
)

# BittyTax transaction records (its README, "Transaction Records" and the audit log): Buy is
# added, Sell subtracted, and the fee subtracted on its own; each type fixes which sides it has.
BITTYTAX = Reader(
    "bittytax",
    ("Buy Quantity", "Buy Asset"),
    ("Sell Quantity", "Sell Asset"),
    ("Fee Quantity", "Fee Asset"),
    "Type",
    Labels(
        trade=_set("Trade"),
        incoming=_set(
            "Deposit", "Mining", "Staking", "Interest", "Dividend", "Income", "Gift-Received",
            "Airdrop", "Referral", "Fee-Rebate", "Margin-Gain", "Margin-Fee-Rebate",
        ),
        outgoing=_set(
            "Withdrawal", "Spend", "Gift-Sent", "Gift-Spouse", "Charity-Sent", "Lost",
            "Margin-Loss", "Margin-Fee",
        ),
        blank=_set(),
    ),
)  # fmt: skip

READERS: dict[str, Reader] = {
    r.name: r for r in (COINLEDGER, KOINLY, COINTRACKER, COINTRACKING, TURBOTAX, BITTYTAX)
}
# Formats that are not sent/received/fee CSV files: proved by their own tests (test_exactness.py,
# test_rp2.py, where rp2 itself reads its export).
NOT_FLOW_FILES = {"xlsx", "parquet", "rp2"}

LedgerRows = Iterable[tuple[str, Decimal]]


def expected_nets(fmt: str, ledger: LedgerRows) -> dict[str, Decimal]:
    """What the tool must show per asset: SUM(amount) of the ledger, exactly; for TurboTax each
    ledger movement rounded on its own to 8 places, half away from zero (its documented rule)."""
    shape: Callable[[Decimal], Decimal] = (
        _rounded_8 if fmt == TURBOTAX.name else (lambda amount: amount)
    )
    nets: dict[str, Decimal] = {}
    with localcontext() as exact:
        exact.prec = 80
        for asset, amount in ledger:
            nets[asset] = nets.get(asset, Decimal(0)) + shape(Decimal(amount))
    return {asset: net for asset, net in nets.items() if net}


def _rounded_8(amount: Decimal) -> Decimal:
    rounded = abs(amount).quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP)
    return rounded if amount > 0 else -rounded
