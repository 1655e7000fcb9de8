"""Transaction-level synthetic data with the eight AMLworld laundering typologies.

Modelled on IBM's AMLworld generator (Altman et al., NeurIPS 2023), smaller and seeded:
``generate_world(seed=...)`` returns every transaction between accounts over ``days`` days,
about 0.1 % of them laundering, each laundering transaction tagged with its pattern and
typology. Background activity has the benign look-alikes that make the task hard: regular
payees (most flows repeat), merchants with a large fan-in, payroll accounts with a large
fan-out on pay days, and some one-off payments to strangers. Laundering patterns reuse a
pool of mule accounts (as real mules serve several schemes) and pass similar amounts along.

Typologies (:data:`TYPOLOGIES`): ``fan_out``, ``fan_in``, ``cycle``, ``scatter_gather``,
``gather_scatter``, ``bipartite``, ``stack``, ``random``. :func:`time_split` cuts by time,
and :func:`alert_reports` builds per-account reports (what an analyst receives) from a
period, labelled positive when they hold a laundering transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

TYPOLOGIES = (
    "fan_out", "fan_in", "cycle", "scatter_gather", "gather_scatter", "bipartite", "stack", "random",
)
FORMATS = ("ach", "wire", "card", "cash", "cheque", "crypto")
FORMAT_CODE = {f: i for i, f in enumerate(FORMATS)}
EPOCH_H = 473_000.0  # hours since 1970, early 2024


@dataclass
class World:
    """All transactions of a generated world, as flat columns (one row per transaction)."""

    src: np.ndarray  # int64 account index
    dst: np.ndarray
    hours: np.ndarray  # float64 hours since the Unix epoch
    amount: np.ndarray  # float64 USD
    fmt: np.ndarray  # int8 code into FORMATS
    label: np.ndarray  # int8, 1 = laundering
    pattern: np.ndarray  # int64 pattern id (-1 for background)
    pattern_typology: list[str]  # typology of each pattern id
    n_accounts: int
    start_h: float
    days: int

    def account_ids(self, idx: np.ndarray) -> list[str]:
        """Account names (``ACC0001234``) of account indices."""
        return [f"ACC{int(i):07d}" for i in idx]

    def subset(self, mask: np.ndarray) -> World:
        """The transactions where ``mask`` holds (patterns keep their ids)."""
        return World(self.src[mask], self.dst[mask], self.hours[mask], self.amount[mask], self.fmt[mask],
                     self.label[mask], self.pattern[mask], self.pattern_typology, self.n_accounts,
                     self.start_h, self.days)

    @property
    def typology(self) -> np.ndarray:
        """Typology name per transaction ('' for background)."""
        names = np.array([*self.pattern_typology, ""], dtype=object)
        return np.asarray(names[np.where(self.pattern >= 0, self.pattern, len(self.pattern_typology))])


def _background(rng: np.random.Generator, n_acc: int, days: int, per_day: float) -> tuple[np.ndarray, ...]:
    n_merchants, n_payroll = max(n_acc // 40, 5), max(n_acc // 400, 2)
    merchants = rng.choice(n_acc, n_merchants, replace=False)
    payroll = rng.choice(np.setdiff1d(np.arange(n_acc), merchants), n_payroll, replace=False)
    # Regular payees: a few per account, a third of them merchants.
    k = 1 + rng.poisson(3, n_acc)
    owner = np.repeat(np.arange(n_acc), k)
    to_merchant = rng.random(owner.size) < 0.35
    payee = np.where(to_merchant, rng.choice(merchants, owner.size), rng.integers(0, n_acc, owner.size))
    payee = np.where(payee == owner, (payee + 1) % n_acc, payee)
    starts = np.concatenate([[0], np.cumsum(k)[:-1]])
    m = rng.poisson(per_day * days)
    src = rng.integers(0, n_acc, m)
    regular = rng.random(m) < 0.8
    pick = starts[src] + (rng.random(m) * k[src]).astype(np.int64)
    dst = np.where(regular, payee[pick], rng.integers(0, n_acc, m))
    dst = np.where(dst == src, (dst + 7) % n_acc, dst)
    hours = rng.uniform(0, 24 * days, m)
    scale = np.exp(rng.normal(4.8, 1.2, n_acc))
    amount = np.round(scale[src] * np.exp(rng.normal(0, 0.6, m)), 2)
    fmt = rng.choice(len(FORMATS), m, p=[0.35, 0.1, 0.35, 0.1, 0.07, 0.03]).astype(np.int8)
    # Payroll: each employer pays 20-80 employees on the 1st and 15th of each month.
    ps, pd_, ph, pa = [], [], [], []
    for p in payroll:
        staff = rng.choice(n_acc, rng.integers(20, 80), replace=False)
        for day in range(0, days, 15):
            ps.append(np.full(staff.size, p))
            pd_.append(staff)
            ph.append(day * 24 + 9 + rng.uniform(0, 2, staff.size))
            pa.append(np.round(rng.uniform(1500, 4000, staff.size), 2))
    src = np.concatenate([src, *ps])
    dst = np.concatenate([dst, *pd_])
    hours = np.concatenate([hours, *ph])
    amount = np.concatenate([amount, *pa])
    fmt = np.concatenate([fmt, np.full(sum(a.size for a in ps), FORMAT_CODE["ach"], dtype=np.int8)])
    return src, dst, hours, amount, fmt


def _pattern(rng: np.random.Generator, typ: str, pool: np.ndarray, n_acc: int) -> list[tuple[int, int]]:
    """The (src, dst) edges of one pattern, in time order."""
    def accounts(n: int) -> list[int]:
        from_pool = rng.random(n) < 0.7
        picked = np.where(from_pool, rng.choice(pool, n), rng.integers(0, n_acc, n))
        return [int(a) for a in dict.fromkeys(picked.tolist())] + [int(a) for a in rng.integers(0, n_acc, n)]

    if typ in ("fan_out", "fan_in"):
        k = int(rng.integers(4, 11))
        a = accounts(k + 1)
        hub, others = a[0], a[1:k + 1]
        return [(hub, o) for o in others] if typ == "fan_out" else [(o, hub) for o in others]
    if typ == "cycle":
        k = int(rng.integers(3, 8))
        a = accounts(k)[:k]
        return [(a[i], a[(i + 1) % k]) for i in range(k)]
    if typ == "scatter_gather":
        k = int(rng.integers(3, 7))
        a = accounts(k + 2)
        s, t, mid = a[0], a[1], a[2:k + 2]
        return [(s, m) for m in mid] + [(m, t) for m in mid]
    if typ == "gather_scatter":
        k1, k2 = int(rng.integers(3, 6)), int(rng.integers(3, 6))
        a = accounts(k1 + k2 + 1)
        h = a[0]
        return [(x, h) for x in a[1:k1 + 1]] + [(h, y) for y in a[k1 + 1:k1 + k2 + 1]]
    if typ == "bipartite":
        k1, k2 = int(rng.integers(2, 5)), int(rng.integers(2, 5))
        a = accounts(k1 + k2)
        left, right = a[:k1], a[k1:k1 + k2]
        return [(x, y) for x in left for y in right if rng.random() < 0.8] or [(left[0], right[0])]
    if typ == "stack":
        sizes = [int(rng.integers(2, 4)) for _ in range(3)]
        a = accounts(sum(sizes))
        l1, l2, l3 = a[:sizes[0]], a[sizes[0]:sizes[0] + sizes[1]], a[sizes[0] + sizes[1]:sum(sizes)]
        return [(x, y) for x in l1 for y in l2] + [(y, z) for y in l2 for z in l3]
    k = int(rng.integers(4, 9))  # random: a walk over a few accounts, revisits allowed
    a = accounts(max(3, k // 2 + 1))[:max(3, k // 2 + 1)]
    walk = [a[0]]
    for _ in range(k):
        nxt = int(rng.choice([x for x in a if x != walk[-1]]))
        walk.append(nxt)
    return list(zip(walk[:-1], walk[1:], strict=True))


def generate_world(
    *, seed: int = 0, n_accounts: int = 25_000, days: int = 90, per_day: float = 10_000.0,
    patterns_per_typology: int = 18,
) -> World:
    """A seeded world; with the defaults about 920,000 transactions, about 0.12 % laundering."""
    rng = np.random.default_rng(seed)
    src, dst, hours, amount, fmt = _background(rng, n_accounts, days, per_day)
    pool = rng.choice(n_accounts, max(n_accounts // 60, 20), replace=False)
    ls, ld, lh, la, lf, lp, typ_of = [], [], [], [], [], [], []
    pid = 0
    for typ in TYPOLOGIES:
        for k in range(patterns_per_typology):
            edges = _pattern(rng, typ, pool, n_accounts)
            # Start times are stratified, so every typology recurs through the whole period.
            t0 = 24 * (days - 5) * (k + rng.random()) / patterns_per_typology
            # Amounts overlap ordinary payments: the flows, not their size, give a scheme away.
            start = float(np.exp(rng.normal(5.6, 1.0)))
            for j, (a, b) in enumerate(edges):
                if a == b:
                    continue
                ls.append(a)
                ld.append(b)
                lh.append(t0 + j * rng.uniform(1, 10) + rng.uniform(0, 2))
                la.append(round(start * rng.uniform(0.9, 0.99) ** (j % 4 + 1), 2))
                lf.append(int(rng.choice(len(FORMATS), p=[0.3, 0.2, 0.25, 0.12, 0.08, 0.05])))
                lp.append(pid)
            typ_of.append(typ)
            pid += 1
    n_bg = src.size
    world = World(
        src=np.concatenate([src, ls]).astype(np.int64), dst=np.concatenate([dst, ld]).astype(np.int64),
        hours=EPOCH_H + np.concatenate([hours, lh]), amount=np.concatenate([amount, la]),
        fmt=np.concatenate([fmt, np.asarray(lf, dtype=np.int8)]).astype(np.int8),
        label=np.concatenate([np.zeros(n_bg, np.int8), np.ones(len(ls), np.int8)]),
        pattern=np.concatenate([np.full(n_bg, -1), np.asarray(lp, dtype=np.int64)]),
        pattern_typology=typ_of, n_accounts=n_accounts, start_h=EPOCH_H, days=days,
    )
    order = np.argsort(world.hours, kind="stable")
    return world.subset(order)


def time_split(world: World, *, train_share: float = 2 / 3) -> tuple[World, World, float]:
    """``(past, future, cut_hour)``: transactions before and after the cut in time."""
    cut = world.start_h + 24 * world.days * train_share
    return world.subset(world.hours < cut), world.subset(world.hours >= cut), cut


@dataclass
class Reports:
    """Per-account alert reports over one period: which transactions each report holds."""

    account: np.ndarray  # int64 account per report
    t_report: np.ndarray  # report index of each (report, transaction) pair
    t_index: np.ndarray  # transaction index into the period's World
    label: np.ndarray  # int8 per report: holds a laundering transaction

    @property
    def n(self) -> int:
        """How many reports."""
        return int(self.account.size)


def alert_reports(world: World, *, n_benign: int = 3_000, window_days: float = 7.0, seed: int = 0) -> Reports:
    """Reports on every account in a laundering transaction plus ``n_benign`` busy accounts.

    A report holds the account's transactions in a ``window_days`` window: around its first
    laundering transaction for a laundering account, at a random time otherwise. Benign
    accounts are drawn in proportion to their activity (busy merchants and payroll accounts
    are what monitoring rules flag).
    """
    rng = np.random.default_rng(seed)
    illicit = world.label == 1
    bad = np.unique(np.concatenate([world.src[illicit], world.dst[illicit]]))
    activity = np.bincount(np.concatenate([world.src, world.dst]), minlength=world.n_accounts).astype(float)
    activity[bad] = 0
    benign = rng.choice(world.n_accounts, min(n_benign, int((activity > 0).sum())), replace=False,
                        p=activity / activity.sum())
    accounts = np.concatenate([bad, benign])
    first_bad = np.full(world.n_accounts, np.inf)
    for col in (world.src, world.dst):
        np.minimum.at(first_bad, col[illicit], world.hours[illicit])
    lo_t, hi_t = float(world.hours.min()), float(world.hours.max())
    start = np.where(np.isfinite(first_bad[accounts]), first_bad[accounts] - 24 * window_days / 2,
                     rng.uniform(lo_t, max(lo_t, hi_t - 24 * window_days), accounts.size))
    rep_of = np.full(world.n_accounts, -1)
    rep_of[accounts] = np.arange(accounts.size)
    rows, idx = [], []
    for col in (world.src, world.dst):
        r = rep_of[col]
        ok = r >= 0
        begin = start[np.maximum(r, 0)]
        ok &= (world.hours >= begin) & (world.hours < begin + 24 * window_days)
        rows.append(r[ok])
        idx.append(np.flatnonzero(ok))
    t_report = np.concatenate(rows)
    t_index = np.concatenate(idx)
    label = np.zeros(accounts.size, np.int8)
    np.maximum.at(label, t_report, world.label[t_index])
    keep = np.bincount(t_report, minlength=accounts.size) > 0
    remap = np.cumsum(keep) - 1
    sel = keep[t_report]
    return Reports(accounts[keep], remap[t_report[sel]], t_index[sel], label[keep])
