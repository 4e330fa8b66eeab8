/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tensor-copy.c: permute, per-axis gather and block copies on raw
 * bytes (see lamina-tensor-copy.h). Each has a fast path that works on
 * contiguous runs (memcpy, cache-blocked tiles) and an element-by-element
 * reference the tests compare it with.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <string.h>
#include "lamina-tensor-copy.h"
#include "lamina-convert.h"

/* Below this many bytes a copy runs in the calling thread: waking the pool
 * costs more than it saves. */
#define PARALLEL_MIN_BYTES (256 * 1024)
/* Tile edge of the blocked transpose: 32×32 elements of 4 bytes stay in L1. */
#define TILE 32

static void
run_rows (LaminaParallel *parallel, gint64 rows, gsize row_bytes, LaminaParallelBody body, gpointer data)
{
  gint64 grain;

  if (rows <= 0)
    return;
  if (parallel == NULL || (gsize) rows * row_bytes < PARALLEL_MIN_BYTES || lamina_parallel_threads (parallel) < 2)
    {
      body (0, rows, data);
      return;
    }
  grain = MAX (1, (gint64) (65536 / MAX (row_bytes, 1)));
  lamina_parallel_for (parallel, rows, grain, body, data);
}

static void
fill_elems (guint8 *dst, const guint8 *fill, gint64 n, gsize elem)
{
  gboolean zero = TRUE;

  for (gsize b = 0; b < elem && zero; b++)
    zero = fill == NULL || fill[b] == 0;
  if (zero)
    {
      memset (dst, 0, (gsize) n * elem);
      return;
    }
  for (gint64 i = 0; i < n; i++)
    memcpy (dst + (gsize) i * elem, fill, elem);
}

static void
contiguous_strides (int rank, const gint64 *dims, gint64 *strides)
{
  gint64 s = 1;

  for (int i = rank - 1; i >= 0; i--)
    {
      strides[i] = s;
      s *= dims[i];
    }
}

static gint64
product (int rank, const gint64 *dims)
{
  gint64 n = 1;

  for (int i = 0; i < rank; i++)
    n *= dims[i];
  return n;
}

/* ---- permute ------------------------------------------------------------ */

typedef struct {
  int            rank;
  gint64         dims[LAMINA_MAX_RANK];     /* output dims, size-1 dims dropped, runs merged */
  gint64         sstride[LAMINA_MAX_RANK];  /* source stride (elements) of each output dim */
  gint64         dstride[LAMINA_MAX_RANK];  /* output stride (elements) */
  int            j;                         /* the dim read contiguously (tile path) */
  gsize          elem;
  guint8        *dst;
  const guint8  *src;
} Permute;

static void
permute_plan (Permute *p, int rank, const gint64 *in_dims, const int *perm)
{
  gint64 in_stride[LAMINA_MAX_RANK];

  contiguous_strides (rank, in_dims, in_stride);
  p->rank = 0;
  for (int i = 0; i < rank; i++)
    {
      gint64 d = in_dims[perm[i]], s = in_stride[perm[i]];

      if (d == 1)
        continue;
      /* consecutive output dims that are also consecutive in the source
       * form one longer dim */
      if (p->rank > 0 && p->sstride[p->rank - 1] == s * d)
        {
          p->dims[p->rank - 1] *= d;
          p->sstride[p->rank - 1] = s;
          continue;
        }
      p->dims[p->rank] = d;
      p->sstride[p->rank] = s;
      p->rank++;
    }
  contiguous_strides (p->rank, p->dims, p->dstride);
}

/* Source offset of output row `row` (all dims but the last `skip_last`
 * ones, and dim `skip` when >= 0, enumerate rows). */
static void
permute_row_offsets (const Permute *p, gint64 row, int skip, gint64 *src_off, gint64 *dst_off)
{
  gint64 s = 0, d = 0;

  for (int i = p->rank - 2; i >= 0; i--)
    {
      gint64 idx;

      if (i == skip)
        continue;
      idx = row % p->dims[i];
      row /= p->dims[i];
      s += idx * p->sstride[i];
      d += idx * p->dstride[i];
    }
  *src_off = s;
  *dst_off = d;
}

