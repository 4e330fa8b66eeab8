/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-sim-optimize: the simulator's plan-time optimisations (constant
 * folding, BatchNormalization / affine folding into Conv, activation
 * fusion, the decomposed hard swish, QDQ Conv as QLinearConv) give the same outputs as the graph run
 * as written (LAMINA_SIM_OPTIMIZE_NONE), on small hand-made graphs with the
 * built-in kernels and on the shared models; and the window's view (keep,
 * observer) still sees every node's exact output.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include "sim/lamina-sim.h"
#include "sim/lamina-sim-input.h"
#include "lamina-model-load.h"
#include "lamina-test-util.h"

/* ---- building graphs ------------------------------------------------------- */

static LaminaModel *
model_new (void)
{
  LaminaModel *m = lamina_model_new (LAMINA_FORMAT_ONNX);
  LaminaOpset o = { g_strdup (""), 13 };

  g_array_append_val (m->opsets, o);
  m->graph = lamina_graph_new ("g");
  g_ptr_array_add (m->graphs, m->graph);
  return m;
}

static LaminaTensor *
tensor (LaminaModel *m, const char *name)
{
  return lamina_graph_ensure_tensor (m->graph, name);
}

static void
graph_input (LaminaModel *m, const char *name, int rank, const gint64 *dims)
{
  LaminaTensor *t = tensor (m, name);

  t->dtype = LAMINA_DTYPE_FLOAT32;
  lamina_shape_set (&t->shape, rank, dims);
  g_ptr_array_add (m->graph->inputs, t);
}

/* A float32 constant of the given shape; values from seed (deterministic,
 * in [lo, hi)), or `fill` when lo == hi. */
static void
constant (LaminaModel *m, const char *name, int rank, const gint64 *dims, guint32 seed, float lo, float hi)
{
  LaminaTensor *t = tensor (m, name);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 n = 1;
  float *data;

  for (int i = 0; i < rank; i++)
    n *= dims[i];
  data = g_new (float, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    data[i] = lo == hi ? lo : (float) g_rand_double_range (rand, lo, hi);
  t->dtype = LAMINA_DTYPE_FLOAT32;
  lamina_shape_set (&t->shape, rank, dims);
  t->is_constant = TRUE;
  t->data = g_bytes_new_take (data, n * sizeof (float));
}

/* op (inputs...) → out; inputs is a NULL-terminated list. */
static LaminaNode *
node (LaminaModel *m, const char *op, const char *out, ...)
{
  static guint count;
  g_autofree char *name = g_strdup_printf ("n%u", count++);
  LaminaNode *n = lamina_graph_add_node (m->graph, name, op, "");
  va_list args;
  const char *in;

  va_start (args, out);
  while ((in = va_arg (args, const char *)) != NULL)
    lamina_node_add_input (n, tensor (m, in));
  va_end (args);
  lamina_node_add_output (n, tensor (m, out));
  tensor (m, out)->dtype = LAMINA_DTYPE_FLOAT32;
  return n;
}

static void
finish (LaminaModel *m, const char *output)
{
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (m->graph->outputs, tensor (m, output));
  g_assert_true (lamina_graph_link (m->graph, &error));
  g_assert_no_error (error);
}

/* ---- running ------------------------------------------------------------------- */

static void
set_random_inputs (LaminaSim *sim, LaminaModel *m, const char *const *shapes)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < m->graph->inputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (m->graph->inputs, i);
      g_autoptr(GError) error = NULL;
      LaminaValue v = { 0 };
      gint64 dims[LAMINA_MAX_RANK];
      int rank;
      g_assert_true (lamina_input_default_dims (t, 1, &rank, dims));
      for (guint s = 0; shapes && shapes[s]; s += 2)
        if (g_str_equal (shapes[s], t->name))
          g_assert_true (lamina_parse_dims (shapes[s + 1], &rank, dims, NULL));
      g_assert_true (lamina_value_set_shape (&v, t->dtype, rank, dims, &error));
      g_assert_true (lamina_value_fill (&v, LAMINA_FILL_RANDOM, rand, &error));
      for (gint64 k = 0; t->dtype == LAMINA_DTYPE_FLOAT32 && k < v.numel; k++)
        LAMINA_VALUE_F32 (&v)[k] = LAMINA_VALUE_F32 (&v)[k] * 8 - 4;   /* both signs, past ±3 */
      g_assert_true (lamina_sim_set_input (sim, t->name, &v, &error));
      g_assert_no_error (error);
      lamina_value_clear (&v);
    }
}

/* Every graph output of a run (copied), twice in a row to also check that
 * a second run after reset repeats the first. */
