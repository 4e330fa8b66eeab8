/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-test"

#include "graph/lamina-graph.h"
#include "graph/lamina-op-info.h"
#include "lamina-test-util.h"

/* a → Relu → b → Sigmoid → c, with nodes added in reverse file order */
static LaminaGraph *
make_chain (void)
{
  LaminaGraph *g = lamina_graph_new ("chain");
  LaminaTensor *a = lamina_graph_ensure_tensor (g, "a");
  LaminaTensor *b = lamina_graph_ensure_tensor (g, "b");
  LaminaTensor *c = lamina_graph_ensure_tensor (g, "c");
  LaminaNode *sig = lamina_graph_add_node (g, "sig", "Sigmoid", "");
  LaminaNode *relu = lamina_graph_add_node (g, "relu", "Relu", "");

  lamina_node_add_input (sig, b);
  lamina_node_add_output (sig, c);
  lamina_node_add_input (relu, a);
  lamina_node_add_output (relu, b);
  g_ptr_array_add (g->inputs, a);
  g_ptr_array_add (g->outputs, c);
  return g;
}

static void
test_toposort (void)
{
  g_autoptr(LaminaGraph) g = make_chain ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) order = NULL;

  g_assert_true (lamina_graph_link (g, &error));
  order = lamina_graph_toposort (g, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (order->len, ==, 2);
  g_assert_cmpstr (((LaminaNode *) order->pdata[0])->name, ==, "relu");
  g_assert_cmpstr (((LaminaNode *) order->pdata[1])->name, ==, "sig");
}

static void
test_cycle (void)
{
  g_autoptr(LaminaGraph) g = make_chain ();
  g_autoptr(GError) error = NULL;
  LaminaNode *relu = g_ptr_array_index (g->nodes, 1);

  /* relu now also reads c, which depends on relu */
  lamina_node_add_input (relu, lamina_graph_lookup_tensor (g, "c"));
  g_assert_true (lamina_graph_link (g, &error));
  g_assert_null (lamina_graph_toposort (g, &error));
  g_assert_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_CYCLE);
}

static void
test_two_producers (void)
{
  g_autoptr(LaminaGraph) g = make_chain ();
  g_autoptr(GError) error = NULL;
  LaminaNode *extra = lamina_graph_add_node (g, "extra", "Relu", "");

  lamina_node_add_output (extra, lamina_graph_lookup_tensor (g, "b"));
  g_assert_false (lamina_graph_link (g, &error));
  g_assert_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID);
}

static void
test_shape_string (void)
{
  LaminaShape s;
  gint64 dims[] = { 1, 3, -1, 224 };
  g_autofree char *text = NULL;
  g_autofree char *unknown = NULL;

  lamina_shape_init_unknown (&s);
  unknown = lamina_shape_to_string (&s);
  g_assert_cmpstr (unknown, ==, "?");
  lamina_shape_set (&s, 4, dims);
  s.dims[2].symbol = g_strdup ("H");
  text = lamina_shape_to_string (&s);
  g_assert_cmpstr (text, ==, "1×3×H×224");
  g_assert_cmpint (lamina_shape_numel (&s), ==, -1);
  s.dims[2].value = 10;
  g_assert_cmpint (lamina_shape_numel (&s), ==, 6720);
  lamina_shape_clear (&s);
}

static void
test_unique_names (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  LaminaTensor *a = lamina_graph_add_tensor (g, "x");
  LaminaTensor *b = lamina_graph_add_tensor (g, "x");

  g_assert_cmpstr (a->name, ==, "x");
  g_assert_cmpstr (b->name, ==, "x_1");
  g_assert_true (lamina_graph_lookup_tensor (g, "x_1") == b);
}

static void
test_attr_format (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  LaminaNode *n = lamina_graph_add_node (g, "conv", "Conv", "");
  LaminaAttr *a = lamina_node_add_attr (n, "pads", LAMINA_ATTR_INTS);
  g_autofree char *text = NULL;
  guint len;

  a->n = 4;
  a->ints = g_new (gint64, 4);
  for (int i = 0; i < 4; i++)
    a->ints[i] = i;
  text = lamina_attr_format (a);
  g_assert_cmpstr (text, ==, "[0, 1, 2, 3]");
  g_assert_nonnull (lamina_node_get_ints (n, "pads", &len));
  g_assert_cmpuint (len, ==, 4);
  g_assert_cmpint (lamina_node_get_int (n, "group", 7), ==, 7);
}

static void
test_op_info (void)
{
  double r, g, b;

  g_assert_true (lamina_op_info_table_is_sorted ());
  g_assert_cmpint (lamina_op_category ("Conv"), ==, LAMINA_OP_CATEGORY_LAYER);
  g_assert_cmpint (lamina_op_category ("DepthwiseConv2D"), ==, LAMINA_OP_CATEGORY_LAYER);
  g_assert_cmpint (lamina_op_category ("Relu"), ==, LAMINA_OP_CATEGORY_ACTIVATION);
  g_assert_cmpint (lamina_op_category ("QLinearAdd"), ==, LAMINA_OP_CATEGORY_QUANTIZATION);
  g_assert_cmpint (lamina_op_category ("edgetpu-custom-op"), ==, LAMINA_OP_CATEGORY_OTHER);
  g_assert_nonnull (lamina_op_doc ("Gemm"));
  g_assert_null (lamina_op_doc ("NoSuchOp"));
  /* Netron's layer colour, rgb(51,85,136) */
  lamina_op_category_color (LAMINA_OP_CATEGORY_LAYER, &r, &g, &b);
  g_assert_cmpfloat_with_epsilon (r * 255, 51, 1e-9);
  g_assert_cmpfloat_with_epsilon (b * 255, 136, 1e-9);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/graph/toposort", test_toposort);
  g_test_add_func ("/lamina/graph/cycle", test_cycle);
  g_test_add_func ("/lamina/graph/two-producers", test_two_producers);
  g_test_add_func ("/lamina/graph/shape-string", test_shape_string);
  g_test_add_func ("/lamina/graph/unique-names", test_unique_names);
  g_test_add_func ("/lamina/graph/attr-format", test_attr_format);
  g_test_add_func ("/lamina/graph/op-info", test_op_info);
  return g_test_run ();
}
