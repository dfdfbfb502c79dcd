"""Flags shared by the timing benchmarks."""

from absl import flags

TIMED_STEPS = flags.DEFINE_integer("timed_steps", 20, "Training steps timed after a warm-up.",
                                   lower_bound=1)
