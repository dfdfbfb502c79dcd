#!/usr/bin/env bash
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

# Seconds per CIFAR-10 epoch (50,000 examples) of the benign headline recipe
# (benign_headline_gpu.cfg: ResNet-18, 65,536-wide projector, batch 256, strong
# augmentation, MSE, Adam) on random 32x32x3 images, so it runs where CIFAR-10 is absent;
# with and without --jit_compile and --mixed_precision; then one probe timed and projected
# to the full bank, and the wall time of 10,000 epochs with a probe every 50.
#
#   benchmarks/recipes/paper/time_epoch.sh                      # on the accelerator
#   benchmarks/recipes/paper/time_epoch.sh --train_size=768 --timed_steps=1   # a CPU check
#
# Extra flags go to every run (later flags win). PYTHON picks the interpreter.
# Where TensorFlow is not installed (an accelerator with JAX only), tools/step_time.py times
# the same model's training step alone under Keras' JAX backend (docs/gpu.md, section 4).
set -euo pipefail
cd "$(dirname "$0")/../../.."
PYTHON=${PYTHON:-python}
COMMON=(--synthetic_shape=32,32,3 --models=resnet18 --bottleneck_dim=65536 --init=torch
        --augmentations=strong --batch_size=256 --loss=mse --optimizer=adam
        --learning_rate=0.0003 --adam_epsilon=1e-8 --label_noise=1.0 --train_size=5120
        --timed_steps=16 --epoch_size=50000 --project_epochs=10000 --probe_every=50
        --eval_every=50 --knn_k=20 --knn_bank=full --knn_tie_break=lowest_label
        --probe_endpoints=stem,block_1_1,block_1_2,block_2_1,block_2_2,block_3_1,block_3_2,block_4_1,block_4_2,encoder,logits
        --time_probe --matmul_size=4096)
for options in "" "--jit_compile" "--mixed_precision" "--jit_compile --mixed_precision"; do
  echo "== ${options:-float32, no XLA}"
  # shellcheck disable=SC2086  # $options is zero or more flags.
  "$PYTHON" -m benchmarks.train_throughput "${COMMON[@]}" $options "$@"
done
