/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-gemm.c: blocked, packed SGEMM (see lamina-gemm.h).
 *
 * Orientation: the micro-kernel keeps an MR × NR tile of C in registers,
 * broadcasts MR values of packed A and loads NR values of packed B per k.
 * C rows are contiguous along N, which for NCHW convolutions is the output
 * plane, so stores are full vectors.
 *
 * Work split: C is cut into tiles of at most MB × NB; every tile packs its
 * own (non-prepacked) operand blocks into buffers of the thread running it,
 * so threads share nothing but the read-only inputs.
 */
#define G_LOG_DOMAIN "lamina-gemm"

#include <math.h>
#include <string.h>
#include "lamina-gemm.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86_KERNELS 1
#endif

/* K block: a B panel (KC × NR floats) plus an A panel stay in L1/L2. */
#define KC 256
/* Tile limits: an A block of MB × KC and a B block of KC × NB fit in L2. */
#define MB_MAX 192
#define NB_MAX 512
#define MAX_MR 8
#define MAX_NR 32
#define ALIGN 64

/* Where the micro-kernel reads row k of a B panel: b + k * ldb (ldb = NR
 * when packed, the row stride when read in place), or rows[k] + b_col. */
typedef struct {
  const float        *b;
  gint64              ldb;
  const float *const *rows;
  gint64              col;
} BPanel;

/* Row k of the panel; the kernels copy *bp to a local first so that the
 * fields stay in registers. */
static inline __attribute__ ((always_inline)) const float *
b_row (const BPanel bp, gint64 k)
{
  return bp.rows ? bp.rows[k] + bp.col : bp.b + k * bp.ldb;
}

/* C tile = A panel · B panel, plus C when accumulate, else plus bias[i]
 * per row when bias is not NULL. */
typedef void (*MicroKernel) (gint64 kc, const float *a, const BPanel *bp, float *c, gint64 ldc,
                             gboolean accumulate, const float *bias);

typedef struct {
  const char *name;
  int         mr, nr;
  MicroKernel kernel;
  gboolean  (*supported) (void);
} KernelInfo;

/* ---- micro-kernels ------------------------------------------------------ */

/* Portable: GCC vector extensions (SSE on x86-64, NEON on aarch64). */
typedef float v4f __attribute__ ((vector_size (16)));
#define GEN_MR 4
#define GEN_NR 8

static void
kernel_generic (gint64 kc, const float *a, const BPanel *bp, float *c, gint64 ldc, gboolean accumulate,
                const float *bias)
{
  v4f acc[GEN_MR][2];
  const BPanel panel = *bp;

  for (int i = 0; i < GEN_MR; i++)
    acc[i][0] = acc[i][1] = (v4f) { 0 } + (bias ? bias[i] : 0.0f);

  for (gint64 k = 0; k < kc; k++, a += GEN_MR)
    {
      const float *b = b_row (panel, k);
      v4f b0, b1;
      memcpy (&b0, b, sizeof b0);
      memcpy (&b1, b + 4, sizeof b1);
#pragma GCC unroll 4
      for (int i = 0; i < GEN_MR; i++)
        {
          acc[i][0] += a[i] * b0;
          acc[i][1] += a[i] * b1;
        }
    }
  for (int i = 0; i < GEN_MR; i++)
    {
      float *row = c + i * ldc;
      v4f old[2] = { { 0 } };
      if (accumulate)
        memcpy (old, row, sizeof old);
      old[0] += acc[i][0];
      old[1] += acc[i][1];
      memcpy (row, old, sizeof old);
    }
}

static gboolean
always (void)
{
  return TRUE;
}

#ifdef HAVE_X86_KERNELS
#define AVX2_MR 6
#define AVX2_NR 16

