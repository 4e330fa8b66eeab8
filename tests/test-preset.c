/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-preset.c: preset parsing (SigmaStar [INPUT_CONFIG] as written, the
 * Lamina groups, warnings for unknown keys, errors naming file/group/key),
 * label files, lookup (beside the model, by SHA-256, by output signature,
 * by name) and the shipped presets against the shared models.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include <glib/gstdio.h>
#include "lamina-test-util.h"
#include "lamina-model-load.h"
#include "vision/lamina-preset.h"

static char *
presets_dir (void)
{
  return g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "presets", NULL);
}

static LaminaPreset *
parse (const char *text, GError **error)
{
  return lamina_preset_load_data (text, -1, "test.ini", NULL, NULL, error);
}

/* The input_config.ini of the SigmaStar YOLOv5 walkthrough, keys as written. */
static void
test_sigmastar (void)
{
  const char *ini =
    "[INPUT_CONFIG]\n"
    "inputs='images'\n"
    "training_input_formats=RGB\n"
    "input_formats=RGB\n"
    "quantizations=TRUE\n"
    "mean=0.0:0.0:0.0\n"
    "std_value=255.0:255.0:255.0\n"
    "[OUTPUT_CONFIG]\n"
    "outputs='output,327,328'\n"
    "output_layouts='NHWC,NHWC,NHWC'\n"
    "dequantizations=TRUE,TRUE,TRUE\n"
    "[CONV_CONFIG]\n"
    "input_format=ALL_UINT8\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaPreset) p = parse (ini, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (p->warnings->len, ==, 0);
  g_assert_cmpstr (p->input_name, ==, "images");
  g_assert_true (p->quantizations);
  g_assert_cmpint (p->pre.channels, ==, LAMINA_CHANNELS_RGB);
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpfloat (p->pre.mean[i], ==, 0.0);
      g_assert_cmpfloat (p->pre.std[i], ==, 255.0);
    }
  g_assert_cmpint (p->post.decoder, ==, LAMINA_DECODER_NONE);
  g_assert_cmpstr (p->name, ==, "test");
}