static GPtrArray *
run (LaminaModel *m, LaminaSimOptimize optimize, const char *const *shapes)
{
  g_autoptr(LaminaSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1, .optimize = optimize }, &error);
  g_assert_no_error (error);
  set_random_inputs (sim, m, shapes);
  for (int pass = 0; pass < 2; pass++)
    {
      lamina_sim_reset (sim);
      g_assert_true (lamina_sim_run (sim, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < m->graph->outputs->len; i++)
    {
      const LaminaValue *v = lamina_sim_get_value (sim, g_ptr_array_index (m->graph->outputs, i));
      g_assert_nonnull (v);
      g_ptr_array_add (outputs, g_bytes_new (v->data, (gsize) v->numel * lamina_dtype_size (v->dtype)));
    }
  return outputs;
}

/* float32 outputs within atol + rtol · max |expected| of the output
 * (folding rescales filters: one rounding per weight), others equal. */
static void
assert_close (LaminaModel *m, GPtrArray *got, GPtrArray *want, double rtol)
{
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (m->graph->outputs, i);
      gsize n, nw;
      const float *a = g_bytes_get_data (got->pdata[i], &n), *b = g_bytes_get_data (want->pdata[i], &nw);
      double scale = 0, diff = 0;
      g_assert_cmpuint (n, ==, nw);
      if (t->dtype != LAMINA_DTYPE_FLOAT32)
        {
          g_assert_true (g_bytes_equal (got->pdata[i], want->pdata[i]));
          continue;
        }
      for (gsize k = 0; k < n / sizeof (float); k++)
        {
          scale = MAX (scale, fabs (b[k]));
          diff = MAX (diff, fabs ((double) a[k] - b[k]));
        }
      g_test_message ("%s: max diff %g, max |x| %g", t->name, diff, scale);
      g_assert_cmpfloat (diff, <=, 1e-6 + rtol * scale);
    }
}

static void
assert_optimize_agrees (LaminaModel *m, const char *const *shapes, double rtol)
{
  g_autoptr(GPtrArray) fast = run (m, LAMINA_SIM_OPTIMIZE_ALL, shapes);
  g_autoptr(GPtrArray) fold_only = run (m, LAMINA_SIM_OPTIMIZE_NO_FUSE, shapes);
  g_autoptr(GPtrArray) fuse_only = run (m, LAMINA_SIM_OPTIMIZE_NO_FOLD, shapes);
  g_autoptr(GPtrArray) plain = run (m, LAMINA_SIM_OPTIMIZE_NONE, shapes);

  assert_close (m, fast, plain, rtol);
  assert_close (m, fold_only, plain, rtol);
  assert_close (m, fuse_only, plain, rtol);
}

/* ---- hand-made graphs -------------------------------------------------------- */

/* x [1,3,6,6] → Conv (4 out, 3×3, pad 1) → BatchNormalization → Mul (per
 * channel) → Add (scalar) → Relu */
static LaminaModel *
conv_chain_model (const char *activation)
{
  LaminaModel *m = model_new ();
  const gint64 x[] = { 1, 3, 6, 6 }, w[] = { 4, 3, 3, 3 }, c[] = { 4 }, pc[] = { 4, 1, 1 }, one[] = { 1 };
  LaminaNode *conv;
  LaminaAttr *pads;

  graph_input (m, "x", 4, x);
  constant (m, "w", 4, w, 1, -1, 1);
  constant (m, "b", 1, c, 2, -1, 1);
  constant (m, "gamma", 1, c, 3, 0.5, 2);
  constant (m, "beta", 1, c, 4, -1, 1);
  constant (m, "mean", 1, c, 5, -1, 1);
  constant (m, "var", 1, c, 6, 0.1, 2);
  constant (m, "scale", 3, pc, 7, -2, 2);
  constant (m, "shift", 1, one, 8, -1, 1);
  conv = node (m, "Conv", "y", "x", "w", "b", NULL);
  pads = lamina_node_add_attr (conv, "pads", LAMINA_ATTR_INTS);
  pads->n = 4;
  pads->ints = g_new (gint64, 4);
  for (int i = 0; i < 4; i++)
    pads->ints[i] = 1;
  node (m, "BatchNormalization", "bn", "y", "gamma", "beta", "mean", "var", NULL);
  node (m, "Mul", "mul", "scale", "bn", NULL);   /* the constant first */
  node (m, "Add", "add", "mul", "shift", NULL);
  if (g_str_equal (activation, "Clip"))
    {
      const gint64 scalar[] = { 0 };
      constant (m, "lo", 0, scalar, 0, 0, 0);
      constant (m, "hi", 0, scalar, 0, 1.5, 1.5);
      node (m, "Clip", "out", "add", "lo", "hi", NULL);
    }
  else
    node (m, activation, "out", "add", NULL);
  finish (m, "out");
  return m;
}

