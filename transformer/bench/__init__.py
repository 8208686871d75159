"""Benchmarks of the transformer package, each measured in one run.

model   fused against composed attention, and how attention's time and memory
        grow with the sequence length (`python cli.py bench model`)
"""
