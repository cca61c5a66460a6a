#!/usr/bin/python3
"""Eager PyTorch peer of one SURE REINFORCE update (SPEC 4-6), the loss pass of `sure bench train`.

One update = the loss of R rollouts x T decisions of one job, vectorised over all R*T*n task-decisions, then
backward, global-norm clipping and an Adam step. Inside the timed region, as the C# trainer does per iteration:
gathering S from the snapshots, fresh Gaussian and Gumbel noise, NVSS (SPEC 4.1) with the choice probabilities and
straight-through gates (4.2), Gumbel-top-k anchors and neighbours, the block-diagonal subgraphs, E GraphSAGE layers,
readout, action mean (4.4), log N(u; m, s^2) times the advantage, the sampler's log-likelihood (beta_g), the
whole-STG encoder f(G) over every span's n*L nodes and the JS mutual information per rollout (B = T spans), KL to the
prior (SPEC 5). What belongs to the job (neighbour index, adjacency, the STG's edge list) is built once, as in C#.
Not timed here, and timed in C#: the rollouts' simulator steps and inference decisions (a few percent of an
iteration: docs/training.md's profile).

Run with Debian's python (torch 1.13), one thread:
    /usr/bin/python3 Bench/torch_train.py --tasks 6,46            # one JSON line per job
    /usr/bin/python3 Bench/torch_train.py --tasks 6 --check       # invariants of the batched forward
"""
import os

# Before torch is imported (Debian's torch sizes its BLAS pool from these and ignores set_num_threads for BLAS).
for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = "1"

# glibc returns every large freed block to the OS, so each update of eager PyTorch faults its tensors' pages in again:
# on this machine that made the median update 1.3 s instead of 0.22 s at n = 6 and its spread 0.3-1.6 s. Keeping freed
# memory (what a long-running trainer does anyway) is the peer's best configuration, so it is set before torch loads.
import ctypes

_libc = ctypes.CDLL("libc.so.6")
for _option, _value in ((-1, 2**31 - 1), (-2, 2**30), (-3, 2**31 - 1)):   # M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD
    _libc.mallopt(_option, _value)

import argparse
import json
import math
import statistics
import time

import torch

from torch_decision import Job, make_job, make_params

torch.set_num_threads(1)

SIGMA_FLOOR, WEIGHT_FLOOR, PADDING_LOGIT = 1e-3, 1e-6, -1e30


class Batch:
    """R*T copies of the job as one block-diagonal job (decision b's task i is task b*n + i), so that one forward
    covers every decision, as SpanBatch does in C#; and the whole-STG graph of every span for f(G)."""

    def __init__(self, n, edges, decisions, L, c, k_max):
        self.n, self.N, self.L = n, decisions, L
        union = [(p + b * n, q + b * n) for b in range(decisions) for p, q in edges]
        self.job = Job(n * decisions, union, c, k_max)
        # STG nodes: row (b*L + l)*n + i; DAG edges inside each snapshot, v_{i,l} - v_{i,l+1} in time.
        e = torch.tensor(edges, dtype=torch.long).reshape(-1, 2)
        first = (torch.arange(decisions * L) * n).view(-1, 1)
        dag_src, dag_dst = (first + e[:, 0]).reshape(-1), (first + e[:, 1]).reshape(-1)
        span_first = (torch.arange(decisions) * L * n).view(-1, 1, 1)
        cell = torch.arange(L - 1).view(1, -1, 1) * n + torch.arange(n).view(1, 1, -1)
        time_src = (span_first + cell).reshape(-1)
        one_src, one_dst = torch.cat([dag_src, time_src]), torch.cat([dag_dst, time_src + n])
        self.stg_src, self.stg_dst = torch.cat([one_src, one_dst]), torch.cat([one_dst, one_src])
        self.stg_mean = mean_operator(self.stg_src, self.stg_dst, decisions * L * n)
        # KL's mask: the task's own slot and its valid neighbour slots, [M, 1+K, L].
        self.valid = self.job.slot_valid.unsqueeze(2).expand(-1, -1, L)


