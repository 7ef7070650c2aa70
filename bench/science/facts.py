#!/usr/bin/env python3
"""The numbers the readings of bench/RESULTS.md §1 compute from the runs, recomputed from the committed
result files (result.json of each run) independently of `gaea aggregate` (settings, external figures
and the papers' values they quote are not facts of the runs and are not checked): means ± sample standard deviations over
seeds, per-seed values, the mean final θ of each op, how often each op was picked, entropies relative
to log K, Welch's t (with its degrees of freedom and two-sided p from Student's t) and the tables'
lines against the committed aggregate.txt.

  python3 bench/science/facts.py                      # print the facts
  python3 bench/science/facts.py --check RESULTS.md   # and fail (exit 1) when the text does not state
                                                      # one of them as computed here

Each fact is a string as the text writes it (compared with runs of white space made one space), so a
number that drifts — a result file changed, a sentence edited — fails the check. Standard library
only: it runs wherever Python 3 does (CI runs it).
"""
import glob
import json
import math
import os
import random
import re
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))


def load(folder):
    """Runs of one sweep folder by (algo, augment_arch), each list sorted by seed."""
    groups = defaultdict(list)
    for path in sorted(glob.glob(os.path.join(HERE, folder, "*", "result.json"))):
        r = json.load(open(path))
        r["_path"] = path
        groups[(r["algo"], r["settings"].get("augment_arch", True))].append(r)
    for runs in groups.values():
        runs.sort(key=lambda r: r["seed"])
    return groups


def mean(v):
    return sum(v) / len(v)


def std(v):  # sample standard deviation (n - 1)
    m = mean(v)
    return math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))


def pm(v, prec):
    return f"{mean(v):.{prec}f} ± {std(v):.{prec}f}"


def entropy(row):
    return -sum(p * math.log(p) for p in row if p > 0)


def mean_entropy(r):
    h = mean([entropy(row) for row in r["arch_weights"]])
    assert abs(h - r["mean_entropy"]) < 1e-9, (r["_path"], h, r["mean_entropy"])
    return h


def rel_entropy(r):
    return mean_entropy(r) / math.log(len(r["ops"]))


def betacf(a, b, x):
    """Continued fraction of the regularised incomplete beta function (Lentz's method)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def betainc(a, b, x):
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(lbt) * betacf(a, b, x) / a
    return 1 - math.exp(lbt) * betacf(b, a, 1 - x) / b


def welch(a, b):
    """Difference of means, Welch's t, its Welch–Satterthwaite degrees of freedom, two-sided p."""
    va, vb = std(a) ** 2 / len(a), std(b) ** 2 / len(b)
    if va + vb == 0:
        raise ValueError("Welch's t: both samples are constant")
    t = (mean(a) - mean(b)) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    return mean(a) - mean(b), t, df, betainc(df / 2, 0.5, df / (df + t * t))


def bootstrap_diff(a, b, level=0.95, resamples=10000, seed=0):
    """Percentile bootstrap interval of mean(a) - mean(b): each side resampled with replacement on its
    own, a fixed seed so the interval is the same on every run."""
    rng = random.Random(seed)
    d = sorted(mean(rng.choices(a, k=len(a))) - mean(rng.choices(b, k=len(b))) for _ in range(resamples))
    lo, hi = d[round((1 - level) / 2 * resamples)], d[round((1 + level) / 2 * resamples) - 1]
    return lo, hi


def t_quantile(q, df):
    """Student's t quantile (q > 0.5) by bisection on the two-sided tail betainc gives."""
    lo, hi = 0.0, 1e3
    for _ in range(200):
        mid = (lo + hi) / 2
        if 1 - betainc(df / 2, 0.5, df / (df + mid * mid)) / 2 < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def welch_interval(a, b, level=0.95):
    """Welch's interval of mean(a) - mean(b): the difference ± t quantile × its standard error."""
    d, t, df, _ = welch(a, b)
    half = t_quantile((1 + level) / 2, df) * abs(d / t)
    return d - half, d + half


def comparison(name_a, a, name_b, b):
    """The sentence a reading states for a comparison of two rows' accuracies over seeds: Welch's t, its
    degrees of freedom and p (two significant digits), its 95 % interval, and the percentile bootstrap's
    (which, resampling 3 to 5 seeds, is much narrower than the t interval: it cannot see the tails a
    small sample hides)."""
    d, t, df, p = welch(a, b)
    wlo, whi = welch_interval(a, b)
    lo, hi = bootstrap_diff(a, b)
    return (f"{name_a} − {name_b}: {d:+.2f} points, Welch's t = {t:.2f} on {df:.1f} df, p ≈ {p:.2g}, "
            f"95 % interval [{wlo:+.2f}, {whi:+.2f}] (bootstrap [{lo:+.2f}, {hi:+.2f}])")


def bench(r, key):
    return (r.get("nb201") or r.get("benchmark") or {}).get(key)


FACTS = []  # (what, string as the text states it)


def fact(what, s):
    FACTS.append((what, s))
    print(f"  {what}: {s}")