static void
test_channels_and_means (void)
{
  g_autoptr(GError) error = NULL;
  /* the tensor takes the training order; mean/std are in that order */
  g_autoptr(LaminaPreset) a = parse ("[INPUT_CONFIG]\ninput_formats=RGB\ntraining_input_formats=BGR\n"
                                     "mean=1:2:3\nstd_value=4\n", &error);
  g_autoptr(LaminaPreset) b = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (a->pre.channels, ==, LAMINA_CHANNELS_BGR);
  g_assert_cmpfloat (a->pre.mean[2], ==, 3.0);
  g_assert_cmpfloat (a->pre.std[1], ==, 4.0);
  g_clear_pointer (&a, lamina_preset_free);
  /* what the board feeds does not matter when the training order is given */
  a = parse ("[INPUT_CONFIG]\ninput_formats=YUV_NV12\ntraining_input_formats=RGB\n", &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->pre.channels, ==, LAMINA_CHANNELS_RGB);
  /* older SigmaStar mean_red/green/blue land by colour */
  b = parse ("[INPUT_CONFIG]\ninput_formats=BGR\nmean_red=10\nmean_green=20\nmean_blue=30\n", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (b->pre.mean[0], ==, 30.0);
  g_assert_cmpfloat (b->pre.mean[2], ==, 10.0);
}

static void
test_lamina_groups (void)
{
  const char *ini =
    "[RESIZE]\nmode=letterbox\npad=114:114:114\nsize=640x480\n"
    "[LAYOUT]\nlayout=nhwc\n"
    "[POSTPROCESS]\ndecoder=yolov5\nconf_threshold=0.3\niou_threshold=0.5\ntop_k=100\n"
    "strides=8,16,32\nanchors=10,13 16,30 33,23; 30,61 62,45 59,119; 116,90 156,198 373,326\n"
    "names=a;b;c\nnms=weighted\nclass_aware=false\nfancy_option=2\n"
    "[SOMETHING]\nx=1\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaPreset) p = parse (ini, &error);
  const LaminaPostprocessConfig *c;

  g_assert_no_error (error);
  c = &p->post;
  g_assert_cmpint (p->pre.resize, ==, LAMINA_RESIZE_LETTERBOX);
  g_assert_cmpint (p->pre.width, ==, 640);
  g_assert_cmpint (p->pre.height, ==, 480);
  g_assert_cmpint (p->pre.pad[1], ==, 114);
  g_assert_cmpint (p->pre.layout, ==, LAMINA_DATA_LAYOUT_NHWC);
  g_assert_cmpint (c->decoder, ==, LAMINA_DECODER_YOLOV5);
  g_assert_cmpfloat (c->conf_threshold, ==, 0.3);
  g_assert_cmpfloat (c->obj_threshold, ==, 0.3);     /* defaults to conf */
  g_assert_cmpint (c->top_k, ==, 100);
  g_assert_cmpint (c->nms, ==, LAMINA_NMS_WEIGHTED);
  g_assert_false (c->class_aware);
  g_assert_cmpuint (c->n_strides, ==, 3);
  g_assert_cmpint (c->strides[2], ==, 32);
  g_assert_cmpuint (c->n_anchors, ==, 9);
  g_assert_cmpuint (c->anchors_per_stride[1], ==, 3);
  g_assert_cmpfloat (c->anchors[3 * 2 + 1], ==, 61.f);
  g_assert_cmpfloat (c->anchors[8 * 2], ==, 373.f);
  g_assert_cmpuint (c->num_classes, ==, 3);
  g_assert_cmpstr (c->labels[2], ==, "c");
  /* unknown group and key are reported, not silently dropped */
  g_assert_cmpuint (p->warnings->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (p->warnings, 0), "fancy_option")
                    ? g_ptr_array_index (p->warnings, 0) : g_ptr_array_index (p->warnings, 1));
  /* every key stays readable as written */
  g_assert_cmpfloat (lamina_postprocess_config_get_double (c, "fancy_option", 0), ==, 2.0);
  g_assert_cmpfloat (lamina_postprocess_config_get_double (c, "absent", -1), ==, -1.0);
  {
    LaminaPostprocessConfig copy;
    lamina_postprocess_config_copy (&copy, c);
    g_assert_cmpfloat (copy.anchors[8 * 2 + 1], ==, 326.f);
    g_assert_cmpstr (copy.labels[0], ==, "a");
    lamina_postprocess_config_clear (&copy);
  }
}

