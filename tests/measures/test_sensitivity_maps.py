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

"""Per-class loss-sensitivity maps (Arpit et al. 2017) against the analytic gradient."""

import keras
import numpy as np

from suite.measures import sensitivity


def _linear_image_model(weights, shape=(2, 2, 1)):
  inputs = keras.Input(shape)
  layer = keras.layers.Dense(weights.shape[1], use_bias=False)
  model = keras.Model(inputs, layer(keras.layers.Flatten()(inputs)))
  layer.set_weights([weights.astype(np.float32)])
  return model


def test_class_maps_are_means_of_the_analytic_per_pixel_gradients(tmp_path):
  generator = np.random.default_rng(0)
  weights = generator.normal(size=(4, 3))
  model = _linear_image_model(weights)
  images = generator.uniform(size=(6, 2, 2, 1)).astype(np.float32)
  labels = np.array([0, 1, 0, 2, 1, 0])
  corrupted = np.array([False, False, True, False, True, False])
  logits = images.reshape(6, 4) @ weights
  probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
  gradient = np.abs((probs - np.eye(3)[labels]) @ weights.T).reshape(6, 2, 2)
  maps = sensitivity.class_sensitivity_maps(model, images, labels, corrupted, 3)
  np.testing.assert_allclose(maps["clean"][0], gradient[[0, 5]].mean(0), rtol=1e-5)
  np.testing.assert_allclose(maps["clean"][2], gradient[3], rtol=1e-5)
  np.testing.assert_allclose(maps["corrupted"][1], gradient[[4]].mean(0), rtol=1e-5)
  np.testing.assert_allclose(maps["corrupted"][0], gradient[2], rtol=1e-5)
  assert np.isnan(maps["corrupted"][2]).all()  # No corrupted example of label 2.
  assert maps["clean_count"].tolist() == [2, 1, 1] and maps["corrupted_count"].tolist() == [1, 1, 0]
  # Averaged over pixels, a map is the example's loss sensitivity (one channel).
  per_example = sensitivity.loss_gradient_maps(model, images, labels, 3)
  np.testing.assert_allclose(per_example.mean((1, 2)),
                             sensitivity.loss_sensitivity(model, images, labels, 3), rtol=1e-5)
  sensitivity.write_maps(str(tmp_path), maps)
  back = sensitivity.read_maps(str(tmp_path))
  assert set(back) == set(maps)
  np.testing.assert_array_equal(back["clean"], maps["clean"])
  assert sensitivity.read_maps(str(tmp_path / "none")) is None
