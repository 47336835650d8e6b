/*
 * dlp/ops.h - reference integer ops of the DLP golden model (the executable spec).
 *
 * Style: TFLite-Micro reference kernels. Plain loops, explicit requantization, slow by
 * design and obviously right. One op per source file under golden/src/ops/.
 *
 * Layouts
 *   activations  NHWC, channel innermost, element type int8 (DLP_S8) or uint8 (DLP_U8);
 *                a zero point accompanies every quantized tensor.
 *   conv weights OHWI: [cout][kh][kw][cin/groups], int8 or uint8, zero point per output
 *                channel (w_zp_n == cout) or per tensor (w_zp_n == 1). The DLP itself
 *                uses symmetric int8 weights (zero point 0); other zero points exist so
 *                the ONNX ConvInteger/MatMulInteger conformance cases run unchanged.
 *   bias         int32, one per output channel, in accumulator units (s_x * s_w).
 *   accumulators int32, NHWC (conv) or [batch][m][n] (matmul). Sums wrap mod 2^32.
 *
 * Every function returns DLP_OK or a negative dlp_status; dlp_status_str() says why.
 * Output buffers are written only when the call returns DLP_OK.
 *
 * Argument checks (all ops): NULL pointers (other than those documented as optional),
 * element types other than DLP_S8/DLP_U8, input/weight zero points outside their element
 * type's range (an output zero point is any int32, added with wrap-around), scales that
 * are not finite and > 0, strides/dilations < 1, negative pads,
 * groups not dividing the channels, rq->n not 1 or the channel count, clamp bounds with
 * lo > hi or outside the output type, and real multipliers too large for
 * dlp_quantize_multiplier (>= 2^30) give DLP_E_ARG; non-positive dimensions or output
 * sizes give DLP_E_SHAPE. Real multipliers below 2^-32 quantize to 0 (as in TFLite).
 */
#ifndef DLP_OPS_H
#define DLP_OPS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DLP_OK = 0,
    DLP_E_ARG = -1,   /* NULL pointer or bad parameter value */
    DLP_E_SHAPE = -2, /* inconsistent or unsupported shape */
    DLP_E_NOMEM = -3, /* allocation of a scratch buffer failed */
} dlp_status;

const char *dlp_status_str(int status);

typedef enum { DLP_S8 = 0, DLP_U8 = 1 } dlp_dtype;

/* Element access for int8/uint8 buffers. */
static inline int32_t dlp_ld(const void *p, dlp_dtype t, size_t i)
{
    return t == DLP_U8 ? (int32_t)((const uint8_t *)p)[i] : (int32_t)((const int8_t *)p)[i];
}
static inline void dlp_st(void *p, dlp_dtype t, size_t i, int32_t v)
{
    if (t == DLP_U8)
        ((uint8_t *)p)[i] = (uint8_t)v;
    else
        ((int8_t *)p)[i] = (int8_t)v;
}
static inline int32_t dlp_dtype_min(dlp_dtype t)
{
    return t == DLP_U8 ? 0 : -128;
}
static inline int32_t dlp_dtype_max(dlp_dtype t)
{
    return t == DLP_U8 ? 255 : 127;
}

/* Output requantization: y = clamp(zp + mbqm(acc, mult[c], shift[c]), lo, hi), with c the
 * output channel when n > 1, else 0. lo/hi lie inside the range of type. */
typedef struct {
    const int32_t *mult;  /* Q31 multipliers, n entries (see dlp_quantize_multiplier) */
    const int32_t *shift; /* shifts, n entries, positive = left */
    int n;                /* 1 = per tensor, else per output channel */
    int32_t zp;           /* output zero point */
    int32_t lo, hi;       /* output clamp (fused ReLU/ReLU6/Clip) */
    dlp_dtype type;       /* output element type */
} dlp_requant;

/* Fill mult/shift (n entries) for real multipliers in_scale*w_scale[c]/out_scale.
 * w_scale entries must be finite and >= 0 (0 gives a zero multiplier). */
