#!/usr/bin/env python3
"""How much can a length policy earn from a drafter's evidence on a steep cost curve?

Reads the table `lookupdecode replay --simulate --proposals FILE` writes (every drafter's proposal at every position of
recorded answers, and how much of it the answer confirms) and a cost curve, then replays one drafter's proposals with:

- oracle: the cheapest way through each turn knowing how many tokens each proposal will get accepted (dynamic
          programming over positions): the bound on any length policy over these proposals;
- table:  the best fixed length per class of (first token's evidence class, proposal length bin, confirmed-run bin),
          fitted on half the questions and scored on the other half (and in-sample, for the gap);
- boosted: gradient-boosted regressions of the value of lengths 1, 2, 3, 7, 15 from the proposal's features (its
          length, the confirmed run, the evidence classes of its first eight tokens, and the drafter's recent hit rates),
          cross-fitted over the two halves; in-sample too. Needs scikit-learn (Debian: apt-get install python3-sklearn).

Speedup per category = tokens after each turn's prefill / the relative cost of their steps, as offline replay prices it
(CostModel's interpolation); 'geo' is the geometric mean over the categories. The table and boosted policies maximise
each step's tokens minus its cost (plain decoding's exchange rate), as DraftLengthPolicy does with lambda = 1. Usage:

  length_policy_bound.py TABLE.csv CURVE.json [--drafter suffix] [--max-position 128]

CURVE.json: a stored calibration (~/.cache/lookupdecode/cost-models/*.json: Points with BatchSize, Depth, RelativeCost;
costs interpolated in depth) or a curve file { "points": [[k, T(k)/T(1)], ...] }.
"""
import argparse
import bisect
import collections
import functools
import csv
import json
import math
import sys

LENGTHS = [1, 2, 3, 7, 15]


def load_curve(path):
    """c(k, depth) as CostModel prices it: milliseconds interpolated linearly between measured depths (the last slope
    extended beyond the deepest), then divided by a single token's; beyond the largest batch, linear in k."""
    data = json.load(open(path))
    by_depth = collections.defaultdict(dict)
    if "points" in data:
        for batch, relative in data["points"]:
            by_depth[0][int(batch)] = float(relative)
    else:
        for point in data["Points"]:
            by_depth[int(point["Depth"])][int(point["BatchSize"])] = float(point["Milliseconds"])
    depths = sorted(by_depth)
    max_batch = min(max(costs) for costs in by_depth.values())

    def at_depth(batch, depth):
        costs = by_depth[depth]
        below = max(k for k in costs if k <= batch)
        above = [k for k in costs if k >= batch]
        if not above:
            return costs[below]
        above = min(above)
        if above == below:
            return costs[below]
        return costs[below] + (batch - below) / (above - below) * (costs[above] - costs[below])

    def interpolated(batch, depth):
        if len(depths) == 1 or depth <= depths[0]:
            return at_depth(batch, depths[0])
        i = bisect.bisect_left(depths, depth)
        if i < len(depths):
            lo, hi = depths[i - 1], depths[i]
            t = (depth - lo) / (hi - lo)
            return at_depth(batch, lo) + t * (at_depth(batch, hi) - at_depth(batch, lo))
        last, previous = depths[-1], depths[-2]
        slope = (at_depth(batch, last) - at_depth(batch, previous)) / (last - previous)
        return at_depth(batch, last) + slope * (depth - last)

    @functools.lru_cache(maxsize=None)
    def cost(batch, depth):
        if batch <= 1:
            return 1.0
        clamped = min(batch, max_batch)
        relative = interpolated(clamped, depth) / interpolated(1, depth)
        return relative * batch / max_batch if batch > max_batch else relative

    return cost, max_batch - 1


def load_turns(path, drafter, max_position):
    turns = collections.OrderedDict()
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["drafter"] != drafter or int(row["position"]) >= max_position:
                continue
            key = (int(row["question_id"]), int(row["turn"]))
            evidence = [int(x) for x in row["evidence"].split("|")] if row["evidence"] else []
            turns.setdefault(key, {"category": row["category"], "rows": []})["rows"].append(
                (int(row["depth"]), int(row["proposed"]), int(row["accepted"]), evidence))
    for turn in turns.values():
        run = 0
        rows = []
        hits = []
        for depth, proposed, accepted, evidence in turn["rows"]:
            recent = [sum(hits[-w:]) / min(w, len(hits)) if hits else -1 for w in (4, 16, 64)]
            rows.append({"depth": depth, "proposed": proposed, "accepted": accepted, "evidence": evidence,
                         "run": run, "recent": recent})
            hit = proposed > 0 and accepted > 0
            run = run + 1 if hit else 0
            hits.append(1 if hit else 0)
        turn["rows"] = rows
    return turns


def summarise(tokens, costs):
    """Speedup per category (tokens over their cost) and the geometric mean over the categories."""
    speedups = {c: tokens[c] / costs[c] for c in sorted(tokens) if costs[c] > 0}
    geo = math.exp(sum(math.log(s) for s in speedups.values()) / len(speedups))
    return speedups, geo


def replay(turns, keys, choose, cost):
    """Speedup per category as offline replay reports it: tokens after the prefill's over the cost of their steps."""
    tokens = collections.Counter()
    costs = collections.Counter()
    for key in keys:
        turn = turns[key]
        rows = turn["rows"]
        # The first token comes from the prefill, as in the decoding loop; drafts never run past the last token.
        t = 1
        while t < len(rows):
            row = rows[t]
            length = max(0, min(choose(key, t, row), row["proposed"], len(rows) - t - 1))
            got = min(row["accepted"], length) + 1
            tokens[turn["category"]] += got
            costs[turn["category"]] += cost(length + 1, row["depth"])
            t += got
    return summarise(tokens, costs)