def science_table():
    """§1, the NAS-Bench-201 table over seeds 0-2 (bench/science/augment and plain)."""
    aug, plain = load("augment"), load("plain")
    g = {a: aug[(a, True)] for a, _ in aug}
    g["no-aug"] = plain[("gaea-darts", False)]
    acc = {k: [bench(r, "cifar10") for r in runs] for k, runs in g.items()}
    rank = {k: [bench(r, "rank_cifar10") for r in runs] for k, runs in g.items()}
    rel = {k: [rel_entropy(r) for r in runs] for k, runs in g.items()}
    nats = {k: [mean_entropy(r) for r in runs] for k, runs in g.items()}

    print("reading 1: GAEA-DARTS")
    fact("GAEA-DARTS CIFAR-10 %", pm(acc["gaea-darts"], 2) + " % on CIFAR-10")
    fact("its rank", f"(rank {pm(rank['gaea-darts'], 0)} of 15,625)")
    fact("CIFAR-100 / ImageNet16-120 of the same cells",
         f"{mean([bench(r, 'cifar100') for r in g['gaea-darts']]):.2f} / {mean([bench(r, 'imagenet16') for r in g['gaea-darts']]):.2f}")
    fact("spread of the three seeds", f"three seeds within {max(acc['gaea-darts']) - min(acc['gaea-darts']):.2f} points")
    fact("Euclid-DARTS", f"Against Euclidean-DARTS ({pm(acc['euclid-darts'], 2)})")
    d, t, df, p = welch(acc["gaea-darts"], acc["euclid-darts"])
    fact("GAEA - Euclid", f"the difference is {d:+.2f} points with Welch's t = {t:.2f} on {df:.1f} degrees of freedom (two-sided p ≈ {p:.2f})")

    print("reading 2: entropy")
    fact("DARTS entropy/log K per seed", "entropy/log K " + ", ".join(sorted({f"{x:.4f}" for x in rel["darts"]})) + " for every seed")
    th = [p for r in g["darts"] for row in r["arch_weights"] for p in row]
    fact("DARTS θ furthest from 1/5", f"its entries within {max(abs(p - 0.2) for p in th):.3f} of 1/5")
    fact("DARTS θ range", f"every θ entry between {min(th):.4f} and {max(th):.4f}")
    fact("GAEA entropy/log K", f"GAEA's entropy at {pm(rel['gaea-darts'], 3)} of log K")
    fact("Euclid entropy/log K", f"further than EG** ({pm(rel['euclid-darts'], 3)})")

    print("reading 3: DARTS and none")
    ops = g["darts"][0]["ops"]
    theta = {o: mean([row[i] for r in g["darts"] for row in r["arch_weights"]]) for i, o in enumerate(ops)}
    fact("θ(none), θ(conv 3×3), θ(skip)", f"θ(none) rose to {theta['none']:.4f} and θ(conv 3×3) to {theta['nor_conv_3x3']:.4f} while θ(skip) fell to {theta['skip_connect']:.4f}")
    picked = picks(g["darts"])
    fact("edges picking none / conv 3×3", f"picks `none` on {picked['none']} of the {6 * len(g['darts'])} edges")
    fact("the rest", f"conv 3×3 on the other {picked['nor_conv_3x3']}")
    assert picked["none"] + picked["nor_conv_3x3"] == 6 * len(g["darts"]), picked
    free = [sum(picks([r])[o] for o in ("none", "skip_connect", "avg_pool_3x3")) for r in g["darts"]]
    fact("DARTS parameter-free edges", f"({pm(free, 1)} parameter-free edges per cell)")
    fact("DARTS seed 0", f"constant: {acc['darts'][0]:.2f} % in the benchmark, which is why DARTS's mean is {pm(acc['darts'], 2)}")
    fact("GAEA - DARTS", f"Welch's t of GAEA-DARTS − DARTS is only {welch(acc['gaea-darts'], acc['darts'])[1]:.2f}")

    print("reading 4: the GDAS pair")
    fact("GAEA-GDAS vs GDAS", f"{pm(acc['gaea-gdas'], 2)} % vs {pm(acc['gdas'], 2)} %")
    d, t, df, p = welch(acc["gaea-gdas"], acc["gdas"])
    fact("their ranks and t", f"(ranks {mean(rank['gaea-gdas']):,.0f} vs {mean(rank['gdas']):,.0f}; t = {t:.2f}, {df:.1f} df, p ≈ {p:.2f})")
    pk = picks(g["gdas"])
    free = [sum(picks([r])[o] for o in ("none", "skip_connect", "avg_pool_3x3")) for r in g["gdas"]]
    fact("GDAS parameter-free edges", f"({pm(free, 1)} of 6 edges; avg pool on {pk['avg_pool_3x3']}, `none` and skip on {pk['none']} each of {6 * len(g['gdas'])} edges)")
    assert pk["none"] == pk["skip_connect"], pk
    r0 = g["gaea-gdas"][0]
    warm = r0["settings"]["warmup_epochs"] * r0["steps"] // r0["epochs"]
    fact("GAEA-GDAS architecture steps", f"θ barely moved in {r0['steps'] - warm} architecture steps")
    fact("GAEA-GDAS entropy/log K per seed", "(entropy/log K " + ", ".join(f"{x:.3f}" for x in rel["gaea-gdas"]) + ")")
    i = r0["edges"].index("1←0") if "1←0" in r0["edges"] else 0
    fact("θ(none) of seed 0's edge 1←0", f"θ(none) fell to {r0['arch_weights'][i][r0['ops'].index('none')]:.3f}")

    print("reading 5: augmentation of the architecture batches")
    fact("GAEA-DARTS unaugmented entropy", f"entropy falls to {pm(nats['no-aug'], 3)} nats ({pm(rel['no-aug'], 3)} of log 4) instead of {pm(nats['gaea-darts'], 3)}")
    fact("per seed", "here " + ", ".join(f"{x:.3f}" for x in nats["no-aug"][:2]) + f", {nats['no-aug'][2]:.3f} for seeds 0–2")
    fact("their cells", f"({pm(acc['no-aug'], 2)} %, t = {welch(acc['gaea-darts'], acc['no-aug'])[1]:.2f} against the augmented runs)")

    print("the tables are the committed aggregate.txt")
    for folder in ("augment", "plain"):
        for line in open(os.path.join(HERE, folder, "aggregate.txt")).read().splitlines():
            if line.strip() and not line.startswith(("report:", "found cells", "  ")):
                FACTS.append((f"{folder}/aggregate.txt line", line))


