/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layer suggestions (quant/lamina-suggest.h) on Yolo-FastestV2: calibrated
 * on three shared images, evaluated on bus.jpg; every candidate measured
 * in int16 and kept float; the best single-layer promotion must raise the
 * final output SQNR at least 0.1 dB above the base int8 graph's, and
 * applying the top suggestions must raise it too (figures reported). Skips
 * without ../shared.
 */
#define G_LOG_DOMAIN "test-suggest"

#include <math.h>
#include <string.h>
#include "lamina-test-util.h"
#include "lamina-model-load.h"
#include "quant/lamina-calibrate.h"
#include "quant/lamina-suggest.h"
#include "vision/lamina-image.h"
#include "vision/lamina-preprocess.h"
#include "vision/lamina-preset.h"

#define MIN_GAIN_DB 0.1

typedef struct {
  guint calls, last_done, last_total;
} Progress;

static void
on_progress (guint done, guint total, const char *layer, gpointer data)
{
  Progress *p = data;

  (void) layer;
  p->calls++;
  p->last_done = done;
  p->last_total = total;
}

static LaminaCalibration *
calibrate (LaminaModel *model, const char *path)
{
  g_autofree char *bus = lamina_test_shared_image ("bus.jpg");
  g_autofree char *dog = lamina_test_shared_image ("dog.jpg");
  g_autofree char *voc = lamina_test_shared_image ("voc-000004.jpg");
  const char *paths[] = { bus, dog, voc, NULL };
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(GError) error = NULL;
  LaminaCalibration *c;

  if (bus == NULL || dog == NULL || voc == NULL)
    return NULL;
  inputs = lamina_calibration_list_inputs (paths, &error);
  g_assert_no_error (error);
  c = lamina_calibrate (model, path, inputs, NULL, NULL, &error);
  g_assert_no_error (error);
  return c;
}

static void
preprocess_bus (LaminaModel *model, const char *path, LaminaValue *x)
{
  g_autofree char *bus = lamina_test_shared_image ("bus.jpg");
  g_autoptr(LaminaPreset) preset = NULL;
  g_autoptr(LaminaImage) image = NULL;
  g_autoptr(GError) error = NULL;

  preset = lamina_preset_find (path, model->graph, NULL, &error);
  g_assert_no_error (error);
  image = lamina_image_load (bus, &error);
  g_assert_no_error (error);
  g_assert_true (lamina_preprocess_image (image, &preset->pre, g_ptr_array_index (model->graph->inputs, 0),
                                          x, NULL, &error));
  g_assert_no_error (error);
}

static void
report (const LaminaSuggestResult *r)
{
  g_test_message ("base int8 (min-max): final output SQNR %.3f dB", r->base_sqnr_db);
  for (guint j = 0; j < r->suggestions->len; j++)
    {
      const LaminaSuggestion *s = &g_array_index (r->suggestions, LaminaSuggestion, j);
      g_test_message ("  %u. %s -> %s: layer SQNR %.3f dB; output SQNR in int16 %.3f dB (%+.3f), "
                      "kept float %.3f dB (%+.3f)", j + 1, s->layer,
                      s->precision == LAMINA_PRECISION_INT16 ? "int16" : "float", s->layer_sqnr_db,
                      s->int16_sqnr_db, s->int16_sqnr_db - r->base_sqnr_db, s->float_sqnr_db,
                      s->float_sqnr_db - r->base_sqnr_db);
    }
}

/* Both promotions were measured (int16 applies to every int8 layer of the
 * graph) and each suggestion is the better of the two, int16 on a tie. */
static void
check_both_measured (const LaminaSuggestResult *r)
{
  for (guint j = 0; j < r->suggestions->len; j++)
    {
      const LaminaSuggestion *s = &g_array_index (r->suggestions, LaminaSuggestion, j);
      g_assert_true (isfinite (s->int16_sqnr_db));
      g_assert_true (isfinite (s->float_sqnr_db));
      if (s->precision == LAMINA_PRECISION_INT16)
        {
          g_assert_cmpfloat (s->sqnr_db, ==, s->int16_sqnr_db);
          g_assert_cmpfloat (s->int16_sqnr_db, >=, s->float_sqnr_db);
        }
      else
        {
          g_assert_cmpint (s->precision, ==, LAMINA_PRECISION_FLOAT);
          g_assert_cmpfloat (s->sqnr_db, ==, s->float_sqnr_db);
          g_assert_cmpfloat (s->float_sqnr_db, >, s->int16_sqnr_db);
        }
      if (j > 0)
        g_assert_cmpfloat (s->sqnr_db, <=, g_array_index (r->suggestions, LaminaSuggestion, j - 1).sqnr_db);
    }
}

