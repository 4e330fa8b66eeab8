/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-compare: `lamina-cli compare FLOAT FIXED --image IMG --json` on the
 * shared pairs (YOLOv5n fp16 vs int8 TFLite; Yolo-FastestV2 vs the QDQ
 * model `lamina-cli quantize` makes from it), several images (a folder,
 * repeated --image: pooled metrics, detections per image and in total),
 * heatmaps (mean and one channel) and its argument errors.
 */
#define G_LOG_DOMAIN "test-compare"

#include <math.h>
#include <string.h>
#include <unistd.h>
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

/* Yolo-FastestV2 quantized on bus.jpg and dog.jpg (once per test
 * program), or NULL (skipped); *model gets the float model. */
static char *
fastest_fixed (char **model)
{
  g_autofree char *bus = NULL, *dog = NULL;
  char *fixed = g_build_filename (lamina_test_tmpdir (), "fastest-int8.onnx", NULL);
  LaminaTestRun r;

  *model = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  bus = *model ? lamina_test_shared_image ("bus.jpg") : NULL;
  dog = bus ? lamina_test_shared_image ("dog.jpg") : NULL;
  if (dog == NULL)
    {
      g_free (fixed);
      return NULL;
    }
  if (!g_file_test (fixed, G_FILE_TEST_EXISTS))
    {
      r = lamina_test_run_cli ("quantize", *model, "--calib", bus, "--calib", dog, "-o", fixed, NULL);
      g_assert_cmpint (r.status, ==, 0);
      lamina_test_run_clear (&r);
    }
  return fixed;
}

static void
test_fastest_qdq (void)
{
  g_autofree char *model = NULL;
  g_autofree char *fixed = fastest_fixed (&model);
  g_autofree char *bus = fixed ? lamina_test_shared_image ("bus.jpg") : NULL;

  if (bus != NULL)
    compare_json (model, fixed, bus);
}

/* ---- several images ------------------------------------------------------------- */

static const char *const folder_images[] = { "bus.jpg", "dog.jpg", "zidane.jpg" };

/* A folder of links to folder_images, or NULL (skipped). */
static char *
image_folder (void)
{
  g_autofree char *dir = g_build_filename (lamina_test_tmpdir (), "images", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (folder_images); i++)
    {
      g_autofree char *image = lamina_test_shared_image (folder_images[i]);
      g_autofree char *link = g_build_filename (dir, folder_images[i], NULL);
      if (image == NULL)
        return NULL;
      if (!g_file_test (link, G_FILE_TEST_EXISTS))
        g_assert_cmpint (symlink (image, link), ==, 0);
    }
  return g_steal_pointer (&dir);
}

/* `lamina-cli ARGS...` (with --json) parsed; asserts that it ran. */
static G_GNUC_NULL_TERMINATED JsonParser *
run_json (const char *first, ...)
{
  JsonParser *parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  LaminaTestRun r;
  va_list ap;

  va_start (ap, first);
  r = lamina_test_run_cli_valist (first, ap);
  va_end (ap);
  if (r.status != 0)
    g_error ("lamina-cli compare failed: %s", r.err);
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, &error));
  g_assert_no_error (error);
  lamina_test_run_clear (&r);
  return parser;
}

static JsonObject *
root_of (JsonParser *parser)
{
  return json_node_get_object (json_parser_get_root (parser));
}

/* The pooled layer whose float tensor is `name`. */
static JsonObject *
layer_named (JsonObject *root, const char *name)
{
  JsonArray *layers = json_object_get_array_member (root, "layers");

  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      if (g_strcmp0 (json_object_get_string_member (l, "float"), name) == 0)
        return l;
    }
  g_error ("no layer %s", name);
  return NULL;
}

/* Over a folder the metrics pool every element: the images' outputs have
 * the same size, so the pooled MSE is the mean of the per-image ones, the
 * pooled max the largest. Detections: per image as a run on that image
 * alone gives them, and their sums in total. */
