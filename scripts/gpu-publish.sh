#!/usr/bin/env bash
# Builds what a GPU machine without .NET needs, under publish/ (git-ignored, carried by the device tool):
#   publish/sure            the CLI, self-contained, trimmed, single file (sure bench infer / forward --device cuda)
#   publish/devtests.tar.xz the device test executable (tests/Devices.Tests/SelfCheck.cs), self-contained
# Then on the GPU machine: scripts/gpu-run.sh (docs/devices.md, "Running on a GPU machine").
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish Cli -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -p:PublishTrimmed=true -o publish/cli -v q -nologo
cp publish/cli/sure publish/sure
dotnet publish tests/Devices.Tests -c Release -r linux-x64 --self-contained -o publish/devtests -v q -nologo
tar -cJf publish/devtests.tar.xz -C publish devtests
ls -l publish/sure publish/devtests.tar.xz
