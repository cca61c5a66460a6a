#!/usr/bin/python3
"""OpenBLAS single-threaded float32 GEMM reference for `sure bench gemm --json`.

Run with Debian's interpreter, whose numpy links the system OpenBLAS:
    /usr/bin/python3 Bench/openblas_gemm.py --sizes 64,256,768
Prints one JSON line per size: {"bench":"gemm-openblas","n":256,"gflops":123.4}
Timing matches the C# command: best per-call time over ~25 ms batches for ~0.6 s after warm-up.
"""
import os

# OpenBLAS reads its thread count once, when the library loads: set it before numpy is imported.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def openblas_library():
    """The OpenBLAS shared object mapped into this process (proof of which library does the work), or None."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "libopenblas" in os.path.basename(path):
                return path
    return None


def best_seconds(n):
    rng = np.random.default_rng(n)
    a = (rng.random((n, n), dtype=np.float32) - 0.5).astype(np.float32)
    b = (rng.random((n, n), dtype=np.float32) - 0.5).astype(np.float32)
    c = np.empty((n, n), dtype=np.float32)

    start = time.perf_counter()
    warmups = 0
    while warmups < 3 or time.perf_counter() - start < 0.15:
        np.matmul(a, b, out=c)
        warmups += 1
    per_call = (time.perf_counter() - start) / warmups
    batch = max(1, int(0.025 / per_call))

    best = float("inf")
    start = time.perf_counter()
    while time.perf_counter() - start < 0.6:
        t0 = time.perf_counter()
        for _ in range(batch):
            np.matmul(a, b, out=c)
        best = min(best, (time.perf_counter() - t0) / batch)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,256,768")
    args = parser.parse_args()
    library = openblas_library()
    if library is None:
        sys.exit("numpy is not linked to OpenBLAS; run with Debian's /usr/bin/python3")
    print(f"# BLAS: {library}", file=sys.stderr)
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        gflops = 2.0 * n**3 / best_seconds(n) / 1e9
        print(json.dumps({"bench": "gemm-openblas", "n": n, "gflops": round(gflops, 1)}, separators=(",", ":")))


if __name__ == "__main__":
    main()
