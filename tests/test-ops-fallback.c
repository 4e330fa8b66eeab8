/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-ops-fallback: quantized operators without an integer kernel run as
 * dequantize → float kernel → quantize ("float fallback", issue 5), on
 * hand-made int8 TFLite-style nodes with expected values computed by hand
 * (numpy, written here as literals), through the kernel and through the
 * simulator; `lamina_sim_fallback_nodes` lists them for `info`.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include "sim/lamina-sim.h"
#include "lamina-test-util.h"

static LaminaQuant *
quant_new (float scale, gint64 zero)
{
  LaminaQuant *q = lamina_quant_new (-1, 1);

  q->scale[0] = scale;
  q->zero_point[0] = zero;
  return q;
}

static void
qinput (LaminaTestKernel *k, int rank, const gint64 *dims, const gint8 *data, float scale, gint64 zero)
{
  LaminaNode *node = lamina_test_kernel_node (k);
  LaminaTensor *t;

  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, rank, dims, data);
  t = g_ptr_array_index (node->inputs, node->inputs->len - 1);
  t->dtype = LAMINA_DTYPE_INT8;
  t->quant = quant_new (scale, zero);
}

static void
qoutput (LaminaTestKernel *k, float scale, gint64 zero)
{
  LaminaTensor *t = lamina_test_kernel_output_tensor (k, 0);

  t->dtype = LAMINA_DTYPE_INT8;
  t->quant = quant_new (scale, zero);
}

/* TRUE when op_type still has no integer kernel; otherwise the test is
 * skipped (it exists to exercise the fallback: pick another operator). */
static gboolean
still_fallback (const char *op_type)
{
  g_autofree char *message = NULL;

  if (lamina_kernel_lookup_integer (op_type, "") == NULL)
    return TRUE;
  message = g_strdup_printf ("%s has an integer kernel now", op_type);
  g_test_skip (message);
  return FALSE;
}

static void
assert_int8 (const LaminaValue *v, const gint8 *expected, gint64 n)
{
  g_assert_cmpint (v->dtype, ==, LAMINA_DTYPE_INT8);
  g_assert_cmpint (v->numel, ==, n);
  for (gint64 i = 0; i < n; i++)
    if (((const gint8 *) v->data)[i] != expected[i])
      g_error ("element %" G_GINT64_FORMAT ": %d, expected %d", i, ((const gint8 *) v->data)[i], expected[i]);
}

/* int8 Softmax (TFLite has no integer Softmax kernel here): x = 0.05·(q + 28)
 * = [−5, −1.8, 1.4, 4.6, 7.75]; softmax = [2.778e-6, 6.816e-5, 1.672e-3,
 * 4.102e-2, 0.95724]; / (1/256) = [0.0007, 0.0174, 0.428, 10.501, 245.05]
 * → round − 128. */
static void
test_softmax (void)
{
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Softmax", 0);
  static const gint8 x[] = { -128, -64, 0, 64, 127 };
  static const gint8 expected[] = { -128, -128, -128, -117, 117 };
  const gint64 dims[] = { 1, 5 };
  g_autoptr(GError) error = NULL;

  if (!still_fallback ("Softmax"))
    return;
  qinput (k, 2, dims, x, 0.05f, -28);
  qoutput (k, 1.0f / 256, -128);
  lamina_test_kernel_set_float (k, "beta", 1.0);
  g_assert_true (lamina_kernel_node_needs_fallback (lamina_test_kernel_node (k)));
  g_assert_true (lamina_kernel_lookup_node (lamina_test_kernel_node (k)) == &lamina_kernel_fallback);
  g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
  g_assert_no_error (error);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT8, 2, dims);
  assert_int8 (lamina_test_kernel_output (k, 0), expected, 5);
}

/* Sub of two inputs with their own parameters: a = 0.25·(qa − 3) =
 * [0.5, −0.5, 0, 5, 31, −32.75], b = 0.5·(qb + 1) = [0, 0, 0.5, −63.5, −63.5,
 * 64], a − b = [0.5, −0.5, −0.5, 68.5, 94.5, −96.75] at scale 1, zero −100:
 * ties round half away from zero (1, −1, −1, 69, 95), the last saturates. */
