"""Benchmarks of the transformer package, each measured in one run.

model   fused against composed attention, and how attention's time and memory
        grow with the sequence length (`python cli.py bench model`)
train   training steps of the whole model against PyTorch, with the matmul
        floor (`python cli.py bench train`)
viz     how long drawing a graph takes as it grows (`python cli.py bench viz`)
"""
