/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-int8-conv.c: integer convolutions and matrix products — TFLite
 * Conv2D/DepthwiseConv2D on int8/uint8 tensors, ONNX QLinearConv,
 * ConvInteger, QLinearMatMul and MatMulInteger.
 *
 * Every convolution goes through one routine over lamina-conv.h's
 * geometry (element strides, so NHWC/OHWI/1HWO and NCHW/OIHW alike):
 * inputs and filters are first widened to int16 with their zero points
 * subtracted (padding then contributes 0, as the specs require), products
 * are summed in int32 with the int32 bias, and the sums are requantized per
 * output channel with M = s_x · s_w[c] / s_y (lamina-fixed.h) and clamped to
 * the fused activation's range — TFLite's per-channel integer reference.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-int8.h"
#include "lamina-int8-gemm.h"
#include "lamina-kernel-check.h"
#include "lamina-vecmath.h"
#include "lamina-broadcast.h"   /* LAMINA_ELEMENTWISE_GRAIN */

#define SP LAMINA_CONV_MAX_SPATIAL

/* ---- the integer convolution ------------------------------------------------------ */

static gboolean
inside (gint64 i, gint64 n)
{
  return (guint64) i < (guint64) n;
}

static gint32
conv_point (const LaminaConvGeom *g, const gint16 *x, const gint16 *w, gint64 co, const gint64 *o)
{
  gint64 cin_g = g->cin / g->group, grp = co / (g->cout / g->group);
  gint32 acc = 0;

  for (gint64 ci = 0; ci < cin_g; ci++)
    for (gint64 k0 = 0; k0 < g->k[0]; k0++)
      for (gint64 k1 = 0; k1 < g->k[1]; k1++)
        for (gint64 k2 = 0; k2 < g->k[2]; k2++)
          {
            gint64 k[SP] = { k0, k1, k2 }, xi = (grp * cin_g + ci) * g->x_c, wi = co * g->w_o + ci * g->w_i;
            gboolean ok = TRUE;
            for (int d = 0; d < SP; d++)
              {
                gint64 i = o[d] * g->stride[d] - g->pad[d] + k[d] * g->dil[d];
                ok = ok && inside (i, g->in[d]);
                xi += i * g->x_sp[d];
                wi += k[d] * g->w_sp[d];
              }
            if (ok)
              acc += (gint32) x[xi] * (gint32) w[wi];
          }
  return acc;
}

void
lamina_int8_conv_reference (const LaminaConvGeom *g, const gint16 *x, const gint16 *w, const gint32 *bias,
                            gint32 *acc)
{
  for (gint64 n = 0; n < g->batch; n++)
    for (gint64 co = 0; co < g->cout; co++)
      for (gint64 o0 = 0; o0 < g->out[0]; o0++)
        for (gint64 o1 = 0; o1 < g->out[1]; o1++)
          for (gint64 o2 = 0; o2 < g->out[2]; o2++)
            {
              gint64 o[SP] = { o0, o1, o2 };
              acc[n * g->y_n + co * g->y_c + o0 * g->y_sp[0] + o1 * g->y_sp[1] + o2 * g->y_sp[2]] =
                (bias ? bias[co] : 0) + conv_point (g, x + n * g->x_n, w, co, o);
            }
}

/* Σ a[i]·b[i]; GCC turns this loop into multiply-add instructions. */
LAMINA_VECTOR_CLONES static gint32
dot_s16 (const gint16 *a, const gint16 *b, gint64 n)
{
  gint32 s = 0;

  for (gint64 i = 0; i < n; i++)
    s += (gint32) a[i] * (gint32) b[i];
  return s;
}

/* Four filter rows against one window: the window is loaded once. */
LAMINA_VECTOR_CLONES static void
dot4_s16 (const gint16 *a, const gint16 *w, gint64 stride, gint64 n, gint32 *out)
{
  const gint16 *w0 = w, *w1 = w + stride, *w2 = w + 2 * stride, *w3 = w + 3 * stride;
  gint32 s0 = 0, s1 = 0, s2 = 0, s3 = 0;

  for (gint64 i = 0; i < n; i++)
    {
      gint32 x = a[i];
      s0 += x * w0[i];
      s1 += x * w1[i];
      s2 += x * w2[i];
      s3 += x * w3[i];
    }
  out[0] += s0, out[1] += s1, out[2] += s2, out[3] += s3;
}

/* Channels-last, one group, dense OHWI filter: an output pixel is the dot
 * product of its window (k0, k1, cin: contiguous runs of cin) with a
 * filter row. */
static gboolean
fast_path_applies (const LaminaConvGeom *g)
{
  gint64 cin = g->cin;

  return g->channels_last && g->nsp == 2 && g->group == 1 && g->w_i == 1 && g->w_sp[1] == cin
         && g->w_sp[0] == g->k[1] * cin && g->w_o == g->k[0] * g->k[1] * cin && g->x_c == 1 && g->y_c == 1;
}

typedef struct {
  const LaminaConvGeom *g;
  const gint16         *x, *w;
  const gint32         *bias;
  gint32               *acc;
} ConvJob;

/* The window of output pixel (oh, ow) as K = k0·k1·cin values. */
static void
fill_window (const LaminaConvGeom *g, const gint16 *x, gint64 oh, gint64 ow, gint16 *col)
{
  gint64 cin = g->cin;

  for (gint64 k0 = 0; k0 < g->k[0]; k0++)
    for (gint64 k1 = 0; k1 < g->k[1]; k1++, col += cin)
      {
        gint64 ih = oh * g->stride[0] - g->pad[0] + k0 * g->dil[0];
        gint64 iw = ow * g->stride[1] - g->pad[1] + k1 * g->dil[1];
        if (inside (ih, g->in[0]) && inside (iw, g->in[1]))
          memcpy (col, x + ih * g->x_sp[0] + iw * g->x_sp[1], cin * sizeof *col);
        else
          memset (col, 0, cin * sizeof *col);
      }
}

static void
conv_rows (gint64 begin, gint64 end, gpointer data)
{
  const ConvJob *j = data;
  const LaminaConvGeom *g = j->g;
  gint64 kk = g->k[0] * g->k[1] * g->cin;
  gboolean direct = g->k[0] == 1 && g->k[1] == 1 && g->stride[1] == 1 && g->pad[0] == 0 && g->pad[1] == 0;
  g_autofree gint16 *col = direct ? NULL : g_new (gint16, MAX (kk, 1));

  /* one task per output row (n, oh) */
  for (gint64 r = begin; r < end; r++)
    {
      gint64 n = r / g->out[0], oh = r % g->out[0];
      const gint16 *x = j->x + n * g->x_n;
      gint32 *acc = j->acc + n * g->y_n + oh * g->y_sp[0];

      for (gint64 ow = 0; ow < g->out[1]; ow++, acc += g->y_sp[1])
        {
          const gint16 *window = col;
          if (direct)   /* a 1×1 window is the input pixel itself */
            window = x + oh * g->stride[0] * g->x_sp[0] + ow * g->x_sp[1];
          else
            fill_window (g, x, oh, ow, col);
          gint64 co = 0;
          for (co = 0; co < g->cout; co++)
            acc[co] = j->bias ? j->bias[co] : 0;
          for (co = 0; co + 4 <= g->cout; co += 4)
            dot4_s16 (window, j->w + co * kk, kk, kk, acc + co);
          for (; co < g->cout; co++)
            acc[co] += dot_s16 (window, j->w + co * kk, kk);
        }
    }
}

void
lamina_int8_conv_fast (LaminaParallel *p, const LaminaConvGeom *g, const gint16 *x, const gint16 *w,
                       const gint32 *bias, gint32 *acc)
{
  ConvJob j = { g, x, w, bias, acc };

  if (!fast_path_applies (g))
    {
      lamina_int8_conv_reference (g, x, w, bias, acc);
      return;
    }
  lamina_parallel_for (p, g->batch * g->out[0], 1, conv_rows, &j);
}

