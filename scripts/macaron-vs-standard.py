#!/usr/bin/env python3
"""Standard vs Macaron transformer layers trained side by side at equal parameter count (issue 14).

Run with Debian's interpreter (the one that has PyTorch):

  /usr/bin/python3 scripts/macaron-vs-standard.py                  # the full experiment (docs/data/…)
  /usr/bin/python3 scripts/macaron-vs-standard.py --quick --out /tmp/q.json --models-dir /tmp/q
  options: --jobs J (worker processes, default 2), --seeds S, --steps T, --tasks a,b --depths 1,2

What is held equal (docs/macaron-vs-standard.md has the full protocol): parameter count (asserted,
see models.py), initialisation rule (PyTorch's defaults for the same module types), optimiser, schedule,
step budget, batch size, the training batches (one data stream per task and seed, drawn identically for
both architectures), the held-out set and, for the function-approximation tasks, the target map.
Everything is float32 on the CPU, one thread per worker process (`torch.set_num_threads(1)`), so a run
is deterministic on a given machine and BLAS; the runs are independent, so the number of workers does
not change any number.

Output (--out): every run (final held-out errors, the error curve, CPU and wall seconds), the
parameter counts, and per task × depth the paired summary of Δ = error(macaron) − error(standard):
mean, sd, 95% t interval and bootstrap interval (stats.py). The verdict is NOT computed here: the
claims ledger computes it from this file (src/claims/macaron-superior.ts). The single-layer standard
networks of the function-approximation tasks are saved for `uat import torch` (--models-dir, export.py).
"""
import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout (the tests run this script)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(HERE)

import torch  # noqa: E402

from macaron_vs_standard.models import Net, param_counts, assert_equal_counts  # noqa: E402
from macaron_vs_standard.tasks import Task, task_table  # noqa: E402
from macaron_vs_standard.stats import paired_summary, LEVEL, BOOTSTRAP_RESAMPLES  # noqa: E402
from macaron_vs_standard.export import export_single_layer  # noqa: E402

FORMAT, VERSION = 'uat-macaron-vs-standard', 1
ARCHS = ('standard', 'macaron')
DTYPE = torch.float32
# the model and the optimiser: the same for every task, depth and architecture
HP = {'D': 32, 'heads': 4, 'hidden': 128, 'posStd': 0.5, 'optimizer': 'AdamW', 'lr': 2e-3, 'betas': [0.9, 0.98],
      'adamEps': 1e-8, 'weightDecay': 0.0, 'warmupFraction': 0.06, 'schedule': 'linear warm-up, then cosine to 0',
      'gradClip': 1.0}
BUDGETS = {
    'full': {'seeds': 5, 'steps': 1200, 'batch': 32, 'checkpoints': 12, 'testSize': 1024, 'nTokens': 8},
    'quick': {'seeds': 1, 'steps': 12, 'batch': 8, 'checkpoints': 2, 'testSize': 64, 'nTokens': 8},
}
DEPTHS = (1, 2, 4)
# 'reverse' is in the table but not run by default: in the pilot every architecture and depth
# reached 0 held-out errors by step 250 of 1500, so its cells can only be ties (docs/macaron-vs-standard.md)
DEFAULT_TASKS = ('sort', 'modsum', 'runsum', 'fa-n2', 'fa-n8')
SIG = lambda v: float('%.7g' % v)


def lr_at(step, steps):
    warm = max(1, round(HP['warmupFraction'] * steps))
    if step < warm:
        return HP['lr'] * (step + 1) / warm
    return HP['lr'] * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, steps - warm)))


def seeds_of(task_index, depth, seed):
    """The data stream and the held-out set depend on (task, seed) only: both architectures and every
    depth see the same batches. The initialisation seed is shared by the two architectures."""
    return {'data': 1000 * task_index + seed, 'test': 500_000 + 1000 * task_index + seed,
            'init': 1_000_000 * task_index + 1000 * depth + seed}


def evaluate(net, task, test):
    net.eval()
    with torch.no_grad():
        m = task.metrics(net(test[0]), test[1])
    net.train()
    return {k: SIG(v) for k, v in m.items()}


