/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-metrics: float vs fixed tensor metrics and error maps (the mean
 * over channels, one channel, the coloured surface) on hand-made tensors
 * with known answers, tensor matching on the shared float/fixed pairs
 * (Yolo-FastestV2 and its QDQ quantization made here; YOLOv5n fp16 vs int8
 * TFLite), and the whole comparison (quant/lamina-compare.h) of the first.
 */
#define G_LOG_DOMAIN "test-metrics"

#include <math.h>
#include <string.h>
#include "lamina-test-util.h"
#include "lamina-model-load.h"
#include "onnx/lamina-onnx-write.h"
#include "quant/lamina-calibrate.h"
#include "quant/lamina-compare.h"
#include "quant/lamina-heatmap.h"
#include "quant/lamina-match.h"
#include "quant/lamina-metrics.h"
#include "quant/lamina-quantize.h"

/* A borrowed view of `data` as a value of the given dtype and shape. */
static LaminaValue
view (LaminaDType dtype, int rank, const gint64 *dims, gconstpointer data)
{
  LaminaValue v = { 0 };

  g_assert_true (lamina_value_set_shape (&v, dtype, rank, dims, NULL));
  v.data = (gpointer) data;
  v.nbytes = v.numel * lamina_dtype_size (dtype);
  return v;
}

static LaminaQuant *
quant (int axis, guint n, const float *scales, const gint64 *zps)
{
  LaminaQuant *q = lamina_quant_new (axis, n);

  memcpy (q->scale, scales, n * sizeof *scales);
  memcpy (q->zero_point, zps, n * sizeof *zps);
  return q;
}

static void
metrics_of (const LaminaValue *f, const LaminaValue *x, const LaminaQuant *q, LaminaMetrics *m)
{
  LaminaMetricsAcc acc;
  g_autoptr(GError) error = NULL;

  lamina_metrics_acc_init (&acc);
  g_assert_true (lamina_metrics_add (&acc, f, x, q, &error));
  g_assert_no_error (error);
  lamina_metrics_compute (&acc, m);
}

static void
test_identical (void)
{
  const gint64 dims[] = { 4 };
  const float flt[] = { 1, -2, 0, 63.5 };
  const gint8 fix[] = { 2, -4, 0, 127 };
  const float s = 0.5f;
  const gint64 zp = 0;
  g_autoptr(LaminaQuant) q = quant (-1, 1, &s, &zp);
  LaminaValue f = view (LAMINA_DTYPE_FLOAT32, 1, dims, flt), x = view (LAMINA_DTYPE_INT8, 1, dims, fix);
  LaminaMetrics m;

  metrics_of (&f, &x, q, &m);
  g_assert_cmpfloat_with_epsilon (m.cosine, 1.0, 1e-12);
  g_assert_true (isinf (m.sqnr_db) && m.sqnr_db > 0);
  g_assert_cmpfloat (m.mse, ==, 0);
  g_assert_cmpfloat (m.max_abs, ==, 0);
  g_assert_cmpfloat (m.clipped, ==, 0);
}

/* 100 saturates at 127 · 0.5 = 63.5: error 36.5, one value of four clipped. */
static void
test_clipped (void)
{
  const gint64 dims[] = { 4 };
  const float flt[] = { 1, -2, 0.5, 100 };
  const gint8 fix[] = { 2, -4, 1, 127 };
  const float s = 0.5f;
  const gint64 zp = 0;
  g_autoptr(LaminaQuant) q = quant (-1, 1, &s, &zp);
  LaminaValue f = view (LAMINA_DTYPE_FLOAT32, 1, dims, flt), x = view (LAMINA_DTYPE_INT8, 1, dims, fix);
  LaminaMetrics m;

  metrics_of (&f, &x, q, &m);
  g_assert_cmpfloat_with_epsilon (m.sqnr_db, 10 * log10 (10005.25 / 1332.25), 1e-9);
  g_assert_cmpfloat_with_epsilon (m.mse, 1332.25 / 4, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.max_abs, 36.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.clipped, 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.cosine, 6355.25 / sqrt (10005.25 * 4037.5), 1e-9);
}

/* uint8 per axis 0: row 0 scale 1 zero point 10, row 1 scale 0.1 zero
 * point 0. 26 needs level 260 > 255: clipped, error 0.5. */
