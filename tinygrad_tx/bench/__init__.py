"""Benchmarks that measure the engine against plain NumPy in one run.

engine   training-step overhead, per-op dispatch cost, memory over 200 steps,
         reference cycles (`python cli.py bench engine`)
memory   a malloc setting that keeps freed memory for reuse: fewer page faults
         per training step (used by `bench train` and by training itself)
"""
