# Copyright 2026 The Memorization Suite Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""What a run prints while it trains: epoch lines, the hooks' long steps, in-epoch steps.

`Progress` is the run's output channel: the epoch line of every evaluated epoch (loss,
fit, accuracies, speed, time spent and left), the lines hooks report through
`State.report`, and, optionally, the steps within an epoch on one rewritten line
(`StepProgress`, fed by the loop's `on_step` callback).
"""

import time
from typing import Callable, TextIO

from suite.results import tables


def eta(elapsed: float, done: int, remaining: int) -> float | None:
  """Seconds left at the mean pace of the `done` units so far; None before the first."""
  return elapsed / done * remaining if done > 0 else None


def progress_line(entry: dict, epochs: int, elapsed: float | None = None,
                  eta_seconds: float | None = None) -> str:
  """One evaluated epoch: loss, fit, accuracies, speed, and (when `elapsed` is given) the
  time spent training in this session and the estimated time left."""
  def get(key, fmt="{:.3f}"):
    value = entry.get(key)
    return "-" if value is None or value != value else fmt.format(value)
  parts = [f"epoch {entry['epoch']:>4}/{epochs}"]
  if "train/loss" in entry:
    parts.append(f"loss {get('train/loss', '{:.4f}')} acc {get('train/accuracy')}")
  parts.append(f"fit {get('memorization/train_fit')} (corrupted {get('memorization/fit_corrupted')}"
               f", clean {get('memorization/fit_clean')})")
  if "memorization/view_fit" in entry:
    parts.append(f"view fit {get('memorization/view_fit')}")
  if "validation/accuracy" in entry:
    parts.append(f"val {get('validation/accuracy')}")
  parts.append(f"test {get('test/accuracy')}")
  if "perf/epoch_seconds" in entry:
    parts.append(f"{get('perf/epoch_seconds', '{:.1f}')} s {get('perf/examples_per_second', '{:,.0f}')} ex/s")
  if elapsed is not None:
    parts.append(f"elapsed {tables.duration(elapsed)} ETA {tables.duration(eta_seconds)}")
  return "  ".join(parts)


class StepProgress:
  """In-epoch progress on one line of `out`, rewritten in place: steps, time, ETA.

  Silent for the first `after` seconds of an epoch, so that short epochs print nothing
  but their epoch line; at most one update per `interval` seconds. Call `step()` after
  every training step and `end()` before the epoch's line.
  """

  def __init__(self, out, steps_per_epoch: int, after: float = 3.0, interval: float = 0.5,
               clock=time.monotonic):
    self.out, self.steps, self.after, self.interval = out, steps_per_epoch, after, interval
    self.clock = clock
    self.count, self.started, self.last, self.shown = 0, None, 0.0, False

  def step(self) -> None:
    now = self.clock()
    if self.started is None or self.count >= self.steps:  # A new epoch.
      self.count, self.started, self.last = 0, now, now
    self.count += 1
    elapsed = now - self.started
    if elapsed < self.after or (now - self.last < self.interval and self.count < self.steps):
      return
    self.last, self.shown = now, True
    left = eta(elapsed, self.count - 1, self.steps - self.count)  # Timed from step 1's end.
    width = len(str(self.steps))
    print(f"\r  step {self.count:>{width}}/{self.steps}  {tables.duration(elapsed)}  "
          f"ETA {tables.duration(left)}   ", end="", file=self.out, flush=True)

  def end(self) -> None:
    """Clears the line, if one was shown; the next step starts a new epoch."""
    if self.shown:
      print("\r" + " " * 60 + "\r", end="", file=self.out, flush=True)
    self.count, self.started, self.shown = 0, None, False


def is_tty(out) -> bool:
  """Whether `out` is a terminal (where a rewritten line shows as one line)."""
  try:
    return bool(out.isatty())
  except (AttributeError, ValueError):
    return False


class Progress:
  """A run's lines on `out`; the in-epoch steps only with `show_steps`.

  `say` and `epoch` clear a step line first, so that it never shares a line with them.
  """

  def __init__(self, out: TextIO, epochs: int, show_steps: bool):
    self.out, self.epochs, self.show_steps = out, epochs, show_steps
    self.steps: StepProgress | None = None
    self.started, self.first_epoch = 0.0, 0

  def start(self, steps_per_epoch: int, first_epoch: int) -> Callable[[], None] | None:
    """Starts the clock at the resume point `first_epoch`.

    Returns:
      The loop's `on_step` callback, or None without in-epoch progress.
    """
    self.steps = StepProgress(self.out, steps_per_epoch)
    self.started, self.first_epoch = time.time(), first_epoch
    return self.steps.step if self.show_steps else None

  def say(self, line: str) -> None:
    """Prints a line of its own (a hook's long step: probes, controls)."""
    if self.steps:
      self.steps.end()
    print(line, file=self.out, flush=True)

  def epoch(self, entry: dict) -> None:
    """Prints the epoch line of a history entry, with the time spent and left."""
    if self.steps:
      self.steps.end()
    elapsed = time.time() - self.started
    remaining = self.epochs - entry["epoch"]
    left = eta(elapsed, entry["epoch"] - self.first_epoch, remaining) if remaining else 0.0
    print(progress_line(entry, self.epochs, elapsed, left), file=self.out, flush=True)