__attribute__ ((target ("avx2,fma"))) static void
kernel_avx2 (gint64 kc, const float *a, const BPanel *bp, float *c, gint64 ldc, gboolean accumulate,
             const float *bias)
{
  __m256 acc[AVX2_MR][2];
  const BPanel panel = *bp;

#pragma GCC unroll 6
  for (int i = 0; i < AVX2_MR; i++)
    acc[i][0] = acc[i][1] = bias ? _mm256_set1_ps (bias[i]) : _mm256_setzero_ps ();
  for (gint64 k = 0; k < kc; k++, a += AVX2_MR)
    {
      const float *b = b_row (panel, k);
      __m256 b0 = _mm256_loadu_ps (b), b1 = _mm256_loadu_ps (b + 8);
#pragma GCC unroll 6
      for (int i = 0; i < AVX2_MR; i++)
        {
          __m256 ai = _mm256_broadcast_ss (a + i);
          acc[i][0] = _mm256_fmadd_ps (ai, b0, acc[i][0]);
          acc[i][1] = _mm256_fmadd_ps (ai, b1, acc[i][1]);
        }
    }
#pragma GCC unroll 6
  for (int i = 0; i < AVX2_MR; i++)
    {
      float *row = c + i * ldc;
      if (accumulate)
        {
          acc[i][0] = _mm256_add_ps (acc[i][0], _mm256_loadu_ps (row));
          acc[i][1] = _mm256_add_ps (acc[i][1], _mm256_loadu_ps (row + 8));
        }
      _mm256_storeu_ps (row, acc[i][0]);
      _mm256_storeu_ps (row + 8, acc[i][1]);
    }
}

static gboolean
has_avx2 (void)
{
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
}

#define AVX512_MR 8
#define AVX512_NR 32

__attribute__ ((target ("avx512f"))) static void
kernel_avx512 (gint64 kc, const float *a, const BPanel *bp, float *c, gint64 ldc, gboolean accumulate,
               const float *bias)
{
  __m512 acc[AVX512_MR][2];
  const BPanel panel = *bp;

#pragma GCC unroll 8
  for (int i = 0; i < AVX512_MR; i++)
    acc[i][0] = acc[i][1] = bias ? _mm512_set1_ps (bias[i]) : _mm512_setzero_ps ();
  for (gint64 k = 0; k < kc; k++, a += AVX512_MR)
    {
      const float *b = b_row (panel, k);
      __m512 b0 = _mm512_loadu_ps (b), b1 = _mm512_loadu_ps (b + 16);
#pragma GCC unroll 8
      for (int i = 0; i < AVX512_MR; i++)
        {
          __m512 ai = _mm512_set1_ps (a[i]);
          acc[i][0] = _mm512_fmadd_ps (ai, b0, acc[i][0]);
          acc[i][1] = _mm512_fmadd_ps (ai, b1, acc[i][1]);
        }
    }
#pragma GCC unroll 8
  for (int i = 0; i < AVX512_MR; i++)
    {
      float *row = c + i * ldc;
      if (accumulate)
        {
          acc[i][0] = _mm512_add_ps (acc[i][0], _mm512_loadu_ps (row));
          acc[i][1] = _mm512_add_ps (acc[i][1], _mm512_loadu_ps (row + 16));
        }
      _mm512_storeu_ps (row, acc[i][0]);
      _mm512_storeu_ps (row + 16, acc[i][1]);
    }
}

static gboolean
has_avx512 (void)
{
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx512f");
}
#endif

/* Best first. */
static const KernelInfo kernels[] = {
#ifdef HAVE_X86_KERNELS
  { "avx512", AVX512_MR, AVX512_NR, kernel_avx512, has_avx512 },
  { "avx2", AVX2_MR, AVX2_NR, kernel_avx2, has_avx2 },
#endif
  { "generic", GEN_MR, GEN_NR, kernel_generic, always },
};

static const KernelInfo *current;

static const KernelInfo *
find_kernel (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (kernels); i++)
    if ((name == NULL || g_strcmp0 (name, kernels[i].name) == 0) && kernels[i].supported ())
      return &kernels[i];
  return NULL;
}

static const KernelInfo *
get_kernel (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const KernelInfo *k = find_kernel (g_getenv ("LAMINA_GEMM"));
      current = k ? k : find_kernel (NULL);
      g_once_init_leave (&once, 1);
    }
  return current;
}

const char *
lamina_gemm_kernel_name (void)
{
  return get_kernel ()->name;
}

gboolean
lamina_gemm_select_kernel (const char *name)
{
  const KernelInfo *k = find_kernel (name);

  get_kernel ();
  if (k == NULL)
    return FALSE;
  current = k;
  return TRUE;
}

/* ---- operands and packing ---------------------------------------------- */

