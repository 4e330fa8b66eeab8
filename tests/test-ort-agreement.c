/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-ort-agreement: every float ONNX model of ../shared/models runs on a
 * real image through the simulator and through ONNX Runtime (npm
 * onnxruntime-node via tests/ort/ort-run.js), on the very same input tensor:
 * the image preprocessed by the model's preset and saved with the
 * simulator's .npy writer. Per output, the maximum absolute difference and
 * the cosine similarity must stay within the bounds below.
 *
 * Skips with a message when node, onnxruntime-node or the shared folder is
 * missing.
 */
#define G_LOG_DOMAIN "test-ort-agreement"

#include <math.h>
#include <string.h>
#include "lamina-test-util.h"
#include "lamina-model-load.h"
#include "sim/lamina-npy.h"
#include "sim/lamina-sim.h"
#include "vision/lamina-preset.h"

/* Bounds. Both engines compute in float32, but sum in different orders:
 * Lamina's blocked GEMM accumulates K in panels and vector lanes, ONNX
 * Runtime's MLAS in its own tiles, and each fuses differently. Each
 * reassociation changes a dot product by about K * 2^-24 relative; over a
 * few dozen layers this stays well below 1e-4 of the output's range
 * (measured: 2.6e-6 Yolo-FastestV2, 8e-7 UltraFace, 1.8e-5 PP-OCRv4 det,
 * 4.5e-6 rec). The bound, 2e-4 of the range, leaves ten times that margin
 * and is still far below any real kernel bug (a wrong pad, stride or
 * activation moves outputs by 1e-2 of their range or more). Cosine
 * similarity catches errors spread thinly over a large output. */
#define MAX_REL_DIFF  2e-4
#define MIN_COSINE    0.9999

/* The model's input from the image, as `detect` builds it. */
static void
make_input (LaminaModel *model, const char *model_path, const char *image_path, LaminaValue *input,
            const LaminaTensor **tensor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaPreset) preset = lamina_preset_find (model_path, model->graph, NULL, &error);
  g_autoptr(LaminaImage) image = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (preset);
  image = lamina_image_load (image_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (model->graph->inputs->len, ==, 1);
  *tensor = g_ptr_array_index (model->graph->inputs, 0);
  lamina_preprocess_image (image, &preset->pre, *tensor, input, NULL, &error);
  g_assert_no_error (error);
}

static void
compare_output (const char *model, const char *tensor, const LaminaValue *ours, const LaminaValue *ref)
{
  double max_diff = 0, max_ref = 0, dot = 0, n_ours = 0, n_ref = 0, cosine;

  g_assert_cmpint (ours->dtype, ==, LAMINA_DTYPE_FLOAT32);
  g_assert_cmpint (ref->dtype, ==, LAMINA_DTYPE_FLOAT32);
  g_assert_true (lamina_value_same_shape (ours, ref));
  for (gint64 i = 0; i < ref->numel; i++)
    {
      double a = LAMINA_VALUE_F32 (ours)[i], b = LAMINA_VALUE_F32 (ref)[i];
      max_diff = MAX (max_diff, fabs (a - b));
      max_ref = MAX (max_ref, fabs (b));
      dot += a * b;
      n_ours += a * a;
      n_ref += b * b;
    }
  cosine = n_ours > 0 && n_ref > 0 ? dot / sqrt (n_ours * n_ref) : (n_ours == n_ref ? 1 : 0);
  g_test_message ("%s %s: %" G_GINT64_FORMAT " values, max |ORT| %.4g, max abs diff %.3g (%.2g of the range), cosine %.8f",
                  model, tensor, ref->numel, max_ref, max_diff, max_diff / MAX (max_ref, 1e-30), cosine);
  g_assert_cmpfloat (max_diff, <=, MAX_REL_DIFF * MAX (max_ref, 1e-6));
  g_assert_cmpfloat (cosine, >=, MIN_COSINE);
}

static void
check_model (const char *model_name, const char *image_name)
{
  g_autofree char *node = lamina_test_find_node_ort ();
  g_autofree char *model_path = NULL, *image_path = NULL, *dir = NULL, *npy = NULL, *desc = NULL;
  g_autofree char *feed = NULL;
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(LaminaSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  LaminaSimOptions options = { 2 };
  const LaminaTensor *input;
  LaminaValue value = { 0 };

  if (node == NULL || (model_path = lamina_test_shared_model (model_name)) == NULL ||
      (image_path = lamina_test_shared_image (image_name)) == NULL)
    return;
  model = lamina_model_load (model_path, &error);
  g_assert_no_error (error);
  make_input (model, model_path, image_path, &value, &input);
  dir = g_build_filename (lamina_test_tmpdir (), model_name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  npy = g_build_filename (dir, "input.npy", NULL);
  g_assert_true (lamina_npy_write (npy, &value, &error));
  g_assert_no_error (error);
  desc = lamina_value_describe (&value);
  g_test_message ("%s on %s: input %s", model_name, image_name, desc);
  feed = g_strdup_printf ("%s=%s", input->name, npy);
  lamina_test_run_ort (node, model_path, dir, (const char *const[]) { feed, NULL });

  sim = lamina_sim_new (model, model->graph, &options, &error);
  g_assert_no_error (error);
  g_assert_true (lamina_sim_set_input (sim, input->name, &value, &error));
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < model->graph->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (model->graph->outputs, i);
      g_autofree char *path = lamina_test_ort_output_path (dir, t->name);
      LaminaValue ref = { 0 };

      g_assert_true (lamina_npy_read (path, &ref, &error));
      g_assert_no_error (error);
      compare_output (model_name, t->name, lamina_sim_get_value (sim, t), &ref);
      lamina_value_clear (&ref);
    }
  lamina_value_clear (&value);
}

static void
test_yolo_fastestv2 (void)
{
  check_model ("yolo-fastestv2-coco-352.onnx", "bus.jpg");
}

static void
test_ultraface_rfb (void)
{
  check_model ("ultraface-rfb-320.onnx", "faces-2.jpg");
}

static void
test_ultraface_slim (void)
{
  check_model ("ultraface-slim-320.onnx", "faces-2.jpg");
}

/* The preset's size: bus.jpg (810x1080) → 720x960. */
static void
test_ppocr_det (void)
{
  check_model ("ppocrv4-det.onnx", "bus.jpg");
}

/* 48x320: a portrait image keeps the minimum width. */
static void
test_ppocr_rec (void)
{
  check_model ("ppocrv4-rec.onnx", "bus.jpg");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ort-agreement/yolo-fastestv2", test_yolo_fastestv2);
  g_test_add_func ("/ort-agreement/ultraface-rfb", test_ultraface_rfb);
  g_test_add_func ("/ort-agreement/ultraface-slim", test_ultraface_slim);
  g_test_add_func ("/ort-agreement/ppocrv4-det", test_ppocr_det);
  g_test_add_func ("/ort-agreement/ppocrv4-rec", test_ppocr_rec);
  return g_test_run ();
}
