/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-metrics: float vs fixed tensor metrics on hand-made tensors with
 * known answers, and tensor matching on the shared float/fixed pairs
 * (Yolo-FastestV2 and its QDQ quantization made here; YOLOv5n fp16 vs int8
 * TFLite).
 */
#define G_LOG_DOMAIN "test-metrics"

#include <math.h>
#include <string.h>
#include "lamina-test-util.h"
#include "lamina-model-load.h"
#include "onnx/lamina-onnx-write.h"
#include "quant/lamina-calibrate.h"
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
  g_autoptr(LaminaErrorMap) m1 = lamina_error_map_new (&a, &xa, q, FALSE, NULL);
  g_autoptr(LaminaErrorMap) m2 = lamina_error_map_new (&b, &xb, q, TRUE, NULL);
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
  g_assert_null (lamina_error_map_new (&c, &xc, q, FALSE, &error));   /* not rank 4 */
  g_assert_nonnull (error);
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
  g_test_add_func ("/match/provenance", test_match_provenance);
  g_test_add_func ("/match/yolov5n", test_match_yolov5n);
  return g_test_run ();
}
