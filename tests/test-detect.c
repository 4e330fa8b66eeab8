/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-detect: `lamina-cli detect` against references.
 *
 * ONNX models: the publishers' reference pipelines (tests/ref/ref-detect.js:
 * ONNX Runtime for inference, their pre- and post-processing written out in
 * JavaScript) run on the shared images at test time, and the detections must
 * match one to one: same class, IoU >= 0.9, score within 0.02 (and the same
 * text for CTC). A detection whose score is within that tolerance of the
 * preset's threshold may appear on one side only: both engines are right
 * to within float rounding, and the threshold cuts between them.
 *
 * TFLite models (no ONNX Runtime): expected detections written as literals,
 * checked by eye on the annotated PNGs and against LiteRT's own XNNPACK CPU
 * run of the same files (boxes within 1 pixel, scores within 0.002).
 */
#define G_LOG_DOMAIN "test-detect"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include "lamina-test-util.h"
#include "vision/lamina-annotate.h"

#define IOU_MIN    0.9
#define SCORE_TOL  0.02

/* ---- processes ---------------------------------------------------------------- */

/* lamina-cli detect MODEL IMAGE [extra...] */
static LaminaTestRun
run_detect (const char *model, const char *image, const char *extra1, const char *extra2)
{
  return lamina_test_run_cli ("detect", model, image, "--threads", "2", extra1, extra2, NULL);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

static JsonArray *
detections_of (JsonNode *node)
{
  return json_object_get_array_member (json_node_get_object (node), "detections");
}

static JsonNode *
lamina_detect_json (const char *model, const char *image)
{
  LaminaTestRun r = run_detect (model, image, "--json", NULL);
  JsonNode *node;

  if (r.status != 0)
    g_error ("lamina-cli detect %s %s failed: %s", model, image, r.err);
  node = parse_json (r.out);
  lamina_test_run_clear (&r);
  return node;
}

/* ---- references ----------------------------------------------------------------- */

/* node, djpeg and onnxruntime-node, or a skip naming what is missing. */
static char *
reference_tools (void)
{
  g_autofree char *djpeg = g_find_program_in_path ("djpeg");
  g_autofree char *node = lamina_test_find_node_ort ();

  if (node != NULL && djpeg == NULL)
    {
      g_test_skip ("djpeg is not installed (Debian: libjpeg-turbo-progs): no reference pipelines");
      return NULL;
    }
  return g_steal_pointer (&node);
}

static JsonNode *
reference_json (const char *node, const char *model, const char *image)
{
  g_autofree char *script = lamina_test_source_file ("tests", "ref", "ref-detect.js", NULL);
  const char *argv[] = { node, script, model, image, NULL };
  LaminaTestRun r = lamina_test_run_argv (argv);
  JsonNode *json;

  if (r.status != 0)
    g_error ("ref-detect.js %s %s failed: %s", model, image, r.err);
  json = parse_json (r.out);
  lamina_test_run_clear (&r);
  return json;
}

/* ---- matching -------------------------------------------------------------------- */

typedef struct {
  int         class_id;
  double      score;
  double      box[4];
  const char *text;
} Det;

static Det
det_of (JsonArray *a, guint i)
{
  JsonObject *o = json_array_get_object_element (a, i);
  JsonArray *box = json_object_get_array_member (o, "box");
  Det d = { 0 };

  d.class_id = (int) json_object_get_int_member (o, "class_id");
  d.score = json_object_get_double_member (o, "score");
  for (guint k = 0; k < 4; k++)
    d.box[k] = json_array_get_double_element (box, k);
  d.text = json_object_has_member (o, "text") ? json_object_get_string_member (o, "text") : NULL;
  return d;
}

static double
iou (const double *a, const double *b)
{
  double iw = MIN (a[2], b[2]) - MAX (a[0], b[0]), ih = MIN (a[3], b[3]) - MAX (a[1], b[1]);
  double inter, uni;

  if (iw <= 0 || ih <= 0)
    return 0;
  inter = iw * ih;
  uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return uni > 0 ? inter / uni : 0;
}

/* The best unused match of r among ours (same class, highest IoU). */
static int
best_match (const Det *r, JsonArray *ours, const gboolean *used, double *best_iou)
{
  int best = -1;

  *best_iou = 0;
  for (guint j = 0; j < json_array_get_length (ours); j++)
    {
      Det o = det_of (ours, j);
      double v = iou (r->box, o.box);
      if (!used[j] && o.class_id == r->class_id && v > *best_iou)
        {
          *best_iou = v;
          best = (int) j;
        }
    }
  return best;
}

typedef struct {
  guint matched, borderline, failed;
  double worst_iou, worst_score;
} Tally;

/* Matches the reference one to one against ours; prints every failure. */
static void
match_detections (const char *what, JsonArray *ref, JsonArray *ours, double threshold, Tally *t)
{
  guint n_ref = json_array_get_length (ref), n_ours = json_array_get_length (ours);
  g_autofree gboolean *used = g_new0 (gboolean, n_ours + 1);

  for (guint i = 0; i < n_ref; i++)
    {
      Det r = det_of (ref, i);
      double v;
      int j = best_match (&r, ours, used, &v);
      Det o = j >= 0 ? det_of (ours, j) : (Det) { 0 };
      gboolean text_ok = r.text == NULL || (o.text != NULL && strcmp (r.text, o.text) == 0);

      if (j >= 0 && v >= IOU_MIN && fabs (o.score - r.score) <= SCORE_TOL && text_ok)
        {
          used[j] = TRUE;
          t->matched++;
          t->worst_iou = MIN (t->worst_iou, v);
          t->worst_score = MAX (t->worst_score, fabs (o.score - r.score));
        }
      else if (j < 0 && fabs (r.score - threshold) <= SCORE_TOL)
        t->borderline++;
      else
        {
          g_test_message ("%s: reference class %d score %.4f box [%.1f %.1f %.1f %.1f] text %s: best match IoU %.3f score %.4f text %s",
                          what, r.class_id, r.score, r.box[0], r.box[1], r.box[2], r.box[3], r.text ? r.text : "-",
                          v, j >= 0 ? o.score : NAN, j >= 0 && o.text ? o.text : "-");
          t->failed++;
        }
    }
  for (guint j = 0; j < n_ours; j++)
    {
      Det o = det_of (ours, j);
      if (used[j])
        continue;
      if (fabs (o.score - threshold) <= SCORE_TOL)
        t->borderline++;
      else
        {
          g_test_message ("%s: Lamina's class %d score %.4f box [%.1f %.1f %.1f %.1f] has no reference",
                          what, o.class_id, o.score, o.box[0], o.box[1], o.box[2], o.box[3]);
          t->failed++;
        }
    }
}

/* Every image in `images` (NULL: all shared JPEGs) through both pipelines. */
static void
check_against_reference (const char *model_name, const char *const *images, double threshold)
{
  g_autofree char *node = reference_tools ();
  g_autofree char *model = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  Tally t = { 0, 0, 0, 1.0, 0.0 };
  guint n_ref = 0;

  if (node == NULL || (model = lamina_test_shared_model (model_name)) == NULL)
    return;
  for (guint i = 0; images[i]; i++)
    {
      char *path = lamina_test_shared_image (images[i]);
      if (path == NULL)
        return;
      g_ptr_array_add (paths, path);
    }
  for (guint i = 0; i < paths->len; i++)
    {
      const char *image = g_ptr_array_index (paths, i);
      g_autoptr(JsonNode) ref = reference_json (node, model, image);
      g_autoptr(JsonNode) ours = lamina_detect_json (model, image);
      g_autofree char *what = g_strdup_printf ("%s on %s", model_name, images[i]);

      n_ref += json_array_get_length (detections_of (ref));
      match_detections (what, detections_of (ref), detections_of (ours), threshold, &t);
    }
  g_test_message ("%s: %u images, %u reference detections: %u matched (worst IoU %.4f, worst score difference %.4f), "
                  "%u at the threshold on one side only, %u failed",
                  model_name, paths->len, n_ref, t.matched, t.worst_iou, t.worst_score, t.borderline, t.failed);
  g_assert_cmpuint (t.failed, ==, 0);
  g_assert_cmpuint (t.matched, >, 0);
}

static const char *const all_images[] = {
  "bus.jpg", "dog.jpg", "faces-1.jpg", "faces-13.jpg", "faces-2.jpg", "faces-5.jpg", "person.jpg",
  "voc-000004.jpg", "voc-000139.jpg", "voc-000148.jpg", "voc-000181.jpg", "voc-000230.jpg", "zidane.jpg", NULL
};
static const char *const face_images[] = { "faces-1.jpg", "faces-13.jpg", "faces-2.jpg", "faces-5.jpg", NULL };
/* the shared images where PP-OCRv4 det finds text */
static const char *const text_images[] = { "bus.jpg", "faces-5.jpg", "voc-000230.jpg", NULL };

static void
test_reference_yolo_fastestv2 (void)
{
  check_against_reference ("yolo-fastestv2-coco-352.onnx", all_images, 0.3);
}

static void
test_reference_ultraface_rfb (void)
{
  check_against_reference ("ultraface-rfb-320.onnx", face_images, 0.7);
}

static void
test_reference_ultraface_slim (void)
{
  check_against_reference ("ultraface-slim-320.onnx", face_images, 0.7);
}

static void
test_reference_ppocr_det (void)
{
  check_against_reference ("ppocrv4-det.onnx", text_images, 0.6);
}

/* A line of printed text, written as JPEG by cjpeg so that both pipelines
 * decode the same file; NULL (and a skip) without cjpeg. */
static char *
make_text_line (const char *text)
{
  g_autofree char *cjpeg = g_find_program_in_path ("cjpeg");
  g_autofree char *ppm = g_build_filename (lamina_test_tmpdir (), "text-line.ppm", NULL);
  char *jpg = g_build_filename (lamina_test_tmpdir (), "text-line.jpg", NULL);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 64);
  cairo_t *cr = cairo_create (s);
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string ("Sans 30px");
  const guint8 *data;
  GString *bytes;
  const char *argv[] = { cjpeg, "-quality", "95", "-outfile", jpg, ppm, NULL };
  LaminaTestRun r;

  if (cjpeg == NULL)
    {
      g_test_skip ("cjpeg is not installed (Debian: libjpeg-turbo-progs)");
      g_free (jpg);
      return NULL;
    }
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, 12, 12);
  pango_cairo_show_layout (cr, layout);
  cairo_surface_flush (s);
  data = cairo_image_surface_get_data (s);
  bytes = g_string_new ("P6\n400 64\n255\n");
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 400; x++)
      {
        guint32 px = ((const guint32 *) (data + y * cairo_image_surface_get_stride (s)))[x];
        g_string_append_c (bytes, (char) ((px >> 16) & 0xff));
        g_string_append_c (bytes, (char) ((px >> 8) & 0xff));
        g_string_append_c (bytes, (char) (px & 0xff));
      }
  g_assert_true (g_file_set_contents (ppm, bytes->str, bytes->len, NULL));
  g_string_free (bytes, TRUE);
  pango_font_description_free (desc);
  g_object_unref (layout);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  r = lamina_test_run_argv (argv);
  g_assert_cmpint (r.status, ==, 0);
  lamina_test_run_clear (&r);
  return jpg;
}

