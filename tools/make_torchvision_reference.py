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

"""Runs on the lent GPU machine (it has torch/torchvision, not TensorFlow).

Writes $OUT/torchvision_reference.npz: samples of the reference pipeline's random choices
and outputs of its colour operations, to compare with the suite's TensorFlow port here.
Also times one training step of the reference model shape on the GPU.
"""
import os, time, json
import numpy as np
import torch, torchvision
from torchvision import transforms as T
import torchvision.transforms.functional as F
from PIL import Image

out = os.environ["OUT"]
res = {}
info = {"torch": torch.__version__, "torchvision": torchvision.__version__,
        "pil": Image.__version__ if hasattr(Image, "__version__") else "?"}
# 1. RandomResizedCrop.get_params: (top, left, h, w).
for size in (32, 28):
  torch.manual_seed(size)
  img = Image.new("RGB", (size, size))
  res[f"crop_{size}"] = np.array([T.RandomResizedCrop.get_params(img, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3))
                                  for _ in range(40000)], np.int32)
# 2. Colour operations on fixed uint8 images, fixed factors.
rng = np.random.default_rng(0)
imgs = rng.integers(0, 256, (32, 12, 12, 3), dtype=np.uint8)
imgs[:8] = (imgs[:8] // 64) * 64  # some low-entropy images too
res["colour_inputs"] = imgs
factors = np.array([0.0, 0.2, 0.5, 0.9, 1.0, 1.3, 1.8], np.float32)
hues = np.array([-0.2, -0.11, -0.03, 0.0, 0.05, 0.13, 0.2], np.float32)
res["factors"], res["hues"] = factors, hues
for name, fn in (("brightness", F.adjust_brightness), ("contrast", F.adjust_contrast),
                 ("saturation", F.adjust_saturation)):
  res[name] = np.stack([np.stack([np.asarray(fn(Image.fromarray(x), float(f))) for x in imgs]) for f in factors])
res["hue"] = np.stack([np.stack([np.asarray(F.adjust_hue(Image.fromarray(x), float(h))) for x in imgs]) for h in hues])
res["grayscale"] = np.stack([np.asarray(F.rgb_to_grayscale(Image.fromarray(x), 3)) for x in imgs])
gray = imgs[..., 0]
for name, fn in (("brightness_L", F.adjust_brightness), ("contrast_L", F.adjust_contrast)):
  res[name] = np.stack([np.stack([np.asarray(fn(Image.fromarray(x, "L"), float(f))) for x in gray]) for f in factors])
# 3. resized_crop (bilinear, PIL) for fixed boxes back to 12x12.
boxes = np.array([[0, 0, 12, 12], [1, 2, 5, 7], [3, 0, 9, 4], [6, 6, 6, 6], [0, 5, 12, 3], [2, 1, 1, 1]], np.int32)
res["resize_boxes"] = boxes
res["resized"] = np.stack([np.stack([np.asarray(F.resized_crop(Image.fromarray(x), *map(int, b), [12, 12],
                                                                 interpolation=T.InterpolationMode.BILINEAR))
                                     for x in imgs]) for b in boxes])
# 4. The whole "full" pipeline on a fixed CIFAR-sized image: per-view summary statistics.
base = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
res["full_base"] = base
full = T.Compose([T.RandomResizedCrop(size=32), T.RandomHorizontalFlip(),
                  T.RandomApply([T.ColorJitter(0.8, 0.8, 0.8, 0.2)], p=0.8), T.RandomGrayscale(p=0.2),
                  T.ToTensor()])
torch.manual_seed(7)
views = np.stack([full(Image.fromarray(base)).permute(1, 2, 0).numpy() for _ in range(8000)])
res["full_view_mean"] = views.mean(axis=(1, 2))
res["full_view_std"] = views.std(axis=(1, 2))
res["full_view_gray"] = np.all(np.abs(views[..., 0] - views[..., 1]) < 1e-6, axis=(1, 2))
np.savez_compressed(os.path.join(out, "torchvision_reference.npz"), **res)
# 5. The reference model shape on this GPU: ResNet-18 CIFAR stem + 65,536-wide bias-free projector.
if torch.cuda.is_available():
  m = torchvision.models.resnet18(num_classes=10)
  m.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False); m.maxpool = torch.nn.Identity(); m.fc = torch.nn.Identity()
  head = torch.nn.Sequential(torch.nn.Linear(512, 65536, bias=False), torch.nn.ReLU(), torch.nn.Linear(65536, 10, bias=False))
  model = torch.nn.Sequential(m, head).cuda()
  opt = torch.optim.Adam(model.parameters(), lr=3e-4)
  x = torch.rand(256, 3, 32, 32, device="cuda"); y = torch.nn.functional.one_hot(torch.randint(0, 10, (256,), device="cuda"), 10).float()
  for dtype in (None, torch.bfloat16):
    def step():
      opt.zero_grad(set_to_none=True)
      with torch.autocast("cuda", dtype=dtype or torch.float32, enabled=dtype is not None):
        loss = torch.nn.functional.mse_loss(model(x).float(), y)
      loss.backward(); opt.step()
    for _ in range(10): step()
    torch.cuda.synchronize(); t = time.perf_counter()
    for _ in range(50): step()
    torch.cuda.synchronize(); s = (time.perf_counter() - t) / 50
    info[f"reference_step_seconds_{'bf16' if dtype else 'fp32'}"] = s
    info[f"reference_epoch_seconds_{'bf16' if dtype else 'fp32'}"] = s * (50000 // 256)
  info["gpu"] = torch.cuda.get_device_name()
json.dump(info, open(os.path.join(out, "info.json"), "w"), indent=1)
print(json.dumps(info, indent=1))