def oracle_bound(turns, keys, cost, max_length):
    """The bound on every length policy over this drafter's proposals: per turn, the cheapest way through its tokens
    (dynamic programming over positions), each step verifying at most what will be accepted."""
    tokens = collections.Counter()
    costs = collections.Counter()
    for key in keys:
        turn = turns[key]
        rows = turn["rows"]
        n = len(rows)
        best = [0.0] * (n + 1)
        for t in range(n - 1, 0, -1):
            row = rows[t]
            longest = min(row["accepted"], row["proposed"], max_length, n - t - 1)
            best[t] = min(cost(length + 1, row["depth"]) + best[t + length + 1] for length in range(longest + 1))
        if n > 1:
            tokens[turn["category"]] += n - 1
            costs[turn["category"]] += best[1]
    return summarise(tokens, costs)


def length_bin(n):
    return 0 if n <= 1 else 1 if n == 2 else 2 if n == 3 else 3 if n < 8 else 4 if n < 16 else 5


def run_bin(n):
    return 0 if n == 0 else 1 if n < 3 else 2 if n < 6 else 3 if n < 10 else 4 if n < 20 else 5 if n < 40 else 6


def table_class(row):
    return (row["evidence"][0] if row["evidence"] else -1, length_bin(row["proposed"]), run_bin(row["run"]))


def fit_table(turns, keys, cost, max_length):
    values = collections.defaultdict(lambda: collections.Counter())
    for key in keys:
        for row in turns[key]["rows"][1:]:
            if row["proposed"] == 0:
                continue
            cls = table_class(row)
            for length in range(1, max_length + 1):
                used = min(length, row["proposed"])
                values[cls][length] += min(row["accepted"], used) + 1 - cost(used + 1, row["depth"])
    table = {}
    for cls, by_length in values.items():
        length, value = max(by_length.items(), key=lambda item: item[1])
        table[cls] = length if value > 0 else 0
    return lambda key, t, row: table.get(table_class(row), 0) if row["proposed"] else 0


def features(row):
    evidence = row["evidence"] + [-1] * 8
    return [row["proposed"], row["run"], row["depth"]] + evidence[:8] + row["recent"]


def fit_boosted(turns, train_keys, predict_keys, cost):
    from sklearn.ensemble import HistGradientBoostingRegressor
    import numpy as np
    x, y = [], []
    for key in train_keys:
        for row in turns[key]["rows"][1:]:
            if row["proposed"] == 0:
                continue
            x.append(features(row))
            y.append([min(row["accepted"], length, row["proposed"]) + 1 - cost(min(length, row["proposed"]) + 1, row["depth"])
                      for length in LENGTHS])
    x, y = np.array(x, float), np.array(y)
    models = []
    for j in range(len(LENGTHS)):
        model = HistGradientBoostingRegressor(max_iter=150, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=40)
        model.fit(x, y[:, j])
        models.append(model)
    choices = {}
    for key in predict_keys:
        rows = [(t, row) for t, row in enumerate(turns[key]["rows"]) if t > 0 and row["proposed"] > 0]
        if not rows:
            continue
        fx = np.array([features(row) for _, row in rows], float)
        predictions = np.stack([model.predict(fx) for model in models], axis=1)
        for (t, _), values in zip(rows, predictions):
            j = int(values.argmax())
            choices[(key, t)] = LENGTHS[j] if values[j] > 0 else 0
    return lambda key, t, row: choices.get((key, t), 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("table")
    parser.add_argument("curve")
    parser.add_argument("--drafter", default="suffix")
    parser.add_argument("--max-position", type=int, default=1 << 30)
    args = parser.parse_args()
    cost, max_length = load_curve(args.curve)
    turns = load_turns(args.table, args.drafter, args.max_position)
    if not turns:
        sys.exit(f"no rows of drafter '{args.drafter}' in {args.table}")
    keys = list(turns)
    halves = [[k for k in keys if k[0] % 2 == 0], [k for k in keys if k[0] % 2 == 1]]

    def show(name, results):
        speedups, geo = results
        print(f"{name:<22}" + " ".join(f"{c[:12]:>12} {s:.3f}" for c, s in speedups.items()) + f"   geo {geo:.3f}")

    show("oracle (bound)", oracle_bound(turns, keys, cost, max_length))

    def cross_fitted(fit):
        fitted = [fit(halves[1], halves[0]), fit(halves[0], halves[1])]
        return lambda key, t, row: fitted[key[0] % 2](key, t, row)

    show("table, cross-fitted", replay(turns, keys, cross_fitted(lambda train, test: fit_table(turns, train, cost, max_length)), cost))
    show("table, in-sample", replay(turns, keys, fit_table(turns, keys, cost, max_length), cost))
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("boosted: skipped (no scikit-learn; Debian: apt-get install python3-sklearn)")
        return
    show("boosted, cross-fitted", replay(turns, keys, cross_fitted(lambda train, test: fit_boosted(turns, train, test, cost)), cost))
    show("boosted, in-sample", replay(turns, keys, fit_boosted(turns, keys, keys, cost), cost))


if __name__ == "__main__":
    main()