def mean_operator(src, dst, nodes):
    """The neighbour mean as a sparse [nodes, nodes] matrix A (A[v, u] = 1 / deg v per edge u -> v), so that the
    aggregation is torch.sparse.mm(A, h). Measured here (torch 1.13, one thread, the 69,120-node STG of small-1):
    forward and backward 0.07 s against 2.05 s for index_put_(accumulate=True), whose backward is a slow gather."""
    inv_deg = 1.0 / torch.bincount(dst, minlength=nodes).clamp_(min=1).float()
    return torch.sparse_coo_tensor(torch.stack([dst, src]), inv_deg[dst], (nodes, nodes)).coalesce()


def sage(h, mean, P, E):
    """E GraphSAGE layers (SPEC 4.3); mean: the sparse neighbour-mean operator."""
    for e in range(E):
        agg = torch.sparse.mm(mean, h)
        h = torch.relu(torch.cat([h, agg], 1) @ P[f"sage.{e}.weight"] + P[f"sage.{e}.bias"])
    return h


def forward(batch, buf, P, E, k1, k2, x=None, y=None):
    """Training forward over all decisions. buf: [L, M, D] (M = N*n, decision-major). Returns the action means [M],
    ln q of every chosen item (anchors [M, k1], neighbours [M, k1, k2'] with a validity mask), h_g [M, H], mu, sigma."""
    job = batch.job
    L, M, D = buf.shape
    K = job.K
    bufT = torch.cat([buf, buf.new_zeros(L, 1, D)], 1).transpose(0, 1).contiguous()   # [M+1, L, D], row M = zeros
    S = bufT[job.slot_task]                                                              # [M, 1+K, L, D]
    w2 = torch.stack([P["nvss.mu.weight"], P["nvss.sigma.weight"]], 1)
    b2 = torch.cat([P["nvss.mu.bias"], P["nvss.sigma.bias"]])
    proj = S @ w2 + b2                                                                   # [M, 1+K, L, 2]
    mu = torch.sigmoid(proj[..., 0])
    sigma = torch.nn.functional.softplus(proj[..., 1]) + SIGMA_FLOOR
    if x is None:
        x = torch.randn_like(mu)
        y = -torch.log(-torch.log(torch.rand_like(mu).clamp_(min=torch.finfo(torch.float32).tiny)))
    w = torch.nn.functional.softplus(mu + sigma * x)
    omega = torch.log(w + WEIGHT_FLOOR) + y                                              # [M, 1+K, L]
    invalid = ~job.slot_valid.unsqueeze(2)

    # Choice probabilities: p_t over L; p_n over the valid slots of each minute.
    theta = omega[:, 0, :]
    p_time = torch.softmax(theta, 1)                                                     # [M, L]
    p_slot = torch.softmax(omega[:, 1:, :].masked_fill(invalid[:, 1:], PADDING_LOGIT), 1)   # [M, K, L]

    with torch.no_grad():
        om = omega.masked_fill(invalid, PADDING_LOGIT)
        anchors = om[:, 0, :].topk(k1, dim=1).indices.sort(dim=1).values                 # [M, k1]
        k2e = min(k2, K)
        om_a = om[:, 1:, :].gather(2, anchors.unsqueeze(1).expand(M, K, k1))              # [M, K, k1]
        pick = om_a.topk(k2e, dim=1).indices.transpose(1, 2)                             # [M, k1, k2e]
        pick_ok = job.slot_valid[:, 1:].gather(1, pick.reshape(M, -1)).reshape(M, k1, k2e)
        pick = pick.masked_fill(~pick_ok, K).sort(dim=2).values
        nb_ok = pick < K
        pick_c = pick.clamp(max=K - 1)
        nb_task = job.nbr.gather(1, pick_c.reshape(M, -1)).reshape(M, k1, k2e).masked_fill(~nb_ok, M)

    # Straight-through gates g = 1 + q - stopgrad(q) on the chosen items' features.
    q_anchor = p_time.gather(1, anchors)                                                 # [M, k1]
    q_nb = p_slot.transpose(1, 2).gather(1, anchors.unsqueeze(2).expand(M, k1, K)).gather(2, pick_c)   # [M, k1, k2e]
    gate_a = 1 + q_anchor - q_anchor.detach()
    gate_n = 1 + q_nb - q_nb.detach()
    ar = torch.arange(M)
    h_anchor = bufT[ar.unsqueeze(1), anchors] * gate_a.unsqueeze(2)                      # [M, k1, D]
    h_nb = bufT[nb_task, anchors.unsqueeze(2).expand(M, k1, k2e)] * gate_n.unsqueeze(3)  # [M, k1, k2e, D]
    G = k1 * (1 + k2e)
    h = torch.cat([h_anchor, h_nb.reshape(M, k1 * k2e, D)], 1).reshape(M * G, D)

    # Block-diagonal subgraph edges (as torch_decision.decide builds them).
    base = (ar * G).view(M, 1, 1)
    a_id = base + torch.arange(k1).view(1, k1, 1)
    nb_id = base + k1 + torch.arange(k1 * k2e).view(1, k1, k2e)
    an_src, an_dst = a_id.expand(M, k1, k2e)[nb_ok], nb_id[nb_ok]
    ch_src = (base.view(M, 1) + torch.arange(k1 - 1)).reshape(-1)
    s, t = torch.triu_indices(k2e, k2e, 1)
    nn_ok = job.adj[nb_task[:, :, s], nb_task[:, :, t]]
    one_src = torch.cat([an_src, ch_src, nb_id[:, :, s][nn_ok]])
    one_dst = torch.cat([an_dst, ch_src + 1, nb_id[:, :, t][nn_ok]])
    src, dst = torch.cat([one_src, one_dst]), torch.cat([one_dst, one_src])
    h = sage(h, mean_operator(src, dst, M * G), P, E)
    node_ok = torch.cat([torch.ones(M, k1, dtype=torch.bool), nb_ok.reshape(M, -1)], 1).to(h.dtype).unsqueeze(2)
    h_g = (h.view(M, G, -1) * node_ok).sum(1) / node_ok.sum(1)                           # [M, H]
    mean = h_g @ P["head.weight"] + P["head.bias"]                                       # [M]
    return dict(mean=mean, log_q_anchor=torch.log(q_anchor), log_q_nb=torch.log(q_nb.masked_fill(~nb_ok, 1)), nb_ok=nb_ok,
                h_g=h_g, mu=mu, sigma=sigma, anchors=anchors, pick=pick)