LaminaGemmOperand
lamina_gemm_matrix_a (const float *a, gint64 rs, gint64 cs)
{
  return (LaminaGemmOperand) { .data = a, .s_mn = rs, .s_k = cs };
}

LaminaGemmOperand
lamina_gemm_matrix_b (const float *b, gint64 rs, gint64 cs)
{
  return (LaminaGemmOperand) { .data = b, .s_mn = cs, .s_k = rs };
}

LaminaGemmOperand
lamina_gemm_packed (const LaminaGemmPacked *packed)
{
  return (LaminaGemmOperand) { .packed = packed };
}

/* K is cut into equal blocks of at most KC (a short last block wastes a
 * whole pass of the micro-kernel's loads). */
static gint64
k_block (gint64 k)
{
  gint64 nkb = MAX ((k + KC - 1) / KC, 1);
  return (k + nkb - 1) / nkb;
}

static gint64
round_up (gint64 x, gint64 to)
{
  return (x + to - 1) / to * to;
}

static void
pack_strided (const LaminaGemmOperand *op, gint64 mn0, int count, gint64 k0, gint64 kc, int width, float *dst)
{
  if (op->rows)
    {
      for (gint64 k = 0; k < kc; k++, dst += width)
        {
          memcpy (dst, op->rows[k0 + k] + mn0, count * sizeof (float));
          memset (dst + count, 0, (width - count) * sizeof (float));
        }
      return;
    }
  const float *src = op->data + mn0 * op->s_mn + k0 * op->s_k;

  if (op->s_mn == 1)
    for (gint64 k = 0; k < kc; k++, dst += width)
      {
        memcpy (dst, src + k * op->s_k, count * sizeof (float));
        memset (dst + count, 0, (width - count) * sizeof (float));
      }
  else
    {
      for (int t = 0; t < count; t++)
        {
          const float *s = src + t * op->s_mn;
          for (gint64 k = 0; k < kc; k++)
            dst[k * width + t] = s[k * op->s_k];
        }
      for (gint64 k = 0; k < kc; k++)
        memset (dst + k * width + count, 0, (width - count) * sizeof (float));
    }
}

/* Offset of panel p of K block starting at k0 in a packed operand. */
static gsize
packed_offset (gint64 mn_padded, int width, gint64 p, gint64 k0, gint64 kc)
{
  return (gsize) (k0 * mn_padded + p * width * kc);
}

/* Reads a packed operand of another micro-kernel's width (after a switch
 * in tests): element by element, slow but right. */
static void
pack_from_packed (gconstpointer ctx, gint64 mn0, int count, gint64 k0, gint64 kc, int width, float *dst)
{
  const LaminaGemmPacked *pk = ctx;
  gint64 kcb = k_block (pk->k), mnp = round_up (pk->mn, pk->width);

  for (gint64 k = 0; k < kc; k++)
    for (int t = 0; t < width; t++)
      {
        gint64 kk = k0 + k, mn = mn0 + t, b0 = kk / kcb * kcb;
        gint64 bkc = MIN (kcb, pk->k - b0);
        dst[k * width + t] = t < count
          ? pk->data[packed_offset (mnp, pk->width, mn / pk->width, b0, bkc) + (kk - b0) * pk->width + mn % pk->width]
          : 0.0f;
      }
}

/* Packs panels [p0, p0 + np) of one K block, width-wide each, into dst. */
static void
pack_panels (const LaminaGemmOperand *op, gint64 mn_total, int width, gint64 p0, gint64 np,
             gint64 k0, gint64 kc, float *dst)
{
  if (op->pack)
    {
      op->pack (op->ctx, p0 * width, (int) MIN (np * width, mn_total - p0 * width), k0, kc, width, dst);
      return;
    }
  for (gint64 p = p0; p < p0 + np; p++, dst += width * kc)
    {
      gint64 mn0 = p * width;
      int count = (int) MIN (width, mn_total - mn0);
      if (op->packed)
        pack_from_packed (op->packed, mn0, count, k0, kc, width, dst);
      else
        pack_strided (op, mn0, count, k0, kc, width, dst);
    }
}