/* ---- operands ------------------------------------------------------------------------ */

typedef struct {
  const LaminaValue *v;
  gint32             zero;
  gint16            *out;
} WidenJob;

static void
widen_range (gint64 begin, gint64 end, gpointer data)
{
  const WidenJob *j = data;
  const LaminaValue *v = j->v;

  /* the common dtypes without a switch per element */
  if (v->dtype == LAMINA_DTYPE_INT8)
    lamina_int8_widen_s8 ((const gint8 *) v->data + begin, j->zero, j->out + begin, end - begin);
  else if (v->dtype == LAMINA_DTYPE_UINT8)
    lamina_int8_widen_u8 ((const guint8 *) v->data + begin, j->zero, j->out + begin, end - begin);
  else
    for (gint64 i = begin; i < end; i++)
      j->out[i] = (gint16) (lamina_int8_load (v->data, v->dtype, i) - j->zero);
}

/* x − zero as int16 (int8/uint8 values: |x − zero| ≤ 255), and two zeros
 * past the end (the packed kernel reads whole pairs). */
static gint16 *
widen (LaminaParallel *p, const LaminaValue *v, gint32 zero)
{
  WidenJob j = { v, zero, g_new (gint16, v->numel + 2) };

  j.out[v->numel] = j.out[v->numel + 1] = 0;
  lamina_parallel_for (p, v->numel, LAMINA_ELEMENTWISE_GRAIN, widen_range, &j);
  return j.out;
}

/* w − zero[channel of the element] as int16; the output channel of an
 * element is its index divided by w_o, or modulo cout when w_o == 1 (1HWO). */
static gint16 *
widen_filter (const LaminaConvGeom *g, const LaminaValue *w, const gint32 *zero, gint64 n_zero)
{
  gint16 *out = g_new (gint16, MAX (w->numel, 1));

  for (gint64 i = 0; i < w->numel; i++)
    {
      gint64 co = g->w_o == 1 ? i % g->cout : i / g->w_o;
      out[i] = (gint16) (lamina_int8_load (w->data, w->dtype, i) - zero[n_zero == 1 ? 0 : co]);
    }
  return out;
}

static gboolean
is_byte_dtype (LaminaDType t)
{
  return t == LAMINA_DTYPE_INT8 || t == LAMINA_DTYPE_UINT8;
}

/* How the int32 sums become the output: TFLite's fixed-point multipliers,
 * or ONNX Runtime's float scales (scale set; lamina-fixed.h). */
typedef struct {
  gboolean       raw;          /* ConvInteger / MatMulInteger: the sums are the output */
  const gint32  *multiplier;   /* per output channel (or 1 entry) */
  const int     *shift;
  const float   *scale;        /* NULL, or per output channel (or 1 entry) */
  gint64         n_mult;
  gint32         zero, lo, hi;
} Requant;

static inline gint32
requant_sum (const Requant *rq, gint64 c, gint32 acc)
{
  gint32 v = rq->scale != NULL ? lamina_fixed_requant_float (acc, rq->scale[c])
                               : lamina_fixed_mul (acc, rq->multiplier[c], rq->shift[c]);

  return lamina_fixed_clamp (v + rq->zero, rq->lo, rq->hi);
}

typedef struct {
  const LaminaConvGeom *g;
  const Requant        *rq;
  const gint32         *acc;
  LaminaValue          *y;
} StoreJob;

static void
store_range (gint64 begin, gint64 end, gpointer data)
{
  const StoreJob *j = data;
  const Requant *rq = j->rq;
  gint64 cout = j->g->cout;
  gboolean per_channel = rq->n_mult != 1;

  for (gint64 i = begin; i < end; i++)
    {
      gint64 c = !per_channel ? 0 : j->g->channels_last ? i % cout : (i / j->g->y_c) % cout;
      lamina_int8_store (j->y->data, j->y->dtype, i, requant_sum (rq, c, j->acc[i]));
    }
}

static void
store_output (LaminaParallel *p, const LaminaConvGeom *g, const Requant *rq, const gint32 *acc, LaminaValue *y)
{
  StoreJob j = { g, rq, acc, y };

  if (rq->raw)
    {
      if (acc != y->data)
        memcpy (y->data, acc, y->numel * sizeof (gint32));
      return;
    }
  lamina_parallel_for (p, y->numel, LAMINA_ELEMENTWISE_GRAIN, store_range, &j);
}

/* The blocked kernel: channels-last, one group, 8-bit output, AVX2. */
static gboolean
packed_applies (const LaminaConvGeom *g, const Requant *rq, const LaminaValue *y)
{
  return fast_path_applies (g) && !rq->raw && is_byte_dtype (y->dtype) && lamina_int8_gemm_supported ();
}

/* The packed filter of prepare (Conv2D with a constant filter), or NULL. */
static const LaminaInt8Packed *
prepared_filter (const LaminaKernelCall *call, const LaminaConvGeom *g)
{
  const LaminaInt8Packed *pw = call->state;

  if (pw == NULL || pw->cout != g->cout || pw->k != g->k[0] * g->k[1] * g->cin)
    return NULL;
  return pw;
}

/* rq as the per-channel arrays of the blocked kernels (cout entries each,
 * owned here: row_requant_clear frees them). */
typedef struct {
  LaminaInt8RowRequant row;
  gint32              *zeros, *mult, *left, *right;
  float               *scale;
} RowRequant;

static void
row_requant_init (RowRequant *r, const Requant *rq, gint64 cout, const gint32 *bias)
{
  gint64 n = MAX (cout, 1);

  r->zeros = g_new0 (gint32, n), r->mult = g_new (gint32, n), r->left = g_new (gint32, n);
  r->right = g_new (gint32, n), r->scale = g_new (float, n);
  for (gint64 c = 0; c < cout; c++)
    {
      gint64 i = rq->n_mult == 1 ? 0 : c;
      if (rq->scale != NULL)
        r->scale[c] = rq->scale[i];
      else
        r->mult[c] = rq->multiplier[i], r->left[c] = MAX (rq->shift[i], 0), r->right[c] = MAX (-rq->shift[i], 0);
    }
  r->row = (LaminaInt8RowRequant) { bias ? bias : r->zeros, r->mult, r->left, r->right, rq->scale ? r->scale : NULL,
                                    rq->zero, rq->lo, rq->hi };
}

static void
row_requant_clear (RowRequant *r)
{
  g_free (r->zeros), g_free (r->mult), g_free (r->left), g_free (r->right), g_free (r->scale);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RowRequant, row_requant_clear)

/* A 2-D one-group filter of any layout (g's w strides) as the packed
 * kernel's OHWI panels, zero points subtracted. */
static LaminaInt8Packed *
pack_filter (const LaminaConvGeom *g, const LaminaValue *w, const gint32 *zero, gint64 n_zero)
{
  gint64 k = g->k[0] * g->k[1] * g->cin;
  g_autofree gint16 *ohwi = g_new (gint16, MAX (g->cout * k, 1));
  gint16 *dst = ohwi;

  for (gint64 o = 0; o < g->cout; o++)
    for (gint64 k0 = 0; k0 < g->k[0]; k0++)
      for (gint64 k1 = 0; k1 < g->k[1]; k1++)
        for (gint64 i = 0; i < g->cin; i++)
          *dst++ = (gint16) (lamina_int8_load (w->data, w->dtype, o * g->w_o + i * g->w_i + k0 * g->w_sp[0] + k1 * g->w_sp[1])
                             - zero[n_zero == 1 ? 0 : o]);
  return lamina_int8_pack_filter (ohwi, g->cout, k);
}

