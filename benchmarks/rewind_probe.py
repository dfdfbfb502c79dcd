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

r"""Layer rewinding and retraining of finished runs, from their kept checkpoints.

  python -m benchmarks.train ... --keep_epochs=0,2,4,6,8,10 --output_dir=/tmp/runs/r
  python -m benchmarks.rewind_probe --run_dirs=/tmp/runs/r

Every block (an endpoint's weighted layers) of the final model is rewound on its own to
the rewind epoch's weights (--rewind_epoch, or the declared rule: the latest kept epoch
whose corrupted fit was at most --rewind_noisy_fit), then retrained alone on the clean
examples (--retrain_epochs); the fit of corrupted and clean examples is measured after
each. Writes RUN_DIR/localization/rewind_epoch_NNNNNN.{json,png} (the run's checkpoints
and record are only read). With several --run_dirs (seeds of one condition) and
--report_dir, also the per-block figure with intervals over seeds, gradient accounting
over epochs and the claims (memorization confined to the last layers / distributed).
"""

import os
import time

from absl import flags
import tensorflow as tf

from benchmarks import cli
from flags import data as data_flags  # --data_dir (default: the run's own).
from flags import rewinding as rewinding_flags
from suite import errors
from suite.analysis.claims import report
from suite.experiments import localization
from suite.measures import rewinding

for _module in (data_flags, rewinding_flags):
  flags.adopt_module_key_flags(_module)

RUN_DIRS = flags.DEFINE_list("run_dirs", None, "Run directories (seeds of one condition) of "
                            "benchmarks.train with --keep_epochs.")
REPORT_DIR = flags.DEFINE_string("report_dir", None, "Where the summary over the runs goes "
                                 "(figures, claims); none without it.")


@flags.validator("run_dirs", message="--run_dirs must name existing run directories.")
def _check_run_dir(values):
  return values is None or (bool(values) and all(tf.io.gfile.isdir(v) for v in values))


@flags.validator("report_dir", message="--report_dir must be a directory, not a file.")
def _check_report_dir(value):
  return not value or not tf.io.gfile.exists(value) or tf.io.gfile.isdir(value)


def main(argv):
  del argv
  # Checked here, not marked required: all binaries share one flag registry.
  if not RUN_DIRS.value:
    raise errors.ConfigError("--run_dirs must name at least one run directory")
  config = rewinding_flags.rewind_config()  # Bad settings fail before any work.
  records = [localization.read_record(d) for d in RUN_DIRS.value]
  for run_dir, rec in zip(RUN_DIRS.value, records):  # Every run's epochs, before any work.
    rewinding.choose_epochs(rewinding.kept_epochs(run_dir), rec.get("history") or [], config,
                            run_dir, localization.trained_epochs(rec))
  for run_dir in RUN_DIRS.value:  # Where the results go, before any work.
    localization.check_writable(os.path.join(run_dir, rewinding.RESULTS_DIR),
                                "the rewinding result")
  if REPORT_DIR.value:
    localization.check_writable(REPORT_DIR.value, "the summary over the runs")
  results = []
  for run_dir in RUN_DIRS.value:
    started = time.time()
    print(f"{run_dir}: rewinding ...", flush=True)
    result = localization.probe_run(run_dir, config, data_flags.DATA_DIR.value,
                                    report=lambda line: print(f"  {line}", flush=True))
    print(f"{run_dir}: final epoch {result['final_epoch']}, rewound to epoch "
          f"{result['rewind_epoch']} ({result['rule']}); final fit corrupted "
          f"{result['final']['fit_noisy']:.3f} clean {result['final']['fit_clean']:.3f}; "
          f"{time.time() - started:.1f} s (rewinding {result['seconds']['rewinding']:.1f} s, "
          f"retraining {result['seconds']['retraining']:.1f} s); wrote {result['path']}")
    results.append(result)
  print()
  print(localization.format_table(results))
  if REPORT_DIR.value:
    summary = localization.write_report(REPORT_DIR.value, results, records)
    print()
    print(report.format_localization_lines(summary["claims"]))
    costs = [c["fraction"] for c in summary["gradacc_cost"] if c]
    if costs:
      print(f"gradient accounting: {max(costs):.1%} of an epoch at most over the runs "
            f"(median per run: {', '.join(f'{c:.1%}' for c in costs)})")
    print(f"\nwrote {os.path.join(REPORT_DIR.value, localization.SUMMARY_JSON)}")
  elif len(results) > 1:
    print("\n(pass --report_dir for the summary over the runs and the claims)")


if __name__ == "__main__":
  cli.run(main)
