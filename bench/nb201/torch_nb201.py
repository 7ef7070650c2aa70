#!/usr/bin/env python3
"""PyTorch side of bench/nb201: times one GAEA search iteration of the same supernets as main.go.

The supernets are bench/twin/twin.py's (imported, float32): its NAS-Bench-201 supernet and its DARTS /
PC-DARTS search network, functional, reading their parameters from a dict keyed by our GoMLX variable
paths. Here the parameters are made in PyTorch, randomly (values do not matter for timing, shapes do),
from an independent list of the shapes each config has (nb201_shapes, darts_shapes below), in PyTorch's
own layouts: conv kernels [out, in, kh, kw] (twin.conv is replaced by one that does not permute our
[kh, kw, in, out] layout at every use), dense [in, out] as twin.dense reads it. The parameter count is
printed so that compare.sh can check it equals ours; the first iteration also checks that the network
read every parameter made.

One iteration, as gaea.Search.Step: architecture step — autograd gradient of the loss on one batch
w.r.t. theta (and beta), exponentiated-gradient update theta <- theta*exp(-0.1 g), floor 1e-5,
renormalised per row (beta: the same without the floor); weight step — loss on another batch,
backward, clip_grad_norm_(5), torch.optim.SGD(lr 0.025, momentum 0.9, weight_decay 3e-4). Batch norm
in training mode (batch statistics), batch 64 of 32x32x3 random images (NCHW), 10 classes. Each step
ends with loss.item().

Usage:
  python3 bench/nb201/torch_nb201.py [--configs nb201-quick,darts-pc] [--reps 5] [--warmup 2] \
      [--threads N] [--json out.jsonl] [--params-only] [--batch B --size S --channels C --cells N]
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

os.environ["TWIN_DTYPE"] = "float32"  # twin.py reads it at import
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "twin"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "convnet"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import twin  # noqa: E402
from torch_convnet import cpu_model  # noqa: E402  (one /proc/cpuinfo reader for both PyTorch benchmarks)

CLASSES, SEED = 10, 1
ARCH_LR, WEIGHT_LR, MOMENTUM, WEIGHT_DECAY, CLIP, FLOOR = 0.1, 0.025, 0.9, 3e-4, 5.0, 1e-5

# name: (space, C, N or layers, partial channels K, edge weights)
CONFIGS = {
    "nb201-quick": ("nb201", 8, 1, 0, False),
    "nb201-c16": ("nb201", 16, 5, 0, False),
    "nb201-c24": ("nb201", 24, 5, 0, False),
    "darts-pc": ("darts", 16, 8, 4, True),
}


def native_conv(P, s, x, stride=1, pad=0, dilation=1, groups=1):
    """twin.conv with the kernel already in PyTorch's [out, in/groups, kh, kw] layout."""
    return F.conv2d(x, P[s + "/weights"], P.get(s + "/biases"), stride, pad, dilation, groups)


twin.conv = native_conv


# ---------------------------------------------------------------- parameter shapes (PyTorch layouts)

def nb201_shapes(c, n, classes):
    """NAS-Bench-201 supernet (4 ops, no none): search-cell convs without bias (GAEA's fork of
    AutoDL-Projects), their BNs without affine."""
    s = {"/stem/conv/weights": (c, 3, 3, 3), "/stem/batch_normalization/scale": (c,),
         "/stem/batch_normalization/offset": (c,)}
    layer = 0
    for stage in range(3):
        if stage > 0:
            p = "/cell%d" % layer
            s[p + "/conv_a/conv/weights"] = (2 * c, c, 3, 3)
            s[p + "/conv_b/conv/weights"] = (2 * c, 2 * c, 3, 3)
            for bn in ("conv_a", "conv_b"):
                s[p + "/%s/batch_normalization/scale" % bn] = (2 * c,)
                s[p + "/%s/batch_normalization/offset" % bn] = (2 * c,)
            s[p + "/downsample/conv/weights"] = (2 * c, c, 1, 1)
            c *= 2
            layer += 1
        for _ in range(n):
            for i, j in twin.NB201_EDGES:
                for op, k in (("nor_conv_1x1", 1), ("nor_conv_3x3", 3)):
                    p = "/cell%d/%d<-%d/%s/conv" % (layer, i, j, op)
                    s[p + "/weights"] = (c, c, k, k)
            layer += 1
    s["/lastact/batch_normalization/scale"] = (c,)
    s["/lastact/batch_normalization/offset"] = (c,)
    s["/classifier/dense/weights"] = (c, classes)
    s["/classifier/dense/biases"] = (classes,)
    return s


