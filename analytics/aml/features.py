"""Columnar transaction batches and the typology features of suspicious-transaction reports.

A :class:`Batch` holds every transaction of every report in flat numpy columns (``t_*``)
plus per-report columns, so 100,000 reports (about a million transactions) are featurised
with a handful of vectorised passes instead of a Python loop per report.

Features (one row per report, see :data:`FEATURES`) follow the typologies in the FATF and
FinCEN guidance: structuring just under reporting thresholds, rapid pass-through, round
amounts, fan-in / fan-out, high-risk jurisdictions, dormant accounts that wake up, and the
same parties recurring across reports or appearing in past confirmed cases.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

CHANNELS = ("cash", "wire", "card", "crypto", "ach", "cheque", "other")
CHANNEL_CODE = {c: i for i, c in enumerate(CHANNELS)}
CASH, CRYPTO = CHANNEL_CODE["cash"], CHANNEL_CODE["crypto"]

# Reporting thresholds in the transaction's own currency (cash transaction reports), and the
# unit that makes an amount look "round" in it. Other currencies use the USD figures.
THRESHOLD = {"USD": 10_000.0, "EUR": 10_000.0, "GBP": 10_000.0, "JPY": 2_000_000.0, "CAD": 10_000.0,
             "AUD": 10_000.0}
ROUND_UNIT = {"JPY": 100_000.0}
TO_USD = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067, "CAD": 0.73, "AUD": 0.66, "CHF": 1.12,
          "CNY": 0.14, "AED": 0.27, "HKD": 0.13, "SGD": 0.74}
# FATF "call for action" and "increased monitoring" jurisdictions (2024 lists, ISO 3166-1);
# a deployment replaces this set with its own current list.
HIGH_RISK = frozenset({"KP", "IR", "MM", "BG", "BF", "CM", "HR", "CD", "HT", "KE", "ML", "MC", "MZ", "NA",
                       "NG", "PH", "SN", "ZA", "SS", "SY", "TZ", "VE", "VN", "YE"})
RED_FLAG_WORDS = ("structur", "below threshold", "just under", "smurf", "shell", "nominee", "mule",
                  "layering", "pass-through", "pass through", "offshore", "no apparent", "unexplained",
                  "third party", "third-party", "cash-intensive", "dormant", "sudden", "rapid", "crypto")
PASS_THROUGH_HOURS = 48.0
DORMANT_DAYS = 180.0

FEATURES: tuple[str, ...] = (
    "n_transactions", "total_amount", "structuring_count", "structuring_share", "pass_through",
    "round_share", "fan_in", "fan_out", "high_risk_share", "dormant_wake", "recurring_parties",
    "known_parties", "cash_share", "crypto_share", "text_flags", "velocity",
)


@dataclass
class Batch:
    """Reports as flat columns. ``t_rep[i]`` is the report index of transaction ``i``."""

    report_ids: list[str]
    t_rep: np.ndarray  # int64
    t_amount: np.ndarray  # float64, in the transaction's currency
    t_usd: np.ndarray  # float64
    t_threshold: np.ndarray  # float64, reporting threshold in the transaction's currency
    t_round_unit: np.ndarray  # float64
    t_hours: np.ndarray  # float64, hours since the Unix epoch
    t_channel: np.ndarray  # int8 code into CHANNELS
    t_in: np.ndarray  # bool, True for money into the reported account
    t_cp: np.ndarray  # int64 counterparty code (per batch)
    t_high_risk: np.ndarray  # bool
    dormancy_days: np.ndarray  # float64 per report: longest silence before the first transaction
    p_rep: np.ndarray  # int64 report index of each (report, party) pair
    p_party: np.ndarray  # int64 party code into party_vocab
    party_vocab: list[str]
    text_flags: np.ndarray  # float64 per report
    # The account and counterparty of each transaction as codes into one vocabulary of
    # account names (``node_vocab``), for the transaction graph; None when not known.
    t_acct: np.ndarray | None = None
    node_vocab: list[str] | None = None

    @property
    def n_reports(self) -> int:
        """How many reports the batch holds."""
        return len(self.report_ids)


def currency_columns(currencies: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-transaction (rate to USD, threshold, round unit) for an array of ISO currency codes."""
    uniq, inv = np.unique(currencies, return_inverse=True)
    rate = np.array([TO_USD.get(str(c), 1.0) for c in uniq])[inv]
    thr = np.array([THRESHOLD.get(str(c), 10_000.0 / TO_USD.get(str(c), 1.0)) for c in uniq])[inv]
    unit = np.array([ROUND_UNIT.get(str(c), 1_000.0) for c in uniq])[inv]
    return rate, thr, unit


def text_flag_count(text: str) -> int:
    """How many red-flag phrases the report's free text holds."""
    low = text.lower()
    return sum(w in low for w in RED_FLAG_WORDS)