int dlp_requant_prepare(double in_scale, const float *w_scale, int n, double out_scale,
                        int32_t *mult, int32_t *shift);

/* ---------------------------------------------------------------- convolution */
typedef struct {
    int n, h, w, c;                 /* input NHWC */
    int cout, kh, kw;               /* output channels, kernel */
    int stride_h, stride_w;         /* >= 1 */
    int pad_t, pad_l, pad_b, pad_r; /* >= 0, padded positions are the input zero point */
    int dil_h, dil_w;               /* >= 1 */
    int groups;                     /* >= 1, divides c and cout; groups == c is depthwise */
} dlp_conv_shape;

/* Output height/width (floor mode). Return DLP_E_SHAPE when not positive. */
int dlp_conv_out_hw(const dlp_conv_shape *s, int *oh, int *ow);

/* acc[n][oy][ox][co] = bias[co] + sum (x - x_zp) * (w - w_zp[co])  (ConvInteger + bias);
 * bias may be NULL (0). */
int dlp_conv2d_acc(const dlp_conv_shape *s, const void *x, dlp_dtype xt, int32_t x_zp,
                   const void *w, dlp_dtype wt, const int32_t *w_zp, int w_zp_n,
                   const int32_t *bias, int32_t *acc);

/* Quantized conv (QLinearConv): accumulate as above, then requantize per rq. */
int dlp_conv2d_q(const dlp_conv_shape *s, const void *x, dlp_dtype xt, int32_t x_zp, const void *w,
                 dlp_dtype wt, const int32_t *w_zp, int w_zp_n, const int32_t *bias,
                 const dlp_requant *rq, void *y);

/* ---------------------------------------------------------------- matmul / FC */
typedef struct {
    int batch;    /* >= 1 */
    int m, k, n;  /* C[b] (m x n) = A[b] (m x k) * B[b] (k x n) */
    int trans_a;  /* A stored [b][k][m] */
    int trans_b;  /* B stored [b][n][k] (FC weights [out][in]) */
    int b_shared; /* B has one batch, shared by all batches of A */
} dlp_matmul_shape;

/* acc[b][i][j] = bias[j] + sum_k (A - a_zp) * (B - b_zp[j])  (MatMulInteger + bias);
 * b_zp_n is 1 (per tensor) or n (per output column). bias may be NULL. */
int dlp_matmul_acc(const dlp_matmul_shape *s, const void *a, dlp_dtype at, int32_t a_zp,
                   const void *b, dlp_dtype bt, const int32_t *b_zp, int b_zp_n,
                   const int32_t *bias, int32_t *acc);

/* QLinearMatMul / fully connected: accumulate, then requantize (rq->n is 1 or n). */
int dlp_matmul_q(const dlp_matmul_shape *s, const void *a, dlp_dtype at, int32_t a_zp,
                 const void *b, dlp_dtype bt, const int32_t *b_zp, int b_zp_n, const int32_t *bias,
                 const dlp_requant *rq, void *y);

/* ---------------------------------------------------------------- requantize / clamp */
/* y[i] = clamp(rq.zp + mbqm(x[i] + (bias ? bias[c] : 0), mult[c], shift[c]), lo, hi),
 * c = i % channels (channel innermost). rq->n is 1 or channels; bias may be NULL;
 * count must be a multiple of channels (else DLP_E_SHAPE). */
int dlp_requantize(size_t count, int channels, const int32_t *x, const int32_t *bias,
                   const dlp_requant *rq, void *y);

/* int8/uint8 -> int8/uint8 rescale: y = clamp(zp + mbqm(x - x_zp, mult[0], shift[0]),
 * lo, hi) with everything from rq_tensor (rq_tensor->n must be 1). The caller prepares
 * mult[0]/shift[0] = dlp_quantize_multiplier(in_scale / out_scale). */
int dlp_rescale(size_t count, const void *x, dlp_dtype xt, int32_t x_zp, void *y,
                const dlp_requant *rq_tensor);

/* y = clamp(x, lo, hi): ReLU is lo = zp; ReLU6 adds hi = zp + round(6/scale) (round half
 * away from zero; dlp_act_bounds also limits both to the range of the type). */
