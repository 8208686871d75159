"""The ops: each a Function with forward and backward on raw arrays, grouped by kind.

elementwise    add, sub, mul, div, pow, maximum, where, masked_fill, exp, log, ...
reduce         sum, mean, max, var
movement       reshape, transpose, broadcast_to, getitem, cat, stack
linalg         matmul, linear, linear_relu (Linear + ReLU + dropout, fused)
softmax        softmax, log_softmax                        (fused)
normalization  layer_norm, add_layer_norm (add + dropout + layer_norm, fused)
loss           cross_entropy                               (fused)
embedding      embedding, dropout
attention      attention: softmax(Q Kᵀ / √D) V             (fused)
multi_head     multi_head_attention: H heads of attention  (fused)

Only Function classes live here. Tensors call them through their methods and
`tinygrad_tx.functional` (which draws dropout masks and checks arguments); the
same fused functions built from primitive ops are in `tinygrad_tx.composed`.
"""
