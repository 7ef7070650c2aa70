#!/usr/bin/env python3
"""Facts the reading of the science table (bench/RESULTS.md) quotes, computed from the committed
result.json files independently of `gaea aggregate`: per algorithm (and augmentation setting), the
mean final θ of each op over edges and seeds, how often each op was picked, the mean per-edge entropy
relative to log K, and the NAS-Bench-201 CIFAR-10 accuracy per seed.

Usage: python3 bench/science/facts.py [bench/science]
"""
import glob
import json
import math
import os
import sys
from collections import defaultdict

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__))
groups = defaultdict(list)
for path in sorted(glob.glob(os.path.join(root, "*", "*", "result.json"))):
    r = json.load(open(path))
    key = (r["algo"], r["settings"].get("augment_arch", True))
    groups[key].append(r)

def entropy(row):
    return -sum(p * math.log(p) for p in row if p > 0)

for (algo, aug), runs in groups.items():
    ops = runs[0]["ops"]
    k = len(ops)
    theta = [0.0] * k
    picked = defaultdict(int)
    rel = []
    for r in runs:
        for row in r["arch_weights"]:
            for i, p in enumerate(row):
                theta[i] += p / (len(r["arch_weights"]) * len(runs))
        for part in r["genotype"].strip("|").replace("|+|", "|").split("|"):
            picked[part.split("~")[0]] += 1
        h = sum(entropy(row) for row in r["arch_weights"]) / len(r["arch_weights"])
        assert abs(h - r["mean_entropy"]) < 1e-9, (path, h, r["mean_entropy"])
        rel.append(h / math.log(k))
    acc = [(r["seed"], (r.get("nb201") or {}).get("cifar10")) for r in runs]
    print(f"{algo}{'' if aug else ' (arch batches not augmented)'}: {len(runs)} runs, K={k}")
    print("  mean final θ per op: " + ", ".join(f"{o} {t:.4f}" for o, t in zip(ops, theta)))
    print("  edges picked per op (of 6 per run): " + ", ".join(f"{o} {picked[o]}" for o in ops))
    print("  entropy / log K per seed: " + ", ".join(f"{x:.4f}" for x in rel))
    print("  NB201 CIFAR-10 % per seed: " + ", ".join(f"s{s} {a:.2f}" for s, a in sorted(acc)))

# Welch's t on the NAS-Bench-201 CIFAR-10 accuracy of the found cells, for the pairs the reading compares.
def welch(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    va = sum((x - ma) ** 2 for x in a) / (len(a) - 1)
    vb = sum((x - mb) ** 2 for x in b) / (len(b) - 1)
    se2 = va / len(a) + vb / len(b)
    t = (ma - mb) / math.sqrt(se2)
    df = se2 ** 2 / ((va / len(a)) ** 2 / (len(a) - 1) + (vb / len(b)) ** 2 / (len(b) - 1))
    return ma - mb, t, df

def accs(key):
    return [(r.get("nb201") or {}).get("cifar10") for r in groups.get(key, [])]

print("Welch t, CIFAR-10 accuracy of the found cells (difference in points, t, degrees of freedom):")
for a, b in [(("gaea-darts", True), ("darts", True)), (("gaea-darts", True), ("euclid-darts", True)),
             (("gaea-gdas", True), ("gdas", True)), (("gaea-darts", True), ("gaea-darts", False))]:
    if len(accs(a)) > 1 and len(accs(b)) > 1:
        d, t, df = welch(accs(a), accs(b))
        name = lambda k: k[0] + ("" if k[1] else " (no arch aug)")
        print(f"  {name(a)} - {name(b)}: {d:+.2f} points, t = {t:.2f}, df = {df:.1f}")
