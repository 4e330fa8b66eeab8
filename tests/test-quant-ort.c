/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-quant-ort: the fixed graphs Lamina writes, checked against others
 * (issue 5). Yolo-FastestV2 and UltraFace-slim are quantized with
 * `lamina-cli quantize` (min-max, int8) calibrated on four shared images,
 * and Yolo-FastestV2 once more with seven layers in int16 (`--int16`,
 * com.microsoft QuantizeLinear/DequantizeLinear as ONNX Runtime's
 * quantizer writes them);
 *  - ONNX Runtime and Lamina's simulator run the QDQ file on the same input
 *    tensor (bus.jpg / faces-2.jpg preprocessed by the model's preset): the
 *    fraction of output elements within one quantization step — the scale
 *    of the DequantizeLinear that makes each float output — must be at
 *    least 99%;
 *  - float vs int8 detections (`lamina-cli detect`) on the shared images:
 *    matched, missed, extra and mean IoU, with only a loose check (mean IoU
 *    of the matches ≥ 0.7, something matched).
 * Figures go out with g_test_message. Skips without node + onnxruntime-node
 * or ../shared.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include "lamina-test-util.h"
#include "lamina-test-detect.h"
#include "lamina-model-load.h"
#include "onnx/lamina-onnx-write.h"
#include "sim/lamina-npy.h"
#include "sim/lamina-sim.h"
#include "vision/lamina-preset.h"

/* The issue asks for 99% of the elements within one step. The simulator
 * runs each DequantizeLinear → Conv → QuantizeLinear as one QLinearConv on
 * the integer kernels with ONNX Runtime's requantization (float scale,
 * round half to even; lamina-fixed.h) and the QDQ pairs around data
 * movement on the integers, as ONNX Runtime does; measured 100.00% on
 * both models. (Run as written, DQ → float → Q, it was 92.8% for
 * Yolo-FastestV2: rounding ties broken differently grow through the
 * layers.) */
#define MIN_WITHIN_STEP  0.99
#define MIN_MEAN_IOU    0.7
#define IOU_MATCH       0.5

/* The calibration set, shared by both models. */
static const char *const calib_images[] = { "bus.jpg", "zidane.jpg", "faces-2.jpg", "voc-000004.jpg" };

typedef struct {
  const char *model;          /* in ../shared/models */
  const char *image;          /* for the ORT agreement */
  const char *det_images[5];  /* for float vs int8 detections, NULL-terminated */
  const char *int16;          /* `quantize --int16` rules, or NULL: all int8 */
} Case;

static const Case yolo = { "yolo-fastestv2-coco-352.onnx", "bus.jpg",
                           { "bus.jpg", "zidane.jpg", "person.jpg", "dog.jpg", NULL } };
/* int16 (com.microsoft QuantizeLinear/DequantizeLinear) on the first layer,
 * two backbone convolutions with the worst int8 SQNR and the four head
 * convolutions; the int16 tensors meet int8 ones through DQ → float → Q. */
static const Case yolo_int16 = { "yolo-fastestv2-coco-352.onnx", "bus.jpg",
                                 { "bus.jpg", "zidane.jpg", "person.jpg", "dog.jpg", NULL },
                                 "Relu_1,Conv_122,Conv_176,Conv_258,Conv_259,Conv_260,Conv_261" };
static const Case ultraface = { "ultraface-slim-320.onnx", "faces-2.jpg",
                                { "faces-1.jpg", "faces-2.jpg", "faces-5.jpg", "faces-13.jpg", NULL } };

static const char *
precision (const Case *c)
{
  return c->int16 ? "int8+int16" : "int8";
}

/* A folder of links to the calibration images, or NULL (skipped). */
static char *
calib_dir (void)
{
  g_autofree char *dir = g_build_filename (lamina_test_tmpdir (), "calib", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (calib_images); i++)
    {
      g_autofree char *image = lamina_test_shared_image (calib_images[i]);
      g_autofree char *link = g_build_filename (dir, calib_images[i], NULL);
      if (image == NULL)
        return NULL;
      if (!g_file_test (link, G_FILE_TEST_EXISTS))
        g_assert_cmpint (symlink (image, link), ==, 0);
    }
  return g_steal_pointer (&dir);
}

/* The model quantized by lamina-cli (once per test program and case), or
 * NULL (skipped). The file keeps the model's name so that its preset is
 * found. */
static char *
quantize (const char *model_path, const Case *c)
{
  g_autofree char *calib = calib_dir ();
  g_autofree char *base = NULL, *fixed = NULL;

  if (calib == NULL)
    return NULL;
  base = g_strndup (c->model, strlen (c->model) - strlen (".onnx"));
  fixed = g_strdup_printf ("%s/%s.%s.onnx", lamina_test_tmpdir (), base, c->int16 ? "int16" : "int8");
  if (!g_file_test (fixed, G_FILE_TEST_EXISTS))
    {
      /* a NULL --int16 rule list ends the arguments early */
      LaminaTestRun r = lamina_test_run_cli ("quantize", model_path, "--calib", calib, "-o", fixed,
                                             c->int16 ? "--int16" : NULL, c->int16, NULL);
      if (r.status != 0)
        g_error ("lamina-cli quantize %s failed: %s", model_path, r.err);
      lamina_test_run_clear (&r);
    }
  return g_steal_pointer (&fixed);
}

/* One quantization step of a float output: the scale of the
 * DequantizeLinear that produces it (or of the tensor itself). */
static double
output_step (const LaminaTensor *t)
{
  const LaminaTensor *scale;
  g_autoptr(GError) error = NULL;
  LaminaValue v = { 0 };
  double step;

  if (t->quant != NULL && t->quant->n == 1)
    return t->quant->scale[0];
  g_assert_nonnull (t->producer);
  g_assert_cmpstr (t->producer->op_type, ==, "DequantizeLinear");
  scale = g_ptr_array_index (t->producer->inputs, 1);
  g_assert_true (lamina_value_from_constant (&v, scale, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v.numel, ==, 1);
  step = lamina_value_get_double (&v, 0);
  lamina_value_clear (&v);
  return step;
}

/* Fraction of elements of ours within one step of ORT's. */
static double
within_step (const LaminaValue *ours, const LaminaValue *ref, double step, double *max_steps)
{
  gint64 within = 0;

  g_assert_cmpint (ours->dtype, ==, LAMINA_DTYPE_FLOAT32);
  g_assert_cmpint (ref->dtype, ==, LAMINA_DTYPE_FLOAT32);
  g_assert_true (lamina_value_same_shape (ours, ref));
  *max_steps = 0;
  for (gint64 i = 0; i < ref->numel; i++)
    {
      /* both are s·(q − z) in float32: one step apart is s up to rounding */
      double d = fabs ((double) LAMINA_VALUE_F32 (ours)[i] - LAMINA_VALUE_F32 (ref)[i]) / step;
      within += d <= 1.001;
      *max_steps = MAX (*max_steps, d);
    }
  return ref->numel > 0 ? (double) within / (double) ref->numel : 1.0;
}

/* The input tensor from the image as `detect` builds it, written as .npy. */
static char *
write_input (const char *float_path, const LaminaModel *model, const char *image_path, const char *dir,
             LaminaValue *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaPreset) preset = lamina_preset_find (float_path, model->graph, NULL, &error);
  g_autoptr(LaminaImage) image = NULL;
  const LaminaTensor *input = g_ptr_array_index (model->graph->inputs, 0);
  char *npy = g_build_filename (dir, "input.npy", NULL);

  g_assert_no_error (error);
  g_assert_nonnull (preset);
  image = lamina_image_load (image_path, &error);
  g_assert_no_error (error);
  g_assert_true (lamina_preprocess_image (image, &preset->pre, input, value, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (lamina_npy_write (npy, value, &error));
  g_assert_no_error (error);
  return npy;
}

/* The float tensors that int16 DequantizeLinear nodes make (com.microsoft,
 * as Lamina's quantizer writes int16), made graph outputs so that ONNX
 * Runtime returns them too; how many. */
static guint
probe_int16 (LaminaModel *model)
{
  LaminaGraph *g = model->graph;
  guint n = 0;

  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *node = g_ptr_array_index (g->nodes, i);
      LaminaTensor *t = node->outputs->len > 0 ? g_ptr_array_index (node->outputs, 0) : NULL;
      if (t == NULL || strcmp (node->domain, "com.microsoft") != 0 ||
          strcmp (node->op_type, "DequantizeLinear") != 0 || g_ptr_array_find (g->outputs, t, NULL))
        continue;
      g_ptr_array_add (g->outputs, t);
      n++;
    }
  return n;
}

/* Output i of both engines, within one step of its DequantizeLinear. */
static double
agreement_of (LaminaSim *sim, const LaminaTensor *t, const char *dir, double *step, double *max_steps,
              gint64 *numel)
{
  g_autofree char *path = lamina_test_ort_output_path (dir, t->name);
  g_autoptr(GError) error = NULL;
  LaminaValue ref = { 0 };
  double fraction;

  g_assert_true (lamina_npy_read (path, &ref, &error));
  g_assert_no_error (error);
  *step = output_step (t);
  *numel = ref.numel;
  fraction = within_step (lamina_sim_get_value (sim, t), &ref, *step, max_steps);
  lamina_value_clear (&ref);
  return fraction;
}

/* ONNX Runtime and the simulator on the same file and input. With int16
 * layers the model gets their dequantized tensors as extra outputs
 * (written beside as probe.onnx, run by both): their agreement, in int16
 * steps, is reported; the bounds apply to the model's own outputs. */
static void
test_agreement (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *node = lamina_test_find_node_ort ();
  g_autofree char *float_path = node ? lamina_test_shared_model (c->model) : NULL;
  g_autofree char *image_path = float_path ? lamina_test_shared_image (c->image) : NULL;
  g_autofree char *fixed = image_path ? quantize (float_path, c) : NULL;
  g_autofree char *dir = NULL, *npy = NULL, *feed = NULL, *probe = NULL, *sub = NULL;
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(LaminaSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  const LaminaTensor *input;
  LaminaValue value = { 0 };
  guint n_outputs, n_probes;

  if (fixed == NULL)
    return;   /* skipped */
  model = lamina_model_load (fixed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (model->kind, ==, LAMINA_KIND_FIXED);
  n_outputs = model->graph->outputs->len;
  n_probes = probe_int16 (model);
  g_test_message ("%s (%s): %u int16 tensors", c->model, precision (c), n_probes);
  if (c->int16 != NULL)
    g_assert_cmpuint (n_probes, >, 0);
  sub = g_strconcat (c->model, ".", precision (c), NULL);
  dir = g_build_filename (lamina_test_tmpdir (), "agreement", sub, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  if (n_probes > 0)
    {
      probe = g_build_filename (dir, "probe.onnx", NULL);
      g_assert_true (lamina_onnx_write (model, probe, &error));
      g_assert_no_error (error);
    }
  npy = write_input (float_path, model, image_path, dir, &value);
  input = g_ptr_array_index (model->graph->inputs, 0);
  feed = g_strdup_printf ("%s=%s", input->name, npy);
  lamina_test_run_ort (node, probe ? probe : fixed, dir, (const char *const[]) { feed, NULL });

  /* every operator of the file runs: a node without a kernel fails the run */
  sim = lamina_sim_new (model, model->graph, &(LaminaSimOptions) { 2 }, &error);
  g_assert_no_error (error);
  g_assert_true (lamina_sim_set_input (sim, input->name, &value, &error));
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < model->graph->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (model->graph->outputs, i);
      double step, max_steps, fraction;
      gint64 numel;

      fraction = agreement_of (sim, t, dir, &step, &max_steps, &numel);
      g_test_message ("%s %s on %s, %s %s (%" G_GINT64_FORMAT " values, step %.4g): "
                      "%.4f%% within one step of ONNX Runtime, max %.1f steps",
                      c->model, precision (c), c->image, i < n_outputs ? "output" : "int16 tensor", t->name,
                      numel, step, 100 * fraction, max_steps);
      if (i >= n_outputs)
        continue;
      g_assert_cmpfloat (fraction, >=, MIN_WITHIN_STEP);
    }
  lamina_value_clear (&value);
}

static void
test_detections (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *float_path = lamina_test_shared_model (c->model);
  g_autofree char *fixed = float_path ? quantize (float_path, c) : NULL;
  guint matched = 0, missed = 0, extra = 0;
  double iou_sum = 0;

  if (fixed == NULL)
    return;   /* skipped */
  for (guint i = 0; c->det_images[i] != NULL; i++)
    {
      g_autofree char *image = lamina_test_shared_image (c->det_images[i]);
      g_autoptr(LaminaDetections) ref = NULL, got = NULL;
      g_autoptr(LaminaDetectionMatch) m = NULL;

      if (image == NULL)
        return;
      ref = lamina_test_detect (float_path, image);
      got = lamina_test_detect (fixed, image);
      m = lamina_detections_match (ref, got, IOU_MATCH);
      g_test_message ("%s on %s: float %u, %s %u detections: matched %u, missed %u, extra %u, mean IoU %.3f",
                      c->model, c->det_images[i], ref->len, precision (c), got->len, m->matched, m->missed,
                      m->extra, m->matched ? m->mean_iou : 0.0);
      matched += m->matched;
      missed += m->missed;
      extra += m->extra;
      iou_sum += m->matched ? m->mean_iou * m->matched : 0.0;
    }
  g_test_message ("%s (%s), all images: matched %u, missed %u, extra %u, mean IoU %.3f", c->model, precision (c),
                  matched, missed, extra, matched ? iou_sum / matched : 0.0);
  g_assert_cmpuint (matched, >, 0);
  g_assert_cmpfloat (iou_sum / matched, >=, MIN_MEAN_IOU);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/quant-ort/yolo-fastestv2/agreement", &yolo, test_agreement);
  g_test_add_data_func ("/quant-ort/yolo-fastestv2/detections", &yolo, test_detections);
  g_test_add_data_func ("/quant-ort/yolo-fastestv2-int16/agreement", &yolo_int16, test_agreement);
  g_test_add_data_func ("/quant-ort/yolo-fastestv2-int16/detections", &yolo_int16, test_detections);
  g_test_add_data_func ("/quant-ort/ultraface-slim/agreement", &ultraface, test_agreement);
  g_test_add_data_func ("/quant-ort/ultraface-slim/detections", &ultraface, test_detections);
  return g_test_run ();
}
