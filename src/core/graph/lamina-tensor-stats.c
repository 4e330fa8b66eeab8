/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tensor-stats.c: statistics and first values of constant tensors.
 *
 * One table maps each dtype to an element reader (index → double); every
 * query goes through it, so a new dtype is one table row. Statistics take
 * two passes: Welford's update for mean and variance (stable on large
 * weights where a plain sum of squares cancels), then the histogram, which
 * needs min and max first.
 */
#define G_LOG_DOMAIN "lamina-stats"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-half.h"
#include "lamina-tensor-stats.h"
#include "ops/lamina-fixed.h"

typedef double (*ReadAt) (const guint8 *data, gsize i);

typedef struct {
  ReadAt read;
  guint  bits;   /* per element: 4 for the packed nibble types */
} ElementReader;

/* Little-endian loads that work on any alignment (data may be mapped). */
static inline guint8  load8 (const guint8 *p) { return *p; }
static inline guint16 load16 (const guint8 *p) { guint16 v; memcpy (&v, p, 2); return GUINT16_FROM_LE (v); }
static inline guint32 load32 (const guint8 *p) { guint32 v; memcpy (&v, p, 4); return GUINT32_FROM_LE (v); }
static inline guint64 load64 (const guint8 *p) { guint64 v; memcpy (&v, p, 8); return GUINT64_FROM_LE (v); }

/* Integer readers differ only in width and signedness. */
#define INT_READER(name, ctype, bits) \
  static double name (const guint8 *d, gsize i) { return (double) (ctype) load##bits (d + i * (bits / 8)); }
INT_READER (read_i8, gint8, 8)
INT_READER (read_u8, guint8, 8)
INT_READER (read_i16, gint16, 16)
INT_READER (read_u16, guint16, 16)
INT_READER (read_i32, gint32, 32)
INT_READER (read_u32, guint32, 32)
INT_READER (read_i64, gint64, 64)
INT_READER (read_u64, guint64, 64)
#undef INT_READER

static double read_f32 (const guint8 *d, gsize i) { return lamina_bits_to_float (load32 (d + 4 * i)); }
static double read_f16 (const guint8 *d, gsize i) { return lamina_half_to_float (load16 (d + 2 * i)); }
static double read_bf16 (const guint8 *d, gsize i) { return lamina_bfloat16_to_float (load16 (d + 2 * i)); }
static double read_bool (const guint8 *d, gsize i) { return d[i] != 0; }

static double
read_f64 (const guint8 *d, gsize i)
{
  guint64 bits = load64 (d + 8 * i);
  double v;

  memcpy (&v, &bits, sizeof v);
  return v;
}

/* int4/uint4: two elements per byte, the first in the low nibble (ONNX and
 * TFLite agree). */
static double read_u4 (const guint8 *d, gsize i) { return (d[i / 2] >> (4 * (i % 2))) & 0xf; }
static double read_i4 (const guint8 *d, gsize i) { double v = read_u4 (d, i); return v >= 8 ? v - 16 : v; }

static const ElementReader readers[LAMINA_N_DTYPES] = {
  [LAMINA_DTYPE_FLOAT32]  = { read_f32, 32 },
  [LAMINA_DTYPE_FLOAT16]  = { read_f16, 16 },
  [LAMINA_DTYPE_BFLOAT16] = { read_bf16, 16 },
  [LAMINA_DTYPE_FLOAT64]  = { read_f64, 64 },
  [LAMINA_DTYPE_INT8]     = { read_i8, 8 },
  [LAMINA_DTYPE_UINT8]    = { read_u8, 8 },
  [LAMINA_DTYPE_INT16]    = { read_i16, 16 },
  [LAMINA_DTYPE_UINT16]   = { read_u16, 16 },
  [LAMINA_DTYPE_INT32]    = { read_i32, 32 },
  [LAMINA_DTYPE_UINT32]   = { read_u32, 32 },
  [LAMINA_DTYPE_INT64]    = { read_i64, 64 },
  [LAMINA_DTYPE_UINT64]   = { read_u64, 64 },
  [LAMINA_DTYPE_BOOL]     = { read_bool, 8 },
  [LAMINA_DTYPE_INT4]     = { read_i4, 4 },
  [LAMINA_DTYPE_UINT4]    = { read_u4, 4 },
};

static const ElementReader *
reader_for (const LaminaTensor *t)
{
  if ((guint) t->dtype >= LAMINA_N_DTYPES || readers[t->dtype].read == NULL)
    return NULL;
  return &readers[t->dtype];
}

/* How many whole elements the data bytes hold. */
static gsize
data_elements (const LaminaTensor *t, const ElementReader *r)
{
  gsize size = g_bytes_get_size (t->data);

  return size > G_MAXSIZE / 8 ? G_MAXSIZE / r->bits : size * 8 / r->bits;
}

/* The values one statistics pass walks over. */
typedef struct {
  const guint8      *data;
  ReadAt             read;
  gsize              count;
  const LaminaQuant *quant;     /* NULL: raw values */
  gsize              inner;     /* per-axis: elements per step along the axis */
  gsize              axis_len;
} Source;

static double
source_value (const Source *s, gsize i)
{
  double v = s->read (s->data, i);
  gsize c;

  if (s->quant == NULL)
    return v;
  c = s->quant->axis < 0 ? 0 : (i / s->inner) % s->axis_len;
  return (v - (double) s->quant->zero_point[c]) * s->quant->scale[c];
}

/* Checks that the quantization parameters cover the shape and records the
 * per-axis layout (row-major: the axis index of element i is
 * (i / inner) % axis_len). */
static gboolean
source_set_quant (Source *s, const LaminaTensor *t, GError **error)
{
  const LaminaQuant *q = t->quant;

  if (q->n == 0 || (q->axis >= 0 && (q->axis >= t->shape.rank || t->shape.dims[q->axis].value != (gint64) q->n)))
    {
      g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID,
                   _("“%s” has %u quantization scales that do not fit its shape"), t->name, q->n);
      return FALSE;
    }
  s->quant = q;
  s->axis_len = q->axis >= 0 ? q->n : 1;
  s->inner = 1;
  for (int i = q->axis + 1; q->axis >= 0 && i < t->shape.rank; i++)
    s->inner *= (gsize) t->shape.dims[i].value;
  return TRUE;
}

