/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-half.h: IEEE float16 and bfloat16 ↔ float32 conversions.
 *
 * Inline because the simulator converts every element of a tensor with them.
 * Widening is exact (subnormals, ±inf and NaN payloads included); narrowing
 * rounds to nearest, ties to even, overflows to ±inf and keeps NaN a NaN
 * (quiet). The float16 subnormal path uses the FPU's default rounding mode.
 */
#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

static inline float
lamina_bits_to_float (guint32 bits)
{
  float f;

  memcpy (&f, &bits, sizeof f);
  return f;
}

static inline guint32
lamina_float_to_bits (float f)
{
  guint32 bits;

  memcpy (&bits, &f, sizeof bits);
  return bits;
}

static inline float
lamina_half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exp = (h >> 10) & 0x1f;
  guint32 mant = h & 0x3ff;

  if (exp == 0x1f)  /* inf, or NaN with its payload */
    return lamina_bits_to_float (sign | 0x7f800000 | (mant << 13));
  if (exp != 0)     /* normal: rebias the exponent 15 → 127 */
    return lamina_bits_to_float (sign | ((exp + 112) << 23) | (mant << 13));
  /* zero or subnormal: mant × 2^-24, exact in float32 */
  return lamina_bits_to_float (sign | lamina_float_to_bits ((float) mant * 0x1p-24f));
}

static inline guint16
lamina_float_to_half (float f)
{
  guint32 x = lamina_float_to_bits (f);
  guint16 sign = (guint16) ((x >> 16) & 0x8000);
  guint32 abs = x & 0x7fffffff;

  if (abs > 0x7f800000)  /* NaN: keep the top payload bits, force quiet */
    return sign | 0x7e00 | (guint16) ((abs >> 13) & 0x3ff);
  if (abs >= 0x477ff000) /* ≥ 65520 rounds past 65504: inf (also inf itself) */
    return sign | 0x7c00;
  if (abs < 0x38800000)  /* below 2^-14: subnormal or zero */
    {
      /* Adding 0.5 puts the value's 2^-24 units in the low mantissa bits,
       * rounded to nearest even by the FPU; 2^-14 itself becomes 0x400,
       * the smallest normal, as it should. */
      float sum = lamina_bits_to_float (abs) + 0.5f;
      return sign | (guint16) (lamina_float_to_bits (sum) - 0x3f000000);
    }
  /* normal: round the 13 dropped bits to nearest even, then rebias; a carry
   * out of the mantissa correctly bumps the exponent */
  abs += 0xfff + ((abs >> 13) & 1);
  abs -= 112u << 23;
  return sign | (guint16) (abs >> 13);
}

static inline float
lamina_bfloat16_to_float (guint16 b)
{
  return lamina_bits_to_float ((guint32) b << 16);
}

static inline guint16
lamina_float_to_bfloat16 (float f)
{
  guint32 x = lamina_float_to_bits (f);

  if ((x & 0x7fffffff) > 0x7f800000)  /* NaN: truncating could make it inf */
    return (guint16) ((x >> 16) | 0x40);
  x += 0x7fff + ((x >> 16) & 1);  /* nearest even; large values carry to inf */
  return (guint16) (x >> 16);
}

G_END_DECLS
