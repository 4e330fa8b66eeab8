/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-tensor-stats: float16/bfloat16 conversions, element readers of every
 * numeric dtype, statistics (with dequantization) and value formatting.
 * Expected numbers are worked out by hand in the comments; those of the
 * shared model were computed with python3-onnx + numpy when the test was
 * written (numpy_helper.to_array(...).astype(float64): min, max, mean,
 * std, np.histogram(bins=64, range=(min, max))).
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include "graph/lamina-half.h"
#include "graph/lamina-tensor-stats.h"
#include "lamina-model-load.h"
#include "lamina-test-util.h"

/* A free-standing constant tensor with a copy of data (none when data is
 * NULL); rank -1 leaves the shape unknown. */
static LaminaTensor *
make_tensor (LaminaDType dtype, int rank, const gint64 *dims, const void *data, gsize size)
{
  LaminaTensor *t = lamina_tensor_new ("t");

  t->dtype = dtype;
  t->is_constant = TRUE;
  if (rank >= 0)
    lamina_shape_set (&t->shape, rank, dims);
  if (data != NULL)
    t->data = g_bytes_new (data, size);
  return t;
}

static LaminaTensor *
make_vector (LaminaDType dtype, gint64 n, const void *data, gsize size)
{
  return make_tensor (dtype, 1, &n, data, size);
}

static void
compute_ok (const LaminaTensor *t, gboolean dequantize, LaminaTensorStats *st)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lamina_tensor_stats_compute (t, dequantize, st, &error));
  g_assert_no_error (error);
}

static void
assert_reads (const LaminaTensor *t, gsize n, const double *expected)
{
  double got[16];

  g_assert_cmpuint (n, <=, G_N_ELEMENTS (got));
  g_assert_cmpuint (lamina_tensor_read_doubles (t, 0, G_N_ELEMENTS (got), got), ==, n);
  for (gsize i = 0; i < n; i++)
    if (isnan (expected[i]))
      g_assert_true (isnan (got[i]));
    else
      g_assert_cmpfloat (got[i], ==, expected[i]);
}

/* ---- conversions -------------------------------------------------------- */

static guint32
f2b (float f)
{
  return lamina_float_to_bits (f);
}

static void
test_half_decode (void)
{
  g_assert_cmpfloat (lamina_half_to_float (0x0001), ==, 0x1p-24f);  /* smallest subnormal */
  g_assert_cmpfloat (lamina_half_to_float (0x03ff), ==, 1023 * 0x1p-24f);
  g_assert_cmpfloat (lamina_half_to_float (0x8200), ==, -0x1p-15f);
  g_assert_cmpfloat (lamina_half_to_float (0x0400), ==, 0x1p-14f);  /* smallest normal */
  g_assert_cmpfloat (lamina_half_to_float (0x3c00), ==, 1.0f);
  g_assert_cmpfloat (lamina_half_to_float (0xc000), ==, -2.0f);
  g_assert_cmpfloat (lamina_half_to_float (0x7bff), ==, 65504.0f);
  g_assert_cmphex (f2b (lamina_half_to_float (0x8000)), ==, 0x80000000);  /* -0 */
  g_assert_true (isinf (lamina_half_to_float (0x7c00)) && lamina_half_to_float (0x7c00) > 0);
  g_assert_true (isinf (lamina_half_to_float (0xfc00)) && lamina_half_to_float (0xfc00) < 0);
  g_assert_true (isnan (lamina_half_to_float (0x7e00)));
  g_assert_true (isnan (lamina_half_to_float (0x7c01)));  /* signalling NaN stays NaN */
}

