#!/usr/bin/python3
"""Parameter counts of the DARTS evaluation networks, built in PyTorch from the reference definitions.

Written for gaeanas (not copied): the layer shapes follow the DARTS reference code (cnn/operations.py,
cnn/model.py of quark0/darts; identical in PC-DARTS and GAEA's cnn/search_spaces/darts/). The ImageNet
auxiliary head has no BatchNorm after its 2x2 conv, as in the DARTS reference.

Run: /usr/bin/python3 spaces/darts/testdata/reference_params.py
Prints one line per case: name, then the count without and with the auxiliary head.
"""
import torch
import torch.nn as nn


def relu_conv_bn(ci, co, k, s, p):
    return nn.Sequential(nn.ReLU(), nn.Conv2d(ci, co, k, s, p, bias=False), nn.BatchNorm2d(co))


class FactorizedReduce(nn.Module):
    def __init__(self, ci, co):
        super().__init__()
        self.c1 = nn.Conv2d(ci, co // 2, 1, 2, 0, bias=False)
        self.c2 = nn.Conv2d(ci, co // 2, 1, 2, 0, bias=False)
        self.bn = nn.BatchNorm2d(co)

    def forward(self, x):
        x = torch.relu(x)
        return self.bn(torch.cat([self.c1(x), self.c2(x[:, :, 1:, 1:])], 1))


def dw_block(c, k, s, p, d):
    return [nn.ReLU(), nn.Conv2d(c, c, k, s, p, dilation=d, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c)]


class Zero(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s

    def forward(self, x):
        return x[:, :, ::self.s, ::self.s] * 0.0


def make_op(name, c, s):
    if name == "none":
        return Zero(s)
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, s, 1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, s, 1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity() if s == 1 else FactorizedReduce(c, c)
    if name.startswith("sep_conv_"):
        k = int(name[-1])
        return nn.Sequential(*(dw_block(c, k, s, k // 2, 1) + dw_block(c, k, 1, k // 2, 1)))
    if name.startswith("dil_conv_"):
        k = int(name[-1])
        return nn.Sequential(*dw_block(c, k, s, k - 1, 2))
    raise ValueError(name)


class Cell(nn.Module):
    def __init__(self, ops, concat, cpp, cp, c, reduction, reduction_prev):
        super().__init__()
        self.pre0 = FactorizedReduce(cpp, c) if reduction_prev else relu_conv_bn(cpp, c, 1, 1, 0)
        self.pre1 = relu_conv_bn(cp, c, 1, 1, 0)
        self.ops = nn.ModuleList(make_op(n, c, 2 if reduction and j < 2 else 1) for n, j in ops)
        self.idx = [j for _, j in ops]
        self.concat = list(concat)

    def forward(self, s0, s1):
        st = [self.pre0(s0), self.pre1(s1)]
        for i in range(len(self.ops) // 2):
            st.append(self.ops[2 * i](st[self.idx[2 * i]]) + self.ops[2 * i + 1](st[self.idx[2 * i + 1]]))
        return torch.cat([st[i] for i in self.concat], 1)


def aux_head(c, classes, imagenet):
    layers = [nn.ReLU(), nn.AvgPool2d(5, 2 if imagenet else 3, 0, count_include_pad=False),
              nn.Conv2d(c, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
              nn.Conv2d(128, 768, 2, bias=False)]
    if not imagenet:
        layers.append(nn.BatchNorm2d(768))
    layers += [nn.ReLU(), nn.Flatten(), nn.Linear(768, classes)]
    return nn.Sequential(*layers)


class Network(nn.Module):
    def __init__(self, geno, C, classes, layers, auxiliary, imagenet):
        super().__init__()
        normal, ncat, reduce, rcat = geno
        if imagenet:
            self.stem = nn.Sequential(
                nn.Conv2d(3, C // 2, 3, 2, 1, bias=False), nn.BatchNorm2d(C // 2), nn.ReLU(),
                nn.Conv2d(C // 2, C, 3, 2, 1, bias=False), nn.BatchNorm2d(C))
            self.stem1 = nn.Sequential(nn.ReLU(), nn.Conv2d(C, C, 3, 2, 1, bias=False), nn.BatchNorm2d(C))
            cpp, cp, cc, red_prev = C, C, C, True
        else:
            self.stem = nn.Sequential(nn.Conv2d(3, 3 * C, 3, 1, 1, bias=False), nn.BatchNorm2d(3 * C))
            self.stem1 = None
            cpp, cp, cc, red_prev = 3 * C, 3 * C, C, False
        self.cells = nn.ModuleList()
        self.aux_at = 2 * layers // 3
        for i in range(layers):
            red = i in (layers // 3, 2 * layers // 3)
            if red:
                cc *= 2
            ops, cat = (reduce, rcat) if red else (normal, ncat)
            self.cells.append(Cell(ops, cat, cpp, cp, cc, red, red_prev))
            red_prev = red
            cpp, cp = cp, len(cat) * cc
            if i == self.aux_at:
                c_aux = cp
        self.auxiliary_head = aux_head(c_aux, classes, imagenet) if auxiliary else None
        self.classifier = nn.Linear(cp, classes)
        self.imagenet = imagenet

    def forward(self, x):
        s0 = self.stem(x)
        s1 = self.stem1(s0) if self.imagenet else s0
        aux = None
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1)
            if i == self.aux_at and self.auxiliary_head is not None:
                aux = self.auxiliary_head(s1)
        return self.classifier(s1.mean((2, 3))), aux


R = range(2, 6)
GENOTYPES = {
    "DARTS_V1": ([("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 0), ("sep_conv_3x3", 1),
                  ("skip_connect", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 2)], R,
                 [("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 0),
                  ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("avg_pool_3x3", 0)], R),
    "DARTS_V2": ([("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
                  ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)], R,
                 [("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
                  ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)], R),
    "PC_DARTS": ([("sep_conv_3x3", 1), ("skip_connect", 0), ("sep_conv_3x3", 0), ("dil_conv_3x3", 1),
                  ("sep_conv_5x5", 0), ("sep_conv_3x3", 1), ("avg_pool_3x3", 0), ("dil_conv_3x3", 1)], R,
                 [("sep_conv_5x5", 1), ("max_pool_3x3", 0), ("sep_conv_5x5", 1), ("sep_conv_5x5", 2),
                  ("sep_conv_3x3", 0), ("sep_conv_3x3", 3), ("sep_conv_3x3", 1), ("sep_conv_3x3", 2)], R),
    "PC_DARTS_IMAGENET": ([("skip_connect", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 0), ("skip_connect", 1),
                           ("sep_conv_3x3", 1), ("sep_conv_3x3", 3), ("sep_conv_3x3", 1), ("dil_conv_5x5", 4)], R,
                          [("sep_conv_3x3", 0), ("skip_connect", 1), ("dil_conv_5x5", 2), ("max_pool_3x3", 1),
                           ("sep_conv_3x3", 2), ("sep_conv_3x3", 1), ("sep_conv_5x5", 0), ("sep_conv_3x3", 3)], R),
    # Every op, 'none' included, on input and intermediate edges; concat a strict subset.
    "MIXED": ([("none", 0), ("dil_conv_5x5", 1), ("avg_pool_3x3", 0), ("sep_conv_5x5", 2),
               ("skip_connect", 1), ("dil_conv_3x3", 3), ("max_pool_3x3", 4), ("sep_conv_3x3", 0)], [2, 4, 5],
              [("dil_conv_5x5", 0), ("sep_conv_5x5", 1), ("skip_connect", 0), ("none", 1),
               ("dil_conv_3x3", 1), ("avg_pool_3x3", 3), ("sep_conv_3x3", 0), ("skip_connect", 4)], R),
    # A third-party record labelled "GAEA" (not from the GAEA reference repository), for comparison only.
    "THIRD_PARTY_GAEA": ([("skip_connect", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 1), ("skip_connect", 2),
                          ("skip_connect", 2), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("dil_conv_3x3", 4)], R,
                         [("max_pool_3x3", 0), ("max_pool_3x3", 1), ("sep_conv_5x5", 0), ("sep_conv_5x5", 2),
                          ("sep_conv_5x5", 2), ("dil_conv_5x5", 1), ("sep_conv_5x5", 4), ("sep_conv_3x3", 1)], R),
}

CASES = [  # (genotype, C, layers, classes, imagenet)
    ("DARTS_V1", 36, 20, 10, False), ("DARTS_V2", 36, 20, 10, False), ("PC_DARTS", 36, 20, 10, False),
    ("THIRD_PARTY_GAEA", 36, 20, 10, False), ("MIXED", 36, 20, 10, False),
    ("DARTS_V2", 36, 20, 100, False), ("MIXED", 16, 8, 10, False), ("MIXED", 8, 5, 7, False),
    ("DARTS_V2", 48, 14, 1000, True), ("PC_DARTS_IMAGENET", 48, 14, 1000, True), ("MIXED", 16, 6, 10, True),
]


def count(m, aux):
    return sum(p.numel() for n, p in m.named_parameters() if aux or "auxiliary" not in n)


if __name__ == "__main__":
    for name, C, L, classes, imagenet in CASES:
        net = Network(GENOTYPES[name], C, classes, L, True, imagenet)
        size = 224 if imagenet else 32
        if C <= 16:  # check that the network runs, with the auxiliary head, at the size it assumes
            logits, aux = net(torch.randn(2, 3, size, size))
            assert logits.shape == (2, classes) and aux.shape == (2, classes)
        print(f"{name} C={C} layers={L} classes={classes} imagenet={imagenet} {count(net, False)} {count(net, True)}")
