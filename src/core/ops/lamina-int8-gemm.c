/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-int8-gemm.c: the blocked int8 convolutions (lamina-int8-gemm.h).
 *
 * Channels-last (TFLite): one task per output row (n, oh): the row's
 * windows are gathered once (im2col, or pointers into x for 1×1 windows),
 * then for each block of 16 output channels (its packed filter stays in
 * cache) 4 pixels at a time run the micro-kernel: on AVX-512 VNNI one
 * vpdpbusd per pixel and 4 window bytes (x ^ 0x80 for int8, the zero
 * point's share zu·Σw off the bias), else per pair of int16 window values
 * one broadcast and two vpmaddwd. The row of sums is then requantized per
 * channel (lamina_fixed_mul_split, vectorised) straight into y.
 *
 * NCHW (ONNX QLinearConv, fused QDQ convolutions): a matrix product on the
 * planes, 16 pixels × 8 channels per block, the pixels packed as 64-byte
 * rows of byte quads (vpdpbusd) or int16 pairs (vpdpwssd / vpmaddwd); see
 * the section below.
 *
 * The 8-bit elementwise loops (requantization, Add, Mul) run 8 lanes of
 * AVX2 where the CPU has it (mul_split8: the 64-bit products of vpmuldq),
 * the generic vectorised loop for the tail and on other CPUs.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <string.h>
#include "lamina-int8-gemm.h"
#include "lamina-vecmath.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_KERNEL 1
#endif

#define BLOCK 16   /* output channels per packed block */
#define PIX   4    /* pixels per micro-kernel call */
/* The byte paths sum Σ u·w with u = x ^ flip (unsigned bytes) and take
 * zu·Σw off with the bias: exact while the sums fit int32. */
#define BYTES_MAX_K 65000

/* The same panels as quads of int8 for vpdpbusd (16 channels × 4 K values
 * per 64 bytes) and each channel's Σw, when every value fits int8. */
static void
pack_filter_quads (LaminaInt8Packed *pw, const gint16 *w)
{
  gint64 cout = pw->cout, k = pw->k;

  for (gint64 i = 0; i < cout * k; i++)
    if (w[i] < G_MININT8 || w[i] > G_MAXINT8)
      return;
  pw->kquad = (k + 3) / 4 * 4;
  pw->quads = g_new0 (gint8, MAX (pw->cout_pad * pw->kquad, 1));
  pw->quad_sums = g_new0 (gint32, MAX (pw->cout_pad, 1));
  for (gint64 o = 0; o < cout; o++)
    for (gint64 i = 0; i < k; i++)
      {
        pw->quads[((o / BLOCK) * (pw->kquad / 4) + i / 4) * 4 * BLOCK + (o % BLOCK) * 4 + i % 4] = (gint8) w[o * k + i];
        pw->quad_sums[o] += w[o * k + i];
      }
}

LaminaInt8Packed *
lamina_int8_pack_filter (const gint16 *w, gint64 cout, gint64 k)
{
  LaminaInt8Packed *pw = g_new0 (LaminaInt8Packed, 1);

  pw->cout = cout;
  pw->k = k;
  pw->kpad = (k + 1) / 2 * 2;
  pw->cout_pad = (cout + BLOCK - 1) / BLOCK * BLOCK;
  pw->data = g_new0 (gint16, MAX (pw->cout_pad * pw->kpad, 1));
  for (gint64 o = 0; o < cout; o++)
    for (gint64 i = 0; i < k; i++)
      pw->data[((o / BLOCK) * (pw->kpad / 2) + i / 2) * 2 * BLOCK + (o % BLOCK) * 2 + i % 2] = w[o * k + i];
  pack_filter_quads (pw, w);
  return pw;
}

void
lamina_int8_packed_free (LaminaInt8Packed *pw)
{
  if (pw == NULL)
    return;
  g_free (pw->data);
  g_free (pw->quads);
  g_free (pw->quad_sums);
  lamina_int8_rows_free (pw->rows);
  g_free (pw);
}

gboolean
lamina_int8_gemm_supported (void)
{
#ifdef HAVE_AVX2_KERNEL
  return __builtin_cpu_supports ("avx2");
#else
  return FALSE;
#endif
}

#ifdef HAVE_AVX2_KERNEL
static gboolean
vnni_supported (void)
{
  static int supported = -1;

  if (supported < 0)
    supported = __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
                && __builtin_cpu_supports ("avx512vnni");
  return supported;
}
#endif

/* ---- the micro-kernels --------------------------------------------------------------- */

#ifdef HAVE_AVX2_KERNEL
static inline gint32
load_pair (const gint16 *p)
{
  gint32 v;

  memcpy (&v, p, sizeof v);
  return v;
}

#define MADD(acc0, acc1, a)                                                  \
  do {                                                                       \
    __m256i b_ = _mm256_set1_epi32 (load_pair (a));                          \
    acc0 = _mm256_add_epi32 (acc0, _mm256_madd_epi16 (b_, w0));              \
    acc1 = _mm256_add_epi32 (acc1, _mm256_madd_epi16 (b_, w1));              \
  } while (0)

/* sums[p][0..15] = Σ_k a[p][k] · w[k][0..15] for PIX pixels (int16 a). */
__attribute__ ((target ("avx2"))) static void
kernel_4x16 (const guint8 *const a8[PIX], const gint16 *w, gint64 pairs, gint32 *sums, gint64 sums_stride)
{
  const gint16 *a[PIX] = { (const gint16 *) a8[0], (const gint16 *) a8[1], (const gint16 *) a8[2],
                           (const gint16 *) a8[3] };
  __m256i c00 = _mm256_setzero_si256 (), c01 = c00, c10 = c00, c11 = c00;
  __m256i c20 = c00, c21 = c00, c30 = c00, c31 = c00;

  for (gint64 k = 0; k < pairs; k++, w += 2 * BLOCK)
    {
      __m256i w0 = _mm256_loadu_si256 ((const __m256i *) w);
      __m256i w1 = _mm256_loadu_si256 ((const __m256i *) (w + BLOCK));
      MADD (c00, c01, a[0] + 2 * k);
      MADD (c10, c11, a[1] + 2 * k);
      MADD (c20, c21, a[2] + 2 * k);
      MADD (c30, c31, a[3] + 2 * k);
    }
  _mm256_storeu_si256 ((__m256i *) sums, c00);
  _mm256_storeu_si256 ((__m256i *) (sums + 8), c01);
  _mm256_storeu_si256 ((__m256i *) (sums + sums_stride), c10);
  _mm256_storeu_si256 ((__m256i *) (sums + sums_stride + 8), c11);
  _mm256_storeu_si256 ((__m256i *) (sums + 2 * sums_stride), c20);
  _mm256_storeu_si256 ((__m256i *) (sums + 2 * sums_stride + 8), c21);
  _mm256_storeu_si256 ((__m256i *) (sums + 3 * sums_stride), c30);
  _mm256_storeu_si256 ((__m256i *) (sums + 3 * sums_stride + 8), c31);
}

static inline guint32
load_quad (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return v;
}

/* The same on bytes with AVX-512 VNNI: per 4 K values one 64-byte load of
 * the 16 channels' int8 weights and, per pixel, one vpdpbusd against its
 * 4 unsigned bytes (x ^ flip) broadcast. */
__attribute__ ((target ("avx512f,avx512bw,avx512vnni"))) static void
kernel_4x16_bytes (const guint8 *const a[PIX], const gint8 *w, gint64 quads, guint32 flip, gint32 *sums,
                   gint64 sums_stride)
{
  __m512i c0 = _mm512_setzero_si512 (), c1 = c0, c2 = c0, c3 = c0;

  for (gint64 k = 0; k < quads; k++, w += 4 * BLOCK)
    {
      __m512i wv = _mm512_loadu_si512 ((const void *) w);
      c0 = _mm512_dpbusd_epi32 (c0, _mm512_set1_epi32 ((int) (load_quad (a[0] + 4 * k) ^ flip)), wv);
      c1 = _mm512_dpbusd_epi32 (c1, _mm512_set1_epi32 ((int) (load_quad (a[1] + 4 * k) ^ flip)), wv);
      c2 = _mm512_dpbusd_epi32 (c2, _mm512_set1_epi32 ((int) (load_quad (a[2] + 4 * k) ^ flip)), wv);
      c3 = _mm512_dpbusd_epi32 (c3, _mm512_set1_epi32 ((int) (load_quad (a[3] + 4 * k) ^ flip)), wv);
    }
  _mm512_storeu_si512 ((void *) sums, c0);
  _mm512_storeu_si512 ((void *) (sums + sums_stride), c1);
  _mm512_storeu_si512 ((void *) (sums + 2 * sums_stride), c2);
  _mm512_storeu_si512 ((void *) (sums + 3 * sums_stride), c3);
}
#endif

/* sums[p][c] for npix windows (npix a multiple of PIX: callers repeat the
 * last window) and every padded channel: int16 windows, or byte windows
 * (x ^ flip against the quads) when bytes. */
static void
gemm_row (const guint8 *const *cols, gint64 npix, const LaminaInt8Packed *pw, gboolean bytes, guint32 flip,
          gint32 *sums)
{
#ifdef HAVE_AVX2_KERNEL
  for (gint64 cb = 0; cb < pw->cout_pad; cb += BLOCK)
    for (gint64 p = 0; p < npix; p += PIX)
      if (bytes)
        kernel_4x16_bytes (cols + p, pw->quads + cb * pw->kquad, pw->kquad / 4, flip, sums + p * pw->cout_pad + cb,
                           pw->cout_pad);
      else
        kernel_4x16 (cols + p, pw->data + cb * pw->kpad, pw->kpad / 2, sums + p * pw->cout_pad + cb, pw->cout_pad);
#else
  (void) cols, (void) npix, (void) pw, (void) bytes, (void) flip, (void) sums;
  g_assert_not_reached ();
#endif
}

/* ---- requantization ------------------------------------------------------------------ */

#ifdef HAVE_AVX2_KERNEL
/* lamina_fixed_mul_split on 8 lanes: the 64-bit products of even and odd
 * lanes (vpmuldq), + 2^30, bits 31…62 of each back into its 32-bit lane. */
G_ALWAYS_INLINE __attribute__ ((target ("avx2"))) static inline __m256i
mul_split8 (__m256i x, __m256i m, __m256i left, __m256i right)
{
  const __m256i half = _mm256_set1_epi64x (1 << 30);
  __m256i even, odd, h, mask, threshold;

  x = _mm256_sllv_epi32 (x, left);
  even = _mm256_add_epi64 (_mm256_mul_epi32 (x, m), half);
  odd = _mm256_add_epi64 (_mm256_mul_epi32 (_mm256_srli_epi64 (x, 32), _mm256_srli_epi64 (m, 32)), half);
  h = _mm256_blend_epi32 (_mm256_srli_epi64 (even, 31), _mm256_slli_epi64 (odd, 1), 0xaa);
  /* rounding division by 2^right, half away from zero */
  mask = _mm256_sub_epi32 (_mm256_sllv_epi32 (_mm256_set1_epi32 (1), right), _mm256_set1_epi32 (1));
  threshold = _mm256_sub_epi32 (_mm256_srai_epi32 (mask, 1), _mm256_srai_epi32 (h, 31));
  return _mm256_sub_epi32 (_mm256_srav_epi32 (h, right),
                           _mm256_cmpgt_epi32 (_mm256_and_si256 (h, mask), threshold));
}

G_ALWAYS_INLINE __attribute__ ((target ("avx2"))) static inline __m256i
load8 (const gint32 *p)
{
  return _mm256_loadu_si256 ((const __m256i *) p);
}

/* The low bytes of 8 lanes (values already in the 8-bit range). */
G_ALWAYS_INLINE __attribute__ ((target ("avx2"))) static inline void
store_bytes8 (guint8 *y, __m256i v)
{
  const __m256i pick = _mm256_setr_epi8 (0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                         0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  __m256i b = _mm256_permutevar8x32_epi32 (_mm256_shuffle_epi8 (v, pick), _mm256_setr_epi32 (0, 4, 1, 1, 1, 1, 1, 1));

  _mm_storel_epi64 ((__m128i *) y, _mm256_castsi256_si128 (b));
}

/* requant_pixels for channel counts that are multiples of 8. */
__attribute__ ((target ("avx2"))) static void
requant_pixels_avx2 (const gint32 *sums, gint64 sums_stride, gint64 npix, const LaminaInt8RowRequant *rq, gint64 n,
                     guint8 *y, gint64 y_stride)
{
  __m256i zero = _mm256_set1_epi32 (rq->zero), lo = _mm256_set1_epi32 (rq->lo), hi = _mm256_set1_epi32 (rq->hi);

  for (gint64 p = 0; p < npix; p++, sums += sums_stride, y += y_stride)
    for (gint64 c = 0; c < n; c += 8)
      {
        __m256i v = _mm256_add_epi32 (load8 (sums + c), load8 (rq->bias + c));
        if (rq->scale != NULL)   /* lamina_fixed_requant_float: cvtps rounds half to even (MXCSR default) */
          v = _mm256_cvtps_epi32 (_mm256_min_ps (_mm256_max_ps (_mm256_mul_ps (_mm256_cvtepi32_ps (v),
                                                                               _mm256_loadu_ps (rq->scale + c)),
                                                                _mm256_set1_ps (-1073741824.0f)),
                                                 _mm256_set1_ps (1073741824.0f)));
        else
          v = mul_split8 (v, load8 (rq->multiplier + c), load8 (rq->left + c), load8 (rq->right + c));
        v = _mm256_add_epi32 (v, zero);
        store_bytes8 (y + c, _mm256_min_epi32 (_mm256_max_epi32 (v, lo), hi));
      }
}
#endif

/* npix pixels of n channels: sums every sums_stride, y every y_stride. */
LAMINA_VECTOR_CLONES static void
requant_pixels (const gint32 *sums, gint64 sums_stride, gint64 npix, const LaminaInt8RowRequant *rq, gint64 n,
                guint8 *y, gint64 y_stride)
{
  const gint32 *bias = rq->bias, *m = rq->multiplier, *l = rq->left, *r = rq->right;
  gint32 zero = rq->zero, lo = rq->lo, hi = rq->hi;

  for (gint64 p = 0; p < npix; p++, sums += sums_stride, y += y_stride)
    for (gint64 c = 0; c < n; c++)
      {
        gint32 v = (rq->scale != NULL ? lamina_fixed_requant_float (sums[c] + bias[c], rq->scale[c])
                                      : lamina_fixed_mul_split (sums[c] + bias[c], m[c], l[c], r[c])) + zero;
        v = v < lo ? lo : v > hi ? hi : v;
        y[c] = (guint8) v;   /* int8 and uint8 alike: the byte */
      }
}

/* The loop of both signednesses of x: each caller gets its own
 * vectorised copy. */
G_ALWAYS_INLINE static inline void
requant_bytes (const LaminaRequant *r, gboolean is_signed, const void *x, guint8 *y, gint64 n)
{
  gint32 m = r->multiplier, left = MAX (r->shift, 0), right = MAX (-r->shift, 0);
  gint32 in_zero = r->in_zero, out_zero = r->out_zero, lo = r->lo, hi = r->hi;
  const gint8 *xs = x;
  const guint8 *xu = x;

  for (gint64 i = 0; i < n; i++)
    {
      gint32 v = lamina_fixed_mul_split ((is_signed ? xs[i] : xu[i]) - in_zero, m, left, right) + out_zero;
      y[i] = (guint8) (v < lo ? lo : v > hi ? hi : v);
    }
}

LAMINA_VECTOR_CLONES static void
requant_s8_generic (const LaminaRequant *r, const gint8 *x, guint8 *y, gint64 n)
{
  requant_bytes (r, TRUE, x, y, n);
}

LAMINA_VECTOR_CLONES static void
requant_u8_generic (const LaminaRequant *r, const guint8 *x, guint8 *y, gint64 n)
{
  requant_bytes (r, FALSE, x, y, n);
}

#ifdef HAVE_AVX2_KERNEL
/* 8 bytes as int32 lanes, signed or unsigned. */
G_ALWAYS_INLINE __attribute__ ((target ("avx2"))) static inline __m256i
load_bytes8 (const void *x, gboolean is_signed)
{
  __m128i b = _mm_loadl_epi64 ((const __m128i *) x);

  return is_signed ? _mm256_cvtepi8_epi32 (b) : _mm256_cvtepu8_epi32 (b);
}

/* The whole groups of 8 of requant_bytes; returns how many were done. */
__attribute__ ((target ("avx2"))) static gint64
requant_bytes_avx2 (const LaminaRequant *r, gboolean is_signed, const guint8 *x, guint8 *y, gint64 n)
{
  __m256i m = _mm256_set1_epi32 (r->multiplier), left = _mm256_set1_epi32 (MAX (r->shift, 0));
  __m256i right = _mm256_set1_epi32 (MAX (-r->shift, 0)), in_zero = _mm256_set1_epi32 (r->in_zero);
  __m256i out_zero = _mm256_set1_epi32 (r->out_zero), lo = _mm256_set1_epi32 (r->lo), hi = _mm256_set1_epi32 (r->hi);
  gint64 i;

  for (i = 0; i + 8 <= n; i += 8)
    {
      __m256i v = _mm256_sub_epi32 (load_bytes8 (x + i, is_signed), in_zero);
      v = _mm256_add_epi32 (mul_split8 (v, m, left, right), out_zero);
      store_bytes8 (y + i, _mm256_min_epi32 (_mm256_max_epi32 (v, lo), hi));
    }
  return i;
}
#endif

void
lamina_int8_requant_s8 (const LaminaRequant *r, const gint8 *x, guint8 *y, gint64 n)
{
  gint64 done = 0;

#ifdef HAVE_AVX2_KERNEL
  if (lamina_int8_gemm_supported ())
    done = requant_bytes_avx2 (r, TRUE, (const guint8 *) x, y, n);
#endif
  requant_s8_generic (r, x + done, y + done, n - done);
}

void
lamina_int8_requant_u8 (const LaminaRequant *r, const guint8 *x, guint8 *y, gint64 n)
{
  gint64 done = 0;

#ifdef HAVE_AVX2_KERNEL
  if (lamina_int8_gemm_supported ())
    done = requant_bytes_avx2 (r, FALSE, x, y, n);
#endif
  requant_u8_generic (r, x + done, y + done, n - done);
}

/* ---- Add / Mul ----------------------------------------------------------------------- */

/* TFLite's Add (a and b rescaled to a common scale, summed, rescaled) and
 * Mul on one element. */
G_ALWAYS_INLINE static inline gint32
binary_one (const LaminaInt8Binary *bp, gint32 a, gint32 b)
{
  gint32 v;

  if (bp->is_add)
    {
      gint32 sa = lamina_fixed_mul_split ((a - bp->za) * bp->scale, bp->m[0], bp->l[0], bp->r[0]);
      gint32 sb = lamina_fixed_mul_split ((b - bp->zb) * bp->scale, bp->m[1], bp->l[1], bp->r[1]);
      v = lamina_fixed_mul_split (sa + sb, bp->m[2], bp->l[2], bp->r[2]) + bp->zy;
    }
  else
    v = lamina_fixed_mul_split ((a - bp->za) * (b - bp->zb), bp->m[2], bp->l[2], bp->r[2]) + bp->zy;
  return v < bp->lo ? bp->lo : v > bp->hi ? bp->hi : v;
}

LAMINA_VECTOR_CLONES static void
binary_generic (const LaminaInt8Binary *bp, const gint8 *a, const gint8 *b, gint8 *y, gint64 n)
{
  LaminaInt8Binary p = *bp;   /* a local copy: no aliasing with y */

  for (gint64 i = 0; i < n; i++)
    y[i] = (gint8) binary_one (&p, a[i], b[i]);
}

#ifdef HAVE_AVX2_KERNEL
__attribute__ ((target ("avx2"))) static gint64
binary_avx2 (const LaminaInt8Binary *bp, const gint8 *a, const gint8 *b, gint8 *y, gint64 n)
{
  __m256i m[3], l[3], r[3];
  __m256i za = _mm256_set1_epi32 (bp->za), zb = _mm256_set1_epi32 (bp->zb), zy = _mm256_set1_epi32 (bp->zy);
  __m256i lo = _mm256_set1_epi32 (bp->lo), hi = _mm256_set1_epi32 (bp->hi), scale = _mm256_set1_epi32 (bp->scale);
  gint64 i;

  for (int k = 0; k < 3; k++)
    m[k] = _mm256_set1_epi32 (bp->m[k]), l[k] = _mm256_set1_epi32 (bp->l[k]), r[k] = _mm256_set1_epi32 (bp->r[k]);
  for (i = 0; i + 8 <= n; i += 8)
    {
      __m256i va = _mm256_sub_epi32 (load_bytes8 (a + i, TRUE), za), vb = _mm256_sub_epi32 (load_bytes8 (b + i, TRUE), zb);
      __m256i v;
      if (bp->is_add)
        {
          va = mul_split8 (_mm256_mullo_epi32 (va, scale), m[0], l[0], r[0]);
          vb = mul_split8 (_mm256_mullo_epi32 (vb, scale), m[1], l[1], r[1]);
          v = mul_split8 (_mm256_add_epi32 (va, vb), m[2], l[2], r[2]);
        }
      else
        v = mul_split8 (_mm256_mullo_epi32 (va, vb), m[2], l[2], r[2]);
      v = _mm256_add_epi32 (v, zy);
      store_bytes8 ((guint8 *) y + i, _mm256_min_epi32 (_mm256_max_epi32 (v, lo), hi));
    }
  return i;
}
#endif

void
lamina_int8_binary_s8 (const LaminaInt8Binary *bp, const gint8 *a, const gint8 *b, gint8 *y, gint64 n)
{
  gint64 done = 0;

#ifdef HAVE_AVX2_KERNEL
  if (lamina_int8_gemm_supported ())
    done = binary_avx2 (bp, a, b, y, n);
#endif
  binary_generic (bp, a + done, b + done, y + done, n - done);
}

LAMINA_VECTOR_CLONES void
lamina_int8_widen_s8 (const gint8 *x, gint32 zero, gint16 *y, gint64 n)
{
  for (gint64 i = 0; i < n; i++)
    y[i] = (gint16) (x[i] - zero);
}

LAMINA_VECTOR_CLONES void
lamina_int8_widen_u8 (const guint8 *x, gint32 zero, gint16 *y, gint64 n)
{
  for (gint64 i = 0; i < n; i++)
    y[i] = (gint16) (x[i] - zero);
}

/* ---- the convolution ----------------------------------------------------------------- */

typedef struct {
  const LaminaConvGeom       *g;
  const guint8               *x;       /* int16 x − zero, or x's bytes on the byte path */
  const LaminaInt8Packed     *pw;
  const gint32               *bias;
  const LaminaInt8RowRequant *rq;
  gint32                     *acc;
  guint8                     *y;
  gboolean                    bytes;   /* the byte path: pw->quads, AVX-512 VNNI */
  guint8                      fill;    /* padding: x's zero point on the byte path, else 0 */
  guint32                     flip;    /* 0x80808080 for int8 x on the byte path: u = x ^ flip */
  gboolean                    direct;  /* windows read in place (see window) */
} PackedJob;

static gboolean
inside (gint64 i, gint64 n)
{
  return (guint64) i < (guint64) n;
}

/* Window of (oh, ow) into col: kpad elements of elt bytes, the bytes
 * `fill` outside the input and past K; or, for a 1×1 window without
 * padding whose reads past K stay inside the pixel's neighbours (direct),
 * a pointer into x. */
static const guint8 *
window (const LaminaConvGeom *g, const guint8 *x, gsize elt, guint8 fill, gboolean direct, gint64 oh, gint64 ow,
        gint64 kpad, guint8 *col)
{
  gint64 run = g->cin * elt, k = g->k[0] * g->k[1] * g->cin;

  if (direct)
    return x + (oh * g->stride[0] * g->x_sp[0] + ow * g->stride[1] * g->x_sp[1]) * elt;
  for (gint64 k0 = 0; k0 < g->k[0]; k0++)
    {
      gint64 ih = oh * g->stride[0] - g->pad[0] + k0 * g->dil[0];
      gint64 iw0 = ow * g->stride[1] - g->pad[1], iw_last = iw0 + (g->k[1] - 1) * g->dil[1];
      guint8 *dst = col + k0 * g->k[1] * run;
      /* a whole window row inside x with dilation 1 is one contiguous run */
      if (g->dil[1] == 1 && inside (ih, g->in[0]) && inside (iw0, g->in[1]) && inside (iw_last, g->in[1]))
        {
          memcpy (dst, x + (ih * g->x_sp[0] + iw0 * g->x_sp[1]) * elt, g->k[1] * run);
          continue;
        }
      for (gint64 k1 = 0; k1 < g->k[1]; k1++, dst += run)
        {
          gint64 iw = iw0 + k1 * g->dil[1];
          if (inside (ih, g->in[0]) && inside (iw, g->in[1]))
            memcpy (dst, x + (ih * g->x_sp[0] + iw * g->x_sp[1]) * elt, run);
          else
            memset (dst, fill, run);
        }
    }
  memset (col + k * elt, fill, (kpad - k) * elt);
  return col;
}

/* The row's sums requantized into y: whole groups of 8 channels on AVX2,
 * the rest (255 channels of a detection head: 7) by the plain loop. */
static void
requant_row (const PackedJob *j, const gint32 *sums, gint64 npix, guint8 *y)
{
  const LaminaConvGeom *g = j->g;
  const LaminaInt8RowRequant *rq = j->rq;
  gint64 c8 = 0, stride = j->pw->cout_pad;
  LaminaInt8RowRequant tail;

#ifdef HAVE_AVX2_KERNEL
  c8 = g->cout / 8 * 8;
  requant_pixels_avx2 (sums, stride, npix, rq, c8, y, g->y_sp[1]);
#endif
  if (c8 == g->cout)
    return;
  tail = *rq;
  tail.bias += c8;
  if (rq->scale != NULL)
    tail.scale += c8;
  else
    tail.multiplier += c8, tail.left += c8, tail.right += c8;
  requant_pixels (sums + c8, stride, npix, &tail, g->cout - c8, y + c8, g->y_sp[1]);
}

static void
packed_rows (gint64 begin, gint64 end, gpointer data)
{
  const PackedJob *j = data;
  const LaminaConvGeom *g = j->g;
  const LaminaInt8Packed *pw = j->pw;
  gsize elt = j->bytes ? 1 : sizeof (gint16);
  gint64 ow_n = g->out[1], npix = (ow_n + PIX - 1) / PIX * PIX, kpad = j->bytes ? pw->kquad : pw->kpad;
  g_autofree guint8 *col = g_new (guint8, MAX (ow_n * kpad * elt, 1));
  g_autofree const guint8 **cols = g_new (const guint8 *, MAX (npix, 1));
  g_autofree gint32 *sums = g_new (gint32, MAX (npix * pw->cout_pad, 1));

  for (gint64 r = begin; r < end; r++)
    {
      gint64 n = r / g->out[0], oh = r % g->out[0];
      const guint8 *x = j->x + n * g->x_n * elt;
      gint64 base = n * g->y_n + oh * g->y_sp[0];

      if (ow_n == 0)
        continue;
      for (gint64 ow = 0; ow < npix; ow++)
        cols[ow] = ow < ow_n ? window (g, x, elt, j->fill, j->direct, oh, ow, kpad, col + ow * kpad * elt)
                             : cols[ow_n - 1];
      gemm_row (cols, npix, pw, j->bytes, j->flip, sums);
      if (j->rq != NULL)
        {
          requant_row (j, sums, ow_n, j->y + base);
          continue;
        }
      for (gint64 ow = 0; ow < ow_n; ow++)
        for (gint64 c = 0; c < g->cout; c++)
          j->acc[base + ow * g->y_sp[1] + c] = sums[ow * pw->cout_pad + c] + (j->bias ? j->bias[c] : 0);
    }
}

static gboolean
is_pointwise (const LaminaConvGeom *g)
{
  return g->k[0] == 1 && g->k[1] == 1 && g->pad[0] == 0 && g->pad[1] == 0;
}

void
lamina_int8_conv_packed (LaminaParallel *p, const LaminaConvGeom *g, const gint16 *x, const LaminaInt8Packed *pw,
                         const gint32 *bias, const LaminaInt8RowRequant *rq, gint32 *acc, guint8 *y)
{
  /* a 1×1 window with an odd cin reads one value past K: x has two more */
  PackedJob j = { g, (const guint8 *) x, pw, bias, rq, acc, y, FALSE, 0, 0, is_pointwise (g) && g->cin % 4 == 0 };

  lamina_parallel_for (p, g->batch * g->out[0], 1, packed_rows, &j);
}

gboolean
lamina_int8_conv_packed_bytes_applies (const LaminaInt8Packed *pw)
{
#ifdef HAVE_AVX2_KERNEL
  return pw->quads != NULL && pw->k <= BYTES_MAX_K && vnni_supported ();
#else
  return FALSE;
#endif
}

void
lamina_int8_conv_packed_bytes (LaminaParallel *p, const LaminaConvGeom *g, const LaminaValue *x, gint32 x_zero,
                               const LaminaInt8Packed *pw, const LaminaInt8RowRequant *rq, guint8 *y)
{
  gboolean is_signed = x->dtype == LAMINA_DTYPE_INT8;
  /* Σ (x − zx)·w = Σ u·w − zu·Σw with u = x ^ flip, zu = zx ^ flip */
  gint32 zu = (guint8) x_zero ^ (is_signed ? 0x80 : 0);
  g_autofree gint32 *bias_u = g_new (gint32, MAX (g->cout, 1));
  LaminaInt8RowRequant row = *rq;
  /* in place only when no read goes past the pixel's cin values */
  PackedJob j = { g, x->data, pw, NULL, &row, NULL, y, TRUE, (guint8) x_zero, is_signed ? 0x80808080u : 0,
                  is_pointwise (g) && g->cin % 4 == 0 };

  g_return_if_fail (lamina_int8_conv_packed_bytes_applies (pw));
  for (gint64 c = 0; c < g->cout; c++)
    bias_u[c] = rq->bias[c] - zu * pw->quad_sums[c];
  row.bias = bias_u;
  lamina_parallel_for (p, g->batch * g->out[0], 1, packed_rows, &j);
}

/* ---- NCHW 1×1 convolutions -------------------------------------------------------------- */

#define NCOL 16   /* output columns (pixels) per micro-kernel call */
#define NROW 4    /* output channels per micro-kernel call */

/* A value of K that fits vpdpbusd's signed byte. */
static gboolean
fits_int8 (gint16 v)
{
  return v >= G_MININT8 && v <= G_MAXINT8;
}

LaminaInt8Rows *
lamina_int8_rows_new (const gint16 *w, gint64 cout, gint64 k)
{
  LaminaInt8Rows *rows = g_new0 (LaminaInt8Rows, 1);
  gint64 pairs = (k + 1) / 2, quads = (k + 3) / 4, cout8 = (cout + 7) / 8 * 8;
  gboolean bytes = TRUE;

  rows->cout = cout;
  rows->k = k;
  rows->pairs = g_new0 (gint32, MAX (cout * pairs, 1));
  for (gint64 o = 0; o < cout; o++)
    for (gint64 i = 0; i < k; i++)
      {
        rows->pairs[o * pairs + i / 2] |= (gint32) ((guint32) (guint16) w[o * k + i] << (16 * (i % 2)));
        bytes = bytes && fits_int8 (w[o * k + i]);
      }
  if (!bytes)
    return rows;
  rows->quads = g_new0 (gint32, MAX (cout8 * quads, 1));
  rows->sums = g_new0 (gint32, MAX (cout8, 1));
  for (gint64 o = 0; o < cout; o++)
    for (gint64 i = 0; i < k; i++)
      {
        rows->quads[o * quads + i / 4] |= (gint32) ((guint32) (guint8) w[o * k + i] << (8 * (i % 4)));
        rows->sums[o] += w[o * k + i];
      }
  return rows;
}

void
lamina_int8_rows_free (LaminaInt8Rows *rows)
{
  if (rows == NULL)
    return;
  g_free (rows->pairs);
  g_free (rows->quads);
  g_free (rows->sums);
  g_free (rows);
}


typedef struct {
  const LaminaConvGeom       *g;
  gint64                      cout, k, hw, pairs, quads, col_blocks;   /* k: cin · window; hw: output pixels */
  gboolean                    direct;   /* 1×1, stride 1, no padding: columns are input pixels */
  const LaminaValue          *x;
  gint32                      x_zero;
  const LaminaInt8Rows       *w;
  const LaminaInt8RowRequant *rq;
  guint8                     *y;
  /* the byte path (w->quads, AVX-512 VNNI): u = x ^ flip, bias − zu·Σw */
  gboolean                    bytes;
  guint8                      flip;
  const gint32               *bias_u;
  /* windowed convolutions on the byte path: x with its padding written
   * out (zero point bytes), planes of pad_h × pad_w, so that window rows
   * are read without bounds checks */
  guint8                     *xpad;
  gint64                      pad_h, pad_w;
  gint64                     *row_at;   /* per K row: its window offset in an image's padded planes */
} NchwJob;

/* The block's output pixels [n0, n0 + NCOL) as runs within one output
 * row: run r starts at pixel start[r] (block index), row oh[r], column ow[r]. */
typedef struct {
  int    n;
  gint64 n0, cols;
  gint64 start[NCOL + 1], oh[NCOL], ow[NCOL];
} Runs;

static void
block_runs (const LaminaConvGeom *g, gint64 n0, gint64 cols, Runs *runs)
{
  runs->n = 0;
  runs->n0 = n0;
  runs->cols = cols;
  for (gint64 n = 0; n < cols;)
    {
      gint64 ow = (n0 + n) % g->out[1];
      runs->start[runs->n] = n;
      runs->oh[runs->n] = (n0 + n) / g->out[1];
      runs->ow[runs->n++] = ow;
      n += MIN (cols - n, g->out[1] - ow);
    }
  runs->start[runs->n] = cols;
}

/* Row k (input channel c, window offset k0, k1) of the im2col matrix for
 * the block's pixels as the bytes of x (x's zero point outside the input
 * and past the block's columns), run by run so that the inner loop is a
 * plain strided copy. */
static void
window_bytes (const NchwJob *j, const guint8 *x, gint64 k, const Runs *runs, guint8 out[NCOL])
{
  const LaminaConvGeom *g = j->g;
  gint64 kk = g->k[0] * g->k[1], dh = k % kk / g->k[1] * g->dil[0], dw = k % g->k[1] * g->dil[1];
  gint64 s1 = g->stride[1];

  memset (out, (guint8) j->x_zero, NCOL);
  if (k >= j->k)
    return;
  x += k / kk * g->x_c;
  if (j->direct)
    {
      memcpy (out, x + runs->n0, runs->cols);
      return;
    }
  for (int r = 0; r < runs->n; r++)
    {
      gint64 ih = runs->oh[r] * g->stride[0] - g->pad[0] + dh, iw = runs->ow[r] * s1 - g->pad[1] + dw;
      gint64 lo = 0, hi = runs->start[r + 1] - runs->start[r];
      guint8 *dst = out + runs->start[r];
      const guint8 *row = x + ih * g->in[1] + iw;
      if ((guint64) ih >= (guint64) g->in[0])
        continue;
      /* the run's pixels whose column iw + t·s1 is inside [0, in[1]) */
      while (lo < hi && iw + lo * s1 < 0)
        lo++;
      while (hi > lo && iw + (hi - 1) * s1 >= g->in[1])
        hi--;
      for (gint64 t = lo; t < hi; t++)
        dst[t] = row[t * s1];
    }
}

/* Row k as int16 x − zero at every other value of dst (a pair's half). */
static void
widen_row (const NchwJob *j, const guint8 bytes[NCOL], gint16 *dst)
{
  if (j->x->dtype == LAMINA_DTYPE_INT8)
    for (gint64 n = 0; n < NCOL; n++)
      dst[2 * n] = (gint16) ((gint8) bytes[n] - j->x_zero);
  else
    for (gint64 n = 0; n < NCOL; n++)
      dst[2 * n] = (gint16) (bytes[n] - j->x_zero);
}

/* The block's columns as interleaved pairs of K rows:
 * xp[kp][n][i] = x[2·kp + i][n] − zero (0 past K and at the padding). */
static void
pack_columns (const NchwJob *j, gint64 b, gint64 n0, gint16 *xp)
{
  const guint8 *x = (const guint8 *) j->x->data + b * j->g->x_n;
  guint8 bytes[NCOL];
  Runs runs;

  block_runs (j->g, n0, MIN (NCOL, j->hw - n0), &runs);
  for (gint64 k = 0; k < j->pairs * 2; k++)
    {
      window_bytes (j, x, k, &runs, bytes);
      widen_row (j, bytes, xp + (k / 2) * NCOL * 2 + k % 2);
    }
}

/* Four rows of NCOL bytes as NCOL quads: dst[4·n + i] = rows[i][n] ^ flip. */
static void
interleave_quad (const guint8 *const rows[4], guint8 flip, guint8 *dst)
{
#ifdef HAVE_AVX2_KERNEL
  __m128i f = _mm_set1_epi8 ((char) flip), r[4], lo, hi, lo2, hi2;

  for (int i = 0; i < 4; i++)
    r[i] = _mm_xor_si128 (_mm_loadu_si128 ((const __m128i *) rows[i]), f);
  lo = _mm_unpacklo_epi8 (r[0], r[1]), hi = _mm_unpackhi_epi8 (r[0], r[1]);
  lo2 = _mm_unpacklo_epi8 (r[2], r[3]), hi2 = _mm_unpackhi_epi8 (r[2], r[3]);
  _mm_storeu_si128 ((__m128i *) dst, _mm_unpacklo_epi16 (lo, lo2));
  _mm_storeu_si128 ((__m128i *) (dst + 16), _mm_unpackhi_epi16 (lo, lo2));
  _mm_storeu_si128 ((__m128i *) (dst + 32), _mm_unpacklo_epi16 (hi, hi2));
  _mm_storeu_si128 ((__m128i *) (dst + 48), _mm_unpackhi_epi16 (hi, hi2));
#else
  for (int n = 0; n < NCOL; n++)
    for (int i = 0; i < 4; i++)
      dst[4 * n + i] = rows[i][n] ^ flip;
#endif
}

/* Row k of the block's im2col matrix read from the padded planes of image
 * b: a pointer into them for a run of NCOL pixels at stride 1, else the
 * values gathered into tmp. */
static const guint8 *
padded_row (const NchwJob *j, gint64 b, gint64 k, const Runs *runs, guint8 tmp[NCOL])
{
  const LaminaConvGeom *g = j->g;
  gint64 s1 = g->stride[1];
  const guint8 *at = j->xpad + b * g->cin * j->pad_h * j->pad_w + j->row_at[k];

  if (runs->n == 1 && runs->cols == NCOL)
    {
      const guint8 *row = at + runs->oh[0] * g->stride[0] * j->pad_w + runs->ow[0] * s1;
      if (s1 == 1)
        return row;
#ifdef HAVE_AVX2_KERNEL
      if (s1 == 2)   /* the even bytes of 32 (the planes have slack past their end) */
        {
          __m128i even = _mm_set1_epi16 (0x00ff);
          __m128i a = _mm_and_si128 (_mm_loadu_si128 ((const __m128i *) row), even);
          __m128i c = _mm_and_si128 (_mm_loadu_si128 ((const __m128i *) (row + 16)), even);
          _mm_storeu_si128 ((__m128i *) tmp, _mm_packus_epi16 (a, c));
          return tmp;
        }
#endif
    }
  memset (tmp, (guint8) j->x_zero, NCOL);
  for (int r = 0; r < runs->n; r++)
    {
      const guint8 *row = at + runs->oh[r] * g->stride[0] * j->pad_w + runs->ow[r] * s1;
      for (gint64 t = 0; t < runs->start[r + 1] - runs->start[r]; t++)
        tmp[runs->start[r] + t] = row[t * s1];
    }
  return tmp;
}

/* The block's columns as quads of K rows for vpdpbusd:
 * xq[kq][n][i] = x[4·kq + i][n] ^ flip (zu past K and at the padding).
 * A full block of a direct 1×1 convolution reads the planes in place. */
static void
pack_quads (const NchwJob *j, gint64 b, gint64 n0, guint8 *xq)
{
  const guint8 *x = (const guint8 *) j->x->data + b * j->g->x_n;
  gint64 cols = MIN (NCOL, j->hw - n0);
  guint8 tmp[4][NCOL], pad[NCOL];
  const guint8 *rows[4];
  Runs runs;

  block_runs (j->g, n0, cols, &runs);
  memset (pad, (guint8) j->x_zero, NCOL);
  for (gint64 kq = 0; kq < j->quads; kq++)
    {
      for (int i = 0; i < 4; i++)
        {
          gint64 k = 4 * kq + i;
          if (k >= j->k)
            rows[i] = pad;
          else if (j->direct && cols == NCOL)
            rows[i] = x + k * j->g->x_c + n0;
          else if (j->xpad != NULL)
            rows[i] = padded_row (j, b, k, &runs, tmp[i]);
          else
            window_bytes (j, x, k, &runs, tmp[i]), rows[i] = tmp[i];
        }
      interleave_quad (rows, j->flip, xq + kq * NCOL * 4);
    }
}

/* Sum + bias of output channel m, requantized (one of cols columns). */
static inline guint8
requant_nchw_one (const LaminaInt8RowRequant *rq, gint64 m, gint32 sum)
{
  gint32 v = sum + rq->bias[m];

  v = (rq->scale != NULL ? lamina_fixed_requant_float (v, rq->scale[m])
                         : lamina_fixed_mul_split (v, rq->multiplier[m], rq->left[m], rq->right[m])) + rq->zero;
  return (guint8) (v < rq->lo ? rq->lo : v > rq->hi ? rq->hi : v);
}

/* The reference: plain sums over the packed pairs, then requantization. */
static void
block_generic (const NchwJob *j, const gint16 *xp, gint64 m0, gint64 rows, gint64 b, gint64 n0, gint64 cols)
{
  for (gint64 r = 0; r < rows; r++)
    for (gint64 n = 0; n < cols; n++)
      {
        gint32 sum = 0;
        for (gint64 kp = 0; kp < j->pairs; kp++)
          {
            gint32 w = j->w->pairs[(m0 + r) * j->pairs + kp];
            sum += (gint16) (w & 0xffff) * xp[(kp * NCOL + n) * 2] + (gint16) (w >> 16) * xp[(kp * NCOL + n) * 2 + 1];
          }
        j->y[((b * j->cout) + m0 + r) * j->hw + n0 + n] = requant_nchw_one (j->rq, m0 + r, sum);
      }
}

#ifdef HAVE_AVX2_KERNEL
/* 16 sums of channel m requantized with the float scale (ONNX Runtime's
 * rounding: lamina_fixed_requant_float) into cols bytes at y. */
__attribute__ ((target ("avx2"))) static void
store_row16 (const LaminaInt8RowRequant *rq, gint64 m, __m256i a0, __m256i a1, guint8 *y, gint64 cols)
{
  __m256i bias = _mm256_set1_epi32 (rq->bias[m]), zero = _mm256_set1_epi32 (rq->zero);
  __m256 scale = _mm256_set1_ps (rq->scale[m]);
  __m256 lo = _mm256_set1_ps ((float) (rq->lo - rq->zero)), hi = _mm256_set1_ps ((float) (rq->hi - rq->zero));
  __m256i v[2] = { a0, a1 };
  guint8 bytes[NCOL];

  for (int h = 0; h < 2; h++)
    {
      __m256 f = _mm256_mul_ps (_mm256_cvtepi32_ps (_mm256_add_epi32 (v[h], bias)), scale);
      f = _mm256_min_ps (_mm256_max_ps (f, lo), hi);
      store_bytes8 (bytes + 8 * h, _mm256_add_epi32 (_mm256_cvtps_epi32 (f), zero));
    }
  memcpy (y, bytes, cols);
}

/* NROW channels × NCOL columns: per pair one load of 8 columns twice and
 * a broadcast of each channel's weight pair, vpmaddwd into 8 accumulators. */
__attribute__ ((target ("avx2"))) static void
block_avx2 (const NchwJob *j, const gint16 *xp, gint64 m0, gint64 b, gint64 n0, gint64 cols)
{
  __m256i acc[NROW][2];
  const gint32 *w = j->w->pairs + m0 * j->pairs;

  for (int r = 0; r < NROW; r++)
    acc[r][0] = acc[r][1] = _mm256_setzero_si256 ();
  for (gint64 kp = 0; kp < j->pairs; kp++)
    {
      __m256i x0 = _mm256_loadu_si256 ((const __m256i *) (xp + kp * NCOL * 2));
      __m256i x1 = _mm256_loadu_si256 ((const __m256i *) (xp + kp * NCOL * 2 + 16));
#pragma GCC unroll 4
      for (int r = 0; r < NROW; r++)
        {
          __m256i wr = _mm256_set1_epi32 (w[r * j->pairs + kp]);
          acc[r][0] = _mm256_add_epi32 (acc[r][0], _mm256_madd_epi16 (x0, wr));
          acc[r][1] = _mm256_add_epi32 (acc[r][1], _mm256_madd_epi16 (x1, wr));
        }
    }
  for (int r = 0; r < NROW; r++)
    store_row16 (j->rq, m0 + r, acc[r][0], acc[r][1], j->y + ((b * j->cout) + m0 + r) * j->hw + n0, cols);
}

/* AVX-512 VNNI: 8 channels × 16 columns per block. */
#define NROW_VNNI 8

/* Channel m's 16 sums + bias requantized with the float scale into the
 * kept columns of y. */
G_ALWAYS_INLINE __attribute__ ((target ("avx512f,avx512bw,avx512vnni"))) static inline void
store_row_vnni (const NchwJob *j, gint64 m, gint32 bias, __m512i acc, gint64 b, gint64 n0, __mmask16 keep)
{
  const LaminaInt8RowRequant *rq = j->rq;
  __m512 f = _mm512_mul_ps (_mm512_cvtepi32_ps (_mm512_add_epi32 (acc, _mm512_set1_epi32 (bias))),
                            _mm512_set1_ps (rq->scale[m]));

  f = _mm512_min_ps (_mm512_max_ps (f, _mm512_set1_ps ((float) (rq->lo - rq->zero))),
                     _mm512_set1_ps ((float) (rq->hi - rq->zero)));
  _mm512_mask_cvtepi32_storeu_epi8 (j->y + ((b * j->cout) + m) * j->hw + n0, keep,
                                    _mm512_add_epi32 (_mm512_cvtps_epi32 (f), _mm512_set1_epi32 (rq->zero)));
}

/* The 8 channels' accumulators plus one 64-byte row of packed columns
 * against each channel's broadcast weights wk[r·s]: quads of bytes
 * (vpdpbusd) or pairs of int16 (vpdpwssd). Unrolled by hand: GCC keeps
 * acc[] in memory otherwise. */
#define DOT_ROW(r)                                                                             \
  acc[r] = bytes ? _mm512_dpbusd_epi32 (acc[r], x, _mm512_set1_epi32 (wk[(r) * s]))          \
                 : _mm512_dpwssd_epi32 (acc[r], x, _mm512_set1_epi32 (wk[(r) * s]))

/* NROW_VNNI channels × NCOL columns from rows of 64 bytes (NCOL quads or
 * NCOL pairs); channels past cout (the quads' zero padding) are not stored. */
G_ALWAYS_INLINE __attribute__ ((target ("avx512f,avx512bw,avx512vnni"))) static inline void
block_vnni_rows (const NchwJob *j, const guint8 *packed, gint64 m0, gint64 b, gint64 n0, gint64 cols, gboolean bytes)
{
  __m512i acc[NROW_VNNI];
  gint64 s = bytes ? j->quads : j->pairs;
  const gint32 *w = (bytes ? j->w->quads : j->w->pairs) + m0 * s, *bias = bytes ? j->bias_u : j->rq->bias;
  __mmask16 keep = (__mmask16) ((1u << cols) - 1);

  for (int r = 0; r < NROW_VNNI; r++)
    acc[r] = _mm512_setzero_si512 ();
  for (gint64 k = 0; k < s; k++)
    {
      __m512i x = _mm512_loadu_si512 ((const void *) (packed + k * 64));
      const gint32 *wk = w + k;
      DOT_ROW (0); DOT_ROW (1); DOT_ROW (2); DOT_ROW (3);
      DOT_ROW (4); DOT_ROW (5); DOT_ROW (6); DOT_ROW (7);
    }
  for (int r = 0; r < NROW_VNNI && m0 + r < j->cout; r++)
    store_row_vnni (j, m0 + r, bias[m0 + r], acc[r], b, n0, keep);
}
#undef DOT_ROW

/* On int16 pairs: one vpdpwssd per channel takes a pair of all 16
 * columns (the broadcast weight pair against 16 column pairs). */
__attribute__ ((target ("avx512f,avx512bw,avx512vnni"))) static void
block_vnni (const NchwJob *j, const gint16 *xp, gint64 m0, gint64 b, gint64 n0, gint64 cols)
{
  block_vnni_rows (j, (const guint8 *) xp, m0, b, n0, cols, FALSE);
}

/* On bytes: one vpdpbusd per channel takes four K values of all 16
 * columns (u = x ^ flip against the filter's int8 quads). */
__attribute__ ((target ("avx512f,avx512bw,avx512vnni"))) static void
block_vnni_bytes (const NchwJob *j, const guint8 *xq, gint64 m0, gint64 b, gint64 n0, gint64 cols)
{
  block_vnni_rows (j, xq, m0, b, n0, cols, TRUE);
}

#endif

/* One column block of one image: pack, then every block of channels. */
static void
nchw_columns (gint64 begin, gint64 end, gpointer data)
{
  const NchwJob *j = data;
  g_autofree gint16 *xp = j->bytes ? NULL : g_new (gint16, MAX (j->pairs, 1) * NCOL * 2);
  g_autofree guint8 *xq = j->bytes ? g_new (guint8, MAX (j->quads, 1) * NCOL * 4) : NULL;
  gboolean fast = j->rq->scale != NULL && g_getenv ("LAMINA_INT8_REFERENCE") == NULL && lamina_int8_gemm_supported ();

  for (gint64 t = begin; t < end; t++)
    {
      gint64 b = t / j->col_blocks, n0 = t % j->col_blocks * NCOL, cols = MIN (NCOL, j->hw - n0), m0 = 0;
#ifdef HAVE_AVX2_KERNEL
      if (j->bytes)
        {
          pack_quads (j, b, n0, xq);
          for (; m0 < j->cout; m0 += NROW_VNNI)
            block_vnni_bytes (j, xq, m0, b, n0, cols);
          continue;
        }
      pack_columns (j, b, n0, xp);
      for (; fast && vnni_supported () && m0 + NROW_VNNI <= j->cout; m0 += NROW_VNNI)
        block_vnni (j, xp, m0, b, n0, cols);
      for (; fast && m0 + NROW <= j->cout; m0 += NROW)
        block_avx2 (j, xp, m0, b, n0, cols);
#else
      (void) fast;
      pack_columns (j, b, n0, xp);
#endif
      block_generic (j, xp, m0, j->cout - m0, b, n0, cols);
    }
}

/* Whether the byte path runs: AVX-512 VNNI, a filter that fits int8 and
 * sums that stay within int32. */
static gboolean
bytes_path_applies (const LaminaInt8Rows *w, const LaminaInt8RowRequant *rq)
{
#ifdef HAVE_AVX2_KERNEL
  return w->quads != NULL && w->k <= BYTES_MAX_K && rq->scale != NULL && g_getenv ("LAMINA_INT8_REFERENCE") == NULL
         && vnni_supported ();
#else
  return FALSE;
#endif
}

/* Image planes with their padding written out: every window of the
 * convolution lies inside (pad_h × pad_w), the rest is x's zero point. */
static guint8 *
pad_planes (const NchwJob *j, gint64 *pad_h, gint64 *pad_w)
{
  const LaminaConvGeom *g = j->g;
  gint64 h = (g->out[0] - 1) * g->stride[0] + (g->k[0] - 1) * g->dil[0] + 1;
  gint64 w = (g->out[1] - 1) * g->stride[1] + (g->k[1] - 1) * g->dil[1] + 1;
  gint64 rows = MIN (g->in[0], h - g->pad[0]), cols = MIN (g->in[1], w - g->pad[1]);
  /* slack: padded_row reads 32 bytes from a window row's start */
  guint8 *xpad = g_malloc (g->batch * g->cin * h * w + 2 * NCOL);

  memset (xpad, (guint8) j->x_zero, g->batch * g->cin * h * w + 2 * NCOL);
  for (gint64 p = 0; p < g->batch * g->cin; p++)
    for (gint64 r = 0; r < rows; r++)
      memcpy (xpad + (p * h + r + g->pad[0]) * w + g->pad[1],
              (const guint8 *) j->x->data + p / g->cin * g->x_n + p % g->cin * g->x_c + r * g->in[1], MAX (cols, 0));
  *pad_h = h, *pad_w = w;
  return xpad;
}

/* Where each K row (channel, window offset) starts in the padded planes. */
static gint64 *
padded_row_offsets (const NchwJob *j)
{
  const LaminaConvGeom *g = j->g;
  gint64 kk = g->k[0] * g->k[1], *at = g_new (gint64, MAX (j->k, 1));

  for (gint64 k = 0; k < j->k; k++)
    at[k] = k / kk * j->pad_h * j->pad_w + k % kk / g->k[1] * g->dil[0] * j->pad_w + k % g->k[1] * g->dil[1];
  return at;
}

void
lamina_int8_gemm_nchw (LaminaParallel *p, const LaminaConvGeom *g, const LaminaValue *x, gint32 x_zero,
                       const LaminaInt8Rows *w, const LaminaInt8RowRequant *rq, guint8 *y)
{
  gint64 k = g->cin * g->k[0] * g->k[1], hw = g->out[0] * g->out[1];
  gboolean direct = g->k[0] == 1 && g->k[1] == 1 && g->stride[0] == 1 && g->stride[1] == 1 && g->pad[0] == 0
                    && g->pad[1] == 0 && g->out[0] == g->in[0] && g->out[1] == g->in[1];
  NchwJob j = { g, g->cout, k, hw, (k + 1) / 2, (k + 3) / 4, (hw + NCOL - 1) / NCOL, direct, x, x_zero, w, rq, y };
  g_autofree gint32 *bias_u = NULL;

  g_return_if_fail (w->cout == g->cout && w->k == k);
  j.bytes = bytes_path_applies (w, rq);
  if (j.bytes)
    {
      /* Σ (x − zx)·w = Σ u·w − zu·Σw with u = x ^ flip, zu = zx ^ flip */
      gint32 zu;
      j.flip = x->dtype == LAMINA_DTYPE_INT8 ? 0x80 : 0;
      zu = (guint8) x_zero ^ j.flip;
      j.bias_u = bias_u = g_new (gint32, MAX (g->cout, 1));
      for (gint64 m = 0; m < g->cout; m++)
        bias_u[m] = rq->bias[m] - zu * w->sums[m];
      if (!direct)
        {
          j.xpad = pad_planes (&j, &j.pad_h, &j.pad_w);
          j.row_at = padded_row_offsets (&j);
        }
    }
  lamina_parallel_for (p, g->batch * j.col_blocks, 1, nchw_columns, &j);
  g_free (j.xpad);
  g_free (j.row_at);
}
