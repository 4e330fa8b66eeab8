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

/* dst[c] = max or sum over the n rows src + r · step, for c < w. */
LAMINA_VECTOR_CLONES static void
combine_rows (float *restrict dst, const float *restrict src, gint64 w, gint64 n, gint64 step, gboolean is_max)
{
  memcpy (dst, src, w * sizeof (float));
  for (gint64 r = 1; r < n; r++)
    {
      const float *row = src + r * step;
      if (is_max)
        for (gint64 c = 0; c < w; c++)
          dst[c] = dst[c] > row[c] ? dst[c] : row[c];
      else
        for (gint64 c = 0; c < w; c++)
          dst[c] += row[c];
    }
}

/* dst[c] = max or sum of dst[c] and src[c], or a copy when first. */
LAMINA_VECTOR_CLONES static void
combine_row (float *restrict dst, const float *restrict src, gint64 w, gboolean is_max, gboolean first)
{
  if (first)
    memcpy (dst, src, w * sizeof (float));
  else if (is_max)
    for (gint64 c = 0; c < w; c++)
      dst[c] = dst[c] > src[c] ? dst[c] : src[c];
  else
    for (gint64 c = 0; c < w; c++)
      dst[c] += src[c];
}

/* The window rows of output row o0 combined into a padded row (pw wide,
 * the input at offset pad[1]), read straight from a dense input plane:
 * rows in the padding add nothing to a max or a sum. */
static void
combine_input_rows (const LaminaConvGeom *g, const float *xc, gint64 o0, gboolean is_max, float *rowbuf, gint64 pw)
{
  float fill = is_max ? -INFINITY : 0.0f;
  gboolean first = TRUE;
  gint64 lead = MIN (g->pad[1], pw), w = CLAMP (pw - lead, 0, g->in[1]);

  for (gint64 k0 = 0; k0 < g->k[0]; k0++)
    {
      gint64 i0 = o0 * g->stride[0] + k0 * g->dil[0] - g->pad[0];
      if (i0 < 0 || i0 >= g->in[0])
        continue;
      combine_row (rowbuf + lead, xc + i0 * g->x_sp[0], w, is_max, first);
      first = FALSE;
    }
  for (gint64 c = 0; c < lead; c++)
    rowbuf[c] = fill;
  for (gint64 c = first ? lead : lead + w; c < pw; c++)
    rowbuf[c] = fill;
}

/* y[t · ys] = clamp (row[t] · inv0 · inv1[t]) (averages; inv0 = 0: no
 * division), vectorised in the common dense case. */
LAMINA_VECTOR_CLONES static void
finish_row (float *restrict y, gint64 ys, const float *restrict row, gint64 n, float inv0, const float *restrict inv1,
            float lo, float hi)
{
  if (ys == 1 && inv0 == 0.0f)
    for (gint64 t = 0; t < n; t++)
      y[t] = row[t] < lo ? lo : row[t] > hi ? hi : row[t];
  else if (ys == 1)
    for (gint64 t = 0; t < n; t++)
      {
        float v = row[t] * inv0 * inv1[t];
        y[t] = v < lo ? lo : v > hi ? hi : v;
      }
  else
    for (gint64 t = 0; t < n; t++)
      y[t * ys] = clampf (inv0 == 0.0f ? row[t] : row[t] * inv0 * inv1[t], lo, hi);
}

/* One (image, channel) plane: windows over a padded copy of the plane,
 * then divided by the tap counts. Max and sum are separable: the window's
 * rows are combined first (contiguous), then the row is reduced along
 * dim 1 — k0 + k1 steps per output instead of k0 · k1. */
