/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-int8-gemm.h: the fast loops of the integer kernels (private to
 * src/core/ops): the blocked int8 convolution — filters packed once per
 * node, an AVX2 micro-kernel accumulating exact int32 sums (vpmaddwd on
 * int16 operands, whose pair sums cannot saturate for zero-point-shifted
 * 8-bit values), the requantization fused into the output rows — and the
 * vectorised requantization, Add and Mul of 8-bit tensors. Every loop
 * gives exactly the reference kernels' integers (tests/test-ops-int8.c).
 */
#pragma once

#include "lamina-int8.h"

G_BEGIN_DECLS

/* A dense OHWI filter (zero points subtracted) as 16-channel blocks of
 * int16 pairs: data[((o / 16) · kpad / 2 + k / 2) · 32 + (o % 16) · 2 + k % 2]. */
typedef struct {
  gint64  cout, k, kpad, cout_pad;   /* kpad = k rounded up to even, cout_pad to 16 */
  gint16 *data;
  /* the same panels as int8 quads (kquad = k rounded up to 4) for the byte
   * path, with each channel's Σw; NULL when a value leaves int8 */
  gint64  kquad;
  gint8  *quads;
  gint32 *quad_sums;
  struct _LaminaInt8Rows *rows;      /* NULL, or lamina_int8_rows_new of the same OIHW filter */
} LaminaInt8Packed;

LaminaInt8Packed *lamina_int8_pack_filter  (const gint16 *w, gint64 cout, gint64 k);
void              lamina_int8_packed_free  (LaminaInt8Packed *pw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaInt8Packed, lamina_int8_packed_free)

/* Per output channel requantization, bias included: TFLite's fixed-point
 * multiplier with the shift split for the branch-free
 * lamina_fixed_mul_split, or, when scale is set, ONNX Runtime's
 * float (sum · scale[c]) rounded half to even (lamina_fixed_requant_float). */
typedef struct {
  const gint32 *bias, *multiplier, *left, *right;   /* cout entries each */
  const float  *scale;                              /* NULL, or cout entries */
  gint32        zero, lo, hi;
} LaminaInt8RowRequant;

/* TRUE when this CPU runs the packed micro-kernel (x86-64 with AVX2). */
gboolean lamina_int8_gemm_supported (void);
/* Channels-last, one group, OHWI convolutions (as lamina_int8_conv_fast's
 * fast path): x is int16 with the zero point subtracted and at least two
 * readable elements past its end. With rq, the sums are requantized into
 * the 8-bit bytes of y; without, acc = bias + sums (int32, y's layout).
 * Needs lamina_int8_gemm_supported (). */
void     lamina_int8_conv_packed   (LaminaParallel *p, const LaminaConvGeom *g, const gint16 *x,
                                    const LaminaInt8Packed *pw, const gint32 *bias,
                                    const LaminaInt8RowRequant *rq, gint32 *acc, guint8 *y);
/* The same straight on x's int8 / uint8 bytes with AVX-512 VNNI
 * (vpdpbusd on pw's quads; x_zero's share comes off rq's bias), into the
 * bytes of y; applies: pw has quads and the CPU has VNNI. */
gboolean lamina_int8_conv_packed_bytes_applies (const LaminaInt8Packed *pw);
void     lamina_int8_conv_packed_bytes         (LaminaParallel *p, const LaminaConvGeom *g, const LaminaValue *x,
                                                gint32 x_zero, const LaminaInt8Packed *pw,
                                                const LaminaInt8RowRequant *rq, guint8 *y);

/* The filter rows of lamina_int8_gemm_nchw, from the OIHW filter w with
 * its zero points subtracted (cout rows of k values):
 *   pairs  one int32 per pair of k values (vpmaddwd / vpdpwssd operand);
 *   quads  NULL when a value is outside int8, else one int32 per four k
 *          values (vpdpbusd operand), rows padded to a multiple of 8 with
 *          zeros, and sums[o] = Σ_k w[o][k] (for the zero point of x). */
