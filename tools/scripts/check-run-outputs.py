#!/usr/bin/python3
"""Reads a `moral-plantain run` folder as a Python user would, and checks what it says.

    /usr/bin/python3 tools/scripts/check-run-outputs.py moral-plantain-out

Only the standard library and NumPy (SciPy when installed): the `safetensors` package is not
needed, the activations file is read from its layout (8-byte little-endian header length, JSON
header, raw data). It checks that
  * outputs.json lists every file with its size and SHA-256;
  * activations.safetensors holds a and b [pairs, units] and, in its metadata, the pair ids, the
    unit groups and the taps manifest (`taps`), from which each unit's module, block, index in
    block and channels follow;
  * unit-statistics.csv (csv module) has one row per unit and the same numbers as results.json,
    and the module / block / channel columns the taps manifest gives;
  * t, d, the mean and sd of the differences agree with scipy.stats.ttest_rel (or NumPy) on the
    stored values to 1e-9 relative;
  * counts and their null quantiles are whole numbers, fractions and ratios are one division of
    counts, permutation p-values are whole numbers over the pattern count and the FDR q-values are
    the exact Benjamini-Hochberg fractions (Python's fractions module) rounded once.
Prints what it read and exits 1 at the first check that fails.
"""
import csv
import hashlib
import json
import struct
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2"}


def read_safetensors(path):
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + length:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        if info["dtype"] == "BF16":
            bits = np.frombuffer(data[begin:end], dtype="<u2").astype(np.uint32) << 16
            values = bits.view(np.float32)
        else:
            values = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]])
        tensors[name] = values.astype(np.float64).reshape(info["shape"])
    return tensors, metadata


def unit_origins(taps):
    rows, seen = [], {}
    for tap in taps["taps"]:
        start, end = tap["channels"]
        width = (end - start) // tap["units"]
        for k in range(tap["units"]):
            index = seen.get(tap["group"], 0)
            seen[tap["group"]] = index + 1
            rows.append((tap["module"], tap["group"], index, start + k * width, start + (k + 1) * width))
    return rows


def check(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")
    print(f"ok  {message}")


def main(folder):
    folder = Path(folder)
    outputs = json.loads((folder / "outputs.json").read_text())
    for entry in outputs["files"]:
        body = (folder / entry["path"]).read_bytes()
        assert len(body) == entry["bytes"] and hashlib.sha256(body).hexdigest() == entry["sha256"], entry["path"]
    check(True, f"outputs.json: {len(outputs['files'])} files, sizes and SHA-256 as listed")

    tensors, meta = read_safetensors(folder / "activations.safetensors")
    a, b = tensors["a"], tensors["b"]
    n_pairs, n_units = a.shape
    taps = json.loads(meta["taps"])
    groups = json.loads(meta["groups"])
    origins = unit_origins(taps)
    check(meta["format"] == "moral-plantain/activations@1" and b.shape == a.shape,
          f"activations: a and b [{n_pairs}, {n_units}], format {meta['format']}")
    check(taps["format"] == "moral-plantain/taps@1" and taps["totalUnits"] == n_units == len(origins),
          f"taps manifest in the metadata: {len(taps['taps'])} tapped modules, {taps['totalUnits']} units of {taps['unitWidth']} channels")
    check([o[1] for o in origins] == groups, "the manifest's blocks are the file's unit groups")

    results = json.loads((folder / "results.json").read_text())
    units = results["units"]
    check(results["nUnits"] == n_units and results["nPairs"] == n_pairs, "results.json: the same pairs and units")
    check([tuple(x) for x in zip(units["module"], units["block"], units["indexInBlock"], units["channelStart"], units["channelEnd"])] == origins,
          "results.json: module, block, indexInBlock, channelStart, channelEnd as the taps manifest gives them")

    with open(folder / "unit-statistics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    check(len(rows) == n_units, f"unit-statistics.csv: {len(rows)} rows, columns {', '.join(rows[0].keys())}")
    number = lambda text: None if text == "" else float(text)
    for name in ["t", "d", "meanDiff", "sdDiff", "pPermutation", "pFwer", "qFdr"]:
        check([number(r[name]) for r in rows] == units[name], f"CSV column {name} equals results.json bit for bit")
    check([(r["module"], r["block"], int(r["indexInBlock"]), int(r["channelStart"]), int(r["channelEnd"])) for r in rows] == origins,
          "CSV module, block, indexInBlock, channelStart, channelEnd as the taps manifest gives them")

    diff = a - b
    mean, sd = diff.mean(axis=0), diff.std(axis=0, ddof=1)
    try:
        from scipy.stats import ttest_rel
        t_ref, source = ttest_rel(a, b, axis=0).statistic, "scipy.stats.ttest_rel"
    except ImportError:
        t_ref, source = mean / sd * np.sqrt(n_pairs), "NumPy"
    t = np.array([np.nan if x is None else x for x in units["t"]])
    d = np.array([np.nan if x is None else x for x in units["d"]])
    close = lambda x, y: np.allclose(x, y, rtol=1e-9, atol=0, equal_nan=True)
    check(close(t, t_ref) and close(d, mean / sd) and close(units["meanDiff"], mean) and close(units["sdDiff"], sd),
          f"t, d, meanDiff, sdDiff agree with {source} on the stored values to 1e-9 relative")

    tested = n_units - results["zeroVarianceUnits"]
    for th in results["thresholds"]:
        label = f"|{th['stat']}| > {th['value']}"
        check(all(isinstance(th[k], int) for k in ["observed", "nullP95", "nullP99"]),
              f"{label}: observed {th['observed']}, null p95 {th['nullP95']}, null p99 {th['nullP99']} are whole counts")
        check(th["fraction"] == th["observed"] / tested and th["ratioToNullP99"] == (None if th["nullP99"] == 0 else th["observed"] / th["nullP99"]),
              f"{label}: fraction {th['fraction']} and ratio {th['ratioToNullP99']} are one division of counts")

    perm = results["permutation"]
    denominator = perm["count"] if perm["exact"] else perm["count"] + 1
    p = units["pPermutation"]
    numerators = {u: round(x * denominator) for u, x in enumerate(p) if x is not None}
    check(all(p[u] == k / denominator for u, k in numerators.items()), f"p-values are whole numbers of patterns over {denominator}")
    order = sorted(numerators, key=numerators.get)
    m = len(order)
    exact, running = {}, Fraction(1)
    for rank in range(m, 0, -1):
        u = order[rank - 1]
        running = min(running, Fraction(numerators[u] * m, denominator * rank))
        exact[u] = running
    check(all(units["qFdr"][u] == float(q) for u, q in exact.items()),
          "FDR q-values are the exact Benjamini-Hochberg fractions, rounded once")
    print(f"read {folder} as a Python user would: every check passed")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "moral-plantain-out")
