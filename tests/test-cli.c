/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-cli: lamina-cli as scripts use it. The expected figures of the ONNX
 * models were computed independently with python3-onnx (Debian) when this
 * test was written:
 *   m = onnx.load(f); len(m.graph.node); inputs = graph.input minus initializers
 * The TFLite shapes are the publishers' (../shared/models/README.md).
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include <json-glib/json-glib.h>
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

typedef struct {
  int    status;
  char  *out;
  char  *err;
} CliResult;

static void
cli_result_clear (CliResult *r)
{
  g_free (r->out);
  g_free (r->err);
}

/* Runs lamina-cli with the NULL-terminated arguments. */
static CliResult
run_cli (const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  CliResult r = { 0 };
  const char *cli = g_getenv ("LAMINA_CLI");
  va_list args;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &r.out, &r.err, &r.status, &error);
  g_assert_no_error (error);
  return r;
}

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
  g_auto(GStrv) unused = NULL;
  JsonObject *root, *ops;
  JsonArray *inputs, *outputs;
  GList *members;
  gint64 op_total = 0;
  CliResult r;

  if (path == NULL)
    return;
  r = run_cli ("info", path, "--json", NULL);
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
  cli_result_clear (&r);
}

static void
test_info_text (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  CliResult r;

  if (path == NULL)
    return;
  r = run_cli ("info", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "313"));
  g_assert_nonnull (strstr (r.out, "input.1"));
  g_assert_nonnull (strstr (r.out, "1×3×352×352"));
  cli_result_clear (&r);
}

static void
test_errors (void)
{
  g_autofree char *garbage = g_build_filename (lamina_test_tmpdir (), "garbage.onnx", NULL);
  g_autofree char *missing = g_build_filename (lamina_test_tmpdir (), "missing.onnx", NULL);
  CliResult r;

  g_assert_true (g_file_set_contents (garbage, "this is not a model at all\n", -1, NULL));
  r = run_cli ("info", garbage, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "garbage.onnx"));
  cli_result_clear (&r);

  r = run_cli ("info", missing, "--json", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "missing.onnx"));
  g_assert_cmpstr (r.out, ==, "");
  cli_result_clear (&r);

  r = run_cli ("no-such-command", NULL);
  g_assert_cmpint (r.status, !=, 0);
  cli_result_clear (&r);

  r = run_cli ("render", garbage, "-o", "x.svg", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "garbage.onnx"));
  cli_result_clear (&r);
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
          CliResult r = run_cli ("render", path, "-o", out, NULL);

          g_assert_cmpint (r.status, ==, 0);
          assert_file_starts_with (out, formats[i].magic, formats[i].len);
          cli_result_clear (&r);
        }
    }
}

static void
test_render_bad_extension (void)
{
  g_autofree char *path = lamina_test_shared_model ("ultraface-slim-320.onnx");
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "graph.bmp", NULL);
  CliResult r;

  if (path == NULL)
    return;
  r = run_cli ("render", path, "-o", out, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "ultraface-slim-320.onnx"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  cli_result_clear (&r);
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
  return g_test_run ();
}