static void
pool_plane (const PoolJob *job, gint64 n, gint64 c, float *buf, const float *ones, float *plane, float *rowbuf,
            const gint64 *cnt0, const float *inv1)
{
  const LaminaConvGeom *g = job->g;
  const LaminaPoolParams *pp = job->pp;
  gint64 size = lamina_conv_plane_size (g), nrow = lamina_conv_window_plane_size (g) / MAX (g->out[0], 1);
  gint64 pw = lamina_conv_plane_width (g);
  gboolean is_max = pp->mode == LAMINA_POOL_MAX;
  float *y = job->y + n * g->y_n + c * g->y_c;
  LaminaConvGeom row_g = *g;

  const float *xc = job->x + n * g->x_n + c * g->x_c;
  /* dense rows are combined straight from the input; else (NHWC, Lp) from
   * a padded copy of the plane */
  gboolean direct = g->x_sp[1] == 1 && pp->mode != LAMINA_POOL_LP;

  if (!direct)
    lamina_conv_pad_plane (g, xc, g->x_sp[0], g->x_sp[1], is_max ? -INFINITY : 0.0f, buf);
  if (pp->mode == LAMINA_POOL_LP)
    for (gint64 i = 0; i < size; i++)
      buf[i] = (float) pow (fabsf (buf[i]), pp->p);
  /* one output row at a time over the combined row: same width, k0 = 1 */
  row_g.out[0] = row_g.k[0] = row_g.stride[0] = row_g.dil[0] = 1;
  for (gint64 o0 = 0; o0 < g->out[0]; o0++)
    {
      if (direct)
        combine_input_rows (g, xc, o0, is_max, rowbuf, pw);
      else
        combine_rows (rowbuf, buf + o0 * g->stride[0] * pw, pw, g->k[0], g->dil[0] * pw, is_max);
      lamina_conv_window_plane (&row_g, rowbuf, ones, is_max, is_max ? -INFINITY : 0.0f, plane + o0 * nrow);
    }
  for (gint64 o0 = 0; o0 < g->out[0]; o0++)
    {
      float *row = plane + o0 * nrow;
      if (pp->mode == LAMINA_POOL_LP)
        for (gint64 o1 = 0; o1 < g->out[1]; o1++)
          row[o1] = finish (pp, row[o1], 1);
      finish_row (y + o0 * g->y_sp[0], g->y_sp[1], row, g->out[1], pp->mode == LAMINA_POOL_AVERAGE
                  || pp->mode == LAMINA_POOL_AVERAGE_WITH_PAD ? 1.0f / MAX (cnt0[o0], 1) : 0.0f, inv1, g->lo, g->hi);
    }
}

