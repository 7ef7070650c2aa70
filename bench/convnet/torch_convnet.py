#!/usr/bin/env python3
"""PyTorch twin of bench/convnet (the GoMLX benchmark): same net, same optimizer, same timing.

Net: stem Conv2d(3->16, 3x3, padding=1, bias=False) + BatchNorm2d, then 3 x [ReLU -> Conv2d(16->16,
3x3, padding=1, bias=False) -> BatchNorm2d], global average pool, Linear(16->10). Input NCHW float32
batch x 3 x size x size (the Go side is NHWC), random inputs and labels from a fixed seed, softmax
cross-entropy. One step = forward + backward + SGD(lr=0.1, momentum=0) update. Each timed step ends
with reading the loss (loss.item()), and on CUDA a torch.cuda.synchronize().

Usage:
  python3 bench/convnet/torch_convnet.py --batch 64 --steps 10 --warmup 2 --size 32 [--threads 2] \
      [--device cpu|cuda] [--json] [--check]
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn

CHANNELS, BLOCKS, CLASSES, LR, CHECK_STEPS, SEED = 16, 3, 10, 0.1, 20, 42


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [nn.Conv2d(3, CHANNELS, 3, padding=1, bias=False), nn.BatchNorm2d(CHANNELS)]
        for _ in range(BLOCKS):
            layers += [nn.ReLU(), nn.Conv2d(CHANNELS, CHANNELS, 3, padding=1, bias=False),
                       nn.BatchNorm2d(CHANNELS)]
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(CHANNELS, CLASSES)

    def forward(self, x):
        x = self.features(x)
        x = x.mean(dim=(2, 3))  # global average pool
        return self.head(x)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--check", action="store_true",
                   help="run 20 steps on one fixed batch and exit 1 unless the loss decreases")
    a = p.parse_args()
    steps, warmup = (CHECK_STEPS, 0) if a.check else (a.steps, a.warmup)

    torch.set_num_threads(a.threads)
    torch.manual_seed(SEED)
    if a.device == "cuda" and not torch.cuda.is_available():
        print("torch_convnet: --device cuda but torch.cuda.is_available() is False", file=sys.stderr)
        sys.exit(2)
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)

    model = ConvNet().to(dev).train()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)  # BN running stats are buffers
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.0)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(SEED)
    x = (torch.rand(a.batch, 3, a.size, a.size, generator=g) * 2 - 1).to(dev)
    y = torch.randint(0, CLASSES, (a.batch,), generator=g).to(dev)

    def step():
        sync()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        value = loss.item()
        sync()
        return value, (time.perf_counter() - t0) * 1000

    losses, step_ms, first_ms = [], [], 0.0
    for i in range(warmup + steps):
        loss, ms = step()
        losses.append(loss)
        if i == 0:
            first_ms = ms
        if i >= warmup:
            step_ms.append(ms)
        if a.check and not a.json:
            print(f"check step {i:2d}: loss {loss:.5f} ({ms:.1f} ms)")

    med = statistics.median(step_ms)
    device_name = torch.cuda.get_device_name(0) if a.device == "cuda" else "cpu"
    res = {
        "program": "pytorch", "backend": f"torch {torch.__version__} {a.device}", "batch": a.batch,
        "size": a.size, "warmup": warmup, "steps": steps, "params": params,
        "optimizer": f"SGD lr={LR:g} momentum=0", "first_step_ms": first_ms, "median_ms": med,
        "min_ms": min(step_ms), "mean_ms": statistics.fmean(step_ms), "images_per_s": a.batch / (med / 1000),
        "first_loss": losses[0], "last_loss": losses[-1], "step_ms": step_ms, "cpu": cpu_model(),
        "threads": torch.get_num_threads(), "cpu_count": os.cpu_count(), "device": device_name,
    }
    if a.json:
        print(json.dumps(res))
    else:
        rows = [
            ("program", res["program"]), ("backend", res["backend"]), ("device", device_name),
            ("host", f"{res['cpu']}, torch threads={res['threads']} (of {res['cpu_count']} CPUs)"),
            ("batch / size", f"{a.batch} / {a.size}x{a.size}x3"), ("params", params),
            ("optimizer", res["optimizer"]), ("warmup / steps", f"{warmup} / {steps}"),
            ("first step ms", f"{first_ms:.1f}"), ("median ms", f"{med:.2f}"),
            ("min ms", f"{res['min_ms']:.2f}"), ("mean ms", f"{res['mean_ms']:.2f}"),
            ("images/s", f"{res['images_per_s']:.1f}"),
            ("loss first -> last", f"{losses[0]:.5f} -> {losses[-1]:.5f}"),
        ]
        for k, v in rows:
            print(f"{k:<18} {v}")
    if a.check:
        if not losses[-1] < losses[0]:
            print(f"CHECK FAILED: loss did not decrease ({losses[0]:.5f} -> {losses[-1]:.5f})")
            sys.exit(1)
        print(f"CHECK OK: loss decreased over {steps} steps ({losses[0]:.5f} -> {losses[-1]:.5f})")


if __name__ == "__main__":
    main()