static void
test_folder (void)
{
  g_autofree char *model = NULL;
  g_autofree char *fixed = fastest_fixed (&model);
  g_autofree char *dir = fixed ? image_folder () : NULL;
  g_autoptr(JsonParser) all = NULL;
  JsonObject *root, *pooled, *total;
  JsonArray *per_image;
  double mse_sum = 0, max_abs = 0;
  gint64 matched = 0, missed = 0, extra = 0;
  guint n_flt = 0;

  if (dir == NULL)
    return;   /* skipped */
  all = run_json ("compare", model, fixed, "--json", "--images", dir, NULL);
  root = root_of (all);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "inputs")), ==, 3);
  per_image = json_object_get_array_member (root, "per_image");
  g_assert_cmpuint (json_array_get_length (per_image), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (folder_images); i++)
    {
      g_autofree char *image = g_build_filename (dir, folder_images[i], NULL);
      g_autoptr(JsonParser) one = run_json ("compare", model, fixed, "--json", "--image", image, NULL);
      JsonObject *entry = json_array_get_object_element (per_image, i);
      JsonObject *d = json_object_get_object_member (entry, "detections");
      JsonObject *alone = json_object_get_object_member (root_of (one), "detections");
      JsonObject *out = layer_named (root_of (one), "845");

      /* sorted by name, as listed */
      g_assert_true (g_str_has_suffix (json_object_get_string_member (entry, "image"), folder_images[i]));
      g_assert_cmpint (json_object_get_int_member (d, "matched"), ==, json_object_get_int_member (alone, "matched"));
      g_assert_cmpint (json_object_get_int_member (d, "missed"), ==, json_object_get_int_member (alone, "missed"));
      g_assert_cmpint (json_object_get_int_member (d, "extra"), ==, json_object_get_int_member (alone, "extra"));
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (d, "float")), ==,
                        json_array_get_length (json_object_get_array_member (alone, "float")));
      matched += json_object_get_int_member (d, "matched");
      missed += json_object_get_int_member (d, "missed");
      extra += json_object_get_int_member (d, "extra");
      n_flt += json_array_get_length (json_object_get_array_member (d, "float"));
      mse_sum += json_object_get_double_member (out, "mse");
      max_abs = MAX (max_abs, json_object_get_double_member (out, "max_abs"));
      g_test_message ("%s alone: output SQNR %.3f dB, %" G_GINT64_FORMAT " of %u detections matched",
                      folder_images[i], json_object_get_double_member (out, "sqnr_db"),
                      json_object_get_int_member (d, "matched"),
                      json_array_get_length (json_object_get_array_member (d, "float")));
    }
  pooled = layer_named (root, "845");
  g_test_message ("pooled over %u images: output SQNR %.3f dB", 3, json_object_get_double_member (pooled, "sqnr_db"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (pooled, "mse"), mse_sum / 3, 1e-6 * mse_sum);
  g_assert_cmpfloat (json_object_get_double_member (pooled, "max_abs"), ==, max_abs);
  total = json_object_get_object_member (root, "detections");
  g_assert_cmpint (json_object_get_int_member (total, "matched"), ==, matched);
  g_assert_cmpint (json_object_get_int_member (total, "missed"), ==, missed);
  g_assert_cmpint (json_object_get_int_member (total, "extra"), ==, extra);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (total, "float")), ==, n_flt);
}

/* --image twice and a folder add up: two images. */
static void
test_repeated_image (void)
{
  g_autofree char *model = NULL;
  g_autofree char *fixed = fastest_fixed (&model);
  g_autofree char *bus = fixed ? lamina_test_shared_image ("bus.jpg") : NULL;
  g_autofree char *dog = bus ? lamina_test_shared_image ("dog.jpg") : NULL;
  g_autoptr(JsonParser) parser = NULL;
  LaminaTestRun r;

  if (dog == NULL)
    return;
  parser = run_json ("compare", model, fixed, "--json", "--image", bus, "--image", dog, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root_of (parser), "per_image")), ==, 2);
  /* the text output has a line per image and one for all */
  r = lamina_test_run_cli ("compare", model, fixed, "--image", bus, "--image", dog, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "bus.jpg: "));
  g_assert_nonnull (strstr (r.out, "dog.jpg: "));
  g_assert_nonnull (strstr (r.out, "all 2 images: "));
  lamina_test_run_clear (&r);
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

