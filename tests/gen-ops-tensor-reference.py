#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Expected outputs of tests/test-ops-tensor.c's Resize cases.

An independent NumPy model of ONNX Resize written from the operator
specification and the ONNX reference implementation's structure (one 1-D
interpolation per axis, innermost first, neighbours taken from the
edge-padded input, float64 throughout), plus TFLite's ResizeBilinear and
ResizeNearestNeighbor in float32 as tflite::reference_ops computes them.
Prints C initialisers for the tables in the test.
"""
import numpy as np

X = np.array([[[[1, 2, 4, 7], [3, 5, 6, 9], [8, 2, 0, 5]]]], dtype=np.float32)  # 1x1x3x4


def coordinate(mode, x, scale, in_len, out_len, roi=(0.0, 1.0)):
    out_f = scale * in_len
    if mode == "half_pixel":
        return (x + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        offset = in_len / 2 * (1 - out_len / out_f)
        return offset + (x + 0.5) / scale - 0.5
    if mode == "pytorch_half_pixel":
        return (x + 0.5) / scale - 0.5 if out_len > 1 else 0.0
    if mode == "align_corners":
        return 0.0 if out_f == 1 else x * (in_len - 1) / (out_f - 1)
    if mode == "asymmetric":
        return x / scale
    if mode == "tf_half_pixel_for_nn":
        return (x + 0.5) / scale
    if mode == "tf_crop_and_resize":
        if out_f == 1:
            return (roi[1] - roi[0]) * (in_len - 1) / 2 + roi[0] * (in_len - 1)
        return x * (roi[1] - roi[0]) * (in_len - 1) / (out_f - 1) + roi[0] * (in_len - 1)
    raise ValueError(mode)


def nearest_index(nm, xo):
    f = np.floor(xo)
    r = xo - f
    if r == 0:
        return int(xo)
    return int({"round_prefer_floor": f if r <= 0.5 else f + 1,
                "round_prefer_ceil": f if r < 0.5 else f + 1,
                "floor": f, "ceil": f + 1}[nm])


def cubic(d, A):
    d = abs(d)
    if d <= 1:
        return (A + 2) * d ** 3 - (A + 3) * d ** 2 + 1
    if d < 2:
        return A * d ** 3 - 5 * A * d ** 2 + 8 * A * d - 4 * A
    return 0.0


def interp_1d(line, j, opts, scale, out_len, roi):
    n = len(line)
    xo = coordinate(opts["coord"], j, scale, n, out_len, roi)
    if opts["coord"] == "tf_crop_and_resize" and (xo < 0 or xo > n - 1):
        return opts.get("extrapolation", 0.0)
    if opts["mode"] == "nearest":
        return line[min(max(nearest_index(opts.get("nearest", "round_prefer_floor"), xo), 0), n - 1)]
    s = min(scale, 1.0) if opts.get("antialias") else 1.0
    support = 2 if opts["mode"] == "cubic" else 1
    start = int(np.floor(-support / s)) + 1
    taps = 2 - 2 * start
    base = np.floor(xo)
    ratio = xo - base
    idx = [int(base) + start + k for k in range(taps)]
    w = []
    for k in range(taps):
        d = (start + k - ratio) * s
        w.append(cubic(d, opts.get("a", -0.75)) if opts["mode"] == "cubic" else max(0.0, 1 - abs(d)))
    w = np.array(w)
    if opts.get("exclude_outside"):
        w = np.where([(i < 0 or i >= n) for i in idx], 0.0, w)
    if opts.get("exclude_outside") or opts.get("antialias"):
        w = w / w.sum()
    vals = np.array([line[min(max(i, 0), n - 1)] for i in idx], dtype=np.float64)
    return float(np.dot(w, vals))


def resize(x, out, scales, opts, roi=None):
    y = x.astype(np.float64)
    rank = x.ndim
    roi = roi if roi is not None else [0.0] * rank + [1.0] * rank
    for a in reversed(range(rank)):  # innermost axis first, like the reference
        if out[a] == y.shape[a] and scales[a] == 1 and opts["coord"] != "tf_crop_and_resize":
            continue
        moved = np.moveaxis(y, a, -1)
        res = np.empty(moved.shape[:-1] + (out[a],))
        for idx in np.ndindex(moved.shape[:-1]):
            for j in range(out[a]):
                res[idx + (j,)] = interp_1d(moved[idx], j, opts, scales[a], out[a], (roi[a], roi[rank + a]))
        y = np.moveaxis(res, -1, a)
    return y.astype(np.float32)


def onnx_case(opts, sizes=None, scales=None, roi=None):
    if sizes is not None:
        scales = [s / d for s, d in zip(sizes, X.shape)]
        out = sizes
    else:
        out = [int(np.floor(d * np.float64(np.float32(s)))) for d, s in zip(X.shape, scales)]
        scales = [float(np.float32(s)) for s in scales]
    return resize(X, out, scales, opts, roi)


def c_floats(a):
    return ", ".join("%.9g" % v for v in np.asarray(a).ravel())


def print_onnx_cases():
    cases = []
    for nm in ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]:
        for ct in ["half_pixel", "asymmetric", "align_corners", "tf_half_pixel_for_nn", "pytorch_half_pixel",
                   "half_pixel_symmetric"]:
            cases.append(({"mode": "nearest", "nearest": nm, "coord": ct}, [1, 1, 5, 7], None))
    for ct in ["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel", "half_pixel_symmetric"]:
        cases.append(({"mode": "linear", "coord": ct}, [1, 1, 5, 3], None))
        cases.append(({"mode": "linear", "coord": ct}, None, [1, 1, 0.7, 1.6]))
    for ex in [False, True]:
        for ct in ["half_pixel", "align_corners", "asymmetric"]:
            cases.append(({"mode": "cubic", "coord": ct, "a": -0.5, "exclude_outside": ex}, [1, 1, 4, 6], None))
    for mode in ["linear", "nearest", "cubic"]:
        cases.append(({"mode": mode, "coord": "tf_crop_and_resize", "extrapolation": -9.0}, [1, 1, 4, 5], None))
    for mode in ["linear", "cubic"]:
        cases.append(({"mode": mode, "coord": "half_pixel", "antialias": True}, [1, 1, 2, 3], None))
    roi = [0, 0, 0.2, 0.1, 1, 1, 1.2, 0.8]
    for opts, sizes, scales in cases:
        y = onnx_case(opts, sizes, scales, roi if opts["coord"] == "tf_crop_and_resize" else None)
        print("  { \"%s\", \"%s\", \"%s\", %.2f, %d, %d, %s, { %s }, { %d, %d }, { %s } },"
              % (opts["mode"], opts.get("nearest", "round_prefer_floor"), opts["coord"], opts.get("a", -0.75),
                 int(opts.get("exclude_outside", False)), int(opts.get("antialias", False)),
                 "TRUE" if sizes else "FALSE", ", ".join(str(v) for v in (sizes or scales)),
                 y.shape[2], y.shape[3], c_floats(y)))


def tflite_resize(x, oh, ow, bilinear, align, half):
    n, h, w, c = x.shape
    f32 = np.float32

    def scale(i, o):
        return f32(i - 1) / f32(o - 1) if align and o > 1 else f32(i) / f32(o)

    def nearest(v, i, o):
        s = scale(i, o)
        q = (f32(v) + f32(0.5 if half else 0)) * s
        # TfLiteRound is std::round: halves away from zero (q >= 0 here)
        k = min(int(np.floor(q + f32(0.5))) if align else int(np.floor(q)), i - 1)
        return max(0, k) if half else k

    y = np.zeros((n, oh, ow, c), dtype=np.float32)
    for b in range(n):
        for yy in range(oh):
            for xx in range(ow):
                if not bilinear:
                    y[b, yy, xx] = x[b, nearest(yy, h, oh), nearest(xx, w, ow)]
                    continue
                sy, sx = scale(h, oh), scale(w, ow)
                iy = (f32(yy) + f32(0.5)) * sy - f32(0.5) if half else f32(yy) * sy
                ix = (f32(xx) + f32(0.5)) * sx - f32(0.5) if half else f32(xx) * sx
                y0, y1 = max(int(np.floor(iy)), 0), min(int(np.ceil(iy)), h - 1)
                x0, x1 = max(int(np.floor(ix)), 0), min(int(np.ceil(ix)), w - 1)
                dy, dx = f32(iy - f32(y0)), f32(ix - f32(x0))
                y[b, yy, xx] = (x[b, y0, x0] * (1 - dy) * (1 - dx) + x[b, y1, x0] * dy * (1 - dx) +
                                x[b, y0, x1] * (1 - dy) * dx + x[b, y1, x1] * dy * dx)
    return y


def print_tflite_cases():
    x = np.arange(1, 3 * 4 * 2 + 1, dtype=np.float32).reshape(1, 3, 4, 2) ** 1.5
    print("  /* input: (1..24)^1.5 as [1,3,4,2] */")
    for bilinear in [False, True]:
        for align, half in [(False, False), (True, False), (False, True)]:
            for oh, ow in [(5, 7), (2, 3)]:
                y = tflite_resize(x, oh, ow, bilinear, align, half)
                print("  { %s, %d, %d, %d, %d, { %s } }," % ("TRUE" if bilinear else "FALSE", align, half, oh, ow,
                                                           c_floats(y)))


if __name__ == "__main__":
    print("/* ONNX cases */")
    print_onnx_cases()
    print("/* TFLite cases */")
    print_tflite_cases()