static void
test_bad_values (void)
{
  static const struct { const char *ini, *group, *key; } cases[] = {
    { "[INPUT_CONFIG]\nmean=1:2\n", "INPUT_CONFIG", "mean" },
    { "[INPUT_CONFIG]\nstd_value=0\n", "INPUT_CONFIG", "std_value" },
    { "[INPUT_CONFIG]\ninput_formats=CMYK\n", "INPUT_CONFIG", "input_formats" },
    { "[INPUT_CONFIG]\nquantizations=maybe\n", "INPUT_CONFIG", "quantizations" },
    { "[RESIZE]\nmode=zoom\n", "RESIZE", "mode" },
    { "[RESIZE]\nsize=640\n", "RESIZE", "size" },
    { "[RESIZE]\npad=300:0:0\n", "RESIZE", "pad" },
    { "[LAYOUT]\nlayout=chw\n", "LAYOUT", "layout" },
    { "[POSTPROCESS]\ndecoder=yolov99\n", "POSTPROCESS", "decoder" },
    { "[POSTPROCESS]\nconf_threshold=1.5\n", "POSTPROCESS", "conf_threshold" },
    { "[POSTPROCESS]\ntop_k=-1\n", "POSTPROCESS", "top_k" },
    { "[POSTPROCESS]\nanchors=10,13 16\n", "POSTPROCESS", "anchors" },
    { "[POSTPROCESS]\nstrides=8,16\nanchors=1,2;3,4;5,6\n", "POSTPROCESS", "anchors" },
    { "[POSTPROCESS]\nstrides=8,x\n", "POSTPROCESS", "strides" },
    { "[MATCH]\nsha256=abc\n", "MATCH", "sha256" },
    /* beyond int's range: rejected before any conversion (UBSan) */
    { "[POSTPROCESS]\ntop_k=1e300\n", "POSTPROCESS", "top_k" },
    { "[RESIZE]\nmultiple=-1e19\n", "RESIZE", "multiple" },
    /* anchors divide by the square root of each ratio */
    { "[POSTPROCESS]\naspect_ratios=1,0\n", "POSTPROCESS", "aspect_ratios" },
    { "[POSTPROCESS]\naspect_ratios=-2\n", "POSTPROCESS", "aspect_ratios" },
    /* 16384² anchors would take gigabytes: refused before any is built */
    { "[POSTPROCESS]\ndecoder=blazeface\ninput_size=16384x16384\nstrides=1\n", "POSTPROCESS", "input_size" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LaminaPreset) p = parse (cases[i].ini, &error);
      g_autofree char *group = g_strdup_printf ("[%s]", cases[i].group);

      g_assert_null (p);
      g_assert_error (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_VALUE);
      g_assert_nonnull (strstr (error->message, "test.ini"));
      g_assert_nonnull (strstr (error->message, group));
      g_assert_nonnull (strstr (error->message, cases[i].key));
    }
  {
    g_autoptr(GError) error = NULL;
    g_assert_null (parse ("this is not [ a key file", &error));
    g_assert_error (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, "test.ini"));
  }
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
test_labels_and_lookup (void)
{
  g_autofree char *root = g_build_filename (lamina_test_tmpdir (), "lookup", NULL);
  g_autofree char *model_dir = g_build_filename (root, "models", NULL);
  g_autofree char *shipped = g_build_filename (root, "presets", NULL);
  g_autofree char *model = g_build_filename (model_dir, "net.onnx", NULL);
  g_autofree char *other = g_build_filename (model_dir, "other.onnx", NULL);
  g_autofree char *sha = NULL;
  g_autofree char *match = NULL;
  g_autoptr(GError) error = NULL;
  LaminaPreset *p;

  g_assert_cmpint (g_mkdir_with_parents (model_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (shipped, 0700), ==, 0);
  write_file (model_dir, "net.onnx", "not really a model");
  write_file (model_dir, "other.onnx", "another one");
  write_file (model_dir, "keys.txt", "one\r\ntwo\n\nfour\n");
  sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "not really a model", -1);
  match = g_strdup_printf ("[MATCH]\nsha256=%s\n[POSTPROCESS]\ndecoder=ctc\nlabels=missing.txt;keys.txt\n", sha);
  write_file (shipped, "by-hash.ini", match);
  write_file (shipped, "by-outputs.ini", "[MATCH]\noutputs=1x10;1x25200x85\n[POSTPROCESS]\ndecoder=classify\n");

  /* by SHA-256; labels from the second name, beside the model; blank line kept */
  p = lamina_preset_find (model, NULL, shipped, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->name, ==, "by-hash");
  g_assert_cmpuint (g_strv_length (p->post.labels), ==, 4);
  g_assert_cmpstr (p->post.labels[1], ==, "two");
  g_assert_cmpstr (p->post.labels[2], ==, "");
  g_assert_cmpuint (p->post.num_classes, ==, 4);
  lamina_preset_free (p);

  /* by output signature */
  {
    g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
    LaminaTensor *out = lamina_graph_add_tensor (g, "out");
    gint64 dims[3] = { 1, 25200, 85 };
    g_autofree char *sig = NULL;

    lamina_shape_set (&out->shape, 3, dims);
    g_ptr_array_add (g->outputs, out);
    sig = lamina_preset_output_signature (g);
    g_assert_cmpstr (sig, ==, "1x25200x85");
    p = lamina_preset_find (other, g, shipped, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (p->name, ==, "by-outputs");
    lamina_preset_free (p);
  }
  /* nothing matches: NULL without error */
  g_assert_null (lamina_preset_find (other, NULL, shipped, &error));
  g_assert_no_error (error);

  /* model.ini beside the model, then <model>.ini wins */
  write_file (model_dir, "model.ini", "[MATCH]\nname=folder\n");
  p = lamina_preset_find (model, NULL, shipped, &error);
  g_assert_cmpstr (p->name, ==, "folder");
  lamina_preset_free (p);
  write_file (model_dir, "net.ini", "[POSTPROCESS]\ndecoder=dbnet\nlabels=nowhere.txt\n");
  p = lamina_preset_find (model, NULL, shipped, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->name, ==, "net");
  g_assert_null (p->post.labels);
  g_assert_cmpuint (p->warnings->len, ==, 1);     /* the missing label file */
  g_assert_nonnull (strstr (g_ptr_array_index (p->warnings, 0), "nowhere.txt"));
  lamina_preset_free (p);
  /* label files outside the preset's and the model's folder are never
   * read, even when they exist: a warning names the key */
  write_file (root, "secret.txt", "do not show\n");
  {
    const char *outside[] = { "/dev/zero", "../secret.txt", "sub/../../secret.txt", "..\\secret.txt" };

    for (guint i = 0; i < G_N_ELEMENTS (outside); i++)
      {
        g_autofree char *ini = g_strdup_printf ("[POSTPROCESS]\ndecoder=ctc\nlabels=%s\n", outside[i]);

        write_file (model_dir, "net.ini", ini);
        p = lamina_preset_find (model, NULL, shipped, &error);
        g_assert_no_error (error);
        g_assert_null (p->post.labels);
        g_assert_cmpuint (p->warnings->len, ==, 1);
        g_assert_nonnull (strstr (g_ptr_array_index (p->warnings, 0), "labels"));
        g_assert_nonnull (strstr (g_ptr_array_index (p->warnings, 0), outside[i]));
        lamina_preset_free (p);
      }
  }
  /* a bad name is skipped, a later local one still read */
  write_file (model_dir, "net.ini", "[POSTPROCESS]\ndecoder=ctc\nlabels=../secret.txt;keys.txt\n");
  p = lamina_preset_find (model, NULL, shipped, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->post.labels[0], ==, "one");
  g_assert_cmpuint (p->warnings->len, ==, 1);
  lamina_preset_free (p);
  /* a label "file" that is a folder is a warning, never read */
  write_file (model_dir, "net.ini", "[POSTPROCESS]\ndecoder=ctc\nlabels=.\n");
  p = lamina_preset_find (model, NULL, shipped, &error);
  g_assert_no_error (error);
  g_assert_null (p->post.labels);
  g_assert_cmpuint (p->warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (p->warnings, 0), "16 MiB"));
  lamina_preset_free (p);
  /* a broken preset beside the model is an error naming it */
  write_file (model_dir, "net.ini", "[RESIZE]\nmode=sideways\n");
  g_assert_null (lamina_preset_find (model, NULL, shipped, &error));
  g_assert_error (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "net.ini"));
  g_clear_error (&error);

  /* by name */
  p = lamina_preset_find_by_name ("by-outputs", NULL, shipped, &error);
  g_assert_no_error (error);
  g_assert_cmpint (p->post.decoder, ==, LAMINA_DECODER_CLASSIFY);
  lamina_preset_free (p);
  g_assert_null (lamina_preset_find_by_name ("nope", NULL, shipped, &error));
  g_assert_error (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "by-hash"));   /* lists what exists */
}