/* The packed kernel on channels-last x (geometry g) into the bytes y:
 * on x's bytes where the CPU and the filter allow, else on x widened. */
static void
convolve_packed (const LaminaKernelCall *call, const LaminaConvGeom *g, const LaminaValue *x, gint32 x_zero,
                 const LaminaInt8Packed *pw, const gint32 *bias, const Requant *rq, guint8 *y)
{
  g_auto(RowRequant) r = { 0 };

  row_requant_init (&r, rq, g->cout, bias);
  if (is_byte_dtype (x->dtype) && lamina_int8_conv_packed_bytes_applies (pw))
    lamina_int8_conv_packed_bytes (call->parallel, g, x, x_zero, pw, &r.row, y);
  else
    {
      g_autofree gint16 *xw = widen (call->parallel, x, x_zero);
      lamina_int8_conv_packed (call->parallel, g, xw, pw, NULL, &r.row, NULL, y);
    }
}

/* Dense NCHW, one group, 2-D, 8-bit output (ONNX QLinearConv, the QDQ
 * convolutions the simulator fuses). */
static gboolean
nchw_dense_applies (const LaminaConvGeom *g, const Requant *rq, const LaminaValue *y)
{
  gint64 kk = g->k[0] * g->k[1];

  return !g->channels_last && g->nsp == 2 && g->group == 1 && g->x_sp[1] == 1 && g->x_sp[0] == g->in[1]
         && g->x_c == g->in[0] * g->in[1] && g->y_sp[1] == 1 && g->y_c == g->out[0] * g->out[1]
         && g->w_sp[1] == 1 && g->w_sp[0] == g->k[1] && g->w_i == kk && g->w_o == g->cin * kk
         && !rq->raw && is_byte_dtype (y->dtype) && lamina_int8_gemm_supported ();
}

/* NCHW, 2-D, one group, 8-bit input and output, ONNX Runtime's
 * requantization: a matrix product on the planes (lamina_int8_gemm_nchw),
 * no transposes. */
static gboolean
nchw_gemm_applies (const LaminaConvGeom *g, const Requant *rq, const LaminaValue *x, const LaminaValue *y)
{
  return nchw_dense_applies (g, rq, y) && rq->scale != NULL && is_byte_dtype (x->dtype);
}

static void
convolve_nchw_gemm (const LaminaKernelCall *call, const LaminaConvGeom *g, const LaminaValue *x, gint32 x_zero,
                   const LaminaValue *w, const gint32 *w_zero, gint64 n_w_zero, const gint32 *bias,
                   const Requant *rq, LaminaValue *y)
{
  const LaminaInt8Packed *pw = prepared_filter (call, g);
  g_autoptr(LaminaInt8Rows) own = NULL;
  g_auto(RowRequant) r = { 0 };
  const LaminaInt8Rows *rows = pw ? pw->rows : NULL;

  if (rows == NULL)
    {
      g_autofree gint16 *ww = widen_filter (g, w, w_zero, n_w_zero);
      rows = own = lamina_int8_rows_new (ww, g->cout, g->cin * g->k[0] * g->k[1]);
    }
  row_requant_init (&r, rq, g->cout, bias);
  lamina_int8_gemm_nchw (call->parallel, g, x, x_zero, rows, &r.row, y->data);
}


/* ---- depthwise on the float kernels ------------------------------------------ */

/* A depthwise convolution (one input and one output channel per group)
 * whose sums stay below 2^24: float arithmetic on the widened integers is
 * then exact in any order, so the float kernel's fast depthwise loops give
 * the integer sums. |x − z_x| and |w − z_w| are at most 255. */
static gboolean
depthwise_float_applies (const LaminaConvGeom *g, const Requant *rq)
{
  gint64 kk = 1;

  for (int d = 0; d < g->nsp; d++)
    kk *= g->k[d];
  return g->group == g->cin && g->cout == g->cin && kk * 255 * 255 < (1 << 24) && !rq->raw;
}

typedef struct {
  const LaminaValue *v;
  gint32             zero;
  float             *out;
} FloatJob;

LAMINA_VECTOR_CLONES static void
widen_float_range (gint64 begin, gint64 end, gpointer data)
{
  const FloatJob *j = data;

  if (j->v->dtype == LAMINA_DTYPE_INT8)
    for (gint64 i = begin; i < end; i++)
      j->out[i] = (float) (((const gint8 *) j->v->data)[i] - j->zero);
  else if (j->v->dtype == LAMINA_DTYPE_UINT8)
    for (gint64 i = begin; i < end; i++)
      j->out[i] = (float) (((const guint8 *) j->v->data)[i] - j->zero);
  else
    for (gint64 i = begin; i < end; i++)
      j->out[i] = (float) (lamina_int8_load (j->v->data, j->v->dtype, i) - j->zero);
}

typedef struct {
  const LaminaConvGeom *g;
  const Requant        *rq;
  const gint32         *bias;
  const float          *acc;
  LaminaValue          *y;
} FloatStoreJob;

/* n sums of channel c into bytes: ONNX Runtime's float requantization. */
LAMINA_VECTOR_CLONES static void
requant_float_bytes (const float *acc, gint32 bias, float scale, gint32 zero, gint32 lo, gint32 hi, guint8 *y,
                     gint64 n)
{
  float vlo = (float) (lo - zero), vhi = (float) (hi - zero);

  /* clamped first, then rounded half to even by adding and subtracting
   * 1.5·2^23 (exact for |v| < 2^22; MLAS does the same): unlike
   * nearbyintf this vectorises */
  for (gint64 i = 0; i < n; i++)
    {
      float v = (float) ((gint32) acc[i] + bias) * scale;
      v = v < vlo ? vlo : v > vhi ? vhi : v;
      v = (v + 12582912.0f) - 12582912.0f;
      y[i] = (guint8) ((gint32) v + zero);
    }
}

/* NCHW: one (n, c) plane per task; NHWC: one pixel of all channels. */
static void
store_float_sums (gint64 begin, gint64 end, gpointer data)
{
  const FloatStoreJob *j = data;
  const Requant *rq = j->rq;
  gint64 cout = j->g->cout, size = j->g->channels_last ? cout : j->g->y_c;
  gboolean bytes = is_byte_dtype (j->y->dtype);

  for (gint64 r = begin; r < end; r++)
    {
      gint64 c0 = j->g->channels_last ? 0 : r % cout, k;
      if (!j->g->channels_last && bytes && rq->scale != NULL)
        {
          k = rq->n_mult == 1 ? 0 : c0;
          requant_float_bytes (j->acc + r * size, j->bias ? j->bias[c0] : 0, rq->scale[k], rq->zero, rq->lo, rq->hi,
                               (guint8 *) j->y->data + r * size, size);
          continue;
        }
      for (gint64 i = r * size; i < (r + 1) * size; i++)
        {
          gint64 c = j->g->channels_last ? i % cout : c0;
          gint32 sum = (gint32) j->acc[i] + (j->bias ? j->bias[c] : 0);
          lamina_int8_store (j->y->data, j->y->dtype, i, requant_sum (rq, rq->n_mult == 1 ? 0 : c, sum));
        }
    }
}

/* NCHW, 2-D, bytes in and out, ONNX Runtime's requantization: each plane
 * is widened straight into the float kernel's padded plane buffer and its
 * rows requantized as they come (no float copies of x and y). */
static gboolean
depthwise_planes_apply (const LaminaConvGeom *g, const Requant *rq, const LaminaValue *x, const LaminaValue *y)
{
  return !g->channels_last && g->nsp == 2 && is_byte_dtype (x->dtype) && is_byte_dtype (y->dtype)
         && rq->scale != NULL && g->x_sp[1] == 1 && g->x_sp[0] == g->in[1] && g->x_c == g->in[0] * g->in[1]
         && g->y_sp[1] == 1 && g->y_sp[0] == g->out[1] && g->y_c == g->out[0] * g->out[1];
}

