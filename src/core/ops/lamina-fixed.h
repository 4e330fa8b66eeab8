/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-fixed.h: the fixed-point arithmetic of the virtual NPU
 * (DESIGN.md, "Numerics of the virtual NPU"). Private to src/core/ops.
 *
 * Lamina picks TFLite's integer semantics (gemmlowp's rounding), so an
 * int8 TFLite model runs here bit for bit as TFLite's reference kernels
 * run it:
 *
 *  - A real multiplier M > 0 (e.g. s_in · s_w / s_out) is stored as a
 *    32-bit multiplier m in [2^30, 2^31) and a shift e with
 *    M ≈ m · 2^(e − 31) (lamina_fixed_quantize_multiplier, TFLite's
 *    QuantizeMultiplier).
 *  - x · M is computed as RoundingDivideByPOT (SRDHM (x · 2^max(e,0), m),
 *    max(−e,0)) (lamina_fixed_mul, TFLite's MultiplyByQuantizedMultiplier):
 *    SaturatingRoundingDoublingHighMul takes the high 32 bits of 2·a·b
 *    rounding to nearest with ties upward (gemmlowp's nudge then C's
 *    truncating division: 2.5 → 3, −2.5 → −2), RoundingDivideByPOT
 *    shifts right rounding half away from zero (−2.5 → −3).
 *  - Accumulators are int32; activations are clamped to the output type
 *    (and to a fused ReLU/ReLU6 range) after adding the zero point.
 *  - Non-linear functions of int8/uint8 tensors use a 256-entry table:
 *    for every possible input q the float function of s_in·(q − z_in) is
 *    evaluated in float and requantized as round(f / s_out) + z_out
 *    (half away from zero), clamped (TFLite's LUTPopulate).
 *
 * int16 (symmetric, zero point 0) non-linear functions: a table over all
 * 65,536 inputs would be exact but 128 KiB per node; TFLite instead samples
 * the function at 513 points over the input range and interpolates
 * linearly between neighbours with the low 7 bits of the input (gen_lut /
 * lut_lookup in TFLite's lut.h). Lamina follows that method for int16:
 * table[i] = f at s_in·(−32768 + 128·i), the result for q is
 * table[j] + ((table[j+1] − table[j]) · (q mod 128) + 64) / 128 with
 * j = (q + 32768) / 128, rounded half away from zero; int16 tables are not
 * built yet (those nodes report the operator as unsupported).
 *
 * ONNX graphs are the exception: QLinearConv, QLinearMatMul and the QDQ
 * convolutions the simulator fuses (DequantizeLinear → Conv →
 * QuantizeLinear) requantize as ONNX Runtime does, since that is the
 * arithmetic the file's authors checked it with: the scale
 * s_x · s_w[c] / s_y in float32, y = round half to even (float (acc) ·
 * scale) + z_y, clamped (lamina_fixed_requant_float; MLAS's
 * MlasRequantizeOutput). TFLite's two-step rounding differs from it near
 * .5 ties on about 0.5 % of a layer's elements, and the differences grow
 * through a network (Yolo-FastestV2's QDQ file: 92.8 % of the outputs
 * within one step of ONNX Runtime with TFLite rounding, 100 % with this).
 */
#pragma once

#include <math.h>
#include <glib.h>
#include "graph/lamina-graph.h"

G_BEGIN_DECLS

/* M → (multiplier, shift) with M ≈ multiplier · 2^(shift − 31). M == 0
 * gives (0, 0); M so small that shift < −31 gives (0, 0); M ≥ 2^30 is
 * saturated to (2^31 − 1, 30). Negative M is not supported (returns FALSE). */
gboolean lamina_fixed_quantize_multiplier (double real, gint32 *multiplier, int *shift);

/* high 32 bits of 2·a·b = a·b / 2^31 rounded to nearest, ties upward;
 * INT32_MIN·INT32_MIN saturates to INT32_MAX */
static inline gint32
lamina_fixed_srdhm (gint32 a, gint32 b)
{
  gint64 ab = (gint64) a * (gint64) b;
  gint64 nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));

  if (a == b && a == G_MININT32)
    return G_MAXINT32;
  /* C division truncates toward zero, as gemmlowp relies on */
  return (gint32) ((ab + nudge) / ((gint64) 1 << 31));
}

/* x / 2^exponent rounded half away from zero (0 ≤ exponent ≤ 31) */
static inline gint32
lamina_fixed_rounding_divide_by_pot (gint32 x, int exponent)
{
  gint32 mask = (gint32) (((gint64) 1 << exponent) - 1);
  gint32 remainder = x & mask;
  gint32 threshold = (mask >> 1) + (x < 0 ? 1 : 0);

  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x · multiplier · 2^(shift − 31), TFLite's MultiplyByQuantizedMultiplier
 * (the double-rounding form of TFLite's reference kernels). */
static inline gint32
lamina_fixed_mul (gint32 x, gint32 multiplier, int shift)
{
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;

  /* x · 2^left wraps like TFLite's int32 multiply; callers keep it in range */
  return lamina_fixed_rounding_divide_by_pot (lamina_fixed_srdhm ((gint32) ((guint32) x << left), multiplier),
                                              right);
}

/* lamina_fixed_mul for multiplier ≥ 0 (every multiplier
 * lamina_fixed_quantize_multiplier makes) with the shift split into
 * left = max (shift, 0) and right = max (−shift, 0): the same result
 * without branches, so loops over it vectorise. */
static inline gint32
lamina_fixed_mul_split (gint32 x, gint32 multiplier, gint32 left, gint32 right)
{
  gint64 ab = (gint64) (gint32) ((guint32) x << left) * multiplier;
  /* SRDHM's nudge then truncating division is floor ((ab + 2^30) / 2^31)
   * for either sign of ab (for ab < 0: trunc (s / 2^31) = floor ((s + 2^31
   * − 1) / 2^31) with s = ab + 1 − 2^30); the quotient fits 32 bits, so a
   * logical shift gives its bits (AVX2 has no 64-bit arithmetic shift) */
  gint32 h = (gint32) (guint32) ((guint64) (ab + (1 << 30)) >> 31);
  gint32 mask = (gint32) ((1u << right) - 1u);
  gint32 threshold = (mask >> 1) + (h < 0 ? 1 : 0);

  return (h >> right) + ((h & mask) > threshold ? 1 : 0);
}

static inline gint32
lamina_fixed_clamp (gint32 x, gint32 lo, gint32 hi)
{
  return x < lo ? lo : x > hi ? hi : x;
}

/* ONNX Runtime's requantization of an int32 sum: float (x) · scale
 * rounded half to even (the default rounding mode), kept within ±2^30 so
 * that adding a zero point cannot overflow. */
static inline gint32
lamina_fixed_requant_float (gint32 x, float scale)
{
  float v = nearbyintf ((float) x * scale);

  return v > 1073741824.0f ? 1073741824 : v < -1073741824.0f ? -1073741824 : (gint32) v;
}

/* round(x) half away from zero, as TFLite's TfLiteRound (std::round) */
static inline gint64
lamina_fixed_round (double x)
{
  return (gint64) (x < 0 ? x - 0.5 : x + 0.5);
}

/* Range of an integer activation dtype (int8, uint8, int16, int32). */
gboolean lamina_fixed_range (LaminaDType dtype, gint32 *lo, gint32 *hi);

/* The non-linear functions with tables. */
typedef enum {
  LAMINA_FIXED_SIGMOID,
  LAMINA_FIXED_TANH,
  LAMINA_FIXED_HARD_SWISH,
  LAMINA_FIXED_SILU,
  LAMINA_FIXED_EXP,
  LAMINA_FIXED_N_FUNCS,
} LaminaFixedFunc;

/* The float reference of func (what the table approximates). */
float lamina_fixed_func_eval (LaminaFixedFunc func, float x);

/* table[(guint8) q] = requantized func (s_in·(q − z_in)) for every q of
 * the 8-bit type (signed: int8, else uint8), TFLite's LUTPopulate. */
void  lamina_fixed_lut_build (LaminaFixedFunc func, gboolean is_signed, float in_scale, gint32 in_zero,
                              float out_scale, gint32 out_zero, guint8 table[256]);

G_END_DECLS