static void
test_per_axis (void)
{
  const gint64 dims[] = { 2, 2 };
  const float flt[] = { 2, 0, 0.5, 26 };
  const guint8 fix[] = { 12, 10, 5, 255 };
  const float s[] = { 1, 0.1f };
  const gint64 zp[] = { 10, 0 };
  g_autoptr(LaminaQuant) q = quant (0, 2, s, zp);
  LaminaValue f = view (LAMINA_DTYPE_FLOAT32, 2, dims, flt), x = view (LAMINA_DTYPE_UINT8, 2, dims, fix);
  LaminaMetrics m;

  metrics_of (&f, &x, q, &m);
  g_assert_cmpfloat_with_epsilon (m.max_abs, 0.5, 1e-5);
  g_assert_cmpfloat_with_epsilon (m.mse, 0.25 / 4, 1e-5);
  g_assert_cmpfloat_with_epsilon (m.clipped, 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.sqnr_db, 10 * log10 ((4 + 0.25 + 676) / 0.25), 1e-4);
}

/* Several inputs pool their sums: two inputs (one exact, one with error 1
 * on one of two elements) give mse 1/4 and SQNR from the pooled sums. */
static void
test_pooled (void)
{
  const gint64 dims[] = { 2 };
  const float f1[] = { 3, 4 }, f2[] = { 1, 1 };
  const float x1[] = { 3, 4 }, x2[] = { 1, 2 };
  LaminaValue a = view (LAMINA_DTYPE_FLOAT32, 1, dims, f1), b = view (LAMINA_DTYPE_FLOAT32, 1, dims, f2);
  LaminaValue xa = view (LAMINA_DTYPE_FLOAT32, 1, dims, x1), xb = view (LAMINA_DTYPE_FLOAT32, 1, dims, x2);
  LaminaMetricsAcc acc;
  LaminaMetrics m;

  lamina_metrics_acc_init (&acc);
  g_assert_true (lamina_metrics_add (&acc, &a, &xa, NULL, NULL));
  g_assert_true (lamina_metrics_add (&acc, &b, &xb, NULL, NULL));
  lamina_metrics_compute (&acc, &m);
  g_assert_cmpuint (acc.n_inputs, ==, 2);
  g_assert_cmpfloat_with_epsilon (m.mse, 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.sqnr_db, 10 * log10 (27.0), 1e-9);
  g_assert_cmpfloat (m.clipped, ==, 0);
}

static void
test_zero_and_errors (void)
{
  const gint64 d2[] = { 2 }, d3[] = { 3 }, d22[] = { 2, 1 };
  const float z[] = { 0, 0, 0 }, one[] = { 1, 1, 1 };
  const gint8 i8[] = { 1, 1, 1 };
  const float s[] = { 1, 1, 1 };
  const gint64 zp[] = { 0, 0, 0 };
  g_autoptr(LaminaQuant) q3 = quant (0, 3, s, zp);
  LaminaValue zf = view (LAMINA_DTYPE_FLOAT32, 1, d2, z), of = view (LAMINA_DTYPE_FLOAT32, 1, d2, one);
  LaminaValue z3 = view (LAMINA_DTYPE_FLOAT32, 1, d3, z), x22 = view (LAMINA_DTYPE_INT8, 2, d22, i8);
  LaminaMetricsAcc acc;
  LaminaMetrics m;
  g_autoptr(GError) error = NULL;

  metrics_of (&zf, &zf, NULL, &m);
  g_assert_cmpfloat (m.cosine, ==, 1);
  metrics_of (&zf, &of, NULL, &m);
  g_assert_cmpfloat (m.cosine, ==, 0);
  g_assert_true (isinf (m.sqnr_db) && m.sqnr_db < 0);
  lamina_metrics_acc_init (&acc);
  g_assert_false (lamina_metrics_add (&acc, &z3, &of, NULL, &error));   /* 3 vs 2 elements */
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (lamina_metrics_add (&acc, &zf, &x22, q3, &error));     /* 3 scales, axis of 2 */
  g_assert_nonnull (error);
  g_assert_cmpuint (acc.n_inputs, ==, 0);
  lamina_metrics_compute (&acc, &m);
  g_assert_cmpfloat (m.cosine, ==, 1);
  g_assert_cmpfloat (m.mse, ==, 0);
}

/* Error maps: NCHW [1,2,1,2] and the same numbers NHWC [1,1,2,2]; pixel
 * 0 has errors 1 and 3 (mean 2), pixel 1 errors 0 and 1 (mean 0.5). */