static LaminaGemmPacked *
pack_whole (const LaminaGemmOperand *op, gint64 mn, gint64 k, int width)
{
  g_autoptr (LaminaGemmPacked) pk = g_new0 (LaminaGemmPacked, 1);
  gint64 mnp = round_up (MAX (mn, 1), width), kcb = k_block (k);
  gsize size = (gsize) mnp * MAX (k, 1);

  pk->width = width;
  pk->mn = mn;
  pk->k = k;
  /* weights are bounded by the model file's size, so no try-alloc here */
  pk->data = g_aligned_alloc (size, sizeof (float), ALIGN);
  for (gint64 k0 = 0; k0 < k; k0 += kcb)
    {
      gint64 kc = MIN (kcb, k - k0);
      pack_panels (op, mn, width, 0, mnp / width, k0, kc, pk->data + packed_offset (mnp, width, 0, k0, kc));
    }
  return g_steal_pointer (&pk);
}

LaminaGemmPacked *
lamina_gemm_pack_a (const LaminaGemmOperand *a, gint64 m, gint64 k)
{
  return pack_whole (a, m, k, get_kernel ()->mr);
}

LaminaGemmPacked *
lamina_gemm_pack_b (const LaminaGemmOperand *b, gint64 n, gint64 k)
{
  return pack_whole (b, n, k, get_kernel ()->nr);
}

void
lamina_gemm_packed_free (LaminaGemmPacked *packed)
{
  if (packed == NULL)
    return;
  g_aligned_free (packed->data);
  g_free (packed);
}

/* ---- epilogue ----------------------------------------------------------- */

static gboolean
epilogue_is_noop (const LaminaGemmEpilogue *ep)
{
  return ep == NULL || (ep->bias == NULL && ep->lo == -INFINITY && ep->hi == INFINITY);
}

LAMINA_VECTOR_CLONES static void
epilogue_row (float *restrict row, gint64 n, const float *restrict bias_vec, float bias, float lo, float hi,
              gboolean clamp)
{
  if (bias_vec)
    for (gint64 j = 0; j < n; j++)
      row[j] += bias_vec[j];
  else if (bias != 0.0f)
    for (gint64 j = 0; j < n; j++)
      row[j] += bias;
  if (clamp)
    for (gint64 j = 0; j < n; j++)
      row[j] = row[j] < lo ? lo : row[j] > hi ? hi : row[j];
}

/* Applies bias and clamp to rows [i0, i0 + rows) × columns [j0, j0 + cols). */
static void
apply_epilogue (const LaminaGemmEpilogue *ep, float *c, gint64 ldc, gint64 i0, gint64 rows, gint64 j0, gint64 cols)
{
  gboolean clamp = ep->lo != -INFINITY || ep->hi != INFINITY;

  for (gint64 i = i0; i < i0 + rows; i++)
    epilogue_row (c + i * ldc + j0, cols, ep->bias && !ep->bias_per_row ? ep->bias + j0 : NULL,
                  ep->bias && ep->bias_per_row ? ep->bias[i] : 0.0f, ep->lo, ep->hi, clamp);
}

/* ---- the driver --------------------------------------------------------- */

typedef struct {
  const KernelInfo        *kern;
  gint64                   m, n, k, kcb;
  const LaminaGemmOperand *a, *b;
  float                   *c;
  gint64                   ldc;
  gboolean                 accumulate;
  const LaminaGemmEpilogue *ep;
  gint64                   mb, nb, tiles_m;
} Job;

/* Whether a packed operand can be read in place (else it is repacked). */
static gboolean
packed_fits (const LaminaGemmOperand *op, int width)
{
  return op->packed != NULL && op->packed->width == width;
}

/* One micro-tile: the kernel writes straight into C when the tile is whole,
 * through a scratch tile at the edges. */
static void
micro_tile (const Job *job, const float *ap, const BPanel *bp, gint64 kc, gint64 i0, gint64 j0,
            gboolean acc, const float *bias)
{
  const KernelInfo *kern = job->kern;
  float *c = job->c + i0 * job->ldc + j0;
  gint64 rows = MIN (kern->mr, job->m - i0), cols = MIN (kern->nr, job->n - j0);
  float tmp[MAX_MR * MAX_NR] __attribute__ ((aligned (ALIGN))), brow[MAX_MR] = { 0 };

  if (rows == kern->mr && cols == kern->nr)
    {
      kern->kernel (kc, ap, bp, c, job->ldc, acc, bias);
      return;
    }
  /* the bias of rows past the end is not there to read */
  for (gint64 i = 0; bias && i < rows; i++)
    brow[i] = bias[i];
  kern->kernel (kc, ap, bp, tmp, kern->nr, FALSE, bias && !acc ? brow : NULL);
  for (gint64 i = 0; i < rows; i++)
    for (gint64 j = 0; j < cols; j++)
      c[i * job->ldc + j] = acc ? c[i * job->ldc + j] + tmp[i * kern->nr + j] : tmp[i * kern->nr + j];
}

