#!/usr/bin/python3
"""PyTorch CPU reference for bench/train-speed.ts: the four paper models of Yu et al. (2021), same layers as
@twsa/models' 'paper' presets (see ../shared/paper-architectures.md), trained with Adam + MSE on random data.

Run by bench/train-speed.ts (one command); standalone:
    /usr/bin/python3 bench/train-speed-torch.py --steps 5 --threads 2 [--only seunet-b8,convlstm]
Prints one JSON object: {"torch": version, "threads": n, "results": {case: {"seconds_per_step", "samples_per_second",
"params"}}}. Versions used for the README figures: Python 3.11, torch 1.13 (Debian python3-torch), numpy 1.24.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def hard_sigmoid(x):
    # Keras 2 hard_sigmoid: clip(0.2 x + 0.5, 0, 1)
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


def same_pad_conv(cin, cout, k, stride=1):
    # Keras 'same' for odd k (stride 1) is pad k//2; for stride 2 with even input the TF padding is (0, 1)-asymmetric
    # but costs the same; symmetric k//2 keeps the output size ceil(n / stride).
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)


# ------------------------------------------------------------------------------------------------ SEUNet
class SE(nn.Module):
    def __init__(self, c, ratio):
        super().__init__()
        self.fc1 = nn.Linear(c, c // ratio)
        self.fc2 = nn.Linear(c // ratio, c)

    def forward(self, x):
        s = x.mean(dim=(2, 3))
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(s))))
        return x * s[:, :, None, None]


class CBR(nn.Module):
    """Conv (relu) + BN, as the BBuf SEUnet (activation before BN)."""

    def __init__(self, cin, cout, k=3):
        super().__init__()
        self.k = k
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2 if k % 2 == 1 else 0)
        self.bn = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)

    def forward(self, x):
        if self.k == 2:
            x = F.pad(x, (0, 1, 0, 1))  # Keras 'same' for a 2x2 kernel
        return self.bn(F.relu(self.conv(x)))


class SEUNet(nn.Module):
    def __init__(self):
        super().__init__()
        f = [16, 32, 64, 128, 256]
        r = [4, 8, 8, 16, 16]
        self.down = nn.ModuleList()
        cin = 1
        for c, q in zip(f, r):
            self.down.append(nn.ModuleList([CBR(cin, c), CBR(c, c), SE(c, q)]))
            cin = c
        self.up = nn.ModuleList()
        for c, q in [(128, 16), (64, 8), (32, 4), (16, 2)]:
            self.up.append(nn.ModuleList([CBR(cin, c, 2), CBR(2 * c, c), CBR(c, c), SE(c, q)]))
            cin = c
        self.head = nn.Conv2d(16, 1, 3, padding=1)
        self.head_bn = nn.BatchNorm2d(1, eps=1e-3, momentum=0.01)

    def forward(self, x):
        skips = []
        for i, (a, b, se) in enumerate(self.down):
            x = se(b(a(x)))
            if i < 4:
                skips.append(x)
                x = F.max_pool2d(x, 2)
        for (upc, a, b, se), skip in zip(self.up, reversed(skips)):
            u = upc(F.interpolate(x, scale_factor=2, mode="nearest"))
            x = se(b(a(torch.cat([skip, u], 1))))
        return torch.tanh(self.head_bn(self.head(x)))


# ------------------------------------------------------------------------------------------------ DCAE (variant A)
class DCAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 64, 3, padding=1)
        self.c2 = nn.Conv2d(64, 128, 3, padding=1)
        self.c3 = nn.Conv2d(128, 256, 3, padding=1)
        self.fc1 = nn.Linear(48 * 48 * 256, 128)
        self.bn1 = nn.BatchNorm1d(128, eps=1e-3, momentum=0.01)
        self.fc2 = nn.Linear(128, 128)
        # ConvTranspose 3x3 with strides 4, 4, 3 ('same': out = in * stride)
        self.t1 = nn.ConvTranspose2d(128, 128, 3, stride=4, padding=0, output_padding=1)
        self.t2 = nn.ConvTranspose2d(128, 64, 3, stride=4, padding=0, output_padding=1)
        self.t3 = nn.ConvTranspose2d(64, 32, 3, stride=3, padding=0)
        self.b1 = nn.BatchNorm2d(128, eps=1e-3, momentum=0.01)
        self.b2 = nn.BatchNorm2d(64, eps=1e-3, momentum=0.01)
        self.b3 = nn.BatchNorm2d(32, eps=1e-3, momentum=0.01)
        self.out = nn.ConvTranspose2d(32, 1, 3, stride=1, padding=1)

    def forward(self, x):
        x = F.relu(self.c3(F.relu(self.c2(F.relu(self.c1(x))))))
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        x = F.relu(self.fc1(x))
        # torch refuses a training-mode BatchNorm1d on one sample (Keras/tfjs return beta); 128 values, no cost either way
        x = self.bn1(x) if x.shape[0] > 1 else x
        x = F.relu(self.fc2(x)).reshape(-1, 128, 1, 1)
        x = self.b1(torch.tanh(self.t1(x)))
        x = self.b2(torch.tanh(self.t2(x)))
        x = self.b3(torch.tanh(self.t3(x)))
        return torch.tanh(self.out(x))


# ------------------------------------------------------------------------------------------------ Pix2Pix (3x3, 256)
class Generator(nn.Module):
    def __init__(self, filters=(64, 128, 256, 512, 512, 512, 512), bottleneck=512, dropout_blocks=3):
        super().__init__()
        self.enc = nn.ModuleList()
        self.ebn = nn.ModuleList()
        cin = 1
        for i, f in enumerate(filters):
            self.enc.append(nn.Conv2d(cin, f, 3, stride=2, padding=1))
            self.ebn.append(nn.BatchNorm2d(f, eps=1e-3, momentum=0.01) if i > 0 else nn.Identity())
            cin = f
        self.bott = nn.Conv2d(cin, bottleneck, 3, stride=2, padding=1)
        cin = bottleneck
        self.dec = nn.ModuleList()
        self.dbn = nn.ModuleList()
        self.dropout_blocks = dropout_blocks
        for f in reversed(filters):
            self.dec.append(nn.ConvTranspose2d(cin, f, 3, stride=2, padding=1, output_padding=1))
            self.dbn.append(nn.BatchNorm2d(f, eps=1e-3, momentum=0.01))
            cin = 2 * f
        self.out = nn.ConvTranspose2d(cin, 1, 3, stride=2, padding=1, output_padding=1)

    def forward(self, lsm):
        x = F.interpolate(lsm, size=(256, 256), mode="bilinear", align_corners=False)
        skips = []
        for conv, bn in zip(self.enc, self.ebn):
            x = F.leaky_relu(bn(conv(x)), 0.2)
            skips.append(x)
        x = F.relu(self.bott(x))
        for i, (tconv, bn) in enumerate(zip(self.dec, self.dbn)):
            x = bn(tconv(x))
            if i < self.dropout_blocks:
                x = F.dropout(x, 0.5, self.training)
            x = F.relu(torch.cat([x, skips[len(skips) - 1 - i]], 1))
        x = torch.tanh(self.out(x))
        return F.interpolate(x, size=(48, 48), mode="bilinear", align_corners=False)


class Discriminator(nn.Module):
    def __init__(self, filters=(64, 128, 256, 512), final=512):
        super().__init__()
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList()
        cin = 2
        for i, f in enumerate(filters):
            self.convs.append(nn.Conv2d(cin, f, 3, stride=2, padding=1))
            self.bns.append(nn.BatchNorm2d(f, eps=1e-3, momentum=0.01) if i > 0 else nn.Identity())
            cin = f
        self.c5 = nn.Conv2d(cin, final, 3, padding=1)
        self.b5 = nn.BatchNorm2d(final, eps=1e-3, momentum=0.01)
        self.c6 = nn.Conv2d(final, 1, 3, padding=1)

    def forward(self, src, tgt):
        x = F.interpolate(torch.cat([src, tgt], 1), size=(256, 256), mode="bilinear", align_corners=False)
        for conv, bn in zip(self.convs, self.bns):
            x = F.leaky_relu(bn(conv(x)), 0.2)
        x = F.leaky_relu(self.b5(self.c5(x)), 0.2)
        return torch.sigmoid(self.c6(x))


# ------------------------------------------------------------------------------------------------ ConvLSTM
class ConvLSTMCell(nn.Module):
    """Keras ConvLSTM2D cell: one 'same' conv of x plus one of h, 4 gates (i, f, c, o), tanh / hard_sigmoid."""

    def __init__(self, cin, filters, k):
        super().__init__()
        self.filters = filters
        self.x_conv = nn.Conv2d(cin, 4 * filters, k, padding=k // 2)
        self.h_conv = nn.Conv2d(filters, 4 * filters, k, padding=k // 2, bias=False)

    def forward(self, x, h, c):
        z = self.x_conv(x) + self.h_conv(h)
        i, f, g, o = torch.split(z, self.filters, 1)
        i, f, o = hard_sigmoid(i), hard_sigmoid(f), hard_sigmoid(o)
        c = f * c + i * torch.tanh(g)
        h = o * torch.tanh(c)
        return h, c


class ConvLSTMNet(nn.Module):
    def __init__(self, filters=(64, 32, 32), k=5):
        super().__init__()
        self.filters = filters
        self.enc = nn.ModuleList()
        self.dec = nn.ModuleList()
        self.ebn = nn.ModuleList()
        self.dbn = nn.ModuleList()
        cin = 1
        for i, f in enumerate(filters):
            self.enc.append(ConvLSTMCell(cin, f, k))
            if i < len(filters) - 1:
                self.ebn.append(nn.BatchNorm3d(f, eps=1e-3, momentum=0.01))
            cin = f
        cin = 1
        for f in filters:
            self.dec.append(ConvLSTMCell(cin, f, k))
            self.dbn.append(nn.BatchNorm2d(f, eps=1e-3, momentum=0.01))
            cin = f
        self.pred = nn.Conv2d(sum(filters), 1, 1)

    def forward(self, seq):  # seq: (b, t, 1, 48, 48)
        b, t = seq.shape[:2]
        x = seq
        states = []
        for i, cell in enumerate(self.enc):
            h = torch.zeros(b, cell.filters, 48, 48)
            c = torch.zeros_like(h)
            outs = []
            for s in range(t):
                h, c = cell(x[:, s], h, c)
                outs.append(h)
            states.append((h, c))
            if i < len(self.enc) - 1:
                y = torch.stack(outs, 2)  # (b, f, t, 48, 48)
                x = self.ebn[i](y).permute(0, 2, 1, 3, 4)
        y = seq[:, -1]
        outs = []
        for cell, bn, (h, c) in zip(self.dec, self.dbn, states):
            h, _ = cell(y, h, c)
            y = bn(h)
            outs.append(y)
        return torch.tanh(self.pred(torch.cat(outs, 1)))


def count(model):
    return sum(p.numel() for p in model.parameters()) + sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))


def time_steps(step, steps, warmup):
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def supervised_case(model, batch, shape, steps, warmup):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(1)
    x = torch.rand((batch,) + shape, generator=g) * 2 - 1
    y = torch.rand((batch, 1, 48, 48), generator=g) * 2 - 1

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()

    return time_steps(step, steps, warmup)


def pix2pix_case(batch, steps, warmup):
    G, D = Generator(), Discriminator()
    og = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    od = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    g = torch.Generator().manual_seed(2)
    src = torch.rand((batch, 1, 48, 48), generator=g) * 2 - 1
    tgt = torch.rand((batch, 1, 48, 48), generator=g) * 2 - 1

    def step():
        fake = G(src)
        od.zero_grad(set_to_none=True)
        real_p, fake_p = D(src, tgt), D(src, fake.detach())
        d_loss = F.binary_cross_entropy(real_p, torch.ones_like(real_p)) + F.binary_cross_entropy(fake_p, torch.zeros_like(fake_p))
        d_loss.backward()
        od.step()
        og.zero_grad(set_to_none=True)
        p = D(src, fake)
        g_loss = F.binary_cross_entropy(p, torch.ones_like(p)) + 100 * F.mse_loss(fake, tgt)
        g_loss.backward()
        og.step()

    return time_steps(step, steps, warmup), count(G) + count(D)


CASES = ["seunet-b1", "seunet-b8", "dcae-b1", "dcae-b8", "pix2pix-b1", "convlstm", "conv-ceiling"]


def conv_ceiling_case(steps, warmup):
    """Forward conv2d only, 8x64x48x48 -> 64, 3x3 'same', no bias, 10 calls per step (as bench/train-speed.ts)."""
    conv = nn.Conv2d(64, 64, 3, padding=1, bias=False)
    x = torch.rand(8, 64, 48, 48) * 2 - 1

    def step():
        with torch.no_grad():
            for _ in range(10):
                conv(x)

    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps, count(conv)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default=",".join(CASES))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    results = {}
    for case in a.only.split(","):
        if case not in CASES:
            sys.exit(f"unknown case {case}; expected one of {CASES}")
        if case.startswith("seunet"):
            batch = int(case.split("-b")[1])
            m = SEUNet().train()
            sec = supervised_case(m, batch, (1, 48, 48), a.steps, a.warmup)
            params = count(m)
        elif case.startswith("dcae"):
            batch = int(case.split("-b")[1])
            m = DCAE().train()
            sec = supervised_case(m, batch, (1, 48, 48), a.steps, a.warmup)
            params = count(m)
        elif case == "conv-ceiling":
            batch = 80
            sec, params = conv_ceiling_case(a.steps, a.warmup)
        elif case.startswith("pix2pix"):
            batch = int(case.split("-b")[1])
            sec, params = pix2pix_case(batch, a.steps, a.warmup)
        else:
            batch = 1
            m = ConvLSTMNet().train()
            sec = supervised_case(m, 1, (19, 1, 48, 48), a.steps, a.warmup)
            params = count(m)
        results[case] = {"seconds_per_step": sec, "samples_per_second": batch / sec, "params": params}
        print(f"{case}: {sec:.3f} s/step", file=sys.stderr)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
