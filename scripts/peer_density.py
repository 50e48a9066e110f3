#!/usr/bin/python3
"""Peer for the density grid: what a PyTorch user of the flow_matching 2D notebook runs to
draw a learned log-density. The same 3-layer SiLU MLP (fresh weights; the cost does not
depend on them), the exact divergence by autograd (one backward pass per output, as the
notebook's exact_divergence), RK4 on the augmented state (x, log-det) from t back to 0,
on an N×N grid. Prints the wall and CPU seconds of one grid.

usage: peer_density.py [--width 64] [--depth 3] [--grid 96] [--steps 50] [--threads 1] [--repeat 3]
"""
import argparse, math, time
import torch

def mlp(width, depth):
    layers, d = [], 3
    for _ in range(depth):
        layers += [torch.nn.Linear(d, width), torch.nn.SiLU()]
        d = width
    layers.append(torch.nn.Linear(d, 2))
    return torch.nn.Sequential(*layers)

def velocity_div(net, x, t):
    # v(x, t) and div v = Σ_i ∂v_i/∂x_i by autograd, one backward pass per output.
    x = x.detach().requires_grad_(True)
    v = net(torch.cat([x, torch.full((x.shape[0], 1), t)], 1))
    div = torch.zeros(x.shape[0])
    for i in range(2):
        g, = torch.autograd.grad(v[:, i].sum(), x, retain_graph=(i == 0))
        div += g[:, i]
    return v.detach(), div

def log_density(net, x, t, steps):
    # d/ds [x, l] = [v, div v], integrated from s = t (l = 0) to 0; log p_t = log N(x_0) + l_0
    n = math.ceil(t * steps - 1e-9)
    h = -t / n
    l = torch.zeros(x.shape[0])
    for k in range(n):
        s = t + k * h
        k1, d1 = velocity_div(net, x, s)
        k2, d2 = velocity_div(net, x + h / 2 * k1, s + h / 2)
        k3, d3 = velocity_div(net, x + h / 2 * k2, s + h / 2)
        k4, d4 = velocity_div(net, x + h * k3, s + h)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        l = l + h / 6 * (d1 + 2 * d2 + 2 * d3 + d4)
    return -0.5 * (x ** 2).sum(1) - math.log(2 * math.pi) + l

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--grid", type=int, default=96)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    net = mlp(a.width, a.depth)
    c = (torch.arange(a.grid, dtype=torch.float32) + 0.5) / a.grid * 10 - 5
    x = torch.stack(torch.meshgrid(c, c, indexing="xy"), -1).reshape(-1, 2)
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(a.repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        lp = log_density(net, x, 1.0, a.steps)
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    print(f"peer: {a.grid}x{a.grid} grid, {a.steps} RK4 steps, width {a.width}: "
          f"{best_wall:.3f} s wall, {best_cpu:.3f} s CPU (best of {a.repeat}); mean log p {lp.mean():.3f}")

if __name__ == "__main__":
    main()