static void
run_tile (const Job *job, gint64 tile, float *bufa, float *bufb)
{
  const KernelInfo *kern = job->kern;
  int mr = kern->mr, nr = kern->nr;
  gint64 i0 = tile % job->tiles_m * job->mb, j0 = tile / job->tiles_m * job->nb;
  gint64 rows = MIN (job->mb, job->m - i0), cols = MIN (job->nb, job->n - j0);
  gint64 pa0 = i0 / mr, npa = (rows + mr - 1) / mr, pb0 = j0 / nr, npb = (cols + nr - 1) / nr;
  gint64 mp = round_up (job->m, mr), np = round_up (job->n, nr);
  /* what is left for the epilogue once the kernel added a per-row bias */
  LaminaGemmEpilogue ep_rest = job->ep ? *job->ep : (LaminaGemmEpilogue) { NULL, FALSE, -INFINITY, INFINITY };
  if (ep_rest.bias_per_row && !job->accumulate)
    ep_rest.bias = NULL;

  for (gint64 k0 = 0; k0 < job->k; k0 += job->kcb)
    {
      gint64 kc = MIN (job->kcb, job->k - k0);
      gboolean acc = k0 > 0 || job->accumulate, last = k0 + kc >= job->k;
      /* a per-row bias starts the sums (saves a pass over C) */
      const float *bias = !acc && job->ep && job->ep->bias && job->ep->bias_per_row ? job->ep->bias : NULL;
      const float *ap = bufa, *bp = bufb;
      /* a row-major B is read in place for whole panels (packing it would
       * only copy rows); a short last panel is packed (zero padding). Past
       * one K block the rows' pages outnumber the TLB and packing wins
       * (measured: 24 × 25600 × 864 is 1.4× faster packed). */
      gboolean b_inplace = job->b->pack == NULL && job->b->packed == NULL && (job->b->rows || job->b->s_mn == 1)
                           && job->k <= KC;
      gint64 full = b_inplace ? cols / nr : 0;

      if (packed_fits (job->a, mr))
        ap = job->a->packed->data + packed_offset (mp, mr, pa0, k0, kc);
      else
        pack_panels (job->a, job->m, mr, pa0, npa, k0, kc, bufa);
      if (packed_fits (job->b, nr))
        bp = job->b->packed->data + packed_offset (np, nr, pb0, k0, kc);
      else if (b_inplace)
        pack_panels (job->b, job->n, nr, pb0 + full, npb - full, k0, kc, bufb);
      else
        pack_panels (job->b, job->n, nr, pb0, npb, k0, kc, bufb);
      /* the A panel (MR × kc) stays in L1 while B panels stream from L2 */
      for (gint64 ip = 0; ip < npa; ip++)
        {
          for (gint64 jp = 0; jp < npb; jp++)
            {
              BPanel panel = { b_inplace ? bufb : bp + jp * nr * kc, nr, NULL, 0 };
              if (jp < full && job->b->rows)
                panel = (BPanel) { NULL, 0, job->b->rows + k0, j0 + jp * nr };
              else if (jp < full)
                panel = (BPanel) { job->b->data + j0 + jp * nr + k0 * job->b->s_k, job->b->s_k, NULL, 0 };
              micro_tile (job, ap + ip * mr * kc, &panel, kc, i0 + ip * mr, j0 + jp * nr, acc,
                          bias ? bias + i0 + ip * mr : NULL);
            }
          if (last && !epilogue_is_noop (&ep_rest))
            apply_epilogue (&ep_rest, job->c, job->ldc, i0 + ip * mr, MIN (mr, job->m - i0 - ip * mr), j0, cols);
        }
    }
}