def groups(aug, plain):
    """The rows of a §1 sweep pair by name: the augment sweep's algorithms and "no-aug" (plain)."""
    g = {a: aug[(a, True)] for a, _ in aug}
    g["no-aug"] = plain[("gaea-darts", False)]
    return g


def free_edges(r):
    """Edges of a NAS-Bench-201 found cell whose op has no parameters."""
    return sum(picks([r])[o] for o in ("none", "skip_connect", "avg_pool_3x3"))


def round2_table():
    """§1 round 2 (issue 25), part 1: every row over seeds 0-4 under the fidelity changes
    (bench/science/round2/augment and plain), beside round 1 (bench/science/augment and plain)."""
    if not os.path.isdir(os.path.join(HERE, "round2", "augment")):
        return
    g = groups(load("round2/augment"), load("round2/plain"))
    old = groups(load("augment"), load("plain"))
    acc = {k: [bench(r, "cifar10") for r in runs] for k, runs in g.items()}
    acc_old = {k: [bench(r, "cifar10") for r in runs] for k, runs in old.items()}
    rel = {k: [rel_entropy(r) for r in runs] for k, runs in g.items()}
    nats = {k: [mean_entropy(r) for r in runs] for k, runs in g.items()}
    label = {"gaea-darts": "GAEA-DARTS", "euclid-darts": "Euclid-DARTS", "darts": "DARTS", "gaea-gdas": "GAEA-GDAS",
             "gdas": "GDAS", "no-aug": "GAEA-DARTS, no arch aug"}
    for k, runs in g.items():
        assert [r["seed"] for r in runs] == [0, 1, 2, 3, 4], (k, [r["seed"] for r in runs])
        assert all(r["steps"] == 628 for r in runs), k

    print("round 2, per-seed CIFAR-10 accuracies")
    for k in ("gaea-darts", "euclid-darts", "darts", "gaea-gdas", "gdas", "no-aug"):
        fact(f"{k} per seed", f"| {label[k]} | " + " | ".join(f"{v:.2f}" for v in acc[k])
             + f" | {pm(acc[k], 2)} | {pm(acc[k][:3], 2)} | {pm(acc_old[k], 2)} |")

    print("round 2, the comparisons")
    fact("GAEA vs Euclid", comparison("GAEA-DARTS", acc["gaea-darts"], "Euclid-DARTS", acc["euclid-darts"]))
    fact("GAEA vs DARTS", comparison("GAEA-DARTS", acc["gaea-darts"], "DARTS", acc["darts"]))
    fact("GAEA-GDAS vs GDAS", comparison("GAEA-GDAS", acc["gaea-gdas"], "GDAS", acc["gdas"]))
    fact("augmentation", comparison("augmented", acc["gaea-darts"], "unaugmented", acc["no-aug"]))

    print("round 2, readings")
    d0, t0, _, _ = welch(acc_old["gaea-darts"], acc_old["euclid-darts"])
    d, t, _, p = welch(acc["gaea-darts"], acc["euclid-darts"])
    fact("GAEA - Euclid, rounds 1 and 2", f"round 1's {d0:+.2f} points (t = {t0:.2f}, \"suggestive\") shrank to {d:+.2f} at 5 seeds, p ≈ {p:.2g}")
    top = min(bench(r, "rank_cifar10") for r in g["euclid-darts"])
    n_top = sum(bench(r, "rank_cifar10") == top for r in g["euclid-darts"])
    top_acc = [bench(r, "cifar10") for r in g["euclid-darts"] if bench(r, "rank_cifar10") == top][0]
    top_cell = [r["genotype"] for r in g["euclid-darts"] if bench(r, "rank_cifar10") == top][0]
    same = [str(r["seed"]) for r in g["gaea-darts"] if r["genotype"] == top_cell]
    fact("Euclid's top cell", f"finds the cell of GAEA-DARTS's seeds {' and '.join(same)} ({top_acc:.2f} %, rank {top}) on "
         f"{['no', 'one', 'two', 'three', 'four', 'five'][n_top]} of five seeds")
    d, t, _, p = welch(acc["gaea-darts"], acc["darts"])
    assert min(acc["gaea-darts"]) > max(acc["darts"])
    fact("GAEA - DARTS", f"{d:+.2f} points, t = {t:.2f}, p ≈ {p:.2g}, every GAEA seed above every DARTS seed")
    d, t, _, p = welch(acc["gaea-gdas"], acc["gdas"])
    lo, hi = welch_interval(acc["gaea-gdas"], acc["gdas"])
    fact("GAEA-GDAS - GDAS", f"{d:+.2f} points with t = {t:.2f}, p ≈ {p:.2g} and an interval from {lo:+.2f} to {hi:+.2f}".replace("from -", "from −"))
    both = acc["gaea-gdas"] + acc["gdas"]
    fact("the GDAS rows' range", f"decides its accuracy ({min(both):.2f} to {max(both):.2f} %)")
    fact("round 1's GDAS pair", f"Round 1's {pm(acc_old['gaea-gdas'], 2)} against {pm(acc_old['gdas'], 2)}")
    d, t, _, p = welch(acc["gaea-darts"], acc["no-aug"])
    fact("augmentation", f"({d:+.2f} points for augmented, p ≈ {p:.2g})")
    m = lambda k, v: f"{mean(v[k]):.2f}"
    fact("the fidelity changes", f"GAEA-DARTS stayed where it was ({m('gaea-darts', acc_old)} → {mean(acc['gaea-darts'][:3]):.2f}), "
         f"Euclid-DARTS rose ({m('euclid-darts', acc_old)} → {mean(acc['euclid-darts'][:3]):.2f}), DARTS lost its broken seed "
         f"({pm(acc_old['darts'], 2)} → {pm(acc['darts'][:3], 2)})")
    fact("GAEA-DARTS ranks", "ranks " + ", ".join(str(bench(r, "rank_cifar10")) for r in g["gaea-darts"]))
    fact("Euclid ranks", "ranks " + ", ".join(str(bench(r, "rank_cifar10")) for r in g["euclid-darts"]))
    conv = picks(g["gaea-darts"])
    fact("GAEA-DARTS ops", f"{conv['nor_conv_3x3']} of its 30 edges conv 3×3, {conv['nor_conv_1x1']} conv 1×1")
    fact("GAEA / Euclid entropy", f"entropy/log K {pm(rel['gaea-darts'], 3)} against Euclid's {pm(rel['euclid-darts'], 3)}")
    pk = picks(g["darts"])
    fact("DARTS none", f"`none` on {pk['none']} of its 30 edges (every seed 2 or 3: "
         + ", ".join(str(free_edges(r)) for r in g["darts"]) + "), conv 3×3 on the other " + str(pk["nor_conv_3x3"]))
    assert pk["none"] + pk["nor_conv_3x3"] == 30, pk
    assert all(free_edges(r) in (2, 3) for r in g["darts"])
    th = [p for r in g["darts"] for row in r["arch_weights"] for p in row]
    fact("DARTS θ range", f"every θ entry between {min(th):.4f} and {max(th):.4f}")
    fact("DARTS round-1 seed 0", f"{min(acc_old['darts']):.2f} %")
    th = [p for r in g["gaea-gdas"] for row in r["arch_weights"] for p in row]
    fact("GAEA-GDAS θ range", f"every θ entry of the five runs between {min(th):.4f} and {max(th):.4f}")
    fact("GAEA-GDAS entropy", f"entropy/log K ≥ {min(rel['gaea-gdas']):.6f}")
    th = [p for r in g["gdas"] for row in r["arch_weights"] for p in row]
    fact("GDAS θ range", f"GDAS's θ hardly more (between {min(th):.4f} and {max(th):.4f})")
    r0 = g["gaea-gdas"][0]
    warm = r0["settings"]["warmup_epochs"] * r0["steps"] // r0["epochs"]
    fact("GAEA-GDAS architecture steps", f"in its {r0['steps'] - warm} architecture steps")
    changed = sum(a["genotype"] != b["genotype"] for k in old for a, b in zip(g[k], old[k]))
    fact("cells changed", f"{changed} of the 18 cells of seeds 0–2 changed")
    fact("GAEA-GDAS param-free edges", "parameter-free edges " + ", ".join(str(free_edges(r)) for r in g["gaea-gdas"]))
    fact("GDAS param-free edges", "and GDAS's " + ", ".join(str(free_edges(r)) for r in g["gdas"]))
    fact("unaugmented entropy", f"{pm(nats['no-aug'], 3)} nats ({pm(rel['no-aug'], 3)} of log 4) against {pm(nats['gaea-darts'], 3)}")
    fact("unaugmented seed 2", f"seed 2 fell to {acc['no-aug'][2]:.2f} % (rank {bench(g['no-aug'][2], 'rank_cifar10'):,})")

    print("the round-2 tables are the committed aggregate.txt")
    for folder in ("augment", "plain"):
        for line in open(os.path.join(HERE, "round2", folder, "aggregate.txt")).read().splitlines():
            if line.strip() and not line.startswith(("report:", "found cells", "  ")):
                FACTS.append((f"round2/{folder}/aggregate.txt line", line))