int dlp_clamp(size_t count, const void *x, dlp_dtype t, int32_t lo, int32_t hi, void *y);

typedef enum { DLP_ACT_NONE, DLP_ACT_RELU, DLP_ACT_RELU6 } dlp_act;
/* Clamp bounds for a fused activation on an output with (scale, zp, type). */
void dlp_act_bounds(dlp_act act, double scale, int32_t zp, dlp_dtype type, int32_t *lo,
                    int32_t *hi);

/* ONNX QuantizeLinear / DequantizeLinear (host-side float boundary ops):
 * q = saturate(round_half_even(x / scale) + zp); x = (q - zp) * scale.
 * axis_len/inner describe per-axis quantization: scale/zp have axis_len entries and the
 * element index i uses entry (i / inner) % axis_len; axis_len == 1 is per tensor.
 * zp may be NULL (zero point 0). x / scale and (q - zp) * scale are float32 operations, as
 * in the ONNX reference; a NaN input quantizes to zp. */
int dlp_quantize_linear(size_t count, const float *x, const float *scale, const int32_t *zp,
                        int axis_len, size_t inner, void *y, dlp_dtype t);
int dlp_dequantize_linear(size_t count, const void *x, dlp_dtype t, const float *scale,
                          const int32_t *zp, int axis_len, size_t inner, float *y);

/* ---------------------------------------------------------------- pooling */
typedef struct {
    int n, h, w, c;
    int kh, kw;
    int stride_h, stride_w;
    int pad_t, pad_l, pad_b, pad_r;
    int dil_h, dil_w;
    int ceil_mode;         /* ONNX ceil_mode: output size rounds up */
    int count_include_pad; /* avg pool: divide by kh*kw instead of the valid count */
} dlp_pool_shape;

/* Per axis: floor((in + pads - dil*(k-1) - 1) / stride) + 1, or with ceil_mode
 * ceil(...) + 1 minus one when the last window would start at or past in + pad_begin
 * (ONNX / PyTorch); DLP_E_SHAPE when not positive. */
int dlp_pool_out_hw(const dlp_pool_shape *s, int *oh, int *ow);

/* Max over the valid (non-padded) window positions. A window without any valid
 * position (possible with large pads or dilations) is DLP_E_SHAPE. */
int dlp_maxpool(const dlp_pool_shape *s, const void *x, dlp_dtype t, void *y);

/* Average pool: y = clamp(zp + mbqm(sum_valid (x - x_zp), M_cnt, S_cnt)) where
 * (M_cnt, S_cnt) = quantize_multiplier(in_scale / (out_scale * cnt)) and cnt = kh*kw
 * when count_include_pad, else the number of valid window positions. (This is the
 * DLP's sum-then-REQ pooling, not TFLite's integer division.) rq_tensor supplies only
 * zp, lo, hi and the output type: its mult/shift/n are ignored (may be NULL / 0), the
 * multiplier depends on cnt and is derived from in_scale and out_scale. Without
 * count_include_pad a window without valid positions is DLP_E_SHAPE. */
int dlp_avgpool_q(const dlp_pool_shape *s, const void *x, dlp_dtype xt, int32_t x_zp,
                  double in_scale, double out_scale, const dlp_requant *rq_tensor, void *y);

/* Global average pool over H x W: avgpool_q with the whole plane as window (cnt = h*w;
 * rq_tensor as for dlp_avgpool_q: its mult/shift are ignored). */
int dlp_global_avgpool_q(int n, int h, int w, int c, const void *x, dlp_dtype xt, int32_t x_zp,
                         double in_scale, double out_scale, const dlp_requant *rq_tensor, void *y);

/* ---------------------------------------------------------------- elementwise */
/* TFLite int8 ADD parameters (left_shift 20), also the VEC ADD parameter block.
 * prepare: zero points and lo/hi in [-128, 255]; dlp_add_q also checks lo/hi against yt
 * and left_shift in [0, 31] (dlp_add_elem clamps left_shift to that range). */