static void
test_conv_chain (void)
{
  const char *acts[] = { "Relu", "Clip" };

  for (guint i = 0; i < G_N_ELEMENTS (acts); i++)
    {
      g_autoptr(LaminaModel) m = conv_chain_model (acts[i]);
      assert_optimize_agrees (m, NULL, 1e-5);
    }
}

/* The fused chain still shows every node as a step; absorbed steps take no
 * time; the result appears when its own node's step has run. */
static void
test_fused_steps (void)
{
  g_autoptr(LaminaModel) m = conv_chain_model ("Relu");
  g_autoptr(LaminaSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1 }, &error);
  g_assert_no_error (error);
  n = lamina_sim_n_steps (sim);
  g_assert_cmpuint (n, ==, 5);
  set_random_inputs (sim, m, NULL);
  g_assert_true (lamina_sim_step (sim, &error));   /* Conv: computes the whole chain */
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "y")));    /* skipped */
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "out")));  /* not yet: Relu has not run */
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_nonnull (lamina_sim_get_value (sim, tensor (m, "out")));
  for (guint s = 1; s < n; s++)
    g_assert_cmpfloat (lamina_sim_node_ms (sim, lamina_sim_step_node (sim, s)), ==, 0);
}

/* Keeping an inner tensor (the window's "inspect this") turns the fusion
 * off for the next run: the kept value is the exact Conv output. */
static void
test_kept_tensor_unfused (void)
{
  g_autoptr(LaminaModel) m = conv_chain_model ("Relu");
  g_autoptr(LaminaSim) fast = NULL, plain = NULL;
  g_autoptr(GError) error = NULL;
  const LaminaValue *a, *b;

  fast = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1 }, &error);
  plain = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1, .optimize = LAMINA_SIM_OPTIMIZE_NONE }, &error);
  g_assert_no_error (error);
  lamina_sim_keep (fast, tensor (m, "y"), TRUE);
  lamina_sim_keep (plain, tensor (m, "y"), TRUE);
  set_random_inputs (fast, m, NULL);
  set_random_inputs (plain, m, NULL);
  g_assert_true (lamina_sim_run (fast, &error) && lamina_sim_run (plain, &error));
  a = lamina_sim_get_value (fast, tensor (m, "y"));
  b = lamina_sim_get_value (plain, tensor (m, "y"));
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpmem (a->data, a->numel * 4, b->data, b->numel * 4);
  a = lamina_sim_get_value (fast, tensor (m, "out"));
  b = lamina_sim_get_value (plain, tensor (m, "out"));
  g_assert_cmpmem (a->data, a->numel * 4, b->data, b->numel * 4);
}

typedef struct {
  guint computed;   /* observer calls with a non-NULL output */
} ObserverLog;

static void
observer (const LaminaNode *n, const LaminaValue *const *outputs, guint n_outputs, double ms, gpointer data)
{
  ObserverLog *log = data;

  log->computed += n_outputs > 0 && outputs[0] != NULL;
}

/* With an observer (the window, --dump) every node computes its output. */
static void
test_observer_unfused (void)
{
  g_autoptr(LaminaModel) m = conv_chain_model ("Relu");
  g_autoptr(LaminaSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  ObserverLog log = { 0 };

  sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1 }, &error);
  g_assert_no_error (error);
  lamina_sim_set_observer (sim, observer, &log);
  set_random_inputs (sim, m, NULL);
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_cmpuint (log.computed, ==, 5);
}

/* ---- QDQ Conv as QLinearConv --------------------------------------------------- */

/* A constant of dtype (int8 or float32) from a list of values. */
static void
constant_values (LaminaModel *m, const char *name, LaminaDType dtype, int rank, const gint64 *dims,
                 const double *values, guint n)
{
  LaminaTensor *t = tensor (m, name);
  gsize size = lamina_dtype_size (dtype);
  guint8 *data = g_malloc (MAX (n * size, 1));

  for (guint i = 0; i < n; i++)
    {
      if (dtype == LAMINA_DTYPE_INT8)
        ((gint8 *) data)[i] = (gint8) values[i];
      else
        ((float *) data)[i] = (float) values[i];
    }
  t->dtype = dtype;
  lamina_shape_set (&t->shape, rank, dims);
  t->is_constant = TRUE;
  t->data = g_bytes_new_take (data, n * size);
}

