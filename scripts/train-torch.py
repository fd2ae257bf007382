#!/usr/bin/python3
"""Train the module of `uat import torch` on a uat target spec, on the CPU, in float64, and save its
state_dict as safetensors (docs/certify-trained.md). Run with Debian's /usr/bin/python3 (PyTorch 1.13).

  /usr/bin/python3 scripts/train-torch.py --target T.json --out state.safetensors
      [--D 16] [--heads 2] [--ffn 64] [--norm-first] [--seed 1] [--time-limit 60]

The module: embed = nn.Linear(dIn, D), pos [n, D], layer = nn.TransformerEncoderLayer(D, heads, ffn,
dropout=0, activation='relu', batch_first=True, norm_first), readout = nn.Linear(D, dOut).
The target's mathjs expressions are evaluated by the small whitelisted evaluator in uat_torch.py
(fresh uniform samples of the domain box every step). Two phases:
  1. MSE, Adam, cosine-decayed learning rate, batches of 512 fresh uniform samples;
  2. minimax-style: every round, the error of a pool of 16384 random points plus a grid is
     computed, the 512 worst are kept, and Adam steps minimise the L^8 norm of the error over those
     points and 512 fresh ones (a smooth stand-in for the max, which is what `uat verify` bounds).
The file's __metadata__ records n, heads, norm_first, layer_norm_eps and activation, so
`uat import torch --state S --out M` needs no options. Prints a JSON summary (seconds, losses, the
sampled max error — a lower estimate of the sup that `uat verify` then certifies from both sides).
Deterministic for a given seed and PyTorch build (one thread).
"""
import argparse
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no scripts/__pycache__ litter in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
from uat_torch import TorchLayerModel, load_target, write_safetensors  # noqa: E402


def sample(t, k, gen):
    u = torch.rand((k, t['n'], t['dIn']), generator=gen, dtype=torch.float64)
    return t['lo'] + u * (t['hi'] - t['lo'])


def grid(t, per_axis):
    """A tensor grid of the box (for n·dIn ≤ 3), else empty."""
    m = t['n'] * t['dIn']
    if m > 3:
        return torch.zeros((0, t['n'], t['dIn']))
    axes = [torch.linspace(0, 1, per_axis, dtype=torch.float64)] * m
    pts = torch.stack(torch.meshgrid(*axes, indexing='ij'), -1).reshape(-1, t['n'], t['dIn'])
    return t['lo'] + pts * (t['hi'] - t['lo'])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--target', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--D', type=int, default=16)
    ap.add_argument('--heads', type=int, default=2)
    ap.add_argument('--ffn', type=int, default=64)
    ap.add_argument('--norm-first', action='store_true')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--mse-steps', type=int, default=3000)
    ap.add_argument('--minimax-rounds', type=int, default=30)
    ap.add_argument('--minimax-steps', type=int, default=40)
    ap.add_argument('--time-limit', type=float, default=60.0, help='seconds of training (stops early, never late)')
    a = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    try:
        t = load_target(a.target)
    except (OSError, ValueError, KeyError, TypeError, SyntaxError) as e:
        sys.exit('train-torch.py: error: --target %s: %s: %s' % (a.target, type(e).__name__, e))
    m = TorchLayerModel(t['n'], t['dIn'], a.D, a.heads, a.ffn, t['dOut'], a.norm_first, pos=True)
    with torch.no_grad():
        m.pos.normal_(0, 0.5)
    t0 = time.process_time()
    out_of_time = lambda: time.process_time() - t0 > a.time_limit  # noqa: E731

    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.mse_steps, eta_min=1e-4)
    mse = float('nan')
    for step in range(a.mse_steps):
        X = sample(t, 512, gen)
        loss = ((m(X) - t['f'](X)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        mse = loss.item()
        if out_of_time():
            break
    mse_steps = step + 1

    G = grid(t, 65)
    opt = torch.optim.Adam(m.parameters(), lr=5e-4)
    rounds = 0
    for r in range(a.minimax_rounds):
        if out_of_time():
            break
        with torch.no_grad():
            pool = torch.cat([sample(t, 16384, gen), G])
            err = (m(pool) - t['f'](pool)).abs().amax(dim=(1, 2))
            worst = pool[err.topk(512).indices]
        for _ in range(a.minimax_steps):
            X = torch.cat([worst, sample(t, 512, gen)])
            loss = ((m(X) - t['f'](X)).abs() ** 8).mean() ** (1 / 8)
            opt.zero_grad()
            loss.backward()
            opt.step()
        rounds += 1
    seconds = time.process_time() - t0

    m.eval()
    with torch.no_grad():
        pool = torch.cat([sample(t, 65536, gen), G])
        sampled_max = (m(pool) - t['f'](pool)).abs().max().item()
    meta = {'n': t['n'], 'heads': a.heads, 'norm_first': str(a.norm_first).lower(), 'layer_norm_eps': '1e-05',
            'activation': 'relu', 'trained_on': t['spec'].get('name', ''), 'trainer': 'scripts/train-torch.py seed %d' % a.seed}
    write_safetensors(a.out, m.state_dict(), meta)
    json.dump({'seconds': round(seconds, 2), 'mse_steps': mse_steps, 'final_mse': mse, 'minimax_rounds': rounds,
               'sampled_max_error': sampled_max, 'sampled_points': int(pool.shape[0]), 'torch': torch.__version__,
               'params': sum(p.numel() for p in m.parameters())}, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
