/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-conv.c: convolution and transposed convolution over strided
 * layouts (see lamina-conv.h).
 *
 * Fast paths:
 *   - depthwise (one input channel per group), up to 2-D: direct loops over
 *     a zero-padded copy of the plane, vectorised along the output row
 *     (NCHW) or along the channels (NHWC);
 *   - 1×1, stride 1, no padding: the input already is the GEMM operand;
 *   - anything else: im2col + GEMM, the im2col panels packed straight from
 *     the input by the GEMM's pack callback.
 * ConvTranspose (NCHW): GEMM into a column buffer, then col2im.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <math.h>
#include <string.h>
#include "lamina-conv.h"

#define SP LAMINA_CONV_MAX_SPATIAL


/* ---- geometry ----------------------------------------------------------- */

static void
dense_strides (int nsp, gint64 c, const gint64 *ext, gboolean channels_last, gint64 *s_n, gint64 *s_c, gint64 *s_sp)
{
  gint64 acc = channels_last ? c : 1;

  for (int i = SP - 1; i >= 0; i--)
    {
      s_sp[i] = i < nsp ? acc : 0;
      if (i < nsp)
        acc *= ext[i];
    }
  *s_c = channels_last ? 1 : acc;
  *s_n = channels_last ? acc : acc * c;
}

void
lamina_conv_geom_dense (LaminaConvGeom *g, gboolean channels_last)
{
  for (int i = g->nsp; i < SP; i++)
    {
      g->in[i] = g->out[i] = g->k[i] = g->stride[i] = g->dil[i] = 1;
      g->pad[i] = 0;
    }
  g->channels_last = channels_last;
  dense_strides (g->nsp, g->cin, g->in, channels_last, &g->x_n, &g->x_c, g->x_sp);
  dense_strides (g->nsp, g->cout, g->out, channels_last, &g->y_n, &g->y_c, g->y_sp);
}

gint64
lamina_conv_out_size (gint64 in, gint64 k, gint64 stride, gint64 dil, gint64 pad_begin, gint64 pad_end,
                      gboolean ceil_mode)
{
  gint64 span = in + pad_begin + pad_end - ((k - 1) * dil + 1), out;

  if (span < 0 || stride <= 0)
    return -1;
  out = ceil_mode ? (span + stride - 1) / stride + 1 : span / stride + 1;
  /* a last window that starts in the end padding is dropped (ceil mode) */
  if (ceil_mode && (out - 1) * stride >= in + pad_begin)
    out--;
  return out;
}

gint64
lamina_conv_auto_pad (const char *mode, gint64 in, gint64 k, gint64 stride, gint64 dil, gint64 *pad_begin,
                      gint64 *pad_end)
{
  gint64 dk = (k - 1) * dil + 1, out, total;

  if (g_strcmp0 (mode, "VALID") == 0)
    {
      *pad_begin = *pad_end = 0;
      return lamina_conv_out_size (in, k, stride, dil, 0, 0, FALSE);
    }
  out = (in + stride - 1) / stride;
  total = MAX (0, (out - 1) * stride + dk - in);
  *pad_begin = g_strcmp0 (mode, "SAME_LOWER") == 0 ? total - total / 2 : total / 2;
  *pad_end = total - *pad_begin;
  return out;
}

static gint64
spatial_size (const gint64 *ext)
{
  return ext[0] * ext[1] * ext[2];
}

static float
clampf (float v, float lo, float hi)
{
  return v < lo ? lo : v > hi ? hi : v;
}

/* True when 0 <= i < n. */
static gboolean
inside (gint64 i, gint64 n)
{
  return (guint64) i < (guint64) n;
}

/* ---- reference ---------------------------------------------------------- */

static double
conv_point (const LaminaConvGeom *g, const float *x, const float *w, gint64 co, const gint64 *o)
{
  gint64 cin_g = g->cin / g->group, gi = co / (g->cout / g->group);
  double sum = 0.0;

  for (gint64 ci = 0; ci < cin_g; ci++)
    for (gint64 k0 = 0; k0 < g->k[0]; k0++)
      for (gint64 k1 = 0; k1 < g->k[1]; k1++)
        for (gint64 k2 = 0; k2 < g->k[2]; k2++)
          {
            gint64 i0 = o[0] * g->stride[0] + k0 * g->dil[0] - g->pad[0];
            gint64 i1 = o[1] * g->stride[1] + k1 * g->dil[1] - g->pad[1];
            gint64 i2 = o[2] * g->stride[2] + k2 * g->dil[2] - g->pad[2];
            if (!inside (i0, g->in[0]) || !inside (i1, g->in[1]) || !inside (i2, g->in[2]))
              continue;
            sum += (double) x[(gi * cin_g + ci) * g->x_c + i0 * g->x_sp[0] + i1 * g->x_sp[1] + i2 * g->x_sp[2]]
                   * w[co * g->w_o + ci * g->w_i + k0 * g->w_sp[0] + k1 * g->w_sp[1] + k2 * g->w_sp[2]];
          }
  return sum;
}