def loss_of(batch, buf, u, adv, P, R, E, k1, k2, beta_g=1.0, beta_mi=0.1, beta_kl=1e-3):
    """SPEC 5's loss of one batch: -mean(log pi * Adv) - beta_mi mean_r I_JS + beta_kl KL. buf: [L, M, D]; u, adv: [M]."""
    n, N, L = batch.n, batch.N, batch.L
    out = forward(batch, buf, P, E, k1, k2)
    M = out["mean"].shape[0]
    s = P["head.log_std"].exp()
    log_density = -0.5 * ((u - out["mean"]) / s) ** 2 - P["head.log_std"] - 0.5 * math.log(2 * math.pi)
    sampler = out["log_q_anchor"].sum(1) + out["log_q_nb"].sum((1, 2))   # ln 1 = 0 on unused neighbour slots
    policy = -((log_density + beta_g * sampler) * adv).sum() / M

    # f(G) of every span, then I_JS per rollout over its T = N / R spans.
    D = buf.shape[2]
    stg = buf.view(L, N, n, D).transpose(0, 1).reshape(N * L * n, D)
    f = sage(stg, batch.stg_mean, P, E).view(N, L * n, -1).mean(1)   # [N, H]
    T = N // R
    hg = out["h_g"].view(R, T * n, -1)
    scores = hg @ P["disc.weight"] @ f.view(R, T, -1).transpose(1, 2)                   # [R, T*n, T]
    own = (torch.arange(T * n).view(-1, 1) // n) == torch.arange(T).view(1, -1)
    positive = -torch.nn.functional.softplus(-scores[:, own]).mean()
    negative = torch.nn.functional.softplus(scores[:, ~own]).mean()
    information = positive - negative

    valid = batch.valid
    kl = (0.5 * (out["mu"] ** 2 + out["sigma"] ** 2 - 1 - torch.log(out["sigma"] ** 2)))[valid].mean()
    return policy - beta_mi * information + beta_kl * kl, out


def make_batch_inputs(batch, D, seed):
    g = torch.Generator().manual_seed(seed)
    M = batch.N * batch.n
    buf = torch.rand(batch.L, M, D, generator=g) * 2   # features in the range of SPEC 3's (a few units)
    u = torch.randn(M, generator=g) * 0.3
    adv = torch.randn(batch.N, generator=g).repeat_interleave(batch.n)   # one advantage per decision
    return buf, u, (adv - adv.mean()) / adv.std()


def check(batch, P, E, k1, k2, D):
    """The batched forward gives each decision the same outputs as a forward of that decision alone (same noise), and
    gates are exactly 1 in value."""
    buf, u, adv = make_batch_inputs(batch, D, 1)
    M, L, K = buf.shape[1], batch.L, batch.job.K
    x = torch.randn(M, 1 + K, L)
    y = -torch.log(-torch.log(torch.rand(M, 1 + K, L).clamp_(min=1e-30)))
    with torch.no_grad():
        whole = forward(batch, buf, P, E, k1, k2, x, y)
        n = batch.n
        single = Batch(n, batch_edges(batch), 1, L, 2, 32)
        for b in (0, batch.N - 1):
            rows = slice(b * n, (b + 1) * n)
            one = forward(single, buf[:, rows], P, E, k1, k2, x[rows], y[rows])
            assert torch.equal(one["anchors"], whole["anchors"][rows]), "anchors differ"
            assert torch.equal(one["pick"], whole["pick"][rows]), "neighbours differ"
            assert torch.allclose(one["mean"], whole["mean"][rows], atol=1e-5), "action means differ"
    loss, _ = loss_of(batch, buf, u, adv, P, R=1, E=E, k1=k1, k2=k2)   # one rollout of N spans: I_JS needs T >= 2
    assert torch.isfinite(loss), "loss not finite"


def batch_edges(batch):
    e = batch.job.edges
    return [(int(p), int(q)) for p, q in e.tolist() if p < batch.n and q < batch.n]


def bench(batch, P, R, E, k1, k2, D, iterations, lr=1e-3, clip=1.0):
    params = [p.requires_grad_() for p in P.values()]
    adam = torch.optim.Adam(params, lr=lr)
    buf, u, adv = make_batch_inputs(batch, D, 2)

    def once():
        t0 = time.perf_counter()
        adam.zero_grad(set_to_none=False)
        loss, _ = loss_of(batch, buf, u, adv, P, R, E, k1, k2)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, clip)
        adam.step()
        return time.perf_counter() - t0

    for _ in range(2):
        once()
    times = sorted(once() for _ in range(iterations))
    return dict(median_s=round(statistics.median(times), 4), min_s=round(times[0], 4), iterations=iterations)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", default="6,46", help="comma-separated job sizes (6, 46: small-1, large-2)")
    ap.add_argument("--rollouts", type=int, default=8)
    ap.add_argument("--window-hours", type=int, default=24)
    ap.add_argument("--L", type=int, default=60)
    ap.add_argument("--D", type=int, default=8)
    ap.add_argument("--H", type=int, default=64)
    ap.add_argument("--E", type=int, default=2)
    ap.add_argument("--k1", type=int, default=10)
    ap.add_argument("--k2", type=int, default=4)
    ap.add_argument("--iterations", type=int, default=3, help="measured updates per job, after 2 of warm-up")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check", action="store_true", help="assert the batched forward against single decisions")
    a = ap.parse_args()

    torch.manual_seed(a.seed)
    for n in [int(s) for s in a.tasks.split(",") if s]:
        job = make_job(n, a.seed)
        edges = [(int(p), int(q)) for p, q in job.edges.tolist()]
        decisions = 2 if a.check else a.rollouts * a.window_hours
        batch = Batch(job.n, edges, decisions, a.L, 2, 32)
        P = make_params(a.D, a.H, a.E, a.seed)
        P["head.weight"] = P["head.weight"] * 0.01   # the trainer's initialisation (SureTrainer.CreateModel)
        if a.check:
            check(batch, P, a.E, a.k1, a.k2, a.D)
            print(json.dumps({"check": "ok", "n": job.n}))
            continue
        r = bench(batch, P, a.rollouts, a.E, a.k1, a.k2, a.D, a.iterations)
        print(json.dumps({"bench": "train", "peer": "torch-cpu", "n": job.n, "rollouts": a.rollouts,
                          "window_hours": a.window_hours, **r, "threads": torch.get_num_threads(),
                          "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
