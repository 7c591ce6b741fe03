"""Benchmarks: `bash benchmarks/run.sh` measures and writes docs/benchmarks.md."""