/* PP-OCRv4 rec reads one text line; a photo would give noise. Both
 * pipelines read the same line and must agree on its text and score. */
static void
test_reference_ppocr_rec (void)
{
  g_autofree char *node = reference_tools ();
  g_autofree char *model = NULL, *line = NULL;
  g_autoptr(JsonNode) ref = NULL, ours = NULL;
  Tally t = { 0, 0, 0, 1.0, 0.0 };
  Det r;

  if (node == NULL || (model = lamina_test_shared_model ("ppocrv4-rec.onnx")) == NULL ||
      (line = make_text_line ("Lamina 2024 NPU")) == NULL)
    return;
  ref = reference_json (node, model, line);
  ours = lamina_detect_json (model, line);
  g_assert_cmpuint (json_array_get_length (detections_of (ref)), ==, 1);
  r = det_of (detections_of (ref), 0);
  g_test_message ("ppocrv4-rec: reference text \"%s\" score %.4f", r.text, r.score);
  /* the line is clean print: the recogniser must read it (the white
   * margin may end it with a space) */
  g_assert_true (g_str_has_prefix (r.text, "Lamina 2024 NPU"));
  match_detections ("ppocrv4-rec", detections_of (ref), detections_of (ours), -1, &t);
  g_assert_cmpuint (t.failed, ==, 0);
  g_assert_cmpuint (t.matched, ==, 1);
}