def round2_levels():
    """§1 round 2 (issue 25), part 2: GAEA-DARTS and DARTS single level (round2/augment) against bilevel
    (round2/bilevel), equal weight steps and images seen."""
    if not os.path.isdir(os.path.join(HERE, "round2", "bilevel")):
        return
    single, bi = load("round2/augment"), load("round2/bilevel")
    rows = {}
    for a in ("gaea-darts", "darts"):
        rows[(a, "single")], rows[(a, "bi")] = single[(a, True)], bi[(a, True)]
    for (a, lv), runs in rows.items():
        assert [r["seed"] for r in runs] == [0, 1, 2, 3, 4], (a, lv)
        assert all(r["level"] == lv for r in runs), (a, lv)
        s0 = runs[0]["settings"]
        imgs = s0["train_images"] * runs[0]["epochs"]
        fact(f"{a} {lv}: weight steps, images", f"{runs[0]['steps']} weight steps, {s0['train_images']:,} × {runs[0]['epochs']} = {imgs:,} images")
    acc = {k: [bench(r, "cifar10") for r in runs] for k, runs in rows.items()}
    final = {k: [r["final_nb201"]["cifar10"] for r in runs] for k, runs in rows.items()}
    name = {"gaea-darts": "GAEA-DARTS", "darts": "DARTS"}

    print("round 2, levels: per row")
    for (a, lv), runs in rows.items():
        k = (a, lv)
        ranks = ", ".join(str(bench(r, "rank_cifar10")) for r in runs)
        fact(f"{a} {lv} row", f"| {name[a]} | {lv} | " + " | ".join(f"{v:.2f}" for v in acc[k]) + f" | {pm(acc[k], 2)} | {ranks} | "
             f"{pm([rel_entropy(r) for r in runs], 3)} | {pm([free_edges(r) for r in runs], 1)} |")
    print("round 2, levels: comparisons")
    fact("GAEA single vs bi, spreads", f"({pm(acc[('gaea-darts', 'single')], 2)} against {pm(acc[('gaea-darts', 'bi')], 2)})")
    for a in ("gaea-darts", "darts"):
        d, t, _, p = welch(acc[(a, "single")], acc[(a, "bi")])
        fact(f"{a} single - bi, short", f"{d:+.2f} points, t = {t:.2f}, p ≈ {p:.2g}".replace("t = -", "t = −").replace("-", "−", 1) if d < 0 else f"{d:+.2f} points, p ≈ {p:.2g}")
    d, _, _, p = welch(acc[("gaea-darts", "bi")], acc[("darts", "bi")])
    fact("GAEA - DARTS bilevel, short", f"({d:+.2f}, p ≈ {p:.2g})")
    for a in ("gaea-darts", "darts"):
        fact(f"{a} single vs bi", comparison(f"{name[a]} single", acc[(a, "single")], f"{name[a]} bilevel", acc[(a, "bi")]))
    for a in ("gaea-darts", "darts"):
        runs = rows[(a, "bi")]
        moved = sum(r["genotype"] != r["final_genotype"] for r in runs)
        fact(f"{a} bilevel best-valid vs final", f"the best-validation cell differs from the final one on {moved} of 5 seeds "
             f"(final cells {pm(final[(a, 'bi')], 2)})")
    fact("GAEA vs DARTS, bilevel", comparison("GAEA-DARTS bilevel", acc[("gaea-darts", "bi")], "DARTS bilevel", acc[("darts", "bi")]))
    for lv in ("single", "bi"):
        pk = picks(rows[("darts", lv)])
        fact(f"DARTS {lv} picks", f"{lv}: " + ", ".join(f"{o} {pk[o]}" for o in ("none", "skip_connect", "avg_pool_3x3", "nor_conv_1x1", "nor_conv_3x3")))
        th = [p for r in rows[("darts", lv)] for row in r["arch_weights"] for p in row]
        fact(f"DARTS {lv} θ range", f"{lv}: θ between {min(th):.4f} and {max(th):.4f}")
    edge_none = defaultdict(int)
    for lv in ("single", "bi"):
        for r in rows[("darts", lv)]:
            for e, part in zip(r["edges"], r["genotype"].strip("|").replace("|+|", "|").split("|")):
                if part.startswith("none~"):
                    edge_none[(lv, e.replace("<-", "←"))] += 1
    fact("DARTS single-level none edges", "single level puts `none` on " + ", ".join(
        f"{e} ({n} of 5)" for (lv, e), n in sorted(edge_none.items()) if lv == "single"))
    fact("DARTS bilevel none edges", "bilevel on " + ", ".join(
        f"{e} ({n} of 5)" for (lv, e), n in sorted(edge_none.items()) if lv == "bi"))

    for line in open(os.path.join(HERE, "round2", "bilevel", "aggregate.txt")).read().splitlines():
        if line.strip() and not line.startswith(("report:", "found cells", "  ")):
            FACTS.append(("round2/bilevel/aggregate.txt line", line))


