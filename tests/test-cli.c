/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-cli: lamina-cli as scripts use it. The expected figures of the ONNX
 * models were computed independently with python3-onnx (Debian) when this
 * test was written:
 *   m = onnx.load(f); len(m.graph.node); inputs = graph.input minus initializers
 * The TFLite shapes are the publishers' (../shared/models/README.md).
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include "sim/lamina-npy.h"
#include "lamina-test-util.h"

typedef struct {
  const char *file;
  gint64      nodes;       /* -1: not checked here (test-tflite checks it) */
  const char *input;       /* first input name, NULL: not checked */
  const char *input_shape; /* first input's shape as "d0,d1,..." ("?" = symbolic) */
  const char *output_shape;/* first output's shape */
  guint       n_outputs;
  const char *kind;
} ModelFacts;

static const ModelFacts facts[] = {
  { "ppocrv4-det.onnx", 672, "x", "?,3,?,?", "?,1,?,?", 1, "float" },
  { "ppocrv4-rec.onnx", 765, "x", "?,3,48,?", "?,?,6625", 1, "float" },
  { "ultraface-rfb-320.onnx", 242, "input", "1,3,240,320", "1,4420,2", 2, "float" },
  { "ultraface-slim-320.onnx", 217, "input", "1,3,240,320", "1,4420,2", 2, "float" },
  { "yolo-fastestv2-coco-352.onnx", 313, "input.1", "1,3,352,352", "605,95", 1, "float" },
  { "blazeface-short-range.tflite", -1, NULL, "1,128,128,3", "1,896,16", 2, "float" },
  { "blazeface-full-range.tflite", -1, NULL, "1,192,192,3", NULL, 2, "float" },
  { "yolov5n-fp16.tflite", -1, NULL, "1,640,640,3", "1,25200,85", 1, "float" },
  { "yolov5n-int8.tflite", -1, NULL, "1,640,640,3", "1,25200,85", 1, "fixed" },
  { "yolov5n-int8_edgetpu.tflite", -1, NULL, "1,640,640,3", "1,25200,85", 1, "fixed" },
};

static char *
shape_to_csv (JsonArray *shape)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (shape); i++)
    {
      JsonNode *d = json_array_get_element (shape, i);
      if (i > 0)
        g_string_append_c (s, ',');
      if (JSON_NODE_HOLDS_VALUE (d) && json_node_get_value_type (d) == G_TYPE_INT64)
        g_string_append_printf (s, "%" G_GINT64_FORMAT, json_node_get_int (d));
      else
        g_string_append_c (s, '?');
    }
  return g_string_free (s, FALSE);
}

static void
check_tensor_shape (JsonArray *tensors, const char *expected)
{
  JsonObject *t = json_array_get_object_element (tensors, 0);
  g_autofree char *csv = shape_to_csv (json_object_get_array_member (t, "shape"));

  g_assert_cmpstr (json_object_get_string_member (t, "dtype"), !=, "");
  if (expected)
    g_assert_cmpstr (csv, ==, expected);
}

static void
test_info_json (gconstpointer data)
{
  const ModelFacts *f = data;
  g_autofree char *path = lamina_test_shared_model (f->file);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *ops;
  JsonArray *inputs, *outputs;
  GList *members;
  gint64 op_total = 0;
  LaminaTestRun r;

  if (path == NULL)
    return;
  r = lamina_test_run_cli ("info", path, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  g_assert_cmpstr (json_object_get_string_member (root, "kind"), ==, f->kind);
  if (f->nodes >= 0)
    g_assert_cmpint (json_object_get_int_member (root, "nodes"), ==, f->nodes);
  inputs = json_object_get_array_member (root, "inputs");
  outputs = json_object_get_array_member (root, "outputs");
  g_assert_cmpuint (json_array_get_length (inputs), ==, 1);
  g_assert_cmpuint (json_array_get_length (outputs), ==, f->n_outputs);
  if (f->input)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (inputs, 0), "name"), ==, f->input);
  check_tensor_shape (inputs, f->input_shape);
  check_tensor_shape (outputs, f->output_shape);

  /* the histogram accounts for every node, and figures are numbers */
  ops = json_object_get_object_member (root, "ops");
  members = json_object_get_members (ops);
  for (GList *l = members; l; l = l->next)
    op_total += json_object_get_int_member (ops, l->data);
  g_list_free (members);
  g_assert_cmpint (op_total, ==, json_object_get_int_member (root, "nodes"));
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (root, "parameters")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (root, "parameters"), >, 1000);
  lamina_test_run_clear (&r);
}