static gboolean
check_data_size (const LaminaTensor *t, const ElementReader *r, gint64 numel, GError **error)
{
  g_autofree char *shape = lamina_shape_to_string (&t->shape);
  gsize have = g_bytes_get_size (t->data), want;

  if (numel < 0 || (guint64) numel > G_MAXSIZE / 64)
    {
      g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID,
                   _("“%s” has no fixed number of elements (shape %s)"), t->name, shape);
      return FALSE;
    }
  want = ((gsize) numel * r->bits + 7) / 8;
  if (have == want)
    return TRUE;
  g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID,
               /* %lu: xgettext cannot see through G_GSIZE_FORMAT */
               _("“%s” holds %lu bytes of data, but %s %s needs %lu"),
               t->name, (gulong) have, lamina_dtype_name (t->dtype), shape, (gulong) want);
  return FALSE;
}

static gboolean
source_open (Source *s, const LaminaTensor *t, gboolean dequantize, GError **error)
{
  const ElementReader *r = reader_for (t);
  gint64 numel = lamina_shape_numel (&t->shape);

  memset (s, 0, sizeof *s);
  if (r == NULL)
    {
      g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_UNSUPPORTED,
                   _("“%s” holds %s values, which have no statistics"), t->name, lamina_dtype_name (t->dtype));
      return FALSE;
    }
  if (t->data == NULL)
    {
      g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID,
                   _("“%s” has no constant data"), t->name);
      return FALSE;
    }
  if (!check_data_size (t, r, numel, error))
    return FALSE;
  s->data = g_bytes_get_data (t->data, NULL);
  s->read = r->read;
  s->count = (gsize) numel;
  if (dequantize && t->quant != NULL && lamina_dtype_is_integer (t->dtype))
    return source_set_quant (s, t, error);
  return TRUE;
}