static gboolean
same_file (const char *a, const char *b)
{
  g_autofree char *x = NULL, *y = NULL;
  gsize nx = 0, ny = 0;

  g_assert_true (g_file_get_contents (a, &x, &nx, NULL));
  g_assert_true (g_file_get_contents (b, &y, &ny, NULL));
  return nx == ny && memcmp (x, y, nx) == 0;
}

/* --channel C: the map of one channel (another picture than the mean);
 * a channel the layer does not have fails and names the range. */
static void
test_heatmap_channel (void)
{
  g_autofree char *model = NULL;
  g_autofree char *fixed = fastest_fixed (&model);
  g_autofree char *bus = fixed ? lamina_test_shared_image ("bus.jpg") : NULL;
  g_autofree char *mean = g_build_filename (lamina_test_tmpdir (), "heat-mean.png", NULL);
  g_autofree char *one = g_build_filename (lamina_test_tmpdir (), "heat-c5.png", NULL);
  LaminaTestRun r;

  if (bus == NULL)
    return;
  /* 936: a 48-channel convolution output of the 22×22 branch */
  r = lamina_test_run_cli ("compare", model, fixed, "--image", bus, "--heatmap", "936", "-o", mean, NULL);
  g_assert_cmpint (r.status, ==, 0);
  lamina_test_run_clear (&r);
  r = lamina_test_run_cli ("compare", model, fixed, "--image", bus, "--heatmap", "936", "--channel", "5", "-o", one, NULL);
  g_assert_cmpint (r.status, ==, 0);
  lamina_test_run_clear (&r);
  check_png_size (one, 810, 1080);
  g_assert_false (same_file (mean, one));
  r = lamina_test_run_cli ("compare", model, fixed, "--image", bus, "--heatmap", "936", "--channel", "48", "-o", one, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "48 channels"));
  lamina_test_run_clear (&r);
}

/* With several images -o is a folder with one PNG per image, each the
 * size of its image. */
static void
test_heatmap_folder (void)
{
  g_autofree char *model = NULL;
  g_autofree char *fixed = fastest_fixed (&model);
  g_autofree char *dir = fixed ? image_folder () : NULL;
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "heatmaps", NULL);
  static const int sizes[][2] = { { 810, 1080 }, { 768, 576 }, { 1280, 720 } };
  LaminaTestRun r;

  if (dir == NULL)
    return;
  r = lamina_test_run_cli ("compare", model, fixed, "--images", dir, "--heatmap", "936", "--channel", "0", "-o", out,
                           NULL);
  g_assert_cmpint (r.status, ==, 0);
  lamina_test_run_clear (&r);
  for (guint i = 0; i < G_N_ELEMENTS (folder_images); i++)
    {
      g_autofree char *stem = g_strndup (folder_images[i], strlen (folder_images[i]) - strlen (".jpg"));
      g_autofree char *name = g_strconcat (stem, ".png", NULL);
      g_autofree char *png = g_build_filename (out, name, NULL);
      check_png_size (png, sizes[i][0], sizes[i][1]);
    }
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
  r = lamina_test_run_cli ("compare", "a.onnx", "b.onnx", "--image", "x.jpg", "--channel", "2", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "--heatmap"));
  lamina_test_run_clear (&r);
  r = lamina_test_run_cli ("compare", "a.onnx", "b.onnx", "--images", "/nonexistent/folder", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "/nonexistent/folder"));
  lamina_test_run_clear (&r);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compare/yolov5n", test_yolov5n);
  g_test_add_func ("/compare/fastest-qdq", test_fastest_qdq);
  g_test_add_func ("/compare/folder", test_folder);
  g_test_add_func ("/compare/repeated-image", test_repeated_image);
  g_test_add_func ("/compare/heatmap", test_heatmap);
  g_test_add_func ("/compare/heatmap-channel", test_heatmap_channel);
  g_test_add_func ("/compare/heatmap-folder", test_heatmap_folder);
  g_test_add_func ("/compare/errors", test_errors);
  return g_test_run ();
}