static void
test_half_encode (void)
{
  g_assert_cmphex (lamina_float_to_half (1.0f), ==, 0x3c00);
  g_assert_cmphex (lamina_float_to_half (-0.0f), ==, 0x8000);
  g_assert_cmphex (lamina_float_to_half (1.0f + 0x1p-11f), ==, 0x3c00);      /* tie → even */
  g_assert_cmphex (lamina_float_to_half (1.0f + 3 * 0x1p-11f), ==, 0x3c02);  /* tie → even */
  g_assert_cmphex (lamina_float_to_half (1.0f + 0x1p-11f + 0x1p-20f), ==, 0x3c01);
  g_assert_cmphex (lamina_float_to_half (65504.0f), ==, 0x7bff);
  g_assert_cmphex (lamina_float_to_half (65519.0f), ==, 0x7bff);
  g_assert_cmphex (lamina_float_to_half (65520.0f), ==, 0x7c00);  /* tie → even = overflow */
  g_assert_cmphex (lamina_float_to_half (-1e10f), ==, 0xfc00);
  g_assert_cmphex (lamina_float_to_half (INFINITY), ==, 0x7c00);
  g_assert_cmphex (lamina_float_to_half (0x1p-24f), ==, 0x0001);
  g_assert_cmphex (lamina_float_to_half (0x1p-25f), ==, 0x0000);          /* tie → even 0 */
  g_assert_cmphex (lamina_float_to_half (3 * 0x1p-25f), ==, 0x0002);      /* tie → even 2 */
  g_assert_cmphex (lamina_float_to_half (0x1p-14f - 0x1p-25f), ==, 0x0400); /* tie → normal */
  g_assert_cmphex (lamina_float_to_half (-0x1p-30f), ==, 0x8000);
  g_assert_cmphex (lamina_float_to_half (NAN) & 0x7e00, ==, 0x7e00);
  g_assert_cmphex (lamina_float_to_half (lamina_bits_to_float (0x7f800001)) & 0x7e00, ==, 0x7e00);
}

/* Every float16 survives float16 → float32 → float16 (NaNs stay NaN). */
static void
test_half_round_trip (void)
{
  for (guint32 h = 0; h <= 0xffff; h++)
    {
      guint16 back = lamina_float_to_half (lamina_half_to_float ((guint16) h));
      if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0)
        g_assert_cmphex (back & 0x7e00, ==, 0x7e00);
      else if (back != h)
        g_assert_cmphex (back, ==, h);
    }
}

/* The compiler's own _Float16 conversion (round to nearest even) as an
 * independent reference, over a stride through all float32 bit patterns. */
static void
test_half_vs_compiler (void)
{
#ifdef __FLT16_MAX__
  for (guint64 bits = 0; bits <= G_MAXUINT32; bits += 9973)
    {
      float f = lamina_bits_to_float ((guint32) bits);
      _Float16 ref = (_Float16) f;
      guint16 ref_bits;

      memcpy (&ref_bits, &ref, 2);
      if (isnan (f))
        g_assert_true (isnan (lamina_half_to_float (lamina_float_to_half (f))));
      else if (lamina_float_to_half (f) != ref_bits)
        g_assert_cmphex (lamina_float_to_half (f), ==, ref_bits);
    }
#else
  g_test_skip ("the compiler has no _Float16");
#endif
}

static void
test_bfloat16 (void)
{
  g_assert_cmpfloat (lamina_bfloat16_to_float (0x3f80), ==, 1.0f);
  g_assert_cmpfloat (lamina_bfloat16_to_float (0xc040), ==, -3.0f);
  g_assert_cmpfloat (lamina_bfloat16_to_float (0x0001), ==, 0x1p-133f);  /* subnormal */
  g_assert_true (isinf (lamina_bfloat16_to_float (0xff80)));
  g_assert_true (isnan (lamina_bfloat16_to_float (0x7fc0)));
  g_assert_cmphex (lamina_float_to_bfloat16 (1.0f + 0x1p-8f), ==, 0x3f80);      /* tie → even */
  g_assert_cmphex (lamina_float_to_bfloat16 (1.0f + 3 * 0x1p-8f), ==, 0x3f82);  /* tie → even */
  g_assert_cmphex (lamina_float_to_bfloat16 (1.0f + 0x1p-8f + 0x1p-20f), ==, 0x3f81);
  g_assert_cmphex (lamina_float_to_bfloat16 (0x1p-133f), ==, 0x0001);
  g_assert_cmphex (lamina_float_to_bfloat16 (G_MAXFLOAT), ==, 0x7f80);  /* rounds past the largest */
  g_assert_cmphex (lamina_float_to_bfloat16 (-INFINITY), ==, 0xff80);
  /* truncating this NaN would give inf */
  g_assert_true (isnan (lamina_bfloat16_to_float (lamina_float_to_bfloat16 (lamina_bits_to_float (0x7f800001)))));
  for (guint32 b = 0; b <= 0xffff; b++)
    {
      guint16 back = lamina_float_to_bfloat16 (lamina_bfloat16_to_float ((guint16) b));
      if ((b & 0x7f80) == 0x7f80 && (b & 0x7f) != 0)
        g_assert_true (isnan (lamina_bfloat16_to_float (back)));
      else if (back != b)
        g_assert_cmphex (back, ==, b);
    }
}