static void
test_error_map (void)
{
  const gint64 nchw[] = { 1, 2, 1, 2 }, nhwc[] = { 1, 1, 2, 2 };
  const float f_nchw[] = { 1, 0, 3, 1 }, f_nhwc[] = { 1, 3, 0, 1 };
  const gint8 zero[] = { 0, 0, 0, 0 };
  const float s = 1;
  const gint64 zp = 0;
  g_autoptr(LaminaQuant) q = quant (-1, 1, &s, &zp);
  LaminaValue a = view (LAMINA_DTYPE_FLOAT32, 4, nchw, f_nchw), xa = view (LAMINA_DTYPE_INT8, 4, nchw, zero);
  LaminaValue b = view (LAMINA_DTYPE_FLOAT32, 4, nhwc, f_nhwc), xb = view (LAMINA_DTYPE_INT8, 4, nhwc, zero);
  const gint64 flat[] = { 4 };
  LaminaValue c = view (LAMINA_DTYPE_FLOAT32, 1, flat, f_nchw), xc = view (LAMINA_DTYPE_INT8, 1, flat, zero);
  g_autoptr(LaminaErrorMap) m1 = lamina_error_map_new (&a, &xa, q, FALSE, -1, NULL);
  g_autoptr(LaminaErrorMap) m2 = lamina_error_map_new (&b, &xb, q, TRUE, -1, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (m1);
  g_assert_nonnull (m2);
  g_assert_cmpint (m1->width, ==, 2);
  g_assert_cmpint (m1->height, ==, 1);
  g_assert_cmpint (m2->width, ==, 2);
  g_assert_cmpint (m2->height, ==, 1);
  g_assert_cmpfloat_with_epsilon (m1->data[0], 2, 1e-6);
  g_assert_cmpfloat_with_epsilon (m1->data[1], 0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (m2->data[0], 2, 1e-6);
  g_assert_cmpfloat_with_epsilon (m2->data[1], 0.5, 1e-6);
  g_assert_cmpfloat (m1->max, ==, 2);
  g_assert_null (lamina_error_map_new (&c, &xc, q, FALSE, -1, &error));   /* not rank 4 */
  g_assert_nonnull (error);
}

/* One channel of the same tensors: channel 0 has errors 1 and 0, channel
 * 1 errors 3 and 1; there is no channel 2. */
static void
test_error_map_channel (void)
{
  const gint64 nchw[] = { 1, 2, 1, 2 }, nhwc[] = { 1, 1, 2, 2 };
  const float f_nchw[] = { 1, 0, 3, 1 }, f_nhwc[] = { 1, 3, 0, 1 };
  const gint8 zero[] = { 0, 0, 0, 0 };
  const float s = 1;
  const gint64 zp = 0;
  g_autoptr(LaminaQuant) q = quant (-1, 1, &s, &zp);
  LaminaValue a = view (LAMINA_DTYPE_FLOAT32, 4, nchw, f_nchw), xa = view (LAMINA_DTYPE_INT8, 4, nchw, zero);
  LaminaValue b = view (LAMINA_DTYPE_FLOAT32, 4, nhwc, f_nhwc), xb = view (LAMINA_DTYPE_INT8, 4, nhwc, zero);
  const float expected[2][2] = { { 1, 0 }, { 3, 1 } };
  g_autoptr(GError) error = NULL;

  for (int c = 0; c < 2; c++)
    {
      g_autoptr(LaminaErrorMap) m1 = lamina_error_map_new (&a, &xa, q, FALSE, c, NULL);
      g_autoptr(LaminaErrorMap) m2 = lamina_error_map_new (&b, &xb, q, TRUE, c, NULL);
      g_assert_nonnull (m1);
      g_assert_nonnull (m2);
      for (int p = 0; p < 2; p++)
        {
          g_assert_cmpfloat_with_epsilon (m1->data[p], expected[c][p], 1e-6);
          g_assert_cmpfloat_with_epsilon (m2->data[p], expected[c][p], 1e-6);
        }
      g_assert_cmpfloat (m1->max, ==, expected[c][0]);
      g_assert_cmpfloat (m2->max, ==, expected[c][0]);
    }
  g_assert_null (lamina_error_map_new (&a, &xa, q, FALSE, 2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  return ((const guint32 *) (cairo_image_surface_get_data (s) + y * cairo_image_surface_get_stride (s)))[x];
}

/* A map of 2 × 1 (errors 0 and 2) over a 4 × 4 model input that a 4 × 2
 * image fills from row 1 (letterbox): the left pixels get inferno's
 * darkest colour, the right ones its brightest, the second column the
 * colour of a quarter (bilinear: 0.5 of 2), on every row; where the model
 * position leaves the resized image the surface is transparent. */
static void
test_error_map_render (void)
{
  float data[] = { 0, 2 };
  LaminaErrorMap map = { 2, 1, data, 2 };
  LaminaTransform t = { 4, 2, 4, 4, 4, 2, 0, 1, 1, 1, 0, 1 };
  cairo_surface_t *s;

  s = lamina_error_map_render (&map, &t, 4, 2, NULL);
  g_assert_nonnull (s);
  g_assert_cmpint (cairo_image_surface_get_format (s), ==, CAIRO_FORMAT_ARGB32);
  for (int y = 0; y < 2; y++)
    {
      g_assert_cmphex (pixel (s, 0, y), ==, 0xff000004);   /* inferno (0) */
      g_assert_cmphex (pixel (s, 1, y), ==, 0xff550f6d);   /* inferno (0.25): stop 2 */
      g_assert_cmphex (pixel (s, 3, y), ==, 0xfffcffa4);   /* inferno (1) */
    }
  cairo_surface_destroy (s);
  /* twice as large: the same picture */
  s = lamina_error_map_render (&map, &t, 8, 4, NULL);
  g_assert_cmphex (pixel (s, 0, 3), ==, 0xff000004);
  g_assert_cmphex (pixel (s, 7, 0), ==, 0xfffcffa4);
  cairo_surface_destroy (s);
  /* only the left half of the input holds image: the right half is padding */
  t.resized_width = 2;
  s = lamina_error_map_render (&map, &t, 4, 2, NULL);
  g_assert_cmphex (pixel (s, 0, 0), ==, 0xff000004);
  g_assert_cmphex (pixel (s, 2, 0), ==, 0);
  g_assert_cmphex (pixel (s, 3, 1), ==, 0);
  cairo_surface_destroy (s);
}

/* ---- matching on the shared pairs ------------------------------------------------ */

static gboolean
pairs_contain (const LaminaMatch *m, const char *flt, const char *fixed)
{
  for (guint i = 0; i < m->pairs->len; i++)
    {
      const LaminaMatchPair *p = &g_array_index (m->pairs, LaminaMatchPair, i);
      if (strcmp (p->flt->name, flt) == 0 && strcmp (p->fixed->name, fixed) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
check_pairs (const LaminaMatch *m)
{
  for (guint i = 0; i < m->pairs->len; i++)
    {
      const LaminaMatchPair *p = &g_array_index (m->pairs, LaminaMatchPair, i);
      g_assert_true (lamina_dtype_is_float (p->flt->dtype));
      g_assert_true (lamina_dtype_is_integer (p->fixed->dtype));
      g_assert_nonnull (p->quant);
      g_assert_cmpuint (p->quant->n, >=, 1);
      g_assert_cmpint (p->flt->shape.rank, ==, p->fixed->shape.rank);
    }
}

static LaminaMatch *
match_and_report (const LaminaModel *flt, const LaminaModel *fixed, const char *what)
{
  g_autoptr(GError) error = NULL;
  LaminaMatch *m = lamina_match_tensors (flt, fixed, &error);

  g_assert_no_error (error);
  g_test_message ("%s: %u matched, %u float and %u fixed tensors unmatched (%s)", what,
                  m->pairs->len, m->unmatched_float->len, m->unmatched_fixed->len,
                  m->by_provenance ? "provenance" : "name and topology");
  check_pairs (m);
  return m;
}

static LaminaModel *
quantize_fastest (LaminaModel *model, const char *path)
{
  g_autofree char *bus = lamina_test_shared_image ("bus.jpg");
  g_autofree char *dog = lamina_test_shared_image ("dog.jpg");
  const char *paths[] = { bus, dog, NULL };
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(LaminaCalibration) calib = NULL;
  g_autoptr(GError) error = NULL;
  LaminaQuantizeOptions o = { LAMINA_CALIB_MINMAX, 0, 8, NULL, NULL };
  LaminaModel *fixed;

  if (bus == NULL || dog == NULL)
    return NULL;
  inputs = lamina_calibration_list_inputs (paths, &error);
  g_assert_no_error (error);
  calib = lamina_calibrate (model, path, inputs, NULL, NULL, &error);
  g_assert_no_error (error);
  fixed = lamina_quantize (model, calib, &o, NULL, &error);
  g_assert_no_error (error);
  return fixed;
}

static void
test_match_provenance (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autofree char *fixed_path = NULL;
  g_autoptr(LaminaModel) model = NULL, fixed = NULL, back = NULL;
  g_autoptr(LaminaMatch) m = NULL, mb = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  if ((fixed = quantize_fastest (model, path)) == NULL)
    return;
  m = match_and_report (model, fixed, "Yolo-FastestV2 vs its QDQ (in memory)");
  g_assert_true (m->by_provenance);
  g_assert_cmpuint (m->pairs->len, >, 50);
  g_assert_true (pairs_contain (m, "input.1", "input.1_quantized"));
  g_assert_true (pairs_contain (m, "845", "845_quantized"));
  g_assert_cmpuint (m->unmatched_fixed->len, ==, 0);
  /* the mapping survives the ONNX file */
  fixed_path = g_build_filename (lamina_test_tmpdir (), "fastest-qdq.onnx", NULL);
  g_assert_true (lamina_onnx_write (fixed, fixed_path, &error));
  back = lamina_model_load (fixed_path, &error);
  g_assert_no_error (error);
  mb = match_and_report (model, back, "Yolo-FastestV2 vs its QDQ (file)");
  g_assert_true (mb->by_provenance);
  g_assert_cmpuint (mb->pairs->len, ==, m->pairs->len);
  g_assert_cmpuint (mb->unmatched_float->len, ==, m->unmatched_float->len);
}

static void
test_match_yolov5n (void)
{
  g_autofree char *fp16 = lamina_test_shared_model ("yolov5n-fp16.tflite");
  g_autofree char *int8 = fp16 ? lamina_test_shared_model ("yolov5n-int8.tflite") : NULL;
  g_autoptr(LaminaModel) flt = NULL, fixed = NULL;
  g_autoptr(LaminaMatch) m = NULL;
  g_autoptr(GError) error = NULL;

  if (int8 == NULL)
    return;
  flt = lamina_model_load (fp16, &error);
  g_assert_no_error (error);
  fixed = lamina_model_load (int8, &error);
  g_assert_no_error (error);
  m = match_and_report (flt, fixed, "YOLOv5n fp16 vs int8");
  g_assert_false (m->by_provenance);
  g_assert_cmpuint (m->pairs->len, >, 200);
  g_assert_true (pairs_contain (m, "input_1", "input_1"));
  g_assert_true (pairs_contain (m, "Identity", "Identity"));
  for (guint i = 0; i < m->unmatched_fixed->len; i++)
    g_test_message ("unmatched fixed: %s", ((const LaminaTensor *) g_ptr_array_index (m->unmatched_fixed, i))->name);
  for (guint i = 0; i < m->unmatched_float->len; i++)
    g_test_message ("unmatched float: %s", ((const LaminaTensor *) g_ptr_array_index (m->unmatched_float, i))->name);
}

/* ---- the whole comparison (quant/lamina-compare.h) --------------------------------------- */

typedef struct {
  double last;
  guint  calls;
} Progress;

static void
on_progress (double fraction, gpointer data)
{
  Progress *p = data;

  g_assert_cmpfloat (fraction, >=, p->last);
  g_assert_cmpfloat (fraction, <=, 1);
  p->last = fraction;
  p->calls++;
}

/* The mean over channels of the per-channel maps is the mean map. */
static void
check_channel_maps (const LaminaCompare *c, const LaminaCompareLayer *l)
{
  g_autoptr(LaminaErrorMap) mean = lamina_compare_error_map (c, l->pair, -1, NULL);
  g_autofree double *sum = NULL;
  int channels = 0;

  g_assert_nonnull (mean);
  sum = g_new0 (double, mean->width * mean->height);
  for (;; channels++)
    {
      g_autoptr(LaminaErrorMap) one = lamina_compare_error_map (c, l->pair, channels, NULL);
      if (one == NULL)
        break;
      for (int i = 0; i < one->width * one->height; i++)
        sum[i] += one->data[i];
    }
  g_assert_cmpint (channels, >, 1);
  for (int i = 0; i < mean->width * mean->height; i++)
    g_assert_cmpfloat_with_epsilon (sum[i] / channels, mean->data[i], 1e-5);
}

/* Yolo-FastestV2 vs its QDQ model on bus.jpg: progress up to 1, every
 * pair measured, the worst layer, layers by either name, error maps, the
 * detections decoded again with a higher threshold, a cancelled run. */
static void
test_compare_fastest (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autofree char *bus = lamina_test_shared_image ("bus.jpg");
  g_autofree char *fixed_path = g_build_filename (lamina_test_tmpdir (), "compare-qdq.onnx", NULL);
  g_autoptr(LaminaModel) model = NULL, quantized = NULL, fixed = NULL;
  g_autoptr(LaminaImage) image = NULL;
  g_autoptr(LaminaCompare) c = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  const LaminaCompareLayer *worst;
  LaminaPostprocessConfig strict;
  Progress progress = { 0 };
  guint before;

  if (path == NULL || bus == NULL)
    return;
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  if ((quantized = quantize_fastest (model, path)) == NULL)
    return;
  g_assert_true (lamina_onnx_write (quantized, fixed_path, &error));
  fixed = lamina_model_load (fixed_path, &error);
  g_assert_no_error (error);
  image = lamina_image_load (bus, &error);
  g_assert_no_error (error);
  c = lamina_compare_new (model, lamina_preset_find (path, model->graph, NULL, NULL),
                          fixed, lamina_preset_find (fixed_path, fixed->graph, NULL, NULL), 1, &error);
  g_assert_no_error (error);
  g_assert_true (lamina_compare_run (c, image, on_progress, &progress, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (progress.last, ==, 1);
  g_assert_cmpuint (progress.calls, >=, 10);
  g_assert_cmpuint (c->layers->len + c->left_out->len, ==, c->match->pairs->len);
  g_assert_cmpuint (c->left_out->len, ==, 0);

  /* the worst: no rank-4 layer has a lower SQNR */
  worst = lamina_compare_worst_layer (c);
  g_assert_nonnull (worst);
  for (guint i = 0; i < c->layers->len; i++)
    {
      const LaminaCompareLayer *l = &g_array_index (c->layers, LaminaCompareLayer, i);
      const LaminaValue *f, *x;
      g_assert_true (lamina_compare_get_values (c, l->pair, &f, &x));
      g_assert_cmpint (f->numel, ==, x->numel);
      if (lamina_compare_has_error_map (c, l->pair))
        {
          g_assert_cmpint (f->rank, ==, 4);
          g_assert_cmpfloat (l->metrics.sqnr_db, >=, worst->metrics.sqnr_db);
        }
      else
        g_assert_null (lamina_compare_error_map (c, l->pair, -1, NULL));
    }
  g_test_message ("worst layer %s: %.2f dB", worst->pair->flt->name, worst->metrics.sqnr_db);
  g_assert_true (lamina_compare_find_layer (c, worst->pair->flt->name) == worst);
  g_assert_true (lamina_compare_find_layer (c, worst->pair->fixed->name) == worst);
  g_assert_null (lamina_compare_find_layer (c, "no such tensor"));
  check_channel_maps (c, worst);

  /* detections: each in one pair or alone; fewer at a higher threshold */
  g_assert_nonnull (c->dets);
  g_assert_cmpuint (c->dets->matched + c->dets->missed, ==, c->flt->dets->len);
  g_assert_cmpuint (c->dets->matched + c->dets->extra, ==, c->fixed->dets->len);
  before = c->flt->dets->len;
  lamina_postprocess_config_with_thresholds (&strict, &c->flt->preset->post, 0.9, 0.4);
  g_assert_true (lamina_compare_decode (c, &strict, &strict, &error));
  lamina_postprocess_config_clear (&strict);
  g_assert_cmpuint (c->flt->dets->len, <, before);
  g_assert_cmpuint (c->dets->matched + c->dets->missed, ==, c->flt->dets->len);

  /* cancelled: fails as such, and a new run works again */
  g_cancellable_cancel (cancellable);
  g_assert_false (lamina_compare_run (c, image, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (lamina_compare_run (c, image, NULL, NULL, NULL, &error));
  g_assert_cmpuint (c->flt->dets->len, ==, before);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/identical", test_identical);
  g_test_add_func ("/metrics/clipped", test_clipped);
  g_test_add_func ("/metrics/per-axis", test_per_axis);
  g_test_add_func ("/metrics/pooled", test_pooled);
  g_test_add_func ("/metrics/zero-and-errors", test_zero_and_errors);
  g_test_add_func ("/metrics/error-map", test_error_map);
  g_test_add_func ("/metrics/error-map-channel", test_error_map_channel);
  g_test_add_func ("/metrics/error-map-render", test_error_map_render);
  g_test_add_func ("/match/provenance", test_match_provenance);
  g_test_add_func ("/match/yolov5n", test_match_yolov5n);
  g_test_add_func ("/compare/fastest", test_compare_fastest);
  return g_test_run ();
}
