# Copied from the team's reference tools (shared/tools) so that scripts/peer-bench.sh runs in a clone; NET=mobilenet added.
"""Peer baseline on this machine: Python PyTorch (Debian python3-torch) training and synflow
throughput for NAS-Bench-201 networks, to compare with the project's DJL numbers in one run."""
import json, os, sys, time, torch, torch.nn as nn
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
torch.manual_seed(0)
threads = int(os.environ.get("THREADS", "2")); torch.set_num_threads(threads)
# NET=mobilenet (added by hwnas): the mobilenet space's network of mobilenet_torch.py, checked against hwnas's
# export by check_peer.py; IN_CHANNELS (default 3) and CLASSES (default 10) as hwnas bench train's --input/--classes
space = os.environ.get("NET", "nb201")
if space == "mobilenet":
    import mobilenet_torch
    cin, classes = int(os.environ.get("IN_CHANNELS", "3")), int(os.environ.get("CLASSES", "10"))
    res = mobilenet_torch.parse(os.environ["ARCH"])[0]
    Net = lambda a: mobilenet_torch.Net(a, cin, classes)
else:
    from nb201_torch import Net
    cin, classes, res = 3, 10, 32
arch = os.environ.get("ARCH", "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|")
batch = int(os.environ.get("BATCH", "64")); steps = int(os.environ.get("STEPS", "20"))
fmt = os.environ.get("MEMFMT", "contiguous")  # or channels_last, the layout PyTorch recommends for CPU convnets
mf = torch.channels_last if fmt == "channels_last" else torch.contiguous_format
net = Net(arch).to(memory_format=mf).train(); opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
x = torch.randn(batch, cin, res, res).to(memory_format=mf); y = torch.randint(0, classes, (batch,)); loss = nn.CrossEntropyLoss()
for _ in range(3): opt.zero_grad(); loss(net(x), y).backward(); opt.step()
t0 = time.perf_counter()
for _ in range(steps): opt.zero_grad(); loss(net(x), y).backward(); opt.step()
train_ips = batch * steps / (time.perf_counter() - t0)
net.eval()
with torch.no_grad():
    for _ in range(3): net(x)
    t0 = time.perf_counter()
    for _ in range(steps): net(x)
    infer_ips = batch * steps / (time.perf_counter() - t0)
# synflow: |theta| weights, all-ones input, sum of outputs, score = sum |theta * grad|
def synflow(a):
    m = Net(a).double(); m.eval()
    signs = {}
    with torch.no_grad():
        for n, p in m.state_dict().items(): signs[n] = torch.sign(p); p.abs_()
    m.zero_grad(); out = m(torch.ones(1, cin, res, res, dtype=torch.float64)); torch.sum(out).backward()
    return sum((p * p.grad).abs().sum().item() for p in m.parameters() if p.grad is not None)
t0 = time.perf_counter(); n = 10
for _ in range(n): s = synflow(arch)
syn_s = (time.perf_counter() - t0) / n
print(json.dumps({"torch": torch.__version__, "net": space, "threads": threads, "arch": arch, "batch": batch, "memory_format": fmt,
                  "train_images_per_s": round(train_ips, 1), "infer_images_per_s": round(infer_ips, 1),
                  "synflow_s_per_arch": round(syn_s, 4), "synflow_score": s}))