/* ---- readers ------------------------------------------------------------ */

/* One row per integer-like dtype: little-endian bytes and their values. */
typedef struct {
  LaminaDType dtype;
  guint8      bytes[24];
  gsize       size;
  gint64      n;
  double      values[4];
} ReaderCase;

static const ReaderCase reader_cases[] = {
  { LAMINA_DTYPE_INT8, { 0x80, 0x00, 0x7f }, 3, 3, { -128, 0, 127 } },
  { LAMINA_DTYPE_UINT8, { 0x80, 0x00, 0xff }, 3, 3, { 128, 0, 255 } },
  { LAMINA_DTYPE_INT16, { 0x00, 0x80, 0xff, 0xff, 0x34, 0x12 }, 6, 3, { -32768, -1, 0x1234 } },
  { LAMINA_DTYPE_UINT16, { 0x00, 0x80, 0xff, 0xff }, 4, 2, { 32768, 65535 } },
  { LAMINA_DTYPE_INT32, { 0x00, 0x00, 0x00, 0x80, 0xfe, 0xff, 0xff, 0xff }, 8, 2, { -2147483648.0, -2 } },
  { LAMINA_DTYPE_UINT32, { 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x00, 0x00 }, 8, 2, { 4294967295.0, 513 } },
  { LAMINA_DTYPE_INT64, { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                          0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 }, 16, 2, { -3, 4294967296.0 } },
  { LAMINA_DTYPE_UINT64, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 8, 1, { 18446744073709551615.0 } },
  { LAMINA_DTYPE_BOOL, { 0, 1, 2 }, 3, 3, { 0, 1, 1 } },
  /* nibbles, low first: 0x8f → 15 (-1), 8 (-8); 0x07 → 7, then padding */
  { LAMINA_DTYPE_INT4, { 0x8f, 0x07 }, 2, 3, { -1, -8, 7 } },
  { LAMINA_DTYPE_UINT4, { 0x8f, 0x07 }, 2, 3, { 15, 8, 7 } },
  /* float64: -2.5 and 1e300 */
  { LAMINA_DTYPE_FLOAT64, { 0, 0, 0, 0, 0, 0, 0x04, 0xc0, 0x9c, 0x75, 0x00, 0x88, 0x3c, 0xe4, 0x37, 0x7e },
    16, 2, { -2.5, 1e300 } },
};

static void
test_readers (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (reader_cases); i++)
    {
      const ReaderCase *c = &reader_cases[i];
      LaminaTensor *t = make_vector (c->dtype, c->n, c->bytes, c->size);
      LaminaTensorStats st;

      g_test_message ("dtype %s", lamina_dtype_name (c->dtype));
      assert_reads (t, (gsize) c->n, c->values);
      compute_ok (t, FALSE, &st);
      g_assert_cmpint (st.count, ==, c->n);
      lamina_tensor_free (t);
    }
}

