/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-search: the window's search over node names, operator types and
 * tensor names, on a hand-built graph.
 */
#define G_LOG_DOMAIN "lamina-test"

#include "lamina-search.h"

/* x → Conv "stem_conv" → t1 → Relu "act" → y, with weight "stem.weight" */
static LaminaGraph *
small_graph (void)
{
  LaminaGraph *g = lamina_graph_new ("g");
  LaminaNode *conv = lamina_graph_add_node (g, "stem_conv", "Conv", "");
  LaminaNode *relu = lamina_graph_add_node (g, "act", "Relu", "");
  LaminaTensor *x = lamina_graph_ensure_tensor (g, "x");
  LaminaTensor *w = lamina_graph_ensure_tensor (g, "stem.weight");
  LaminaTensor *t1 = lamina_graph_ensure_tensor (g, "t1");
  LaminaTensor *y = lamina_graph_ensure_tensor (g, "y");
  g_autoptr(GError) error = NULL;

  lamina_node_add_input (conv, x);
  lamina_node_add_input (conv, w);
  lamina_node_add_output (conv, t1);
  lamina_node_add_input (relu, t1);
  lamina_node_add_output (relu, y);
  g_ptr_array_add (g->inputs, x);
  g_ptr_array_add (g->outputs, y);
  g_assert_true (lamina_graph_link (g, &error));
  g_assert_no_error (error);
  return g;
}

static void
test_kinds (void)
{
  g_autoptr(LaminaGraph) g = small_graph ();
  g_autoptr(GArray) by_op = lamina_search_graph (g, "relu", 10, NULL);
  g_autoptr(GArray) by_name = lamina_search_graph (g, "STEM", 10, NULL);
  const LaminaSearchMatch *m;

  /* case-insensitive operator type */
  g_assert_cmpuint (by_op->len, ==, 1);
  m = &g_array_index (by_op, LaminaSearchMatch, 0);
  g_assert_cmpint (m->kind, ==, LAMINA_MATCH_OP_TYPE);
  g_assert_cmpstr (m->node->name, ==, "act");
  /* a node name, then a tensor whose node is its consumer */
  g_assert_cmpuint (by_name->len, ==, 2);
  m = &g_array_index (by_name, LaminaSearchMatch, 0);
  g_assert_cmpint (m->kind, ==, LAMINA_MATCH_NODE_NAME);
  g_assert_cmpstr (m->node->name, ==, "stem_conv");
  m = &g_array_index (by_name, LaminaSearchMatch, 1);
  g_assert_cmpint (m->kind, ==, LAMINA_MATCH_TENSOR);
  g_assert_cmpstr (m->tensor->name, ==, "stem.weight");
  g_assert_cmpstr (m->node->name, ==, "stem_conv");
}

static void
test_tensor_producer (void)
{
  g_autoptr(LaminaGraph) g = small_graph ();
  g_autoptr(GArray) r = lamina_search_graph (g, "t1", 10, NULL);

  g_assert_cmpuint (r->len, ==, 1);
  /* an activation jumps to the node that produces it */
  g_assert_cmpstr (g_array_index (r, LaminaSearchMatch, 0).node->name, ==, "stem_conv");
}

static void
test_limits (void)
{
  g_autoptr(LaminaGraph) g = small_graph ();
  g_autoptr(GArray) empty = lamina_search_graph (g, "", 10, NULL);
  g_autoptr(GArray) none = lamina_search_graph (g, "nothing-like-this", 10, NULL);
  g_autoptr(GArray) no_graph = lamina_search_graph (NULL, "x", 10, NULL);
  g_autoptr(GArray) capped = NULL;
  guint total = 0;

  g_assert_cmpuint (empty->len, ==, 0);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (no_graph->len, ==, 0);
  /* "t": nodes stem_conv and act, tensors stem.weight and t1 */
  capped = lamina_search_graph (g, "t", 1, &total);
  g_assert_cmpuint (capped->len, ==, 1);
  g_assert_cmpuint (total, ==, 4);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/search/kinds", test_kinds);
  g_test_add_func ("/lamina/search/tensor-producer", test_tensor_producer);
  g_test_add_func ("/lamina/search/limits", test_limits);
  return g_test_run ();
}
