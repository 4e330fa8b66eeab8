#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Expected outputs of tests/test-preprocess.c's OpenCV-exact resize.

An independent model of cv::resize(INTER_LINEAR) on 8-bit RGB images as
OpenCV 4.x computes it: the weights come from exact rational arithmetic
(Fraction, no floats), the two passes are integer numpy; the vertical pass
is the ((h >> 4) * b >> 16) form OpenCV 4.x uses for 8-bit images (its SIMD
loop and its scalar tail agree on it).
With python3-opencv installed (`--check-cv2`), every case is also compared
with cv2.resize itself, the real reference. Prints C initialisers.
"""
import sys
from fractions import Fraction
import numpy as np

COEF = 2048
CASES = [(5, 4, 3, 7), (7, 5, 9, 3), (4, 6, 6, 2), (6, 6, 3, 3), (9, 7, 4, 5), (3, 2, 8, 5), (11, 3, 2, 1), (1, 1, 3, 2)]


def pixels(w, h):
    """The test image: the same formula as test_pixel() in the C test."""
    i = np.arange(w * h * 3, dtype=np.int64)
    return (((i * 73 + 41) ^ (i >> 2)) & 255).astype(np.uint8).reshape(h, w, 3)


def taps(src, dst, clamp):
    out = []
    for d in range(dst):
        f = Fraction(2 * d + 1, 2) * Fraction(src, dst) - Fraction(1, 2)
        s = f.numerator // f.denominator
        f -= s
        if clamp and s < 0:
            f, s = Fraction(0), 0
        if clamp and s >= src - 1:
            f, s = Fraction(0), src - 1
        w0, w1 = round((1 - f) * COEF), round(f * COEF)   # round(): ties to even
        out.append((min(max(s, 0), src - 1), min(max(s + 1, 0), src - 1), w0, w1))
    return out


def resize(img, dw, dh):
    sh, sw, _ = img.shape
    if (sw, sh) == (dw, dh):
        return img.copy()
    xt, yt = taps(sw, dw, True), taps(sh, dh, False)
    src = img.astype(np.int64)
    hsum = np.zeros((sh, dw, 3), np.int64)
    for dx, (s0, s1, w0, w1) in enumerate(xt):
        hsum[:, dx] = src[:, s0] * COEF if s0 + 1 >= sw else src[:, s0] * w0 + src[:, s1] * w1
    out = np.zeros((dh, dw * 3), np.int64)
    for dy, (r0, r1, b0, b1) in enumerate(yt):
        h0, h1 = hsum[r0].reshape(-1), hsum[r1].reshape(-1)
        out[dy] = np.clip((((h0 >> 4) * b0 >> 16) + ((h1 >> 4) * b1 >> 16) + 2) >> 2, 0, 255)
    return out.reshape(dh, dw, 3).astype(np.uint8)


def main():
    check = '--check-cv2' in sys.argv
    if check:
        import cv2
    for sw, sh, dw, dh in CASES:
        got = resize(pixels(sw, sh), dw, dh)
        if check:
            ref = cv2.resize(pixels(sw, sh), (dw, dh), interpolation=cv2.INTER_LINEAR)
            assert np.array_equal(ref, got), (sw, sh, dw, dh, ref, got)
        vals = ', '.join(str(v) for v in got.reshape(-1))
        print(f'  {{ {sw}, {sh}, {dw}, {dh}, {{ {vals} }} }},')
    if check:
        rng = np.random.default_rng(7)
        for _ in range(1000):
            sw, sh, dw, dh = (int(v) for v in rng.integers(1, 40, 4))
            img = rng.integers(0, 256, (sh, sw, 3), dtype=np.uint8)
            ref = cv2.resize(img, (dw, dh), interpolation=cv2.INTER_LINEAR)
            assert np.array_equal(ref, resize(img, dw, dh)), (sw, sh, dw, dh)
        print('/* cv2', cv2.__version__, 'agrees on', len(CASES) + 1000, 'cases */', file=sys.stderr)



def letterbox(im, new_shape=(640, 640), color=(114, 114, 114)):
    """Ultralytics' letterbox (auto=False, scaleup=True), as in the YOLOv5 repo."""
    import cv2
    shape = im.shape[:2]
    r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])
    new_unpad = int(round(shape[1] * r)), int(round(shape[0] * r))
    dw, dh = new_shape[1] - new_unpad[0], new_shape[0] - new_unpad[1]
    dw /= 2
    dh /= 2
    if shape[::-1] != new_unpad:
        im = cv2.resize(im, new_unpad, interpolation=cv2.INTER_LINEAR)
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    return cv2.copyMakeBorder(im, top, bottom, left, right, cv2.BORDER_CONSTANT, value=color)


def real_references(shared):
    """Values from OpenCV itself: decoding and resizing real images."""
    import hashlib
    import os
    import cv2
    small = letterbox(pixels(7, 5), (8, 8))
    print('/* letterbox 7x5 -> 8x8 */', ', '.join(str(v) for v in small.reshape(-1)))
    bus = os.path.join(shared, 'images', 'bus.jpg')
    rgb = cv2.cvtColor(cv2.imread(bus), cv2.COLOR_BGR2RGB)
    print('/* bus.jpg', rgb.shape, 'pixels', [(x, y, list(rgb[y, x])) for x, y in [(0, 0), (405, 540), (809, 1079), (123, 877)]], '*/')
    for w, h in [(640, 640), (352, 352), (320, 240)]:
        out = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_LINEAR)
        print(f'/* bus.jpg stretched {w}x{h} sha256', hashlib.sha256(out.tobytes()).hexdigest(), '*/')
    lb = letterbox(rgb)
    print('/* bus.jpg letterbox 640 sha256', hashlib.sha256(lb.tobytes()).hexdigest(), '*/')


if __name__ == '__main__':
    if len(sys.argv) > 2 and sys.argv[1] == '--real':
        real_references(sys.argv[2])
    else:
        main()
