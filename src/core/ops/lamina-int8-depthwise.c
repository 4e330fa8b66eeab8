/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-int8-depthwise.c: depthwise 2-D convolutions of NCHW byte planes
 * in integers (lamina-int8-gemm.h), the fast path beside the float-window
 * one of lamina-int8-conv.c (which LAMINA_INT8_REFERENCE and CPUs without
 * AVX-512 VBMI/VNNI use; tests/test-ops-int8.c checks they agree).
 *
 * Each plane is copied once into a padded buffer of unsigned bytes
 * (u = x ^ flip, the padding zu = zx ^ flip), so that windows need no
 * bounds checks. For 16 output pixels of a row, each window row is one
 * vpermb per 4 taps that gathers (u[j·s], u[j·s + d], u[j·s + 2d], …) per
 * pixel j from 64 loaded bytes and one vpdpbusd against those taps as int8
 * quads (windows up to 8 wide: 3×3 and 5×5 alike); zu·Σw comes off the
 * bias. The sums are exact integers, then
 * requantized with the float scale as ONNX Runtime does.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <string.h>
#include "lamina-int8-gemm.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_VBMI_KERNEL 1
#endif

#define NCOL  16      /* output pixels per vpdpbusd */
#define SPAN  64      /* bytes one window row of NCOL pixels may span */
#define QUADS 2       /* quads of taps per window row: windows up to 8 wide */

typedef struct {
  const LaminaConvGeom       *g;
  const guint8               *x;
  guint8                      flip, zu;
  const gint32               *quads;    /* cout × k[0] × QUADS: a window row's taps */
  const gint32               *bias_u;   /* bias − zu·Σw per channel */
  const LaminaInt8RowRequant *rq;
  guint8                     *y;
  gint64                      pad_h, pad_w;
} DepthwiseJob;

static gboolean
cpu_supported (void)
{
#ifdef HAVE_VBMI_KERNEL
  static int supported = -1;

  if (supported < 0)
    supported = __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
                && __builtin_cpu_supports ("avx512vnni") && __builtin_cpu_supports ("avx512vbmi");
  return supported;
#else
  return FALSE;
#endif
}

/* The taps fit int8, a window row fits QUADS quads and 16 pixels' rows
 * fit the 64 bytes one vpermb picks from. */
gboolean
lamina_int8_depthwise_bytes_applies (const LaminaConvGeom *g, const gint16 *w)
{
  gint64 taps = g->cout * g->k[0] * g->k[1];

  if (g->nsp != 2 || g->group != g->cin || g->cout != g->cin || g->k[1] > 4 * QUADS
      || (NCOL - 1) * g->stride[1] + (g->k[1] - 1) * g->dil[1] >= SPAN || !cpu_supported ())
    return FALSE;
  for (gint64 i = 0; i < taps; i++)
    if (w[i] < G_MININT8 || w[i] > G_MAXINT8)
      return FALSE;
  return TRUE;
}

/* dst = src ^ flip for n bytes. */
#ifndef HAVE_VBMI_KERNEL
static void
copy_flipped (guint8 *restrict dst, const guint8 *restrict src, gint64 n, guint8 flip)
{
  for (gint64 c = 0; c < n; c++)
    dst[c] = src[c] ^ flip;
}
#else
__attribute__ ((target ("avx512f,avx512bw"))) static void
copy_flipped_avx512 (guint8 *restrict dst, const guint8 *restrict src, gint64 n, guint8 flip)
{
  __m512i f = _mm512_set1_epi8 ((char) flip);
  gint64 c = 0;

  for (; c + 64 <= n; c += 64)
    _mm512_storeu_si512 ((void *) (dst + c), _mm512_xor_si512 (_mm512_loadu_si512 ((const void *) (src + c)), f));
  if (c < n)
    {
      __mmask64 m = (__mmask64) ((~0ull) >> (64 - (n - c)));
      _mm512_mask_storeu_epi8 (dst + c, m, _mm512_xor_si512 (_mm512_maskz_loadu_epi8 (m, src + c), f));
    }
}
#endif

/* Plane p of x as unsigned bytes with its padding written out. */
static void
pad_plane (const DepthwiseJob *j, gint64 p, guint8 *buf)
{
  const LaminaConvGeom *g = j->g;
  gint64 rows = MIN (g->in[0], j->pad_h - g->pad[0]), cols = MIN (g->in[1], j->pad_w - g->pad[1]);
  const guint8 *x = j->x + p * g->x_c;

  memset (buf, j->zu, j->pad_h * j->pad_w + SPAN);
  for (gint64 r = 0; r < rows; r++)
    {
      guint8 *dst = buf + (r + g->pad[0]) * j->pad_w + g->pad[1];
#ifdef HAVE_VBMI_KERNEL
      copy_flipped_avx512 (dst, x + r * g->in[1], cols, j->flip);
#else
      copy_flipped (dst, x + r * g->in[1], cols, j->flip);
#endif
    }
}

