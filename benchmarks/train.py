r"""Trains any zoo model on any dataset, corruption and augmentation, with k-NN probing.

  python -m benchmarks.train --dataset=digits --model=mlp --label_noise=1 \
      --epochs=30 --output_dir=/tmp/runs/mlp_random

Writes to --output_dir: TensorBoard events, checkpoints, the per-example log
(--track_every), figures and result.json (with the per-layer probe and its
controls). Re-running the same command resumes, whatever instant the previous one was
killed at; --extend trains a run on to more --epochs from its last checkpoint.
"""

from absl import flags

from benchmarks import cli
from flags import data as data_flags
from flags import knn_index
from flags import probing as probing_flags
from flags import training as training_flags
from suite.probing import hook as probe_hook
from suite.probing import probe
from suite.training import runner

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (data_flags, probing_flags, knn_index, training_flags):
  flags.adopt_module_key_flags(_module)

EXTEND = flags.DEFINE_bool(
    "extend", False, "Train the run in --output_dir on to --epochs (more than it has), from its "
    "last checkpoint, keeping its history. Without it, a run directory with other settings "
    "is refused.")
flags.mark_flag_as_required("output_dir")


def spec(benchmark: str) -> runner.RunSpec:
  return runner.RunSpec(
      output_dir=training_flags.OUTPUT_DIR.value, benchmark=benchmark,
      data=data_flags.data_config(), model=training_flags.model_config(),
      augment=data_flags.augment_config(),
      train=training_flags.train_config(data_flags.SEED.value),
      flags=training_flags.flag_values())


def probe_hooks():
  """The probing hook the flags ask for, or none."""
  config = probing_flags.probe_config()  # Bad probing flags are refused even with --noprobe.
  if not probing_flags.PROBE.value:
    return None
  return probe_hook.ProbeHook(config, probing_flags.PROBE_EVERY.value,
                              training_flags.EPOCHS.value, probing_flags.CONTROL_RUN_DIR.value)


def main(argv):
  del argv
  run_spec = spec("train")  # Every setting is checked before any work.
  hook = probe_hooks()
  if hook and hook.clean_run_dir:  # A missing or probe-less control run fails now, not later.
    probe_hook.load_clean_run_probe(hook.clean_run_dir)
  strategy = training_flags.make_strategy()
  final = runner.run(run_spec, strategy=strategy, hooks=[hook] if hook else [],
                     extra_record=hook.add_to_record if hook else None, extend=EXTEND.value)
  if final and "probe" in final:
    for k in final["probe"]["ks"]:  # The ks asked for (capped at the bank's size).
      print(f"\nk = {k}")
      print(probe.format_table(final["probe"], final.get("controls"), k))


if __name__ == "__main__":
  cli.run(main)