/* ---- TFLite models: hand-checked literals ----------------------------------------- */

typedef struct {
  const char *label;
  double      score;
  double      box[4];
} Expected;

/* Exactly `expected` (in score order), boxes within 3 pixels, scores within 0.01. */
static void
check_expected (const char *model_name, const char *image_name, const Expected *expected, guint n,
                guint n_keypoints)
{
  g_autofree char *model = lamina_test_shared_model (model_name);
  g_autofree char *image = model ? lamina_test_shared_image (image_name) : NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonArray *dets;

  if (image == NULL)
    return;
  json = lamina_detect_json (model, image);
  dets = detections_of (json);
  g_assert_cmpuint (json_array_get_length (dets), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *o = json_array_get_object_element (dets, i);
      Det d = det_of (dets, i);

      g_assert_cmpstr (json_object_get_string_member (o, "label"), ==, expected[i].label);
      g_assert_cmpfloat_with_epsilon (d.score, expected[i].score, 0.01);
      for (guint k = 0; k < 4; k++)
        g_assert_cmpfloat_with_epsilon (d.box[k], expected[i].box[k], 3.0);
      if (n_keypoints > 0)
        {
          JsonArray *kp = json_object_get_array_member (o, "keypoints");
          g_assert_cmpuint (json_array_get_length (kp), ==, n_keypoints);
          /* eyes, nose and mouth lie inside the face box; the ear
           * tragions (4, 5) may sit on its edge */
          for (guint k = 0; k < 4; k++)
            {
              JsonArray *p = json_array_get_array_element (kp, k);
              double x = json_array_get_double_element (p, 0), y = json_array_get_double_element (p, 1);
              g_assert_cmpfloat (x, >=, d.box[0]);
              g_assert_cmpfloat (x, <=, d.box[2]);
              g_assert_cmpfloat (y, >=, d.box[1]);
              g_assert_cmpfloat (y, <=, d.box[3]);
            }
        }
    }
  g_test_message ("%s on %s: %u detections as expected", model_name, image_name, n);
}