typedef struct {
  const LaminaConvGeom *g;
  const Requant        *rq;
  const LaminaValue    *x;
  gint32                x_zero;
  const float          *w;      /* taps of each channel, zero points subtracted */
  const gint32         *bias;
  guint8               *y;
} DepthwiseJob;

/* Rows of plane (n, c) of x, minus the zero point, into the padded buffer
 * (0 outside the input) of lamina_conv_pad_plane's layout. */
LAMINA_VECTOR_CLONES static void
pad_plane_bytes (const DepthwiseJob *j, const guint8 *x, float *buf, gint64 width, gint64 rows)
{
  const LaminaConvGeom *g = j->g;
  gboolean is_signed = j->x->dtype == LAMINA_DTYPE_INT8;

  gint64 lo = MAX (g->pad[1], 0), hi = MIN (g->pad[1] + g->in[1], width);

  for (gint64 r = 0; r < rows; r++)
    {
      gint64 i0 = r - g->pad[0];
      float *row = buf + r * width;
      const guint8 *src = x + i0 * g->in[1] - g->pad[1];
      if (!inside (i0, g->in[0]))
        {
          memset (row, 0, width * sizeof *row);
          continue;
        }
      /* the padding columns only (the buffer's columns past the input) */
      memset (row, 0, lo * sizeof *row);
      memset (row + hi, 0, (width - hi) * sizeof *row);
      if (is_signed)
        for (gint64 c = lo; c < hi; c++)
          row[c] = (float) ((gint8) src[c] - j->x_zero);
      else
        for (gint64 c = lo; c < hi; c++)
          row[c] = (float) (src[c] - j->x_zero);
    }
}

static void
depthwise_bytes_range (gint64 begin, gint64 end, gpointer data)
{
  const DepthwiseJob *j = data;
  const LaminaConvGeom *g = j->g;
  const Requant *rq = j->rq;
  gint64 width = lamina_conv_plane_width (g), rows = lamina_conv_plane_size (g) / width;
  gint64 nrow = lamina_conv_window_plane_size (g) / MAX (g->out[0], 1), kk = g->k[0] * g->k[1];
  g_autofree float *buf = g_new0 (float, lamina_conv_plane_size (g) + lamina_conv_window_plane_size (g));
  g_autofree guint8 *bytes = g_new (guint8, MAX (lamina_conv_window_plane_size (g), 1));
  float *plane = buf + lamina_conv_plane_size (g);

  for (gint64 i = begin; i < end; i++)
    {
      gint64 n = i / g->cout, c = i % g->cout;
      guint8 *y = j->y + i * g->y_c;
      pad_plane_bytes (j, (const guint8 *) j->x->data + n * g->x_n + c * g->x_c, buf, width, rows);
      lamina_conv_window_plane (g, buf, j->w + c * kk, FALSE, 0.0f, plane);
      /* the whole plane at once (its rows are short), then row by row out */
      requant_float_bytes (plane, j->bias ? j->bias[c] : 0, rq->scale[rq->n_mult == 1 ? 0 : c], rq->zero, rq->lo,
                           rq->hi, bytes, g->out[0] * nrow);
      for (gint64 o0 = 0; o0 < g->out[0]; o0++)
        memcpy (y + o0 * g->out[1], bytes + o0 * nrow, g->out[1]);
    }
}

/* depthwise_float_applies: x and w widened to float, the float kernel's
 * sums (no bias, no clamp), then bias and requantization in integers. */
static void
convolve_depthwise_float (const LaminaKernelCall *call, const LaminaConvGeom *g, const LaminaValue *x, gint32 x_zero,
                          const LaminaValue *w, const gint32 *w_zero, gint64 n_w_zero, const gint32 *bias,
                          const Requant *rq, LaminaValue *y)
{
  g_autofree float *xf = NULL, *wf = g_new (float, MAX (w->numel, 1)), *acc = NULL;
  FloatJob xj = { x, x_zero, NULL };
  LaminaConvGeom fg = *g;
  FloatStoreJob sj = { g, rq, bias, NULL, y };

  for (gint64 i = 0; i < w->numel; i++)
    {
      gint64 co = g->w_o == 1 ? i % g->cout : i / g->w_o;
      wf[i] = (float) (lamina_int8_load (w->data, w->dtype, i) - w_zero[n_w_zero == 1 ? 0 : co]);
    }
  if (depthwise_planes_apply (g, rq, x, y) && g->w_o == g->k[0] * g->k[1] && g->w_sp[0] == g->k[1] && g->w_sp[1] == 1)
    {
      DepthwiseJob dj = { g, rq, x, x_zero, wf, bias, y->data };
      lamina_parallel_for (call->parallel, g->batch * g->cout, 4, depthwise_bytes_range, &dj);
      return;
    }
  xj.out = xf = g_new (float, MAX (x->numel, 1));
  sj.acc = acc = g_new (float, MAX (y->numel, 1));
  lamina_parallel_for (call->parallel, x->numel, LAMINA_ELEMENTWISE_GRAIN, widen_float_range, &xj);
  fg.lo = -INFINITY, fg.hi = INFINITY;
  lamina_conv_fast (call->parallel, &fg, xf, wf, NULL, NULL, acc);
  lamina_parallel_for (call->parallel, g->channels_last ? y->numel / MAX (g->cout, 1) : g->batch * g->cout,
                       g->channels_last ? 64 : 1, store_float_sums, &sj);
}

/* The integer depthwise kernel (lamina_int8_depthwise_bytes) on an OIHW
 * filter, when it applies; FALSE leaves the convolution to the others. */
static gboolean
convolve_depthwise_bytes (const LaminaKernelCall *call, const LaminaConvGeom *g, const LaminaValue *x, gint32 x_zero,
                          const LaminaValue *w, const gint32 *w_zero, gint64 n_w_zero, const gint32 *bias,
                          const Requant *rq, LaminaValue *y)
{
  g_autofree gint16 *ww = NULL;
  g_auto(RowRequant) r = { 0 };

  if (g->w_o != g->k[0] * g->k[1] || g->w_sp[0] != g->k[1] || g->w_sp[1] != 1)
    return FALSE;
  ww = widen_filter (g, w, w_zero, n_w_zero);
  if (!lamina_int8_depthwise_bytes_applies (g, ww))
    return FALSE;
  row_requant_init (&r, rq, g->cout, bias);
  lamina_int8_depthwise_bytes (call->parallel, g, x, x_zero, ww, &r.row, y->data);
  return TRUE;
}

/* Widens the operands, convolves (fast path unless LAMINA_INT8_REFERENCE
 * is set, for tests) and writes y. */
