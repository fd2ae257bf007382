#!/usr/bin/env python3
"""An independent implementation of docs/math.md §1 (pure Python standard library, no numpy), used by
property-tests/cross-python.test.ts as a second oracle for `uat run --json`.

  write <config.json> <seed> <out.safetensors>  writes a safetensors file with its own writer:
      tensors in reverse-sorted key order, __metadata__ last, no header padding, alternating
      F32/F64 dtypes, random weights from Python's `random` module.
  forward <model.safetensors> <input.json>      prints the layer's output as JSON.
"""
import json, math, random, struct, sys


def read_safetensors(path):
    with open(path, 'rb') as fh:
        data = fh.read()
    (hlen,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + hlen].decode('utf-8'))
    buf = data[8 + hlen:]
    meta = header.pop('__metadata__')
    tensors = {}
    for name, e in header.items():
        b, en = e['data_offsets']
        raw = buf[b:en]
        fmt = {'F64': 'd', 'F32': 'f'}[e['dtype']]
        vals = list(struct.unpack('<%d%s' % (len(raw) // struct.calcsize(fmt), fmt), raw))
        tensors[name] = (e['shape'], vals)
    return json.loads(meta['config']), tensors


def expected(c):
    D, out = c['dModel'], []
    out += [('embed.weight', [D, c['dIn']]), ('embed.bias', [D])]
    if c.get('positional'):
        out.append(('pos', [c['n'], D]))
    H, dk, dv = c['heads'], c['dK'], c['dV']
    for p, d in (('q', dk), ('k', dk), ('v', dv)):
        out += [('attn.%s.weight' % p, [H, d, D]), ('attn.%s.bias' % p, [H, d])]
    out += [('attn.o.weight', [D, H * dv]), ('attn.o.bias', [D])]
    blocks = ['ffn_a', 'ffn_b'] if c.get('layout') == 'macaron' else ['ffn']
    for bl in blocks:
        w = [D] + c['ffnHidden'] + [D]
        for l in range(len(w) - 1):
            out += [('%s.%d.weight' % (bl, l), [w[l + 1], w[l]]), ('%s.%d.bias' % (bl, l), [w[l + 1]])]
    nln = 0 if c.get('layerNorm', 'none') == 'none' else (3 if c.get('layout') == 'macaron' else 2)
    for k in range(1, nln + 1):
        out += [('ln%d.weight' % k, [D]), ('ln%d.bias' % k, [D])]
    out += [('readout.weight', [c['dOut'], D]), ('readout.bias', [c['dOut']])]
    return out


def write(cfg_path, seed, out_path):
    c = json.load(open(cfg_path))
    rnd = random.Random(int(seed))
    entries, chunks, off = {}, [], 0
    items = expected(c)
    for idx, (name, shape) in enumerate(sorted(items, reverse=True)):
        size = 1
        for s in shape:
            size *= s
        if name.startswith('ln') and name.endswith('weight'):
            vals = [1 + 0.2 * rnd.uniform(-1, 1) for _ in range(size)]
        else:
            vals = [rnd.uniform(-1, 1) / math.sqrt(max(1, shape[-1])) for _ in range(size)]
        dt = 'F32' if idx % 2 else 'F64'
        raw = struct.pack('<%d%s' % (size, 'f' if dt == 'F32' else 'd'), *vals)
        entries[name] = {'dtype': dt, 'shape': shape, 'data_offsets': [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    entries['__metadata__'] = {'format': 'uat-transformer', 'version': '1', 'config': json.dumps(c)}
    hdr = json.dumps(entries).encode('utf-8')
    with open(out_path, 'wb') as fh:
        fh.write(struct.pack('<Q', len(hdr)) + hdr + b''.join(chunks))


def forward(model_path, input_path):
    c, T = read_safetensors(model_path)
    X = json.load(open(input_path))
    n, D, H, dk, dv = c['n'], c['dModel'], c['heads'], c['dK'], c['dV']
    scale = c.get('scale', 1 / math.sqrt(dk))
    eps = c.get('lnEps', 1e-5)
    t = lambda name: T[name][1]

    def aff(W, b, out, z, woff=0, boff=0):
        k = len(z)
        return [math.fsum([W[woff + o * k + j] * z[j] for j in range(k)] + [b[boff + o]]) for o in range(out)]

    def ln(k, z):
        mu = math.fsum(z) / D
        var = math.fsum([(x - mu) ** 2 for x in z]) / D
        g, b = t('ln%d.weight' % k), t('ln%d.bias' % k)
        return [g[j] * (z[j] - mu) / math.sqrt(var + eps) + b[j] for j in range(D)]

    def mha(Zs):
        res = []
        q = [[aff(t('attn.q.weight'), t('attn.q.bias'), dk, z, h * dk * D, h * dk) for h in range(H)] for z in Zs]
        k = [[aff(t('attn.k.weight'), t('attn.k.bias'), dk, z, h * dk * D, h * dk) for h in range(H)] for z in Zs]
        v = [[aff(t('attn.v.weight'), t('attn.v.bias'), dv, z, h * dv * D, h * dv) for h in range(H)] for z in Zs]
        for i in range(n):
            cat = []
            for h in range(H):
                s = [scale * math.fsum([q[i][h][r] * k[j][h][r] for r in range(dk)]) for j in range(n)]
                m = max(s)
                e = [math.exp(x - m) for x in s]
                tot = math.fsum(e)
                a = [x / tot for x in e]
                cat += [math.fsum([a[j] * v[j][h][r] for j in range(n)]) for r in range(dv)]
            res.append(aff(t('attn.o.weight'), t('attn.o.bias'), D, cat))
        return res

    def ffn(p):
        def f(Zs):
            w = [D] + c['ffnHidden'] + [D]
            out = []
            for z in Zs:
                h = z
                for l in range(len(w) - 1):
                    h = aff(t('%s.%d.weight' % (p, l)), t('%s.%d.bias' % (p, l)), w[l + 1], h)
                    if l + 2 < len(w):
                        h = [max(x, 0.0) for x in h]
                out.append(h)
            return out
        return f

    Z = []
    for i in range(n):
        z = aff(t('embed.weight'), t('embed.bias'), D, X[i])
        if c.get('positional'):
            z = [z[j] + t('pos')[i * D + j] for j in range(D)]
        Z.append(z)
    lnp = c.get('layerNorm', 'none')
    steps = [(0.5, ffn('ffn_a')), (1.0, mha), (0.5, ffn('ffn_b'))] if c.get('layout') == 'macaron' else [(1.0, mha), (1.0, ffn('ffn'))]
    for k, (s, F) in enumerate(steps, start=1):
        inp = [ln(k, z) for z in Z] if lnp == 'pre' else Z
        f = F(inp)
        Z = [[Z[i][j] + s * f[i][j] for j in range(D)] for i in range(n)]
        if lnp == 'post':
            Z = [ln(k, z) for z in Z]
    Y = [aff(t('readout.weight'), t('readout.bias'), c['dOut'], z) for z in Z]
    print(json.dumps(Y))


if __name__ == '__main__':
    if sys.argv[1] == 'write':
        write(*sys.argv[2:5])
    elif sys.argv[1] == 'forward':
        forward(*sys.argv[2:4])
    else:
        sys.exit('usage: independent_forward.py write CONFIG SEED OUT | forward MODEL INPUT')
