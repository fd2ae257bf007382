"""Paired statistics of the difference Δ = metric(macaron) − metric(standard), paired by seed (same
data stream, same held-out set, same target): mean, standard deviation, the two-sided 95% Student-t
interval mean ± t_{0.975, S−1}·sd/√S, and a 95% percentile bootstrap interval of the mean.

The t quantile is computed here (no scipy on Debian's python3-torch): the CDF of Student's t is
1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0 (I the regularised incomplete beta, by the Lentz continued
fraction of Numerical Recipes §6.4), inverted by bisection to 1e-13. The TypeScript verdict
(src/claims/paired-stats.ts) recomputes the t interval from the runs with its own implementation;
a test checks that the two agree.
"""
import math
import numpy as np

LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 10_000


def _betacf(a, b, x):
    tiny, qab, qap, qam = 1e-300, a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            return h
    raise ArithmeticError('incomplete beta: no convergence')


def betai(a, b, x):
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1.0 - x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def t_cdf(t, nu):
    p = 0.5 * betai(nu / 2.0, 0.5, nu / (nu + t * t))
    return 1.0 - p if t >= 0 else p


def t_quantile(p, nu):
    """The p-quantile of Student's t with nu degrees of freedom, p in (0.5, 1)."""
    lo, hi = 0.0, 1e4
    while hi - lo > 1e-13 * max(1.0, hi):
        mid = 0.5 * (lo + hi)
        if t_cdf(mid, nu) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def paired_summary(std_vals, mac_vals, seed):
    """Summary of Δ = mac − std over the pairs (lists in the same seed order)."""
    d = np.asarray(mac_vals, dtype=np.float64) - np.asarray(std_vals, dtype=np.float64)
    S = len(d)
    out = {'pairs': S, 'meanStandard': float(np.mean(std_vals)), 'sdStandard': float(np.std(std_vals, ddof=1)) if S > 1 else None,
           'meanMacaron': float(np.mean(mac_vals)), 'sdMacaron': float(np.std(mac_vals, ddof=1)) if S > 1 else None,
           'meanDiff': float(d.mean()), 'sdDiff': None, 't': None, 'tInterval': None, 'bootstrapInterval': None,
           'macaronWins': int((d < 0).sum()), 'standardWins': int((d > 0).sum())}
    if S < 2:
        return out
    sd = float(d.std(ddof=1))
    t = t_quantile(0.5 + LEVEL / 2, S - 1)
    half = t * sd / math.sqrt(S)
    rng = np.random.RandomState(seed)
    means = d[rng.randint(0, S, size=(BOOTSTRAP_RESAMPLES, S))].mean(axis=1)
    lo, hi = np.percentile(means, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2])
    out.update({'sdDiff': sd, 't': t, 'tInterval': [out['meanDiff'] - half, out['meanDiff'] + half],
                'bootstrapInterval': [float(lo), float(hi)]})
    return out