/* DequantizeLinear (x_q; 0.5, 1) → Conv (DequantizeLinear (w_q; [0.25, 0.5],
 * 0; axis 0), B = [0.375, -1.25]) → Relu → QuantizeLinear (0.75, -3). */
static LaminaModel *
qdq_conv_model (void)
{
  LaminaModel *m = model_new ();
  const gint64 x[] = { 1, 1, 3, 3 }, w[] = { 2, 1, 2, 2 }, two[] = { 2 };
  const double wq[] = { 3, -2, 1, 4, -5, 2, 6, -1 }, sw[] = { 0.25, 0.5 }, zw[] = { 0, 0 }, b[] = { 0.375, -1.25 };
  const double sx = 0.5, zx = 1, sy = 0.75, zy = -3;
  LaminaNode *n;

  graph_input (m, "xq", 4, x);
  tensor (m, "xq")->dtype = LAMINA_DTYPE_INT8;
  constant_values (m, "sx", LAMINA_DTYPE_FLOAT32, 0, NULL, &sx, 1);
  constant_values (m, "zx", LAMINA_DTYPE_INT8, 0, NULL, &zx, 1);
  constant_values (m, "wq", LAMINA_DTYPE_INT8, 4, w, wq, 8);
  constant_values (m, "sw", LAMINA_DTYPE_FLOAT32, 1, two, sw, 2);
  constant_values (m, "zw", LAMINA_DTYPE_INT8, 1, two, zw, 2);
  constant_values (m, "b", LAMINA_DTYPE_FLOAT32, 1, two, b, 2);
  constant_values (m, "sy", LAMINA_DTYPE_FLOAT32, 0, NULL, &sy, 1);
  constant_values (m, "zy", LAMINA_DTYPE_INT8, 0, NULL, &zy, 1);
  node (m, "DequantizeLinear", "x", "xq", "sx", "zx", NULL);
  n = node (m, "DequantizeLinear", "w", "wq", "sw", "zw", NULL);
  lamina_node_add_attr (n, "axis", LAMINA_ATTR_INT)->i = 0;
  node (m, "Conv", "y", "x", "w", "b", NULL);
  node (m, "Relu", "r", "y", NULL);
  node (m, "QuantizeLinear", "out", "r", "sy", "zy", NULL);
  tensor (m, "out")->dtype = LAMINA_DTYPE_INT8;
  finish (m, "out");
  return m;
}

/* The int8 output (copied); *y_seen: whether the Conv's float output was
 * computed (the graph ran as written); *n_qlinear: steps that ran as a
 * QLinearConv (lamina_sim_step_op, what bench reports). */
static GBytes *
run_qdq (LaminaModel *m, LaminaSimOptimize optimize, gboolean keep_all, gboolean *y_seen, guint *n_qlinear)
{
  g_autoptr(LaminaSim) sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1, .optimize = optimize }, NULL);
  const gint8 xq[] = { 5, -3, 7, 0, 12, -8, 3, 2, -1 };
  const gint64 dims[] = { 1, 1, 3, 3 };
  g_autoptr(GError) error = NULL;
  LaminaValue v = { 0 };
  const LaminaValue *out;

  g_assert_nonnull (sim);
  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_INT8, 4, dims, &error));
  g_assert_true (lamina_value_alloc (&v, &error));
  memcpy (v.data, xq, sizeof xq);
  g_assert_true (lamina_sim_set_input (sim, "xq", &v, &error));
  lamina_value_clear (&v);
  lamina_sim_keep_all (sim, keep_all);
  *y_seen = FALSE;
  *n_qlinear = 0;
  for (guint i = 0; i < lamina_sim_n_steps (sim); i++)
    *n_qlinear += g_strcmp0 (lamina_sim_step_op (sim, i), "QLinearConv") == 0;
  while (lamina_sim_position (sim) < lamina_sim_n_steps (sim))
    {
      g_assert_true (lamina_sim_step (sim, &error));
      g_assert_no_error (error);
      *y_seen |= lamina_sim_get_value (sim, tensor (m, "y")) != NULL;
    }
  out = lamina_sim_get_value (sim, tensor (m, "out"));
  g_assert_nonnull (out);
  g_assert_cmpint (out->dtype, ==, LAMINA_DTYPE_INT8);
  g_assert_cmpint (out->numel, ==, 8);
  return g_bytes_new (out->data, out->numel);
}

/* The fused QLinearConv gives the integer results computed by hand:
 * acc = Σ (x_q − 1) · w_q + round (B / (0.5 · s_w)), y = max (round (acc ·
 * 0.5 · s_w / 0.75) − 3, −3); --no-optimize and keep_all run the graph as
 * written (the float Conv output exists), with the same values here. */