/* 0, 1, 2, 3, NaN, -inf: finite mean 1.5, std sqrt(1.25) */
static void
test_float32_stats (void)
{
  float v[] = { 0, 1, 2, 3, NAN, -INFINITY };
  gint64 dims[] = { 2, 3 };
  LaminaTensor *t = make_tensor (LAMINA_DTYPE_FLOAT32, 2, dims, v, sizeof v);
  LaminaTensorStats st;

  compute_ok (t, FALSE, &st);
  g_assert_cmpint (st.count, ==, 6);
  g_assert_cmpint (st.n_nan, ==, 1);
  g_assert_cmpint (st.n_inf, ==, 1);
  g_assert_cmpfloat (st.min, ==, 0);
  g_assert_cmpfloat (st.max, ==, 3);
  g_assert_cmpfloat_with_epsilon (st.mean, 1.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (st.std, sqrt (1.25), 1e-12);
  g_assert_cmpfloat_with_epsilon (st.zero_fraction, 1.0 / 6, 1e-12);
  /* bins of width 3/64: 1 → 21, 2 → 42, max → the last bin */
  g_assert_cmpuint (st.histogram[0], ==, 1);
  g_assert_cmpuint (st.histogram[21], ==, 1);
  g_assert_cmpuint (st.histogram[42], ==, 1);
  g_assert_cmpuint (st.histogram[63], ==, 1);
  lamina_tensor_free (t);
}

/* subnormals, the largest half, ±inf, NaN and -0 */
static void
test_float16_stats (void)
{
  guint16 h[] = { 0x0001, 0x03ff, 0x0400, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x8000 };
  double want[] = { 0x1p-24, 1023 * 0x1p-24, 0x1p-14, 1, -2, 65504, INFINITY, -INFINITY, NAN, 0 };
  LaminaTensor *t = make_vector (LAMINA_DTYPE_FLOAT16, G_N_ELEMENTS (h), h, sizeof h);
  LaminaTensorStats st;
  guint64 total = 0;

  assert_reads (t, G_N_ELEMENTS (h), want);
  compute_ok (t, FALSE, &st);
  g_assert_cmpint (st.count, ==, 10);
  g_assert_cmpint (st.n_nan, ==, 1);
  g_assert_cmpint (st.n_inf, ==, 2);
  g_assert_cmpfloat (st.min, ==, -2);
  g_assert_cmpfloat (st.max, ==, 65504);
  g_assert_cmpfloat_with_epsilon (st.zero_fraction, 0.1, 1e-12);
  /* (2^-24 + 1023·2^-24 + 2^-14 + 1 - 2 + 65504 + 0) / 7 */
  g_assert_cmpfloat_with_epsilon (st.mean, (2 * 0x1p-14 + 65503) / 7, 1e-9);
  for (guint i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    total += st.histogram[i];
  g_assert_cmpuint (total, ==, 7);
  g_assert_cmpuint (st.histogram[63], ==, 1);
  g_assert_cmpuint (st.histogram[0], ==, 6);
  lamina_tensor_free (t);
}

static void
test_bfloat16_stats (void)
{
  guint16 b[] = { 0x3f80, 0xc040, 0x0001, 0x7f80, 0x7fc0 };
  double want[] = { 1, -3, 0x1p-133, INFINITY, NAN };
  LaminaTensor *t = make_vector (LAMINA_DTYPE_BFLOAT16, G_N_ELEMENTS (b), b, sizeof b);
  LaminaTensorStats st;

  assert_reads (t, G_N_ELEMENTS (b), want);
  compute_ok (t, FALSE, &st);
  g_assert_cmpint (st.n_nan, ==, 1);
  g_assert_cmpint (st.n_inf, ==, 1);
  g_assert_cmpfloat (st.min, ==, -3);
  g_assert_cmpfloat (st.max, ==, 1);
  g_assert_cmpfloat_with_epsilon (st.mean, (-2 + 0x1p-133) / 3, 1e-12);
  lamina_tensor_free (t);
}

/* A large offset defeats the naive Σx² - (Σx)²/n formula. */
static void
test_stability (void)
{
  double v[] = { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 };
  LaminaTensor *t = make_vector (LAMINA_DTYPE_FLOAT64, 4, v, sizeof v);
  LaminaTensorStats st;

  compute_ok (t, FALSE, &st);
  g_assert_cmpfloat_with_epsilon (st.mean, 1e9 + 10, 1e-6);
  g_assert_cmpfloat_with_epsilon (st.std, sqrt (22.5), 1e-9);
  lamina_tensor_free (t);
}

static void
test_degenerate (void)
{
  float same[] = { 2, 2, 2 }, nan2[] = { NAN, NAN };
  LaminaTensor *t = make_vector (LAMINA_DTYPE_FLOAT32, 3, same, sizeof same);
  LaminaTensor *empty = make_vector (LAMINA_DTYPE_FLOAT32, 0, same, 0);
  LaminaTensor *nans = make_vector (LAMINA_DTYPE_FLOAT32, 2, nan2, sizeof nan2);
  LaminaTensor *scalar = make_tensor (LAMINA_DTYPE_INT64, 0, NULL, (gint64[]) { 7 }, 8);
  LaminaTensorStats st;

  compute_ok (t, FALSE, &st);  /* min == max: all in bin 0 */
  g_assert_cmpuint (st.histogram[0], ==, 3);
  g_assert_cmpfloat (st.std, ==, 0);
  compute_ok (empty, FALSE, &st);
  g_assert_cmpint (st.count, ==, 0);
  g_assert_cmpfloat (st.zero_fraction, ==, 0);
  g_assert_true (isnan (st.min) && isnan (st.mean));
  compute_ok (nans, FALSE, &st);
  g_assert_cmpint (st.n_nan, ==, 2);
  g_assert_true (isnan (st.max) && isnan (st.std));
  compute_ok (scalar, FALSE, &st);
  g_assert_cmpint (st.count, ==, 1);
  g_assert_cmpfloat (st.mean, ==, 7);
  lamina_tensor_free (t);
  lamina_tensor_free (empty);
  lamina_tensor_free (nans);
  lamina_tensor_free (scalar);
}

/* ---- dequantization ----------------------------------------------------- */

/* uint8 {0, 128, 255, 128}, scale 0.5, zero point 128 → -64, 0, 63.5, 0 */
static void
test_dequant_per_tensor (void)
{
  guint8 q[] = { 0, 128, 255, 128 };
  LaminaTensor *t = make_vector (LAMINA_DTYPE_UINT8, 4, q, sizeof q);
  LaminaTensorStats st;

  t->quant = lamina_quant_new (-1, 1);
  t->quant->scale[0] = 0.5f;
  t->quant->zero_point[0] = 128;
  compute_ok (t, TRUE, &st);
  g_assert_cmpfloat (st.min, ==, -64);
  g_assert_cmpfloat (st.max, ==, 63.5);
  g_assert_cmpfloat_with_epsilon (st.mean, -0.125, 1e-12);
  g_assert_cmpfloat (st.zero_fraction, ==, 0.5);
  compute_ok (t, FALSE, &st);  /* raw values */
  g_assert_cmpfloat (st.min, ==, 0);
  g_assert_cmpfloat (st.max, ==, 255);
  g_assert_cmpfloat (st.zero_fraction, ==, 0.25);
  lamina_tensor_free (t);
}

static LaminaTensor *
make_per_axis (int axis, guint n, const float *scale, const gint64 *zp)
{
  gint8 q[] = { 1, 2, 3, 4, 5, 6 };
  gint64 dims[] = { 2, 3 };
  LaminaTensor *t = make_tensor (LAMINA_DTYPE_INT8, 2, dims, q, sizeof q);

  t->quant = lamina_quant_new (axis, n);
  memcpy (t->quant->scale, scale, n * sizeof (float));
  memcpy (t->quant->zero_point, zp, n * sizeof (gint64));
  return t;
}

/* int8 [[1,2,3],[4,5,6]] */
static void
test_dequant_per_axis (void)
{
  /* axis 1, scales {1,2,4}, zero points {0,1,-1}: [[1,2,16],[4,8,28]] */
  LaminaTensor *cols = make_per_axis (1, 3, (float[]) { 1, 2, 4 }, (gint64[]) { 0, 1, -1 });
  /* axis 0, scales {1,10}: [[1,2,3],[40,50,60]] */
  LaminaTensor *rows = make_per_axis (0, 2, (float[]) { 1, 10 }, (gint64[]) { 0, 0 });
  /* two scales cannot cover an axis of 3 */
  LaminaTensor *bad = make_per_axis (1, 2, (float[]) { 1, 1 }, (gint64[]) { 0, 0 });
  g_autoptr(GError) error = NULL;
  LaminaTensorStats st;

  compute_ok (cols, TRUE, &st);
  g_assert_cmpfloat (st.min, ==, 1);
  g_assert_cmpfloat (st.max, ==, 28);
  g_assert_cmpfloat_with_epsilon (st.mean, 59.0 / 6, 1e-12);
  compute_ok (rows, TRUE, &st);
  g_assert_cmpfloat (st.max, ==, 60);
  g_assert_cmpfloat_with_epsilon (st.mean, 156.0 / 6, 1e-12);
  g_assert_false (lamina_tensor_stats_compute (bad, TRUE, &st, &error));
  g_assert_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID);
  compute_ok (bad, FALSE, &st);  /* raw values need no parameters */
  g_assert_cmpfloat (st.max, ==, 6);
  lamina_tensor_free (cols);
  lamina_tensor_free (rows);
  lamina_tensor_free (bad);
}

/* ---- errors and formatting ---------------------------------------------- */

static void
assert_fails (const LaminaTensor *t, int code)
{
  g_autoptr(GError) error = NULL;
  LaminaTensorStats st;

  g_assert_false (lamina_tensor_stats_compute (t, TRUE, &st, &error));
  g_assert_error (error, LAMINA_GRAPH_ERROR, code);
  g_test_message ("%s", error->message);
}

static void
test_errors (void)
{
  float v[3] = { 1, 2, 3 };
  gint64 dims[] = { 2, 2 };
  LaminaTensor *short_data = make_tensor (LAMINA_DTYPE_FLOAT32, 2, dims, v, sizeof v);
  LaminaTensor *no_data = make_tensor (LAMINA_DTYPE_FLOAT32, 2, dims, NULL, 0);
  LaminaTensor *no_shape = make_tensor (LAMINA_DTYPE_FLOAT32, -1, NULL, v, sizeof v);
  LaminaTensor *strings = make_vector (LAMINA_DTYPE_STRING, 2, NULL, 0);
  double out[8];

  strings->strings = g_strsplit ("a,b", ",", -1);
  assert_fails (short_data, LAMINA_GRAPH_ERROR_INVALID);
  assert_fails (no_data, LAMINA_GRAPH_ERROR_INVALID);
  assert_fails (no_shape, LAMINA_GRAPH_ERROR_INVALID);
  assert_fails (strings, LAMINA_GRAPH_ERROR_UNSUPPORTED);
  /* reading is bounded by the bytes there are */
  g_assert_cmpuint (lamina_tensor_read_doubles (short_data, 0, 8, out), ==, 3);
  g_assert_cmpuint (lamina_tensor_read_doubles (short_data, 2, 8, out), ==, 1);
  g_assert_cmpfloat (out[0], ==, 3);
  g_assert_cmpuint (lamina_tensor_read_doubles (short_data, 3, 8, out), ==, 0);
  g_assert_cmpuint (lamina_tensor_read_doubles (no_data, 0, 8, out), ==, 0);
  g_assert_cmpuint (lamina_tensor_read_doubles (strings, 0, 8, out), ==, 0);
  lamina_tensor_free (short_data);
  lamina_tensor_free (no_data);
  lamina_tensor_free (no_shape);
  lamina_tensor_free (strings);
}

static void
assert_format (const LaminaTensor *t, guint max, const char *expected)
{
  g_autofree char *text = lamina_tensor_format_values (t, max);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_format (void)
{
  float v[] = { 0.125f, -1.5f, 3, 1e-7f };
  LaminaTensor *t = make_vector (LAMINA_DTYPE_FLOAT32, 4, v, sizeof v);
  LaminaTensor *no_data = make_vector (LAMINA_DTYPE_FLOAT32, 4, NULL, 0);
  LaminaTensor *strings = make_vector (LAMINA_DTYPE_STRING, 2, NULL, 0);
  LaminaTensor *ints = make_vector (LAMINA_DTYPE_INT64, 3, (gint64[]) { 1, -1, 123456789 }, 24);

  strings->strings = g_strsplit ("a,b", ",", -1);
  assert_format (t, 3, "0.125, -1.5, 3, …");
  assert_format (t, 4, "0.125, -1.5, 3, 1e-07");
  assert_format (t, 0, "…");
  assert_format (no_data, 3, NULL);
  assert_format (strings, 1, "\"a\", …");
  assert_format (strings, 5, "\"a\", \"b\"");
  assert_format (ints, 3, "1, -1, 1.23457e+08");
  lamina_tensor_free (t);
  lamina_tensor_free (no_data);
  lamina_tensor_free (strings);
  lamina_tensor_free (ints);
}

/* ---- a real weight ------------------------------------------------------ */

static void
test_shared_weight (void)
{
  static const guint64 hist[LAMINA_HISTOGRAM_BINS] = {
    1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 3, 4, 9, 7, 8, 16, 24, 32, 36, 54, 67, 89, 111, 148, 175, 213,
    292, 367, 367, 459, 458, 771, 1046, 614, 463, 382, 372, 301, 296, 220, 170, 137, 116, 83, 51, 57,
    44, 30, 23, 19, 15, 15, 9, 9, 2, 1, 1, 0, 1, 0, 1, 1,
  };
  g_autofree char *path = lamina_test_shared_model ("ultraface-slim-320.onnx");
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  LaminaTensor *w;
  LaminaTensorStats st;

  if (path == NULL)
    return;
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  w = lamina_graph_lookup_tensor (model->graph, "base_net.8.3.weight");
  g_assert_nonnull (w);
  compute_ok (w, TRUE, &st);
  g_assert_cmpint (st.count, ==, 8192);
  g_assert_cmpint (st.n_nan + st.n_inf, ==, 0);
  g_assert_cmpfloat (st.min, ==, -0.2673013210296631);
  g_assert_cmpfloat (st.max, ==, 0.2307959496974945);
  g_assert_cmpfloat_with_epsilon (st.mean, 0.0007929332465070049, 1e-12);
  g_assert_cmpfloat_with_epsilon (st.std, 0.04679828929495166, 1e-12);
  g_assert_cmpfloat (st.zero_fraction, ==, 0);
  for (guint i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    g_assert_cmpuint (st.histogram[i], ==, hist[i]);
  first = lamina_tensor_format_values (w, 5);
  g_assert_cmpstr (first, ==, "0.0265209, -0.0174445, -0.00150599, -0.0907769, 0.00285701, …");
}

/* Runtime values of the simulator get the same statistics. */
static void
test_value_stats (void)
{
  const float data[6] = { -2, 0, 1, 4, NAN, INFINITY };
  const gint64 dims[2] = { 2, 3 };
  LaminaValue v = { 0 }, b = { 0 };
  LaminaTensorStats st;
  g_autoptr(GError) error = NULL;

  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 2, dims, NULL));
  g_assert_true (lamina_value_alloc (&v, NULL));
  memcpy (v.data, data, sizeof data);
  g_assert_true (lamina_value_stats (&v, &st, &error));
  g_assert_no_error (error);
  g_assert_cmpint (st.count, ==, 6);
  g_assert_cmpint (st.n_nan, ==, 1);
  g_assert_cmpint (st.n_inf, ==, 1);
  g_assert_cmpfloat (st.min, ==, -2);
  g_assert_cmpfloat (st.max, ==, 4);
  g_assert_cmpfloat_with_epsilon (st.mean, 0.75, 1e-12);
  g_assert_cmpfloat_with_epsilon (st.std, sqrt ((2.75 * 2.75 + 0.75 * 0.75 + 0.25 * 0.25 + 3.25 * 3.25) / 4), 1e-12);
  g_assert_cmpfloat_with_epsilon (st.zero_fraction, 1.0 / 6, 1e-12);
  g_assert_cmpuint (st.histogram[0], ==, 1);
  g_assert_cmpuint (st.histogram[LAMINA_HISTOGRAM_BINS - 1], ==, 1);
  lamina_value_clear (&v);

  /* a dtype without numbers is refused with an error */
  b.dtype = LAMINA_DTYPE_STRING;
  g_assert_false (lamina_value_stats (&b, &st, &error));
  g_assert_nonnull (error);
}

/* Two histograms share one range: the union of both value ranges and the
 * span; every finite value lands in its bin, the last bin holds hi. */
static void
test_histogram_pair (void)
{
  const float a[] = { 0, 1, 2, 3, NAN, INFINITY };
  const float b[] = { -1, 0.5f, 4 };
  LaminaHistogramPair p;
  guint64 na = 0, nb = 0;

  lamina_histogram_pair_compute (a, G_N_ELEMENTS (a), b, G_N_ELEMENTS (b), NAN, NAN, &p);
  g_assert_cmpfloat (p.lo, ==, -1);
  g_assert_cmpfloat (p.hi, ==, 4);
  for (guint i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    na += p.a[i], nb += p.b[i];
  /* NaN and inf are not counted */
  g_assert_cmpuint (na, ==, 4);
  g_assert_cmpuint (nb, ==, 3);
  /* 64 bins over [-1, 4]: 0 is in bin floor(1/5·64) = 12, 3 in bin 51 */
  g_assert_cmpuint (p.a[12], ==, 1);
  g_assert_cmpuint (p.a[51], ==, 1);
  g_assert_cmpuint (p.b[0], ==, 1);
  g_assert_cmpuint (p.b[LAMINA_HISTOGRAM_BINS - 1], ==, 1);

  /* the span widens the range (unused quantization range shows) */
  lamina_histogram_pair_compute (a, 4, b, 0, -8, 8, &p);
  g_assert_cmpfloat (p.lo, ==, -8);
  g_assert_cmpfloat (p.hi, ==, 8);
  g_assert_cmpuint (p.a[32], ==, 1);   /* 0 is the middle */
  g_assert_cmpuint (p.a[LAMINA_HISTOGRAM_BINS - 1], ==, 0);

  /* nothing finite: no range, no counts, the span alone does not make one */
  lamina_histogram_pair_compute (a + 4, 2, NULL, 0, -1, 1, &p);
  g_assert_true (isnan (p.lo) && isnan (p.hi));
  g_assert_cmpuint (p.a[0], ==, 0);
}

/* [s·(qmin − z), s·(qmax − z)] for int8 / uint8 / int16, the widest over
 * per-axis channels; no range without quant or for a float dtype. */
static void
test_quant_real_range (void)
{
  g_autoptr(LaminaQuant) q = lamina_quant_new (-1, 1);
  g_autoptr(LaminaQuant) axis = lamina_quant_new (0, 2);
  double lo, hi;

  q->scale[0] = 0.5f;
  q->zero_point[0] = -28;
  g_assert_true (lamina_quant_real_range (q, LAMINA_DTYPE_INT8, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0.5 * (-128 + 28));
  g_assert_cmpfloat (hi, ==, 0.5 * (127 + 28));
  q->zero_point[0] = 128;
  g_assert_true (lamina_quant_real_range (q, LAMINA_DTYPE_UINT8, &lo, &hi));
  g_assert_cmpfloat (lo, ==, -64);
  g_assert_cmpfloat (hi, ==, 63.5);
  q->zero_point[0] = 0;
  g_assert_true (lamina_quant_real_range (q, LAMINA_DTYPE_INT16, &lo, &hi));
  g_assert_cmpfloat (lo, ==, -16384);
  g_assert_cmpfloat (hi, ==, 16383.5);
  g_assert_false (lamina_quant_real_range (q, LAMINA_DTYPE_FLOAT32, &lo, &hi));
  g_assert_false (lamina_quant_real_range (NULL, LAMINA_DTYPE_INT8, &lo, &hi));

  axis->scale[0] = 1, axis->zero_point[0] = 0;
  axis->scale[1] = 2, axis->zero_point[1] = 10;
  g_assert_true (lamina_quant_real_range (axis, LAMINA_DTYPE_INT8, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 2 * (-128 - 10));
  g_assert_cmpfloat (hi, ==, 2 * (127 - 10));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/tensor-stats/half-decode", test_half_decode);
  g_test_add_func ("/lamina/tensor-stats/half-encode", test_half_encode);
  g_test_add_func ("/lamina/tensor-stats/half-round-trip", test_half_round_trip);
  g_test_add_func ("/lamina/tensor-stats/half-vs-compiler", test_half_vs_compiler);
  g_test_add_func ("/lamina/tensor-stats/bfloat16", test_bfloat16);
  g_test_add_func ("/lamina/tensor-stats/readers", test_readers);
  g_test_add_func ("/lamina/tensor-stats/float32", test_float32_stats);
  g_test_add_func ("/lamina/tensor-stats/float16", test_float16_stats);
  g_test_add_func ("/lamina/tensor-stats/bfloat16-stats", test_bfloat16_stats);
  g_test_add_func ("/lamina/tensor-stats/stability", test_stability);
  g_test_add_func ("/lamina/tensor-stats/degenerate", test_degenerate);
  g_test_add_func ("/lamina/tensor-stats/dequant-per-tensor", test_dequant_per_tensor);
  g_test_add_func ("/lamina/tensor-stats/dequant-per-axis", test_dequant_per_axis);
  g_test_add_func ("/lamina/tensor-stats/errors", test_errors);
  g_test_add_func ("/lamina/tensor-stats/format", test_format);
  g_test_add_func ("/lamina/tensor-stats/shared-weight", test_shared_weight);
  g_test_add_func ("/lamina/tensor-stats/value", test_value_stats);
  g_test_add_func ("/lamina/tensor-stats/histogram-pair", test_histogram_pair);
  g_test_add_func ("/lamina/tensor-stats/quant-real-range", test_quant_real_range);
  return g_test_run ();
}