static void
pool_range (gint64 begin, gint64 end, gpointer data)
{
  const PoolJob *job = data;
  const LaminaConvGeom *g = job->g;
  gint64 size = lamina_conv_plane_size (g), taps = g->k[0] * g->k[1];
  gint64 wsize = lamina_conv_window_plane_size (g), pw = lamina_conv_plane_width (g);
  g_autofree float *buf = g_new0 (float, size + taps + wsize + pw);
  g_autofree gint64 *cnt0 = g_new (gint64, MAX (g->out[0], 1));
  g_autofree float *inv1 = g_new (float, MAX (g->out[1], 1));

  for (gint64 i = 0; i < taps; i++)
    buf[size + i] = 1.0f;
  /* the divisor of an average is separable: count0 · count1 */
  for (gint64 o = 0; o < g->out[0]; o++)
    cnt0[o] = tap_count (g, job->pp, 0, o);
  for (gint64 o = 0; o < g->out[1]; o++)
    inv1[o] = 1.0f / MAX (tap_count (g, job->pp, 1, o), 1);
  for (gint64 i = begin; i < end; i++)
    pool_plane (job, i / g->cin, i % g->cin, buf, buf + size, buf + size + taps, buf + size + taps + wsize, cnt0,
                inv1);
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

/* ---- max pooling on bytes ------------------------------------------------ */

/* dst = max (dst, src ^ flip) on unsigned bytes: int8 flipped by 0x80
 * orders as uint8, so one loop serves both. */
LAMINA_VECTOR_CLONES static void
max_bytes_into (guint8 *restrict dst, const guint8 *restrict src, gint64 n, guint8 flip)
{
  for (gint64 i = 0; i < n; i++)
    {
      guint8 v = src[i] ^ flip;
      dst[i] = dst[i] > v ? dst[i] : v;
    }
}

/* row[i] = max over the window's columns starting at i, for n starts. */
LAMINA_VECTOR_CLONES static void
max_columns (guint8 *restrict out, const guint8 *restrict row, gint64 n, gint64 k, gint64 dil)
{
  memcpy (out, row, n);
  for (gint64 t = 1; t < k; t++)
    for (gint64 i = 0; i < n; i++)
      out[i] = out[i] > row[i + t * dil] ? out[i] : row[i + t * dil];
}

typedef struct {
  const LaminaConvGeom *g;
  const guint8         *x;
  guint8               *y;
  guint8                flip;
} BytePoolJob;

/* One plane: per output row, the window's input rows combined into a
 * padded row (0, below every flipped value, in the padding), its columns
 * combined, every stride-th start kept. */
static void
max_pool_bytes_plane (const BytePoolJob *j, const guint8 *x, guint8 *y, guint8 *row, guint8 *cols)
{
  const LaminaConvGeom *g = j->g;
  gint64 starts = (g->out[1] - 1) * g->stride[1] + 1, pw = starts + (g->k[1] - 1) * g->dil[1];
  gint64 lead = MIN (g->pad[1], pw), w = CLAMP (pw - lead, 0, g->in[1]);

  for (gint64 o0 = 0; o0 < g->out[0]; o0++, y += g->out[1])
    {
      memset (row, 0, pw);
      for (gint64 k0 = 0; k0 < g->k[0]; k0++)
        {
          gint64 i0 = o0 * g->stride[0] + k0 * g->dil[0] - g->pad[0];
          if (inside (i0, g->in[0]))
            max_bytes_into (row + lead, x + i0 * g->in[1], w, j->flip);
        }
      max_columns (cols, row, starts, g->k[1], g->dil[1]);
      for (gint64 o1 = 0; o1 < g->out[1]; o1++)
        y[o1] = cols[o1 * g->stride[1]] ^ j->flip;
    }
}

static void
max_pool_bytes_range (gint64 begin, gint64 end, gpointer data)
{
  const BytePoolJob *j = data;
  const LaminaConvGeom *g = j->g;
  gint64 starts = (g->out[1] - 1) * g->stride[1] + 1, pw = starts + (g->k[1] - 1) * g->dil[1];
  g_autofree guint8 *row = g_new (guint8, MAX (pw, 1)), *cols = g_new (guint8, MAX (starts, 1));

  for (gint64 i = begin; i < end; i++)
    max_pool_bytes_plane (j, j->x + i * g->x_c, j->y + i * g->y_c, row, cols);
}

gboolean
lamina_pool_max_bytes_applies (const LaminaConvGeom *g)
{
  return g->nsp == 2 && !g->channels_last && g->out[0] > 0 && g->out[1] > 0 && g->x_sp[1] == 1
         && g->x_sp[0] == g->in[1] && g->x_c == g->in[0] * g->in[1] && g->x_n == g->cin * g->x_c
         && g->y_sp[1] == 1 && g->y_sp[0] == g->out[1] && g->y_c == g->out[0] * g->out[1]
         && g->y_n == g->cout * g->y_c;
}

void
lamina_pool_max_bytes (LaminaParallel *p, const LaminaConvGeom *g, const void *x, gboolean is_signed, void *y)
{
  BytePoolJob j = { g, x, y, is_signed ? 0x80 : 0 };

  g_return_if_fail (lamina_pool_max_bytes_applies (g));
  lamina_parallel_for (p, g->batch * g->cin, 8, max_pool_bytes_range, &j);
}
