#!/usr/bin/python3
"""PyTorch twin of gaeanas' search supernets, for bench/twin/twin_test.go.

Written for gaeanas from the space definitions of /work/shared/DESIGN.md and the reference papers'
facts (no reference code copied). It is functional: every layer reads its parameters from a dict keyed
by our GoMLX variable paths ("/cell0/1<-0/nor_conv_3x3/conv/weights"), in our layouts (conv kernels
[kh, kw, in, out], dense [in, out]); they are permuted to PyTorch's [out, in, kh, kw] at use, so
gradients come back in our layout. Images come NHWC and are permuted to NCHW. Float64 (TWIN_DTYPE=float32:
float32), batch norm in training mode (batch statistics, biased variance, eps = the request's bn_eps).

  NAS-Bench-201 supernet (AutoDL-Projects TinyNetwork with search cells): stem conv3x3 + affine BN;
  N cells at C; ResNet basic block (stride 2) to 2C; N cells; block to 4C; N cells; BN, ReLU, global
  average pool, linear. Edge j->i: sum_k theta[e,k] op_k(x) with ops (none,) skip, ReLU-conv1x1-BN(no
  affine), ReLU-conv3x3-BN(no affine), avgpool3x3 (count_include_pad=False); convs without bias (GAEA's
  fork of AutoDL-Projects; conv() still adds a bias where the request has one). With a sampled
  architecture (GDAS, RS-WS), AutoDL-Projects' forward_gdas (see nb201_cell).

  DARTS / PC-DARTS search network: stem conv3x3 (3C) + affine BN; cells with ReLU-conv1x1-BN (or
  FactorizedReduce) preprocessing, 4 nodes, 14 edges, BN without affine everywhere in cells; reduction at
  L/3 and 2L/3; global average pool, linear. Partial channels K: the first C/K channels go through the
  ops, the rest (max-pooled 2x2 on stride-2 edges) is appended, then channel shuffle in K groups; each
  edge's output is scaled by its beta.

Modes: "grad" (one loss and its gradients), "search" (GAEA's EG search of TestSearchMatchesTwin), "algo"
(every algorithm of the preset table from its reference code's semantics, ALGOS below; algos_test.go),
"batch" (a list of requests, answered by a list: one interpreter start for many cases).

Usage: twin.py in.json out.json (see request/reply in twin_test.go, algoRequest/algoReply in algos_test.go).
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

import os

DTYPE = torch.float32 if os.environ.get("TWIN_DTYPE") == "float32" else torch.float64
torch.set_default_dtype(DTYPE)

# Kink margins. ReLU and max-pool are the only places where the forward pass is not smooth: a ReLU
# input's sign decides whether its gradient passes, a window's largest entry decides where the max-pool
# gradient goes. Float32 rounding can put an input that is within a few ulps of the kink on the other side;
# the gradient then jumps by a finite amount (not by a rounding error) and two float32 runs part. While
# MARGINS is a list, every ReLU appends min|x| / max|x| of its input and every max-pool the smallest gap
# between the two largest entries of a window, over max|x| (exact zeros and exact ties excepted, see below): the step's distance,
# in units of its tensors' scale, from the nearest kink. twin_test.go uses them to tell where float32
# rounding alone can no longer decide a trajectory (README.md, "Float32").
MARGINS = None


def relu(x):
    if MARGINS is not None:
        a = x.detach().abs()
        m = a.max().item()
        # Exact zeros are structural (a conv whose every input an earlier ReLU cut gives exactly its bias, or
        # 0; a node fed only by none is 0), in any precision; relu'(0) = 0 on both sides (spaces.ReLU has
        # PyTorch's derivative), so they are no kink rounding can move.
        nonzero = a[a > 0]
        MARGINS.append(nonzero.min().item() / m if m > 0 and nonzero.numel() else 1.0)
    return F.relu(x)


def max_pool(x, k, stride, pad):
    if MARGINS is not None:
        xd = x.detach()
        xp = F.pad(xd, (pad, pad, pad, pad), value=float("-inf")) if pad else xd
        w = xp.unfold(2, k, stride).unfold(3, k, stride)
        w = w.reshape(*w.shape[:4], k * k)
        # The gap between a window's largest entry and the next smaller one. Exact ties are structural
        # (equal values from the same exact computation, e.g. BN of a conv's bias where a ReLU cut all its
        # inputs) and resolved alike in any precision (the first index wins), so they do not count.
        gaps = w.max(-1, keepdim=True).values - w
        gaps[gaps == 0] = float("inf")
        gap = gaps.min().item()
        m = xd.abs().max().item()
        MARGINS.append(gap / m if m > 0 else 1.0)
    return F.max_pool2d(x, k, stride, pad)


def conv(P, s, x, stride=1, pad=0, dilation=1, groups=1):
    w = P[s + "/weights"].permute(3, 2, 0, 1)
    return F.conv2d(x, w, P.get(s + "/biases"), stride, pad, dilation, groups)


# Batch-norm epsilon: the request's bn_eps (our batch norm hands 1e-5 to the backend as a float32,
# 9.99999974738e-06; see README.md), TWIN_EPS overrides it.
EPS = 1e-5


def bn(P, s, x):
    s += "/batch_normalization"
    return F.batch_norm(x, None, None, P.get(s + "/scale"), P.get(s + "/offset"), True, 0.1, EPS)


def dense(P, s, x):
    return x @ P[s + "/dense/weights"] + P[s + "/dense/biases"]


# ---------------------------------------------------------------- NAS-Bench-201

NB201_EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]


def nb201_ops(req):
    """The candidate ops in theta-column order: AutoDL-Projects' NAS_BENCH_201 list, none first when included."""
    return (["none"] if req.get("with_none") else []) + ["skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def nb201_op(P, s, name, x):
    if name == "none":
        return x.mul(0.0)  # Zero at stride 1
    if name == "skip_connect":
        return x
    if name == "avg_pool_3x3":
        return F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
    k = 1 if name == "nor_conv_1x1" else 3
    return bn(P, s, conv(P, s + "/conv", relu(x), 1, k // 2))


def nb201_cell(P, s, x, theta, ops, index=None):
    """A search cell: sum_k theta[e,k] op_k(x) per edge; with index (the sampled op per edge) the GDAS edge of
    AutoDL-Projects lib/models/cell_searchs/search_cells.py NAS201SearchCell.forward_gdas: only the sampled op
    runs, weighted by its (straight-through) weight, every other weight is added as it is."""
    nodes = [x, None, None, None]
    for e, (i, j) in enumerate(NB201_EDGES):
        es = "%s/%d<-%d" % (s, i, j)
        y = None
        for k, name in enumerate(ops):
            if index is None or k == index[e]:
                t = theta[e, k] * nb201_op(P, es + "/" + name, name, nodes[j])
            else:
                t = theta[e, k]
            y = t if y is None else y + t
        nodes[i] = y if nodes[i] is None else nodes[i] + y
    return nodes[3]


def nb201_block(P, s, x):
    y = bn(P, s + "/conv_a", conv(P, s + "/conv_a/conv", relu(x), 2, 1))
    y = bn(P, s + "/conv_b", conv(P, s + "/conv_b/conv", relu(y), 1, 1))
    r = conv(P, s + "/downsample/conv", F.avg_pool2d(x, 2, 2))
    return r + y


def nb201(P, x, theta, beta, req, index=None):
    n = req.get("N", 1)
    ops = nb201_ops(req)
    h = bn(P, "/stem", conv(P, "/stem/conv", x, 1, 1))
    layer = 0
    for stage in range(3):
        if stage > 0:
            h = nb201_block(P, "/cell%d" % layer, h)
            layer += 1
        for _ in range(n):
            h = nb201_cell(P, "/cell%d" % layer, h, theta, ops, index)
            layer += 1
    h = relu(bn(P, "/lastact", h))
    return dense(P, "/classifier", h.mean((2, 3)))


# ---------------------------------------------------------------- DARTS / PC-DARTS

DARTS_OPS = ["none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
             "dil_conv_3x3", "dil_conv_5x5"]


def relu_conv_bn(P, s, x):
    return bn(P, s + "/bn", conv(P, s + "/conv", relu(x)))


def factorized_reduce(P, s, x):
    x = relu(x)
    a = conv(P, s + "/conv_1", x, 2)
    b = conv(P, s + "/conv_2", x[:, :, 1:, 1:], 2)
    return bn(P, s + "/bn", torch.cat([a, b], 1))


def sep_block(P, s, x, k, stride, pad, dil):
    c = x.shape[1]
    h = conv(P, s + "/depthwise", relu(x), stride, pad, dil, c)
    h = conv(P, s + "/pointwise", h)
    return bn(P, s + "/bn", h)


def darts_op(P, s, name, x, stride):
    if name == "none":
        return x[:, :, ::stride, ::stride] * 0
    if name == "max_pool_3x3":
        return bn(P, s + "/bn", max_pool(x, 3, stride, 1))
    if name == "avg_pool_3x3":
        return bn(P, s + "/bn", F.avg_pool2d(x, 3, stride, 1, count_include_pad=False))
    if name == "skip_connect":
        return x if stride == 1 else factorized_reduce(P, s, x)
    k = int(name[-1])
    if name.startswith("sep_conv"):
        h = sep_block(P, s + "/block_1", x, k, stride, k // 2, 1)
        return sep_block(P, s + "/block_2", h, k, 1, k // 2, 1)
    return sep_block(P, s, x, k, stride, k - 1, 2)


def channel_shuffle(x, groups):
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).contiguous().view(n, c, h, w)


def mixed_op(P, s, x, w, stride, k):
    c = x.shape[1]
    xo, rest = (x[:, :c // k], x[:, c // k:]) if k > 1 else (x, None)
    out = None
    for i, name in enumerate(DARTS_OPS):
        t = w[i] * darts_op(P, s + "/" + name, name, xo, stride)
        out = t if out is None else out + t
    if k <= 1:
        return out
    if stride > 1:
        rest = max_pool(rest, 2, 2, 0)
    return channel_shuffle(torch.cat([out, rest], 1), k)


def darts_cell(P, s, s0, s1, reduction, reduction_prev, weights, beta, k):
    s0 = factorized_reduce(P, s + "/preprocess0", s0) if reduction_prev else relu_conv_bn(P, s + "/preprocess0", s0)
    s1 = relu_conv_bn(P, s + "/preprocess1", s1)
    states = [s0, s1]
    e = 0
    for node in range(2, 6):
        total = None
        for j in range(node):
            stride = 2 if reduction and j < 2 else 1
            y = mixed_op(P, "%s/edge_%d_%d" % (s, node, j), states[j], weights[e], stride, k)
            if beta is not None:
                y = beta[e] * y
            total = y if total is None else total + y
            e += 1
        states.append(total)
    return torch.cat(states[2:], 1)


def darts(P, x, theta, beta, req, index=None):
    assert index is None, "no sampled forward in the DARTS space"
    layers, k = req["layers"], max(1, req["k"])
    h = bn(P, "/stem/bn", conv(P, "/stem/conv", x, 1, 1))
    s0 = s1 = h
    reduction_prev = False
    for i in range(layers):
        reduction = i in (layers // 3, 2 * layers // 3)
        half = slice(14, 28) if reduction else slice(0, 14)
        out = darts_cell(P, "/cell_%d" % i, s0, s1, reduction, reduction_prev, theta[half],
                         None if beta is None else beta[half], k)
        s0, s1 = s1, out
        reduction_prev = reduction
    return dense(P, "/classifier", s1.mean((2, 3)))


# ---------------------------------------------------------------- driver

def tensor(t):
    return torch.tensor(t["values"], dtype=DTYPE).reshape(t["shape"])


def images(t):
    return tensor(t).permute(0, 3, 1, 2).contiguous()


def loss_of(net, P, x, y, theta, beta, req, margins=None, index=None):
    """The mean cross-entropy; when margins is a list, the step's smallest kink margin is appended."""
    global MARGINS
    MARGINS = [] if margins is not None else None
    loss = F.cross_entropy(net(P, x, theta, beta, req, index), torch.tensor(y, dtype=torch.long))
    if margins is not None:
        margins.append(min(MARGINS, default=1.0))
    MARGINS = None
    return loss


def edge_beta(groups, rows):
    """beta per edge from the per-node rows."""
    b = [None] * sum(len(g) for g in groups)
    for g, row in zip(groups, rows):
        for i, e in enumerate(g):
            b[e] = row[i]
    return torch.stack(b)


# ---------------------------------------------------------------- the algorithms (mode "algo")
#
# Each algorithm of gaeanas' preset table, written from the semantics of its reference code (facts taken
# from the files cited; no code copied). The request brings the supernet's initial weights, the
# architecture parameters' initial values, the batches in the order the search draws them, the random draws
# our search made (the Gumbel noise of every sampled forward pass, RS-WS's cell of every weight step), and
# the reference values (learning rates, weight decay, clip; the EG floor, tau and lambda written in
# twin_test.go as literals from the reference files). What the reference code does is encoded here: the
# order of the two steps, Nesterov or not, the optimizer of the architecture, tau's formula, the warm-up
# gate, the learning-rate schedule per epoch.
#
#   gaea-darts    liamcli/gaea_release cnn/train_search.py train() (architect.step, then the weight step;
#                 torch.optim.SGD without nesterov, cnn/train_utils.py setup_optimizer); cnn/architect/
#                 architect_edarts.py step(): p *= exp(-lr grad), normalize(): clamp(min 1e-5), then divide
#                 by the row sum; cnn/lr_schedulers.py CosinePowerAnnealing (power 1): epoch e at e/T.
#   euclid-darts  the same, with gaeanas' documented Euclidean step (README: gradient step, then the exact
#                 projection onto the simplex; gaea_release's gd: true clamps and renormalises instead).
#   gaea-pcdarts  the same architect with learn_edges: beta *= exp(-edge_lr grad), divided by the node sums
#                 (no floor); cnn/search_spaces/pc_darts/model_search.py partial channels.
#   gaea-gdas     cnn/architect/architect_egdas.py: step() only once epochs >= warmup_epochs; set_tau():
#                 tau = max_tau - (max_tau - min_tau) max(epoch - warmup, 0)/(epochs - 1); get_alphas(): a
#                 Gumbel sample of log(theta) per forward pass (arch step, then weight step),
#                 hardwts = one_hot - probs.detach() + probs; _backward_step(): loss + lambda
#                 sum theta log(theta K); normalize(): divide by the row sum, then clamp(min 1e-5).
#   darts         D-X-Y/AutoDL-Projects exps/NAS-Bench-201-algos/DARTS-V1.py search_func: weight step
#                 (SGD nesterov, configs/nas-benchmark/algos/DARTS.config), then Adam(betas (0.5, 0.999),
#                 weight decay 1e-3, DARTS-V1.sh) on alpha; xautodl/procedures/optimizers.py CosineLR at the
#                 epoch; mixture softmax(alpha).
#   darts-v2      DARTS-V2.py search_func and backward_step_unrolled: arch step first, w' = w - lr (momentum
#                 buffer * momentum + grad + wd w), dalpha - lr (grad_alpha L_train(w + R v) -
#                 grad_alpha L_train(w - R v)) / 2R with R = 0.01/|v|, v the unrolled weights' gradient.
#   gdas          GDAS.py search_func (weight step, then arch step) and xautodl/models/cell_searchs/
#                 search_model_gdas.py forward(): a Gumbel sample of log_softmax(alpha) per forward pass;
#                 tau = tau_max - (tau_max - tau_min) epoch/(epochs - 1) (GDAS.py main).
#   pcdarts       yuhuixu1993/PC-DARTS train_search.py: scheduler.step() at each epoch's start (epoch e at
#                 (e + 1)/T), architect.step only if epoch >= 15 (the warm-up), then the weight step (SGD
#                 without nesterov); architect.py Adam(betas (0.5, 0.999), arch weight decay 1e-3) on alphas
#                 and betas; model_search.py: softmax(alpha) per edge, softmax(beta) per node.
#   rsws          RANDOM-NAS.py search_func: random_genotype, weight step only (SGD nesterov, RANDOM.config);
#                 search_find_best: each candidate cell on its batch, batch norm with batch statistics
#                 (track_running_stats off), top-1 accuracy.
#
# Weights a step did not use (GDAS's and RS-WS's unsampled ops) get a zero gradient, so weight decay and
# momentum still move them — PyTorch 1.x's behaviour once a parameter has had a gradient (zero_grad zeroes
# it, AutoDL-Projects asks for PyTorch >= 1.5); TWIN_UNUSED=first-use skips a parameter until its first use,
# as PyTorch 1.x does before it (README.md, the measured effect).

ALGOS = {
    "gaea-darts": dict(arch="eg", first="arch", nesterov=False, sched=0),
    "euclid-darts": dict(arch="projection", first="arch", nesterov=False, sched=0),
    "gaea-pcdarts": dict(arch="eg", first="arch", nesterov=False, sched=0),
    "gaea-gdas": dict(arch="egdas", first="arch", nesterov=False, sched=0, sample="log", tau="egdas"),
    "darts": dict(arch="adam", first="weights", nesterov=True, sched=0),
    "darts-v2": dict(arch="adam-unrolled", first="arch", nesterov=True, sched=0),
    "gdas": dict(arch="adam", first="weights", nesterov=True, sched=0, sample="log_softmax", tau="dxy"),
    "pcdarts": dict(arch="adam", first="arch", nesterov=False, sched=1),
    "rsws": dict(arch=None, first="weights", nesterov=True, sched=0, sample="cell"),
}


def one_hot_sample(logp, gumbel, tau):
    """hardwts and index of a Gumbel straight-through sample (architect_egdas.py get_alphas,
    search_model_gdas.py forward)."""
    probs = F.softmax((logp + gumbel) / tau, dim=1)
    index = probs.max(-1, keepdim=True)[1]
    one_h = torch.zeros_like(probs).scatter_(-1, index, 1.0)
    return one_h - probs.detach() + probs, index.flatten().tolist()


def project_simplex(v):
    """Euclidean projection of each row onto the simplex (sort-based: Duchi et al. 2008)."""
    u, _ = torch.sort(v, dim=-1, descending=True)
    css = torch.cumsum(u, -1)
    j = torch.arange(1, v.shape[-1] + 1, dtype=v.dtype)
    cond = u - (css - 1) / j > 0
    rho = cond.to(v.dtype).cumsum(-1).argmax(-1, keepdim=True)  # the last index where cond holds
    tau = (css.gather(-1, rho) - 1) / (rho + 1).to(v.dtype)
    return torch.clamp(v - tau, min=0)


def run_algo(req, net, P):
    ref = ALGOS[req["algo"]]
    unused = os.environ.get("TWIN_UNUSED", "zeros")
    groups = req.get("groups") or []
    arch = torch.tensor(req["theta_init"], dtype=DTYPE)  # theta (EG, projection) or alpha (Adam)
    betas = [torch.tensor(r, dtype=DTYPE) for r in (req.get("beta_init") or [])]
    names = list(P)
    params = [P[n] for n in names]
    wopt = torch.optim.SGD(params, lr=req["lr"], momentum=req["momentum"], weight_decay=req["weight_decay"],
                           nesterov=ref["nesterov"])
    aopt = None
    if ref["arch"] in ("adam", "adam-unrolled"):
        arch.requires_grad_(True)
        for b in betas:
            b.requires_grad_(True)
        # Adam(betas (0.5, 0.999), weight decay 1e-3): DARTS-V1.sh/GDAS.sh --arch_weight_decay 0.001,
        # DARTS-V1.py/GDAS.py betas=(0.5, 0.999); PC-DARTS architect.py and train_search.py the same.
        aopt = torch.optim.Adam([arch] + betas, lr=req["arch_lr"], betas=(0.5, 0.999), weight_decay=1e-3)
    K = arch.shape[-1]
    spe, epochs = req["steps_per_epoch"], req["epochs"]
    out = {k: [] for k in ("arch_loss", "weight_loss", "theta_trace", "lrs", "taus", "candidate_loss", "candidate_acc")}
    out["floor_hits"] = 0
    draws = {"gumbel": 0, "cells": 0}
    used = set()
    batches = {"arch": 0, "weights": 0}

    def mixture(a, bs):
        """The supernet's weights (and beta per edge) from the architecture parameters."""
        if ref["arch"] in ("adam", "adam-unrolled"):
            w = F.softmax(a, dim=-1)
            bb = [F.softmax(b, dim=-1) for b in bs]
        else:
            w, bb = a, bs
        return w, (edge_beta(groups, bb) if bb else None)

    def sampled(a, tau):
        """The forward pass's architecture: a Gumbel sample (GDAS), a random cell (RS-WS) or the mixture."""
        if ref.get("sample") == "cell":
            cell = req["cells"][draws["cells"]]
            draws["cells"] += 1
            w = torch.zeros(len(cell), K)
            w[torch.arange(len(cell)), torch.tensor(cell)] = 1.0
            return w, None, cell
        if ref.get("sample"):
            g = torch.tensor(req["gumbel"][draws["gumbel"]], dtype=DTYPE)
            draws["gumbel"] += 1
            logp = a.log() if ref["sample"] == "log" else a.log_softmax(dim=1)
            w, index = one_hot_sample(logp, g, tau)
            return w, None, index
        w, be = mixture(a, [])
        return w, be, None

    def next_batch(block):
        i = batches[block]
        batches[block] += 1
        x = req["arch_x" if block == "arch" else "weight_x"][i]
        y = req["arch_y" if block == "arch" else "weight_y"][i]
        return images(x), y

    def note_used(loss):
        if unused != "zeros":
            for p, g in zip(params, torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)):
                if g is not None:
                    used.add(id(p))

    def weight_step(lr, tau, x=None, y=None):
        if x is None:
            x, y = next_batch("weights")
        a = arch.detach()
        bs = [b.detach() for b in betas]
        w, be, index = sampled(a, tau)
        if ref.get("sample") is None:
            w, be = mixture(a, bs)
        for group in wopt.param_groups:
            group["lr"] = lr
        loss = loss_of(net, P, x, y, w, be, req, index=index)
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        for p, g in zip(params, grads):
            if g is not None:
                used.add(id(p))
                p.grad = g
            elif unused == "zeros" or id(p) in used:
                p.grad = torch.zeros_like(p)
            else:
                p.grad = None
        torch.nn.utils.clip_grad_norm_(params, req["clip"])
        wopt.step()
        out["weight_loss"].append(loss.item())
        return x, y

    def arch_step(lr, tau, x=None, y=None):
        nonlocal arch, betas
        vx, vy = next_batch("arch")
        kind = ref["arch"]
        if kind in ("eg", "projection", "egdas"):
            th = arch.clone().requires_grad_(True)
            bs = [b.clone().requires_grad_(True) for b in betas]
            if kind == "egdas":
                w, _, index = sampled(th, tau)
                be = None
            else:
                w, be = mixture(th, bs)
                index = None
            loss = loss_of(net, P, vx, vy, w, be, req, index=index)
            note_used(loss)
            # the entropic regulariser lambda sum theta log(theta / (1/K)) (architect_edarts.py and
            # architect_egdas.py _backward_step)
            total = loss + req["lambda"] * torch.sum(th * torch.log(th / (1.0 / K)))
            grads = torch.autograd.grad(total, [th] + bs)
            with torch.no_grad():
                if kind == "projection":
                    arch = project_simplex(arch - req["arch_lr"] * grads[0])
                elif kind == "eg":
                    t = arch * torch.exp(-req["arch_lr"] * grads[0])
                    out["floor_hits"] += int((t < req["floor"]).sum().item())
                    t = torch.clamp(t, min=req["floor"])
                    arch = t / t.sum(-1, keepdim=True)
                else:  # egdas: divide by the row sum, then clamp
                    t = arch * torch.exp(-req["arch_lr"] * grads[0])
                    t = t / t.sum(-1, keepdim=True)
                    out["floor_hits"] += int((t < req["floor"]).sum().item())
                    arch = torch.clamp(t, min=req["floor"])
                for i, g in enumerate(grads[1:]):
                    b = betas[i] * torch.exp(-req["edge_lr"] * g)
                    betas[i] = b / b.sum()
        elif kind == "adam":
            aopt.zero_grad()
            w, be, index = sampled(arch, tau)
            if ref.get("sample") is None:
                w, be = mixture(arch, betas)
            loss = loss_of(net, P, vx, vy, w, be, req, index=index)
            note_used(loss)
            loss.backward(inputs=[arch] + betas)
            aopt.step()
        else:  # adam-unrolled: DARTS-V2.py backward_step_unrolled
            aopt.zero_grad()
            wd, mom = req["weight_decay"], req["momentum"]
            ltrain = loss_of(net, P, x, y, *mixture(arch.detach(), []), req)
            gw = torch.autograd.grad(ltrain, params)
            with torch.no_grad():
                if all("momentum_buffer" in wopt.state[p] for p in params):
                    moment = [wopt.state[p]["momentum_buffer"] * mom for p in params]
                else:
                    moment = [torch.zeros_like(p) for p in params]
                unrolled = {n: (p - lr * (m + g + wd * p)).requires_grad_(True)
                            for n, p, m, g in zip(names, params, moment, gw)}
            a = arch.detach().clone().requires_grad_(True)
            loss = loss_of(net, unrolled, vx, vy, *mixture(a, []), req)
            grads = torch.autograd.grad(loss, [a] + [unrolled[n] for n in names])
            dalpha, vec = grads[0], grads[1:]
            R = 0.01 / torch.cat([v.flatten() for v in vec]).norm()

            def grad_at(sign):
                shifted = {n: (p + sign * R * v).detach() for n, p, v in zip(names, params, vec)}
                aa = arch.detach().clone().requires_grad_(True)
                return torch.autograd.grad(loss_of(net, shifted, x, y, *mixture(aa, []), req), [aa])[0]

            implicit = (grad_at(1) - grad_at(-1)) / (2 * R)
            arch.grad = dalpha - lr * implicit
            aopt.step()
        out["arch_loss"].append(loss.item())

    for it in range(req["iterations"]):
        epoch = it // spe
        lr = req["lr_min"] + (req["lr"] - req["lr_min"]) * 0.5 * (
            1 + math.cos(math.pi * (epoch + ref["sched"]) / req["schedule_epochs"]))
        tau = 0.0
        if ref.get("tau") == "egdas":
            tau = req["tau_max"] - (req["tau_max"] - req["tau_min"]) * max(epoch - req["warmup_epochs"], 0) / (epochs - 1)
        elif ref.get("tau") == "dxy":
            tau = req["tau_max"] - (req["tau_max"] - req["tau_min"]) * epoch / (epochs - 1)
        out["lrs"].append(lr)
        out["taus"].append(tau)
        arch_on = ref["arch"] is not None and epoch >= req["warmup_epochs"]
        if ref["arch"] == "adam-unrolled":
            x, y = next_batch("weights")  # the arch step and the weight step share the training batch
            arch_step(lr, tau, x, y)
            weight_step(lr, tau, x, y)
        elif not arch_on:
            weight_step(lr, tau)
        elif ref["first"] == "weights":
            weight_step(lr, tau)
            arch_step(lr, tau)
        else:
            arch_step(lr, tau)
            weight_step(lr, tau)
        with torch.no_grad():
            w, be = mixture(arch.detach(), [b.detach() for b in betas])
            trace = w.flatten().tolist()
            if betas:
                bb = [F.softmax(b, dim=-1) for b in betas] if ref["arch"] in ("adam", "adam-unrolled") else betas
                trace += [v for b in bb for v in b.flatten().tolist()]
        out["theta_trace"].append(trace)
    out["draws"] = draws
    out["batches"] = batches
    # RS-WS's selection: every candidate on its batch, batch statistics (search_find_best)
    for cell, x, y in zip(req.get("candidate_cells") or [], req.get("candidate_x") or [], req.get("candidate_y") or []):
        w = torch.zeros(len(cell), K)
        w[torch.arange(len(cell)), torch.tensor(cell)] = 1.0
        with torch.no_grad():
            logits = net(P, images(x), w, None, req, cell)
            out["candidate_loss"].append(F.cross_entropy(logits, torch.tensor(y, dtype=torch.long)).item())
            out["candidate_acc"].append((logits.argmax(-1) == torch.tensor(y)).double().mean().item())
    return out


def run(req):
    global EPS
    EPS = float(os.environ.get("TWIN_EPS", req.get("bn_eps") or 1e-5))
    net = nb201 if req["space"] == "nb201" else darts
    P = {n: tensor(v).requires_grad_(True) for n, v in req["vars"].items()}
    out = {}
    if req["mode"] == "algo":
        return run_algo(req, net, P)
    if req["mode"] == "grad":
        theta = tensor(req["theta"]).requires_grad_(True)
        beta = tensor(req["beta"]).requires_grad_(True) if req.get("beta") else None
        margins = []
        loss = loss_of(net, P, images(req["x"]), req["labels"], theta, beta, req, margins)
        out["margins"] = margins
        wrt = list(P.values()) + [theta] + ([beta] if beta is not None else [])
        grads = torch.autograd.grad(loss, wrt)
        out["loss"] = loss.item()
        out["grads"] = {n: g.flatten().tolist() for n, g in zip(P, grads)}
        out["grad_theta"] = grads[len(P)].flatten().tolist()
        out["grad_beta"] = grads[len(P) + 1].flatten().tolist() if beta is not None else []
    else:
        theta = torch.tensor(req["theta_init"])
        groups = req.get("groups") or []
        betas = [torch.tensor(r) for r in (req.get("beta_init") or [])]
        params = list(P.values())
        opt = torch.optim.SGD(params, lr=req["weight_lrs"][0], momentum=req["momentum"],
                              weight_decay=req["weight_decay"])
        out["arch_loss"], out["weight_loss"], out["margins"], out["theta_trace"] = [], [], [], []
        for it in range(req["iterations"]):
            # architecture step: exponentiated gradient on theta (floor 1e-5) and beta (no floor)
            th = theta.clone().requires_grad_(True)
            bs = [b.clone().requires_grad_(True) for b in betas]
            beta = edge_beta(groups, bs) if bs else None
            loss = loss_of(net, P, images(req["arch_x"][it]), req["arch_y"][it], th, beta, req, out["margins"])
            grads = torch.autograd.grad(loss, [th] + bs)
            out["arch_loss"].append(loss.item())
            with torch.no_grad():
                t = torch.clamp(theta * torch.exp(-req["arch_lr"] * grads[0]), min=1e-5)
                theta = t / t.sum(-1, keepdim=True)
                for i, g in enumerate(grads[1:]):
                    b = betas[i] * torch.exp(-req["arch_lr"] * g)
                    betas[i] = b / b.sum()
            out["theta_trace"].append(theta.flatten().tolist() + [v for b in betas for v in b.flatten().tolist()])
            # weight step: SGD with momentum and weight decay after clip_grad_norm_
            beta = edge_beta(groups, betas) if betas else None
            for group in opt.param_groups:
                group["lr"] = req["weight_lrs"][it]
            opt.zero_grad()
            loss = loss_of(net, P, images(req["weight_x"][it]), req["weight_y"][it], theta, beta, req, out["margins"])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, req["clip"])
            opt.step()
            out["weight_loss"].append(loss.item())
        out["theta"] = theta.tolist()
        out["beta"] = [b.tolist() for b in betas]
    return out


def main():
    """twin.py in.json out.json: one request, or {"mode": "batch", "requests": [...]} answered by a list."""
    req = json.load(open(sys.argv[1]))
    if req["mode"] == "batch":
        out = [run(r) for r in req["requests"]]
    else:
        out = run(req)
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
