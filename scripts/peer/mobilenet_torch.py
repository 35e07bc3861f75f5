"""The hwnas `mobilenet` space's network in plain PyTorch: the peer for `hwnas bench train --space mobilenet`.

It mirrors nas-core's MobilenetSpace.network layer for layer (stem conv-BN-act, a first MBConv with
expansion 1, five searchable stages of MBConv blocks, a last MBConv to 320*w channels, a 1x1 head conv to
1280*max(1, w) channels, global average pooling, a linear classifier), with the same channel rounding,
strides, squeeze-excite (average pool, 1x1 conv with bias, ReLU, 1x1 conv with bias, sigmoid, multiply) and
residual adds. `check_peer.py` checks it against a network hwnas exported: same parameter count, same
outputs on the same weights.

    Net(arch, in_channels=3, classes=1000, stem_stride=2, activation="relu6")

`arch` is an hwnas mobilenet string such as r32-w0.5|k3e6,k3e6|k3e6,k3e6,k3e6|...|..., as
`hwnas bench train --space mobilenet --arch ...` takes it.
"""
import re
import torch
import torch.nn as nn

STAGE_CHANNELS = [24, 32, 64, 96, 160]
STAGE_STRIDES = [2, 2, 2, 1, 2]
LAYER = re.compile(r"k(\d)e(\d)(se)?(?:@([0-9.]+))?$")


def divisible(channels):
    """Channels rounded to a multiple of 8, never below 8 or 90% of the request (MobilenetSpace.divisible)."""
    c = max(8, int(channels + 4) // 8 * 8)
    return c + 8 if c < 0.9 * channels else c


def act(kind):
    return {"relu": nn.ReLU, "relu6": nn.ReLU6, "hswish": nn.Hardswish}[kind]()


def parse(arch):
    """(resolution, width, stages), each stage a list of (kernel, expansion, se, scale)."""
    head, *stages = arch.split("|")
    m = re.fullmatch(r"r(\d+)-w([0-9.]+)", head)
    if not m or len(stages) != 5:
        raise ValueError(f"not a mobilenet architecture string: {arch!r}")
    out = []
    for s in stages:
        layers = []
        for layer in s.split(","):
            lm = LAYER.fullmatch(layer)
            if not lm:
                raise ValueError(f"layer {layer!r} of {arch!r} is not of the form k<3|5|7>e<3|4|6>[se][@scale]")
            layers.append((int(lm[1]), int(lm[2]), lm[3] is not None, float(lm[4] or 1.0)))
        out.append(layers)
    return int(m[1]), float(m[2]), out


class SqueezeExcite(nn.Module):
    def __init__(self, channels, hidden):
        super().__init__()
        self.reduce = nn.Conv2d(channels, hidden, 1, bias=True)
        self.expand = nn.Conv2d(hidden, channels, 1, bias=True)

    def forward(self, x):
        s = torch.mean(x, dim=(2, 3), keepdim=True)
        return x * torch.sigmoid(self.expand(torch.relu(self.reduce(s))))


class MBConv(nn.Module):
    def __init__(self, cin, cout, kernel, expansion, stride, se, activation):
        super().__init__()
        mid = cin * expansion
        layers = []
        if expansion != 1:
            layers += [nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid), act(activation)]
        layers += [nn.Conv2d(mid, mid, kernel, stride, kernel // 2, groups=mid, bias=False), nn.BatchNorm2d(mid),
                   act(activation)]
        if se:
            layers.append(SqueezeExcite(mid, divisible(mid / 4.0)))
        layers += [nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)
        self.residual = cin == cout and stride == 1

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class Net(nn.Module):
    def __init__(self, arch, in_channels=3, classes=1000, stem_stride=2, activation="relu6"):
        super().__init__()
        self.resolution, w, stages = parse(arch)
        c = divisible(32 * w)
        layers = [nn.Conv2d(in_channels, c, 3, stem_stride, 1, bias=False), nn.BatchNorm2d(c), act(activation)]
        blocks = [(divisible(16 * w), 3, 1, 1, False)]
        for s, stage in enumerate(stages):
            for i, (k, e, se, scale) in enumerate(stage):
                blocks.append((divisible(STAGE_CHANNELS[s] * w * scale), k, e, STAGE_STRIDES[s] if i == 0 else 1, se))
        blocks.append((divisible(320 * w), 3, 6, 1, False))
        for out, k, e, stride, se in blocks:
            layers.append(MBConv(c, out, k, e, stride, se, activation))
            c = out
        head = divisible(1280 * max(1.0, w))
        layers += [nn.Conv2d(c, head, 1, bias=False), nn.BatchNorm2d(head), act(activation),
                   nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(head, classes)

    def forward(self, x):
        return self.classifier(self.features(x))