typedef struct {
    int32_t a_offset, b_offset; /* -a_zp, -b_zp */
    int32_t a_mult, a_shift, b_mult, b_shift;
    int32_t out_mult, out_shift, out_offset;
    int32_t left_shift;
    int32_t lo, hi;
} dlp_add_params;

int dlp_add_prepare(double a_scale, int32_t a_zp, double b_scale, int32_t b_zp, double out_scale,
                    int32_t out_zp, int32_t lo, int32_t hi, dlp_add_params *p);
/* One element of ADD (the VEC ADD lane). */
int32_t dlp_add_elem(const dlp_add_params *p, int32_t a, int32_t b);
/* y[i] = add(a[i], b[i]) for count elements (same shape, no broadcast). */
int dlp_add_q(size_t count, const void *a, dlp_dtype at, const void *b, dlp_dtype bt,
              const dlp_add_params *p, void *y, dlp_dtype yt);

/* TFLite int8 MUL: y = clamp(out_offset + mbqm((a + a_off) * (b + b_off), m, s)). */
typedef struct {
    int32_t a_offset, b_offset, mult, shift, out_offset, lo, hi;
} dlp_mul_params;
int dlp_mul_prepare(double a_scale, int32_t a_zp, double b_scale, int32_t b_zp, double out_scale,
                    int32_t out_zp, int32_t lo, int32_t hi, dlp_mul_params *p);
int32_t dlp_mul_elem(const dlp_mul_params *p, int32_t a, int32_t b);
int dlp_mul_q(size_t count, const void *a, dlp_dtype at, const void *b, dlp_dtype bt,
              const dlp_mul_params *p, void *y, dlp_dtype yt);

/* ---------------------------------------------------------------- 256-entry LUT */
/* LUT entries are int16. On int8 data: y = clamp(lut[x + 128], lo, hi). */
int dlp_lut_s8(size_t count, const int8_t *x, const int16_t lut[256], int32_t lo, int32_t hi,
               int8_t *y);

typedef enum {
    DLP_FN_GELU,      /* x * Phi(x) (erf form, as ONNX Gelu) */
    DLP_FN_GELU_TANH, /* tanh approximation */
    DLP_FN_SILU,      /* x * sigmoid(x) */
    DLP_FN_SIGMOID,
    DLP_FN_TANH,
    DLP_FN_EXP,
    DLP_FN_ERF,
} dlp_fn;
const char *dlp_fn_name(dlp_fn fn);

/* lut[i] = clamp(round_half_away(f((i - 128 - in_zp) * in_scale) / out_scale) + out_zp,
 * -128, 127) for i in 0..255 (int8 in, int8 out). */
int dlp_lut_build(dlp_fn fn, double in_scale, int32_t in_zp, double out_scale, int32_t out_zp,
                  int16_t lut[256]);

/* ---------------------------------------------------------------- softmax (integer) */
/* The softmax exponent table: lut[d] = round(32767 * exp(-d * in_scale)), d = 0..255. */
int dlp_lut_build_softmax_exp(double in_scale, int16_t lut[256]);

/* The VEC SOFTMAX step on one row of len int8 values (docs/ARCHITECTURE.md):
 *   m = max x; e_j = max(lut[m - x_j], 0); S = sum e_j;
 *   S == 0: y_j = clamp(zo); else r = floor(2^30 / S), y_j = clamp(zo + mbqm(e_j*r, M, sh)).
 * S fits int32 for 1 <= len <= DLP_SOFTMAX_MAX_LEN (len * 32767 < 2^31); the row
 * function does nothing for len < 1 or NULL pointers. y may alias x. */
#define DLP_SOFTMAX_MAX_LEN 65536
void dlp_softmax_row_s8(int len, const int8_t *x, const int16_t lut[256], int32_t mult,
                        int32_t shift, int32_t zo, int32_t lo, int32_t hi, int8_t *y);