def run_one(job):
    """One training run; returns its record (and saves the model where asked)."""
    torch.set_num_threads(1)
    c0, w0 = time.process_time(), time.time()
    b, name, arch, depth, seed = job['budget'], job['task'], job['arch'], job['depth'], job['seed']
    spec = task_table(b['nTokens'])[name]
    task = Task(name, spec, seed, DTYPE)
    sd = seeds_of(job['taskIndex'], depth, seed)
    torch.manual_seed(sd['init'])
    net = Net(arch, depth, spec, HP['D'], HP['heads'], HP['hidden'], HP['posStd']).to(DTYPE)
    g = torch.Generator().manual_seed(sd['data'])
    test = task.batch(torch.Generator().manual_seed(sd['test']), b['testSize'])
    opt = torch.optim.AdamW(net.parameters(), lr=HP['lr'], betas=tuple(HP['betas']), eps=HP['adamEps'],
                            weight_decay=HP['weightDecay'])
    steps = b['steps']
    marks = sorted({round(k * steps / b['checkpoints']) for k in range(b['checkpoints'] + 1)})
    curve, run_loss, run_n = [], 0.0, 0
    for step in range(steps + 1):
        if step in marks:
            point = {'step': step, **evaluate(net, task, test)}
            point['trainLoss'] = SIG(run_loss / run_n) if run_n else None
            curve.append(point)
            run_loss, run_n = 0.0, 0
        if step == steps:
            break
        for group in opt.param_groups:
            group['lr'] = lr_at(step, steps)
        x, y = task.batch(g, b['batch'])
        loss = task.loss(net(x), y)
        if not torch.isfinite(loss):
            raise FloatingPointError('%s/%s/depth %d/seed %d: loss %r at step %d' % (name, arch, depth, seed, loss.item(), step))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), HP['gradClip'])
        opt.step()
        run_loss, run_n = run_loss + loss.item(), run_n + 1
    rec = {'task': name, 'arch': arch, 'depth': depth, 'seed': seed, 'final': {k: v for k, v in curve[-1].items() if k != 'step'},
           'curve': curve}
    if job.get('export'):
        base = os.path.join(job['export'], '%s-seed%d' % (name, seed))
        export_single_layer(net, spec, HP, base + '.safetensors',
                            {'task': name, 'seed': str(seed), 'steps': str(steps), 'heldOutMae': repr(rec['final']['mae']),
                             'heldOutSup': repr(rec['final']['sup'])})
        with open(base + '.target.json', 'w') as fh:
            json.dump(task.target_spec, fh, indent=1)
            fh.write('\n')
        rec['model'] = os.path.relpath(base + '.safetensors', ROOT)
        rec['targetSpec'] = os.path.relpath(base + '.target.json', ROOT)
    rec['cpuSeconds'] = round(time.process_time() - c0, 3)
    rec['wallSeconds'] = round(time.time() - w0, 3)
    return rec


