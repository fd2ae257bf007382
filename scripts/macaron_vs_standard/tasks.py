"""The tasks: sequences with a known answer and random smooth target maps (the kind `uat construct`
takes), their data streams, held-out sets and error metrics.

Every task's primary metric is an error (lower is better):
  - tokens (reverse, sort): `err` = fraction of wrong output tokens on the held-out set
    (also `seqErr`, the fraction of sequences with at least one wrong token, and `loss`, the CE);
  - real outputs (runsum, fa-*): `mae` = mean |T(X) − f(X)| over held-out inputs and entries
    (also `sup` = the largest such entry, and `rmse`).
"""
import math
import numpy as np
import torch
import torch.nn.functional as F

PRIMARY = {'tokens': 'err', 'regress': 'mae', 'fa': 'mae'}


def task_table(n_tokens):
    return {
        'reverse': {'kind': 'tokens', 'n': n_tokens, 'V': 10, 'what': 'y_i = x_{n+1-i}, tokens in {0..9}'},
        'sort': {'kind': 'tokens', 'n': n_tokens, 'V': 64, 'what': 'y = sorted(x), tokens in {0..63}'},
        'modsum': {'kind': 'tokens', 'n': n_tokens, 'V': 10, 'what': 'y_i = (x_1 + ... + x_i) mod 10, tokens in {0..9}'},
        'runsum': {'kind': 'regress', 'n': n_tokens, 'dIn': 1, 'dOut': 1,
                   'what': 'y_i = x_1 + ... + x_i, x_j uniform in [-1, 1]'},
        'fa-n2': {'kind': 'fa', 'n': 2, 'dIn': 1, 'dOut': 1, 'terms': 3,
                  'what': 'random smooth map [-1,1]^2 -> R^{2x1}, a new one per seed'},
        'fa-n8': {'kind': 'fa', 'n': 8, 'dIn': 1, 'dOut': 1, 'terms': 3,
                  'what': 'random smooth map [-1,1]^8 -> R^{8x1}, a new one per seed'},
    }


# ----------------------------------------------------------------------------------------------
# random smooth targets

def fa_target(task, seed):
    """f(X)_{i,c} = Σ_k a_k sin(w_k · x + φ_k), x = X flattened (token-major, as uat's x<i>_<c>),
    K = task['terms'] terms per entry, a_k = ±U(0.5, 1)/√K, w_k ~ N(0, 2.5²/m), φ_k ~ U(-π, π), every
    coefficient rounded to 3 decimals so the expression string and the numbers are the same map.
    Returns the uat target spec (dict, for `uat construct` / `uat verify`) and the coefficients."""
    n, d_in, d_out, K = task['n'], task['dIn'], task['dOut'], task['terms']
    m = n * d_in
    rng = np.random.RandomState(seed)
    a = np.round(rng.choice([-1.0, 1.0], size=(n, d_out, K)) * rng.uniform(0.5, 1.0, size=(n, d_out, K)) / math.sqrt(K), 3)
    w = np.round(rng.normal(0.0, 2.5 / math.sqrt(m), size=(n, d_out, K, m)), 3)
    phi = np.round(rng.uniform(-math.pi, math.pi, size=(n, d_out, K)), 3)
    names = ['x%d_%d' % (i + 1, c + 1) for i in range(n) for c in range(d_in)]
    num = lambda v: repr(float(v))

    def entry(i, c):
        terms = []
        for k in range(K):
            lin = ' + '.join('%s*%s' % (num(w[i, c, k, j]), names[j]) for j in range(m))
            terms.append('%s*sin(%s + %s)' % (num(a[i, c, k]), lin, num(phi[i, c, k])))
        return ' + '.join(terms)

    spec = {'name': 'random smooth map (seed %d)' % seed, 'n': n, 'dIn': d_in, 'dOut': d_out,
            'domain': {'lo': [-1.0] * d_in, 'hi': [1.0] * d_in},
            'f': [[entry(i, c) for c in range(d_out)] for i in range(n)]}
    return spec, {'a': a, 'w': w, 'phi': phi}


def fa_eval(coef, x):
    """The target on a batch x [B, n, dIn] (float64 inside, returned in x's dtype)."""
    B = x.shape[0]
    flat = x.reshape(B, -1).double()
    w = torch.from_numpy(coef['w'])          # [n, dOut, K, m]
    arg = torch.einsum('bm,ickm->bick', flat, w) + torch.from_numpy(coef['phi'])
    y = (torch.from_numpy(coef['a']) * torch.sin(arg)).sum(-1)
    return y.to(x.dtype)


# ----------------------------------------------------------------------------------------------
# data

class Task:
    """A task instance for one seed: `batch(g, B)` draws training data from the generator g (the
    same stream for both architectures), `test` is the held-out set, `metrics(out, y)` the errors."""

    def __init__(self, name, spec, seed, dtype):
        self.name, self.spec, self.dtype = name, spec, dtype
        self.kind = spec['kind']
        self.primary = PRIMARY[self.kind]
        self.target_spec, self.coef = (fa_target(spec, 10_000 + seed) if self.kind == 'fa' else (None, None))

    def _inputs(self, g, B):
        s = self.spec
        if self.kind == 'tokens':
            return torch.randint(0, s['V'], (B, s['n']), generator=g)
        return 2 * torch.rand((B, s['n'], s['dIn']), generator=g, dtype=self.dtype) - 1

    def answer(self, x):
        if self.name == 'reverse':
            return x.flip(1)
        if self.name == 'sort':
            return x.sort(dim=1).values
        if self.name == 'modsum':
            return x.cumsum(dim=1) % self.spec['V']
        if self.name == 'runsum':
            return x.cumsum(dim=1)
        return fa_eval(self.coef, x)

    def batch(self, g, B):
        x = self._inputs(g, B)
        return x, self.answer(x)

    def loss(self, out, y):
        if self.kind == 'tokens':
            return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))
        return F.mse_loss(out, y)

    def metrics(self, out, y):
        if self.kind == 'tokens':
            wrong = out.argmax(-1) != y
            return {'err': wrong.double().mean().item(), 'seqErr': wrong.any(1).double().mean().item(),
                    'loss': self.loss(out, y).item()}
        e = (out - y).abs().double()
        return {'mae': e.mean().item(), 'sup': e.max().item(), 'rmse': e.pow(2).mean().sqrt().item()}