static void
test_qdq_conv (void)
{
  g_autoptr(LaminaModel) m = qdq_conv_model ();
  const gint8 want[] = { 8, -3, -3, 5, -3, 31, 8, -3 };
  const LaminaSimOptimize modes[] = { LAMINA_SIM_OPTIMIZE_ALL, LAMINA_SIM_OPTIMIZE_NONE, LAMINA_SIM_OPTIMIZE_ALL };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      gboolean y_seen;
      guint n_qlinear;
      g_autoptr(GBytes) got = run_qdq (m, modes[i], i == 2, &y_seen, &n_qlinear);
      g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), want, sizeof want);
      g_assert_cmpint (y_seen, ==, i != 0);
      g_assert_cmpuint (n_qlinear, ==, i == 0 ? 1 : 0);
    }
}

/* ---- QDQ pairs around data movement ------------------------------------------- */

/* xq (int8 [1,2,2,3]) → x = DQ (0.5, 1), read by Reshape → Q = rq and
 * Transpose → Q = tq (same parameters: one group); Concat (DQ (xq), DQ
 * (xq)) → Q = cq (a group of two DequantizeLinear); DQ (xq; 0.25, 1) →
 * Reshape → Q (0.5, 1) = mq (parameters differ: runs as written). */
static LaminaModel *
qdq_moving_model (void)
{
  LaminaModel *m = model_new ();
  const gint64 x[] = { 1, 2, 2, 3 }, two[] = { 2 }, perm[] = { 0, 1, 3, 2 }, shape[] = { 1, 12 };
  const double s = 0.5, s2 = 0.25, z = 1;
  const char *outputs[] = { "rq", "tq", "cq", "mq" };
  LaminaTensor *shape_t = tensor (m, "shape");
  g_autoptr(GError) error = NULL;
  LaminaNode *n;
  LaminaAttr *a;

  graph_input (m, "xq", 4, x);
  tensor (m, "xq")->dtype = LAMINA_DTYPE_INT8;
  constant_values (m, "s", LAMINA_DTYPE_FLOAT32, 0, NULL, &s, 1);
  constant_values (m, "s2", LAMINA_DTYPE_FLOAT32, 0, NULL, &s2, 1);
  constant_values (m, "z", LAMINA_DTYPE_INT8, 0, NULL, &z, 1);
  shape_t->dtype = LAMINA_DTYPE_INT64;
  lamina_shape_set (&shape_t->shape, 1, two);
  shape_t->is_constant = TRUE;
  shape_t->data = g_bytes_new (shape, sizeof shape);
  node (m, "DequantizeLinear", "x", "xq", "s", "z", NULL);
  node (m, "Reshape", "r", "x", "shape", NULL);
  node (m, "QuantizeLinear", "rq", "r", "s", "z", NULL);
  n = node (m, "Transpose", "t", "x", NULL);
  a = lamina_node_add_attr (n, "perm", LAMINA_ATTR_INTS);
  a->n = 4;
  a->ints = g_memdup2 (perm, sizeof perm);
  node (m, "QuantizeLinear", "tq", "t", "s", "z", NULL);
  node (m, "DequantizeLinear", "a", "xq", "s", "z", NULL);
  node (m, "DequantizeLinear", "b", "xq", "s", "z", NULL);
  n = node (m, "Concat", "c", "a", "b", NULL);
  lamina_node_add_attr (n, "axis", LAMINA_ATTR_INT)->i = 1;
  node (m, "QuantizeLinear", "cq", "c", "s", "z", NULL);
  node (m, "DequantizeLinear", "d", "xq", "s2", "z", NULL);
  node (m, "Reshape", "mr", "d", "shape", NULL);
  node (m, "QuantizeLinear", "mq", "mr", "s", "z", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      tensor (m, outputs[i])->dtype = LAMINA_DTYPE_INT8;
      g_ptr_array_add (m->graph->outputs, tensor (m, outputs[i]));
    }
  g_assert_true (lamina_graph_link (m->graph, &error));
  g_assert_no_error (error);
  return m;
}

/* The four outputs concatenated; *x_type: the dtype "x" had right after
 * its step (INT8 when the DequantizeLinear ran as a copy). */