/* First pass: counts, min/max and Welford's running mean and M2. */
static void
accumulate (const Source *s, LaminaTensorStats *st)
{
  double mean = 0, m2 = 0;
  gint64 n = 0, zeros = 0;

  st->min = INFINITY;
  st->max = -INFINITY;
  for (gsize i = 0; i < s->count; i++)
    {
      double v = source_value (s, i), delta;

      zeros += v == 0;
      if (isnan (v) || isinf (v))
        {
          st->n_nan += isnan (v) != 0;
          st->n_inf += isinf (v) != 0;
          continue;
        }
      n++;
      delta = v - mean;
      mean += delta / (double) n;
      m2 += delta * (v - mean);
      st->min = MIN (st->min, v);
      st->max = MAX (st->max, v);
    }
  st->count = (gint64) s->count;
  st->zero_fraction = s->count > 0 ? (double) zeros / (double) s->count : 0;
  st->mean = n > 0 ? mean : NAN;
  st->std = n > 0 ? sqrt (m2 / (double) n) : NAN;
  if (n == 0)
    st->min = st->max = NAN;
}

/* The bin of a finite v among uniform bins over [min, max], the last one
 * including max. Halves are taken first so that max - min cannot overflow
 * (exact for all but subnormal values). */
static gsize
bin_of (double v, double min, double max)
{
  double width = max / 2 - min / 2;
  double bin = width > 0 ? floor ((v / 2 - min / 2) / width * LAMINA_HISTOGRAM_BINS) : 0;

  return (gsize) CLAMP (bin, 0, LAMINA_HISTOGRAM_BINS - 1);
}

/* Second pass. */
static void
fill_histogram (const Source *s, LaminaTensorStats *st)
{
  if (isnan (st->min))
    return;
  for (gsize i = 0; i < s->count; i++)
    {
      double v = source_value (s, i);

      if (isfinite (v))
        st->histogram[bin_of (v, st->min, st->max)]++;
    }
}

gboolean
lamina_tensor_stats_compute (const LaminaTensor *t, gboolean dequantize,
                             LaminaTensorStats *stats, GError **error)
{
  Source s;

  g_return_val_if_fail (t != NULL && stats != NULL, FALSE);
  memset (stats, 0, sizeof *stats);
  if (!source_open (&s, t, dequantize, error))
    return FALSE;
  accumulate (&s, stats);
  fill_histogram (&s, stats);
  return TRUE;
}

gboolean
lamina_value_stats (const LaminaValue *v, LaminaTensorStats *stats, GError **error)
{
  Source s = { 0 };

  g_return_val_if_fail (v != NULL && stats != NULL, FALSE);
  memset (stats, 0, sizeof *stats);
  if ((guint) v->dtype >= LAMINA_N_DTYPES || readers[v->dtype].read == NULL)
    {
      g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_UNSUPPORTED,
                   _("%s values have no statistics"), lamina_dtype_name (v->dtype));
      return FALSE;
    }
  /* a value's buffer always holds numel elements (lamina_value_alloc) */
  s.data = v->data;
  s.read = readers[v->dtype].read;
  s.count = v->numel > 0 ? (gsize) v->numel : 0;
  accumulate (&s, stats);
  fill_histogram (&s, stats);
  return TRUE;
}

/* ---- float against dequantized fixed ----------------------------------------- */

static void
widen (const float *v, gsize n, double *lo, double *hi)
{
  for (gsize i = 0; i < n; i++)
    if (isfinite (v[i]))
      {
        *lo = isnan (*lo) ? v[i] : MIN (*lo, v[i]);
        *hi = isnan (*hi) ? v[i] : MAX (*hi, v[i]);
      }
}

static void
count_into (const float *v, gsize n, double lo, double hi, guint64 *bins)
{
  for (gsize i = 0; i < n; i++)
    if (isfinite (v[i]))
      bins[bin_of (v[i], lo, hi)]++;
}

