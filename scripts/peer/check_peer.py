"""Checks the PyTorch peer of the mobilenet space (mobilenet_torch.py) against a network hwnas exported.

    hwnas export --space mobilenet --option 'resolutions=[32]' --option 'widths=[0.5]' --option stem_stride=2 \
        --arch ARCH --input 1x32x32 --classes 10 --format onnx --out m.onnx --verify
    python3 scripts/peer/check_peer.py m.onnx

The export's --verify checks the ONNX file against hwnas's own DJL network (ONNX Runtime); this script checks
the peer against the ONNX file, so the peer is the network hwnas trains:
  1. parameter count: the peer's trainable parameters against the export's hwnas.params metadata;
  2. outputs: the export's weights (batch norm folded into the convolutions) are loaded into the peer (each
     convolution takes the folded weight, its batch norm becomes the identity plus the folded bias), and the
     peer's output on seeded random inputs is compared with the ONNX graph evaluated op by op here
     (torch.nn.functional, independent of the peer's modules).
Prints one JSON line; exits 1 when a check fails, 2 on bad input (not an hwnas mobilenet export, an op or a
shape this script does not know). Needs python3-torch and python3-onnx.
"""
import json, os, sys
import onnx
from onnx import numpy_helper
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mobilenet_torch import Net

TOLERANCE = 1e-4  # relative to the largest output magnitude, as hwnas export --verify


def fail(message):
    """Bad input: the message on stderr, exit code 2."""
    print("check_peer: " + message, file=sys.stderr)
    sys.exit(2)


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_graph(model, x):
    """Evaluates the exported graph op by op in float64."""
    v = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()).double() for i in model.graph.initializer}
    v[model.graph.input[0].name] = x
    for n in model.graph.node:
        a, i = attrs(n), [v[k] if k else None for k in n.input]
        op = n.op_type
        if op == "Conv":
            p = a.get("pads", [0, 0, 0, 0])
            y = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, a.get("strides", [1, 1]), (p[0], p[1]),
                         a.get("dilations", [1, 1]), a.get("group", 1))
        elif op == "Clip":
            y = torch.clamp(i[0], float(i[1]), float(i[2]))
        elif op == "Relu":
            y = torch.relu(i[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(i[0])
        elif op == "HardSwish":
            y = i[0] * torch.clamp(i[0] / 6 + 0.5, 0, 1)
        elif op in ("Add", "Mul"):
            y = i[0] + i[1] if op == "Add" else i[0] * i[1]
        elif op == "Sum":
            y = sum(i)
        elif op == "GlobalAveragePool":
            y = i[0].mean(dim=(2, 3), keepdim=True)
        elif op == "Flatten":
            y = i[0].flatten(a.get("axis", 1))
        elif op == "Gemm":
            w = i[1].t() if a.get("transB", 0) else i[1]
            y = i[0] @ w + (i[2] if len(i) > 2 else 0)
        else:
            fail(f"op {op} of node {n.name} is not handled here (allowed: Conv, Clip, Relu, Sigmoid, HardSwish, Add, "
                 "Mul, Sum, GlobalAveragePool, Flatten, Gemm)")
        v[n.output[0]] = y
    return v[model.graph.output[0].name]


def load_folded(net, model):
    """Loads the export's folded weights into the peer, in graph order; batch norms become identity + bias."""
    init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    gemm = [n for n in model.graph.node if n.op_type == "Gemm"][0]
    modules = [m for m in net.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.BatchNorm2d))]
    if sum(isinstance(m, torch.nn.Conv2d) for m in modules) != len(convs):
        fail(f"the peer has {sum(isinstance(m, torch.nn.Conv2d) for m in modules)} convolutions, the export "
             f"{len(convs)}")
    k = 0
    with torch.no_grad():
        for j, m in enumerate(modules):
            if not isinstance(m, torch.nn.Conv2d):
                continue
            node = convs[k]; k += 1
            w, b = init[node.input[1]], init[node.input[2]] if len(node.input) > 2 else None
            if tuple(m.weight.shape) != tuple(w.shape):
                fail(f"convolution {node.input[1]} is {tuple(w.shape)} in the export, {tuple(m.weight.shape)} in the "
                     "peer")
            m.weight.copy_(w)
            bn = modules[j + 1] if j + 1 < len(modules) and isinstance(modules[j + 1], torch.nn.BatchNorm2d) else None
            if bn is not None:
                bn.weight.fill_(1); bn.running_mean.zero_(); bn.running_var.fill_(1 - bn.eps)
                bn.bias.copy_(b if b is not None else torch.zeros_like(bn.bias))
            elif m.bias is not None:
                m.bias.copy_(b)
        w = init[gemm.input[1]]
        net.classifier.weight.copy_(w if attrs(gemm).get("transB", 0) else w.t())
        net.classifier.bias.copy_(init[gemm.input[2]])


def main(path):
    try:
        model = onnx.load(path)
    except Exception as e:  # a missing file or one that is not ONNX
        fail(f"{path}: not a readable ONNX model ({e})")
    meta = {p.key: p.value for p in model.metadata_props}
    if meta.get("hwnas.space") != "mobilenet":
        fail(f"{path}: hwnas.space = {meta.get('hwnas.space')!r}; expected an hwnas export of the mobilenet space "
             "(hwnas export --space mobilenet ...)")
    options = json.loads(meta["hwnas.space_options"])
    c, h, w = (int(d) for d in meta["hwnas.input"].split("x"))
    net = Net(meta["hwnas.arch"], c, int(meta["hwnas.classes"]), options.get("stem_stride", 2),
              options.get("activation", "relu6"))
    params = sum(p.numel() for p in net.parameters())
    load_folded(net, model)
    net = net.double().eval()
    x = torch.randn(4, c, h, w, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with torch.no_grad():
        ours, ref = net(x), run_graph(model, x)
    rel = float((ours - ref).abs().max() / ref.abs().max())
    out = {"arch": meta["hwnas.arch"], "params_peer": params, "params_hwnas": int(meta["hwnas.params"]),
           "relative_output_diff": rel, "tolerance": TOLERANCE,
           "ok": params == int(meta["hwnas.params"]) and rel <= TOLERANCE}
    print(json.dumps(out))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: check_peer.py EXPORTED.onnx")
    sys.exit(main(sys.argv[1]))
