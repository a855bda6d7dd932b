"""Writes safetensors fixtures for the activations reader, byte by byte from the format's spec.

Python's `safetensors` package is not available as a Debian package, so this follows its documented
layout directly: an 8-byte little-endian header size, a JSON header of
{name: {dtype, shape, data_offsets}} plus string `__metadata__`, then the raw little-endian data.

The files as other tools save them (`write_safetensors_as_saved`) follow what safetensors'
serializer (safetensors/src/tensor.rs, `prepare`) writes for `safetensors.numpy.save_file` and
`safetensors.torch.save_file`: compact JSON, `__metadata__` first, tensors ordered by descending
dtype then name, the header padded with spaces to a multiple of 8 bytes. Hugging Face savers put
`{"format": "pt"}` (or "np", "tf", "flax") in the metadata; `save_file` without metadata writes
no `__metadata__` at all. NumPy has no bfloat16: those values are float32 rounded to nearest even
in their top 16 bits, as torch's `tensor.to(torch.bfloat16)` rounds.

Run from the repository root: /usr/bin/python3 tools/activations-fixtures/generate.py
Writes libs/formats/tests/fixtures/activations-{f32,f64}.safetensors (our own metadata),
activations-{f16-np,bf16-pt,f64-pt,mixed-bare}.safetensors (as other tools save them) and
activations-expected.json.
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


DTYPE_ORDER = ["F16", "BF16", "F32", "F64"]  # safetensors' Dtype enum order, ascending


def write_safetensors_as_saved(path, tensors, metadata):
    """tensors: {name: (dtype, shape, raw little-endian bytes)}; metadata: dict or None."""
    order = sorted(tensors, key=lambda name: (-DTYPE_ORDER.index(tensors[name][0]), name))
    header = {} if metadata is None else {"__metadata__": metadata}
    offset = 0
    for name in order:
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(tensors[name][2] for name in order))


def bfloat16_bits(values):
    """float32 values rounded to nearest even in their top 16 bits (bfloat16), as uint16."""
    words = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((words + 0x7FFF + ((words >> 16) & 1)) >> 16).astype(np.uint16)


def bfloat16_values(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def stored(dtype, array):
    if dtype == "F16":
        return (dtype, array.shape, array.astype("<f2").tobytes()), array.astype(np.float16).astype(np.float64)
    if dtype == "BF16":
        bits = bfloat16_bits(array)
        return (dtype, array.shape, bits.astype("<u2").tobytes()), bfloat16_values(bits)
    if dtype == "F32":
        return (dtype, array.shape, array.astype("<f4").tobytes()), array.astype(np.float32).astype(np.float64)
    return (dtype, array.shape, array.astype("<f8").tobytes()), array.astype(np.float64)


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
    # As numpy / torch savers write them: foreign `format` values, narrow float types, mixed types.
    saved = {
        "activations-f16-np.safetensors": ({"a": "F16", "b": "F16"}, {"format": "np"}),
        "activations-bf16-pt.safetensors": ({"a": "BF16", "b": "BF16"}, {"format": "pt"}),
        "activations-f64-pt.safetensors": ({"a": "F64", "b": "F64"}, {"format": "pt"}),
        "activations-mixed-bare.safetensors": ({"a": "F32", "b": "F16"}, None),
    }
    expected["saved"] = {}
    for name, (dtypes, meta) in saved.items():
        tensors, values = {}, {}
        for key, array in (("a", a), ("b", b)):
            tensors[key], values[key] = stored(dtypes[key], array)
        write_safetensors_as_saved(OUT / name, tensors, meta)
        # The precision the pair carries: the coarser type (bfloat16 has fewer significand bits than float16).
        coarsest = min(dtypes.values(), key=["BF16", "F16", "F32", "F64"].index)
        expected["saved"][name] = {"dtype": coarsest, "a": values["a"].ravel().tolist(), "b": values["b"].ravel().tolist(),
                                   "metadata": {} if meta is None else meta}
    (OUT / "activations-expected.json").write_text(json.dumps(expected))


if __name__ == "__main__":
    main()