static void
test_info_text (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  LaminaTestRun r;

  if (path == NULL)
    return;
  r = lamina_test_run_cli ("info", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "313"));
  g_assert_nonnull (strstr (r.out, "input.1"));
  g_assert_nonnull (strstr (r.out, "1×3×352×352"));
  lamina_test_run_clear (&r);
}

static void
test_errors (void)
{
  g_autofree char *garbage = g_build_filename (lamina_test_tmpdir (), "garbage.onnx", NULL);
  g_autofree char *missing = g_build_filename (lamina_test_tmpdir (), "missing.onnx", NULL);
  LaminaTestRun r;

  g_assert_true (g_file_set_contents (garbage, "this is not a model at all\n", -1, NULL));
  r = lamina_test_run_cli ("info", garbage, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "garbage.onnx"));
  lamina_test_run_clear (&r);

  r = lamina_test_run_cli ("info", missing, "--json", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "missing.onnx"));
  g_assert_cmpstr (r.out, ==, "");
  lamina_test_run_clear (&r);

  r = lamina_test_run_cli ("no-such-command", NULL);
  g_assert_cmpint (r.status, !=, 0);
  lamina_test_run_clear (&r);

  r = lamina_test_run_cli ("render", garbage, "-o", "x.svg", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "garbage.onnx"));
  lamina_test_run_clear (&r);
}

/* Checks the first bytes of a file. */
static void
assert_file_starts_with (const char *path, const char *magic, gsize len)
{
  g_autofree char *contents = NULL;
  gsize size = 0;

  g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
  g_assert_cmpuint (size, >, len);
  g_assert_cmpmem (contents, len, magic, len);
}

/* render works on every shared model, in each format. */
static void
test_render_formats (void)
{
  static const struct { const char *ext; const char *magic; gsize len; } formats[] = {
    { "svg", "<?xml", 5 },
    { "png", "\x89PNG", 4 },
    { "pdf", "%PDF", 4 },
  };

  for (guint m = 0; m < G_N_ELEMENTS (facts); m++)
    {
      g_autofree char *path = lamina_test_shared_model (facts[m].file);
      if (path == NULL)
        return;
      for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
        {
          g_autofree char *name = g_strdup_printf ("%s.%s", facts[m].file, formats[i].ext);
          g_autofree char *out = g_build_filename (lamina_test_tmpdir (), name, NULL);
          LaminaTestRun r = lamina_test_run_cli ("render", path, "-o", out, NULL);

          g_assert_cmpint (r.status, ==, 0);
          assert_file_starts_with (out, formats[i].magic, formats[i].len);
          lamina_test_run_clear (&r);
        }
    }
}

static void
test_render_bad_extension (void)
{
  g_autofree char *path = lamina_test_shared_model ("ultraface-slim-320.onnx");
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "graph.bmp", NULL);
  LaminaTestRun r;

  if (path == NULL)
    return;
  r = lamina_test_run_cli ("render", path, "-o", out, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "ultraface-slim-320.onnx"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  lamina_test_run_clear (&r);
}

/* ---- run and bench on tests/data/sim-tiny.onnx --------------------------
 * y = Relu (x) · [1, 2, 3, 4] and "out/z:1" = −x for x of shape N×4
 * (made with python3-onnx; see the file names below). */

