"""The two layer types, the network around them, and the exact parameter accounting.

Standard layer (pre-LN): PyTorch's own `nn.TransformerEncoderLayer(D, H, hidden, dropout=0,
activation='relu', batch_first=True, norm_first=True)`:
    Z¹ = Z + MHA(LN₁(Z)),  Z² = Z¹ + FFN(LN₂(Z¹)),  FFN(z) = W₂ ReLU(W₁ z + b₁) + b₂, width `hidden`.
Macaron layer (pre-LN), docs/math.md §1 layout "macaron":
    Z¹ = Z + ½FFN_a(LN_a(Z)),  Z² = Z¹ + MHA(LN_m(Z¹)),  Z³ = Z² + ½FFN_b(LN_b(Z²)),
with FFN_a, FFN_b of width hidden/2 each (the paper's half width) and the same `nn.MultiheadAttention`.

Parameter accounting (asserted equal by `param_counts`): the attention is identical (3D²+3D in-proj,
D²+D out-proj). The FFN weights match exactly (2·(D·h/2 + h/2·D) = 2·D·h) and so do the hidden biases
(2·h/2 = h). What differs: the Macaron layer has a second output bias (+D) and a third LayerNorm. The
Macaron LayerNorms therefore carry a gain γ only, no shift β: 3 gains + 2 output biases = 5D, exactly
the standard layer's 2·(γ, β) + 1 output bias = 5D. Dropping β loses no function: each LN feeds a
linear map with a bias (in-proj or linear1), and W(γ⊙u + β) + b = W(γ⊙u) + (Wβ + b), so every
full-affine Macaron layer is one of these with the same outputs (only the optimiser's coordinates
differ). Embedding, positions and readout are the same modules in both networks, counted in both.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

LN_EPS = 1e-5


class GainLayerNorm(nn.Module):
    """LayerNorm with a gain and no shift (see the module docstring for why the shift is redundant)."""

    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), self.weight, None, LN_EPS)


class FFN(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.linear1 = nn.Linear(d, hidden)
        self.linear2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.linear2(F.relu(self.linear1(x)))


class MacaronLayer(nn.Module):
    """Z¹ = Z + ½FFN_a(LN_a Z), Z² = Z¹ + MHA(LN_m Z¹), Z³ = Z² + ½FFN_b(LN_b Z²)."""

    def __init__(self, d, heads, hidden_half):
        super().__init__()
        self.norm_a = GainLayerNorm(d)
        self.ffn_a = FFN(d, hidden_half)
        self.norm_m = GainLayerNorm(d)
        self.self_attn = nn.MultiheadAttention(d, heads, dropout=0.0, batch_first=True)
        self.norm_b = GainLayerNorm(d)
        self.ffn_b = FFN(d, hidden_half)

    def forward(self, z):
        z = z + 0.5 * self.ffn_a(self.norm_a(z))
        y = self.norm_m(z)
        z = z + self.self_attn(y, y, y, need_weights=False)[0]
        return z + 0.5 * self.ffn_b(self.norm_b(z))


def standard_layer(d, heads, hidden):
    return nn.TransformerEncoderLayer(d, heads, dim_feedforward=hidden, dropout=0.0, activation='relu',
                                      batch_first=True, norm_first=True)


class Net(nn.Module):
    """embed (+ learned positions `pos` [n, D]) → `depth` layers → readout, no final LayerNorm (as in
    docs/math.md §1 and `uat import torch`'s module). Tokens: `nn.Embedding(V, D)`, readout to V
    logits; real inputs: `nn.Linear(dIn, D)`, readout to dOut."""

    def __init__(self, arch, depth, task, d, heads, hidden, pos_std):
        super().__init__()
        if task['kind'] == 'tokens':
            self.embed = nn.Embedding(task['V'], d)
            out = task['V']
        else:
            self.embed = nn.Linear(task['dIn'], d)
            out = task['dOut']
        self.pos = nn.Parameter(pos_std * torch.randn(task['n'], d))
        if arch == 'standard':
            self.layers = nn.ModuleList([standard_layer(d, heads, hidden) for _ in range(depth)])
        elif arch == 'macaron':
            assert hidden % 2 == 0, 'the Macaron FFNs are half width: hidden must be even'
            self.layers = nn.ModuleList([MacaronLayer(d, heads, hidden // 2) for _ in range(depth)])
        else:
            raise ValueError('arch: expected standard or macaron, found %r' % arch)
        self.readout = nn.Linear(d, out)

    def forward(self, x):
        z = self.embed(x) + self.pos
        for layer in self.layers:
            z = layer(z)
        return self.readout(z)


def param_counts(net):
    """Trainable parameters by group: embed, pos, readout, and per layer attention / ffn / ln."""
    groups = {'embed': 0, 'pos': 0, 'readout': 0, 'attention': 0, 'ffnWeights': 0, 'ffnHiddenBiases': 0,
              'ffnOutputBiases': 0, 'layerNorm': 0}
    for name, p in net.named_parameters():
        k = p.numel()
        if name.startswith('embed.'):
            groups['embed'] += k
        elif name == 'pos':
            groups['pos'] += k
        elif name.startswith('readout.'):
            groups['readout'] += k
        elif '.self_attn.' in name:
            groups['attention'] += k
        elif '.norm' in name:
            groups['layerNorm'] += k
        elif name.endswith('.weight') and '.linear' in name:
            groups['ffnWeights'] += k
        elif name.endswith('linear1.bias'):
            groups['ffnHiddenBiases'] += k
        elif name.endswith('linear2.bias'):
            groups['ffnOutputBiases'] += k
        else:
            raise AssertionError('parameter %s in no group' % name)
    groups['total'] = sum(p.numel() for p in net.parameters())
    assert groups['total'] == sum(v for k, v in groups.items() if k != 'total')
    return groups


def assert_equal_counts(std, mac, where):
    """The two networks' totals must be equal, and so must the per-layer part (everything but the
    embedding, positions and readout, which are the same modules)."""
    layer = lambda g: g['attention'] + g['ffnWeights'] + g['ffnHiddenBiases'] + g['ffnOutputBiases'] + g['layerNorm']
    if std['total'] != mac['total'] or layer(std) != layer(mac):
        raise AssertionError('%s: parameter counts differ: standard %r, macaron %r' % (where, std, mac))