static gboolean
convolve (const LaminaKernelCall *call, const LaminaConvGeom *g, const LaminaValue *x, gint32 x_zero,
          const LaminaValue *w, const gint32 *w_zero, gint64 n_w_zero, const gint32 *bias, const Requant *rq,
          LaminaValue *y)
{
  gboolean reference = g_getenv ("LAMINA_INT8_REFERENCE") != NULL;
  g_autofree gint16 *xw = NULL, *ww = NULL;
  g_autofree gint32 *acc = NULL;
  gint32 *sums;

  if (!reference && nchw_gemm_applies (g, rq, x, y))
    {
      convolve_nchw_gemm (call, g, x, x_zero, w, w_zero, n_w_zero, bias, rq, y);
      return TRUE;
    }
  if (!reference && depthwise_float_applies (g, rq) && depthwise_planes_apply (g, rq, x, y)
      && convolve_depthwise_bytes (call, g, x, x_zero, w, w_zero, n_w_zero, bias, rq, y))
    return TRUE;
  if (!reference && depthwise_float_applies (g, rq))
    {
      convolve_depthwise_float (call, g, x, x_zero, w, w_zero, n_w_zero, bias, rq, y);
      return TRUE;
    }
  if (!reference && packed_applies (g, rq, y))
    {
      g_autoptr(LaminaInt8Packed) own = NULL;
      const LaminaInt8Packed *pw = prepared_filter (call, g);
      if (pw == NULL)
        pw = own = pack_filter (g, w, w_zero, n_w_zero);
      convolve_packed (call, g, x, x_zero, pw, bias, rq, y->data);
      return TRUE;
    }
  xw = widen (call->parallel, x, x_zero);
  ww = widen_filter (g, w, w_zero, n_w_zero);
  acc = rq->raw ? NULL : g_new (gint32, MAX (y->numel, 1));
  sums = rq->raw ? y->data : acc;
  if (reference)
    lamina_int8_conv_reference (g, xw, ww, bias, sums);
  else
    lamina_int8_conv_fast (call->parallel, g, xw, ww, bias, sums);
  store_output (call->parallel, g, rq, sums, y);
  return TRUE;
}

/* Per-channel multipliers s_x · s_w[c] / s_y. */
static gboolean
channel_multipliers (const LaminaKernelCall *call, double s_x, const float *s_w, gint64 n, double s_y,
                     gint32 *multiplier, int *shift, GError **error)
{
  for (gint64 c = 0; c < n; c++)
    if (!lamina_fixed_quantize_multiplier (s_x * (double) s_w[c] / s_y, &multiplier[c], &shift[c]))
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("invalid quantization scales"));
  return TRUE;
}

static gboolean
fail_attr (const LaminaKernelCall *call, const char *name, GError **error)
{
  return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("attribute “%s” is invalid"), name);
}

/* Bias: absent, or int32 [cout]. */
static gboolean
check_bias (const LaminaKernelCall *call, guint i, gint64 cout, GError **error)
{
  const LaminaValue *b = i < call->n_inputs ? call->inputs[i] : NULL;

  if (b == NULL)
    return TRUE;
  if (b->dtype != LAMINA_DTYPE_INT32)
    return lamina_kernel_fail_dtype (call, i, error);
  if (b->rank != 1 || b->dims[0] != cout)
    return lamina_int8_fail_shapes (call, 0, i, error);
  return TRUE;
}

static const gint32 *
bias_data (const LaminaKernelCall *call, guint i)
{
  return i < call->n_inputs && call->inputs[i] != NULL ? call->inputs[i]->data : NULL;
}

static gboolean
set_conv_output (LaminaKernelCall *call, const LaminaConvGeom *g, LaminaDType dtype, GError **error)
{
  gint64 dims[2 + SP];

  if (call->outputs[0] == NULL)
    return TRUE;
  dims[0] = g->batch;
  dims[g->channels_last ? g->nsp + 1 : 1] = g->cout;
  for (int d = 0; d < g->nsp; d++)
    dims[d + (g->channels_last ? 1 : 2)] = g->out[d];
  return lamina_value_set_shape (call->outputs[0], dtype, g->nsp + 2, dims, error);
}

/* ---- TFLite Conv2D / DepthwiseConv2D --------------------------------------------------- */

/* NHWC x, OHWI (or 1HWO depthwise) filter, SAME/VALID padding. The same
 * layout rules as the float kernels of lamina-ops-conv.c. */
static gboolean
tflite_geom (const LaminaKernelCall *call, gboolean depthwise, LaminaConvGeom *g, GError **error)
{
  const LaminaValue *x, *w;
  const char *padding = lamina_node_get_string (call->node, "padding", "SAME");
  gint64 end;

  if (!lamina_kernel_check_inputs (call, 2, 3, error))
    return FALSE;
  x = call->inputs[0];
  w = call->inputs[1];
  memset (g, 0, sizeof *g);
  if (x->rank != 4 || w->rank != 4)
    return lamina_int8_fail_shapes (call, 0, 1, error);
  g->nsp = 2;
  g->k[0] = w->dims[1];
  g->k[1] = w->dims[2];
  g->batch = x->dims[0];
  g->cin = x->dims[3];
  g->cout = depthwise ? w->dims[3] : w->dims[0];
  if (depthwise)
    {
      if (w->dims[0] != 1 || g->cin == 0 || g->cout % g->cin != 0)
        return lamina_int8_fail_shapes (call, 0, 1, error);
      g->group = g->cin;
      g->w_o = 1, g->w_i = 0, g->w_sp[0] = g->k[1] * g->cout, g->w_sp[1] = g->cout;
    }
  else
    {
      if (w->dims[3] == 0 || g->cin % w->dims[3] != 0 || g->cout % (g->cin / w->dims[3]) != 0)
        return lamina_int8_fail_shapes (call, 0, 1, error);
      g->group = g->cin / w->dims[3];
      g->w_o = g->k[0] * g->k[1] * w->dims[3], g->w_i = 1, g->w_sp[0] = g->k[1] * w->dims[3], g->w_sp[1] = w->dims[3];
    }
  g->stride[0] = lamina_node_get_int (call->node, "stride_h", 1);
  g->stride[1] = lamina_node_get_int (call->node, "stride_w", 1);
  g->dil[0] = lamina_node_get_int (call->node, "dilation_h_factor", 1);
  g->dil[1] = lamina_node_get_int (call->node, "dilation_w_factor", 1);
  if (!g_str_equal (padding, "SAME") && !g_str_equal (padding, "VALID"))
    return fail_attr (call, "padding", error);
  for (int d = 0; d < 2; d++)
    {
      if (g->stride[d] < 1 || g->stride[d] > G_MAXINT32 || g->dil[d] < 1 || g->dil[d] > G_MAXINT32)
        return fail_attr (call, g->stride[d] < 1 || g->stride[d] > G_MAXINT32 ? "stride" : "dilation", error);
      g->in[d] = x->dims[1 + d];
      g->out[d] = lamina_conv_auto_pad (g_str_equal (padding, "SAME") ? "SAME_UPPER" : "VALID", g->in[d], g->k[d],
                                        g->stride[d], g->dil[d], &g->pad[d], &end);
      if (g->out[d] < 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("the window is larger than the padded input"));
    }
  lamina_conv_geom_dense (g, TRUE);
  return check_bias (call, 2, g->cout, error);
}

/* The filter's scales (per tensor or per output channel) and zero points. */
static gboolean
tflite_filter_quant (const LaminaKernelCall *call, const LaminaConvGeom *g, gboolean depthwise, gint32 *zero,
                     const float **scale, gint64 *n, GError **error)
{
  const LaminaQuant *q = lamina_int8_quant (call, 1, FALSE);
  const LaminaValue *w = call->inputs[1];

  if (!is_byte_dtype (w->dtype))
    return lamina_kernel_fail_dtype (call, 1, error);
  if (q == NULL || q->scale == NULL || q->n == 0
      || (q->n != 1 && (q->n != (guint) g->cout || q->axis != (depthwise ? 3 : 0))))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("input %u: missing or invalid quantization parameters"), 1);
  *n = q->n;
  *scale = q->scale;
  for (gint64 c = 0; c < *n; c++)
    zero[c] = q->zero_point ? (gint32) CLAMP (q->zero_point[c], -255, 255) : 0;
  return TRUE;
}

