"""Writes a small sharded checkpoint for the checkpoint weight source, byte by byte from the safetensors spec.

Layout as diffusers and Hugging Face save sharded models: `model.safetensors.index.json` with a
`weight_map`, and shards `model-00001-of-00002.safetensors`, `model-00002-of-00002.safetensors`.
Tensors in F32, F16, BF16 (float32 bits truncated to the top 16) and one I64 tensor.

Run from the repository root: /usr/bin/python3 tools/weights-fixtures/generate.py
"""
import json
import struct
from pathlib import Path

import numpy as np

OUT = Path("libs/model-runtime/tests/fixtures/checkpoint")


def write(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def main():
    rng = np.random.default_rng(3)
    OUT.mkdir(parents=True, exist_ok=True)
    w32 = rng.normal(size=(4, 3)).astype("<f4")
    w16 = rng.normal(size=(2, 5)).astype("<f2")
    wbf = rng.normal(size=(3,)).astype("<f4")
    bf_bits = (wbf.view("<u4") >> 16).astype("<u2")
    bf_values = (bf_bits.astype("<u4") << 16).view("<f4")
    ids = np.arange(4, dtype="<i8")
    write(OUT / "model-00001-of-00002.safetensors", {
        "layer.0.weight": ("F32", [4, 3], w32.tobytes()),
        "layer.0.norm.weight": ("BF16", [3], bf_bits.tobytes()),
    })
    write(OUT / "model-00002-of-00002.safetensors", {
        "layer.1.weight": ("F16", [2, 5], w16.tobytes()),
        "position_ids": ("I64", [4], ids.tobytes()),
    })
    index = {"metadata": {"total_size": 0}, "weight_map": {
        "layer.0.weight": "model-00001-of-00002.safetensors",
        "layer.0.norm.weight": "model-00001-of-00002.safetensors",
        "layer.1.weight": "model-00002-of-00002.safetensors",
        "position_ids": "model-00002-of-00002.safetensors",
    }}
    (OUT / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))
    expected = {
        "layer.0.weight": w32.astype(float).ravel().tolist(),
        "layer.0.norm.weight": bf_values.astype(float).ravel().tolist(),
        "layer.1.weight": w16.astype(np.float32).astype(float).ravel().tolist(),
    }
    (OUT.parent / "checkpoint-expected.json").write_text(json.dumps(expected))


if __name__ == "__main__":
    main()
