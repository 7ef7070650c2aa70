# Reference values for stats/rank_test.go, computed with SciPy (Debian python3-scipy 1.10.1):
#   /usr/bin/python3 stats/testdata/reference.py
# The samples are the ones rank_test.go builds (the formula cases are exact in float64 on both sides).
import numpy as np
from scipy import stats

def formula(n, a, b, c):
    x = [float((i * a) % 23) for i in range(n)]
    y = [float((i * i * b + i * c) % 17) + x[i] / 2 for i in range(n)]
    return x, y

cases = {
    "hand": ([1, 2, 2, 3], [1, 2, 3, 3]),
    "no ties": ([0.3, 1.2, -0.5, 2.2, 0.9, 1.7, -1.1, 0.1], [1.0, 0.4, -0.2, 2.5, 1.1, 0.8, -0.9, 0.0]),
    "negative": ([1, 2, 3, 4, 5, 6, 7], [7, 5, 6, 4, 2, 3, 1]),
    "formula n=30": formula(30, 37, 11, 5),
    "formula n=150": formula(150, 37, 11, 5),
    "formula n=150 other": formula(150, 7, 3, 13),
}
for name, (x, y) in cases.items():
    tau = stats.kendalltau(x, y, variant="b").statistic
    rho = stats.spearmanr(x, y).statistic
    n = len(x)
    line = f'{{"{name}", {tau!r}, {rho!r}'
    if n > 4:
        q = stats.norm.ppf(0.975)
        se_t = np.sqrt(0.437 / (n - 4))
        se_r = np.sqrt((1 + rho * rho / 2) / (n - 3))
        line += f", {np.tanh(np.arctanh(tau) - q * se_t)!r}, {np.tanh(np.arctanh(tau) + q * se_t)!r}"
        line += f", {np.tanh(np.arctanh(rho) - q * se_r)!r}, {np.tanh(np.arctanh(rho) + q * se_r)!r}"
    print(line + "},")
print("ranks", stats.rankdata([10, 20, 20, 30, 5, 20]).tolist())
print("norm.ppf", repr(stats.norm.ppf(0.975)), repr(stats.norm.ppf(0.05)), repr(stats.norm.ppf(0.9)))
print("quantile", repr(float(np.quantile([1.0, 2.0, 4.0, 8.0, 16.0], 0.025))), repr(float(np.quantile([1.0, 2.0, 4.0, 8.0, 16.0], 0.9))))