static GByteArray *
run_moving (LaminaModel *m, LaminaSimOptimize optimize, gboolean keep_all, const gint8 *xq, LaminaDType *x_type)
{
  g_autoptr(LaminaSim) sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1, .optimize = optimize }, NULL);
  const gint64 dims[] = { 1, 2, 2, 3 };
  const char *outputs[] = { "rq", "tq", "cq", "mq" };
  GByteArray *all = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  LaminaValue v = { 0 };

  g_assert_nonnull (sim);
  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_INT8, 4, dims, &error));
  g_assert_true (lamina_value_alloc (&v, &error));
  memcpy (v.data, xq, 12);
  g_assert_true (lamina_sim_set_input (sim, "xq", &v, &error));
  lamina_value_clear (&v);
  lamina_sim_keep_all (sim, keep_all);
  *x_type = LAMINA_DTYPE_UNDEFINED;
  while (lamina_sim_position (sim) < lamina_sim_n_steps (sim))
    {
      const LaminaValue *x;
      lamina_sim_step (sim, &error);
      g_assert_no_error (error);
      x = lamina_sim_get_value (sim, tensor (m, "x"));
      if (x != NULL && *x_type == LAMINA_DTYPE_UNDEFINED)
        *x_type = x->dtype;
    }
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      const LaminaValue *out = lamina_sim_get_value (sim, tensor (m, outputs[i]));
      g_assert_nonnull (out);
      g_assert_cmpint (out->dtype, ==, LAMINA_DTYPE_INT8);
      g_byte_array_append (all, out->data, out->numel);
    }
  return all;
}

/* Optimised, the DequantizeLinear of a group runs as a copy of the
 * integers (x is int8) and the outputs are those of the graph run as
 * written (--no-optimize, keep_all: x is float32): rq = xq, tq its
 * transpose, cq = (xq, xq), mq = round half even ((xq − 1) / 2) + 1. */
static void
test_qdq_moving (void)
{
  g_autoptr(LaminaModel) m = qdq_moving_model ();
  const gint8 xq[] = { -128, -3, 0, 1, 2, 3, 4, 5, 7, 100, 126, 127 };
  const LaminaSimOptimize modes[] = { LAMINA_SIM_OPTIMIZE_ALL, LAMINA_SIM_OPTIMIZE_NONE, LAMINA_SIM_OPTIMIZE_ALL };
  const LaminaDType want_type[] = { LAMINA_DTYPE_INT8, LAMINA_DTYPE_FLOAT32, LAMINA_DTYPE_FLOAT32 };
  g_autoptr(GByteArray) first = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      LaminaDType x_type;
      g_autoptr(GByteArray) got = run_moving (m, modes[i], i == 2, xq, &x_type);
      g_assert_cmpint (x_type, ==, want_type[i]);
      g_assert_cmpuint (got->len, ==, 12 * 4 + 12);
      g_assert_cmpmem (got->data, 12, xq, 12);                        /* rq */
      g_assert_cmpint ((gint8) got->data[12 + 1], ==, xq[3]);           /* tq [0,0,0,1] = xq [0,0,1,0] */
      g_assert_cmpmem (got->data + 24, 12, xq, 12);                   /* cq */
      g_assert_cmpmem (got->data + 24 + 12, 12, xq, 12);
      g_assert_cmpint ((gint8) got->data[48 + 3], ==, 1);               /* (1 − 1) / 2 → 0, + 1 */
      g_assert_cmpint ((gint8) got->data[48 + 5], ==, 2);               /* (3 − 1) / 2 = 1 */
      g_assert_cmpint ((gint8) got->data[48 + 4], ==, 1);               /* 0.5 → 0 (half to even) */
      g_assert_cmpint ((gint8) got->data[48 + 7], ==, 3);               /* 2 */
      if (first == NULL)
        first = g_byte_array_ref (got);
      else
        g_assert_cmpmem (got->data, got->len, first->data, first->len);
    }
}

/* ---- QDQ unary functions as tables ---------------------------------------------- */

/* xq (int8 [1, 256]) → DequantizeLinear (0.05, 3) → op → QuantizeLinear
 * (1/128, −20) → out. */
static LaminaModel *
qdq_unary_model (const char *op)
{
  LaminaModel *m = model_new ();
  const gint64 x[] = { 1, 256 };
  const double s = 0.05, z = 3, sy = 1.0 / 128, zy = -20;
  LaminaNode *n;

  graph_input (m, "xq", 2, x);
  tensor (m, "xq")->dtype = LAMINA_DTYPE_INT8;
  constant_values (m, "s", LAMINA_DTYPE_FLOAT32, 0, NULL, &s, 1);
  constant_values (m, "z", LAMINA_DTYPE_INT8, 0, NULL, &z, 1);
  constant_values (m, "sy", LAMINA_DTYPE_FLOAT32, 0, NULL, &sy, 1);
  constant_values (m, "zy", LAMINA_DTYPE_INT8, 0, NULL, &zy, 1);
  node (m, "DequantizeLinear", "x", "xq", "s", "z", NULL);
  n = node (m, op, "f", "x", NULL);
  if (g_str_equal (op, "LeakyRelu"))
    lamina_node_add_attr (n, "alpha", LAMINA_ATTR_FLOAT)->f = 0.1;
  node (m, "QuantizeLinear", "out", "f", "sy", "zy", NULL);
  tensor (m, "out")->dtype = LAMINA_DTYPE_INT8;
  finish (m, "out");
  return m;
}