static void
permute_rows_body (gint64 begin, gint64 end, gpointer data)
{
  const Permute *p = data;
  gsize run = (gsize) p->dims[p->rank - 1] * p->elem;

  for (gint64 r = begin; r < end; r++)
    {
      gint64 s, d;

      permute_row_offsets (p, r, -1, &s, &d);
      memcpy (p->dst + (gsize) d * p->elem, p->src + (gsize) s * p->elem, run);
    }
}

/* memcpy of a constant size compiles to one load and store, and unlike a
 * typed access it is fine on unaligned data (constants mapped from files) */
#define TILE_LOOP(T)                                                              \
  for (gint64 jj = j0; jj < j1; jj++)                                            \
    for (gint64 ii = i0; ii < i1; ii++)                                          \
      memcpy (dst + (jj * dsj + ii) * sizeof (T), src + (jj + ii * ssl) * sizeof (T), sizeof (T))

/* One TILE×TILE block: dst is contiguous along the last dim, src along j. */
static void
permute_tile (const Permute *p, guint8 *dst, const guint8 *src, gint64 j0, gint64 j1)
{
  gint64 dsj = p->dstride[p->j], ssl = p->sstride[p->rank - 1], nl = p->dims[p->rank - 1];

  for (gint64 i0 = 0; i0 < nl; i0 += TILE)
    {
      gint64 i1 = MIN (nl, i0 + TILE);

      switch (p->elem)
        {
        case 1: TILE_LOOP (guint8); break;
        case 2: TILE_LOOP (guint16); break;
        case 4: TILE_LOOP (guint32); break;
        case 8: TILE_LOOP (guint64); break;
        default:
          for (gint64 jj = j0; jj < j1; jj++)
            for (gint64 ii = i0; ii < i1; ii++)
              memcpy (dst + (gsize) (jj * dsj + ii) * p->elem, src + (gsize) (jj + ii * ssl) * p->elem, p->elem);
          break;
        }
    }
}

static void
permute_tiles_body (gint64 begin, gint64 end, gpointer data)
{
  const Permute *p = data;
  gint64 nj = p->dims[p->j], blocks = (nj + TILE - 1) / TILE;

  for (gint64 w = begin; w < end; w++)
    {
      gint64 outer = w / blocks, j0 = (w % blocks) * TILE, s, d;

      permute_row_offsets (p, outer, p->j, &s, &d);
      permute_tile (p, p->dst + (gsize) d * p->elem, p->src + (gsize) s * p->elem, j0, MIN (nj, j0 + TILE));
    }
}

void
lamina_copy_permute (void *dst, const void *src, int rank, const gint64 *in_dims,
                     const int *perm, gsize elem, LaminaParallel *parallel)
{
  Permute p = { .elem = elem, .dst = dst, .src = src, .j = -1 };
  gint64 numel = product (rank, in_dims), rows;

  if (numel == 0)
    return;
  permute_plan (&p, rank, in_dims, perm);
  if (p.rank == 0 || p.sstride[p.rank - 1] == 1)
    {
      /* the innermost output dim is contiguous in the source: memcpy rows */
      if (p.rank == 0)
        {
          memcpy (dst, src, elem);
          return;
        }
      rows = numel / p.dims[p.rank - 1];
      run_rows (parallel, rows, (gsize) p.dims[p.rank - 1] * elem, permute_rows_body, &p);
      return;
    }
  /* a true transpose: the source's unit-stride dim is some j before the last */
  for (int i = 0; i < p.rank - 1; i++)
    if (p.sstride[i] == 1)
      p.j = i;
  g_assert (p.j >= 0);
  rows = numel / p.dims[p.rank - 1] / p.dims[p.j] * ((p.dims[p.j] + TILE - 1) / TILE);
  run_rows (parallel, rows, (gsize) TILE * p.dims[p.rank - 1] * elem, permute_tiles_body, &p);
}