def blas_library():
    """The BLAS actually loaded (reference BLAS makes every step about 4× slower than OpenBLAS)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open('/proc/self/maps') as fh:
            libs = sorted({line.split()[-1] for line in fh if 'blas' in line.lower() and '.so' in line})
        return libs
    except OSError:
        return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--quick', action='store_true', help='one seed, a tiny budget (seconds): checks the pipeline, not the claim')
    ap.add_argument('--seeds', type=int)
    ap.add_argument('--steps', type=int)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--tasks', help='comma-separated subset of ' + ','.join(task_table(10)))
    ap.add_argument('--depths', help='comma-separated subset of 1,2,4')
    ap.add_argument('--out', help='results JSON (default docs/data/macaron-vs-standard.json; with --quick a temp file)')
    ap.add_argument('--models-dir', help='where the single-layer models go (default docs/data/macaron-models; with --quick a temp dir)')
    a = ap.parse_args()
    scratch = os.path.join(tempfile.gettempdir(), 'uat-macaron-quick')
    a.out = a.out or (scratch + '.json' if a.quick else os.path.join(ROOT, 'docs/data/macaron-vs-standard.json'))
    a.models_dir = a.models_dir or (scratch + '-models' if a.quick else os.path.join(ROOT, 'docs/data/macaron-models'))
    budget = dict(BUDGETS['quick' if a.quick else 'full'])
    for k in ('seeds', 'steps'):
        v = getattr(a, k)
        if v is not None:
            if v < 1:
                ap.error('--%s: expected an integer >= 1, found %d' % (k, v))
            budget[k] = v
    table = task_table(budget['nTokens'])
    tasks = a.tasks.split(',') if a.tasks else list(DEFAULT_TASKS)
    depths = [int(x) for x in a.depths.split(',')] if a.depths else list(DEPTHS)
    for t in tasks:
        if t not in table:
            ap.error('--tasks: expected names from %s, found %r' % (','.join(table), t))
    if a.jobs < 1:
        ap.error('--jobs: expected an integer >= 1, found %d' % a.jobs)
    os.makedirs(a.models_dir, exist_ok=True)
    load0, w0 = os.getloadavg(), time.time()

    counts = {}
    for t in tasks:
        counts[t] = {}
        for depth in depths:
            g = {arch: param_counts(Net(arch, depth, table[t], HP['D'], HP['heads'], HP['hidden'], HP['posStd'])) for arch in ARCHS}
            assert_equal_counts(g['standard'], g['macaron'], '%s depth %d' % (t, depth))
            counts[t][str(depth)] = g
    jobs = []
    for t in tasks:
        for depth in depths:
            for seed in range(1, budget['seeds'] + 1):
                for arch in ARCHS:
                    export = a.models_dir if (depth == 1 and arch == 'standard' and table[t]['kind'] == 'fa') else None
                    jobs.append({'budget': budget, 'task': t, 'taskIndex': list(table).index(t), 'arch': arch, 'depth': depth,
                                 'seed': seed, 'export': export})
    order = sorted(jobs, key=lambda j: -j['depth'] * table[j['task']]['n'])  # longest first: better packing
    done = 0
    runs = []
    if a.jobs == 1:
        it = map(run_one, order)
        pool = None
    else:
        pool = mp.get_context('spawn').Pool(a.jobs)
        it = pool.imap_unordered(run_one, order)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the workers are ended below
    try:
        for rec in it:
            runs.append(rec)
            done += 1
            print('[%3d/%d] %-8s %-8s depth %d seed %d  %s  (%.1f s cpu)' % (
                done, len(jobs), rec['task'], rec['arch'], rec['depth'], rec['seed'],
                '  '.join('%s %.4g' % kv for kv in rec['final'].items()), rec['cpuSeconds']), file=sys.stderr, flush=True)
    finally:
        if pool:
            pool.terminate() if len(runs) < len(jobs) else pool.close()
            pool.join()
    runs.sort(key=lambda r: (tasks.index(r['task']), r['depth'], r['seed'], ARCHS.index(r['arch'])))
    summary = []
    for ti, t in enumerate(tasks):
        task = Task(t, table[t], 1, DTYPE)
        metrics = [task.primary] + (['sup'] if task.primary == 'mae' else ['seqErr'])
        for depth in depths:
            for metric in metrics:
                pick = lambda arch: [r['final'][metric] for r in runs if r['task'] == t and r['depth'] == depth and r['arch'] == arch]
                s = paired_summary(pick('standard'), pick('macaron'), seed=ti * 100 + depth)
                summary.append({'task': t, 'depth': depth, 'metric': metric, 'primary': metric == task.primary, **s})
    cpu = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {
        'format': FORMAT, 'version': VERSION,
        'command': ' '.join(['/usr/bin/python3', 'scripts/macaron-vs-standard.py'] + sys.argv[1:]),
        'config': {'budget': budget, 'hyper': HP, 'dtype': 'float32', 'depths': depths, 'archs': list(ARCHS),
                   'tasks': {t: table[t] for t in tasks}, 'primaryMetric': {t: Task(t, table[t], 1, DTYPE).primary for t in tasks},
                   'difference': 'metric(macaron) - metric(standard), paired by seed; negative favours Macaron',
                   'level': LEVEL, 'bootstrapResamples': BOOTSTRAP_RESAMPLES},
        'paramCounts': counts,
        'runs': runs,
        'summary': summary,
        'timing': {'wallSeconds': round(time.time() - w0, 1),
                   'cpuSeconds': round(sum(r.ru_utime + r.ru_stime for r in cpu), 1),
                   'runCpuSeconds': round(sum(r['cpuSeconds'] for r in runs), 1), 'jobs': a.jobs,
                   'loadAverageStart': [round(x, 2) for x in load0], 'loadAverageEnd': [round(x, 2) for x in os.getloadavg()],
                   'cpus': os.cpu_count(), 'torch': torch.__version__, 'python': platform.python_version(),
                   'blas': blas_library(), 'machine': platform.machine()},
    }
    tmp = a.out + '.tmp'
    with open(tmp, 'w') as fh:
        json.dump(out, fh, indent=1)
        fh.write('\n')
    os.replace(tmp, a.out)
    print('wrote %s: %d runs, wall %.1f s, cpu %.1f s' % (a.out, len(runs), out['timing']['wallSeconds'], out['timing']['cpuSeconds']),
          file=sys.stderr)
    for s in summary:
        if s['primary']:
            ci = s['tInterval']
            print('%-8s depth %d %-4s std %.4g  mac %.4g  diff %+.4g  %s' % (
                s['task'], s['depth'], s['metric'], s['meanStandard'], s['meanMacaron'], s['meanDiff'],
                '[%+.4g, %+.4g]' % tuple(ci) if ci else '(one pair: no interval)'))


if __name__ == '__main__':
    main()