# The reference cells the DARTS-space anchors are trained from, as their repositories write them:
# quark0/darts cnn/genotypes.py DARTS_V2 and yuhuixu1993/PC-DARTS genotypes.py PC_DARTS_cifar (the text form
# of `gaea train --genotype` and of result.json writes range(2, 6) for [2, 3, 4, 5]).
ANCHORS = {
    "DARTS_V2": "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
                "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), "
                "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
                "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))",
    "PC_DARTS_cifar": "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1), "
                      "('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), ('dil_conv_3x3', 1)], normal_concat=range(2, 6), "
                      "reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), "
                      "('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=range(2, 6))",
}


def darts_cells(genotype):
    """The normal and reduction cells of a DARTS genotype's text form: lists of (op, input node)."""
    m = re.fullmatch(r"Genotype\(normal=\[(.*)\], normal_concat=range\(2, 6\), reduce=\[(.*)\], reduce_concat=range\(2, 6\)\)", genotype)
    assert m, genotype
    return [[(op, int(i)) for op, i in re.findall(r"\('(\w+)', (\d+)\)", part)] for part in m.groups()]


def darts_params(genotype, C, layers, classes=10):
    """Parameters of the DARTS evaluation network (quark0/darts cnn/model.py NetworkCIFAR, counted as its
    utils.count_parameters_in_MB counts them: without the auxiliary head), by hand from the genotype: an
    independent count of what `gaea train` and `gaea params` report."""
    def op(name, c, stride):
        k = {"3x3": 9, "5x5": 25}.get(name[-3:])
        if name.startswith("sep_conv"):  # twice ReLU, depthwise k×k, pointwise 1×1, BN (affine)
            return 2 * (k * c + c * c + 2 * c)
        if name.startswith("dil_conv"):  # ReLU, dilated depthwise k×k, pointwise 1×1, BN
            return k * c + c * c + 2 * c
        if name == "skip_connect":  # identity, or FactorizedReduce (two 1×1 convs to c/2, BN) at stride 2
            return 0 if stride == 1 else c * c + 2 * c
        assert name in ("max_pool_3x3", "avg_pool_3x3"), name
        return 0
    normal, reduce = darts_cells(genotype)
    total = 3 * 9 * 3 * C + 2 * 3 * C  # stem: conv 3×3 to 3C, BN
    cpp, cp, cc = 3 * C, 3 * C, C
    for i in range(layers):
        red = i in (layers // 3, 2 * layers // 3)
        cc *= 2 if red else 1
        # preprocess0 (ReLUConvBN 1×1, or FactorizedReduce after a reduction: the same count) and preprocess1
        total += cpp * cc + 2 * cc + cp * cc + 2 * cc
        total += sum(op(name, cc, 2 if red and j < 2 else 1) for name, j in (reduce if red else normal))
        cpp, cp = cp, 4 * cc
    return total + cp * classes + classes  # the classifier on the pooled 4·C channels


def run_of(name):
    """(algo, seed) of a sweep cell's folder name, darts-<algo>-s<seed>."""
    algo, seed = name[len("darts-"):].rsplit("-s", 1)
    return algo, int(seed)


def round2_darts():
    """§1 round 2 (issue 25), part 3: GAEA PC-DARTS against PC-DARTS on the DARTS space (bench/science/
    round2-darts/search), every found cell and two anchors trained from scratch under one reduced protocol
    (round2-darts/train)."""
    base = os.path.join(HERE, "round2-darts")
    if not os.path.isdir(base):
        return
    search = {(r["algo"], r["seed"]): r for rs in load("round2-darts/search").values() for r in rs}
    train = {}
    for path in sorted(glob.glob(os.path.join(base, "train", "*", "result.json"))):
        r = json.load(open(path))
        r["history"] = [json.loads(line) for line in open(os.path.join(os.path.dirname(path), "history.jsonl"))]
        train[os.path.basename(os.path.dirname(path))] = r
    want = [(a, s) for a in ("gaea-pcdarts", "pcdarts") for s in (0, 1, 2)]
    names = [f"darts-{a}-s{s}" for a, s in want] + [f"anchor-{g}" for g in ANCHORS]
    if sorted(search) != want or sorted(train) != sorted(names):
        # a study still running keeps its finished results here; nothing of it is stated before it ends
        print(f"round 2, DARTS space: unfinished ({len(search)} of {len(want)} searches, {len(train)} of {len(names)} trainings), no facts")
        assert set(search) <= set(want) and set(train) <= set(names), (sorted(search), sorted(train))
        return
    # one protocol for every training, the search's cell trained, the anchors' cells the references'
    own = ("genotype", "from")  # a found cell's training names its search folder (settings "from")
    proto = {k: v for k, v in train[names[0]]["settings"].items() if k not in own}
    for n in names:
        r = train[n]
        assert {k: v for k, v in r["settings"].items() if k not in own} == proto, n
        if n.startswith("anchor-"):
            cell = ANCHORS[n[len("anchor-"):]]
        else:
            cell = search[run_of(n)]["genotype"]
            assert os.path.basename(r["settings"]["from"].rstrip("/")) == n, (n, r["settings"]["from"])
        assert r["genotype"] == cell, n
        assert [h["epoch"] for h in r["history"]] == list(range(1, r["epochs"] + 1)), n
        assert abs(r["history"][-1]["test_acc"] - r["final_test_acc"]) < 1e-12, n
        assert r["params"] == darts_params(r["genotype"], proto["channels"], proto["layers"]), n
    s0 = search[("gaea-pcdarts", 0)]["settings"]
    fact("search scale", f"C={s0['channels']} with {s0['cells']} cells, batch {s0['batch']}, {s0['train_images']:,} + "
         f"{s0['valid_images']:,} images, {search[('gaea-pcdarts', 0)]['epochs']} epochs of "
         f"{search[('gaea-pcdarts', 0)]['steps'] // search[('gaea-pcdarts', 0)]['epochs']} iterations")
    fact("training protocol", f"C={proto['channels']} with {proto['layers']} layers, the first {proto['subset']:,} training images, "
         f"{proto['epochs']} epochs, batch {proto['batch']}, cutout {proto['cutout']}, auxiliary {proto['auxiliary']}, "
         f"drop-path {proto['drop_path']}, grad clip {proto['grad_clip']}, SGD {proto['lr']} {proto['lr_schedule']}, seed {proto['seed']}")
    assert proto.get("test_subset", 0) == 0  # all 10,000 test images (0 is not written)
    arch = {a: {r["steps"] - r["settings"]["warmup_epochs"] * r["steps"] // r["epochs"] for (b, _), r in search.items() if b == a}
            for a in ("gaea-pcdarts", "pcdarts")}
    assert all(len(v) == 1 for v in arch.values()), arch
    fact("DARTS-space θ steps", f"architecture steps: GAEA PC-DARTS {arch['gaea-pcdarts'].pop()}, PC-DARTS {arch['pcdarts'].pop()}")

    label = {"gaea-pcdarts": "GAEA PC-DARTS", "pcdarts": "PC-DARTS"}
    free = ("max_pool_3x3", "avg_pool_3x3", "skip_connect")
    print("round 2, DARTS space: | cell | params C=16, 8 layers | params C=36, 20 layers | normal cell: parameter-free ops "
          "| θ entropy / log 8 | selected epoch | test accuracy after epochs 1…E | final |")
    acc = defaultdict(list)
    for n in names:
        r = train[n]
        if n.startswith("anchor-"):
            what, ent, sel = n[len("anchor-"):] + " (anchor)", "—", "—"
        else:
            a, sd = run_of(n)
            sr = search[(a, sd)]
            what, ent, sel = f"{label[a]}, seed {sd}", f"{rel_entropy(sr):.4f}", str(sr["best_valid"]["epoch"])
            acc[a].append(100 * r["final_test_acc"])
        normal, _ = darts_cells(r["genotype"])
        curve = " / ".join(f"{100 * h['test_acc']:.2f}" for h in r["history"])
        fact(f"{n} row", f"| {what} | {r['params']:,} | {darts_params(r['genotype'], 36, 20):,} | "
             f"{sum(op in free for op, _ in normal)} of 8 | {ent} | {sel} | {curve} | {100 * r['final_test_acc']:.2f} |")
    for a in ("gaea-pcdarts", "pcdarts"):
        fact(f"{a} mean", f"{label[a]} {pm(acc[a], 2)} %")
        secs = [search[(a, s)]["seconds"] for s in (0, 1, 2)]
        fact(f"{a} search time", f"{label[a]} searches {min(secs) / 60:.0f}–{max(secs) / 60:.0f} min")
        tv = [mean([sum(abs(p - 1 / len(row)) for p in row) / 2 for row in search[(a, s)]["arch_weights"]]) for s in (0, 1, 2)]
        top = [max(p for row in search[(a, s)]["arch_weights"] for p in row) for s in (0, 1, 2)]
        beta = [mean([entropy(row) / math.log(len(row)) for row in search[(a, s)]["edge_weights"]]) for s in (0, 1, 2)]
        fact(f"{a} θ movement", f"{label[a]}: θ {pm(tv, 4)} from uniform in total variation (largest entry "
             f"{max(top):.4f}, uniform {1 / len(search[(a, 0)]['ops']):.3f}), β entropy {pm(beta, 4)} of log n")
    pairs = [(x, y) for x in acc["gaea-pcdarts"] for y in acc["pcdarts"]]
    worse = [(x, y) for x, y in pairs if x <= y]
    fact("pairs", f"{len(pairs) - len(worse)} of the {len(pairs)} GAEA–PC-DARTS pairs in GAEA's favour"
         + "".join(f" (the exception: {x:.2f} against {y:.2f})" for x, y in worse[:1]))
    moved = {a: mean([mean([sum(abs(p - 1 / len(row)) for p in row) / 2 for row in search[(a, s)]["arch_weights"]]) for s in (0, 1, 2)])
             for a in ("gaea-pcdarts", "pcdarts")}
    fact("DARTS-space θ ratio", f"GAEA moved θ {moved['gaea-pcdarts'] / moved['pcdarts']:.1f} times as far")
    low = sorted((v, n) for n in names for v in [100 * train[n]["final_test_acc"]])[:2]
    fact("two lowest", "two lowest cells, " + " and ".join(n for _, n in sorted(low, key=lambda x: x[1])))
    fact("GAEA PC-DARTS vs PC-DARTS", comparison("GAEA PC-DARTS", acc["gaea-pcdarts"], "PC-DARTS", acc["pcdarts"]))
    anchors = {g: 100 * train[f"anchor-{g}"]["final_test_acc"] for g in ANCHORS}
    fact("anchors", f"PC_DARTS_cifar {anchors['PC_DARTS_cifar']:.2f} % against DARTS_V2 {anchors['DARTS_V2']:.2f} % "
         f"({anchors['PC_DARTS_cifar'] - anchors['DARTS_V2']:+.2f} points)")
    # the one cell of gaea_release's genotypes.py named after GAEA's update (edarts: exponentiated DARTS)
    edarts4 = ("Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('skip_connect', 0), ('skip_connect', 1), "
               "('skip_connect', 0), ('skip_connect', 2), ('skip_connect', 0), ('dil_conv_3x3', 3)], normal_concat=range(2, 6), "
               "reduce=[('dil_conv_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('avg_pool_3x3', 0), ('skip_connect', 3), "
               "('skip_connect', 2), ('skip_connect', 3), ('skip_connect', 4)], reduce_concat=range(2, 6))")
    fact("edarts4", f"edarts4 has {darts_params(edarts4, 36, 20):,} parameters at C=36 with 20 layers and "
         f"{sum(op == 'skip_connect' for op, _ in darts_cells(edarts4)[0])} skip_connect in its normal cell")
    found = [v for a in acc for v in acc[a]]
    fact("found cells against the anchors", f"{sum(v > max(anchors.values()) for v in found)} of {len(found)} found cells above both anchors, "
         f"{sum(v < min(anchors.values()) for v in found)} below both")
    # how noisy one training's final accuracy is: its falls from one epoch's test to the next
    falls = [max(100 * (a["test_acc"] - b["test_acc"]) for a, b in zip(train[n]["history"], train[n]["history"][1:])) for n in names]
    fact("epoch-to-epoch falls", f"test accuracy fell from one epoch to the next in {sum(f > 0 for f in falls)} of {len(names)} trainings, "
         f"by up to {max(falls):.2f} points")
    hours = sum(train[n]["seconds"] for n in names) / 3600
    fact("training time", f"{len(names)} trainings, {hours:.1f} h of training in all")
    for line in open(os.path.join(base, "search", "aggregate.txt")).read().splitlines():
        if line.strip() and not line.startswith(("report:", "found cells", "  ")):
            FACTS.append(("round2-darts/search/aggregate.txt line", line))


def nb1shot1_table():
    """§1, NAS-Bench-1Shot1: GAEA PC-DARTS against PC-DARTS on spaces 1-3 (bench/science/nb1shot1)."""
    if not os.path.isdir(os.path.join(HERE, "nb1shot1")):
        return
    runs = defaultdict(list)
    for (algo, _), rs in load("nb1shot1").items():
        for r in rs:
            runs[(r["space"], algo)].append(r)
    print("NAS-Bench-1Shot1: | space | algorithm | op weights: entropy/log 3 | edge weights β: entropy/log n | "
          "op weights' distance from uniform | largest op weight per node | distinct cells | maxpool / conv 3×3 / "
          "conv 1×1 picked | nodes kept by pruning, per seed |; then | space | same cell | same op | same inputs | of GAEA PC-DARTS and PC-DARTS, same seed")
    for (space, algo), rs in sorted(runs.items()):
        rs.sort(key=lambda r: r["seed"])
        ops = rs[0]["ops"]
        rel = [rel_entropy(r) for r in rs]
        beta = [mean([entropy(row) / math.log(len(row)) for row in r["edge_weights"]]) for r in rs]
        top = [mean([max(row) for row in r["arch_weights"]]) for r in rs]
        cells = [r["genotype"] for r in rs]
        count = defaultdict(int)
        for c in cells:
            for node in c.split()[:-1]:
                count[node.split(":")[1].split("(")[0]] += 1
        nodes = sum(count.values())
        picked = " / ".join(str(count[o]) for o in ops)
        # how far θ moved: total-variation distance of each node's op weights from uniform, mean over nodes
        tv = [mean([sum(abs(p - 1 / len(row)) for p in row) / 2 for row in r["arch_weights"]]) for r in rs]
        kept = "/".join(str(len(kept_nodes(c))) for c in cells)
        fact(f"{space} {algo} row", f"| {space} | {algo} | {pm(rel, 4)} | {pm(beta, 4)} | {pm(tv, 4)} | {pm(top, 3)} | "
             f"{len(set(cells))} of {len(cells)} | {picked} of {nodes} | {kept} |")
    spaces_ = sorted({sp for sp, _ in runs})

    def per_space(algo, f, fmt):
        return [fmt.format(mean([f(r) for r in runs[(sp, algo)]])) for sp in spaces_]

    rel_of = lambda r: rel_entropy(r)
    tv_of = lambda r: mean([sum(abs(p - 1 / len(row)) for p in row) / 2 for row in r["arch_weights"]])
    g_rel, g_tv = per_space("gaea-pcdarts", rel_of, "{:.4f}"), per_space("gaea-pcdarts", tv_of, "{:.4f}")
    p_tv = per_space("pcdarts", tv_of, "{:.4f}")
    fact("GAEA op-weight entropy by space", f"GAEA's op weights are at {', '.join(g_rel[:-1])} and {g_rel[-1]} of log 3")
    fact("GAEA distance by space", f"at {', '.join(g_tv[:-1])} and {g_tv[-1]} from uniform in total variation")
    fact("PC-DARTS by space", "PC-DARTS's after 316 Adam steps at " +
         f"{mean([rel_of(r) for sp in spaces_ for r in runs[(sp, 'pcdarts')]]):.4f} and {', '.join(p_tv)}")
    ratios = [mean([tv_of(r) for r in runs[(sp, "gaea-pcdarts")]]) / mean([tv_of(r) for r in runs[(sp, "pcdarts")]]) for sp in spaces_]
    fact("how much further GAEA moved", f"GAEA moves {min(ratios):.1f}–{max(ratios):.1f} times further")
    steps = {a: {r["steps"] - r["settings"]["warmup_epochs"] * r["steps"] // r["epochs"] for sp in spaces_ for r in runs[(sp, a)]} for a in ("gaea-pcdarts", "pcdarts")}
    assert steps == {"gaea-pcdarts": {237}, "pcdarts": {316}}, steps
    agree_op = agree_nodes = agree_cell = searches = 0
    # The two algorithms from the same seed (same initial weights and batches): how often they agree.
    for space in sorted({sp for sp, _ in runs}):
        a = {r["seed"]: r for r in runs.get((space, "gaea-pcdarts"), [])}
        b = {r["seed"]: r for r in runs.get((space, "pcdarts"), [])}
        seeds = sorted(set(a) & set(b))
        if not seeds:
            continue
        same_op = same_in = nodes = same_cell = 0
        for sd in seeds:
            ca, cb = a[sd]["genotype"].split(), b[sd]["genotype"].split()
            same_cell += ca == cb
            for x, y in zip(ca, cb):
                if x.startswith("out"):
                    continue
                nodes += 1
                same_op += x.split("(")[0] == y.split("(")[0]
                same_in += x.split("(")[1] == y.split("(")[1]
        fact(f"{space} agreement", f"| {space} | {same_cell} of {len(seeds)} | {same_op} of {nodes} | {same_in} of {nodes} |")
        agree_op, agree_nodes, agree_cell, searches = agree_op + same_op, agree_nodes + nodes, agree_cell + same_cell, searches + len(seeds)
    fact("agreement over the spaces", f"pick the same op on {agree_op} of {agree_nodes} choice nodes, and the very same cell in {agree_cell} of {searches} pairs")
    for line in open(os.path.join(HERE, "nb1shot1", "aggregate.txt")).read().splitlines():
        if line.strip() and not line.startswith(("report:", "warning:", "not finished")):
            FACTS.append(("nb1shot1/aggregate.txt line", line.strip()))  # the table and the found cells


def kept_nodes(cell):
    """The choice nodes of a NAS-Bench-1Shot1 cell ("1:op(0) 2:op(0,1) … out(…)") that reach the output:
    those NAS-Bench-101's pruning keeps (every node reaches the input, node 1 reading it)."""
    parents = {}
    for part in cell.split():
        name, ins = part.split("(")
        parents[name.split(":")[0]] = [int(x) for x in ins.rstrip(")").split(",")]
    keep, todo = set(), list(parents["out"])
    while todo:
        n = todo.pop()
        if n and n not in keep:
            keep.add(n)
            todo.extend(parents[str(n)])
    return keep


def picks(runs):
    """How often each op is the found cell's op on an edge (NAS-Bench-201 genotype strings)."""
    n = defaultdict(int)
    for r in runs:
        for part in r["genotype"].strip("|").replace("|+|", "|").split("|"):
            n[part.split("~")[0]] += 1
    return n


def normalise(s):
    return re.sub(r"\s+", " ", s)


def main(argv):
    if len(argv) > 1 and (argv[1] != "--check" or len(argv) != 3):
        print("usage: facts.py [--check RESULTS.md]", file=sys.stderr)
        return 2
    science_table()
    round2_table()
    round2_levels()
    round2_darts()
    nb1shot1_table()
    if len(argv) == 3:
        text = normalise(open(argv[2]).read())
        missing = [(w, s) for w, s in FACTS if normalise(s) not in text]
        for w, s in missing:
            print(f"MISSING in {argv[2]} ({w}): {s}")
        print(f"{len(FACTS) - len(missing)} of {len(FACTS)} facts stated as computed")
        return 1 if missing else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
