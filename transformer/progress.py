"""A one-line progress bar for training, in plain text (no extra dependency).

    step  420/3000 [###.................]  14% | loss 1.532 | 4,210 tok/s | ETA 2:41

On a terminal the line is redrawn in place (a carriage return); when the output
is a file or a pipe, a full line is printed every 5% of the run instead, so logs
stay readable. Other messages (validation results) go through `write`, which
keeps them above the bar.
"""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """Training progress from step `start` to `total`, with speed and ETA.

    Speed and ETA are measured on this run only (a resumed run starts its clock
    again): tokens/second is the target tokens trained on since the start
    divided by the time since the start, validation included, so the ETA is
    honest about the whole remaining run.
    """

    def __init__(self, total: int, start: int = 0, stream=None, width: int = 20):
        self.total, self.start, self.width = total, start, width
        self.stream = stream if stream is not None else sys.stdout
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = max(1, (total - start) // 20)  # steps between logged lines
        self.began = time.perf_counter()
        self.tokens = 0
        self.line = ""

    def update(self, step: int, loss: float, tokens: int) -> None:
        """Record a finished step that trained on `tokens` target tokens."""
        self.tokens += tokens
        self.line = self._format(step, loss)
        if self.live:
            self.stream.write("\r" + self.line)
            self.stream.flush()
        elif (step - self.start) % self.every == 0 or step == self.total:
            self.stream.write(self.line + "\n")
            self.stream.flush()

    def write(self, message: str) -> None:
        """Print a message on its own line, then redraw the bar below it."""
        if self.live and self.line:
            self.stream.write("\r" + " " * len(self.line) + "\r")
        self.stream.write(message + "\n")
        if self.live and self.line:
            self.stream.write(self.line)
        self.stream.flush()

    def close(self) -> None:
        if self.live and self.line:
            self.stream.write("\n")
            self.stream.flush()
        self.line = ""

    def elapsed(self) -> float:
        return time.perf_counter() - self.began

    def _format(self, step: int, loss: float) -> str:
        fraction = min(step / max(self.total, 1), 1.0)
        filled = round(self.width * fraction)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed, steps_done = self.elapsed(), step - self.start
        speed = self.tokens / elapsed if elapsed > 0 else 0.0
        per_step = elapsed / steps_done if steps_done > 0 else float("nan")
        remaining = per_step * (self.total - step)
        digits = len(str(self.total))
        return (
            f"step {step:>{digits}}/{self.total} [{bar}] {100 * fraction:3.0f}%"
            f" | loss {loss:.3f} | {speed:,.0f} tok/s | ETA {format_duration(remaining)}"
        )


def format_duration(seconds: float) -> str:
    """3 -> '0:03', 161 -> '2:41', 3725 -> '1:02:05'; '?' when unknown."""
    if seconds != seconds or seconds == float("inf"):  # NaN or infinite
        return "?"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