def darts_shapes(c, layers, k, classes):
    """DARTS search network (8 ops), partial channels k: cells' BNs without affine, convs without bias."""
    s = {"/stem/conv/weights": (3 * c, 3, 3, 3), "/stem/bn/batch_normalization/scale": (3 * c,),
         "/stem/bn/batch_normalization/offset": (3 * c,)}

    def sep(p, ch, kk):
        s[p + "/depthwise/weights"] = (ch, 1, kk, kk)
        s[p + "/pointwise/weights"] = (ch, ch, 1, 1)

    def reduce(p, cin, cout):
        s[p + "/conv_1/weights"] = (cout // 2, cin, 1, 1)
        s[p + "/conv_2/weights"] = (cout // 2, cin, 1, 1)

    cpp, cp, cur = 3 * c, 3 * c, c
    reduction_prev = False
    for i in range(layers):
        reduction = i in (layers // 3, 2 * layers // 3)
        if reduction:
            cur *= 2
        p = "/cell_%d" % i
        if reduction_prev:
            reduce(p + "/preprocess0", cpp, cur)
        else:
            s[p + "/preprocess0/conv/weights"] = (cur, cpp, 1, 1)
        s[p + "/preprocess1/conv/weights"] = (cur, cp, 1, 1)
        ch = cur // max(1, k)
        for node in range(2, 6):
            for j in range(node):
                e = "%s/edge_%d_%d" % (p, node, j)
                if reduction and j < 2:
                    reduce(e + "/skip_connect", ch, ch)
                for kk in (3, 5):
                    sep(e + "/sep_conv_%dx%d/block_1" % (kk, kk), ch, kk)
                    sep(e + "/sep_conv_%dx%d/block_2" % (kk, kk), ch, kk)
                    sep(e + "/dil_conv_%dx%d" % (kk, kk), ch, kk)
        cpp, cp = cp, 4 * cur
        reduction_prev = reduction
    s["/classifier/dense/weights"] = (cp, classes)
    s["/classifier/dense/biases"] = (classes,)
    return s


def darts_groups():
    """beta groups: the incoming edges of each node, normal cell then reduction cell (darts.EdgeGroups)."""
    groups, e = [], 0
    for _ in range(2):
        for node in range(2, 6):
            groups.append(list(range(e, e + node)))
            e += node
    return groups


class Params(dict):
    """The parameter dict, recording which names the network reads."""

    def __init__(self, *a):
        super().__init__(*a)
        self.read = set()

    def __getitem__(self, k):
        self.read.add(k)
        return super().__getitem__(k)

    def get(self, k, default=None):
        self.read.add(k)
        return super().get(k, default)


def make_params(shapes, gen):
    P = Params()
    for name, shape in shapes.items():
        if name.endswith("/scale"):
            t = torch.ones(shape)
        elif name.endswith("/offset") or name.endswith("/biases"):
            t = torch.zeros(shape)
        else:
            fan_in = math.prod(shape[1:]) if len(shape) == 4 else shape[0]
            t = torch.randn(shape, generator=gen) / math.sqrt(fan_in)
        P[name] = t.requires_grad_(True)
    return P


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def setup(name, o):
    space, c, n, k, beta = CONFIGS[name]
    c, n = o.channels or c, o.cells or n
    if space == "nb201":
        shapes, ops, edges, groups = nb201_shapes(c, n, CLASSES), len(twin.nb201_ops({})), len(twin.NB201_EDGES), []
        net, req = twin.nb201, {"N": n}
    else:
        shapes, ops, edges, groups = darts_shapes(c, n, k, CLASSES), len(twin.DARTS_OPS), 28, darts_groups() if beta else []
        net, req = twin.darts, {"layers": n, "k": k}
    return dict(space=space, c=c, n=n, k=k, shapes=shapes, ops=ops, edges=edges, groups=groups, net=net, req=req,
                params=sum(math.prod(s) for s in shapes.values()))


def run_config(name, o):
    cfg = setup(name, o)
    batch, size = o.batch, o.size
    gen = torch.Generator().manual_seed(SEED)
    P = make_params(cfg["shapes"], gen)
    params = list(P.values())
    net, req, groups = cfg["net"], cfg["req"], cfg["groups"]
    theta = torch.full((cfg["edges"], cfg["ops"]), 1.0 / cfg["ops"])
    betas = [torch.full((len(g),), 1.0 / len(g)) for g in groups]
    data = []
    for _ in range(2):  # architecture batch, weight batch
        x = torch.rand(batch, 3, size, size, generator=gen) * 2 - 1
        y = torch.randint(0, CLASSES, (batch,), generator=gen)
        data.append((x, y))
    opt = torch.optim.SGD(params, lr=WEIGHT_LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)

    def loss_of(x, y, th, beta):
        return F.cross_entropy(net(P, x, th, beta, req), y)

    def iteration():
        nonlocal theta, betas
        # architecture step: exponentiated gradient on theta (floor 1e-5) and beta (no floor)
        th = theta.clone().requires_grad_(True)
        bs = [b.clone().requires_grad_(True) for b in betas]
        beta = twin.edge_beta(groups, bs) if bs else None
        loss = loss_of(*data[0], th, beta)
        grads = torch.autograd.grad(loss, [th] + bs)
        arch_loss = loss.item()
        with torch.no_grad():
            t = torch.clamp(theta * torch.exp(-ARCH_LR * grads[0]), min=FLOOR)
            theta = t / t.sum(-1, keepdim=True)
            for i, g in enumerate(grads[1:]):
                b = betas[i] * torch.exp(-ARCH_LR * g)
                betas[i] = b / b.sum()
        # weight step: SGD with momentum and weight decay after clip_grad_norm_
        beta = twin.edge_beta(groups, betas) if betas else None
        opt.zero_grad(set_to_none=True)
        loss = loss_of(*data[1], theta, beta)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP)
        opt.step()
        return arch_loss, loss.item()

    iter_ms, first_ms, losses = [], 0.0, (math.nan, math.nan)
    for i in range(o.warmup + o.reps):
        t0 = time.perf_counter()
        losses = iteration()
        ms = (time.perf_counter() - t0) * 1000
        if i == 0:
            first_ms = ms
            unread = sorted(set(P) - P.read)
            if unread:
                raise SystemExit("torch_nb201: %s: the network never read %d parameters made for it, e.g. %s"
                                 % (name, len(unread), unread[:3]))
        if i >= o.warmup:
            iter_ms.append(ms)
    return {
        "program": "pytorch", "config": name, "backend": "torch %s cpu" % torch.__version__, "space": cfg["space"],
        "channels": cfg["c"], "cells": cfg["n"], "ops": cfg["ops"], "edges": cfg["edges"],
        "partial_channels": cfg["k"], "edge_weights": bool(groups), "batch": batch, "size": size,
        "warmup": o.warmup, "reps": o.reps, "params": cfg["params"],
        "arch_params": cfg["edges"] * cfg["ops"] + sum(len(g) for g in groups),
        "first_ms": first_ms, "median_ms": statistics.median(iter_ms), "min_ms": min(iter_ms),
        "mean_ms": statistics.fmean(iter_ms), "iter_ms": iter_ms, "arch_loss": losses[0],
        "weight_loss": losses[1], "peak_rss_mb": peak_rss_mb(), "cpu": cpu_model(),
        "threads": torch.get_num_threads(),
    }


def gemm_peak(seconds=0.3):
    """torch.mm's float32 GEMM rate in GFLOP/s at the benchmark's threads: the best of repeated products
    of 512x512 per thread (1024 x 512 x 512 at 2 threads), as bench/nb201's purego.GEMMPeak runs one
    512-cube product per thread."""
    threads = torch.get_num_threads()
    n = 512
    a, b = torch.rand(n * threads, n), torch.rand(n, n)
    best, start = float("inf"), time.perf_counter()
    while time.perf_counter() - start < seconds or best == float("inf"):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2 * threads * n ** 3 / best / 1e9


def line(r):
    shape = "C=%d N=%d" % (r["channels"], r["cells"])
    if r["space"] == "darts":
        shape = "C=%d L=%d K=%d beta=%s" % (r["channels"], r["cells"], r["partial_channels"], r["edge_weights"])
    return ("%-12s %s ops=%d batch=%d %dx%d  params %d (+%d arch)  first %.1f ms  median %.1f ms  min %.1f ms  "
            "(%d warm-up, %d timed)  peak RSS %.0f MB" % (
                r["config"], shape, r["ops"], r["batch"], r["size"], r["size"], r["params"], r["arch_params"],
                r["first_ms"], r["median_ms"], r["min_ms"], r["warmup"], r["reps"], r["peak_rss_mb"]))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", default="all", help="comma-separated: %s (or all)" % ",".join(CONFIGS))
    p.add_argument("--reps", type=int, default=5, help="timed iterations per config")
    p.add_argument("--warmup", type=int, default=2, help="untimed warm-up iterations per config")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="torch.set_num_threads")
    p.add_argument("--json", default="", help="also write one JSON object per config to this file")
    p.add_argument("--params-only", action="store_true",
                   help="print 'config params' per config (from the shapes alone) and exit")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--channels", type=int, default=0, help="override C of every config (0: the config's)")
    p.add_argument("--cells", type=int, default=0, help="override N / layers of every config (0: the config's)")
    o = p.parse_args()
    names = list(CONFIGS) if o.configs in ("", "all") else [s.strip() for s in o.configs.split(",")]
    for n in names:
        if n not in CONFIGS:
            p.error("unknown config %r: want some of %s" % (n, ",".join(CONFIGS)))
    if o.reps < 1 or o.warmup < 0 or o.threads < 1 or o.batch < 1 or o.size < 1 or o.channels < 0 or o.cells < 0:
        p.error("need --reps, --threads, --batch, --size >= 1, --warmup, --channels, --cells >= 0")
    if o.params_only:
        for n in names:
            print(n, setup(n, o)["params"])
        return
    torch.set_num_threads(o.threads)
    torch.manual_seed(SEED)
    print("host: %s, torch threads=%d (of %d CPUs), torch %s" % (cpu_model(), torch.get_num_threads(),
                                                                 os.cpu_count(), torch.__version__), flush=True)
    out = open(o.json, "w") if o.json else None
    for n in names:
        r = run_config(n, o)
        r["gemm_peak_gflops"] = gemm_peak()
        print(line(r) + "  torch.mm %.1f GFLOP/s on %d threads" % (r["gemm_peak_gflops"], r["threads"]), flush=True)
        if out:
            out.write(json.dumps(r) + "\n")
            out.flush()
    if out:
        out.close()


if __name__ == "__main__":
    main()
