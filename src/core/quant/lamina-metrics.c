/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-metrics.c: float vs dequantized fixed tensor figures (pooled sums).
 */
#define G_LOG_DOMAIN "lamina-quant"

#include <math.h>
#include <glib/gi18n.h>
#include "quant/lamina-metrics.h"
#include "ops/lamina-convert.h"
#include "ops/lamina-fixed.h"

void
lamina_metrics_acc_init (LaminaMetricsAcc *acc)
{
  *acc = (LaminaMetricsAcc) { 0 };
}

/* How many elements one step along quant's axis spans (the product of the
 * dims after it); 0 when the axis does not fit the value. */
static gint64
axis_inner (const LaminaValue *v, const LaminaQuant *q)
{
  gint64 inner = 1;

  if (q->axis < 0)
    return q->n == 1 ? 1 : 0;
  if (q->axis >= v->rank || v->dims[q->axis] != (gint64) q->n)
    return 0;
  for (int d = q->axis + 1; d < v->rank; d++)
    inner *= v->dims[d];
  return inner;
}

/* The scale/zero point index of element i. */
static inline guint
channel_of (gint64 i, gint64 inner, const LaminaQuant *q)
{
  return q && q->axis >= 0 ? (guint) ((i / inner) % q->n) : 0;
}

static gboolean
check_pair (const LaminaValue *flt, const LaminaValue *fixed, const LaminaQuant *quant,
            GError **error)
{
  if (flt->numel != fixed->numel)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("the float tensor has %lld elements, the fixed tensor %lld"),
                   (long long) flt->numel, (long long) fixed->numel);
      return FALSE;
    }
  if (!lamina_dtype_is_float (flt->dtype) || !lamina_convert_supported (fixed->dtype))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("cannot compare %s with %s"),
                   lamina_dtype_name (flt->dtype), lamina_dtype_name (fixed->dtype));
      return FALSE;
    }
  if (quant != NULL && (quant->n == 0 || axis_inner (fixed, quant) == 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("quantization axis %d with %u scales does not fit the fixed tensor"),
                   quant->axis, quant->n);
      return FALSE;
    }
  return TRUE;
}

/* One element: q dequantized, f checked against the saturation bounds. */
static void
add_element (LaminaMetricsAcc *acc, double f, double q, gboolean clipped)
{
  double e = f - q;

  acc->sum_ff += f * f;
  acc->sum_qq += q * q;
  acc->sum_fq += f * q;
  acc->sum_ee += e * e;
  acc->max_abs = MAX (acc->max_abs, fabs (e));
  acc->n_clipped += clipped;
}

gboolean
lamina_metrics_add (LaminaMetricsAcc *acc, const LaminaValue *flt, const LaminaValue *fixed,
                    const LaminaQuant *quant, GError **error)
{
  g_autofree gpointer ftmp = NULL, qtmp = NULL;
  const float *f, *x;
  gint32 lo = 0, hi = 0;
  gboolean has_range;
  gint64 inner;

  if (!check_pair (flt, fixed, quant, error))
    return FALSE;
  f = lamina_convert_view (flt, LAMINA_DTYPE_FLOAT32, &ftmp);
  x = lamina_convert_view (fixed, LAMINA_DTYPE_FLOAT32, &qtmp);
  has_range = quant != NULL && lamina_fixed_range (fixed->dtype, &lo, &hi);
  inner = quant ? axis_inner (fixed, quant) : 1;
  for (gint64 i = 0; i < flt->numel; i++)
    {
      guint c = channel_of (i, inner, quant);
      double scale = quant ? quant->scale[c] : 1.0;
      double zp = quant ? (double) quant->zero_point[c] : 0.0;
      double q = quant ? (x[i] - zp) * scale : x[i];
      double level = scale != 0 ? nearbyint (f[i] / scale) + zp : zp;
      add_element (acc, f[i], q, has_range && (level < lo || level > hi));
    }
  acc->n += (guint64) flt->numel;
  acc->n_inputs++;
  return TRUE;
}

float *
lamina_dequantize (const LaminaValue *fixed, const LaminaQuant *quant, GError **error)
{
  g_autofree gpointer tmp = NULL;
  const float *x;
  float *out;
  gint64 inner;

  if (!lamina_convert_supported (fixed->dtype) ||
      (quant != NULL && (quant->n == 0 || axis_inner (fixed, quant) == 0)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("cannot dequantize %s"),
                   lamina_dtype_name (fixed->dtype));
      return NULL;
    }
  x = lamina_convert_view (fixed, LAMINA_DTYPE_FLOAT32, &tmp);
  out = g_new (float, MAX (fixed->numel, 1));
  inner = quant ? axis_inner (fixed, quant) : 1;
  for (gint64 i = 0; i < fixed->numel; i++)
    {
      guint c = channel_of (i, inner, quant);
      out[i] = quant ? (float) ((x[i] - quant->zero_point[c]) * (double) quant->scale[c]) : x[i];
    }
  return out;
}

void
lamina_metrics_compute (const LaminaMetricsAcc *acc, LaminaMetrics *out)
{
  double norm = sqrt (acc->sum_ff * acc->sum_qq);

  if (acc->sum_ff == 0 && acc->sum_qq == 0)
    out->cosine = 1;
  else
    out->cosine = norm > 0 ? CLAMP (acc->sum_fq / norm, -1.0, 1.0) : 0;
  out->sqnr_db = acc->sum_ee == 0 ? INFINITY : 10 * log10 (acc->sum_ff / acc->sum_ee);
  out->mse = acc->n ? acc->sum_ee / acc->n : 0;
  out->max_abs = acc->max_abs;
  out->clipped = acc->n ? (double) acc->n_clipped / acc->n : 0;
}
