/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-conv-pool.c: max / average / Lp pooling over the strided geometry
 * of lamina-conv.h (ONNX NCHW and TFLite NHWC alike).
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <math.h>
#include <string.h>
#include "lamina-conv.h"

#define SP LAMINA_CONV_MAX_SPATIAL

static gboolean
inside (gint64 i, gint64 n)
{
  return (guint64) i < (guint64) n;
}

static float
clampf (float v, float lo, float hi)
{
  return v < lo ? lo : v > hi ? hi : v;
}

/* Number of window taps of output o in dimension d that count for the
 * average: inside the input, or inside the explicitly padded input. */
static gint64
tap_count (const LaminaConvGeom *g, const LaminaPoolParams *pp, int d, gint64 o)
{
  gint64 n = 0, lo = pp->mode == LAMINA_POOL_AVERAGE_WITH_PAD ? -g->pad[d] : 0;
  gint64 hi = pp->mode == LAMINA_POOL_AVERAGE_WITH_PAD ? g->in[d] + pp->pad_end[d] : g->in[d];

  for (gint64 k = 0; k < g->k[d]; k++)
    {
      gint64 i = o * g->stride[d] + k * g->dil[d] - g->pad[d];
      n += i >= lo && i < hi;
    }
  return n;
}

static float
finish (const LaminaPoolParams *pp, double acc, gint64 count)
{
  switch (pp->mode)
    {
    case LAMINA_POOL_MAX:
      return (float) acc;
    case LAMINA_POOL_LP:
      return (float) pow (acc, 1.0 / pp->p);
    default:
      return count > 0 ? (float) (acc / count) : 0.0f;
    }
}

/* ---- reference ---------------------------------------------------------- */

static float
pool_point (const LaminaConvGeom *g, const LaminaPoolParams *pp, const float *xc, const gint64 *o, gint64 *arg)
{
  double acc = pp->mode == LAMINA_POOL_MAX ? -INFINITY : 0.0;
  gint64 count = 1;

  *arg = -1;
  for (gint64 k0 = 0; k0 < g->k[0]; k0++)
    for (gint64 k1 = 0; k1 < g->k[1]; k1++)
      for (gint64 k2 = 0; k2 < g->k[2]; k2++)
        {
          gint64 i0 = o[0] * g->stride[0] + k0 * g->dil[0] - g->pad[0];
          gint64 i1 = o[1] * g->stride[1] + k1 * g->dil[1] - g->pad[1];
          gint64 i2 = o[2] * g->stride[2] + k2 * g->dil[2] - g->pad[2];
          float v;
          if (!inside (i0, g->in[0]) || !inside (i1, g->in[1]) || !inside (i2, g->in[2]))
            continue;
          v = xc[i0 * g->x_sp[0] + i1 * g->x_sp[1] + i2 * g->x_sp[2]];
          if (pp->mode == LAMINA_POOL_MAX && (v > acc || *arg < 0))
            {
              acc = v;
              *arg = pp->column_major ? (i2 * g->in[1] + i1) * g->in[0] + i0 : (i0 * g->in[1] + i1) * g->in[2] + i2;
            }
          else if (pp->mode == LAMINA_POOL_LP)
            acc += pow (fabs (v), pp->p);
          else if (pp->mode != LAMINA_POOL_MAX)
            acc += v;
        }
  for (int d = 0; d < SP; d++)
    count *= tap_count (g, pp, d, o[d]);
  return finish (pp, acc, count);
}