/* Every shipped preset parses cleanly and matches its shared model. */
static void
test_shipped (void)
{
  static const char *const models[] = {
    "blazeface-full-range.tflite", "blazeface-short-range.tflite", "ppocrv4-det.onnx",
    "ppocrv4-rec.onnx", "ultraface-rfb-320.onnx", "ultraface-slim-320.onnx",
    "yolo-fastestv2-coco-352.onnx", "yolov5n-fp16.tflite", "yolov5n-int8.tflite",
    "yolov5n-int8_edgetpu.tflite",
  };
  g_autofree char *dir = presets_dir ();
  g_auto(GStrv) names = lamina_preset_list (dir);

  g_assert_cmpuint (g_strv_length (names), ==, G_N_ELEMENTS (models));
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LaminaPreset) p = lamina_preset_find_by_name (names[i], NULL, dir, &error);

      g_assert_no_error (error);
      /* no unknown keys; only the PP-OCR key list may be absent without a model */
      for (guint w = 0; w < p->warnings->len; w++)
        g_assert_nonnull (strstr (g_ptr_array_index (p->warnings, w), "label file"));
      g_assert_cmpstr (p->name, ==, names[i]);
      g_assert_cmpint (p->post.decoder, !=, LAMINA_DECODER_NONE);
      g_assert_nonnull (p->sha256);
      g_assert_nonnull (p->outputs);
    }
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autofree char *path = lamina_test_shared_model (models[i]);
      g_autofree char *stem = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(LaminaModel) m = NULL;
      g_autoptr(LaminaPreset) p = NULL;
      g_autofree char *sig = NULL;

      if (path == NULL)
        return;
      stem = g_strndup (models[i], strrchr (models[i], '.') - models[i]);
      m = lamina_model_load (path, &error);
      g_assert_no_error (error);
      p = lamina_preset_find (path, m->graph, dir, &error);
      g_assert_no_error (error);
      g_assert_nonnull (p);
      g_assert_cmpstr (p->name, ==, stem);              /* matched by SHA-256 */
      g_assert_cmpuint (p->warnings->len, ==, 0);
      sig = lamina_preset_output_signature (m->graph);
      g_test_message ("%s: outputs %s", models[i], sig);
      g_assert_true (g_strv_contains ((const char *const *) p->outputs, sig));
      if (p->post.decoder == LAMINA_DECODER_YOLOV5 || p->post.decoder == LAMINA_DECODER_YOLO_FASTESTV2)
        g_assert_cmpuint (p->post.num_classes, ==, 80);  /* data/presets/coco.names */
      if (p->post.decoder == LAMINA_DECODER_CTC)          /* key list beside the model */
        g_assert_cmpuint (p->post.num_classes, ==, 6623);
    }
}