static gboolean
tflite_conv_reshape_any (LaminaKernelCall *call, gboolean depthwise, GError **error)
{
  LaminaConvGeom g;
  LaminaQParams px, py;
  LaminaDType yt;

  if (!tflite_geom (call, depthwise, &g, error))
    return FALSE;
  yt = lamina_int8_output_dtype (call, 0, call->inputs[0]->dtype);
  if (!is_byte_dtype (call->inputs[0]->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!lamina_int8_params (call, 0, FALSE, call->inputs[0]->dtype, &px, error)
      || !lamina_int8_params (call, 0, TRUE, yt, &py, error))
    return FALSE;
  return set_conv_output (call, &g, yt, error);
}

static gboolean
tflite_conv_run_any (LaminaKernelCall *call, gboolean depthwise, GError **error)
{
  LaminaValue *y = call->outputs[0];
  LaminaConvGeom g;
  LaminaQParams px, py;
  const float *w_scale = NULL;
  gint64 n = 0;
  g_autofree gint32 *zero = NULL, *multiplier = NULL;
  g_autofree int *shift = NULL;
  Requant rq = { FALSE };

  if (y == NULL)
    return TRUE;
  if (!tflite_geom (call, depthwise, &g, error) || !lamina_int8_params (call, 0, FALSE, call->inputs[0]->dtype, &px, error)
      || !lamina_int8_params (call, 0, TRUE, y->dtype, &py, error))
    return FALSE;
  zero = g_new (gint32, MAX (g.cout, 1));
  multiplier = g_new (gint32, MAX (g.cout, 1));
  shift = g_new (int, MAX (g.cout, 1));
  if (!tflite_filter_quant (call, &g, depthwise, zero, &w_scale, &n, error)
      || !channel_multipliers (call, px.scale, w_scale, n, py.scale, multiplier, shift, error)
      || !lamina_int8_activation_range (call, &py, &rq.lo, &rq.hi, error))
    return FALSE;
  rq.multiplier = multiplier;
  rq.shift = shift;
  rq.n_mult = n;
  rq.zero = py.zero;
  return convolve (call, &g, call->inputs[0], px.zero, call->inputs[1], zero, n, bias_data (call, 2), &rq, y);
}

/* A constant filter is widened and packed once (the run checks the
 * geometry; anything unexpected here leaves the work to the run, which
 * reports errors). */
gboolean
lamina_int8_conv2d_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  const LaminaValue *w = call->n_inputs > 1 ? call->inputs[1] : NULL;
  LaminaConvGeom g = { 0 };
  const float *scale;
  gint64 n;
  g_autofree gint32 *zero = NULL;
  g_autofree gint16 *ww = NULL;

  (void) error;
  *state = NULL;
  if (w == NULL || w->rank != 4 || w->dims[0] < 1 || !lamina_int8_gemm_supported ())
    return TRUE;
  g.cout = w->dims[0];
  g.w_o = w->numel / g.cout;
  zero = g_new (gint32, g.cout);
  if (!tflite_filter_quant (call, &g, FALSE, zero, &scale, &n, NULL))
    return TRUE;
  ww = widen_filter (&g, w, zero, n);
  *state = lamina_int8_pack_filter (ww, g.cout, g.w_o);
  return TRUE;
}

void
lamina_int8_conv_state_free (gpointer state)
{
  lamina_int8_packed_free (state);
}

gboolean
lamina_int8_conv2d_reshape (LaminaKernelCall *call, GError **error)
{
  return tflite_conv_reshape_any (call, FALSE, error);
}

gboolean
lamina_int8_conv2d_run (LaminaKernelCall *call, GError **error)
{
  return tflite_conv_run_any (call, FALSE, error);
}

gboolean
lamina_int8_depthwise_reshape (LaminaKernelCall *call, GError **error)
{
  return tflite_conv_reshape_any (call, TRUE, error);
}

gboolean
lamina_int8_depthwise_run (LaminaKernelCall *call, GError **error)
{
  return tflite_conv_run_any (call, TRUE, error);
}

/* ---- ONNX QLinearConv / ConvInteger ----------------------------------------------------- */

static gboolean
spatial_attr (const LaminaKernelCall *call, const char *name, int n, gint64 min, gint64 def, gint64 *out,
              GError **error)
{
  guint len;
  const gint64 *v = lamina_node_get_ints (call->node, name, &len);

  for (int i = 0; i < n; i++)
    out[i] = def;
  if (v == NULL)
    return TRUE;
  if ((int) len != n)
    return fail_attr (call, name, error);
  for (int i = 0; i < n; i++)
    {
      if (v[i] < min || v[i] > G_MAXINT32)
        return fail_attr (call, name, error);
      out[i] = v[i];
    }
  return TRUE;
}

/* NCHW x, OIHW w; group, strides, dilations, pads / auto_pad as ONNX Conv. */
static gboolean
onnx_geom (const LaminaKernelCall *call, const LaminaValue *x, const LaminaValue *w, LaminaConvGeom *g,
           GError **error)
{
  const char *auto_pad = lamina_node_get_string (call->node, "auto_pad", "NOTSET");
  gint64 pads[2 * SP], ks = 1, end;

  memset (g, 0, sizeof *g);
  if (w->rank < 3 || w->rank > 2 + SP || x->rank != w->rank)
    return lamina_int8_fail_shapes (call, 0, 1, error);
  g->nsp = w->rank - 2;
  g->group = lamina_node_get_int (call->node, "group", 1);
  if (g->group < 1 || g->group > G_MAXINT32)
    return fail_attr (call, "group", error);
  g->batch = x->dims[0];
  g->cin = w->dims[1] * g->group;
  g->cout = w->dims[0];
  if (g->cin == 0 || g->cout % g->group != 0 || x->dims[1] != g->cin)
    return lamina_int8_fail_shapes (call, 0, 1, error);
  if (!spatial_attr (call, "strides", g->nsp, 1, 1, g->stride, error)
      || !spatial_attr (call, "dilations", g->nsp, 1, 1, g->dil, error)
      || !spatial_attr (call, "pads", 2 * g->nsp, 0, 0, pads, error))
    return FALSE;
  for (int d = 0; d < g->nsp; d++)
    {
      g->k[d] = w->dims[2 + d];
      g->in[d] = x->dims[2 + d];
      if (g_str_equal (auto_pad, "NOTSET"))
        {
          g->pad[d] = pads[d];
          g->out[d] = lamina_conv_out_size (g->in[d], g->k[d], g->stride[d], g->dil[d], pads[d], pads[g->nsp + d],
                                            FALSE);
        }
      else if (g_str_equal (auto_pad, "VALID") || g_str_equal (auto_pad, "SAME_UPPER")
               || g_str_equal (auto_pad, "SAME_LOWER"))
        g->out[d] = lamina_conv_auto_pad (auto_pad, g->in[d], g->k[d], g->stride[d], g->dil[d], &g->pad[d], &end);
      else
        return fail_attr (call, "auto_pad", error);
      if (g->out[d] < 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("the window is larger than the padded input"));
    }
  lamina_conv_geom_dense (g, FALSE);
  for (int d = SP - 1; d >= 0; d--)
    {
      g->w_sp[d] = d < g->nsp ? ks : 0;
      ks *= g->k[d];
    }
  g->w_i = ks;
  g->w_o = (g->cin / g->group) * ks;
  return TRUE;
}

/* An optional zero-point input: absent (0), a scalar, or (per_channel > 0)
 * a 1-D tensor of per_channel entries; values into zero[]. */
static gboolean
zero_points (const LaminaKernelCall *call, guint i, LaminaDType dtype, gint64 per_channel, gint32 *zero, gint64 *n,
             GError **error)
{
  const LaminaValue *z = i < call->n_inputs ? call->inputs[i] : NULL;

  *n = 1;
  zero[0] = 0;
  if (z == NULL)
    return TRUE;
  if (z->dtype != dtype)
    return lamina_kernel_fail_dtype (call, i, error);
  if (z->numel != 1 && (per_channel <= 0 || z->rank != 1 || z->numel != per_channel))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("input %u: the zero point must be a scalar or have one entry per channel"), i);
  *n = z->numel;
  for (gint64 c = 0; c < *n; c++)
    zero[c] = lamina_int8_load (z->data, z->dtype, c);
  return TRUE;
}

