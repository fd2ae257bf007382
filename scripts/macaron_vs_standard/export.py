"""Export of a trained single-layer standard network in the module layout `uat import torch` reads
(issue 11): children `embed: nn.Linear(dIn, D)`, `layer: nn.TransformerEncoderLayer(D, H, hidden,
dropout=0, activation='relu', batch_first=True, norm_first=True)`, `readout: nn.Linear(D, dOut)`, and
the parameter `pos` [n, D]; the state_dict saved as safetensors with the plain PyTorch names
(`embed.weight`, `layer.self_attn.in_proj_weight`, `layer.linear1.weight`, `layer.norm1.weight`, …).
The training network names its only layer `layers.0`; the export renames it to `layer`, loads the
result into that module (strict: the same names and shapes, nothing missing, nothing extra) and
checks that both give bit-identical outputs before writing.
"""
import json
import torch
import torch.nn as nn
from .models import standard_layer
from .safetensors import write_safetensors, read_safetensors


class ImportModule(nn.Module):
    """The module of `uat import torch`."""

    def __init__(self, d_in, d, heads, hidden, d_out, n):
        super().__init__()
        self.embed = nn.Linear(d_in, d)
        self.pos = nn.Parameter(torch.zeros(n, d))
        self.layer = standard_layer(d, heads, hidden)
        self.readout = nn.Linear(d, d_out)

    def forward(self, x):
        return self.readout(self.layer(self.embed(x) + self.pos))


def export_single_layer(net, task_spec, hp, path, metadata):
    if len(net.layers) != 1 or not isinstance(net.layers[0], nn.TransformerEncoderLayer):
        raise ValueError('export: a single standard layer is required')
    state = {(('layer.' + k[len('layers.0.'):]) if k.startswith('layers.0.') else k): v.detach().clone()
             for k, v in net.state_dict().items()}
    mod = ImportModule(task_spec['dIn'], hp['D'], hp['heads'], hp['hidden'], task_spec['dOut'], task_spec['n'])
    mod.load_state_dict(state, strict=True)
    x = 2 * torch.rand((64, task_spec['n'], task_spec['dIn']), generator=torch.Generator().manual_seed(0)) - 1
    net.eval(), mod.eval()
    with torch.no_grad():
        if not torch.equal(net(x), mod(x)):
            raise AssertionError('export: the renamed module does not reproduce the trained network')
    names = list(mod.state_dict().keys())
    meta = dict(metadata, source='scripts/macaron-vs-standard.py', module=json.dumps({
        'embed': 'nn.Linear(%d, %d)' % (task_spec['dIn'], hp['D']), 'pos': [task_spec['n'], hp['D']],
        'layer': "nn.TransformerEncoderLayer(%d, %d, dim_feedforward=%d, dropout=0, activation='relu', batch_first=True, norm_first=True)"
                 % (hp['D'], hp['heads'], hp['hidden']),
        'readout': 'nn.Linear(%d, %d)' % (hp['D'], task_spec['dOut'])}, sort_keys=True),
        n=str(task_spec['n']), heads=str(hp['heads']), norm_first='true')
    write_safetensors(path, [(k, state[k].numpy()) for k in names], meta)
    back, _ = read_safetensors(path)
    assert list(back.keys()) == names and all(torch.equal(torch.from_numpy(back[k].copy()), state[k]) for k in names)
    return names