/* out for every int8 value; *x_seen: whether the DequantizeLinear's
 * float output was computed. */
static GBytes *
run_unary (LaminaModel *m, LaminaSimOptimize optimize, gboolean *x_seen)
{
  g_autoptr(LaminaSim) sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1, .optimize = optimize }, NULL);
  const gint64 dims[] = { 1, 256 };
  g_autoptr(GError) error = NULL;
  LaminaValue v = { 0 };
  const LaminaValue *out;

  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_INT8, 2, dims, &error));
  g_assert_true (lamina_value_alloc (&v, &error));
  for (int i = 0; i < 256; i++)
    ((gint8 *) v.data)[i] = (gint8) (i - 128);
  g_assert_true (lamina_sim_set_input (sim, "xq", &v, &error));
  lamina_value_clear (&v);
  *x_seen = FALSE;
  while (lamina_sim_position (sim) < lamina_sim_n_steps (sim))
    {
      lamina_sim_step (sim, &error);
      g_assert_no_error (error);
      *x_seen |= lamina_sim_get_value (sim, tensor (m, "x")) != NULL;
    }
  out = lamina_sim_get_value (sim, tensor (m, "out"));
  g_assert_nonnull (out);
  g_assert_cmpint (out->dtype, ==, LAMINA_DTYPE_INT8);
  return g_bytes_new (out->data, out->numel);
}

/* DequantizeLinear → Sigmoid / Tanh / LeakyRelu / HardSwish → QuantizeLinear
 * runs as one table lookup (the float output is never computed) and gives,
 * for every one of the 256 inputs, exactly the bytes of the graph run as
 * written. */
static void
test_qdq_table (void)
{
  static const char *const ops[] = { "Sigmoid", "Tanh", "LeakyRelu", "HardSwish" };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_autoptr(LaminaModel) m = qdq_unary_model (ops[i]);
      gboolean fused_seen, plain_seen;
      g_autoptr(GBytes) fused = run_unary (m, LAMINA_SIM_OPTIMIZE_ALL, &fused_seen);
      g_autoptr(GBytes) plain = run_unary (m, LAMINA_SIM_OPTIMIZE_NONE, &plain_seen);

      g_test_message ("%s", ops[i]);
      g_assert_false (fused_seen);
      g_assert_true (plain_seen);
      g_assert_true (g_bytes_equal (fused, plain));
    }
}

/* A DequantizeLinear and a QuantizeLinear without their inputs (model files
 * are untrusted) are left to the kernels, which report them when run:
 * planning them must not read past the node's inputs. */
static void
test_qdq_hostile (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  const gint64 x[] = { 1, 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaSim) sim = NULL;

  graph_input (m, "x", 2, x);
  node (m, "DequantizeLinear", "d", NULL);
  node (m, "Sigmoid", "s", "d", NULL);
  node (m, "QuantizeLinear", "q", "s", NULL);
  node (m, "Add", "out", "q", "x", NULL);
  finish (m, "out");
  sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1 }, &error);
  if (sim != NULL)
    {
      LaminaValue v = { 0 };
      g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 2, x, &error));
      g_assert_true (lamina_value_alloc (&v, &error));
      g_assert_true (lamina_sim_set_input (sim, "x", &v, &error));
      lamina_value_clear (&v);
      g_assert_false (lamina_sim_run (sim, &error));
    }
  g_assert_nonnull (error);
}

/* After a run, the steps from `first` on were absorbed: they took no time. */
static void
assert_absorbed (LaminaModel *m, guint first)
{
  g_autoptr(LaminaSim) sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1 }, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (sim);
  set_random_inputs (sim, m, NULL);
  g_assert_true (lamina_sim_run (sim, &error));
  for (guint s = first; s < lamina_sim_n_steps (sim); s++)
    g_assert_cmpfloat (lamina_sim_node_ms (sim, lamina_sim_step_node (sim, s)), ==, 0);
}

