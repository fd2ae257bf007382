#!/usr/bin/python3
"""PyTorch side of uat's interop (docs/interop.md). Run with Debian's interpreter, /usr/bin/python3,
which has python3-torch (PyTorch 1.13) and python3-onnx; everything is float64 on the CPU.

  versions                       prints {"torch": ..., "onnx": ...} (exit 3 if torch is missing)
  oracle JOBS.json               the PyTorch oracle for uat files: JOBS = [{"model": uat.safetensors,
                                 "inputs": [X, ...]}]; builds each layer from torch.nn (nn.Linear,
                                 nn.MultiheadAttention where it applies, nn.LayerNorm, nn.ReLU) and
                                 prints [{"outputs": [Y, ...], "attention": "nn.MultiheadAttention"|...}]
  make-state SPEC.json           (SPEC an object or a list of them) builds the module of `uat import torch` (TorchLayerModel below) with
                                 seeded random weights, saves its state_dict as safetensors (SPEC.out,
                                 dtype SPEC.dtype), optionally exports it to ONNX (SPEC.onnx, opset 17)
                                 and prints the module's outputs on SPEC.inputs
  run-state SPEC.json            loads a state_dict file into TorchLayerModel and prints its outputs
  eval-target SPEC.json          evaluates a uat target spec (mathjs subset) at SPEC.points

The safetensors reader and writer here are a few lines of struct/json (the `safetensors` package is
not a Debian package): 8-byte little-endian header length N, N bytes of JSON, the raw buffer.
"""
import copy
import json
import math
import struct
import sys

import numpy as np

try:
    import torch
    import torch.nn as nn
except ImportError as e:  # the tests turn this into a visible skip (or a failure with UAT_REQUIRE_TORCH=1)
    if __name__ == '__main__':
        sys.stderr.write('uat_torch.py: PyTorch is not importable from %s: %s\n' % (sys.executable, e))
        sys.exit(3)
    raise

torch.set_default_dtype(torch.float64)
DTYPES = {'F64': ('<f8', torch.float64), 'F32': ('<f4', torch.float32)}


def read_safetensors(path):
    """Returns (metadata dict or None, {name: float64 torch tensor}); F32 is widened exactly."""
    with open(path, 'rb') as fh:
        data = fh.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    buf = data[8 + n:]
    meta = header.pop('__metadata__', None)
    out = {}
    for name, e in header.items():
        b, en = e['data_offsets']
        arr = np.frombuffer(buf[b:en], dtype=DTYPES[e['dtype']][0]).astype(np.float64)
        out[name] = torch.from_numpy(arr.reshape(e['shape']).copy())
    return meta, out


