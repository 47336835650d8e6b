"""Independent NumPy model of the DLP integer arithmetic (docs/ARCHITECTURE.md section 6).

Written from the spec text, not from the golden C code, so that the runtime can be held
to bit-exactness on the requantizing ops (conv, matmul/gemm, add, average pooling) where
onnxruntime itself only gives a 1 LSB reference (it requantizes in float32).

Everything works on int64 NumPy arrays holding int32 values.
"""
import math

import numpy as np

I32_MIN = -(2**31)
I32_MAX = 2**31 - 1


def wrap32(x):
    x = np.asarray(x, dtype=np.int64)
    return ((x + 2**31) % 2**32) - 2**31


def quantize_multiplier(real):
    """TFLite QuantizeMultiplier: real ~= mult * 2^(shift - 31), mult in [2^30, 2^31)."""
    if real == 0.0:
        return 0, 0
    frac, e = math.frexp(abs(real))
    q = int(math.floor(frac * 2147483648.0 + 0.5))  # round half away (frac > 0)
    if q == 2**31:
        q //= 2
        e += 1
    if e < -31:
        return 0, 0
    if e > 30:
        raise ValueError("multiplier too large: %r" % real)
    return (q if real > 0 else -q), e


def srdhm(a, b):
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    ab = a * b
    nudge = np.where(ab >= 0, 2**30, 1 - 2**30)
    v = ab + nudge
    q = np.where(v >= 0, v // 2**31, -((-v) // 2**31))  # truncating division
    sat = (a == I32_MIN) & (b == I32_MIN)
    return np.where(sat, I32_MAX, q).astype(np.int64)


def rdbpot(x, e):
    x = np.asarray(x, dtype=np.int64)
    e = np.asarray(e, dtype=np.int64)
    mask = (np.int64(1) << e) - 1
    rem = x & mask
    thr = (mask >> 1) + (x < 0)
    return (x >> e) + (rem > thr)


def mbqm(x, m, s):
    s = np.clip(np.asarray(s, dtype=np.int64), -31, 30)
    left = np.maximum(s, 0)
    right = np.maximum(-s, 0)
    xs = wrap32(np.asarray(x, dtype=np.int64) << left)
    return rdbpot(srdhm(xs, m), right)


def requant(acc, mult, shift, zp, lo, hi):
    return np.clip(wrap32(zp + mbqm(acc, mult, shift)), lo, hi)


def per_channel_qm(in_scale, w_scales, out_scale):
    ms, ss = [], []
    for ws in np.atleast_1d(w_scales):
        m, s = quantize_multiplier(float(in_scale) * float(ws) / float(out_scale))
        ms.append(m)
        ss.append(s)
    return np.array(ms, dtype=np.int64), np.array(ss, dtype=np.int64)


def conv2d_nchw(x, x_zp, w, bias, in_scale, w_scales, out_scale, out_zp, lo, hi,
                strides=(1, 1), pads=(0, 0, 0, 0), group=1):
    """x: N,C,H,W ints; w: O,C/g,KH,KW ints (zero point 0); pads t,l,b,r."""
    x = x.astype(np.int64) - int(x_zp)
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    pt, pl, pb, pr = pads
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr), dtype=np.int64)
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    sh, sw = strides
    oh = (h + pt + pb - kh) // sh + 1
    ow = (wd + pl + pr - kw) // sw + 1
    acc = np.zeros((n, o, oh, ow), dtype=np.int64)
    og = o // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        ws = w[g * og:(g + 1) * og].astype(np.int64)
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
                acc[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", patch, ws[:, :, i, j])
    if bias is not None:
        acc += bias.astype(np.int64)[None, :, None, None]
    m, s = per_channel_qm(in_scale, w_scales, out_scale)
    if m.size == 1:
        m, s = m[0], s[0]
    else:
        m, s = m[None, :, None, None], s[None, :, None, None]
    return requant(wrap32(acc), m, s, out_zp, lo, hi)


def matmul(a, a_zp, b, b_zp, bias, a_scale, b_scales, out_scale, out_zp, lo, hi):
    """a: [..., M, K]; b: [K, N] (or broadcastable [..., K, N]); per-column b scales."""
    acc = np.matmul(a.astype(np.int64) - int(a_zp), b.astype(np.int64) - np.asarray(b_zp, dtype=np.int64))
    if bias is not None:
        acc = acc + bias.astype(np.int64)
    m, s = per_channel_qm(a_scale, b_scales, out_scale)
    if m.size == 1:
        m, s = m[0], s[0]
    return requant(wrap32(acc), m, s, out_zp, lo, hi)


def add(a, a_scale, a_zp, b, b_scale, b_zp, out_scale, out_zp, lo, hi):
    ls = 20
    twice_max = 2.0 * max(float(a_scale), float(b_scale))
    am, ash = quantize_multiplier(float(a_scale) / twice_max)
    bm, bsh = quantize_multiplier(float(b_scale) / twice_max)
    om, osh = quantize_multiplier(twice_max / (float(1 << ls) * float(out_scale)))
    in1 = wrap32((a.astype(np.int64) - int(a_zp)) << ls)
    in2 = wrap32((b.astype(np.int64) - int(b_zp)) << ls)
    s = wrap32(mbqm(in1, am, ash) + mbqm(in2, bm, bsh))
    return np.clip(wrap32(int(out_zp) + mbqm(s, om, osh)), lo, hi)


def avgpool_nchw(x, x_zp, in_scale, out_scale, out_zp, lo, hi, k, strides, pads,
                 count_include_pad):
    """Sum of valid (x - zp) then REQ with QM(in_scale / (out_scale * cnt))."""
    n, c, h, w = x.shape
    kh, kw = k
    sh, sw = strides
    pt, pl, pb, pr = pads
    oh = (h + pt + pb - kh) // sh + 1
    ow = (w + pl + pr - kw) // sw + 1
    xv = x.astype(np.int64) - int(x_zp)
    y = np.zeros((n, c, oh, ow), dtype=np.int64)
    for i in range(oh):
        for j in range(ow):
            y0, x0 = i * sh - pt, j * sw - pl
            ya, yb = max(y0, 0), min(y0 + kh, h)
            xa, xb = max(x0, 0), min(x0 + kw, w)
            ssum = xv[:, :, ya:yb, xa:xb].sum(axis=(2, 3))
            cnt = kh * kw if count_include_pad else (yb - ya) * (xb - xa)
            m, s = quantize_multiplier(float(in_scale) / (float(out_scale) * cnt))
            y[:, :, i, j] = requant(wrap32(ssum), m, s, out_zp, lo, hi)
    return y