void
lamina_conv_reference (const LaminaConvGeom *g, const float *x, const float *w, const float *bias, float *y)
{
  for (gint64 n = 0; n < g->batch; n++)
    for (gint64 co = 0; co < g->cout; co++)
      for (gint64 o0 = 0; o0 < g->out[0]; o0++)
        for (gint64 o1 = 0; o1 < g->out[1]; o1++)
          for (gint64 o2 = 0; o2 < g->out[2]; o2++)
            {
              gint64 o[SP] = { o0, o1, o2 };
              double v = conv_point (g, x + n * g->x_n, w, co, o) + (bias ? bias[co] : 0.0);
              y[n * g->y_n + co * g->y_c + o0 * g->y_sp[0] + o1 * g->y_sp[1] + o2 * g->y_sp[2]] =
                clampf ((float) v, g->lo, g->hi);
            }
}

/* ---- packed filters ------------------------------------------------------ */

struct _LaminaConvPacked {
  gint64             group;
  LaminaGemmPacked **panels;   /* one per group */
};

static gint64
kernel_size (const LaminaConvGeom *g)
{
  return spatial_size (g->k);
}

/* Whether the filter's reduction index is contiguous in the order the
 * im2col packers use: (ci, k0, k1, k2) for NCHW, (k0, k1, k2, ci) for NHWC. */
static gboolean
filter_is_gemm_ready (const LaminaConvGeom *g)
{
  gint64 cin_g = g->cin / g->group, inner = g->channels_last ? cin_g : 1;

  if (g->channels_last ? g->w_i != 1 : g->w_i != kernel_size (g))
    return FALSE;
  for (int i = SP - 1; i >= 0; i--)
    {
      if (g->k[i] > 1 && g->w_sp[i] != inner)
        return FALSE;
      inner *= g->k[i];
    }
  return TRUE;
}

static gboolean
is_depthwise (const LaminaConvGeom *g)
{
  return g->cin == g->group && g->nsp <= 2;
}

/* The filter of group gi as a GEMM operand: A (rows = output channels) for
 * NCHW, B (columns = output channels) for NHWC — both read w[o * w_o + k]. */
static LaminaGemmOperand
filter_operand (const LaminaConvGeom *g, const float *w, gint64 gi)
{
  gint64 cout_g = g->cout / g->group;
  return (LaminaGemmOperand) { .data = w + gi * cout_g * g->w_o, .s_mn = g->w_o, .s_k = 1 };
}

/* ConvTranspose (NCHW, IOHW): A[(oc, kpos)][ci] = w[ci * w_i + oc * w_o + kpos]. */
static gboolean
transpose_filter_ready (const LaminaConvGeom *g)
{
  gint64 inner = 1;

  for (int i = SP - 1; i >= 0; i--)
    {
      if (g->k[i] > 1 && g->w_sp[i] != inner)
        return FALSE;
      inner *= g->k[i];
    }
  return !g->channels_last && g->w_o == kernel_size (g) && g->w_i == (g->cout / g->group) * kernel_size (g);
}

static LaminaGemmOperand
transpose_filter_operand (const LaminaConvGeom *g, const float *w, gint64 gi)
{
  gint64 cin_g = g->cin / g->group;
  return (LaminaGemmOperand) { .data = w + gi * cin_g * g->w_i, .s_mn = 1, .s_k = g->w_i };
}

LaminaConvPacked *
lamina_conv_pack (const LaminaConvGeom *g, const float *w, gboolean transpose)
{
  LaminaConvPacked *packed;
  gint64 cin_g = g->cin / g->group, cout_g = g->cout / g->group, ks = kernel_size (g);

  if (transpose ? !transpose_filter_ready (g) : (is_depthwise (g) || !filter_is_gemm_ready (g)))
    return NULL;
  packed = g_new0 (LaminaConvPacked, 1);
  packed->group = g->group;
  packed->panels = g_new0 (LaminaGemmPacked *, g->group);
  for (gint64 gi = 0; gi < g->group; gi++)
    {
      LaminaGemmOperand op = transpose ? transpose_filter_operand (g, w, gi) : filter_operand (g, w, gi);
      if (transpose)
        packed->panels[gi] = lamina_gemm_pack_a (&op, cout_g * ks, cin_g);
      else if (g->channels_last)
        packed->panels[gi] = lamina_gemm_pack_b (&op, cout_g, cin_g * ks);
      else
        packed->panels[gi] = lamina_gemm_pack_a (&op, cout_g, cin_g * ks);
    }
  return packed;
}

void
lamina_conv_packed_free (LaminaConvPacked *packed)
{
  if (packed == NULL)
    return;
  for (gint64 gi = 0; gi < packed->group; gi++)
    lamina_gemm_packed_free (packed->panels[gi]);
  g_free (packed->panels);
  g_free (packed);
}

/* ---- im2col packers ------------------------------------------------------ */

typedef struct {
  const LaminaConvGeom *g;
  const float          *x;    /* input of this image and group */
} Im2col;