/* Looked at on the annotated PNG, and LiteRT (XNNPACK, float) gives the same
 * four within 0.002 in score: the three people in front of the bus and the
 * bus. The man cut by the left edge stays below 0.25 with this model at
 * 640x640 letterbox. */
static void
test_yolov5n_bus (void)
{
  static const Expected expected[] = {
    { "person", 0.823, { 219.2, 407.7, 349.3, 862.5 } },
    { "person", 0.816, { 51.9, 398.6, 206.7, 895.2 } },
    { "person", 0.676, { 680.4, 377.0, 810.0, 869.7 } },
    { "bus", 0.525, { 48.5, 236.8, 810.0, 771.9 } },
  };
  check_expected ("yolov5n-fp16.tflite", "bus.jpg", expected, G_N_ELEMENTS (expected), 0);
}

/* Ancelotti (right), Zidane (left, low score: bent over and cut by the
 * bottom edge) and Zidane's tie. */
static void
test_yolov5n_zidane (void)
{
  static const Expected expected[] = {
    { "person", 0.791, { 742.3, 39.8, 1153.7, 715.8 } },
    { "person", 0.371, { 135.6, 180.5, 739.0, 720.0 } },
    { "tie", 0.271, { 438.2, 434.1, 503.3, 711.1 } },
  };
  check_expected ("yolov5n-fp16.tflite", "zidane.jpg", expected, G_N_ELEMENTS (expected), 0);
}