void
lamina_pool_reference (const LaminaConvGeom *g, const LaminaPoolParams *params, const float *x, float *y,
                       gint64 *indices)
{
  gint64 plane = g->in[0] * g->in[1] * g->in[2], npix = g->out[0] * g->out[1] * g->out[2];

  for (gint64 n = 0; n < g->batch; n++)
    for (gint64 c = 0; c < g->cin; c++)
      for (gint64 o0 = 0; o0 < g->out[0]; o0++)
        for (gint64 o1 = 0; o1 < g->out[1]; o1++)
          for (gint64 o2 = 0; o2 < g->out[2]; o2++)
            {
              gint64 o[SP] = { o0, o1, o2 }, arg;
              float v = pool_point (g, params, x + n * g->x_n + c * g->x_c, o, &arg);
              y[n * g->y_n + c * g->y_c + o0 * g->y_sp[0] + o1 * g->y_sp[1] + o2 * g->y_sp[2]] = clampf (v, g->lo, g->hi);
              if (indices)
                indices[(n * g->cin + c) * npix + (o0 * g->out[1] + o1) * g->out[2] + o2] =
                  arg < 0 ? -1 : (n * g->cin + c) * plane + arg;
            }
}

/* ---- fast path (up to 2-D) ------------------------------------------------- */

typedef struct {
  const LaminaConvGeom   *g;
  const LaminaPoolParams *pp;
  const float            *x;
  float                  *y;
} PoolJob;

/* One (image, channel) plane: windows over a padded copy of the plane,
 * then divided by the tap counts (separable per dimension). */
static void
pool_plane (const PoolJob *job, gint64 n, gint64 c, float *buf, const float *ones, float *plane, const gint64 *cnt0,
            const gint64 *cnt1)
{
  const LaminaConvGeom *g = job->g;
  const LaminaPoolParams *pp = job->pp;
  gint64 size = lamina_conv_plane_size (g), nrow = lamina_conv_window_plane_size (g) / MAX (g->out[0], 1);
  gboolean is_max = pp->mode == LAMINA_POOL_MAX;
  float *y = job->y + n * g->y_n + c * g->y_c;

  lamina_conv_pad_plane (g, job->x + n * g->x_n + c * g->x_c, g->x_sp[0], g->x_sp[1], is_max ? -INFINITY : 0.0f, buf);
  if (pp->mode == LAMINA_POOL_LP)
    for (gint64 i = 0; i < size; i++)
      buf[i] = (float) pow (fabsf (buf[i]), pp->p);
  lamina_conv_window_plane (g, buf, ones, is_max, is_max ? -INFINITY : 0.0f, plane);
  for (gint64 o0 = 0; o0 < g->out[0]; o0++)
    for (gint64 o1 = 0; o1 < g->out[1]; o1++)
      y[o0 * g->y_sp[0] + o1 * g->y_sp[1]] = clampf (finish (pp, plane[o0 * nrow + o1], cnt0[o0] * cnt1[o1]), g->lo, g->hi);
}

static void
pool_range (gint64 begin, gint64 end, gpointer data)
{
  const PoolJob *job = data;
  const LaminaConvGeom *g = job->g;
  gint64 size = lamina_conv_plane_size (g), taps = g->k[0] * g->k[1];
  g_autofree float *buf = g_new0 (float, size + taps + lamina_conv_window_plane_size (g));
  g_autofree gint64 *cnt = g_new (gint64, g->out[0] + g->out[1]);

  for (gint64 i = 0; i < taps; i++)
    buf[size + i] = 1.0f;
  for (gint64 o = 0; o < g->out[0]; o++)
    cnt[o] = tap_count (g, job->pp, 0, o);
  for (gint64 o = 0; o < g->out[1]; o++)
    cnt[g->out[0] + o] = tap_count (g, job->pp, 1, o);
  for (gint64 i = begin; i < end; i++)
    pool_plane (job, i / g->cin, i % g->cin, buf, buf + size, buf + size + taps, cnt, cnt + g->out[0]);
}

void
lamina_pool (LaminaParallel *p, const LaminaConvGeom *g, const LaminaPoolParams *params, const float *x, float *y,
             gint64 *indices)
{
  PoolJob job = { g, params, x, y };

  if (indices != NULL || g->nsp > 2)
    {
      lamina_pool_reference (g, params, x, y, indices);
      return;
    }
  lamina_parallel_for (p, g->batch * g->cin, 4, pool_range, &job);
}