typedef struct _LaminaInt8Rows {
  gint64  cout, k;
  gint32 *pairs, *quads, *sums;
} LaminaInt8Rows;

LaminaInt8Rows *lamina_int8_rows_new  (const gint16 *w, gint64 cout, gint64 k);
void            lamina_int8_rows_free (LaminaInt8Rows *rows);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaInt8Rows, lamina_int8_rows_free)

/* NCHW 2-D convolutions of one group straight on the planes, as the
 * matrix product Y (cout × pixels) = W (cout × cin·window) · X (im2col of
 * x minus x_zero; for 1×1, stride 1, no padding the planes themselves),
 * x int8 or uint8, each channel's sums requantized by rq into the bytes y
 * (NCHW). Blocks of channels × 16 pixels for the float-scale
 * requantization: AVX-512 VNNI on bytes (vpdpbusd, when the filter fits
 * int8) or on int16 pairs (vpdpwssd), else AVX2; plain loops otherwise and
 * under LAMINA_INT8_REFERENCE (the same integers). */
void     lamina_int8_gemm_nchw     (LaminaParallel *p, const LaminaConvGeom *g, const LaminaValue *x,
                                    gint32 x_zero, const LaminaInt8Rows *w, const LaminaInt8RowRequant *rq,
                                    guint8 *y);

/* Depthwise 2-D NCHW convolutions (one input and one output channel per
 * group) of int8 / uint8 planes into bytes, in integers with AVX-512
 * VBMI + VNNI (lamina-int8-depthwise.c): w holds each channel's k[0]·k[1]
 * taps with the zero points subtracted; rq's per-channel bias and float
 * scales, ONNX Runtime's requantization. applies: the CPU has it, the
 * taps fit int8, windows are at most 8 wide. */
gboolean lamina_int8_depthwise_bytes_applies (const LaminaConvGeom *g, const gint16 *w);
void     lamina_int8_depthwise_bytes         (LaminaParallel *p, const LaminaConvGeom *g, const LaminaValue *x,
                                              gint32 x_zero, const gint16 *w, const LaminaInt8RowRequant *rq,
                                              guint8 *y);

/* y[i] = lamina_int8_requant_apply (r, x[i]) for int8 / uint8 x, vectorised;
 * y holds the bytes of r's output type (int8 or uint8). */
void     lamina_int8_requant_s8    (const LaminaRequant *r, const gint8 *x, guint8 *y, gint64 n);
void     lamina_int8_requant_u8    (const LaminaRequant *r, const guint8 *x, guint8 *y, gint64 n);
/* TFLite's int8 Add / Mul of same-shape operands: zero points, for Add the
 * left shift as a factor (scale = 2^left_shift) and the multipliers of a
 * and b; the output multiplier; shifts split as lamina_fixed_mul_split's. */
typedef struct {
  gboolean is_add;
  gint32   za, zb, zy, lo, hi, scale;
  gint32   m[3], l[3], r[3];     /* a, b (Add only), y */
} LaminaInt8Binary;

void     lamina_int8_binary_s8     (const LaminaInt8Binary *bp, const gint8 *a, const gint8 *b, gint8 *y, gint64 n);

/* x − zero as int16, vectorised. */
void     lamina_int8_widen_s8      (const gint8 *x, gint32 zero, gint16 *y, gint64 n);
void     lamina_int8_widen_u8      (const guint8 *x, gint32 zero, gint16 *y, gint64 n);

/* Conv2D's prepare: the packed constant filter as the node's state. */
gboolean lamina_int8_conv2d_prepare    (LaminaKernelCall *call, gpointer *state, GError **error);
void     lamina_int8_conv_state_free   (gpointer state);
/* QLinearConv's prepare: the same for its constant OIHW filter. */
gboolean lamina_int8_qlinear_conv_prepare (LaminaKernelCall *call, gpointer *state, GError **error);

G_END_DECLS