static void
decode_pixel (const LaminaConvGeom *g, gint64 pix, gint64 *o)
{
  o[2] = pix % g->out[2];
  pix /= g->out[2];
  o[1] = pix % g->out[1];
  o[0] = pix / g->out[1];
}

static void
decode_kpos (const LaminaConvGeom *g, gint64 kpos, gint64 *k)
{
  k[2] = kpos % g->k[2];
  kpos /= g->k[2];
  k[1] = kpos % g->k[1];
  k[0] = kpos / g->k[1];
}

/* dst[t] = row[(i0 + t * s) * xs] for t < n, `fill` where outside [0, in). */
static inline void
copy_row (float *restrict dst, const float *restrict row, gint64 i0, gint64 s, gint64 n, gint64 in, gint64 xs,
          float fill)
{
  gint64 lo = i0 >= 0 ? 0 : (-i0 + s - 1) / s;
  gint64 hi = i0 >= in ? 0 : (in - i0 + s - 1) / s;
  gint64 t = 0;

  lo = MIN (lo, n);
  hi = CLAMP (hi, lo, n);
  for (; t < lo; t++)
    dst[t] = fill;
  if (s == 1 && xs == 1)
    for (; t < hi; t++)
      dst[t] = row[i0 + t];
  else if (s == 2 && xs == 1)
    for (; t < hi; t++)
      dst[t] = row[i0 + 2 * t];
  else
    for (; t < hi; t++)
      dst[t] = row[(i0 + t * s) * xs];
  for (; t < n; t++)
    dst[t] = fill;
}

/* Offset of input row (all dims but the innermost used one, r) for output
 * position o and kernel position kp; FALSE when outside the input. */
static gboolean
input_row (const LaminaConvGeom *g, const gint64 *o, const gint64 *kp, int r, gint64 *offset)
{
  *offset = 0;
  for (int d = 0; d < SP; d++)
    {
      gint64 i = o[d] * g->stride[d] + kp[d] * g->dil[d] - g->pad[d];
      if (d == r)
        continue;
      if (!inside (i, g->in[d]))
        return FALSE;
      *offset += i * g->x_sp[d];
    }
  return TRUE;
}

/* Moves o to the start of the next row (dims before r carry). */
static void
next_row (const gint64 *ext, int r, gint64 *o)
{
  o[r] = 0;
  for (int d = r - 1; d >= 0; d--)
    {
      if (++o[d] < ext[d])
        return;
      o[d] = 0;
    }
}

/* B panels for NCHW: element (pixel, k = (ci, k0, k1, k2)). Per k, the
 * pixels are walked a row of output at a time, split at panel edges. */
LAMINA_VECTOR_CLONES static void
pack_im2col_nchw (gconstpointer ctx, gint64 mn0, int count, gint64 k0, gint64 kc, int width, float *dst)
{
  const Im2col *ic = ctx;
  const LaminaConvGeom *g = ic->g;
  gint64 ks = kernel_size (g), start[SP], panel = width * kc;
  int r = g->nsp - 1;

  decode_pixel (g, mn0, start);
  for (gint64 kk = 0; kk < kc; kk++)
    {
      gint64 k = k0 + kk, kp[SP], o[SP] = { start[0], start[1], start[2] }, off;
      const float *xc = ic->x + (k / ks) * g->x_c;
      gboolean in_row = FALSE;
      decode_kpos (g, k % ks, kp);
      for (gint64 j = 0; j < count;)
        {
          gint64 run = MIN (MIN (count - j, g->out[r] - o[r]), width - j % width);
          float *d = dst + j / width * panel + kk * width + j % width;
          if (j == 0 || o[r] == 0)
            in_row = input_row (g, o, kp, r, &off);
          if (in_row)
            copy_row (d, xc + off, o[r] * g->stride[r] + kp[r] * g->dil[r] - g->pad[r], g->stride[r], run,
                      g->in[r], g->x_sp[r], 0.0f);
          else
            for (gint64 z = 0; z < run; z++)
              d[z] = 0.0f;
          j += run;
          if ((o[r] += run) == g->out[r])
            next_row (g->out, r, o);
        }
      for (int t = count % width ? count % width : width; t < width; t++)
        dst[count / width * panel + kk * width + t] = 0.0f;
    }
}

/* A panel for NHWC: element (pixel, k = (k0, k1, k2, ci)). */
static void
pack_im2col_nhwc_panel (gconstpointer ctx, gint64 mn0, int count, gint64 k0, gint64 kc, int width, float *dst)
{
  const Im2col *ic = ctx;
  const LaminaConvGeom *g = ic->g;
  gint64 cin_g = g->cin / g->group;

  for (int t = 0; t < width; t++)
    {
      gint64 o[SP], ci = k0 % cin_g, kpos = k0 / cin_g;
      if (t >= count)
        {
          for (gint64 kk = 0; kk < kc; kk++)
            dst[kk * width + t] = 0.0f;
          continue;
        }
      decode_pixel (g, mn0 + t, o);
      for (gint64 kk = 0; kk < kc; ci = 0, kpos++)
        {
          gint64 kp[SP], seg = MIN (cin_g - ci, kc - kk), i[SP];
          gboolean in = TRUE;
          decode_kpos (g, kpos, kp);
          for (int d = 0; d < SP; d++)
            {
              i[d] = o[d] * g->stride[d] + kp[d] * g->dil[d] - g->pad[d];
              in = in && inside (i[d], g->in[d]);
            }
          for (gint64 s = 0; s < seg; s++)
            dst[(kk + s) * width + t] = in ? ic->x[i[0] * g->x_sp[0] + i[1] * g->x_sp[1] + i[2] * g->x_sp[2] + ci + s] : 0.0f;
          kk += seg;
        }
    }
}