/* A window's score / IoU sliders: DBNet filters on box_threshold, the
 * others on conf_threshold; YOLO's objectness follows the score when the
 * preset ties the two, else only ever goes lower; a conf_threshold param
 * is rewritten as text g_ascii_strtod reads back. */
static void
test_thresholds (void)
{
  LaminaPostprocessConfig yolo, dbnet, out;

  lamina_postprocess_config_init (&yolo);
  yolo.decoder = LAMINA_DECODER_YOLOV5;
  yolo.conf_threshold = yolo.obj_threshold = 0.3;
  g_hash_table_insert (yolo.params, g_strdup ("conf_threshold"), g_strdup ("0.3"));
  g_assert_cmpfloat (lamina_postprocess_config_get_score (&yolo), ==, 0.3);
  lamina_postprocess_config_with_thresholds (&out, &yolo, 0.125, 0.6);
  g_assert_cmpfloat (out.conf_threshold, ==, 0.125);
  g_assert_cmpfloat (out.obj_threshold, ==, 0.125);
  g_assert_cmpfloat (out.iou_threshold, ==, 0.6);
  g_assert_cmpfloat (lamina_postprocess_config_get_double (&out, "conf_threshold", -1), ==, 0.125);
  g_assert_cmpfloat (yolo.conf_threshold, ==, 0.3);   /* the source is left alone */
  lamina_postprocess_config_clear (&out);
  yolo.obj_threshold = 0.2;
  lamina_postprocess_config_with_thresholds (&out, &yolo, 0.5, 0.45);
  g_assert_cmpfloat (out.obj_threshold, ==, 0.2);
  lamina_postprocess_config_clear (&out);
  lamina_postprocess_config_with_thresholds (&out, &yolo, 0.1, 0.45);
  g_assert_cmpfloat (out.obj_threshold, ==, 0.1);
  lamina_postprocess_config_clear (&out);

  lamina_postprocess_config_init (&dbnet);
  dbnet.decoder = LAMINA_DECODER_DBNET;
  g_assert_cmpfloat (lamina_postprocess_config_get_score (&dbnet), ==, 0.6);
  lamina_postprocess_config_with_thresholds (&out, &dbnet, 0.7, 0.45);
  g_assert_cmpfloat (out.box_threshold, ==, 0.7);
  g_assert_cmpfloat (out.conf_threshold, ==, dbnet.conf_threshold);
  lamina_postprocess_config_clear (&out);
  lamina_postprocess_config_clear (&dbnet);
  lamina_postprocess_config_clear (&yolo);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/preset/sigmastar", test_sigmastar);
  g_test_add_func ("/lamina/preset/channels-and-means", test_channels_and_means);
  g_test_add_func ("/lamina/preset/lamina-groups", test_lamina_groups);
  g_test_add_func ("/lamina/preset/bad-values", test_bad_values);
  g_test_add_func ("/lamina/preset/labels-and-lookup", test_labels_and_lookup);
  g_test_add_func ("/lamina/preset/shipped", test_shipped);
  g_test_add_func ("/lamina/preset/thresholds", test_thresholds);
  return g_test_run ();
}