static char *
tiny_model (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

static JsonObject *
parse_json (JsonParser *parser, const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
assert_npy (const char *path, const float *expected, gint64 n)
{
  LaminaValue v = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (lamina_npy_read (path, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v.dtype, ==, LAMINA_DTYPE_FLOAT32);
  g_assert_cmpint (v.numel, ==, n);
  for (gint64 i = 0; i < n; i++)
    g_assert_cmpfloat (LAMINA_VALUE_F32 (&v)[i], ==, expected[i]);
  lamina_value_clear (&v);
}

static char *
write_x (const char *name, LaminaDType dtype)
{
  float x[] = { -1, 2, -3, 4, 5, -6, 7, -8 };
  const gint64 dims[] = { 2, 4 };
  LaminaValue v = { 0 };
  char *path = g_build_filename (lamina_test_tmpdir (), name, NULL);

  lamina_value_set_shape (&v, dtype, 2, dims, NULL);
  v.data = x;
  g_assert_true (lamina_npy_write (path, &v, NULL));
  return path;
}

static void
test_run_outputs (void)
{
  g_autofree char *model = tiny_model ("sim-tiny.onnx");
  g_autofree char *x = write_x ("x.npy", LAMINA_DTYPE_FLOAT32);
  g_autofree char *spec = g_strdup_printf ("x=%s", x);
  g_autofree char *dir = g_build_filename (lamina_test_tmpdir (), "run-out", NULL);
  g_autofree char *y_path = g_build_filename (dir, "y.npy", NULL);
  g_autofree char *z_path = g_build_filename (dir, "out_z_1.npy", NULL);
  const float y[] = { 0, 4, 0, 16, 5, 0, 21, 0 };
  const float z[] = { 1, -2, 3, -4, -5, 6, -7, 8 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *out0, *out1;
  JsonArray *outputs;
  LaminaTestRun r;

  r = lamina_test_run_cli ("run", model, "--input", spec, "-o", dir, "--threads", "1", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (parser, r.out);
  g_assert_cmpint (json_object_get_int_member (root, "threads"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (root, "nodes"), ==, 3);
  outputs = json_object_get_array_member (root, "outputs");
  g_assert_cmpuint (json_array_get_length (outputs), ==, 2);
  out0 = json_array_get_object_element (outputs, 0);
  out1 = json_array_get_object_element (outputs, 1);
  g_assert_cmpstr (json_object_get_string_member (out0, "name"), ==, "y");
  g_assert_cmpstr (json_object_get_string_member (out0, "dtype"), ==, "float32");
  {
    g_autofree char *csv = shape_to_csv (json_object_get_array_member (out0, "shape"));
    g_assert_cmpstr (csv, ==, "2,4");
  }
  /* y: min 0, max 21, mean 46/8, population std by hand: sqrt(Σy²/8 − 5.75²) */
  g_assert_cmpfloat (json_object_get_double_member (out0, "min"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (out0, "max"), ==, 21);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (out0, "mean"), 5.75, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (out0, "std"),
                                  sqrt ((16 + 256 + 25 + 441) / 8.0 - 5.75 * 5.75), 1e-6);
  g_assert_cmpint (json_object_get_int_member (out0, "nan"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (out0, "file"), ==, y_path);
  /* "out/z:1" becomes a safe file name */
  g_assert_cmpstr (json_object_get_string_member (out1, "name"), ==, "out/z:1");
  g_assert_cmpstr (json_object_get_string_member (out1, "file"), ==, z_path);
  assert_npy (y_path, y, 8);
  assert_npy (z_path, z, 8);
  lamina_test_run_clear (&r);

  /* text output names both outputs */
  r = lamina_test_run_cli ("run", model, "--input", x, NULL);   /* one input: NAME= may be left out */
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "out/z:1"));
  g_assert_nonnull (strstr (r.out, "float32[2,4]"));
  lamina_test_run_clear (&r);
}

/* --image: the picture goes through the model's preset into its input. */
static void
test_run_image (void)
{
  g_autofree char *model = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autofree char *image = lamina_test_shared_image ("bus.jpg");
  g_autofree char *missing = g_build_filename (lamina_test_tmpdir (), "missing.jpg", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *out;
  LaminaTestRun r;

  if (model == NULL || image == NULL)
    return;
  r = lamina_test_run_cli ("run", model, "--image", image, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (parser, r.out);
  out = json_array_get_object_element (json_object_get_array_member (root, "outputs"), 0);
  {
    g_autofree char *csv = shape_to_csv (json_object_get_array_member (out, "shape"));
    g_assert_cmpstr (csv, ==, "605,95");
  }
  /* sigmoid and softmax are inside the graph: every value is a probability */
  g_assert_cmpfloat (json_object_get_double_member (out, "min"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (out, "max"), <=, 1);
  g_assert_cmpfloat (json_object_get_double_member (out, "max"), >, 0.5);
  lamina_test_run_clear (&r);

  r = lamina_test_run_cli ("run", model, "--image", missing, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "missing.jpg"));
  lamina_test_run_clear (&r);
}

static void
test_run_fill_and_dump (void)
{
  g_autofree char *model = tiny_model ("sim-tiny.onnx");
  g_autofree char *dump = g_build_filename (lamina_test_tmpdir (), "dump", NULL);
  g_autofree char *a = g_build_filename (lamina_test_tmpdir (), "rand-a", NULL);
  g_autofree char *b = g_build_filename (lamina_test_tmpdir (), "rand-b", NULL);
  g_autofree char *a_y = g_build_filename (a, "y.npy", NULL), *b_y = g_build_filename (b, "y.npy", NULL);
  g_autofree char *a_bytes = NULL, *b_bytes = NULL;
  gsize a_size = 0, b_size = 0;
  LaminaValue v = { 0 };
  gboolean any_positive = FALSE;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const float zeros[12] = { 0 };
  JsonObject *root;
  LaminaTestRun r;

  /* zeros of a --shape */
  r = lamina_test_run_cli ("run", model, "--zeros", "--shape", "x=3x4", "--dump", dump, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (parser, r.out);
  /* every node output: r, y and out/z:1 */
  g_assert_cmpint (json_object_get_int_member (root, "dumped"), ==, 3);
  for (const char *const *n = (const char *const[]) { "r.npy", "y.npy", "out_z_1.npy", NULL }; *n; n++)
    {
      g_autofree char *path = g_build_filename (dump, *n, NULL);
      assert_npy (path, zeros, 12);
    }
  lamina_test_run_clear (&r);

  /* the same seed gives the same inputs */
  r = lamina_test_run_cli ("run", model, "--random", "7", "--shape", "x=2x4", "-o", a, NULL);
  g_assert_cmpint (r.status, ==, 0);
  lamina_test_run_clear (&r);
  r = lamina_test_run_cli ("run", model, "--random", "7", "--shape", "x=2x4", "-o", b, NULL);
  g_assert_cmpint (r.status, ==, 0);
  lamina_test_run_clear (&r);
  g_assert_true (g_file_get_contents (a_y, &a_bytes, &a_size, NULL));
  g_assert_true (g_file_get_contents (b_y, &b_bytes, &b_size, NULL));
  g_assert_cmpmem (a_bytes, a_size, b_bytes, b_size);
  /* and they are random: uniform [0, 1) values, so y > 0 somewhere */
  g_assert_true (lamina_npy_read (a_y, &v, NULL));
  for (gint64 i = 0; i < v.numel; i++)
    any_positive |= LAMINA_VALUE_F32 (&v)[i] > 0;
  g_assert_true (any_positive);
  lamina_value_clear (&v);
}

/* Runs a command that must fail and checks stderr mentions `fragment`. */
static void
expect_failure (const char *fragment, const char *first, ...)
{
  LaminaTestRun r;
  va_list ap;

  va_start (ap, first);
  r = lamina_test_run_cli_valist (first, ap);
  va_end (ap);
  if (r.status == 0 || strstr (r.err, fragment) == NULL)
    g_error ("expected a failure mentioning “%s”, got status %d and “%s”", fragment, r.status, r.err);
  g_assert_cmpstr (r.out, ==, "");
  lamina_test_run_clear (&r);
}

static void
test_run_errors (void)
{
  g_autofree char *model = tiny_model ("sim-tiny.onnx");
  g_autofree char *unsupported = tiny_model ("sim-unsupported.onnx");
  g_autofree char *ints = write_x ("x-int.npy", LAMINA_DTYPE_INT32);
  g_autofree char *ints_spec = g_strdup_printf ("x=%s", ints);
  g_autofree char *garbage = g_build_filename (lamina_test_tmpdir (), "garbage.npy", NULL);
  g_autofree char *garbage_spec = g_strdup_printf ("x=%s", garbage);

  g_assert_true (g_file_set_contents (garbage, "not numpy", -1, NULL));
  expect_failure ("--input", "run", model, NULL);
  expect_failure ("--shape", "run", model, "--zeros", NULL);          /* N is dynamic */
  expect_failure ("3x", "run", model, "--zeros", "--shape", "x=3x", NULL);
  expect_failure ("nope", "run", model, "--zeros", "--shape", "x=2x4", "--input", "nope=a.npy", NULL);
  expect_failure ("int32", "run", model, "--input", ints_spec, NULL);
  expect_failure ("garbage.npy", "run", model, "--input", garbage_spec, NULL);
  expect_failure ("--random", "run", model, "--zeros", "--random", "1", NULL);
  expect_failure ("abc", "run", model, "--random", "abc", NULL);
  expect_failure ("MODEL", "run", NULL);
  /* the error names operator, domain and opset */
  expect_failure ("FooBar (domain com.example, opset 1)", "run", unsupported, "--zeros", "--shape", "x=1x4", NULL);
  expect_failure ("FooBar", "bench", unsupported, "--shape", "x=1x4", NULL);
  expect_failure ("--shape", "bench", model, NULL);
  expect_failure ("--runs", "bench", model, "--runs", "0", NULL);
}

static void
test_bench (void)
{
  g_autofree char *model = tiny_model ("sim-tiny.onnx");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *ops;
  double percent = 0;
  LaminaTestRun r;

  r = lamina_test_run_cli ("bench", model, "--shape", "x=2x4", "--runs", "5", "--warmup", "0", "--threads", "2", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (parser, r.out);
  g_assert_cmpint (json_object_get_int_member (root, "runs"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (root, "threads"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (root, "min_ms"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (root, "min_ms"), <=,
                     json_object_get_double_member (root, "median_ms"));
  ops = json_object_get_array_member (root, "ops");
  g_assert_cmpuint (json_array_get_length (ops), ==, 3);   /* Relu, Mul, Neg: one node each */
  for (guint i = 0; i < json_array_get_length (ops); i++)
    {
      JsonObject *o = json_array_get_object_element (ops, i);
      g_assert_cmpint (json_object_get_int_member (o, "nodes"), ==, 1);
      percent += json_object_get_double_member (o, "percent");
    }
  g_assert_cmpfloat_with_epsilon (percent, 100, 1e-6);
  lamina_test_run_clear (&r);

  r = lamina_test_run_cli ("bench", model, "--shape", "x=1x4", "--runs", "2", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Relu"));
  lamina_test_run_clear (&r);

  /* --top: the slowest steps, slowest first, at most N */
  r = lamina_test_run_cli ("bench", model, "--shape", "x=2x4", "--runs", "3", "--top", "2", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (parser, r.out);
  ops = json_object_get_array_member (root, "slowest");
  g_assert_cmpuint (json_array_get_length (ops), <=, 2);
  g_assert_cmpuint (json_array_get_length (ops), >=, 1);
  for (guint i = 0; i < json_array_get_length (ops); i++)
    {
      JsonObject *o = json_array_get_object_element (ops, i);
      const char *op = json_object_get_string_member (o, "op");
      g_assert_true (g_str_equal (op, "Relu") || g_str_equal (op, "Mul") || g_str_equal (op, "Neg"));
      g_assert_cmpfloat (json_object_get_double_member (o, "ms"), >, 0);
      if (i > 0)
        g_assert_cmpfloat (json_object_get_double_member (o, "ms"), <=,
                           json_object_get_double_member (json_array_get_object_element (ops, i - 1), "ms"));
    }
  lamina_test_run_clear (&r);
  r = lamina_test_run_cli ("bench", model, "--shape", "x=1x4", "--runs", "2", "--top", "3", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Node"));
  lamina_test_run_clear (&r);
  expect_failure ("--top", "bench", model, "--top", "-1", NULL);
}

static void
test_info_unsupported (void)
{
  g_autofree char *unsupported = tiny_model ("sim-unsupported.onnx");
  g_autofree char *model = tiny_model ("sim-tiny.onnx");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *list;
  LaminaTestRun r;

  r = lamina_test_run_cli ("info", unsupported, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (parser, r.out);
  list = json_object_get_object_member (root, "unsupported");
  g_assert_cmpuint (json_object_get_size (list), ==, 1);
  g_assert_cmpint (json_object_get_int_member (list, "FooBar"), ==, 1);
  lamina_test_run_clear (&r);

  r = lamina_test_run_cli ("info", model, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (parser, r.out);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (root, "unsupported")), ==, 0);
  lamina_test_run_clear (&r);

  r = lamina_test_run_cli ("info", unsupported, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "FooBar"));
  lamina_test_run_clear (&r);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (facts); i++)
    {
      g_autofree char *name = g_strdup_printf ("/lamina/cli/info-json/%s", facts[i].file);
      g_test_add_data_func (name, &facts[i], test_info_json);
    }
  g_test_add_func ("/lamina/cli/info-text", test_info_text);
  g_test_add_func ("/lamina/cli/errors", test_errors);
  g_test_add_func ("/lamina/cli/render-formats", test_render_formats);
  g_test_add_func ("/lamina/cli/render-bad-extension", test_render_bad_extension);
  g_test_add_func ("/lamina/cli/run-outputs", test_run_outputs);
  g_test_add_func ("/lamina/cli/run-fill-and-dump", test_run_fill_and_dump);
  g_test_add_func ("/lamina/cli/run-image", test_run_image);
  g_test_add_func ("/lamina/cli/run-errors", test_run_errors);
  g_test_add_func ("/lamina/cli/bench", test_bench);
  g_test_add_func ("/lamina/cli/info-unsupported", test_info_unsupported);
  return g_test_run ();
}
