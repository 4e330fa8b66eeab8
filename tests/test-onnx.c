/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-onnx: the ONNX reader on hand-built models (packed here with the
 * generated protobuf-c code), on the shared models, on ONNX's own backend
 * test suite (Debian libonnx-testdata), and on damaged files.
 *
 * Expected figures of the shared models were computed independently with
 * python3-onnx (Debian) when the test was written:
 *   m = onnx.load(f); len(m.graph.node); len(m.graph.initializer);
 *   [i.name for i in m.graph.input if i.name not in initializer names]
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include <glib/gstdio.h>
#include "lamina-model-load.h"
#include "onnx.pb-c.h"
#include "lamina-test-util.h"

/* ---- hand-built models ------------------------------------------------- */

/* A model with one Relu node reading `x` and one float initializer `w`
 * fed to an Add; the initializer is filled by the caller. */
typedef struct {
  Onnx__ModelProto         model;
  Onnx__GraphProto         graph;
  Onnx__OperatorSetIdProto opset;
  Onnx__OperatorSetIdProto *opsets[1];
  Onnx__NodeProto          node;
  Onnx__NodeProto          *nodes[1];
  char                     *node_in[2];
  char                     *node_out[1];
  Onnx__TensorProto        init;
  Onnx__TensorProto        *inits[1];
  int64_t                  dims[1];
  Onnx__ValueInfoProto     in, out;
  Onnx__ValueInfoProto     *ins[1], *outs[1];
} TinyModel;

static void
tiny_model_init (TinyModel *m)
{
  onnx__model_proto__init (&m->model);
  onnx__graph_proto__init (&m->graph);
  onnx__operator_set_id_proto__init (&m->opset);
  onnx__node_proto__init (&m->node);
  onnx__tensor_proto__init (&m->init);
  onnx__value_info_proto__init (&m->in);
  onnx__value_info_proto__init (&m->out);

  m->model.has_ir_version = TRUE;
  m->model.ir_version = 7;
  m->model.producer_name = (char *) "lamina-test";
  m->opset.has_version = TRUE;
  m->opset.version = 13;
  m->opsets[0] = &m->opset;
  m->model.n_opset_import = 1;
  m->model.opset_import = m->opsets;
  m->model.graph = &m->graph;
  m->graph.name = (char *) "tiny";

  m->node.op_type = (char *) "Add";
  m->node.name = (char *) "add";
  m->node_in[0] = (char *) "x";
  m->node_in[1] = (char *) "w";
  m->node_out[0] = (char *) "y";
  m->node.n_input = 2;
  m->node.input = m->node_in;
  m->node.n_output = 1;
  m->node.output = m->node_out;
  m->nodes[0] = &m->node;
  m->graph.n_node = 1;
  m->graph.node = m->nodes;

  m->init.name = (char *) "w";
  m->init.has_data_type = TRUE;
  m->init.data_type = 1;  /* FLOAT */
  m->dims[0] = 3;
  m->init.n_dims = 1;
  m->init.dims = m->dims;
  m->inits[0] = &m->init;
  m->graph.n_initializer = 1;
  m->graph.initializer = m->inits;

  m->in.name = (char *) "x";
  m->out.name = (char *) "y";
  m->ins[0] = &m->in;
  m->outs[0] = &m->out;
  m->graph.n_input = 1;
  m->graph.input = m->ins;
  m->graph.n_output = 1;
  m->graph.output = m->outs;
}

static LaminaModel *
load_packed (const ProtobufCMessage *msg, const char *path, GError **error)
{
  gsize size = protobuf_c_message_get_packed_size (msg);
  guint8 *buf = g_malloc (MAX (size, 1));
  g_autoptr(GBytes) bytes = NULL;

  protobuf_c_message_pack (msg, buf);
  bytes = g_bytes_new_take (buf, size);
  return lamina_model_load_bytes (bytes, path, error);
}

static const float tiny_values[3] = { 1.5f, -2.0f, 0.25f };

static void
assert_w_values (LaminaModel *model)
{
  LaminaTensor *w = lamina_graph_lookup_tensor (model->graph, "w");
  gsize size = 0;
  const void *data;

  g_assert_nonnull (w);
  g_assert_true (w->is_constant);
  g_assert_cmpint (w->dtype, ==, LAMINA_DTYPE_FLOAT32);
  data = g_bytes_get_data (w->data, &size);
  g_assert_cmpmem (data, size, tiny_values, sizeof tiny_values);
}