/* Row-wise softmax over rows x len int8 values with input scale in_scale (beta folded
 * in), output (out_scale, out_zp), int8. Builds the table and multiplier
 * (M, sh) = quantize_multiplier(1 / (2^30 * out_scale)), then calls dlp_softmax_row_s8
 * per row with lo = -128, hi = 127. len > DLP_SOFTMAX_MAX_LEN is DLP_E_SHAPE. */
int dlp_softmax_q(int rows, int len, const int8_t *x, double in_scale, double out_scale,
                  int32_t out_zp, int8_t *y);

/* ---------------------------------------------------------------- layernorm (integer) */
#define DLP_LNORM_ZBITS 12 /* z is produced in Q(DLP_LNORM_ZBITS) */

/* The VEC LNORM step on one row of len int8 values (docs/ARCHITECTURE.md):
 *   z_j ~= (x_j * len - S) / sqrt(len * SS - S^2 + eps_term) * 2^12, int32,
 * computed exactly in 64-bit integers (S = sum x_j, SS = sum x_j^2, D = len):
 *   Q = D*SS - S*S + eps_term; Q <= 0: z_j = 0; else p = (62 - bitlen(Q)) / 2,
 *   sd = isqrt(Q << 2p) (floor), inv = floor((2^61 - 1) / sd),
 *   z_j = rdbpot64((x_j*D - S) * inv, 61 - 12 - p).
 * Defined for 1 <= len <= DLP_LNORM_MAX_LEN (no int64 overflow); otherwise, or with NULL
 * pointers, the row function does nothing. */
#define DLP_LNORM_MAX_LEN (1 << 20)
void dlp_lnorm_row_s8(int len, const int8_t *x, uint32_t eps_term, int32_t *z);

/* eps_term = round(eps * len^2 / in_scale^2), saturated to UINT32_MAX (0 when not > 0). */
uint32_t dlp_lnorm_eps_term(double eps, int len, double in_scale);

/* LayerNormalization over the last axis (len) of rows x len int8 values:
 *   z = lnorm_row; y_c = clamp(out_zp + round(beta_c / out_scale) + mbqm(z, M_c, S_c))
 * with (M_c, S_c) = quantize_multiplier(gamma_c / (out_scale * 2^12)), round half away
 * from zero, clamp to [-128, 127]. gamma/beta may be NULL (1 and 0). eps must be finite
 * and >= 0; len > DLP_LNORM_MAX_LEN is DLP_E_SHAPE. */
int dlp_layernorm_q(int rows, int len, const int8_t *x, double in_scale, const float *gamma,
                    const float *beta, double eps, double out_scale, int32_t out_zp, int8_t *y);

/* ---------------------------------------------------------------- attention */
/* Scaled dot-product attention for one head, composed from the ops above:
 *   S = requant(Q K^T, scale q_s*k_s/(sqrt(d)*s_scale)) -> int8 (s_scale, s_zp)
 *   P = softmax_q(S) -> int8 (1/256, -128)
 *   O = requant(P V, scale (1/256)*v_s/o_scale) -> int8 (o_scale, o_zp)
 * q: [sq][d], k: [sk][d], v: [sk][d], o: [sq][d]; all int8. mask may be NULL, else
 * mask[i*sk + j] != 0 excludes key j for query i (its score is set to -128 before the
 * softmax: the key keeps the weight of the lowest score, it is not removed exactly).
 * Both requantizations clamp to [-128, 127]; the P V product uses a_zp = -128 and
 * b_zp = v_zp. Needs sq*sk*2 bytes of scratch (DLP_E_NOMEM). */
typedef struct {
    int sq, sk, d;
    double q_scale, k_scale, v_scale;
    int32_t q_zp, k_zp, v_zp;
    double s_scale;
    int32_t s_zp; /* scores after scaling by 1/sqrt(d) */
    double o_scale;
    int32_t o_zp;
} dlp_attention_shape;
int dlp_attention_q(const dlp_attention_shape *s, const int8_t *q, const int8_t *k, const int8_t *v,
                    const uint8_t *mask, int8_t *o);

#ifdef __cplusplus
}
#endif

#endif /* DLP_OPS_H */
