/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-shape-infer: shapes Lamina infers for ONNX files that store none.
 * Expected shapes of the shared model were computed independently with
 * python3-onnx's onnx.shape_inference.infer_shapes when the test was written.
 */
#define G_LOG_DOMAIN "lamina-test"

#include "lamina-model-load.h"
#include "graph/lamina-shape-infer.h"
#include "lamina-test-util.h"

static void
test_table_sorted (void)
{
  g_assert_true (lamina_shape_infer_table_is_sorted ());
}

static void
assert_shape (LaminaGraph *g, const char *name, const char *expected)
{
  LaminaTensor *t = lamina_graph_lookup_tensor (g, name);
  g_autofree char *text = NULL;

  g_assert_nonnull (t);
  text = lamina_shape_to_string (&t->shape);
  g_assert_cmpstr (text, ==, expected);
}

/* x[1,3,8,8] → Conv(w[4,3,3,3], stride 2, pads 1) → Relu → Add(b[4,1,1]) */
static void
test_conv_chain (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  gint64 xd[] = { 1, 3, 8, 8 }, wd[] = { 4, 3, 3, 3 }, bd[] = { 4, 1, 1 };
  LaminaTensor *x = lamina_graph_ensure_tensor (g, "x");
  LaminaTensor *w = lamina_graph_ensure_tensor (g, "w");
  LaminaTensor *b = lamina_graph_ensure_tensor (g, "b");
  LaminaNode *conv = lamina_graph_add_node (g, "conv", "Conv", "");
  LaminaNode *relu = lamina_graph_add_node (g, "relu", "Relu", "");
  LaminaNode *add = lamina_graph_add_node (g, "add", "Add", "");
  LaminaAttr *a;

  lamina_shape_set (&x->shape, 4, xd);
  lamina_shape_set (&w->shape, 4, wd);
  lamina_shape_set (&b->shape, 3, bd);
  x->dtype = w->dtype = b->dtype = LAMINA_DTYPE_FLOAT32;
  lamina_node_add_input (conv, x);
  lamina_node_add_input (conv, w);
  lamina_node_add_output (conv, lamina_graph_ensure_tensor (g, "c"));
  a = lamina_node_add_attr (conv, "strides", LAMINA_ATTR_INTS);
  a->n = 2;
  a->ints = g_new (gint64, 2);
  a->ints[0] = a->ints[1] = 2;
  a = lamina_node_add_attr (conv, "pads", LAMINA_ATTR_INTS);
  a->n = 4;
  a->ints = g_new (gint64, 4);
  for (int i = 0; i < 4; i++)
    a->ints[i] = 1;
  lamina_node_add_input (relu, lamina_graph_lookup_tensor (g, "c"));
  lamina_node_add_output (relu, lamina_graph_ensure_tensor (g, "r"));
  lamina_node_add_input (add, lamina_graph_lookup_tensor (g, "r"));
  lamina_node_add_input (add, b);
  lamina_node_add_output (add, lamina_graph_ensure_tensor (g, "y"));
  g_assert_true (lamina_graph_link (g, NULL));

  lamina_graph_infer_shapes (g);
  /* (8 + 2 - 3) / 2 + 1 = 4 */
  assert_shape (g, "c", "1×4×4×4");
  assert_shape (g, "r", "1×4×4×4");
  assert_shape (g, "y", "1×4×4×4");
  g_assert_cmpint (lamina_graph_lookup_tensor (g, "y")->dtype, ==, LAMINA_DTYPE_FLOAT32);
}

static void
test_shared (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  assert_shape (model->graph, "453", "1×24×44×44");
  assert_shape (model->graph, "855", "1×24×88×88");
  assert_shape (model->graph, "462", "1×48×44×44");
  assert_shape (model->graph, "464", "24×2×1936");
  assert_shape (model->graph, "465", "2×24×1936");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/shape-infer/table-sorted", test_table_sorted);
  g_test_add_func ("/lamina/shape-infer/conv-chain", test_conv_chain);
  g_test_add_func ("/lamina/shape-infer/shared", test_shared);
  return g_test_run ();
}
