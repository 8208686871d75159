"""The ops: each a Function with forward and backward on raw arrays, grouped by kind.

elementwise   add, sub, mul, div, pow, maximum, where, masked_fill, exp, log, ...
reduce        sum, mean, max, var
movement      reshape, transpose, broadcast_to, getitem, cat, stack
linalg        matmul, linear
softmax       softmax, log_softmax        (fused: one op, hand-derived backward)
normalization layer_norm                  (fused)
loss          cross_entropy               (fused)
embedding     embedding, dropout
"""