static void
test_raw_and_typed (void)
{
  TinyModel m;
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) raw = NULL, typed = NULL;

  tiny_model_init (&m);
  m.init.has_raw_data = TRUE;
  m.init.raw_data.data = (guint8 *) tiny_values;
  m.init.raw_data.len = sizeof tiny_values;
  raw = load_packed (&m.model.base, "tiny.onnx", &error);
  g_assert_no_error (error);
  assert_w_values (raw);
  g_assert_cmpuint (raw->graph->inputs->len, ==, 1);
  g_assert_cmpstr (raw->producer, ==, "lamina-test");
  g_assert_cmpint (raw->kind, ==, LAMINA_KIND_FLOAT);

  tiny_model_init (&m);
  m.init.n_float_data = 3;
  m.init.float_data = (float *) tiny_values;
  typed = load_packed (&m.model.base, "tiny.onnx", &error);
  g_assert_no_error (error);
  assert_w_values (typed);
}

static void
test_wrong_size (void)
{
  TinyModel m;
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = NULL;

  tiny_model_init (&m);
  m.init.has_raw_data = TRUE;
  m.init.raw_data.data = (guint8 *) tiny_values;
  m.init.raw_data.len = 8;  /* the shape needs 12 bytes */
  model = load_packed (&m.model.base, "short.onnx", &error);
  g_assert_null (model);
  g_assert_error (error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message, "short.onnx: "));
  g_assert_nonnull (strstr (error->message, "“w”"));
}

static void
test_initializer_as_input (void)
{
  TinyModel m;
  Onnx__ValueInfoProto w_in = ONNX__VALUE_INFO_PROTO__INIT;
  Onnx__ValueInfoProto *ins[2];
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = NULL;

  tiny_model_init (&m);
  m.init.n_float_data = 3;
  m.init.float_data = (float *) tiny_values;
  w_in.name = (char *) "w";
  ins[0] = &m.in;
  ins[1] = &w_in;
  m.graph.n_input = 2;
  m.graph.input = ins;
  model = load_packed (&m.model.base, "old-exporter.onnx", &error);
  g_assert_no_error (error);
  /* w is a constant, not something the user feeds */
  g_assert_cmpuint (model->graph->inputs->len, ==, 1);
  g_assert_cmpstr (((LaminaTensor *) model->graph->inputs->pdata[0])->name, ==, "x");
}

/* External data: inside the folder works; escaping it or a short file fails. */
static void
test_external_data (void)
{
  const char *dir = lamina_test_tmpdir ();
  g_autofree char *model_path = g_build_filename (dir, "ext.onnx", NULL);
  g_autofree char *data_path = g_build_filename (dir, "weights.bin", NULL);
  static const struct { const char *location; const char *length; gboolean ok; } cases[] = {
    { "weights.bin", "12", TRUE },
    { "../weights.bin", "12", FALSE },
    { "/etc/passwd", "12", FALSE },
    { "weights.bin", "16", FALSE },
    { "missing.bin", "12", FALSE },
  };

  g_assert_true (g_file_set_contents (data_path, (const char *) tiny_values, sizeof tiny_values, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TinyModel m;
      Onnx__StringStringEntryProto loc = ONNX__STRING_STRING_ENTRY_PROTO__INIT;
      Onnx__StringStringEntryProto len = ONNX__STRING_STRING_ENTRY_PROTO__INIT;
      Onnx__StringStringEntryProto *entries[2] = { &loc, &len };
      g_autoptr(GError) error = NULL;
      g_autoptr(LaminaModel) model = NULL;

      tiny_model_init (&m);
      loc.key = (char *) "location";
      loc.value = (char *) cases[i].location;
      len.key = (char *) "length";
      len.value = (char *) cases[i].length;
      m.init.n_external_data = 2;
      m.init.external_data = entries;
      m.init.has_data_location = TRUE;
      m.init.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
      model = load_packed (&m.model.base, model_path, &error);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          assert_w_values (model);
        }
      else
        {
          g_assert_null (model);
          g_assert_nonnull (error);
          g_assert_true (g_str_has_prefix (error->message, "ext.onnx: "));
        }
    }
}