/* A float32 scale input: a scalar, or 1-D with per_channel entries. */
static gboolean
scales (const LaminaKernelCall *call, guint i, gint64 per_channel, const float **scale, gint64 *n, GError **error)
{
  const LaminaValue *s = call->inputs[i];

  if (s->dtype != LAMINA_DTYPE_FLOAT32)
    return lamina_kernel_fail_dtype (call, i, error);
  if (s->numel != 1 && (per_channel <= 0 || s->rank != 1 || s->numel != per_channel))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("input %u: the scale must be a scalar or have one entry per channel"), i);
  for (gint64 c = 0; c < s->numel; c++)
    if (!(((const float *) s->data)[c] > 0.0f))
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("invalid quantization scales"));
  *scale = s->data;
  *n = s->numel;
  return TRUE;
}

/* ConvInteger (x, w, x_zero_point, w_zero_point) → int32. */
gboolean
lamina_int8_conv_integer_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;

  if (!lamina_kernel_check_inputs (call, 2, 4, error))
    return FALSE;
  if (!is_byte_dtype (call->inputs[0]->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!is_byte_dtype (call->inputs[1]->dtype))
    return lamina_kernel_fail_dtype (call, 1, error);
  if (!onnx_geom (call, call->inputs[0], call->inputs[1], &g, error))
    return FALSE;
  return set_conv_output (call, &g, LAMINA_DTYPE_INT32, error);
}

gboolean
lamina_int8_conv_integer_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0], *w = call->inputs[1];
  LaminaConvGeom g;
  gint32 x_zero;
  gint64 n;
  g_autofree gint32 *w_zero = NULL;
  Requant rq = { TRUE };

  if (call->outputs[0] == NULL)
    return TRUE;
  if (!onnx_geom (call, x, w, &g, error))
    return FALSE;
  w_zero = g_new (gint32, MAX (g.cout, 1));
  if (!zero_points (call, 2, x->dtype, 0, &x_zero, &n, error)
      || !zero_points (call, 3, w->dtype, g.cout, w_zero, &n, error))
    return FALSE;
  return convolve (call, &g, x, x_zero, w, w_zero, n, NULL, &rq, call->outputs[0]);
}

/* QLinearConv (x, x_scale, x_zero_point, w, w_scale, w_zero_point,
 * y_scale, y_zero_point, B) → the dtype of y_zero_point. */
gboolean
lamina_int8_qlinear_conv_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;

  if (!lamina_kernel_check_inputs (call, 8, 9, error))
    return FALSE;
  if (!is_byte_dtype (call->inputs[0]->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!is_byte_dtype (call->inputs[3]->dtype))
    return lamina_kernel_fail_dtype (call, 3, error);
  if (!is_byte_dtype (call->inputs[7]->dtype))
    return lamina_kernel_fail_dtype (call, 7, error);
  if (!onnx_geom (call, call->inputs[0], call->inputs[3], &g, error) || !check_bias (call, 8, g.cout, error))
    return FALSE;
  return set_conv_output (call, &g, call->inputs[7]->dtype, error);
}

/* ONNX Runtime's per-channel requantization scales s_x · s_w[c] / s_y,
 * in float32 as it computes them (lamina-fixed.h). */
static gboolean
channel_scales (const LaminaKernelCall *call, float s_x, const float *s_w, gint64 n, float s_y, float *scale,
                GError **error)
{
  for (gint64 c = 0; c < n; c++)
    {
      scale[c] = s_x * s_w[c] / s_y;
      if (!(scale[c] > 0.0f) || !isfinite (scale[c]))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("invalid quantization scales"));
    }
  return TRUE;
}

/* The packed OIHW filter of a QLinearConv with a constant 2-D filter and
 * one group, as the node's state (or of the QDQ convolution the simulator
 * fuses into one); anything unexpected leaves the work to the run. */
gboolean
lamina_int8_qlinear_conv_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  const LaminaValue *w = call->n_inputs > 3 ? call->inputs[3] : NULL;
  LaminaConvGeom g = { 0 };
  g_autofree gint32 *zero = NULL;
  g_autofree gint16 *ww = NULL;
  LaminaInt8Packed *pw;
  gint64 n;

  (void) error;
  *state = NULL;
  if (w == NULL || w->rank != 4 || w->dims[0] < 1 || lamina_node_get_int (call->node, "group", 1) != 1
      || !lamina_int8_gemm_supported ())
    return TRUE;
  g.nsp = 2, g.cout = w->dims[0], g.cin = w->dims[1], g.k[0] = w->dims[2], g.k[1] = w->dims[3];
  g.w_sp[1] = 1, g.w_sp[0] = g.k[1], g.w_i = g.k[0] * g.k[1], g.w_o = g.cin * g.w_i;
  zero = g_new (gint32, g.cout);
  if (!zero_points (call, 5, w->dtype, g.cout, zero, &n, NULL))
    return TRUE;
  *state = pw = pack_filter (&g, w, zero, n);
  ww = widen_filter (&g, w, zero, n);
  pw->rows = lamina_int8_rows_new (ww, g.cout, g.w_o);
  return TRUE;
}

gboolean
lamina_int8_qlinear_conv_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0], *w = call->inputs[3];
  LaminaValue *y = call->outputs[0];
  const float *s_x, *s_w, *s_y;
  gint32 x_zero, y_zero;
  gint64 n, n_sw, n_wz;
  LaminaConvGeom g;
  g_autofree gint32 *w_zero = NULL;
  g_autofree float *scale = NULL;
  Requant rq = { FALSE };
  LaminaQParams out;

  if (y == NULL)
    return TRUE;
  if (!onnx_geom (call, x, w, &g, error))
    return FALSE;
  w_zero = g_new (gint32, MAX (g.cout, 1));
  scale = g_new (float, MAX (g.cout, 1));
  if (!scales (call, 1, 0, &s_x, &n, error) || !zero_points (call, 2, x->dtype, 0, &x_zero, &n, error)
      || !scales (call, 4, g.cout, &s_w, &n_sw, error) || !zero_points (call, 5, w->dtype, g.cout, w_zero, &n_wz, error)
      || !scales (call, 6, 0, &s_y, &n, error) || !zero_points (call, 7, y->dtype, 0, &y_zero, &n, error)
      || !channel_scales (call, s_x[0], s_w, n_sw, s_y[0], scale, error))
    return FALSE;
  rq.scale = scale;
  rq.n_mult = n_sw;
  rq.zero = y_zero;
  lamina_fixed_range (y->dtype, &rq.lo, &rq.hi);
  /* a Relu/Clip the simulator fused (QDQ Conv) narrows the output range */
  out = (LaminaQParams) { y->dtype, s_y[0], y_zero, rq.lo, rq.hi };
  if (!lamina_int8_activation_range (call, &out, &rq.lo, &rq.hi, error))
    return FALSE;
  return convolve (call, &g, x, x_zero, w, w_zero, n_wz, bias_data (call, 8), &rq, y);
}

/* ---- QLinearMatMul / MatMulInteger ---------------------------------------------------- */

/* NumPy matmul shapes: a [..., M, K], b [..., K, N] (1-D operands are
 * promoted as NumPy does), batch dimensions broadcast. */
typedef struct {
  gint64 m, k, n, batch;
  int    rank;                            /* of the output */
  gint64 dims[LAMINA_MAX_RANK];
  gint64 a_batch[LAMINA_MAX_RANK], b_batch[LAMINA_MAX_RANK];  /* per batch dim: stride in matrices, 0 = broadcast */
  int    batch_rank;
} MatGeom;