void
lamina_histogram_pair_compute (const float *a, gsize n_a, const float *b, gsize n_b,
                               double span_lo, double span_hi, LaminaHistogramPair *out)
{
  double lo = NAN, hi = NAN;

  g_return_if_fail (out != NULL);
  memset (out, 0, sizeof *out);
  widen (a, n_a, &lo, &hi);
  widen (b, n_b, &lo, &hi);
  if (!isnan (lo) && isfinite (span_lo) && isfinite (span_hi))
    {
      lo = MIN (lo, span_lo);
      hi = MAX (hi, span_hi);
    }
  out->lo = lo;
  out->hi = hi;
  if (isnan (lo))
    return;
  count_into (a, n_a, lo, hi, out->a);
  count_into (b, n_b, lo, hi, out->b);
}

gboolean
lamina_quant_real_range (const LaminaQuant *quant, LaminaDType dtype, double *lo, double *hi)
{
  gint32 qmin, qmax;

  if (quant == NULL || quant->n == 0 || !lamina_fixed_range (dtype, &qmin, &qmax))
    return FALSE;
  *lo = INFINITY;
  *hi = -INFINITY;
  for (guint c = 0; c < quant->n; c++)
    {
      /* a negative scale (never written by quantizers) swaps the ends */
      double a = (double) quant->scale[c] * ((double) qmin - (double) quant->zero_point[c]);
      double b = (double) quant->scale[c] * ((double) qmax - (double) quant->zero_point[c]);
      *lo = MIN (*lo, MIN (a, b));
      *hi = MAX (*hi, MAX (a, b));
    }
  return isfinite (*lo) && isfinite (*hi);
}

/* Elements a reader may touch: those the bytes hold, and no more than the
 * shape has (a packed nibble type may carry a padding nibble). */
static gsize
readable_elements (const LaminaTensor *t, const ElementReader *r)
{
  gsize have = data_elements (t, r);
  gint64 numel = lamina_shape_numel (&t->shape);

  return numel >= 0 && (guint64) numel < have ? (gsize) numel : have;
}

gsize
lamina_tensor_read_doubles (const LaminaTensor *t, gsize start, gsize n, double *out)
{
  const ElementReader *r;
  const guint8 *data;
  gsize avail;

  g_return_val_if_fail (t != NULL, 0);
  r = reader_for (t);
  if (r == NULL || t->data == NULL)
    return 0;
  avail = readable_elements (t, r);
  if (start >= avail)
    return 0;
  n = MIN (n, avail - start);
  data = g_bytes_get_data (t->data, NULL);
  for (gsize i = 0; i < n; i++)
    out[i] = r->read (data, start + i);
  return n;
}

static char *
format_strings (char * const *strings, guint max_values)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; strings[i] != NULL && i < max_values; i++)
    g_string_append_printf (s, "%s\"%s\"", i ? ", " : "", strings[i]);
  if (strings[i] != NULL)
    g_string_append (s, i ? ", …" : "…");
  return g_string_free (s, FALSE);
}

char *
lamina_tensor_format_values (const LaminaTensor *t, guint max_values)
{
  const ElementReader *r;
  GString *s;
  gsize total, i;

  g_return_val_if_fail (t != NULL, NULL);
  if (t->strings != NULL)
    return format_strings (t->strings, max_values);
  r = reader_for (t);
  if (r == NULL || t->data == NULL)
    return NULL;
  total = readable_elements (t, r);
  s = g_string_new (NULL);
  for (i = 0; i < total && i < max_values; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      double v;

      lamina_tensor_read_doubles (t, i, 1, &v);
      /* '.' in every locale: a decimal comma would clash with the separator */
      g_string_append_printf (s, "%s%s", i ? ", " : "", g_ascii_formatd (buf, sizeof buf, "%.6g", v));
    }
  if (i < total)
    g_string_append (s, i ? ", …" : "…");
  return g_string_free (s, FALSE);
}