#ifdef HAVE_VBMI_KERNEL
/* One plane (channel c): every output row, 16 pixels at a time. */
__attribute__ ((target ("avx512f,avx512bw,avx512vnni,avx512vbmi"))) static void
plane_vbmi (const DepthwiseJob *j, gint64 c, const guint8 *buf, guint8 *y)
{
  const LaminaConvGeom *g = j->g;
  const LaminaInt8RowRequant *rq = j->rq;
  guint8 idx_bytes[SPAN];
  __m512i idx[QUADS], bias = _mm512_set1_epi32 (j->bias_u[c]), zero = _mm512_set1_epi32 (rq->zero);
  __m512 scale = _mm512_set1_ps (rq->scale[c]);
  __m512 lo = _mm512_set1_ps ((float) (rq->lo - rq->zero)), hi = _mm512_set1_ps ((float) (rq->hi - rq->zero));
  int nq = (int) (g->k[1] + 3) / 4;
  const gint32 *quads = j->quads + c * g->k[0] * QUADS;

  /* pixel n's quad q: taps 4q … 4q + 3 of its window row (those past k[1]
   * meet zero taps and read any byte in range) */
  for (int q = 0; q < nq; q++)
    {
      for (int n = 0; n < NCOL; n++)
        for (int t = 0; t < 4; t++)
          idx_bytes[4 * n + t] = (guint8) (n * g->stride[1] + MIN (4 * q + t, g->k[1] - 1) * g->dil[1]);
      idx[q] = _mm512_loadu_si512 ((const void *) idx_bytes);
    }
  for (gint64 o0 = 0; o0 < g->out[0]; o0++)
    for (gint64 o1 = 0; o1 < g->out[1]; o1 += NCOL)
      {
        const guint8 *at = buf + o0 * g->stride[0] * j->pad_w + o1 * g->stride[1];
        gint64 cols = MIN (NCOL, g->out[1] - o1);
        __m512i acc = bias;
        __m512 f;
        for (gint64 k0 = 0; k0 < g->k[0]; k0++)
          {
            __m512i v = _mm512_loadu_si512 ((const void *) (at + k0 * g->dil[0] * j->pad_w));
            for (int q = 0; q < nq; q++)
              acc = _mm512_dpbusd_epi32 (acc, _mm512_permutexvar_epi8 (idx[q], v),
                                         _mm512_set1_epi32 (quads[k0 * QUADS + q]));
          }
        f = _mm512_min_ps (_mm512_max_ps (_mm512_mul_ps (_mm512_cvtepi32_ps (acc), scale), lo), hi);
        _mm512_mask_cvtepi32_storeu_epi8 (y + o0 * g->out[1] + o1, (__mmask16) ((1u << cols) - 1),
                                          _mm512_add_epi32 (_mm512_cvtps_epi32 (f), zero));
      }
}
#endif

static void
planes_range (gint64 begin, gint64 end, gpointer data)
{
  const DepthwiseJob *j = data;
  g_autofree guint8 *buf = g_new (guint8, j->pad_h * j->pad_w + SPAN);

  for (gint64 p = begin; p < end; p++)
    {
      pad_plane (j, p, buf);
#ifdef HAVE_VBMI_KERNEL
      plane_vbmi (j, p % j->g->cout, buf, j->y + p * j->g->y_c);
#endif
    }
}

void
lamina_int8_depthwise_bytes (LaminaParallel *p, const LaminaConvGeom *g, const LaminaValue *x, gint32 x_zero,
                             const gint16 *w, const LaminaInt8RowRequant *rq, guint8 *y)
{
  gint64 kk = g->k[0] * g->k[1];
  g_autofree gint32 *quads = g_new0 (gint32, MAX (g->cout * g->k[0] * QUADS, 1));
  g_autofree gint32 *bias_u = g_new (gint32, MAX (g->cout, 1));
  DepthwiseJob j = { g, x->data, x->dtype == LAMINA_DTYPE_INT8 ? 0x80 : 0, 0, quads, bias_u, rq, y };

  g_return_if_fail (lamina_int8_depthwise_bytes_applies (g, w));
  j.zu = (guint8) x_zero ^ j.flip;
  for (gint64 c = 0; c < g->cout; c++)
    {
      gint32 sum = 0;
      for (gint64 t = 0; t < kk; t++)
        {
          gint64 row = t / g->k[1], tap = t % g->k[1];
          quads[(c * g->k[0] + row) * QUADS + tap / 4] |= (gint32) ((guint32) (guint8) w[c * kk + t] << (8 * (tap % 4)));
          sum += w[c * kk + t];
        }
      bias_u[c] = rq->bias[c] - j.zu * sum;
    }
  j.pad_h = (g->out[0] - 1) * g->stride[0] + (g->k[0] - 1) * g->dil[0] + 1;
  j.pad_w = (g->out[1] - 1) * g->stride[1] + (g->k[1] - 1) * g->dil[1] + 1;
  lamina_parallel_for (p, g->batch * g->cout, 4, planes_range, &j);
}
