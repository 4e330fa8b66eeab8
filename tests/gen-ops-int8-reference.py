#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Expected values for tests/test-ops-int8.c: TFLite's integer reference
# kernels written out literally with Python integers (QuantizeMultiplier,
# SaturatingRoundingDoublingHighMul, RoundingDivideByPOT, per-channel
# Conv2D, Add). Run it and paste the printed arrays into the test.
import math
import numpy as np

def quantize_multiplier(m):
    if m == 0:
        return 0, 0
    q, e = math.frexp(m)
    qf = int(math.floor(q * (1 << 31) + 0.5))     # TfLiteRound (q > 0)
    if qf == 1 << 31:
        qf //= 2
        e += 1
    if e < -31:
        return 0, 0
    return qf, e

def srdhm(a, b):
    if a == b == -(1 << 31):
        return (1 << 31) - 1
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    return _trunc_div(ab + nudge, 1 << 31)   # C's division truncates toward zero

def _trunc_div(a, b):
    q = abs(a) // b
    return q if a >= 0 else -q

def rdbpot(x, e):
    mask = (1 << e) - 1
    rem = x & mask
    thr = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if rem > thr else 0)

def mbqm(x, m, s):
    left = s if s > 0 else 0
    right = 0 if s > 0 else -s
    return rdbpot(srdhm(x * (1 << left), m), right)

def conv2d(x, xz, w, wscale, bias, xs, ys, yz, stride, pad, lo, hi):
    n, h, wd, c = x.shape
    o, kh, kw, _ = w.shape
    oh = (h + pad[0] + pad[1] - kh) // stride + 1
    ow = (wd + pad[2] + pad[3] - kw) // stride + 1
    out = np.zeros((n, oh, ow, o), dtype=np.int64)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for co in range(o):
                    acc = int(bias[co])
                    for a in range(kh):
                        for bb in range(kw):
                            ih, iw = i * stride - pad[0] + a, j * stride - pad[2] + bb
                            if 0 <= ih < h and 0 <= iw < wd:
                                for ci in range(c):
                                    acc += (int(x[b, ih, iw, ci]) - xz) * int(w[co, a, bb, ci])
                    m, s = quantize_multiplier(float(np.float32(xs)) * float(np.float32(wscale[co])) / float(np.float32(ys)))
                    v = mbqm(acc, m, s) + yz
                    out[b, i, j, co] = min(max(v, lo), hi)
    return out

rng = np.random.default_rng(5)
x = rng.integers(-128, 128, (1, 5, 5, 2))
w = rng.integers(-127, 128, (3, 3, 3, 2))
bias = rng.integers(-2000, 2000, 3)
wscale = [0.011, 0.007, 0.019]
# SAME, stride 2 on 5x5 with a 3x3 window: out 3x3, total pad 2 → 1 before, 1 after
# RELU6 with y scale 0.05, zero -100: hi = -100 + round(6 / 0.05) = 20
y = conv2d(x, -3, w, wscale, bias, 0.02, 0.05, -100, 2, (1, 1, 1, 1), -100, 20)
print("conv x", x.flatten().tolist())
print("conv w", w.flatten().tolist())
print("conv bias", bias.tolist())
print("conv y", y.flatten().tolist())

# Add: a (0.02, -5) + b (0.05, 7) → y (0.06, 3), b broadcast over rows
a = rng.integers(-128, 128, (2, 3))
b = rng.integers(-128, 128, (3,))
sa, sb, sy, za, zb, zy = 0.02, 0.05, 0.06, -5, 7, 3
tm = 2 * max(float(np.float32(sa)), float(np.float32(sb)))
ma = quantize_multiplier(float(np.float32(sa)) / tm)
mb = quantize_multiplier(float(np.float32(sb)) / tm)
my = quantize_multiplier(tm / ((1 << 20) * float(np.float32(sy))))
res = []
for i in range(2):
    for j in range(3):
        va = mbqm((int(a[i, j]) - za) * (1 << 20), *ma)
        vb = mbqm((int(b[j]) - zb) * (1 << 20), *mb)
        res.append(min(max(mbqm(va + vb, *my) + zy, -128), 127))
print("add a", a.flatten().tolist(), "b", b.tolist())
print("add y", res)

# Mul: a (0.02, -5) * b (0.05, 7) → y (0.1, 0)
mm = quantize_multiplier(float(np.float32(sa)) * float(np.float32(sb)) / float(np.float32(0.1)))
res = []
for i in range(2):
    for j in range(3):
        res.append(min(max(mbqm((int(a[i, j]) - za) * (int(b[j]) - zb), *mm), -128), 127))
print("mul y", res)
