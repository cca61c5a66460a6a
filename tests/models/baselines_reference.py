#!/usr/bin/python3
"""PyTorch references of the five baselines of SPEC 11 (docs/baselines.md) and writer of their fixtures.

Run with Debian's torch: /usr/bin/python3 tests/models/baselines_reference.py
Written from the docs with dense torch maths (dense adjacency and Laplacian matrices, torch.nn.GRUCell and LSTMCell,
F.conv1d for ASTGCN's temporal convolution), so it shares no structure with the C# code (CSR graphs, block-diagonal
batches, one weight matrix per gate). For each model and job shape it writes, under tests/fixtures/baselines/,
<model>.<shape>.model.safetensors     parameters (F64) + metadata architecture, config, tasks
<model>.<shape>.expected.safetensors  snapshots [B, L, n, D], edges [m, 2] (parent, child), order [n] (topological,
                                      smallest ready task first), dy [B*n], m [B*n] and grad.<param> of sum(m * dy)
Everything is float64, drawn from a fixed seed per (model, shape), so re-running reproduces the files.
"""
import json
import math
import os
import sys
import zlib

import torch
import torch.nn.functional as F
import torch.nn.utils.stateless

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))
from make_fixtures import write_safetensors  # noqa: E402

OUT_DIR = os.path.join(HERE, "..", "fixtures", "baselines")
torch.set_default_dtype(torch.float64)

L, D, H, B = 4, 3, 5, 2
ATTENTION, EMBEDDING = 16, 16

# Job shapes: parents of each task. "diamond" has two sources, a diamond and an isolated task; "seven" is a layered DAG.
SHAPES = {
    "diamond": [[], [0], [0], [1, 2], []],
    "seven": [[], [], [0], [0, 1], [2], [3, 4], [5]],
}


def edges_of(parents):
    return [(p, i) for i, ps in enumerate(parents) for p in ps]


def adjacency(parents):
    n = len(parents)
    a = torch.zeros(n, n)
    for p, c in edges_of(parents):
        a[p, c] = a[c, p] = 1
    return a


def topological_order(parents):
    n = len(parents)
    remaining = [len(ps) for ps in parents]
    children = [[c for c in range(n) if i in parents[c]] for i in range(n)]
    ready, order = [i for i in range(n) if remaining[i] == 0], []
    while ready:
        ready.sort()
        task = ready.pop(0)
        order.append(task)
        for c in children[task]:
            remaining[c] -= 1
            if remaining[c] == 0:
                ready.append(c)
    return order


def head(h, p):
    return h @ p["head.weight"] + p["head.bias"]


def deepwave_shapes(n):
    return [("gcn.0.weight", [D, H]), ("gcn.0.bias", [H]), ("gcn.1.weight", [H, H]), ("gcn.1.bias", [H])]


def deepwave(s, parents, p):
    a = adjacency(parents) + torch.eye(len(parents))
    d = a.sum(1).rsqrt()
    prop = d[:, None] * a * d[None, :]
    h = s[:, -1]                                                   # [B, n, D]
    for layer in range(2):
        h = torch.relu(prop @ h @ p["gcn.%d.weight" % layer] + p["gcn.%d.bias" % layer])
    return head(h, p).reshape(-1)


def gate_shapes(prefix, gates, inp):
    return ([("%s.weight_ih.%s" % (prefix, g), [inp, H]) for g in gates]
            + [("%s.weight_hh.%s" % (prefix, g), [H, H]) for g in gates]
            + [("%s.bias_ih.%s" % (prefix, g), [H]) for g in gates]
            + [("%s.bias_hh.%s" % (prefix, g), [H]) for g in gates])