static void
pack_im2col_nhwc (gconstpointer ctx, gint64 mn0, int count, gint64 k0, gint64 kc, int width, float *dst)
{
  for (int t = 0; t < count; t += width, dst += width * kc)
    pack_im2col_nhwc_panel (ctx, mn0 + t, MIN (width, count - t), k0, kc, width, dst);
}

/* ---- im2col + GEMM -------------------------------------------------------- */

static gboolean
is_pointwise (const LaminaConvGeom *g)
{
  for (int i = 0; i < SP; i++)
    if (g->k[i] != 1 || g->stride[i] != 1 || g->pad[i] != 0 || g->in[i] != g->out[i])
      return FALSE;
  return TRUE;
}

/* Stride 1, up to 2-D, NCHW: every kernel tap is a shifted view of the
 * zero-padded input, so B is read in place through one row pointer per k
 * (no im2col copy). Outputs are computed over the padded width, then the
 * extra columns are dropped. FALSE when memory is short (use im2col). */
static gboolean
conv_gemm_shifted (LaminaParallel *p, const LaminaConvGeom *g, const float *xg, LaminaGemmOperand *filter,
                   const LaminaGemmEpilogue *ep, float *yg)
{
  gint64 cin_g = g->cin / g->group, cout_g = g->cout / g->group, ks = kernel_size (g);
  gint64 ph = (g->out[0] - 1) + (g->k[0] - 1) * g->dil[0] + 1, pw = (g->out[1] - 1) + (g->k[1] - 1) * g->dil[1] + 1;
  /* the last rows of the last channel reach (k1 - 1) · d1 past its plane */
  gint64 plane = ph * pw, ncol = g->out[0] * pw, slack = g->k[1] * g->dil[1] + 64;
  g_autofree float *xp = g_try_new0 (float, cin_g * plane + slack);
  g_autofree float *yp = g_try_new (float, cout_g * ncol);
  g_autofree const float **rows = g_try_new (const float *, cin_g * ks);
  LaminaGemmOperand b = { .rows = rows };

  if (xp == NULL || yp == NULL || rows == NULL)
    return FALSE;
  for (gint64 ci = 0; ci < cin_g; ci++)
    for (gint64 r = 0; r < ph; r++)
      {
        gint64 i0 = r - g->pad[0];
        if (inside (i0, g->in[0]))
          copy_row (xp + ci * plane + r * pw, xg + ci * g->x_c + i0 * g->x_sp[0], -g->pad[1], 1, pw, g->in[1],
                    g->x_sp[1], 0.0f);
      }
  for (gint64 k = 0; k < cin_g * ks; k++)
    {
      gint64 kp[SP];
      decode_kpos (g, k % ks, kp);
      rows[k] = xp + (k / ks) * plane + kp[0] * g->dil[0] * pw + kp[1] * g->dil[1];
    }
  lamina_gemm (p, cout_g, ncol, cin_g * ks, filter, &b, yp, ncol, FALSE, ep);
  for (gint64 co = 0; co < cout_g; co++)
    for (gint64 o0 = 0; o0 < g->out[0]; o0++)
      memcpy (yg + co * g->y_c + o0 * g->y_sp[0], yp + co * ncol + o0 * pw, g->out[1] * sizeof (float));
  return TRUE;
}

static gboolean
is_shiftable (const LaminaConvGeom *g)
{
  return !g->channels_last && g->nsp <= 2 && g->stride[0] == 1 && g->stride[1] == 1 && g->y_sp[g->nsp - 1] == 1;
}

static void
conv_gemm (LaminaParallel *p, const LaminaConvGeom *g, const float *x, const float *w,
           const LaminaConvPacked *packed, const float *bias, float *y, gint64 gi)
{
  gint64 cin_g = g->cin / g->group, cout_g = g->cout / g->group, npix = spatial_size (g->out);
  gint64 kdim = cin_g * kernel_size (g);
  const float *xg = x + gi * cin_g * g->x_c;
  Im2col ic = { g, xg };
  LaminaGemmOperand data, filter = packed ? lamina_gemm_packed (packed->panels[gi]) : filter_operand (g, w, gi);
  LaminaGemmEpilogue ep = { bias ? bias + gi * cout_g : NULL, !g->channels_last, g->lo, g->hi };

  if (!g->channels_last && !is_pointwise (g) && is_shiftable (g)
      && conv_gemm_shifted (p, g, xg, &filter, &ep, y + gi * cout_g * g->y_c))
    return;
  if (!g->channels_last)
    {
      data = is_pointwise (g) ? lamina_gemm_matrix_b (xg, g->x_c, 1)
                              : (LaminaGemmOperand) { .pack = pack_im2col_nchw, .ctx = &ic };
      lamina_gemm (p, cout_g, npix, kdim, &filter, &data, y + gi * cout_g * g->y_c, g->y_c, FALSE, &ep);
    }
  else
    {
      data = is_pointwise (g) ? lamina_gemm_matrix_a (xg, g->x_sp[g->nsp - 1], 1)
                              : (LaminaGemmOperand) { .pack = pack_im2col_nhwc, .ctx = &ic };
      lamina_gemm (p, npix, cout_g, kdim, &data, &filter, y + gi * cout_g, g->y_sp[g->nsp - 1], FALSE, &ep);
    }
}

