"""Benchmarks that measure the engine against plain NumPy in one run.

engine   training-step overhead, per-op dispatch cost, memory over 200 steps,
         reference cycles (`python cli.py bench engine`)
"""