static void
test_qdq_is_fixed (void)
{
  TinyModel m;
  Onnx__NodeProto q = ONNX__NODE_PROTO__INIT, dq = ONNX__NODE_PROTO__INIT;
  Onnx__NodeProto *nodes[3];
  char *q_in[1] = { (char *) "x" }, *q_out[1] = { (char *) "xq" };
  char *dq_in[1] = { (char *) "xq" }, *dq_out[1] = { (char *) "xd" };
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = NULL;

  tiny_model_init (&m);
  m.init.n_float_data = 3;
  m.init.float_data = (float *) tiny_values;
  q.op_type = (char *) "QuantizeLinear";
  q.n_input = 1; q.input = q_in; q.n_output = 1; q.output = q_out;
  dq.op_type = (char *) "DequantizeLinear";
  dq.n_input = 1; dq.input = dq_in; dq.n_output = 1; dq.output = dq_out;
  m.node_in[0] = (char *) "xd";
  nodes[0] = &q; nodes[1] = &dq; nodes[2] = &m.node;
  m.graph.n_node = 3;
  m.graph.node = nodes;
  model = load_packed (&m.model.base, "qdq.onnx", &error);
  g_assert_no_error (error);
  g_assert_cmpint (model->kind, ==, LAMINA_KIND_FIXED);
}

/* An If node with a then-branch subgraph: kept and viewable. */
static void
test_subgraph (void)
{
  TinyModel m;
  Onnx__GraphProto body = ONNX__GRAPH_PROTO__INIT;
  Onnx__NodeProto relu = ONNX__NODE_PROTO__INIT, *body_nodes[1] = { &relu };
  Onnx__AttributeProto branch = ONNX__ATTRIBUTE_PROTO__INIT, *attrs[1] = { &branch };
  Onnx__NodeProto *nodes[2];
  Onnx__NodeProto cond = ONNX__NODE_PROTO__INIT;
  char *relu_in[1] = { (char *) "x" }, *relu_out[1] = { (char *) "r" };
  char *if_in[1] = { (char *) "c" }, *if_out[1] = { (char *) "z" };
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = NULL;
  const LaminaAttr *a;
  LaminaNode *if_node;

  tiny_model_init (&m);
  m.init.n_float_data = 3;
  m.init.float_data = (float *) tiny_values;
  relu.op_type = (char *) "Relu";
  relu.n_input = 1; relu.input = relu_in; relu.n_output = 1; relu.output = relu_out;
  body.name = (char *) "then";
  body.n_node = 1;
  body.node = body_nodes;
  branch.name = (char *) "then_branch";
  branch.has_type = TRUE;
  branch.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
  branch.g = &body;
  cond.op_type = (char *) "If";
  cond.n_input = 1; cond.input = if_in; cond.n_output = 1; cond.output = if_out;
  cond.n_attribute = 1;
  cond.attribute = attrs;
  nodes[0] = &m.node;
  nodes[1] = &cond;
  m.graph.n_node = 2;
  m.graph.node = nodes;
  model = load_packed (&m.model.base, "if.onnx", &error);
  g_assert_no_error (error);
  if_node = g_ptr_array_index (model->graph->nodes, 1);
  a = lamina_node_get_attr (if_node, "then_branch");
  g_assert_nonnull (a);
  g_assert_cmpint (a->type, ==, LAMINA_ATTR_GRAPH);
  g_assert_cmpuint (a->g->nodes->len, ==, 1);
  g_assert_true (a->g->parent == model->graph);
  g_assert_cmpuint (lamina_graph_count_nodes_recursive (model->graph), ==, 3);
}

/* ---- shared models ----------------------------------------------------- */

typedef struct {
  const char *file;
  guint       nodes;
  const char *input;
  guint       n_outputs;
  gint64      opset;
} OnnxFacts;

static const OnnxFacts shared_facts[] = {
  { "ppocrv4-det.onnx", 672, "x", 1, 11 },
  { "ppocrv4-rec.onnx", 765, "x", 1, 9 },
  { "ultraface-rfb-320.onnx", 242, "input", 2, 9 },
  { "ultraface-slim-320.onnx", 217, "input", 2, 9 },
  { "yolo-fastestv2-coco-352.onnx", 313, "input.1", 1, 11 },
};

