#!/usr/bin/python3
"""PyTorch reference of the SURE model (SPEC section 4) and writer of the `sure forward` fixtures.

Run with Debian's torch: /usr/bin/python3 tests/models/sure_reference.py
Written from the SPEC with plain torch, one task at a time, so that it shares no structure with the C# code
(which batches every task into one block-diagonal graph). For each case it writes
tests/fixtures/forward/<case>.model.safetensors     parameters (F32) + metadata config
tests/fixtures/forward/<case>.input.safetensors     S, nbr, edges, x, y (F32/I32), k1, k2 - SPEC 8's input
tests/fixtures/forward/<case>.expected.safetensors  outputs and grad.<param> of sum(action_mean), in F64
Parameters and inputs are rounded to float32 first and the maths runs in float64, so the C# double forward
can be compared tightly and its float forward loosely against the same numbers.
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "fixtures", "forward")
OMEGA_PADDING = -1e30
# Selections whose margin (last chosen minus best rejected) is below this are redrawn, so that float32 makes the
# same choices as float64.
SELECTION_MARGIN = 1e-3

torch.set_default_dtype(torch.float64)


def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> torch tensor of dtype float32, float64 or int32. Names sorted, header padded to 8 bytes."""
    formats = {torch.float32: ("F32", "<%df"), torch.float64: ("F64", "<%dd"), torch.int32: ("I32", "<%di")}
    header = {}
    if metadata:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    chunks, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype, fmt = formats[t.dtype]
        values = t.reshape(-1).tolist()
        raw = struct.pack(fmt % len(values), *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


# ---------------------------------------------------------------------------------------------------------
# Job structure: neighbours within c hops (SPEC 3)

def neighbour_table(n, edges, c=2, k_max=32):
    """nbr [n, K] int32: tasks within c hops in the undirected DAG, by (hops, id), cut to k_max; -1 pads."""
    adjacent = [set() for _ in range(n)]
    for parent, child in edges:
        adjacent[parent].add(child)
        adjacent[child].add(parent)
    lists = []
    for i in range(n):
        hops = {i: 0}
        frontier = [i]
        for depth in range(1, c + 1):
            nxt = []
            for u in frontier:
                for v in sorted(adjacent[u]):
                    if v not in hops:
                        hops[v] = depth
                        nxt.append(v)
            frontier = nxt
        found = sorted((d, v) for v, d in hops.items() if v != i)
        lists.append([v for _, v in found][:k_max])
    K = max(len(l) for l in lists)
    nbr = torch.full((n, K), -1, dtype=torch.int32)
    for i, l in enumerate(lists):
        nbr[i, :len(l)] = torch.tensor(l, dtype=torch.int32)
    return nbr


# ---------------------------------------------------------------------------------------------------------
# The model, one task at a time

def param_shapes(D, H, E):
    shapes = {"nvss.mu.weight": [D], "nvss.mu.bias": [1], "nvss.sigma.weight": [D], "nvss.sigma.bias": [1],
              "head.weight": [H], "head.bias": [1], "head.log_std": [1], "disc.weight": [H, H]}
    for e in range(E):
        h_in = D if e == 0 else H
        shapes["sage.%d.weight" % e] = [2 * h_in, H]
        shapes["sage.%d.bias" % e] = [H]
    return shapes


def largest(values, count):
    """Indices of the `count` largest values, ties to the lower index, by an explicit (value desc, index asc) sort."""
    order = sorted(range(len(values)), key=lambda j: (-values[j], j))
    return order[:count]


def sampler(p, S, x, y):
    """S [L, 1+K, D], x, y [L, 1+K] -> mu, sigma, omega [L, 1+K]."""
    mu = torch.sigmoid(S @ p["nvss.mu.weight"] + p["nvss.mu.bias"])
    sigma = F.softplus(S @ p["nvss.sigma.weight"] + p["nvss.sigma.bias"]) + 1e-3
    z = mu + sigma * x
    w = F.softplus(z)
    omega = torch.log(w + 1e-6) + y
    return mu, sigma, omega


def task_forward(p, E, S, x, y, nbr_row, dag_edges, k1, k2):
    """One task. S [L, 1+K, D]; nbr_row [K] (-1 = padding); returns a dict of this task's outputs."""
    L = S.shape[0]
    K_i = int((nbr_row >= 0).sum())
    mu, sigma, omega = sampler(p, S, x, y)

    theta = omega[:, 0]
    anchors = sorted(largest(theta.tolist(), min(k1, L)))
    p_time = torch.softmax(theta, dim=0)
    k2_eff = min(k2, K_i)

    # Nodes in order: each anchor followed by its neighbours (ascending slot); features = gate * S row.
    features, node_task, edges = [], [], []
    chosen_slots = []
    anchor_node = []
    for a in anchors:
        q = p_time[a]
        gate = 1 + q - q.detach()
        anchor_node.append(len(features))
        features.append(gate * S[a, 0])
        node_task.append(None)
        slots = []
        if k2_eff > 0:
            valid = omega[a, 1:1 + K_i]
            slots = sorted(largest(valid.tolist(), k2_eff))
            p_slot = torch.softmax(valid, dim=0)
            first = len(features)
            for s in slots:
                q = p_slot[s]
                gate = 1 + q - q.detach()
                edges.append((anchor_node[-1], len(features)))
                features.append(gate * S[a, 1 + s])
                node_task.append(int(nbr_row[s]))
            for u in range(first, len(features)):
                for v in range(u + 1, len(features)):
                    tu, tv = node_task[u], node_task[v]
                    if (tu, tv) in dag_edges or (tv, tu) in dag_edges:
                        edges.append((u, v))
        chosen_slots.append(slots)
    for j in range(len(anchor_node) - 1):
        edges.append((anchor_node[j], anchor_node[j + 1]))

    h = torch.stack(features)
    n_nodes = h.shape[0]
    if edges:
        e = torch.tensor(edges, dtype=torch.long)
        src = torch.cat([e[:, 0], e[:, 1]])
        dst = torch.cat([e[:, 1], e[:, 0]])
    else:
        src = dst = torch.zeros(0, dtype=torch.long)
    degree = torch.zeros(n_nodes).index_add(0, dst, torch.ones(len(dst)))
    for layer in range(E):
        total = torch.zeros_like(h).index_add(0, dst, h[src])
        mean = total / degree.clamp(min=1).unsqueeze(1)
        h = torch.relu(torch.cat([h, mean], dim=1) @ p["sage.%d.weight" % layer] + p["sage.%d.bias" % layer])
    h_g = h.mean(dim=0)
    action_mean = (p["head.weight"] * h_g).sum() + p["head.bias"][0]

    padded_omega = omega.detach().clone()
    padded_omega[:, 1 + K_i:] = OMEGA_PADDING
    anchors_out = anchors + [-1] * (k1 - len(anchors))
    neighbours_out = [slots + [-1] * (k2 - len(slots)) for slots in chosen_slots]
    neighbours_out += [[-1] * k2] * (k1 - len(neighbours_out))
    return dict(mu=mu, sigma=sigma, omega=padded_omega, raw_omega=omega, anchors=anchors_out,
                neighbors=neighbours_out, h_g=h_g, action_mean=action_mean, K_i=K_i)


def forward(p, E, inputs):
    S, nbr, x, y = inputs["S"], inputs["nbr"], inputs["x"], inputs["y"]
    k1, k2 = int(inputs["k1"][0]), int(inputs["k2"][0])
    dag_edges = set((int(a), int(b)) for a, b in inputs["edges"].tolist())
    return [task_forward(p, E, S[i], x[i], y[i], nbr[i], dag_edges, k1, k2) for i in range(S.shape[0])]


def selection_margin(task, k1, k2):
    """Smallest gap between a chosen and a rejected item over every top-k the task made (inf when none)."""
    gaps = [math.inf]

    def gap(values, chosen):
        rejected = [v for j, v in enumerate(values) if j not in chosen]
        if chosen and rejected:
            gaps.append(min(values[j] for j in chosen) - max(rejected))

    omega = task["raw_omega"].detach()
    gap(omega[:, 0].tolist(), [a for a in task["anchors"] if a >= 0])
    for a, slots in zip(task["anchors"], task["neighbors"]):
        if a >= 0:
            gap(omega[a, 1:1 + task["K_i"]].tolist(), [s for s in slots if s >= 0])
    return min(gaps)


# ---------------------------------------------------------------------------------------------------------
# Cases

def f32(t):
    """Rounds to float32 and back, so the stored F32 values are exactly what the float64 maths used."""
    return t.float().double()


def make_params(D, H, E, generator):
    params = {}
    for name, shape in param_shapes(D, H, E).items():
        if name == "head.log_std":
            value = torch.full(shape, math.log(0.3))
        elif name.endswith("bias"):
            value = 0.2 * torch.randn(shape, generator=generator)
        else:
            fan_in = shape[0]
            value = torch.randn(shape, generator=generator) * (1.5 / math.sqrt(fan_in))
        params[name] = f32(value)
    return params


def make_inputs(n, dag, L, D, k1, k2, generator, zero_noise=False):
    nbr = neighbour_table(n, dag)
    K = nbr.shape[1]
    S = torch.rand(n, L, 1 + K, D, generator=generator) * 2
    x = torch.randn(n, L, 1 + K, generator=generator)
    y = -torch.log(-torch.log(torch.rand(n, L, 1 + K, generator=generator).clamp(1e-12, 1 - 1e-12)))
    for i in range(n):
        K_i = int((nbr[i] >= 0).sum())
        S[i, :, 1 + K_i:] = 0
        # Huge noise in padding slots: if the padding were ever chosen the test would see it.
        y[i, :, 1 + K_i:] = 50.0
    if zero_noise:
        S.zero_()
        x.zero_()
        y.zero_()
    edges = torch.tensor(dag, dtype=torch.int32).reshape(-1, 2)
    return dict(S=f32(S), nbr=nbr, edges=edges, x=f32(x), y=f32(y),
                k1=torch.tensor([k1], dtype=torch.int32), k2=torch.tensor([k2], dtype=torch.int32))


CASES = {
    # name: (tasks, DAG edges (parent, child), L, D, H, E, k1, k2, note)
    "chain": (4, [(0, 1), (1, 2), (2, 3)], 12, 8, 16, 2, 5, 2, "4-task chain"),
    "diamond": (5, [(0, 1), (0, 2), (1, 3), (2, 3), (4, 3)], 10, 8, 12, 2, 4, 3, "diamond with a fan-in at task 3"),
    "few": (2, [(0, 1)], 8, 8, 8, 2, 3, 4, "K_i = 1 < k2 = 4"),
    "single": (1, [], 9, 8, 8, 2, 4, 4, "one task, K = 0"),
    "padding": (6, [(0, 1), (0, 2), (0, 3), (3, 4), (4, 5)], 10, 8, 12, 3, 4, 3, "K_i from 2 to 5: padding slots"),
    "short": (3, [(0, 1), (1, 2)], 3, 8, 8, 1, 5, 2, "L = 3 < k1 = 5: anchors padded with -1"),
    "ties": (3, [(0, 1), (0, 2)], 6, 8, 8, 2, 3, 1, "S, x, y all zero: every omega ties, lower index wins"),
    "full": (6, [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (2, 5), (4, 5)], 60, 8, 64, 2, 10, 4,
             "6-task DAG at full defaults"),
}


def write_case(case_index, name):
    n, dag, L, D, H, E, k1, k2, note = CASES[name]
    generator = torch.Generator().manual_seed(4242 + case_index)
    # Redraw until every selection has a clear margin (except the all-ties case, which is exact by design).
    for attempt in range(100):
        params = make_params(D, H, E, generator)
        inputs = make_inputs(n, dag, L, D, k1, k2, generator, zero_noise=(name == "ties"))
        tasks = forward(params, E, inputs)
        margin = min(selection_margin(t, k1, k2) for t in tasks)
        if name == "ties" or margin > SELECTION_MARGIN:
            break
    else:
        raise RuntimeError("%s: no draw with a clear selection margin" % name)

    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    tasks = forward(leaves, E, inputs)
    action_mean = torch.stack([t["action_mean"] for t in tasks])
    names = list(leaves)
    grads = torch.autograd.grad(action_mean.sum(), [leaves[k] for k in names], allow_unused=True)

    expected = {
        "mu": torch.stack([t["mu"] for t in tasks]),
        "sigma": torch.stack([t["sigma"] for t in tasks]),
        "omega": torch.stack([t["omega"] for t in tasks]),
        "anchors": torch.tensor([t["anchors"] for t in tasks], dtype=torch.int32),
        "neighbors": torch.tensor([t["neighbors"] for t in tasks], dtype=torch.int32).reshape(n, k1, k2),
        "h_g": torch.stack([t["h_g"] for t in tasks]),
        "action_mean": action_mean,
    }
    for k, g in zip(names, grads):
        expected["grad." + k] = g if g is not None else torch.zeros_like(leaves[k])

    config = {"L": L, "D": D, "H": H, "E": E, "k1": k1, "k2": k2, "c": 2, "K_max": 32, "p_max": 64,
              "log_std_init": math.log(0.3)}
    base = os.path.join(OUT_DIR, name)
    write_safetensors(base + ".model.safetensors", {k: v.float() for k, v in params.items()},
                      {"config": json.dumps(config), "job": name, "source": "tests/models/sure_reference.py"})
    write_safetensors(base + ".input.safetensors",
                      {k: (v.float() if v.dtype == torch.float64 else v) for k, v in inputs.items()})
    write_safetensors(base + ".expected.safetensors", expected, {"note": note, "margin": repr(margin)})
    print("%-8s N=%d K=%d L=%d H=%d E=%d k1=%d k2=%d margin=%.4g  %s"
          % (name, n, inputs["nbr"].shape[1], L, H, E, k1, k2, margin, note))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for index, name in enumerate(CASES):
        write_case(index, name)


if __name__ == "__main__":
    main()
