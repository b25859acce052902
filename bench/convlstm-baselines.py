#!/usr/bin/env python3
"""Hand baselines for the ConvLSTM: what a GRACE-only next-record forecast can score without a network.

Reads a run folder's prepared records (prepared/grace.f32, mask.f32, prepared.json, written by `twsa run` or
`twsa prepare`) and scores simple forecasts on the test records with the per-pixel metrics of Table 1 (mean over land
cells of each cell's RMSE and Pearson CC over the test records). Like the pipeline's ConvLSTM, the first test block is
hindcast (from the record after it) and every other record forecast (from the record before it), sliding over the
records as if consecutive; every fit uses the training records only.

    python3 bench/convlstm-baselines.py runs/quick-real

Needs numpy only. The numbers quoted in docs/guide-reproduce-yu2021.md (§ 9) come from this script on the quick run
with real GRACE and `--lsm emulate` (seed 42).
"""
import json
import sys
from pathlib import Path

import numpy as np


def load(run: Path):
    prepared = json.loads((run / "prepared" / "prepared.json").read_text())
    meta = json.loads((run / "prepared" / "grace.json").read_text())
    n, rows, cols = meta["shape"]
    grace = np.fromfile(run / "prepared" / "grace.f32", dtype="<f4").reshape(n, rows, cols).astype(np.float64)
    mask = np.fromfile(run / "prepared" / "mask.f32", dtype="<f4").reshape(rows, cols)
    months = [r["yearMonth"] for r in prepared["records"]]
    splits = prepared.get("splits")
    if splits is None:
        raise SystemExit(f"{run}/prepared/prepared.json has no 'splits'")
    return grace, mask, months, np.array(splits)


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    run = Path(sys.argv[1])
    g, mask, months, splits = load(run)
    n = g.shape[0]
    train = np.flatnonzero(splits == "train")
    test = np.flatnonzero(splits == "test")
    first_train = train.min()
    # Table 1 scores land cells (fraction >= 0.5) with a finite value in every record.
    valid = (mask >= 0.5) & np.isfinite(g).all(axis=0)
    # The neighbour each record is predicted from: the next record before the first training record (hindcast),
    # else the previous one (forecast); record 0 has no previous one.
    neighbour = np.array([t + 1 if t < first_train else t - 1 for t in range(n)])

    def score(pred: np.ndarray, name: str) -> None:
        p, o = pred[test][:, valid], g[test][:, valid]
        rmse = np.sqrt(((p - o) ** 2).mean(axis=0)).mean()
        pc, oc = p - p.mean(axis=0), o - o.mean(axis=0)
        cc = ((pc * oc).sum(axis=0) / np.sqrt((pc**2).sum(axis=0) * (oc**2).sum(axis=0))).mean()
        print(f"{name:72s} RMSE {rmse:6.1f} mm  CC {cc:.3f}")

    month = np.array([int(m[5:7]) - 1 for m in months])
    t = np.array([int(m[:4]) + (int(m[5:7]) - 0.5) / 12 for m in months])
    flat = np.nan_to_num(g.reshape(n, -1))

    print(f"{run}: {n} records, {len(train)} training, {len(test)} test, {int(valid.sum())} land cells scored")
    score(g[neighbour], "persistence (the neighbouring record)")
    clim = np.stack([g[train][month[train] == k].mean(axis=0) for k in range(12)])[month]
    score(clim, "monthly climatology of the training records")
    score(clim + (g - clim)[neighbour], "climatology + the neighbour's anomaly")
    w = 2 * np.pi * t
    design = np.stack([np.ones(n), t - t[train].mean(), np.cos(w), np.sin(w), np.cos(2 * w), np.sin(2 * w)], axis=1)
    coef, *_ = np.linalg.lstsq(design[train], flat[train], rcond=None)
    fit = (design @ coef).reshape(g.shape)
    dep = g - fit
    score(fit + dep[neighbour], "seasonal-and-trend fit + the neighbour's departure")
    x, y = dep[neighbour][train][:, valid], dep[train][:, valid]
    damping = float((x * y).sum() / (x * x).sum())
    score(fit + damping * dep[neighbour], f"the same, departure damped by {damping:.2f} (fitted on training)")
    both = np.array([[j for j in (i - 1, i + 1) if 0 <= j < n] for i in range(n)], dtype=object)
    mean_both = np.stack([dep[list(b)].mean(axis=0) for b in both])
    score(fit + mean_both, "fit + mean departure of the records before and after (not a forecast)")


if __name__ == "__main__":
    main()