static void
test_shared (gconstpointer data)
{
  const OnnxFacts *f = data;
  g_autofree char *path = lamina_test_shared_model (f->file);
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(GPtrArray) order = NULL;

  if (path == NULL)
    return;
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (model->format, ==, LAMINA_FORMAT_ONNX);
  g_assert_cmpint (model->kind, ==, LAMINA_KIND_FLOAT);
  g_assert_cmpuint (model->graph->nodes->len, ==, f->nodes);
  g_assert_cmpuint (model->graph->inputs->len, ==, 1);
  g_assert_cmpstr (((LaminaTensor *) model->graph->inputs->pdata[0])->name, ==, f->input);
  g_assert_cmpuint (model->graph->outputs->len, ==, f->n_outputs);
  g_assert_cmpint (g_array_index (model->opsets, LaminaOpset, 0).version, ==, f->opset);
  order = lamina_graph_toposort (model->graph, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (order->len, ==, f->nodes);
}

/* ---- ONNX's backend test suite ----------------------------------------- */

static void
test_backend_models (void)
{
  static const char *const folders[] = { "node", "simple", "pytorch-converted", "pytorch-operator" };
  const char *root = "/usr/share/libonnx-testdata/data";
  guint loaded = 0, failed = 0;

  if (!g_file_test (root, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("libonnx-testdata is not installed (apt-get install libonnx-testdata)");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *folder = g_build_filename (root, folders[i], NULL);
      g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *path = g_build_filename (folder, name, "model.onnx", NULL);
          g_autoptr(GError) error = NULL;
          g_autoptr(LaminaModel) model = NULL;

          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            continue;
          model = lamina_model_load (path, &error);
          if (model == NULL)
            {
              g_test_message ("%s/%s: %s", folders[i], name, error->message);
              failed++;
            }
          else
            loaded++;
        }
    }
  g_test_message ("backend suite: %u models load, %u fail", loaded, failed);
  /* Every model of the suite is valid ONNX: none may fail to load. */
  g_assert_cmpuint (failed, ==, 0);
  g_assert_cmpuint (loaded, >, 1000);
}

/* ---- damaged files ----------------------------------------------------- */

/* Each attempt must give a model or a GError, never crash (ASan in CI). */
static void
try_load (const guint8 *data, gsize size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = lamina_model_load_bytes (bytes, "damaged.onnx", &error);

  g_assert_true ((model == NULL) != (error == NULL));
  if (error)
    g_assert_true (g_str_has_prefix (error->message, "damaged.onnx: "));
}

static void
test_hostile (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autofree guint8 *contents = NULL;
  gsize size = 0;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261124);

  if (path == NULL)
    return;
  g_assert_true (g_file_get_contents (path, (char **) &contents, &size, NULL));
  /* truncations: the first 64 bytes one by one, then 150 spread offsets */
  for (gsize cut = 0; cut < 64; cut++)
    try_load (contents, cut);
  for (guint i = 0; i < 150; i++)
    try_load (contents, g_rand_int_range (rand, 64, (gint32) size));
  /* byte flips concentrated on the structure: protobuf headers sit
   * between the weights, so flip anywhere, 1-8 bytes at a time */
  for (guint trial = 0; trial < 300; trial++)
    {
      g_autofree guint8 *copy = g_memdup2 (contents, size);
      guint flips = g_rand_int_range (rand, 1, 9);
      for (guint k = 0; k < flips; k++)
        copy[g_rand_int_range (rand, 0, (gint32) size)] ^= (guint8) g_rand_int_range (rand, 1, 256);
      try_load (copy, size);
    }
}

/* Files that once crashed a reader (found by fuzzing): each loads or
 * fails cleanly, and every attribute of a loaded model can be shown. */
static void
test_fuzz_regressions (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "data", "hostile", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(LaminaModel) model = NULL;
      if (!g_str_has_suffix (name, ".onnx"))
        continue;
      model = lamina_model_load (path, &error);
      g_assert_true ((model == NULL) != (error == NULL));
      for (guint i = 0; model && i < model->graph->nodes->len; i++)
        {
          LaminaNode *node = g_ptr_array_index (model->graph->nodes, i);
          for (guint k = 0; k < node->attrs->len; k++)
            g_free (lamina_attr_format (g_ptr_array_index (node->attrs, k)));
        }
      n++;
    }
  g_assert_cmpuint (n, >=, 2);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/onnx/raw-and-typed", test_raw_and_typed);
  g_test_add_func ("/lamina/onnx/wrong-size", test_wrong_size);
  g_test_add_func ("/lamina/onnx/initializer-as-input", test_initializer_as_input);
  g_test_add_func ("/lamina/onnx/external-data", test_external_data);
  g_test_add_func ("/lamina/onnx/qdq-is-fixed", test_qdq_is_fixed);
  g_test_add_func ("/lamina/onnx/subgraph", test_subgraph);
  for (guint i = 0; i < G_N_ELEMENTS (shared_facts); i++)
    {
      g_autofree char *name = g_strdup_printf ("/lamina/onnx/shared/%s", shared_facts[i].file);
      g_test_add_data_func (name, &shared_facts[i], test_shared);
    }
  g_test_add_func ("/lamina/onnx/backend-models", test_backend_models);
  g_test_add_func ("/lamina/onnx/hostile", test_hostile);
  g_test_add_func ("/lamina/onnx/fuzz-regressions", test_fuzz_regressions);
  return g_test_run ();
}