static gboolean
mat_geom (const LaminaKernelCall *call, const LaminaValue *a, const LaminaValue *b, MatGeom *mg, GError **error)
{
  int ra = MAX (a->rank, 2), rb = MAX (b->rank, 2);
  gint64 ad[LAMINA_MAX_RANK], bd[LAMINA_MAX_RANK], sa = 1, sb = 1;

  if (a->rank < 1 || b->rank < 1)
    return lamina_int8_fail_shapes (call, 0, 1, error);
  /* promote: a [K] → [1, K], b [K] → [K, 1] */
  for (int d = 0; d < ra; d++)
    ad[d] = a->rank == 1 ? (d == 0 ? 1 : a->dims[0]) : a->dims[d];
  for (int d = 0; d < rb; d++)
    bd[d] = b->rank == 1 ? (d == 0 ? b->dims[0] : 1) : b->dims[d];
  mg->m = ad[ra - 2], mg->k = ad[ra - 1], mg->n = bd[rb - 1];
  if (bd[rb - 2] != mg->k)
    return lamina_int8_fail_shapes (call, 0, 1, error);
  mg->batch_rank = MAX (ra, rb) - 2;
  mg->batch = 1;
  for (int d = mg->batch_rank - 1; d >= 0; d--)
    {
      int ia = d - (mg->batch_rank - (ra - 2)), ib = d - (mg->batch_rank - (rb - 2));
      gint64 da = ia >= 0 ? ad[ia] : 1, db = ib >= 0 ? bd[ib] : 1;
      if (da != db && da != 1 && db != 1)
        return lamina_int8_fail_shapes (call, 0, 1, error);
      mg->dims[d] = MAX (da, db);
      mg->a_batch[d] = da == 1 ? 0 : sa;
      mg->b_batch[d] = db == 1 ? 0 : sb;
      sa *= da;
      sb *= db;
      mg->batch *= mg->dims[d];
    }
  mg->rank = mg->batch_rank;
  if (a->rank > 1)
    mg->dims[mg->rank++] = mg->m;
  if (b->rank > 1)
    mg->dims[mg->rank++] = mg->n;
  return TRUE;
}

/* acc[batch][m][n] = Σ_k (a − za[m]) (b − zb[n]) */
static void
mat_accumulate (const MatGeom *mg, const LaminaValue *a, const gint32 *za, gint64 n_za, const LaminaValue *b,
                const gint32 *zb, gint64 n_zb, gint32 *acc)
{
  for (gint64 t = 0; t < mg->batch; t++)
    {
      gint64 rest = t, ao = 0, bo = 0;
      for (int d = mg->batch_rank - 1; d >= 0; d--)
        {
          gint64 i = rest % mg->dims[d];
          rest /= mg->dims[d];
          ao += i * mg->a_batch[d];
          bo += i * mg->b_batch[d];
        }
      ao *= mg->m * mg->k;
      bo *= mg->k * mg->n;
      for (gint64 i = 0; i < mg->m; i++)
        for (gint64 j = 0; j < mg->n; j++)
          {
            gint32 s = 0;
            for (gint64 k = 0; k < mg->k; k++)
              s += (lamina_int8_load (a->data, a->dtype, ao + i * mg->k + k) - za[n_za == 1 ? 0 : i])
                   * (lamina_int8_load (b->data, b->dtype, bo + k * mg->n + j) - zb[n_zb == 1 ? 0 : j]);
            acc[(t * mg->m + i) * mg->n + j] = s;
          }
    }
}

gboolean
lamina_int8_matmul_integer_reshape (LaminaKernelCall *call, GError **error)
{
  MatGeom mg;

  if (!lamina_kernel_check_inputs (call, 2, 4, error))
    return FALSE;
  for (guint i = 0; i < 2; i++)
    if (!is_byte_dtype (call->inputs[i]->dtype))
      return lamina_kernel_fail_dtype (call, i, error);
  if (!mat_geom (call, call->inputs[0], call->inputs[1], &mg, error) || call->outputs[0] == NULL)
    return call->outputs[0] == NULL;
  return lamina_value_set_shape (call->outputs[0], LAMINA_DTYPE_INT32, mg.rank, mg.dims, error);
}

gboolean
lamina_int8_matmul_integer_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *a = call->inputs[0], *b = call->inputs[1];
  MatGeom mg;
  gint64 n_za, n_zb;
  g_autofree gint32 *za = NULL, *zb = NULL;

  if (call->outputs[0] == NULL || !mat_geom (call, a, b, &mg, error))
    return call->outputs[0] == NULL;
  za = g_new (gint32, MAX (mg.m, 1));
  zb = g_new (gint32, MAX (mg.n, 1));
  if (!zero_points (call, 2, a->dtype, mg.m, za, &n_za, error) || !zero_points (call, 3, b->dtype, mg.n, zb, &n_zb, error))
    return FALSE;
  mat_accumulate (&mg, a, za, n_za, b, zb, n_zb, call->outputs[0]->data);
  return TRUE;
}

/* QLinearMatMul (a, a_scale, a_zero_point, b, b_scale, b_zero_point,
 * y_scale, y_zero_point): a per tensor, b per tensor or per column. */
gboolean
lamina_int8_qlinear_matmul_reshape (LaminaKernelCall *call, GError **error)
{
  MatGeom mg;
  static const guint byte_inputs[] = { 0, 3, 7 };   /* a, b, y_zero_point */

  if (!lamina_kernel_check_inputs (call, 8, 8, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (byte_inputs); i++)
    if (!is_byte_dtype (call->inputs[byte_inputs[i]]->dtype))
      return lamina_kernel_fail_dtype (call, byte_inputs[i], error);
  if (!mat_geom (call, call->inputs[0], call->inputs[3], &mg, error) || call->outputs[0] == NULL)
    return call->outputs[0] == NULL;
  return lamina_value_set_shape (call->outputs[0], call->inputs[7]->dtype, mg.rank, mg.dims, error);
}

gboolean
lamina_int8_qlinear_matmul_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *a = call->inputs[0], *b = call->inputs[3];
  LaminaValue *y = call->outputs[0];
  const float *s_a, *s_b, *s_y;
  gint32 za, zy, lo, hi;
  gint64 n, n_sb, n_zb;
  MatGeom mg;
  g_autofree gint32 *zb = NULL, *acc = NULL;
  g_autofree float *scale = NULL;

  if (y == NULL || !mat_geom (call, a, b, &mg, error))
    return y == NULL;
  zb = g_new (gint32, MAX (mg.n, 1));
  scale = g_new (float, MAX (mg.n, 1));
  if (!scales (call, 1, 0, &s_a, &n, error) || !zero_points (call, 2, a->dtype, 0, &za, &n, error)
      || !scales (call, 4, mg.n, &s_b, &n_sb, error) || !zero_points (call, 5, b->dtype, mg.n, zb, &n_zb, error)
      || !scales (call, 6, 0, &s_y, &n, error) || !zero_points (call, 7, y->dtype, 0, &zy, &n, error)
      || !channel_scales (call, s_a[0], s_b, n_sb, s_y[0], scale, error))
    return FALSE;
  acc = g_new (gint32, MAX (y->numel, 1));
  mat_accumulate (&mg, a, &za, 1, b, zb, n_zb, acc);
  lamina_fixed_range (y->dtype, &lo, &hi);
  for (gint64 i = 0; i < y->numel; i++)
    {
      gint32 v = lamina_fixed_requant_float (acc[i], scale[n_sb == 1 ? 0 : i % mg.n]) + zy;
      lamina_int8_store (y->data, y->dtype, i, lamina_fixed_clamp (v, lo, hi));
    }
  return TRUE;
}