static void
test_yolo_fastestv2 (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autoptr(LaminaModel) model = NULL, applied = NULL;
  g_autoptr(LaminaCalibration) calib = NULL;
  g_autoptr(LaminaSuggestResult) r = NULL;
  g_autoptr(GError) error = NULL;
  LaminaQuantizeOptions q = { LAMINA_CALIB_MINMAX, 0, 8, NULL, NULL };
  Progress p = { 0 };
  LaminaSuggestOptions o = { LAMINA_SUGGEST_DEFAULT_CANDIDATES, 0, on_progress, &p };
  LaminaValue x = { 0 };
  const LaminaValue *inputs[] = { &x };
  const LaminaSuggestion *top;
  double before = 0, after = 0;

  if (path == NULL)
    return;   /* skipped by lamina_test_shared_model */
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  if ((calib = calibrate (model, path)) == NULL)
    return;
  preprocess_bus (model, path, &x);
  r = lamina_suggest (model, calib, &q, inputs, 1, &o, NULL, &error);
  g_assert_no_error (error);
  report (r);
  g_assert_cmpuint (r->suggestions->len, ==, LAMINA_SUGGEST_DEFAULT_CANDIDATES);
  g_assert_cmpuint (p.calls, ==, LAMINA_SUGGEST_DEFAULT_CANDIDATES + 1);
  g_assert_cmpuint (p.last_done, ==, LAMINA_SUGGEST_DEFAULT_CANDIDATES);
  check_both_measured (r);
  top = &g_array_index (r->suggestions, LaminaSuggestion, 0);
  g_assert_true (isfinite (r->base_sqnr_db));
  g_test_message ("top suggestion: %s as %s, final output SQNR %.3f dB -> %.3f dB (%+.3f dB)", top->layer,
                  top->precision == LAMINA_PRECISION_INT16 ? "int16" : "float", r->base_sqnr_db, top->sqnr_db,
                  top->sqnr_db - r->base_sqnr_db);
  /* measurably: the runs are deterministic, and a tenth of a dB is more than
   * a few rounding flips in the output */
  g_assert_cmpfloat (top->sqnr_db, >=, r->base_sqnr_db + MIN_GAIN_DB);

  /* a cancelled apply stops with G_IO_ERROR_CANCELLED and no model */
  {
    g_autoptr(GCancellable) cancelled = g_cancellable_new ();
    g_autoptr(GError) cancel_error = NULL;
    g_cancellable_cancel (cancelled);
    g_assert_null (lamina_suggest_apply (model, calib, &q, r, 2, inputs, 1, 0, NULL, NULL, cancelled, &cancel_error));
    g_assert_error (cancel_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
  applied = lamina_suggest_apply (model, calib, &q, r, 2, inputs, 1, 0, &before, &after, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (applied);
  g_test_message ("top 2 promoted: final output SQNR %.3f dB -> %.3f dB", before, after);
  g_assert_cmpfloat (after, >, before);
  lamina_value_clear (&x);
}

/* A cancelled run fails cleanly. */
static void
test_cancelled (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(LaminaCalibration) calib = NULL;
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  LaminaQuantizeOptions q = { LAMINA_CALIB_MINMAX, 0, 8, NULL, NULL };
  LaminaValue x = { 0 };
  const LaminaValue *inputs[] = { &x };
  LaminaSuggestResult *r;

  if (path == NULL)
    return;   /* skipped by lamina_test_shared_model */
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  if ((calib = calibrate (model, path)) == NULL)
    return;
  preprocess_bus (model, path, &x);
  g_cancellable_cancel (cancel);
  r = lamina_suggest (model, calib, &q, inputs, 1, NULL, cancel, &error);
  g_assert_null (r);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  r = lamina_suggest (model, calib, &q, inputs, 0, NULL, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  lamina_value_clear (&x);
}

/* lamina-cli suggest: the JSON names the figures; a missing --image fails. */
static void
test_cli (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autofree char *bus = lamina_test_shared_image ("bus.jpg");
  g_autofree char *dog = lamina_test_shared_image ("dog.jpg");
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "applied.onnx", NULL);
  LaminaTestRun r;

  if (path == NULL || bus == NULL || dog == NULL)
    return;
  /* two evaluation images: the figures pool both */
  r = lamina_test_run_cli ("suggest", path, "--calib", bus, "--calib", dog, "--image", bus, "--image", dog,
                           "--top", "3", "--apply", "1", "-o", out, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"base_sqnr_db\":"));
  g_assert_nonnull (strstr (r.out, "\"after_db\":"));
  g_assert_nonnull (strstr (r.out, "\"int16_sqnr_db\":"));
  g_assert_nonnull (strstr (r.out, "\"float_sqnr_db\":"));
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
  lamina_test_run_clear (&r);
  r = lamina_test_run_cli ("suggest", path, "--calib", bus, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "--image"));
  lamina_test_run_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/suggest/yolo-fastestv2", test_yolo_fastestv2);
  g_test_add_func ("/suggest/cancelled", test_cancelled);
  g_test_add_func ("/suggest/cli", test_cli);
  return g_test_run ();
}
