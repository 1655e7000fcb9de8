"""Synthetic suspicious-transaction reports with planted laundering typologies.

The generator is vectorised and seeded: ``generate(n, seed=...)`` returns a columnar
:class:`~analytics.aml.features.Batch`, the labels (1 = confirmed laundering case) and the
planted typologies of each report. Realistic noise keeps it from being trivial:

* benign look-alikes: cash-intensive shops with deposits near the threshold, importers
  paying high-risk countries, payroll fan-out, rent in round amounts, savers who wake up a
  dormant account;
* laundering cases with only one or two weak typologies, and ordinary text;
* label noise (a few confirmed cases and false alarms swapped).

``to_reports`` and ``to_csv`` turn a batch back into the skill's JSON and CSV input forms.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from analytics.aml.features import CHANNEL_CODE, CHANNELS, HIGH_RISK, Batch, currency_columns, text_flag_count

logger = logging.getLogger(__name__)

TYPOLOGIES = ("structuring", "pass_through", "round", "fan_in", "fan_out", "high_risk", "dormant", "ring")
_CURRENCIES = np.array(["USD", "EUR", "GBP", "JPY", "CAD"])
_CUR_P = np.array([0.7, 0.12, 0.08, 0.06, 0.04])
_SAFE = np.array(["US", "GB", "DE", "FR", "JP", "CA", "NL", "ES", "IT", "AU", "SG", "CH", "SE", "IE"])
_RISKY = np.array(sorted(HIGH_RISK))
_BENIGN_TEXT = (
    "Customer activity reviewed after automated alert.",
    "Business account, activity consistent with profile.",
    "Several deposits over the month; customer states these are sales receipts.",
    "Payments to overseas supplier for imported goods.", "Payroll run to employees.",
    "Account reactivated by customer after a long absence abroad.", "Rent and utilities paid monthly.",
)
_SUSPICIOUS_TEXT = (
    "Multiple cash deposits just under the reporting threshold at different branches.",
    "Funds received and sent onward within hours; no apparent business purpose.",
    "Dormant account suddenly active with large third-party transfers.",
    "Many unrelated senders; funds pooled and wired offshore. Possible money mule.",
    "Customer could not explain the source of funds; possible shell company.",
    "Round-sum transfers routed through crypto exchange; layering suspected.",
)
EPOCH_H = 473_000.0  # hours since 1970, early 2024


@dataclass
class Synthetic:
    """A generated batch with its ground truth."""

    batch: Batch
    labels: np.ndarray  # int8, 1 = confirmed case
    typologies: list[tuple[str, ...]]
    texts: list[str]
    currencies: np.ndarray  # per transaction ISO code
    countries: np.ndarray  # per transaction ISO country


def generate(n: int, *, seed: int = 0, positive_rate: float = 0.1, prefix: str = "R") -> Synthetic:
    """Generate ``n`` reports; about ``positive_rate`` of them are confirmed laundering cases."""
    rng = np.random.default_rng(seed)
    pos = rng.random(n) < positive_rate
    # Each case carries one to three typologies; weak cases carry only one.
    planted = np.zeros((n, len(TYPOLOGIES)), dtype=bool)
    k = rng.choice([1, 2, 3], size=n, p=[0.45, 0.4, 0.15])
    for i in np.flatnonzero(pos):
        planted[i, rng.choice(len(TYPOLOGIES), size=k[i], replace=False)] = True
    # Benign look-alikes: one typology-like pattern with a legitimate reason.
    lookalike = ~pos & (rng.random(n) < 0.3)
    for i in np.flatnonzero(lookalike):
        planted[i, rng.choice([0, 2, 4, 5, 6], p=[0.25, 0.25, 0.2, 0.2, 0.1])] = True
    col = {t: planted[:, j] for j, t in enumerate(TYPOLOGIES)}
    # Look-alikes are milder than real cases: fewer near-threshold deposits, less fan.
    strength = np.where(pos, 1.0, 0.45)

    n_txn = rng.poisson(7, n) + 2
    fan = col["fan_in"] | col["fan_out"]
    n_txn = np.where(fan, n_txn + (rng.poisson(14, n) * strength).astype(int), n_txn)
    n_txn = np.where(col["structuring"], n_txn + (rng.poisson(5, n) * strength).astype(int), n_txn)
    rep = np.repeat(np.arange(n), n_txn)
    m = rep.size
    start = np.concatenate([[0], np.cumsum(n_txn)[:-1]])
    pos_in_rep = np.arange(m) - start[rep]
    t0 = EPOCH_H + rng.uniform(0, 24 * 365, n)
    hours = t0[rep] + rng.uniform(0, 24 * 30, m)
    amount = np.round(np.exp(rng.normal(6.8, 1.3, m)), 2)
    channel = rng.choice(len(CHANNELS), size=m, p=[0.18, 0.22, 0.3, 0.02, 0.2, 0.05, 0.03]).astype(np.int8)
    t_in = rng.random(m) < 0.5
    cp = rng.integers(0, 400_000, m)
    currency = _CURRENCIES[rng.choice(len(_CURRENCIES), size=m, p=_CUR_P)]
    rep_cur = _CURRENCIES[rng.choice(len(_CURRENCIES), size=n, p=_CUR_P)]
    # Most reports are in one currency.
    currency = np.where(rng.random(m) < 0.85, rep_cur[rep], currency)
    country = _SAFE[rng.integers(0, len(_SAFE), m)]
    country = np.where(rng.random(m) < 0.02, _RISKY[rng.integers(0, len(_RISKY), m)], country)
    rate, thr, _ = currency_columns(currency)
    amount = np.where(currency == "JPY", np.round(amount * 150, -2), amount)

    sel = col["structuring"][rep] & (rng.random(m) < 0.75 * strength[rep])
    channel[sel], t_in[sel] = CHANNEL_CODE["cash"], True
    amount[sel] = np.round(thr[sel] * rng.uniform(0.86, 0.995, sel.sum()), -1)
    sel = col["round"][rep] & (rng.random(m) < 0.8 * strength[rep] + 0.1)
    jpy = np.where(currency[sel] == "JPY", 100, 1)
    amount[sel] = np.maximum(np.round(amount[sel] * 4 / 1000) * 1000, 1000) * jpy
    sel = col["fan_in"][rep] & (rng.random(m) < 0.85)
    t_in[sel] = True
    sel = col["fan_out"][rep] & (rng.random(m) < 0.85)
    t_in[sel] = False
    sel = col["high_risk"][rep] & (rng.random(m) < 0.6 * strength[rep])
    country[sel] = _RISKY[rng.integers(0, len(_RISKY), sel.sum())]
    # Pass-through: the first quarter of the report comes in, the rest leaves within hours.
    pt = col["pass_through"][rep]
    first = pt & (pos_in_rep < np.maximum(n_txn[rep] // 4, 1))
    t_in[pt] = first[pt]
    hours[first] = t0[rep][first]
    later = pt & ~first
    hours[later] = t0[rep][later] + rng.uniform(1, 40, later.sum())
    in_amt = np.bincount(rep[first], weights=amount[first], minlength=n)
    n_out = np.bincount(rep[later], minlength=n)
    amount[later] = np.round(in_amt[rep[later]] * rng.uniform(0.85, 0.99, later.sum()) / np.maximum(
        n_out[rep[later]], 1), 2)
    channel[pt & (rng.random(m) < 0.5)] = CHANNEL_CODE["wire"]
    crypto = pos[rep] & (rng.random(m) < 0.08)
    channel[crypto] = CHANNEL_CODE["crypto"]

    dormancy = rng.exponential(20, n)
    dormancy = np.where(col["dormant"], rng.uniform(200, 2500, n), dormancy)
    # Parties: most are unique; laundering rings reuse a small pool across reports.
    n_parties = rng.integers(1, 4, n)
    p_rep = np.repeat(np.arange(n), n_parties)
    party = rng.integers(1_000, 5_000_000, p_rep.size)
    ring = col["ring"][p_rep] & pos[p_rep] & (rng.random(p_rep.size) < 0.7)
    party[ring] = rng.integers(0, 600, ring.sum())
    vocab_codes, p_code = np.unique(party, return_inverse=True)
    party_vocab = [f"P{c:07d}" for c in vocab_codes]

    suspicious_text = np.where(pos, rng.random(n) < 0.55, rng.random(n) < 0.12)
    texts = [
        str(_SUSPICIOUS_TEXT[rng.integers(len(_SUSPICIOUS_TEXT))]) if s
        else str(_BENIGN_TEXT[rng.integers(len(_BENIGN_TEXT))]) for s in suspicious_text
    ]
    labels = pos.astype(np.int8)
    flip = rng.random(n) < 0.02
    labels[flip] = 1 - labels[flip]
    batch = Batch(
        report_ids=[f"{prefix}{i:07d}" for i in range(n)], t_rep=rep, t_amount=amount, t_usd=amount * rate,
        t_threshold=thr, t_round_unit=np.where(currency == "JPY", 100_000.0, 1_000.0), t_hours=hours,
        t_channel=channel, t_in=t_in, t_cp=cp, t_high_risk=np.isin(country, _RISKY),
        dormancy_days=dormancy, p_rep=p_rep, p_party=p_code.astype(np.int64), party_vocab=party_vocab,
        text_flags=np.array([text_flag_count(t) for t in texts], dtype=np.float64),
    )
    typ = [tuple(t for j, t in enumerate(TYPOLOGIES) if planted[i, j] and pos[i]) for i in range(n)]
    return Synthetic(batch, labels, typ, texts, currency, country)


def to_reports(syn: Synthetic, limit: int | None = None) -> list[dict[str, Any]]:
    """The first ``limit`` reports in the skill's JSON input form."""
    b = syn.batch
    n = b.n_reports if limit is None else min(limit, b.n_reports)
    order = np.argsort(b.t_rep, kind="stable")
    bounds = np.searchsorted(b.t_rep[order], np.arange(n + 1))
    p_bounds = np.searchsorted(b.p_rep, np.arange(n + 1))  # p_rep is sorted by construction
    out: list[dict[str, Any]] = []
    for i in range(n):
        idx = order[bounds[i]:bounds[i + 1]]
        first_h = float(b.t_hours[idx].min()) if idx.size else EPOCH_H
        last_active = np.datetime64(int((first_h - 24 * b.dormancy_days[i]) * 3600), "s")
        parties = [b.party_vocab[p] for p in b.p_party[p_bounds[i]:p_bounds[i + 1]]]
        out.append({
            "id": b.report_ids[i],
            "parties": [{"id": p} for p in parties],
            "accounts": [{"id": f"A{i:07d}", "last_active": str(last_active) + "Z"}],
            "transactions": [{
                "account": f"A{i:07d}", "amount": float(b.t_amount[j]), "currency": str(syn.currencies[j]),
                "time": str(np.datetime64(int(b.t_hours[j] * 3600), "s")) + "Z",
                "channel": CHANNELS[int(b.t_channel[j])], "direction": "in" if b.t_in[j] else "out",
                "counterparty": f"C{int(b.t_cp[j]):06d}", "counterparty_country": str(syn.countries[j]),
            } for j in idx],
            "text": syn.texts[i],
        })
    return out


def to_csv(syn: Synthetic, limit: int | None = None) -> str:
    """The first ``limit`` reports as CSV, one row per transaction (the skill's CSV input form)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["report_id", "parties", "account", "account_last_active", "amount", "currency", "time",
                "channel", "direction", "counterparty", "counterparty_country", "text"])
    for r in to_reports(syn, limit):
        acc = r["accounts"][0]
        parties = ";".join(p["id"] for p in r["parties"])
        for k, t in enumerate(r["transactions"]):
            w.writerow([r["id"], parties, t["account"], acc["last_active"], t["amount"], t["currency"],
                        t["time"], t["channel"], t["direction"], t["counterparty"], t["counterparty_country"],
                        r["text"] if k == 0 else ""])
    return buf.getvalue()