/* x · Clip (x + 3, 0, 6) / 6, and the Mul (·, 1/6) spelling */
static void
test_hard_swish (void)
{
  for (int spelling = 0; spelling < 2; spelling++)
    {
      g_autoptr(LaminaModel) m = model_new ();
      const gint64 x[] = { 2, 3, 5 }, scalar[] = { 0 };

      graph_input (m, "x", 3, x);
      constant (m, "three", 0, scalar, 0, 3, 3);
      constant (m, "zero", 0, scalar, 0, 0, 0);
      constant (m, "six", 0, scalar, 0, 6, 6);
      constant (m, "sixth", 0, scalar, 0, 1.0f / 6, 1.0f / 6);
      node (m, "Add", "a", "three", "x", NULL);
      node (m, "Clip", "c", "a", "zero", "six", NULL);
      node (m, "Mul", "p", "x", "c", NULL);
      if (spelling == 0)
        node (m, "Div", "out", "p", "six", NULL);
      else
        node (m, "Mul", "out", "p", "sixth", NULL);
      finish (m, "out");
      assert_optimize_agrees (m, NULL, 1e-6);
      assert_absorbed (m, 1);
    }
}

/* A node of constants runs at plan time; its output is readable before
 * any step and its step takes no time. */
static void
test_constant_folding (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  g_autoptr(LaminaSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 x[] = { 2, 4 };
  const LaminaValue *k;
  LaminaNode *gemm;

  graph_input (m, "x", 2, x);
  constant (m, "a", 2, x, 11, -1, 1);
  constant (m, "b", 2, x, 12, -1, 1);
  node (m, "Mul", "k", "a", "b", NULL);
  gemm = node (m, "Gemm", "g", "x", "k", NULL);
  lamina_node_add_attr (gemm, "transB", LAMINA_ATTR_INT)->i = 1;
  node (m, "Relu", "out", "g", NULL);
  finish (m, "out");
  assert_optimize_agrees (m, NULL, 1e-6);
  sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 1 }, &error);
  g_assert_no_error (error);
  k = lamina_sim_get_value (sim, tensor (m, "k"));
  g_assert_nonnull (k);
  for (int i = 0; i < 8; i++)
    g_assert_cmpfloat (LAMINA_VALUE_F32 (k)[i], ==,
                       ((const float *) g_bytes_get_data (tensor (m, "a")->data, NULL))[i] *
                       ((const float *) g_bytes_get_data (tensor (m, "b")->data, NULL))[i]);
  set_random_inputs (sim, m, NULL);
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_cmpfloat (lamina_sim_node_ms (sim, lamina_sim_step_node (sim, 0)), ==, 0);
}

/* ---- shared models --------------------------------------------------------------- */

typedef struct {
  const char *model;
  const char *shapes[3];   /* NAME, DIMS, NULL */
} SharedCase;

static const SharedCase shared_cases[] = {
  { "yolo-fastestv2-coco-352.onnx", { NULL } },
  { "ultraface-rfb-320.onnx", { NULL } },
  { "ultraface-slim-320.onnx", { NULL } },
  { "ppocrv4-det.onnx", { "x", "1x3x160x160", NULL } },
  { "ppocrv4-rec.onnx", { "x", "1x3x48x160", NULL } },
  { "yolov5n-fp16.tflite", { NULL } },
  { "blazeface-short-range.tflite", { NULL } },
};

static void
test_shared_model (gconstpointer data)
{
  const SharedCase *c = data;
  g_autofree char *path = lamina_test_shared_model (c->model);
  g_autoptr(LaminaModel) m = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  m = lamina_model_load (path, &error);
  g_assert_no_error (error);
  assert_optimize_agrees (m, c->shapes[0] ? c->shapes : NULL, 1e-5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sim-optimize/conv-chain", test_conv_chain);
  g_test_add_func ("/sim-optimize/fused-steps", test_fused_steps);
  g_test_add_func ("/sim-optimize/kept-tensor-unfused", test_kept_tensor_unfused);
  g_test_add_func ("/sim-optimize/observer-unfused", test_observer_unfused);
  g_test_add_func ("/sim-optimize/hard-swish", test_hard_swish);
  g_test_add_func ("/sim-optimize/constant-folding", test_constant_folding);
  g_test_add_func ("/sim-optimize/qdq-conv", test_qdq_conv);
  g_test_add_func ("/sim-optimize/qdq-moving", test_qdq_moving);
  g_test_add_func ("/sim-optimize/qdq-table", test_qdq_table);
  g_test_add_func ("/sim-optimize/qdq-hostile", test_qdq_hostile);
  for (guint i = 0; i < G_N_ELEMENTS (shared_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/sim-optimize/shared/%s", shared_cases[i].model);
      g_test_add_data_func (name, &shared_cases[i], test_shared_model);
    }
  return g_test_run ();
}