static void
test_sub_rounding (void)
{
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Sub", 0);
  static const gint8 a[] = { 5, 1, 3, 23, 127, -128 };
  static const gint8 b[] = { -1, -1, 0, -128, -128, 127 };
  static const gint8 expected[] = { -99, -101, -101, -31, -5, -128 };
  const gint64 dims[] = { 6 };
  g_autoptr(GError) error = NULL;

  if (!still_fallback ("Sub"))
    return;
  qinput (k, 1, dims, a, 0.25f, 3);
  qinput (k, 1, dims, b, 0.5f, -1);
  qoutput (k, 1.0f, -100);
  g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
  g_assert_no_error (error);
  assert_int8 (lamina_test_kernel_output (k, 0), expected, 6);
}

/* Bad output parameters give an error, not a crash; integer kernels and
 * float nodes are no fallback. */
static void
test_invalid_and_lookup (void)
{
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Softmax", 0);
  static const gint8 x[] = { 1, 2 };
  const gint64 dims[] = { 1, 2 };
  g_autoptr(GError) error = NULL;
  LaminaTensor *out;

  if (!still_fallback ("Softmax"))
    return;
  qinput (k, 2, dims, x, 0.05f, 0);
  out = lamina_test_kernel_output_tensor (k, 0);
  out->dtype = LAMINA_DTYPE_INT8;
  out->quant = lamina_quant_new (1, 3);   /* per-axis along a dim of 2: does not fit */
  g_assert_false (lamina_test_kernel_run (k, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);

  {
    g_autoptr(LaminaTestKernel) c = lamina_test_kernel_new ("Logistic", 0);
    g_autoptr(LaminaTestKernel) f = lamina_test_kernel_new ("Softmax", 0);
    const float fx[] = { 1, 2 };

    qinput (c, 2, dims, x, 0.05f, 0);
    g_assert_false (lamina_kernel_node_needs_fallback (lamina_test_kernel_node (c)));
    g_assert_true (lamina_kernel_lookup_node (lamina_test_kernel_node (c))
                   == lamina_kernel_lookup_integer ("Logistic", ""));
    lamina_test_kernel_input (f, LAMINA_DTYPE_FLOAT32, 2, dims, fx);
    g_assert_false (lamina_kernel_node_needs_fallback (lamina_test_kernel_node (f)));
  }
}

/* The same Softmax as a graph through the simulator (the engine's arena,
 * per-value parameters), listed by lamina_sim_fallback_nodes. */
static void
test_sim (void)
{
  g_autoptr(LaminaModel) m = lamina_model_new (LAMINA_FORMAT_TFLITE);
  static const gint8 x[] = { -128, -64, 0, 64, 127 };
  static const gint8 expected[] = { -128, -128, -128, -117, 117 };
  const gint64 dims[] = { 1, 5 };
  g_autoptr(LaminaSim) sim = NULL;
  g_autoptr(GPtrArray) fallback = NULL;
  g_autoptr(GError) error = NULL;
  LaminaTensor *in, *out;
  LaminaNode *node;
  LaminaValue v = { 0 };

  if (!still_fallback ("Softmax"))
    return;
  m->graph = lamina_graph_new ("g");
  g_ptr_array_add (m->graphs, m->graph);
  in = lamina_graph_ensure_tensor (m->graph, "x");
  out = lamina_graph_ensure_tensor (m->graph, "y");
  in->dtype = out->dtype = LAMINA_DTYPE_INT8;
  lamina_shape_set (&in->shape, 2, dims);
  in->quant = quant_new (0.05f, -28);
  out->quant = quant_new (1.0f / 256, -128);
  g_ptr_array_add (m->graph->inputs, in);
  g_ptr_array_add (m->graph->outputs, out);
  node = lamina_graph_add_node (m->graph, "softmax", "Softmax", "");
  lamina_node_add_input (node, in);
  lamina_node_add_output (node, out);

  fallback = lamina_sim_fallback_nodes (m->graph);
  g_assert_cmpuint (fallback->len, ==, 1);
  g_assert_true (g_ptr_array_index (fallback, 0) == node);

  sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1 }, &error);
  g_assert_no_error (error);
  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_INT8, 2, dims, &error));
  v.data = (void *) x;
  v.nbytes = sizeof x;
  v.quant = in->quant;
  g_assert_true (lamina_sim_set_input (sim, "x", &v, &error));
  g_assert_no_error (error);
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_no_error (error);
  assert_int8 (lamina_sim_get_value (sim, out), expected, 5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ops-fallback/softmax", test_softmax);
  g_test_add_func ("/ops-fallback/sub-rounding", test_sub_rounding);
  g_test_add_func ("/ops-fallback/invalid-and-lookup", test_invalid_and_lookup);
  g_test_add_func ("/ops-fallback/sim", test_sim);
  return g_test_run ();
}
