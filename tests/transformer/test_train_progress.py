"""The training progress bar: what it prints to a log file and to a terminal."""

import io

import pytest

from transformer.progress import ProgressBar, format_duration


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_log_gets_one_full_line_every_5_percent():
    log = io.StringIO()
    bar = ProgressBar(total=100, stream=log)
    for step in range(1, 101):
        bar.update(step, loss=1.0 / step, tokens=500)
    bar.close()
    lines = log.getvalue().splitlines()
    assert len(lines) == 20
    assert lines[0].startswith(
        "step   5/100 [#...................]   5% | loss 0.200 |"
    )
    assert lines[-1].startswith("step 100/100 [####################] 100% | loss 0.010")
    assert "tok/s | ETA 0:00" in lines[-1]


def test_a_terminal_line_is_redrawn_in_place_and_messages_go_above_it():
    screen = Terminal()
    bar = ProgressBar(total=10, start=4, stream=screen)
    bar.update(5, loss=2.0, tokens=100)
    bar.write("step 5: validation")
    bar.close()
    text = screen.getvalue()
    assert text.startswith("\rstep  5/10 [##########..........]  50% | loss 2.000")
    # the bar is wiped (carriage return, spaces), the message printed on its own
    # line, and the bar drawn again below it
    assert "\rstep 5: validation\nstep  5/10 [##" in text
    assert text.endswith("ETA 0:00\n")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(3, "0:03"), (161, "2:41"), (3725, "1:02:05"), (float("nan"), "?"),
     (float("inf"), "?")],
)  # fmt: skip
def test_format_duration(seconds, shown):
    assert format_duration(seconds) == shown