def write_safetensors(path, tensors, metadata=None, dtype='F64'):
    """tensors: {name: tensor}, written in sorted-name order as dtype F64 or F32."""
    header, chunks, off = {}, [], 0
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        raw = tensors[name].detach().to(DTYPES[dtype][1]).contiguous().numpy().astype(DTYPES[dtype][0]).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(tensors[name].shape), 'data_offsets': [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    js = json.dumps(header, separators=(',', ':')).encode('utf-8')
    js += b' ' * ((8 - len(js) % 8) % 8)
    with open(path, 'wb') as fh:
        fh.write(struct.pack('<Q', len(js)) + js + b''.join(chunks))


def linear(w, b):
    """nn.Linear holding the given [out, in] weight and [out] bias."""
    m = nn.Linear(w.shape[1], w.shape[0])
    with torch.no_grad():
        m.weight.copy_(w)
        m.bias.copy_(b)
    return m


class GeneralAttention(nn.Module):
    """Multi-head attention for head sizes nn.MultiheadAttention cannot express (d_k, d_v ≠ D/H, or
    a scale other than 1/sqrt(d_k)): nn.Linear projections, torch.softmax, torch.matmul."""

    def __init__(self, T, H, dK, dV, scale):
        super().__init__()
        D = T['attn.o.weight'].shape[0]
        self.H, self.dK, self.dV, self.scale = H, dK, dV, scale
        self.q = linear(T['attn.q.weight'].reshape(H * dK, D), T['attn.q.bias'].reshape(-1))
        self.k = linear(T['attn.k.weight'].reshape(H * dK, D), T['attn.k.bias'].reshape(-1))
        self.v = linear(T['attn.v.weight'].reshape(H * dV, D), T['attn.v.bias'].reshape(-1))
        self.o = linear(T['attn.o.weight'], T['attn.o.bias'])

    def forward(self, z):  # z [B, n, D]
        B, n, _ = z.shape
        q = self.q(z).reshape(B, n, self.H, self.dK).transpose(1, 2)  # [B, H, n, dK]
        k = self.k(z).reshape(B, n, self.H, self.dK).transpose(1, 2)
        v = self.v(z).reshape(B, n, self.H, self.dV).transpose(1, 2)
        a = torch.softmax(self.scale * torch.matmul(q, k.transpose(-1, -2)), dim=-1)  # [B, H, n, n]
        return self.o(torch.matmul(a, v).transpose(1, 2).reshape(B, n, self.H * self.dV))


class TorchMHA(nn.Module):
    """nn.MultiheadAttention (batch_first) with uat's per-head weights stacked into in_proj."""

    def __init__(self, T, H):
        super().__init__()
        D = T['attn.o.weight'].shape[0]
        self.mha = nn.MultiheadAttention(D, H, dropout=0.0, bias=True, batch_first=True)
        with torch.no_grad():
            self.mha.in_proj_weight.copy_(torch.cat([T['attn.%s.weight' % p].reshape(D, D) for p in 'qkv'], 0))
            self.mha.in_proj_bias.copy_(torch.cat([T['attn.%s.bias' % p].reshape(D) for p in 'qkv'], 0))
            self.mha.out_proj.weight.copy_(T['attn.o.weight'])
            self.mha.out_proj.bias.copy_(T['attn.o.bias'])

    def forward(self, z):
        return self.mha(z, z, z, need_weights=False)[0]


def ffn(T, prefix, widths):
    layers = []
    for l in range(len(widths) - 1):
        layers.append(linear(T['%s.%d.weight' % (prefix, l)], T['%s.%d.bias' % (prefix, l)]))
        if l + 2 < len(widths):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class UatLayer(nn.Module):
    """docs/math.md §1 from torch.nn: embedding (+ positions), standard or Macaron layer with LayerNorm
    none/pre/post, readout. Input [B, n, dIn], output [B, n, dOut]."""

    def __init__(self, cfg, T):
        super().__init__()
        D, H, dK, dV = cfg['dModel'], cfg['heads'], cfg['dK'], cfg['dV']
        scale = cfg.get('scale', 1 / math.sqrt(dK))
        self.cfg = cfg
        self.embed = linear(T['embed.weight'], T['embed.bias'])
        self.pos = nn.Parameter(T['pos'].clone()) if cfg.get('positional') else None
        self.uses_mha = dK == dV and dK * H == D and scale == 1 / math.sqrt(dK)
        self.attn = TorchMHA(T, H) if self.uses_mha else GeneralAttention(T, H, dK, dV, scale)
        widths = [D] + list(cfg['ffnHidden']) + [D]
        self.macaron = cfg.get('layout', 'standard') == 'macaron'
        self.ffns = nn.ModuleList([ffn(T, p, widths) for p in (['ffn_a', 'ffn_b'] if self.macaron else ['ffn'])])
        self.ln = cfg.get('layerNorm', 'none')
        nln = 0 if self.ln == 'none' else (3 if self.macaron else 2)
        self.lns = nn.ModuleList()
        for k in range(1, nln + 1):
            m = nn.LayerNorm(D, eps=cfg.get('lnEps', 1e-5))
            with torch.no_grad():
                m.weight.copy_(T['ln%d.weight' % k])
                m.bias.copy_(T['ln%d.bias' % k])
            self.lns.append(m)
        self.readout = linear(T['readout.weight'], T['readout.bias'])

    def residual(self, k, z, s, F):
        if self.ln == 'pre':
            f = F(self.lns[k](z))
            return z + (f if s == 1 else s * f)
        f = F(z)
        y = z + (f if s == 1 else s * f)
        return self.lns[k](y) if self.ln == 'post' else y

    def forward(self, x):
        z = self.embed(x)
        if self.pos is not None:
            z = z + self.pos
        if self.macaron:
            z = self.residual(0, z, 0.5, self.ffns[0])
            z = self.residual(1, z, 1, self.attn)
            z = self.residual(2, z, 0.5, self.ffns[1])
        else:
            z = self.residual(0, z, 1, self.attn)
            z = self.residual(1, z, 1, self.ffns[0])
        return self.readout(z)


def load_uat(path):
    meta, T = read_safetensors(path)
    if meta is None or meta.get('format') != 'uat-transformer':
        raise SystemExit('%s: not a uat weights file' % path)
    cfg = json.loads(meta['config'])
    return UatLayer(cfg, T).eval()


class TorchLayerModel(nn.Module):
    """The module `uat import torch` reads: embed, layer (nn.TransformerEncoderLayer), readout, pos."""

    def __init__(self, n, dIn, D, H, F, dOut, norm_first, pos=True, eps=1e-5, pos3d=False):
        super().__init__()
        self.embed = nn.Linear(dIn, D)
        self.layer = nn.TransformerEncoderLayer(D, H, dim_feedforward=F, dropout=0.0, activation='relu',
                                                batch_first=True, norm_first=norm_first, layer_norm_eps=eps)
        self.readout = nn.Linear(D, dOut)
        if pos:
            self.pos = nn.Parameter(torch.zeros(1, n, D) if pos3d else torch.zeros(n, D))

    def forward(self, x):
        z = self.embed(x)
        if hasattr(self, 'pos'):
            z = z + self.pos
        return self.readout(self.layer(z))


# --- target specs (docs/design.md "Target spec"; the syntax of src/target-map/README.md) ----------
# A small, safe evaluator for the whitelisted mathjs subset: the expression is tokenised, implicit
# products `2x1_1` get their `*`, `^` becomes `**`, and Python's ast is checked node by node against
# the whitelist before anything is evaluated (no eval of arbitrary code). Evaluation is on torch
# tensors (one row per sample), so the training script can resample the target anywhere. uat's own
# parser (src/target-map) stays the reference: `uat verify` certifies against it, and a test compares
# the two evaluations.
import ast
import re

TARGET_FUNCS = {'sin': torch.sin, 'cos': torch.cos, 'tan': torch.tan, 'exp': torch.exp, 'log': torch.log,
                'sqrt': torch.sqrt, 'abs': torch.abs, 'tanh': torch.tanh}
TOKEN = re.compile(r'\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|(\*\*|[-+*/^(),]))')


def _translate(src):
    out, pos, prev_num = [], 0, False
    src = src.strip()
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise ValueError('unexpected character at column %d of %r' % (pos + 1, src))
        num, ident, op = m.groups()
        if ident is not None and prev_num:
            out.append('*')  # implicit product <number><variable or constant>
        out.append(num or ident or ('**' if op == '^' else op))
        prev_num = num is not None
        pos = m.end()
    return ' '.join(out)


def compile_target_expr(src, n, d_in):
    """Returns f(X) for X [batch, n, dIn] (float64 tensor) → [batch]."""
    tree = ast.parse(_translate(src), mode='eval')
    var = re.compile(r'^x([1-9]\d*)_([1-9]\d*)$')
    callees = {id(c.func) for c in ast.walk(tree) if isinstance(c, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)):
            continue
        if isinstance(node, ast.BinOp) or isinstance(node, ast.UnaryOp):
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            continue
        if isinstance(node, ast.Name):
            mv = var.match(node.id)
            if node.id in ('pi', 'e') or (mv and int(mv.group(1)) <= n and int(mv.group(2)) <= d_in):
                continue
            if (node.id in TARGET_FUNCS or node.id in ('min', 'max', 'pow')) and id(node) in callees:
                continue
            raise ValueError('unknown symbol %r in %r' % (node.id, src))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            k, a = node.func.id, len(node.args)
            if (k in TARGET_FUNCS and a == 1) or (k == 'pow' and a == 2) or (k in ('min', 'max') and a >= 2):
                continue
        raise ValueError('%s is not allowed in a target expression (%r)' % (type(node).__name__, src))
    code = compile(tree, '<target>', 'eval')

    def f(X):
        env = {'pi': math.pi, 'e': math.e, 'pow': torch.pow, **TARGET_FUNCS,
               'min': lambda *a: _fold(torch.minimum, a), 'max': lambda *a: _fold(torch.maximum, a)}
        for i in range(n):
            for c in range(d_in):
                env['x%d_%d' % (i + 1, c + 1)] = X[:, i, c]
        v = eval(code, {'__builtins__': {}}, env)
        return v if torch.is_tensor(v) else torch.full((X.shape[0],), float(v))
    return f


def _fold(op, args):
    r = torch.as_tensor(args[0])
    for a in args[1:]:
        r = op(r, torch.as_tensor(a))
    return r


def load_target(path):
    """A uat target spec: {'n', 'dIn', 'dOut', 'lo', 'hi' ([n, dIn] tensors), 'f': X -> [batch, n, dOut]}."""
    spec = json.load(open(path))
    n, d_in, d_out = spec['n'], spec['dIn'], spec['dOut']
    lo, hi = (torch.tensor(spec['domain'][k], dtype=torch.float64) for k in ('lo', 'hi'))
    lo, hi = (v.expand(n, d_in).clone() if v.dim() == 1 else v for v in (lo, hi))
    fs = [[compile_target_expr(spec['f'][i][c], n, d_in) for c in range(d_out)] for i in range(n)]

    def f(X):
        return torch.stack([torch.stack([fs[i][c](X) for c in range(d_out)], -1) for i in range(n)], 1)
    return {'n': n, 'dIn': d_in, 'dOut': d_out, 'lo': lo, 'hi': hi, 'f': f, 'spec': spec}


def cmd_eval_target(spec_path):
    """SPEC = {"target": path, "points": [X, ...]} (or a list of them): prints the target at each
    point, one [n][dOut] matrix per X (a list of such lists for a list of specs)."""
    spec = json.load(open(spec_path))
    ev = lambda s: load_target(s['target'])['f'](torch.tensor(s['points'], dtype=torch.float64)).tolist()  # noqa: E731
    json.dump([ev(s) for s in spec] if isinstance(spec, list) else ev(spec), sys.stdout)


def run_inputs(module, inputs):
    with torch.no_grad():
        X = torch.tensor(inputs, dtype=torch.float64)
        return module(X).tolist()


def cmd_oracle(jobs_path):
    jobs = json.load(open(jobs_path))
    out = []
    for job in jobs:
        m = load_uat(job['model'])
        out.append({'outputs': run_inputs(m, job['inputs']),
                    'attention': 'nn.MultiheadAttention' if m.uses_mha else 'nn.Linear+softmax'})
    json.dump(out, sys.stdout)


def state_module(spec):
    return TorchLayerModel(spec['n'], spec['dIn'], spec['D'], spec['H'], spec['F'], spec['dOut'],
                           spec['norm_first'], spec.get('pos', True), spec.get('eps', 1e-5), spec.get('pos3d', False))


def make_state(spec):
    torch.manual_seed(spec['seed'])
    m = state_module(spec)
    with torch.no_grad():  # PyTorch inits LN to (1, 0) and pos to 0: perturb them so they matter
        for p in m.parameters():
            if p.dim() == 1 and p.shape[0] == spec['D'] or p is getattr(m, 'pos', None):
                p.add_(0.3 * torch.randn_like(p))
        if spec.get('gain', 1) != 1:
            for p in m.parameters():
                p.mul_(spec['gain'])
    dtype = spec.get('dtype', 'F64')
    if dtype == 'F32':  # the module then holds the float32-rounded values (exactly what the file stores)
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(p.to(torch.float32).to(torch.float64))
    m.eval()
    write_safetensors(spec['out'], m.state_dict(), spec.get('metadata'), dtype)
    if spec.get('onnx'):
        x = torch.tensor(spec['inputs'][0] if spec.get('unbatched') else spec['inputs'][:spec.get('export_batch', 1)],
                         dtype=torch.float64)
        f32 = spec.get('onnx_dtype', 'F64') == 'F32'
        mod = copy.deepcopy(m).float() if f32 else m
        xx = x.float() if f32 else x
        dyn = {'x': {0: 'batch'}, 'y': {0: 'batch'}} if spec.get('dynamic_batch') else None
        torch.onnx.export(mod, (xx,), spec['onnx'], opset_version=17, input_names=['x'], output_names=['y'],
                          dynamic_axes=dyn)
    return {'outputs': run_inputs(m, spec['inputs'])}


def cmd_make_state(spec_path):
    spec = json.load(open(spec_path))
    json.dump([make_state(s) for s in spec] if isinstance(spec, list) else make_state(spec), sys.stdout)


def cmd_run_state(spec_path):
    spec = json.load(open(spec_path))
    meta, T = read_safetensors(spec['state'])
    m = state_module(spec)
    m.load_state_dict(T, strict=True)
    json.dump({'outputs': run_inputs(m.eval(), spec['inputs'])}, sys.stdout)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    cmd = argv[1]
    if cmd == 'versions':
        try:
            import onnx
            ov = onnx.__version__
        except ImportError:
            ov = None
        json.dump({'torch': torch.__version__, 'onnx': ov, 'python': sys.version.split()[0]}, sys.stdout)
    elif cmd == 'oracle':
        cmd_oracle(argv[2])
    elif cmd == 'make-state':
        cmd_make_state(argv[2])
    elif cmd == 'run-state':
        cmd_run_state(argv[2])
    elif cmd == 'eval-target':
        cmd_eval_target(argv[2])
    else:
        raise SystemExit('unknown command %r\n%s' % (cmd, __doc__))


if __name__ == '__main__':
    main(sys.argv)
