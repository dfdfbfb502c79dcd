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

import time

import numpy as np

from suite import peak_memory


def test_a_freed_allocation_still_shows_as_the_peak():
  with peak_memory.PeakMemory(interval=0.001) as memory:
    block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched so that it is resident.
    time.sleep(0.05)  # Gives the sampler the interpreter.
    del block
  assert memory.peak >= memory.base
  assert memory.extra_mb > 32  # The sampler saw it before it was freed.


def test_nothing_allocated_is_next_to_nothing():
  with peak_memory.PeakMemory() as memory:
    pass
  assert 0 <= memory.extra_mb < 16