/* faces-2.jpg: four people side by side, faces about 120-160 px. */
static void
test_blazeface_short (void)
{
  static const Expected expected[] = {
    { "face", 0.908, { 293.3, 118.8, 430.9, 256.5 } },
    { "face", 0.853, { 701.3, 148.7, 839.3, 286.7 } },
    { "face", 0.816, { 112.6, 130.5, 253.9, 271.9 } },
    { "face", 0.772, { 522.4, 85.6, 683.4, 246.6 } },
  };
  check_expected ("blazeface-short-range.tflite", "faces-2.jpg", expected, G_N_ELEMENTS (expected), 6);
}

static void
test_blazeface_full (void)
{
  static const Expected expected[] = {
    { "face", 0.937, { 284.8, 108.6, 405.4, 229.2 } },
    { "face", 0.913, { 703.5, 143.6, 830.0, 270.1 } },
    { "face", 0.905, { 539.4, 93.9, 654.4, 208.9 } },
    { "face", 0.895, { 121.4, 123.3, 238.7, 240.6 } },
  };
  check_expected ("blazeface-full-range.tflite", "faces-2.jpg", expected, G_N_ELEMENTS (expected), 6);
}

/* ---- the command's contract ----------------------------------------------------------- */

static void
test_edgetpu_message (void)
{
  g_autofree char *model = lamina_test_shared_model ("yolov5n-int8_edgetpu.tflite");
  g_autofree char *image = model ? lamina_test_shared_image ("bus.jpg") : NULL;
  LaminaTestRun r;

  if (image == NULL)
    return;
  r = run_detect (model, image, "--json", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_nonnull (strstr (r.err, "yolov5n-int8_edgetpu.tflite"));
  g_assert_nonnull (strstr (r.err, "cannot simulate: custom operator edgetpu-custom-op"));
  lamina_test_run_clear (&r);
}

static void
test_errors (void)
{
  g_autofree char *model = lamina_test_shared_model ("ultraface-slim-320.onnx");
  g_autofree char *bad = g_build_filename (lamina_test_tmpdir (), "not-an-image.jpg", NULL);
  g_autofree char *missing = g_build_filename (lamina_test_tmpdir (), "missing.png", NULL);
  LaminaTestRun r;

  if (model == NULL)
    return;
  g_assert_true (g_file_set_contents (bad, "this is no JPEG", -1, NULL));
  r = run_detect (model, bad, NULL, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "not-an-image.jpg"));
  lamina_test_run_clear (&r);
  r = run_detect (model, missing, NULL, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "missing.png"));
  lamina_test_run_clear (&r);
  r = run_detect (model, bad, "--preset", "no-such-preset");
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "no-such-preset"));
  lamina_test_run_clear (&r);
}

/* -o: a PNG of the image's size, written atomically (no temporary file is
 * left behind), with the face boxes drawn in UltraFace's class colour. */