def _per_report(values: np.ndarray, rep: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(rep, weights=values.astype(np.float64), minlength=n)


def _distinct_per_report(rep: np.ndarray, code: np.ndarray, n: int) -> np.ndarray:
    if rep.size == 0:
        return np.zeros(n)
    pairs = np.unique(rep.astype(np.int64) * (int(code.max()) + 1) + code.astype(np.int64))
    return np.bincount(pairs // (int(code.max()) + 1), minlength=n).astype(np.float64)


def features(batch: Batch, *, known_parties: Iterable[str] = ()) -> np.ndarray:
    """The ``(n_reports, len(FEATURES))`` float32 feature matrix of ``batch``."""
    n = batch.n_reports
    rep = batch.t_rep
    ones = np.ones(rep.size)
    n_txn = _per_report(ones, rep, n)
    safe_n = np.maximum(n_txn, 1.0)
    total = _per_report(batch.t_usd, rep, n)
    cash = batch.t_channel == CASH
    just_under = cash & batch.t_in & (batch.t_amount >= 0.8 * batch.t_threshold) & (
        batch.t_amount < batch.t_threshold)
    structuring = _per_report(just_under, rep, n)
    n_cash = _per_report(cash, rep, n)
    # Pass-through: money out within PASS_THROUGH_HOURS after the first money in.
    inflow = _per_report(np.where(batch.t_in, batch.t_usd, 0.0), rep, n)
    first_in = np.full(n, np.inf)
    np.minimum.at(first_in, rep[batch.t_in], batch.t_hours[batch.t_in])
    lag = batch.t_hours - first_in[rep]
    quick_out = ~batch.t_in & (lag >= 0) & (lag <= PASS_THROUGH_HOURS)
    out_quick = _per_report(np.where(quick_out, batch.t_usd, 0.0), rep, n)
    pass_through = np.minimum(out_quick / np.maximum(inflow, 1.0), 1.0)
    rounded = (batch.t_amount >= batch.t_round_unit) & (np.mod(batch.t_amount, batch.t_round_unit) == 0)
    round_share = _per_report(rounded, rep, n) / safe_n
    fan_in = _distinct_per_report(rep[batch.t_in], batch.t_cp[batch.t_in], n)
    fan_out = _distinct_per_report(rep[~batch.t_in], batch.t_cp[~batch.t_in], n)
    high_risk = _per_report(np.where(batch.t_high_risk, batch.t_usd, 0.0), rep, n) / np.maximum(total, 1.0)
    t_min = np.full(n, np.inf)
    t_max = np.full(n, -np.inf)
    np.minimum.at(t_min, rep, batch.t_hours)
    np.maximum.at(t_max, rep, batch.t_hours)
    span_days = np.where(n_txn > 0, (t_max - t_min) / 24.0, 0.0)
    # Parties: how many OTHER reports in this batch share a party, and parties already seen
    # in confirmed past cases.
    party_reports = np.bincount(batch.p_party, minlength=len(batch.party_vocab))
    recurring = _per_report(np.maximum(party_reports[batch.p_party] - 1, 0), batch.p_rep, n)
    known = set(known_parties)
    vocab = batch.party_vocab
    vocab_known = np.fromiter((p in known for p in vocab), dtype=bool, count=len(vocab))
    known_count = _per_report(vocab_known[batch.p_party], batch.p_rep, n)
    x = np.column_stack([
        np.log1p(n_txn),
        np.log1p(total),
        np.log1p(structuring),
        structuring / np.maximum(n_cash, 1.0),
        pass_through,
        round_share,
        np.log1p(fan_in),
        np.log1p(fan_out),
        high_risk,
        np.log1p(np.where(batch.dormancy_days >= DORMANT_DAYS, batch.dormancy_days, 0.0)),
        np.log1p(recurring),
        np.log1p(known_count),
        n_cash / safe_n,
        _per_report(batch.t_channel == CRYPTO, rep, n) / safe_n,
        batch.text_flags,
        n_txn / np.maximum(span_days, 1.0),
    ])
    return np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)


def rules_score(x: np.ndarray) -> np.ndarray:
    """Rules-only baseline: how many typology rules fire, as a 0-1 score (the benchmark's yardstick)."""
    f = {name: x[:, i] for i, name in enumerate(FEATURES)}
    fired = (
        (f["structuring_count"] >= np.log1p(2)).astype(np.float32)
        + (f["pass_through"] >= 0.7)
        + (f["round_share"] >= 0.5)
        + ((f["fan_in"] >= np.log1p(8)) | (f["fan_out"] >= np.log1p(8)))
        + (f["high_risk_share"] >= 0.3)
        + (f["dormant_wake"] > 0)
        + (f["recurring_parties"] > 0)
    )
    return np.asarray(fired / 7.0, dtype=np.float64)
