"""Writes safetensors fixtures for the activations reader, byte by byte from the format's spec.

Python's `safetensors` package is not available as a Debian package, so this follows its documented
layout directly: an 8-byte little-endian header size, a JSON header of
{name: {dtype, shape, data_offsets}} plus string `__metadata__`, then the raw little-endian data.

Run from the repository root: /usr/bin/python3 tools/activations-fixtures/generate.py
Writes libs/formats/tests/fixtures/activations-{f32,f64}.safetensors and activations-expected.json.
"""
import json
import struct
from pathlib import Path

import numpy as np

OUT = Path("libs/formats/tests/fixtures")


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, array in tensors.items():
        raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
        dtype = {"float32": "F32", "float64": "F64"}[array.dtype.name]
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def main():
    rng = np.random.default_rng(7)
    pairs, units = 6, 10
    a = rng.normal(1.0, 0.2, size=(pairs, units))
    b = a - rng.normal(0.1, 0.1, size=(pairs, units))
    groups = [f"joint[{u // 5}]" for u in range(units)]
    metadata = {
        "format": "moral-plantain/activations@1",
        "pairs": json.dumps([f"pair-{i:02d}" for i in range(pairs)]),
        "groups": json.dumps(groups),
        "model": "fixture",
    }
    OUT.mkdir(parents=True, exist_ok=True)
    write_safetensors(OUT / "activations-f64.safetensors", {"a": a, "b": b}, metadata)
    write_safetensors(OUT / "activations-f32.safetensors", {"b": b.astype(np.float32), "a": a.astype(np.float32)}, metadata)
    expected = {
        "nPairs": pairs,
        "nUnits": units,
        "a": a.ravel().tolist(),
        "b": b.ravel().tolist(),
        "a32": a.astype(np.float32).astype(np.float64).ravel().tolist(),
        "b32": b.astype(np.float32).astype(np.float64).ravel().tolist(),
        "groups": groups,
    }
    (OUT / "activations-expected.json").write_text(json.dumps(expected))


if __name__ == "__main__":
    main()