void
lamina_copy_permute_reference (void *dst, const void *src, int rank, const gint64 *in_dims,
                               const int *perm, gsize elem)
{
  gint64 in_stride[LAMINA_MAX_RANK], out_dims[LAMINA_MAX_RANK], idx[LAMINA_MAX_RANK] = { 0 };
  gint64 numel = product (rank, in_dims);

  contiguous_strides (rank, in_dims, in_stride);
  for (int i = 0; i < rank; i++)
    out_dims[i] = in_dims[perm[i]];
  for (gint64 o = 0; o < numel; o++)
    {
      gint64 s = 0;

      for (int i = 0; i < rank; i++)
        s += idx[i] * in_stride[perm[i]];
      memcpy ((guint8 *) dst + (gsize) o * elem, (const guint8 *) src + (gsize) s * elem, elem);
      for (int i = rank - 1; i >= 0 && ++idx[i] == out_dims[i]; i--)
        idx[i] = 0;
    }
}

/* ---- per-axis gather ------------------------------------------------------ */

typedef struct {
  gint64 start;   /* first output index */
  gint64 len;
  gint64 src;     /* first source index, or -1: fill */
} Segment;

typedef struct {
  int                  rank;
  const gint64        *out_dims;
  gint64               in_stride[LAMINA_MAX_RANK];
  const gint64 *const *tables;
  gsize                elem;      /* bytes of one (merged) element */
  const guint8        *fill;      /* elem bytes */
  GArray              *segments;  /* Segment, of the last axis */
  gboolean             per_elem;  /* short segments: index the table per element */
  guint8              *dst;
  const guint8        *src;
} Gather;

static void
gather_segments (Gather *g)
{
  const gint64 *t = g->tables[g->rank - 1];
  gint64 n = g->out_dims[g->rank - 1];

  g->segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  for (gint64 j = 0; j < n; j++)
    {
      Segment *last = g->segments->len ? &g_array_index (g->segments, Segment, g->segments->len - 1) : NULL;

      if (last && ((t[j] < 0 && last->src < 0) || (t[j] >= 0 && last->src >= 0 && t[j] == last->src + last->len)))
        last->len++;
      else
        {
          Segment s = { j, 1, t[j] < 0 ? -1 : t[j] };
          g_array_append_val (g->segments, s);
        }
    }
  /* many tiny segments (e.g. nearest upsampling of a last axis): a typed
   * per-element loop beats one memcpy call per element */
  g->per_elem = g->segments->len * 4 > (guint) n && g->elem <= 8 && (g->elem & (g->elem - 1)) == 0;
}

#define GATHER_ELEMS(T)                                                           \
  for (gint64 j = 0; j < n; j++)                                                 \
    memcpy (d + j * sizeof (T), t[j] < 0 ? g->fill : s + t[j] * sizeof (T), sizeof (T))

static void
gather_row (const Gather *g, guint8 *d, const guint8 *s)
{
  const gint64 *t = g->tables[g->rank - 1];
  gint64 n = g->out_dims[g->rank - 1];

  if (g->per_elem)
    {
      switch (g->elem)
        {
        case 1: GATHER_ELEMS (guint8); return;
        case 2: GATHER_ELEMS (guint16); return;
        case 4: GATHER_ELEMS (guint32); return;
        default: GATHER_ELEMS (guint64); return;
        }
    }
  for (guint k = 0; k < g->segments->len; k++)
    {
      const Segment *seg = &g_array_index (g->segments, Segment, k);

      if (seg->src < 0)
        fill_elems (d + (gsize) seg->start * g->elem, g->fill, seg->len, g->elem);
      else
        memcpy (d + (gsize) seg->start * g->elem, s + (gsize) seg->src * g->elem, (gsize) seg->len * g->elem);
    }
}