static void
run_tiles (gint64 begin, gint64 end, gpointer data)
{
  const Job *job = data;
  gsize sa = (gsize) job->mb * job->kcb, sb = (gsize) job->nb * job->kcb;
  /* B first: its size is a multiple of NR floats, so both stay aligned */
  float *bufb = g_aligned_alloc (sa + sb, sizeof (float), ALIGN);

  for (gint64 t = begin; t < end; t++)
    run_tile (job, t, bufb + sb, bufb);
  g_aligned_free (bufb);
}

/* Tile sizes: as large as the caches allow, but at least ~3 tiles per
 * thread when the problem has enough of them, splitting N first (splitting
 * M repacks the B blocks once per M tile). */
static void
choose_tiles (Job *job, int threads, gint64 *n_tiles)
{
  int mr = job->kern->mr, nr = job->kern->nr;
  gint64 tm = (job->m + MB_MAX - 1) / MB_MAX, tn = (job->n + NB_MAX - 1) / NB_MAX;
  gint64 want = 2.0 * job->m * job->n * job->k < 2e5 ? 1 : 3 * threads;

  while (threads > 1 && tm * tn < want && (job->n + tn) / (tn + 1) >= 2 * nr)
    tn++;
  while (threads > 1 && tm * tn < want && (job->m + tm) / (tm + 1) >= 2 * mr)
    tm++;
  job->mb = round_up ((job->m + tm - 1) / tm, mr);
  job->nb = round_up ((job->n + tn - 1) / tn, nr);
  job->tiles_m = (job->m + job->mb - 1) / job->mb;
  *n_tiles = job->tiles_m * ((job->n + job->nb - 1) / job->nb);
}

void
lamina_gemm (LaminaParallel *p, gint64 m, gint64 n, gint64 k, const LaminaGemmOperand *a,
             const LaminaGemmOperand *b, float *c, gint64 ldc, gboolean accumulate,
             const LaminaGemmEpilogue *epilogue)
{
  Job job = { .kern = get_kernel (), .m = m, .n = n, .k = k, .kcb = k_block (k), .a = a, .b = b,
              .c = c, .ldc = ldc, .accumulate = accumulate, .ep = epilogue };
  gint64 n_tiles;

  if (m <= 0 || n <= 0)
    return;
  if (k <= 0)
    {
      for (gint64 i = 0; i < m && !accumulate; i++)
        memset (c + i * ldc, 0, n * sizeof (float));
      if (!epilogue_is_noop (epilogue))
        apply_epilogue (epilogue, c, ldc, 0, m, 0, n);
      return;
    }
  choose_tiles (&job, p ? lamina_parallel_threads (p) : 1, &n_tiles);
  if (p == NULL || n_tiles == 1)
    run_tiles (0, n_tiles, &job);
  else
    lamina_parallel_for (p, n_tiles, 1, run_tiles, &job);
}

/* ---- reference ---------------------------------------------------------- */

/* Element (mn, k) of any operand kind. */
static float
operand_at (const LaminaGemmOperand *op, gint64 mn, gint64 k, int width)
{
  if (op->pack || op->packed)
    {
      /* a one-element panel: slow, but the reference is for tests */
      float panel[MAX_NR];
      if (op->pack)
        op->pack (op->ctx, mn, 1, k, 1, width, panel);
      else
        pack_from_packed (op->packed, mn, 1, k, 1, width, panel);
      return panel[0];
    }
  return op->rows ? op->rows[k][mn] : op->data[mn * op->s_mn + k * op->s_k];
}

void
lamina_gemm_reference (gint64 m, gint64 n, gint64 k, const LaminaGemmOperand *a,
                       const LaminaGemmOperand *b, float *c, gint64 ldc, gboolean accumulate,
                       const LaminaGemmEpilogue *epilogue)
{
  for (gint64 i = 0; i < m; i++)
    for (gint64 j = 0; j < n; j++)
      {
        double sum = accumulate ? c[i * ldc + j] : 0.0;
        for (gint64 kk = 0; kk < k; kk++)
          sum += (double) operand_at (a, i, kk, MAX_NR) * operand_at (b, j, kk, MAX_NR);
        c[i * ldc + j] = (float) sum;
      }
  if (!epilogue_is_noop (epilogue))
    apply_epilogue (epilogue, c, ldc, 0, m, 0, n);
}