def cell_call(cell, prefix, gates, p, *args):
    """PyTorch's cell with its stacked [len(gates)*H, in] weights built from one [in, H] matrix per gate;
    functional_call keeps the autograd graph from the fixture's parameters into the cell."""
    params = {"weight_ih": torch.cat([p["%s.weight_ih.%s" % (prefix, g)].t() for g in gates]),
              "weight_hh": torch.cat([p["%s.weight_hh.%s" % (prefix, g)].t() for g in gates]),
              "bias_ih": torch.cat([p["%s.bias_ih.%s" % (prefix, g)] for g in gates]),
              "bias_hh": torch.cat([p["%s.bias_hh.%s" % (prefix, g)] for g in gates])}
    return torch.nn.utils.stateless.functional_call(cell, params, args)


def dream_shapes(n):
    return ([("sage.0.weight", [2 * D, H]), ("sage.0.bias", [H]), ("sage.1.weight", [2 * H, H]), ("sage.1.bias", [H])]
            + gate_shapes("gru", "rzn", H))


def dream(s, parents, p):
    a = adjacency(parents)
    degree = a.sum(1).clamp(min=1)[:, None]
    e = s.mean(1)                                                  # [B, n, D]
    for layer in range(2):
        e = torch.relu(torch.cat([e, (a @ e) / degree], -1) @ p["sage.%d.weight" % layer] + p["sage.%d.bias" % layer])
    cell = torch.nn.GRUCell(H, H)
    h = torch.zeros(s.shape[0], H)
    out = [None] * len(parents)
    for task in topological_order(parents):
        h = cell_call(cell, "gru", "rzn", p, e[:, task], h)
        out[task] = h
    return head(torch.stack(out, 1), p).reshape(-1)


def tvw_shapes(n):
    return gate_shapes("lstm", "ifgo", D + 1)


def tvw_rl(s, parents, p):
    sources = [i for i, ps in enumerate(parents) if not ps]
    g = torch.cat([s.mean(2), s[:, :, sources, 0].mean(-1, keepdim=True)], -1)   # [B, L, D + 1]
    cell = torch.nn.LSTMCell(D + 1, H)
    h = c = torch.zeros(s.shape[0], H)
    for l in range(s.shape[1]):
        h, c = cell_call(cell, "lstm", "ifgo", p, g[:, l], (h, c))
    return head(h, p)[:, None].expand(-1, len(parents)).reshape(-1)


def ccrnn_shapes(n):
    shapes = [("ccrnn.embedding", [n, EMBEDDING]), ("ccrnn.coupling.0", [EMBEDDING, EMBEDDING])]
    for layer, inp in ((0, D), (1, H)):
        for g in "ruc":
            shapes += [("ggru.%d.%s.weight" % (layer, g), [2 * (inp + H), H]), ("ggru.%d.%s.bias" % (layer, g), [H])]
    return shapes


def ccrnn(s, parents, p):
    e0 = p["ccrnn.embedding"]
    adj = [torch.softmax(torch.relu(e @ e.t()), dim=1) for e in (e0, e0 @ p["ccrnn.coupling.0"])]

    def gc(layer, gate, z):
        return torch.cat([z, adj[layer] @ z], -1) @ p["ggru.%d.%s.weight" % (layer, gate)] + p["ggru.%d.%s.bias" % (layer, gate)]

    def cell(layer, x, h):
        z = torch.cat([x, h], -1)
        r, u = torch.sigmoid(gc(layer, "r", z)), torch.sigmoid(gc(layer, "u", z))
        c = torch.tanh(gc(layer, "c", torch.cat([x, r * h], -1)))
        return u * h + (1 - u) * c

    h0 = h1 = torch.zeros(s.shape[0], len(parents), H)
    for l in range(s.shape[1]):
        h0 = cell(0, s[:, l], h0)
        h1 = cell(1, h0, h1)
    return head(h1, p).reshape(-1)


def astgcn_shapes(n):
    shapes = []
    for b, inp in ((0, D), (1, H)):
        q = "astgcn.%d" % b
        shapes += [(q + ".temporal.query", [inp, ATTENTION]), (q + ".temporal.key", [inp, ATTENTION]),
                   (q + ".spatial.query", [inp, ATTENTION]), (q + ".spatial.key", [inp, ATTENTION])]
        shapes += [(q + ".cheb.%d.weight" % k, [inp, H]) for k in range(3)]
        shapes += [(q + ".time.weight", [3 * H, H]), (q + ".time.bias", [H]),
                   (q + ".residual.weight", [inp, H]), (q + ".residual.bias", [H])]
    return shapes