static void
gather_body (gint64 begin, gint64 end, gpointer data)
{
  const Gather *g = data;
  gint64 n = g->out_dims[g->rank - 1];

  for (gint64 r = begin; r < end; r++)
    {
      guint8 *d = g->dst + (gsize) (r * n) * g->elem;
      gint64 rest = r, off = 0;
      gboolean fill = FALSE;

      for (int a = g->rank - 2; a >= 0; a--)
        {
          gint64 i = rest % g->out_dims[a], src_i = g->tables[a] ? g->tables[a][i] : i;

          rest /= g->out_dims[a];
          fill |= src_i < 0;
          off += src_i * g->in_stride[a];
        }
      if (fill)
        fill_elems (d, g->fill, n, g->elem);
      else
        gather_row (g, d, g->src + (gsize) off * g->elem);
    }
}

void
lamina_copy_gather (void *dst, const void *src, int rank, const gint64 *out_dims,
                    const gint64 *in_dims, const gint64 *const *tables, gsize elem,
                    const void *fill, LaminaParallel *parallel)
{
  Gather g = { .out_dims = out_dims, .tables = tables, .dst = dst, .src = src };
  g_autofree guint8 *big_fill = NULL;
  gint64 inner = 1, numel = product (rank, out_dims);
  static const guint8 zeros[8] = { 0 };

  if (numel == 0)
    return;
  /* trailing identity axes are one contiguous "element" */
  while (rank > 0 && tables[rank - 1] == NULL)
    inner *= in_dims[--rank];
  if (rank == 0)
    {
      memcpy (dst, src, (gsize) inner * elem);
      return;
    }
  big_fill = g_malloc ((gsize) inner * elem);
  fill_elems (big_fill, fill ? fill : (elem <= 8 ? zeros : NULL), inner, elem);
  g.rank = rank;
  g.elem = (gsize) inner * elem;
  g.fill = big_fill;
  contiguous_strides (rank, in_dims, g.in_stride);
  gather_segments (&g);
  run_rows (parallel, numel / inner / out_dims[rank - 1], (gsize) out_dims[rank - 1] * g.elem, gather_body, &g);
  g_array_unref (g.segments);
}

void
lamina_copy_gather_reference (void *dst, const void *src, int rank, const gint64 *out_dims,
                              const gint64 *in_dims, const gint64 *const *tables, gsize elem,
                              const void *fill)
{
  gint64 in_stride[LAMINA_MAX_RANK], idx[LAMINA_MAX_RANK] = { 0 };
  gint64 numel = product (rank, out_dims);

  contiguous_strides (rank, in_dims, in_stride);
  for (gint64 o = 0; o < numel; o++)
    {
      guint8 *d = (guint8 *) dst + (gsize) o * elem;
      gint64 s = 0;
      gboolean outside = FALSE;

      for (int a = 0; a < rank; a++)
        {
          gint64 i = tables[a] ? tables[a][idx[a]] : idx[a];
          outside |= i < 0;
          s += i * in_stride[a];
        }
      if (outside)
        fill_elems (d, fill, 1, elem);
      else
        memcpy (d, (const guint8 *) src + (gsize) s * elem, elem);
      for (int a = rank - 1; a >= 0 && ++idx[a] == out_dims[a]; a--)
        idx[a] = 0;
    }
}

/* ---- blocks -------------------------------------------------------------- */

typedef struct {
  guint8       *dst;
  const guint8 *src;
  gsize         dst_stride, src_stride, block;
} Blocks;

static void
blocks_body (gint64 begin, gint64 end, gpointer data)
{
  const Blocks *b = data;

  for (gint64 o = begin; o < end; o++)
    memcpy (b->dst + (gsize) o * b->dst_stride, b->src + (gsize) o * b->src_stride, b->block);
}

void
lamina_copy_blocks (void *dst, gsize dst_stride, const void *src, gsize src_stride,
                    gint64 n_outer, gsize block, LaminaParallel *parallel)
{
  Blocks b = { dst, src, dst_stride, src_stride, block };

  if (block == 0)
    return;
  run_rows (parallel, n_outer, block, blocks_body, &b);
}

/* ---- scalars ------------------------------------------------------------- */

gboolean
lamina_store_double (void *dst, LaminaDType dtype, double x)
{
  if (!lamina_convert_supported (dtype))
    return FALSE;
  lamina_convert (dst, dtype, &x, LAMINA_DTYPE_FLOAT64, 1);
  return TRUE;
}
