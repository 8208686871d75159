"""PyTorch's side of `bench train`: the twin model, its Adam and its steps.

Imported only when PyTorch is installed (`torch_missing()` says why not).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys

PAD_ID, LABEL_SMOOTHING = 0, 0.1  # as in train.py


def torch_missing(device: str) -> str:
    """Why PyTorch cannot run the comparison on `device` ("" when it can)."""
    if importlib.util.find_spec("torch") is None:
        return "PyTorch is not installed (pip install torch to compare)"
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        return f"this PyTorch ({torch.__version__}) has no CUDA"
    return ""


class TorchSide:
    """The twin of `model` (same weights), torch.optim.Adam, and the batches."""

    def __init__(self, model, batches, device: str, threads: int | None):
        import torch

        from ..torch_twin import twin_of

        self.torch, self.device = torch, device
        if threads:
            torch.set_num_threads(threads)
        self.model = twin_of(model).to(device)
        self.optimizer = torch.optim.Adam(
            self.model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9
        )
        self.batches = [
            tuple(torch.from_numpy(a.copy()).to(device) for a in arrays)
            for arrays in _with_masks(batches)
        ]

    def loss(self, i: int):
        src, tgt_in, src_mask, tgt_mask, tgt_out = self.batches[i % len(self.batches)]
        logits = self.model(src, tgt_in, src_mask, tgt_mask)
        return self.torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            tgt_out.reshape(-1),
            ignore_index=PAD_ID,
            label_smoothing=LABEL_SMOOTHING,
        )

    def step(self, i: int) -> float:
        loss = self.loss(i)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self._synchronize()
        return loss.item()

    def _synchronize(self) -> None:
        if self.device == "cuda":
            self.torch.cuda.synchronize()

    def gradients(self) -> dict:
        """Forward and backward of batch 0 with dropout off: loss and gradients."""
        self.model.eval()
        self.optimizer.zero_grad()
        loss = self.loss(0)
        loss.backward()
        grads = {
            n: p.grad.detach().cpu().numpy() for n, p in self.model.named_parameters()
        }
        self.optimizer.zero_grad()
        self.model.train()
        return {"loss": loss.item(), "grads": grads}

    def held_bytes(self) -> int:
        """Parameters, gradients and Adam's buffers held between steps."""
        tensors = list(self.model.parameters())
        tensors += [p.grad for p in self.model.parameters() if p.grad is not None]
        tensors += [
            v
            for s in self.optimizer.state.values()
            for v in s.values()
            if self.torch.is_tensor(v) and v.ndim > 0
        ]
        seen = {
            t.untyped_storage().data_ptr(): t.untyped_storage().nbytes()
            for t in tensors
        }
        return sum(seen.values())

    def peak_mb(self, i: int) -> float | None:
        """Peak of one step; None when this PyTorch cannot measure it."""
        torch = self.torch
        if self.device == "cuda":
            torch.cuda.reset_peak_memory_stats()
            self.step(i)
            return torch.cuda.max_memory_allocated() / 2**20
        held = self.held_bytes()
        try:
            peak = _profiled_peak_bytes(torch, lambda: self.step(i))
        except Exception:  # a private profiler API: absent in some versions
            return None
        return (held + peak) / 2**20


def _profiled_peak_bytes(torch, run) -> int:
    """The most bytes allocated at once during `run()` above what was held
    before it, from the profiler's memory timeline."""
    from torch.profiler import ProfilerActivity, profile
    from torch.profiler._memory_profiler import Action

    with (
        _quiet_stderr(),
        profile(
            activities=[ProfilerActivity.CPU],
            profile_memory=True,
            record_shapes=True,
            with_stack=True,
        ) as prof,
    ):
        run()
    live = peak = 0
    created = set()  # as tracemalloc: frees of older tensors are not counted
    for _, action, key, size in prof._memory_profile().timeline:
        if action == Action.CREATE:
            created.add(key)
            live += size
        elif action == Action.DESTROY and key in created:
            live -= size
        peak = max(peak, live)
    return peak


@contextlib.contextmanager
def _quiet_stderr():
    """Silence file descriptor 2: the profiler's C++ side logs its start and
    stop there, which would clutter the report."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _with_masks(batches):
    """(src, tgt_in, src_mask, tgt_mask, tgt_out) as NumPy arrays: the masks of
    transformer.masks (True where attention is allowed), built with NumPy."""
    import numpy as np

    out = []
    for src, tgt_in, tgt_out in batches:
        length = tgt_in.shape[1]
        src_mask = (src != PAD_ID)[:, None, None, :]  # (B, 1, 1, Ls)
        causal = np.tril(np.ones((length, length), dtype=bool))
        tgt_mask = (tgt_in != PAD_ID)[:, None, None, :] & causal  # (B, 1, Lt, Lt)
        out.append((src, tgt_in, src_mask, tgt_mask, tgt_out))
    return out