def astgcn(s, parents, p):
    n = len(parents)
    a = adjacency(parents)
    degree = a.sum(1)
    inv = torch.where(degree > 0, degree.clamp(min=1).rsqrt(), torch.zeros(n))
    scaled = -(inv[:, None] * a * inv[None, :])                    # 2 (I - D^-1/2 A D^-1/2) / 2 - I
    cheb = [torch.eye(n), scaled, 2 * scaled @ scaled - torch.eye(n)]

    def attention(x, q, k):
        return torch.softmax((x @ q) @ (x @ k).t() / math.sqrt(ATTENTION), dim=1)

    outputs = []
    for t in range(s.shape[0]):
        x = s[t].permute(1, 0, 2)                                  # [n, L, C] task-major
        for b in range(2):
            q = "astgcn.%d." % b
            e = attention(x.mean(0), p[q + "temporal.query"], p[q + "temporal.key"])        # [L, L]
            xh = torch.einsum("pl,ilc->ipc", e, x)
            sp = attention(xh.mean(1), p[q + "spatial.query"], p[q + "spatial.key"])        # [n, n]
            g = torch.relu(sum(torch.einsum("ij,jlc->ilc", cheb[k] * sp, x) @ p[q + "cheb.%d.weight" % k] for k in range(3)))
            # conv1d: out[l] = sum_k w[:, :, k] . g[l + k - 1], so kernel tap k reads block k of time.weight
            w = p[q + "time.weight"].reshape(3, H, H).permute(2, 1, 0)                     # [out, in, 3]
            y = F.conv1d(g.permute(0, 2, 1), w, p[q + "time.bias"], padding=1).permute(0, 2, 1)
            x = torch.relu(x @ p[q + "residual.weight"] + p[q + "residual.bias"] + y)
        outputs.append(x[:, -1])
    return head(torch.stack(outputs), p).reshape(-1)


MODELS = {"deepwave": (deepwave_shapes, deepwave), "dream": (dream_shapes, dream), "tvw-rl": (tvw_shapes, tvw_rl),
          "astgcn": (astgcn_shapes, astgcn), "ccrnn": (ccrnn_shapes, ccrnn)}


def write_case(name, shape_name):
    shapes, forward = MODELS[name]
    parents = SHAPES[shape_name]
    n = len(parents)
    torch.manual_seed(zlib.crc32(("%s.%s" % (name, shape_name)).encode()))
    params = {}
    for pname, pshape in shapes(n) + [("head.weight", [H]), ("head.bias", [1]), ("head.log_std", [1])]:
        params[pname] = (0.5 * torch.randn(*pshape)).requires_grad_(True)
    s = 2 * torch.rand(B, L, n, D)
    dy = torch.randn(B * n)
    m = forward(s, parents, params)
    grads = torch.autograd.grad((m * dy).sum(), list(params.values()), allow_unused=True)
    config = json.dumps({"L": L, "D": D, "H": H}, separators=(",", ":"))
    model_meta = {"architecture": name, "config": config}
    if name == "ccrnn":
        model_meta["tasks"] = str(n)
    write_safetensors(os.path.join(OUT_DIR, "%s.%s.model.safetensors" % (name, shape_name)), params, model_meta)
    expected = {"snapshots": s, "dy": dy, "m": m,
                "edges": torch.tensor(edges_of(parents), dtype=torch.int32).reshape(-1, 2),
                "order": torch.tensor(topological_order(parents), dtype=torch.int32)}
    for (pname, value), g in zip(params.items(), grads):
        expected["grad." + pname] = g if g is not None else torch.zeros_like(value)
    write_safetensors(os.path.join(OUT_DIR, "%s.%s.expected.safetensors" % (name, shape_name)), expected)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name in MODELS:
        for shape_name in SHAPES:
            write_case(name, shape_name)


if __name__ == "__main__":
    main()