/* ---- depthwise ------------------------------------------------------------ */

typedef struct {
  const LaminaConvGeom *g;
  const float *x, *w, *bias;
  float *y;
} Depthwise;

#define ROW_VEC 16

/* Extent of the zero-padded input that covers every window. */
static gint64
padded_extent (const LaminaConvGeom *g, int d)
{
  return (g->out[d] - 1) * g->stride[d] + (g->k[d] - 1) * g->dil[d] + 1;
}

/* Output rows are computed in whole vectors of ROW_VEC; the padded rows
 * are wide enough for the last vector's reads (at stride 2, two vectors
 * of which the odd elements are dropped: still below n * s). Columns past
 * padded_extent only feed outputs past out[1], which are dropped. */
static gint64
padded_width (const LaminaConvGeom *g)
{
  gint64 n = (g->out[1] + ROW_VEC - 1) / ROW_VEC * ROW_VEC;
  return MAX (padded_extent (g, 1), n * g->stride[1] + (g->k[1] - 1) * g->dil[1]);
}

gint64
lamina_conv_plane_size (const LaminaConvGeom *g)
{
  return padded_extent (g, 0) * padded_width (g);
}

gint64
lamina_conv_plane_width (const LaminaConvGeom *g)
{
  return padded_width (g);
}

/* Copies plane (dims 0, 1; element strides xs0, xs1) into a buffer of
 * padded_extent (0) rows × padded_width, `fill` outside the input; the
 * columns past padded_extent (1) are left as they are (the caller zeroes
 * the buffer once). */
void
lamina_conv_pad_plane (const LaminaConvGeom *g, const float *x, gint64 xs0, gint64 xs1, float fill, float *buf)
{
  gint64 ph = padded_extent (g, 0), pw = padded_width (g), used = padded_extent (g, 1);

  for (gint64 r = 0; r < ph; r++)
    {
      gint64 i0 = r - g->pad[0];
      float *row = buf + r * pw;
      if (!inside (i0, g->in[0]))
        for (gint64 c = 0; c < used; c++)
          row[c] = fill;
      else
        copy_row (row, x + i0 * xs0, -g->pad[1], 1, used, g->in[1], xs1, fill);
    }
}

typedef float v16f __attribute__ ((vector_size (64)));
typedef gint32 v16i __attribute__ ((vector_size (64)));

/* Always inlined: a 64-byte vector returned across functions compiled for
 * different targets (LAMINA_VECTOR_CLONES) has no common ABI, which
 * crashed unoptimised (ASan) builds. */
