/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-compare: `lamina-cli compare FLOAT FIXED --image IMG --json` on the
 * shared pairs (YOLOv5n fp16 vs int8 TFLite; Yolo-FastestV2 vs the QDQ
 * model `lamina-cli quantize` makes from it), and its argument errors.
 */
#define G_LOG_DOMAIN "test-compare"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include "lamina-test-util.h"

static void
check_layers (JsonArray *layers)
{
  guint n = json_array_get_length (layers);
  double worst = INFINITY;
  const char *worst_name = NULL;

  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      double cosine = json_object_get_double_member (l, "cosine");
      JsonNode *sqnr = json_object_get_member (l, "sqnr_db");
      g_assert_nonnull (json_object_get_string_member (l, "float"));
      g_assert_nonnull (json_object_get_string_member (l, "fixed"));
      g_assert_cmpfloat (cosine, >=, -1);
      g_assert_cmpfloat (cosine, <=, 1);
      g_assert_cmpfloat (json_object_get_double_member (l, "mse"), >=, 0);
      g_assert_cmpfloat (json_object_get_double_member (l, "max_abs"), >=, 0);
      g_assert_cmpfloat (json_object_get_double_member (l, "clipped"), >=, 0);
      g_assert_cmpfloat (json_object_get_double_member (l, "clipped"), <=, 1);
      if (!json_node_is_null (sqnr) && json_node_get_double (sqnr) < worst)
        {
          worst = json_node_get_double (sqnr);
          worst_name = json_object_get_string_member (l, "float");
        }
    }
  g_test_message ("%u layers, worst SQNR %.2f dB at %s", n, worst, worst_name);
}

static void
check_detections (JsonObject *d)
{
  guint nf = json_array_get_length (json_object_get_array_member (d, "float"));
  guint nx = json_array_get_length (json_object_get_array_member (d, "fixed"));
  gint64 matched = json_object_get_int_member (d, "matched");
  gint64 missed = json_object_get_int_member (d, "missed");
  gint64 extra = json_object_get_int_member (d, "extra");

  g_test_message ("detections: %u float, %u fixed, %" G_GINT64_FORMAT " matched, %" G_GINT64_FORMAT
                  " missed, %" G_GINT64_FORMAT " extra", nf, nx, matched, missed, extra);
  g_assert_cmpint (matched + missed, ==, nf);
  g_assert_cmpint (matched + extra, ==, nx);
  g_assert_cmpint (matched, >, 0);
  g_assert_cmpfloat (json_object_get_double_member (d, "mean_iou"), >=, 0.5);
  g_assert_cmpfloat (json_object_get_double_member (d, "mean_iou"), <=, 1);
}

static void
compare_json (const char *flt, const char *fixed, const char *image)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  LaminaTestRun r = lamina_test_run_cli ("compare", flt, fixed, "--image", image, "--json", NULL);
  JsonObject *root;

  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  check_layers (json_object_get_array_member (root, "layers"));
  g_test_message ("%u unmatched", json_array_get_length (json_object_get_array_member (root, "unmatched")));
  check_detections (json_object_get_object_member (root, "detections"));
  lamina_test_run_clear (&r);
}

static void
test_yolov5n (void)
{
  g_autofree char *fp16 = lamina_test_shared_model ("yolov5n-fp16.tflite");
  g_autofree char *int8 = fp16 ? lamina_test_shared_model ("yolov5n-int8.tflite") : NULL;
  g_autofree char *bus = int8 ? lamina_test_shared_image ("bus.jpg") : NULL;

  if (bus != NULL)
    compare_json (fp16, int8, bus);
}

static void
test_fastest_qdq (void)
{
  g_autofree char *model = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autofree char *bus = model ? lamina_test_shared_image ("bus.jpg") : NULL;
  g_autofree char *dog = bus ? lamina_test_shared_image ("dog.jpg") : NULL;
  g_autofree char *fixed = g_build_filename (lamina_test_tmpdir (), "fastest-int8.onnx", NULL);
  LaminaTestRun r;

  if (dog == NULL)
    return;
  r = lamina_test_run_cli ("quantize", model, "--calib", bus, "--calib", dog, "-o", fixed, NULL);
  g_assert_cmpint (r.status, ==, 0);
  lamina_test_run_clear (&r);
  compare_json (model, fixed, bus);
}

/* The PNG is the image's size. */
static void
check_png_size (const char *path, int width, int height)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 24);
  g_assert_cmpint (memcmp (data, "\x89PNG", 4), ==, 0);
  g_assert_cmpint (GUINT32_FROM_BE (*(guint32 *) (data + 16)), ==, width);
  g_assert_cmpint (GUINT32_FROM_BE (*(guint32 *) (data + 20)), ==, height);
}

static void
test_heatmap (void)
{
  g_autofree char *fp16 = lamina_test_shared_model ("yolov5n-fp16.tflite");
  g_autofree char *int8 = fp16 ? lamina_test_shared_model ("yolov5n-int8.tflite") : NULL;
  g_autofree char *bus = int8 ? lamina_test_shared_image ("bus.jpg") : NULL;
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "heat.png", NULL);
  const char *layer = "model/tf_c3_2/tf_conv_17/mul";
  LaminaTestRun r;

  if (bus == NULL)
    return;
  r = lamina_test_run_cli ("compare", fp16, int8, "--image", bus, "--heatmap", layer, "-o", out, NULL);
  g_assert_cmpint (r.status, ==, 0);
  lamina_test_run_clear (&r);
  check_png_size (out, 810, 1080);
  /* an unknown layer, and one that is not image-like (the [1,25200,85] output) */
  r = lamina_test_run_cli ("compare", fp16, int8, "--image", bus, "--heatmap", "no such layer", "-o", out, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "no such layer"));
  lamina_test_run_clear (&r);
  r = lamina_test_run_cli ("compare", fp16, int8, "--image", bus, "--heatmap", "Identity", "-o", out, NULL);
  g_assert_cmpint (r.status, !=, 0);
  lamina_test_run_clear (&r);
  check_png_size (out, 810, 1080);   /* the earlier file is intact */
}

static void
test_errors (void)
{
  LaminaTestRun r = lamina_test_run_cli ("compare", "a.onnx", "b.onnx", NULL);

  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "--image"));
  lamina_test_run_clear (&r);
  r = lamina_test_run_cli ("compare", "/nonexistent/a.onnx", "/nonexistent/b.onnx", "--image", "x.jpg", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "/nonexistent/a.onnx"));
  lamina_test_run_clear (&r);
  r = lamina_test_run_cli ("compare", "a.onnx", "b.onnx", "--image", "x.jpg", "--heatmap", "L", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "-o"));
  lamina_test_run_clear (&r);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compare/yolov5n", test_yolov5n);
  g_test_add_func ("/compare/fastest-qdq", test_fastest_qdq);
  g_test_add_func ("/compare/heatmap", test_heatmap);
  g_test_add_func ("/compare/errors", test_errors);
  return g_test_run ();
}
