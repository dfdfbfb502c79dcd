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

"""Peak resident memory of this process while a block runs, sampled in a thread.

A benchmark's memory column: psutil reads the process's resident set size every few
milliseconds, so a short peak (a search's temporary arrays) is seen even after it is freed.
"""

import threading
import time

import psutil


class PeakMemory:
  """Peak resident memory above the level at entry, sampled in a thread.

  Use as `with PeakMemory() as memory: ...`; afterwards `memory.extra_mb` is the peak
  above the level at entry, in MiB (`memory.base` and `memory.peak`: bytes).
  """

  def __init__(self, interval: float = 0.002):
    self.interval = interval
    self.process = psutil.Process()

  def __enter__(self):
    self.base = self.process.memory_info().rss
    self.peak = self.base
    self._stop = threading.Event()
    self._thread = threading.Thread(target=self._sample, daemon=True)
    self._thread.start()
    return self

  def _sample(self):
    while not self._stop.is_set():
      self.peak = max(self.peak, self.process.memory_info().rss)
      time.sleep(self.interval)

  def __exit__(self, *exc):
    self._stop.set()
    self._thread.join()
    self.peak = max(self.peak, self.process.memory_info().rss)
    self.extra_mb = (self.peak - self.base) / 2**20
