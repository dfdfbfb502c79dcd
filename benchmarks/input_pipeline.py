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

r"""Input-pipeline benchmark: dataset summary and training-pipeline images per second.

  python -m benchmarks.input_pipeline --dataset=fashion_mnist --augmentation=strong
  python -m benchmarks.input_pipeline --synthetic_shape=32,32,3 --augmentation=strong  # offline
"""

import time

from absl import flags

from benchmarks import cli
from flags import data as data_flags
from flags import synthetic
from flags import training as training_flags  # --batch_size
from suite import errors
from suite.data import train_pipeline

# --helpshort lists the shared flags this binary reads, not only its own.
for _module in (data_flags, training_flags):
  flags.adopt_module_key_flags(_module)

TIMED_EPOCHS = flags.DEFINE_integer("timed_epochs", 2, "Epochs timed after one warm-up batch.",
                                    lower_bound=1)


def main(argv):
  del argv
  augment_config = data_flags.augment_config()
  data = synthetic.load()
  if training_flags.BATCH_SIZE.value > len(data.train):
    raise errors.ConfigError(f"--batch_size={training_flags.BATCH_SIZE.value} exceeds the "
                             f"{len(data.train)} training examples")
  print(data.info.summary())
  pipeline = train_pipeline.TrainPipeline(data.train, data.info.num_classes,
                                          augment_config, data_flags.SEED.value)
  next(iter(pipeline.epoch(0, training_flags.BATCH_SIZE.value)))  # Traces the pipeline functions.
  images = 0
  start, cpu_start = time.perf_counter(), time.process_time()
  for epoch in range(TIMED_EPOCHS.value):
    for batch in pipeline.epoch(epoch, training_flags.BATCH_SIZE.value):
      images += int(batch["image"].shape[0])
  seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
  # CPU time over all threads: what the pipeline takes from a training step on shared cores.
  print(f"augmentation={data_flags.AUGMENTATION.value} num_views={data_flags.NUM_VIEWS.value} "
        f"batch_size={training_flags.BATCH_SIZE.value}: {images} images in {seconds:.2f} s = "
        f"{images / seconds:,.0f} images/s, {1000 * cpu_seconds / images:.3f} CPU s per 1,000 "
        "images")


if __name__ == "__main__":
  cli.run(main)
