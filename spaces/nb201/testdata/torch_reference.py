#!/usr/bin/python3
"""Independent PyTorch twin of the NAS-Bench-201 discrete network, for package nb201's tests.

Written for gaeanas from the facts of the reference definition (AutoDL-Projects' TinyNetwork, InferCell,
ReLUConvBN, ResNetBasicblock, POOLING, Zero): stem conv3x3 (no bias) + BN; N cells at C; residual block
(ReLU-conv3x3 s2 pad1-BN, ReLU-conv3x3-BN, shortcut avgpool2x2 s2 + conv1x1 no bias) to 2C; N cells;
residual to 4C; N cells; BN -> ReLU -> global average pool -> linear. Cell ops: ReLU-conv-BN with
conv bias=False and affine BN, avg pool 3x3 s1 pad1 count_include_pad=False, identity, zeros.

Usage (Debian's python3-torch):
  /usr/bin/python3 torch_reference.py params    # parameter counts, the table in params_test.go
  /usr/bin/python3 torch_reference.py forward   # writes forward_ref.json for TestNetworkMatchesPyTorch
"""
import json
import sys

import torch
import torch.nn as nn

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]


def parse(arch):
    ops = []
    for i, node in enumerate(arch.split("+")):
        entries = node.strip("|").split("|")
        assert len(entries) == i + 1, arch
        for j, e in enumerate(entries):
            name, idx = e.split("~")
            assert int(idx) == j and name in OPS, arch
            ops.append(name)
    assert len(ops) == 6, arch
    return ops


class ReLUConvBN(nn.Sequential):
    def __init__(self, cin, cout, k, stride):
        super().__init__(nn.ReLU(), nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, bias=False), nn.BatchNorm2d(cout))


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


def make_op(name, c):
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(c, c, 1, 1)
    if name == "nor_conv_3x3":
        return ReLUConvBN(c, c, 3, 1)
    return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)


class Cell(nn.Module):
    def __init__(self, ops, c):
        super().__init__()
        self.ops = ops
        self.edges = nn.ModuleList(make_op(o, c) for o in ops)

    def forward(self, x):
        nodes = [x, None, None, None]
        for e, (i, j) in enumerate(EDGES):
            y = self.edges[e](nodes[j])
            nodes[i] = y if nodes[i] is None else nodes[i] + y
        return nodes[3]


class Residual(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv_a = ReLUConvBN(cin, cout, 3, 2)
        self.conv_b = ReLUConvBN(cout, cout, 3, 1)
        self.downsample = nn.Sequential(nn.AvgPool2d(2, 2, 0), nn.Conv2d(cin, cout, 1, bias=False))

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class Net(nn.Module):
    def __init__(self, arch, C=16, N=5, classes=10):
        super().__init__()
        ops = parse(arch)
        self.stem = nn.Sequential(nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))
        layers, c = [], C
        for stage in range(3):
            if stage > 0:
                layers.append(Residual(c, 2 * c))
                c *= 2
            layers += [Cell(ops, c) for _ in range(N)]
        self.cells = nn.ModuleList(layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU())
        self.classifier = nn.Linear(c, classes)

    def forward(self, x):
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        x = self.lastact(x).mean(dim=(2, 3))
        return self.classifier(x)


def count(net):
    return sum(p.numel() for p in net.parameters())


ARCHS = [
    "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
    "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|",
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
    "|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|",
    "|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|",
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
    "|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|",
]
CONFIGS = [(16, 5, 10), (16, 5, 100), (16, 5, 120), (24, 5, 10), (8, 2, 10), (4, 1, 3)]


def params():
    for arch in ARCHS:
        for C, N, k in CONFIGS:
            print('\t{"%s", %d, %d, %d, %d},' % (arch, C, N, k, count(Net(arch, C, N, k))))


FORWARD_ARCH = "|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"


def r12(t):
    """The values of t rounded to 12 significant digits (the logits are computed from these)."""
    return [float("%.12g" % v) for v in t.contiguous().flatten().tolist()]


def forward():
    """A tiny network (C=4, N=1, 5 classes) in float64 with random weights (BN scale/offset included),
    its logits for a random 2x8x8x3 batch in training mode (batch statistics) and in eval mode with
    random running statistics. Names are the GoMLX variable scopes; kernels are [kh, kw, in, out]."""
    torch.manual_seed(201)
    C, N, K = 4, 1, 5
    net = Net(FORWARD_ARCH, C, N, K).double()
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 2.0)
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    vars_ = {}

    def conv(scope, m):
        vars_[scope + "/conv/weights"] = m.weight.detach().permute(2, 3, 1, 0)

    def bn(scope, m):
        s = scope + "/batch_normalization/"
        vars_[s + "scale"], vars_[s + "offset"] = m.weight.detach(), m.bias.detach()
        vars_[s + "mean"], vars_[s + "variance"] = m.running_mean.clone(), m.running_var.clone()

    def rcb(scope, m):
        conv(scope, m[1])
        bn(scope, m[2])

    conv("/stem", net.stem[0])
    bn("/stem", net.stem[1])
    for i, cell in enumerate(net.cells):
        s = "/cell%d" % i
        if isinstance(cell, Residual):
            rcb(s + "/conv_a", cell.conv_a)
            rcb(s + "/conv_b", cell.conv_b)
            conv(s + "/downsample", cell.downsample[1])
        else:
            for e, (a, b) in enumerate(EDGES):
                if cell.ops[e] in ("nor_conv_1x1", "nor_conv_3x3"):
                    rcb("%s/%d<-%d/%s" % (s, a, b, cell.ops[e]), cell.edges[e])
    bn("/lastact", net.lastact[0])
    vars_["/classifier/dense/weights"] = net.classifier.weight.detach().t()
    vars_["/classifier/dense/biases"] = net.classifier.bias.detach()
    with torch.no_grad():
        for t in list(net.parameters()) + list(net.buffers()) + [x]:
            if t.dtype == torch.float64:
                t.copy_(torch.tensor(r12(t), dtype=torch.float64).reshape(t.shape))
    net.eval()
    with torch.no_grad():
        eval_logits = net(x)
    net.train()
    with torch.no_grad():
        train_logits = net(x)
    out = {
        "arch": FORWARD_ARCH, "channels": C, "cells": N, "classes": K,
        "x_nhwc": {"shape": [2, 8, 8, 3], "values": r12(x.permute(0, 2, 3, 1))},
        "vars": {k: {"shape": list(v.shape), "values": r12(v)} for k, v in vars_.items()},
        "train_logits": train_logits.flatten().tolist(),
        "eval_logits": eval_logits.flatten().tolist(),
        "params": count(net),
    }
    with open("forward_ref.json", "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote forward_ref.json:", len(vars_), "variables")


if __name__ == "__main__":
    {"params": params, "forward": forward}[sys.argv[1] if len(sys.argv) > 1 else "params"]()