G_ALWAYS_INLINE static inline v16f
load_v16 (const float *p, gint64 s)
{
  v16f v, w;

  if (s == 1)
    {
      memcpy (&v, p, sizeof v);
      return v;
    }
  if (s == 2)
    {
      /* the even elements of two vectors: one permute on AVX-512 */
      memcpy (&v, p, sizeof v);
      memcpy (&w, p + ROW_VEC, sizeof w);
#if defined(__clang__)  /* clang (fuzzers) has only the shufflevector form */
      return __builtin_shufflevector (v, w, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
#else
      return __builtin_shuffle (v, w, (v16i) { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30 });
#endif
    }
  for (int l = 0; l < ROW_VEC; l++)
    v[l] = p[l * s];
  return v;
}

#define GROUP 4

/* GROUP independent output vectors at once (their sums do not wait on
 * each other): base[j] points at the window's first input of vector j. */
static inline __attribute__ ((always_inline)) void
window_group (const LaminaConvGeom *g, const float *const *base, const float *taps, gboolean is_max, float init,
              gint64 s, float *const *out)
{
  gint64 pw = padded_width (g);
  v16f acc[GROUP];

#pragma GCC unroll 4
  for (int j = 0; j < GROUP; j++)
    acc[j] = (v16f) { 0 } + init;
  for (gint64 k0 = 0; k0 < g->k[0]; k0++)
    for (gint64 k1 = 0; k1 < g->k[1]; k1++)
      {
        gint64 off = k0 * g->dil[0] * pw + k1 * g->dil[1];
        float tap = taps[k0 * g->k[1] + k1];
#pragma GCC unroll 4
        for (int j = 0; j < GROUP; j++)
          {
            v16f x = load_v16 (base[j] + off, s);
            if (is_max)
              {
                v16i gt = x > acc[j];
                acc[j] = (v16f) ((gt & (v16i) x) | (~gt & (v16i) acc[j]));
              }
            else
              acc[j] += tap * x;
          }
      }
#pragma GCC unroll 4
  for (int j = 0; j < GROUP; j++)
    memcpy (out[j], &acc[j], sizeof acc[j]);
}

LAMINA_VECTOR_CLONES void
lamina_conv_window_plane (const LaminaConvGeom *g, const float *buf, const float *taps, gboolean is_max, float init,
                          float *out)
{
  gint64 pw = padded_width (g), s = g->stride[1], nvec = (g->out[1] + ROW_VEC - 1) / ROW_VEC;
  gint64 items = g->out[0] * nvec;

  for (gint64 it = 0; it < items; it += GROUP)
    {
      const float *base[GROUP];
      float *dst[GROUP];
      for (int j = 0; j < GROUP; j++)
        {
          /* a short last group repeats its last item */
          gint64 item = MIN (it + j, items - 1), o0 = item / nvec, t = item % nvec * ROW_VEC;
          base[j] = buf + o0 * g->stride[0] * pw + t * s;
          dst[j] = out + o0 * nvec * ROW_VEC + t;
        }
      /* constant strides and operations let each loop specialise */
      if (is_max)
        window_group (g, base, taps, TRUE, init, s == 1 ? 1 : s == 2 ? 2 : s, dst);
      else if (s == 1)
        window_group (g, base, taps, FALSE, init, 1, dst);
      else if (s == 2)
        window_group (g, base, taps, FALSE, init, 2, dst);
      else
        window_group (g, base, taps, FALSE, init, s, dst);
    }
}

gint64
lamina_conv_window_plane_size (const LaminaConvGeom *g)
{
  return g->out[0] * ((g->out[1] + ROW_VEC - 1) / ROW_VEC * ROW_VEC);
}

/* y[t * ys] = clamp (row[t]) */
LAMINA_VECTOR_CLONES static void
store_row (float *restrict y, gint64 ys, const float *restrict row, gint64 n, float lo, float hi)
{
  if (ys == 1 && lo == -INFINITY && hi == INFINITY)
    memcpy (y, row, n * sizeof (float));
  else if (ys == 1)
    for (gint64 t = 0; t < n; t++)
      y[t] = row[t] < lo ? lo : row[t] > hi ? hi : row[t];
  else
    for (gint64 t = 0; t < n; t++)
      y[t * ys] = clampf (row[t], lo, hi);
}

/* One (image, output channel) plane of an NCHW depthwise convolution. */
static void
depthwise_plane (const Depthwise *dw, gint64 n, gint64 co, float *buf, float *taps, float *plane)
{
  const LaminaConvGeom *g = dw->g;
  gint64 mult = g->cout / g->group, nrow = (g->out[1] + ROW_VEC - 1) / ROW_VEC * ROW_VEC;
  float *y = dw->y + n * g->y_n + co * g->y_c;

  for (gint64 k0 = 0; k0 < g->k[0]; k0++)
    for (gint64 k1 = 0; k1 < g->k[1]; k1++)
      taps[k0 * g->k[1] + k1] = dw->w[co * g->w_o + k0 * g->w_sp[0] + k1 * g->w_sp[1]];
  lamina_conv_pad_plane (g, dw->x + n * g->x_n + (co / mult) * g->x_c, g->x_sp[0], g->x_sp[1], 0.0f, buf);
  lamina_conv_window_plane (g, buf, taps, FALSE, dw->bias ? dw->bias[co] : 0.0f, plane);
  for (gint64 o0 = 0; o0 < g->out[0]; o0++)
    store_row (y + o0 * g->y_sp[0], g->y_sp[1], plane + o0 * nrow, g->out[1], g->lo, g->hi);
}

static void
depthwise_nchw_range (gint64 begin, gint64 end, gpointer data)
{
  const Depthwise *dw = data;
  const LaminaConvGeom *g = dw->g;
  gint64 size = lamina_conv_plane_size (g), taps = g->k[0] * g->k[1];
  g_autofree float *buf = g_new0 (float, size + taps + lamina_conv_window_plane_size (g));

  for (gint64 i = begin; i < end; i++)
    depthwise_plane (dw, i / g->cout, i % g->cout, buf, buf + size, buf + size + taps);
}

/* y[o] += x[o / mult] * w[o] over the channels of one NHWC pixel. */
LAMINA_VECTOR_CLONES static void
depthwise_pixel_tap (float *restrict y, const float *restrict x, const float *restrict w, gint64 cout, gint64 mult)
{
  if (mult == 1)
    for (gint64 o = 0; o < cout; o++)
      y[o] += x[o] * w[o];
  else
    for (gint64 o = 0; o < cout; o++)
      y[o] += x[o / mult] * w[o];
}

/* Output rows [begin, end) (over batch × out[0]) of an NHWC depthwise
 * convolution with a 1HWO filter (channel stride 1). */
static void
depthwise_nhwc_range (gint64 begin, gint64 end, gpointer data)
{
  const Depthwise *dw = data;
  const LaminaConvGeom *g = dw->g;
  gint64 mult = g->cout / g->group;

  for (gint64 r = begin; r < end; r++)
    for (gint64 o1 = 0; o1 < g->out[1]; o1++)
      {
        gint64 n = r / g->out[0], o0 = r % g->out[0];
        float *y = dw->y + n * g->y_n + o0 * g->y_sp[0] + o1 * g->y_sp[1];
        for (gint64 o = 0; o < g->cout; o++)
          y[o] = dw->bias ? dw->bias[o] : 0.0f;
        for (gint64 k0 = 0; k0 < g->k[0]; k0++)
          for (gint64 k1 = 0; k1 < g->k[1]; k1++)
            {
              gint64 i0 = o0 * g->stride[0] + k0 * g->dil[0] - g->pad[0];
              gint64 i1 = o1 * g->stride[1] + k1 * g->dil[1] - g->pad[1];
              if (inside (i0, g->in[0]) && inside (i1, g->in[1]))
                depthwise_pixel_tap (y, dw->x + n * g->x_n + i0 * g->x_sp[0] + i1 * g->x_sp[1],
                                     dw->w + k0 * g->w_sp[0] + k1 * g->w_sp[1], g->cout, mult);
            }
        for (gint64 o = 0; o < g->cout; o++)
          y[o] = clampf (y[o], g->lo, g->hi);
      }
}

static void
conv_depthwise (LaminaParallel *p, const LaminaConvGeom *g, const float *x, const float *w, const float *bias,
                float *y)
{
  Depthwise dw = { g, x, w, bias, y };

  if (g->channels_last)
    lamina_parallel_for (p, g->batch * g->out[0], 1, depthwise_nhwc_range, &dw);
  else
    lamina_parallel_for (p, g->batch * g->cout, 4, depthwise_nchw_range, &dw);
}

void
lamina_conv_fast (LaminaParallel *p, const LaminaConvGeom *g, const float *x, const float *w,
                  const LaminaConvPacked *packed, const float *bias, float *y)
{
  if (is_depthwise (g) && (!g->channels_last || g->w_o == 1))
    {
      conv_depthwise (p, g, x, w, bias, y);
      return;
    }
  if (!filter_is_gemm_ready (g) || (!g->channels_last && (g->x_sp[g->nsp - 1] != 1 || g->y_sp[g->nsp - 1] != 1)))
    {
      lamina_conv_reference (g, x, w, bias, y);
      return;
    }
  for (gint64 n = 0; n < g->batch; n++)
    for (gint64 gi = 0; gi < g->group; gi++)
      conv_gemm (p, g, x + n * g->x_n, w, packed, bias, y + n * g->y_n, gi);
}

/* ---- transposed convolution ------------------------------------------------ */

static void
fill_bias (const LaminaConvGeom *g, const float *bias, float *y)
{
  for (gint64 n = 0; n < g->batch; n++)
    for (gint64 co = 0; co < g->cout; co++)
      for (gint64 o0 = 0; o0 < g->out[0]; o0++)
        for (gint64 o1 = 0; o1 < g->out[1]; o1++)
          for (gint64 o2 = 0; o2 < g->out[2]; o2++)
            y[n * g->y_n + co * g->y_c + o0 * g->y_sp[0] + o1 * g->y_sp[1] + o2 * g->y_sp[2]] = bias ? bias[co] : 0.0f;
}

static void
clamp_output (const LaminaConvGeom *g, float *y)
{
  if (g->lo == -INFINITY && g->hi == INFINITY)
    return;
  for (gint64 n = 0; n < g->batch; n++)
    for (gint64 co = 0; co < g->cout; co++)
      for (gint64 o0 = 0; o0 < g->out[0]; o0++)
        for (gint64 o1 = 0; o1 < g->out[1]; o1++)
          for (gint64 o2 = 0; o2 < g->out[2]; o2++)
            {
              float *v = &y[n * g->y_n + co * g->y_c + o0 * g->y_sp[0] + o1 * g->y_sp[1] + o2 * g->y_sp[2]];
              *v = clampf (*v, g->lo, g->hi);
            }
}

/* Scatters input pixel i of channel ci into every output it reaches. */
static void
transpose_scatter (const LaminaConvGeom *g, const float *w, float xv, gint64 ci, const gint64 *i, float *y)
{
  gint64 cin_g = g->cin / g->group, cout_g = g->cout / g->group, gi = ci / cin_g;

  for (gint64 oc = 0; oc < cout_g; oc++)
    for (gint64 k0 = 0; k0 < g->k[0]; k0++)
      for (gint64 k1 = 0; k1 < g->k[1]; k1++)
        for (gint64 k2 = 0; k2 < g->k[2]; k2++)
          {
            gint64 o0 = i[0] * g->stride[0] + k0 * g->dil[0] - g->pad[0];
            gint64 o1 = i[1] * g->stride[1] + k1 * g->dil[1] - g->pad[1];
            gint64 o2 = i[2] * g->stride[2] + k2 * g->dil[2] - g->pad[2];
            if (!inside (o0, g->out[0]) || !inside (o1, g->out[1]) || !inside (o2, g->out[2]))
              continue;
            y[(gi * cout_g + oc) * g->y_c + o0 * g->y_sp[0] + o1 * g->y_sp[1] + o2 * g->y_sp[2]] +=
              xv * w[ci * g->w_i + oc * g->w_o + k0 * g->w_sp[0] + k1 * g->w_sp[1] + k2 * g->w_sp[2]];
          }
}

void
lamina_conv_transpose_reference (const LaminaConvGeom *g, const float *x, const float *w, const float *bias,
                                 float *y)
{
  fill_bias (g, bias, y);
  for (gint64 n = 0; n < g->batch; n++)
    for (gint64 ci = 0; ci < g->cin; ci++)
      for (gint64 i0 = 0; i0 < g->in[0]; i0++)
        for (gint64 i1 = 0; i1 < g->in[1]; i1++)
          for (gint64 i2 = 0; i2 < g->in[2]; i2++)
            {
              gint64 i[SP] = { i0, i1, i2 };
              float xv = x[n * g->x_n + ci * g->x_c + i0 * g->x_sp[0] + i1 * g->x_sp[1] + i2 * g->x_sp[2]];
              transpose_scatter (g, w, xv, ci, i, y + n * g->y_n);
            }
  clamp_output (g, y);
}

typedef struct {
  const LaminaConvGeom *g;
  const float *col;     /* (cout_g · ks) × npix_in, this group */
  float *y;             /* output of this image and group */
} Col2im;

/* Adds column rows of output channels [begin, end) into y (NCHW). The
 * innermost used dimension r is walked as a row. */
static void
col2im_range (gint64 begin, gint64 end, gpointer data)
{
  const Col2im *c2 = data;
  const LaminaConvGeom *g = c2->g;
  gint64 ks = kernel_size (g), npix = spatial_size (g->in);
  int r = g->nsp - 1;

  if (npix == 0)
    return;
  for (gint64 oc = begin; oc < end; oc++)
    for (gint64 kpos = 0; kpos < ks; kpos++)
      {
        gint64 kp[SP], i[SP] = { 0, 0, 0 };
        const float *src = c2->col + (oc * ks + kpos) * npix;
        gint64 base, s;
        decode_kpos (g, kpos, kp);
        base = kp[r] * g->dil[r] - g->pad[r], s = g->stride[r];
        for (gint64 row = 0; row < npix / g->in[r]; row++, src += g->in[r], next_row (g->in, r, i))
          {
            /* i[r] with 0 <= i[r] * s + base < out[r] */
            gint64 lo = base >= 0 ? 0 : (-base + s - 1) / s;
            gint64 hi = base >= g->out[r] ? 0 : MIN (g->in[r], (g->out[r] - base + s - 1) / s);
            gint64 off = 0;
            gboolean ok = TRUE;
            float *dst;
            for (int d = 0; d < SP; d++)
              {
                gint64 o = i[d] * g->stride[d] + kp[d] * g->dil[d] - g->pad[d];
                if (d == r)
                  continue;
                ok = ok && inside (o, g->out[d]);
                off += o * g->y_sp[d];
              }
            if (!ok)
              continue;
            dst = c2->y + oc * g->y_c + off + base;
            for (gint64 t = lo; t < hi; t++)
              dst[t * s] += src[t];
          }
      }
}

void
lamina_conv_transpose_fast (LaminaParallel *p, const LaminaConvGeom *g, const float *x, const float *w,
                            const LaminaConvPacked *packed, const float *bias, float *y)
{
  gint64 cin_g = g->cin / g->group, cout_g = g->cout / g->group, ks = kernel_size (g), npix = spatial_size (g->in);
  g_autofree float *col = NULL;

  if (!transpose_filter_ready (g) || g->x_sp[g->nsp - 1] != 1 || g->y_sp[g->nsp - 1] != 1
      || (col = g_try_new (float, cout_g * ks * npix)) == NULL)
    {
      lamina_conv_transpose_reference (g, x, w, bias, y);
      return;
    }
  fill_bias (g, bias, y);
  for (gint64 n = 0; n < g->batch; n++)
    for (gint64 gi = 0; gi < g->group; gi++)
      {
        LaminaGemmOperand a = packed ? lamina_gemm_packed (packed->panels[gi]) : transpose_filter_operand (g, w, gi);
        LaminaGemmOperand b = lamina_gemm_matrix_b (x + n * g->x_n + gi * cin_g * g->x_c, g->x_c, 1);
        Col2im c2 = { g, col, y + n * g->y_n + gi * cout_g * g->y_c };
        lamina_gemm (p, cout_g * ks, npix, cin_g, &a, &b, col, npix, FALSE, NULL);
        lamina_parallel_for (p, cout_g, 1, col2im_range, &c2);
      }
  clamp_output (g, y);
}
