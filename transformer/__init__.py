"""The Transformer of "Attention is all you need" (Vaswani et al., 2017), built
only from tinygrad_tx tensors and modules."""