static void
test_annotated_png (void)
{
  g_autofree char *model = lamina_test_shared_model ("ultraface-slim-320.onnx");
  g_autofree char *image = model ? lamina_test_shared_image ("faces-5.jpg") : NULL;
  g_autofree char *dir = g_build_filename (lamina_test_tmpdir (), "annotated", NULL);
  g_autofree char *out = g_build_filename (dir, "faces-5.png", NULL);
  cairo_surface_t *png;
  GDir *d;
  LaminaTestRun r;

  if (image == NULL)
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  r = run_detect (model, image, "-o", out);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "face"));
  lamina_test_run_clear (&r);
  png = cairo_image_surface_create_from_png (out);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 1024);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, 769);
  cairo_surface_destroy (png);
  d = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (d), ==, "faces-5.png");
  g_assert_null (g_dir_read_name (d));
  g_dir_close (d);
}

/* Pixels of surface within 8 (per channel) of rgb. */
static guint
count_rgb (cairo_surface_t *surface, const double rgb[3])
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface), n = 0;

  cairo_surface_flush (surface);
  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
      {
        const guint8 *p = data + y * stride + 4 * x;   /* B, G, R, X */
        n += abs (p[2] - (int) (rgb[0] * 255)) <= 8 && abs (p[1] - (int) (rgb[1] * 255)) <= 8
             && abs (p[0] - (int) (rgb[2] * 255)) <= 8;
      }
  return n;
}

/* Two boxes whose top-left corners almost meet: the weaker one's chip
 * moves (inside its box) instead of hiding under the better one's, so its
 * colour covers about a chip more than its outline alone. */
static void
test_annotate_chips_apart (void)
{
  g_autoptr(LaminaDetections) dets = lamina_detections_new ();
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 300);
  cairo_t *cr = cairo_create (surface);
  LaminaAnnotateOptions options;
  LaminaDetection *a = lamina_detections_add (dets), *b;
  double rgb_b[3];
  guint outline, with_chip;

  *a = (LaminaDetection) { 0, g_strdup ("person"), 0.9f, 50, 80, 200, 250 };
  b = lamina_detections_add (dets);
  *b = (LaminaDetection) { 1, g_strdup ("bicycle"), 0.5f, 56, 84, 220, 260 };
  lamina_annotate_class_color (1, rgb_b);
  lamina_annotate_options_init (&options);
  options.font_px = 16;
  options.line_width = 2;
  /* the outline alone */
  options.labels = FALSE;
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  lamina_annotate_draw (cr, dets, 400, 300, &options);
  outline = count_rgb (surface, rgb_b);
  /* with the chips: "bicycle 0.50" at 16 px is over 80 × 20 pixels */
  options.labels = TRUE;
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  lamina_annotate_draw (cr, dets, 400, 300, &options);
  with_chip = count_rgb (surface, rgb_b);
  g_test_message ("bicycle colour: %u pixels of outline, %u with the chips", outline, with_chip);
  g_assert_cmpuint (with_chip, >, outline + 1000);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/detect/reference/yolo-fastestv2", test_reference_yolo_fastestv2);
  g_test_add_func ("/detect/reference/ultraface-rfb", test_reference_ultraface_rfb);
  g_test_add_func ("/detect/reference/ultraface-slim", test_reference_ultraface_slim);
  g_test_add_func ("/detect/reference/ppocrv4-det", test_reference_ppocr_det);
  g_test_add_func ("/detect/reference/ppocrv4-rec", test_reference_ppocr_rec);
  g_test_add_func ("/detect/tflite/yolov5n-bus", test_yolov5n_bus);
  g_test_add_func ("/detect/tflite/yolov5n-zidane", test_yolov5n_zidane);
  g_test_add_func ("/detect/tflite/blazeface-short", test_blazeface_short);
  g_test_add_func ("/detect/tflite/blazeface-full", test_blazeface_full);
  g_test_add_func ("/detect/edgetpu", test_edgetpu_message);
  g_test_add_func ("/detect/errors", test_errors);
  g_test_add_func ("/detect/annotated-png", test_annotated_png);
  g_test_add_func ("/detect/annotate-chips-apart", test_annotate_chips_apart);
  return g_test_run ();
}
