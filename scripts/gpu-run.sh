#!/usr/bin/env bash
# On the GPU machine, from the repository root, after scripts/gpu-publish.sh ran on a machine with .NET and publish/
# was carried over. Writes everything to ${OUT:-gpu-out}: the device, the conformance run, forward checks against the
# CPU, the CPU, CUDA (plain and graph) and ILGPU-CUDA decision latencies for n = 6 .. 10,000, and a large-2 training
# iteration with its loss passes on each.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/device.csv" 2>&1
tar -xJf publish/devtests.tar.xz -C /tmp
/tmp/devtests/Sure.Devices.Tests --require cuda > "$out/conformance.txt" 2>&1; echo "conformance exit $?" >> "$out/conformance.txt"
# The ILGPU rows on their own, so that a CUDA-backend failure and an ILGPU one read apart.
/tmp/devtests/Sure.Devices.Tests --require ilgpu-cuda ilgpu > "$out/conformance-ilgpu.txt" 2>&1; echo "conformance exit $?" >> "$out/conformance-ilgpu.txt"
for case in tests/fixtures/forward/*.input.safetensors; do
  name=$(basename "$case" .input.safetensors)
  model=tests/fixtures/forward/$name.model.safetensors
  publish/sure forward --model "$model" --input "$case" --out "$out/$name.cpu.safetensors" >> "$out/forward.txt" 2>&1
  publish/sure forward --device cuda --model "$model" --input "$case" --out "$out/$name.cuda.safetensors" >> "$out/forward.txt" 2>&1
  echo "$name exit $?" >> "$out/forward.txt"
  publish/sure forward --device ilgpu-cuda --model "$model" --input "$case" --out "$out/$name.ilgpu-cuda.safetensors" >> "$out/forward.txt" 2>&1
  echo "$name ilgpu-cuda exit $?" >> "$out/forward.txt"
done
for round in 1 2 3; do
  publish/sure bench infer --device cpu --tasks 6,46,1000,10000 --json >> "$out/infer.jsonl" 2>> "$out/infer.err"
  publish/sure bench infer --device cuda --tasks 6,46,1000,10000 --json >> "$out/infer.jsonl" 2>> "$out/infer.err"
  publish/sure bench infer --device ilgpu-cuda --tasks 6,46,1000,10000 --json >> "$out/infer.jsonl" 2>> "$out/infer.err"
done
# One training iteration on large-2 (bootstrap and REINFORCE): the CPU tape on all cores, then the loss passes on the GPU.
for device in cpu ilgpu-cuda cuda; do
  publish/sure bench train --jobs large-2 --iterations 2 --device $device --json >> "$out/train.jsonl" 2>> "$out/train.err"
done
cat "$out/device.csv" "$out/infer.jsonl" "$out/train.jsonl"; tail -3 "$out/conformance.txt" "$out/conformance-ilgpu.txt"; grep -c exit "$out/forward.txt"
