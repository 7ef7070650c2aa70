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
  average pool, linear. Edge j->i: sum_k theta[e,k] op_k(x) with ops skip, ReLU-conv1x1(bias)-BN(no
  affine), ReLU-conv3x3(bias)-BN(no affine), avgpool3x3 (count_include_pad=False).

  DARTS / PC-DARTS search network: stem conv3x3 (3C) + affine BN; cells with ReLU-conv1x1-BN (or
  FactorizedReduce) preprocessing, 4 nodes, 14 edges, BN without affine everywhere in cells; reduction at
  L/3 and 2L/3; global average pool, linear. Partial channels K: the first C/K channels go through the
  ops, the rest (max-pooled 2x2 on stride-2 edges) is appended, then channel shuffle in K groups; each
  edge's output is scaled by its beta.

Usage: twin.py in.json out.json (see request/reply in twin_test.go).
"""
import json
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
        # Exact zeros are structural (every input of a conv cut by an earlier ReLU gives its bias, exactly,
        # in any precision); relu'(0) = 0 on both sides, so they are no kink rounding can move.
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

NB201_OPS = ["skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
NB201_EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]


def nb201_op(P, s, name, x):
    if name == "skip_connect":
        return x
    if name == "avg_pool_3x3":
        return F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
    k = 1 if name == "nor_conv_1x1" else 3
    return bn(P, s, conv(P, s + "/conv", relu(x), 1, k // 2))


def nb201_cell(P, s, x, theta):
    nodes = [x, None, None, None]
    for e, (i, j) in enumerate(NB201_EDGES):
        es = "%s/%d<-%d" % (s, i, j)
        y = None
        for k, name in enumerate(NB201_OPS):
            t = theta[e, k] * nb201_op(P, es + "/" + name, name, nodes[j])
            y = t if y is None else y + t
        nodes[i] = y if nodes[i] is None else nodes[i] + y
    return nodes[3]


def nb201_block(P, s, x):
    y = bn(P, s + "/conv_a", conv(P, s + "/conv_a/conv", relu(x), 2, 1))
    y = bn(P, s + "/conv_b", conv(P, s + "/conv_b/conv", relu(y), 1, 1))
    r = conv(P, s + "/downsample/conv", F.avg_pool2d(x, 2, 2))
    return r + y


def nb201(P, x, theta, beta, req):
    n = req.get("N", 1)
    h = bn(P, "/stem", conv(P, "/stem/conv", x, 1, 1))
    layer = 0
    for stage in range(3):
        if stage > 0:
            h = nb201_block(P, "/cell%d" % layer, h)
            layer += 1
        for _ in range(n):
            h = nb201_cell(P, "/cell%d" % layer, h, theta)
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


def darts(P, x, theta, beta, req):
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


def loss_of(net, P, x, y, theta, beta, req, margins=None):
    """The mean cross-entropy; when margins is a list, the step's smallest kink margin is appended."""
    global MARGINS
    MARGINS = [] if margins is not None else None
    loss = F.cross_entropy(net(P, x, theta, beta, req), torch.tensor(y, dtype=torch.long))
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


def main():
    global EPS
    req = json.load(open(sys.argv[1]))
    EPS = float(os.environ.get("TWIN_EPS", req.get("bn_eps") or 1e-5))
    net = nb201 if req["space"] == "nb201" else darts
    P = {n: tensor(v).requires_grad_(True) for n, v in req["vars"].items()}
    out = {}
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
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
