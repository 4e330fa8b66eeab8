/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-fixed.c: multipliers, type ranges and 8-bit lookup tables of the
 * fixed-point arithmetic (see lamina-fixed.h for the semantics).
 */
#define G_LOG_DOMAIN "lamina-fixed"

#include <math.h>
#include "lamina-fixed.h"

gboolean
lamina_fixed_quantize_multiplier (double real, gint32 *multiplier, int *shift)
{
  double q;
  gint64 q_fixed;
  int e;

  *multiplier = 0;
  *shift = 0;
  if (real == 0.0)
    return TRUE;
  if (!(real > 0.0) || !isfinite (real))
    return FALSE;
  q = frexp (real, &e);     /* real = q · 2^e, q in [0.5, 1) */
  q_fixed = lamina_fixed_round (q * (double) ((gint64) 1 << 31));
  if (q_fixed == ((gint64) 1 << 31))
    {
      /* q rounded up to 1.0 */
      q_fixed /= 2;
      e++;
    }
  if (e < -31)
    return TRUE;   /* every product would shift out to 0 */
  if (e > 30)
    {
      q_fixed = G_MAXINT32;
      e = 30;
    }
  *multiplier = (gint32) q_fixed;
  *shift = e;
  return TRUE;
}

gboolean
lamina_fixed_range (LaminaDType dtype, gint32 *lo, gint32 *hi)
{
  switch (dtype)
    {
    case LAMINA_DTYPE_INT8:
      *lo = G_MININT8, *hi = G_MAXINT8;
      return TRUE;
    case LAMINA_DTYPE_UINT8:
      *lo = 0, *hi = G_MAXUINT8;
      return TRUE;
    case LAMINA_DTYPE_INT16:
      *lo = G_MININT16, *hi = G_MAXINT16;
      return TRUE;
    case LAMINA_DTYPE_UINT16:
      *lo = 0, *hi = G_MAXUINT16;
      return TRUE;
    case LAMINA_DTYPE_INT32:
      *lo = G_MININT32, *hi = G_MAXINT32;
      return TRUE;
    default:
      return FALSE;
    }
}

float
lamina_fixed_func_eval (LaminaFixedFunc func, float x)
{
  switch (func)
    {
    case LAMINA_FIXED_SIGMOID:
      return 1.0f / (1.0f + expf (-x));
    case LAMINA_FIXED_TANH:
      return tanhf (x);
    case LAMINA_FIXED_HARD_SWISH:
      return x * fminf (fmaxf (x + 3.0f, 0.0f), 6.0f) / 6.0f;
    case LAMINA_FIXED_SILU:
      return x / (1.0f + expf (-x));
    case LAMINA_FIXED_EXP:
      return expf (x);
    case LAMINA_FIXED_N_FUNCS:
    default:
      g_return_val_if_reached (0.0f);
    }
}

void
lamina_fixed_lut_build (LaminaFixedFunc func, gboolean is_signed, float in_scale, gint32 in_zero,
                        float out_scale, gint32 out_zero, guint8 table[256])
{
  const float inverse = 1.0f / out_scale;
  gint32 lo = is_signed ? G_MININT8 : 0, hi = is_signed ? G_MAXINT8 : G_MAXUINT8;

  /* float arithmetic in TFLite's order, so tables match TFLite's bytes */
  for (gint32 q = lo; q <= hi; q++)
    {
      float x = in_scale * (float) (q - in_zero);
      float rescaled = roundf (lamina_fixed_func_eval (func, x) * inverse);
      gint32 y;

      if (!(rescaled > -1e9f && rescaled < 1e9f))   /* inf/NaN out of range: saturate */
        rescaled = isnan (rescaled) ? 0.0f : rescaled > 0 ? 1e9f : -1e9f;
      y = (gint32) (rescaled + (float) out_zero);
      table[(guint8) q] = (guint8) lamina_fixed_clamp (y, lo, hi);
    }
}
