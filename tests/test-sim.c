/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-sim: the simulator engine with kernels of its own (through the
 * lookup option), so the engine is tested apart from the operator families:
 * planning errors, inputs, step / run_to / run / reset, the arena (buffer
 * reuse, kept tensors), observers, cancel from another thread, prepare and
 * free_state, outputs nobody reads.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include "sim/lamina-sim.h"
#include "lamina-model-load.h"
#include "lamina-test-util.h"

/* ---- test kernels (float32 only) ---------------------------------------- */

static gboolean
same_shape_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *a = call->inputs[0];

  if (call->n_inputs < 1 || a == NULL || a->dtype != LAMINA_DTYPE_FLOAT32)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, "needs a float32 input");
  for (guint i = 0; i < call->n_outputs; i++)
    if (call->outputs[i] && !lamina_value_set_shape (call->outputs[i], a->dtype, a->rank, a->dims, error))
      return FALSE;
  return TRUE;
}

static gboolean
relu_run (LaminaKernelCall *call, GError **error)
{
  const float *x = LAMINA_VALUE_F32 (call->inputs[0]);
  float *y = LAMINA_VALUE_F32 (call->outputs[0]);

  for (gint64 i = 0; i < call->inputs[0]->numel; i++)
    y[i] = x[i] > 0 ? x[i] : 0;
  return TRUE;
}

static gboolean
add_reshape (LaminaKernelCall *call, GError **error)
{
  if (call->n_inputs != 2 || !call->inputs[0] || !call->inputs[1] ||
      !lamina_value_same_shape (call->inputs[0], call->inputs[1]))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, "shapes differ");
  return same_shape_reshape (call, error);
}

static gboolean
add_run (LaminaKernelCall *call, GError **error)
{
  const float *a = LAMINA_VALUE_F32 (call->inputs[0]), *b = LAMINA_VALUE_F32 (call->inputs[1]);
  float *y = LAMINA_VALUE_F32 (call->outputs[0]);

  for (gint64 i = 0; i < call->inputs[0]->numel; i++)
    y[i] = a[i] + b[i];
  return TRUE;
}

/* Two outputs: x + 1 and x + 2; the second is often unread. */
static int split_second_computed;

static gboolean
split_run (LaminaKernelCall *call, GError **error)
{
  const float *x = LAMINA_VALUE_F32 (call->inputs[0]);

  for (guint o = 0; o < call->n_outputs; o++)
    {
      float *y;
      if (call->outputs[o] == NULL)
        continue;
      y = LAMINA_VALUE_F32 (call->outputs[o]);
      for (gint64 i = 0; i < call->inputs[0]->numel; i++)
        y[i] = x[i] + 1 + o;
      if (o == 1)
        split_second_computed++;
    }
  return TRUE;
}

static gboolean
slow_run (LaminaKernelCall *call, GError **error)
{
  g_usleep (3000);
  return relu_run (call, error);
}

static gboolean
fail_run (LaminaKernelCall *call, GError **error)
{
  return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, "always fails");
}

/* Scale: y = x · s where s is a constant input read once in prepare. */
static int n_prepared, n_freed;

static gboolean
scale_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  float *s;

  /* the runtime input is NULL at plan time, the constant is there */
  g_assert_null (call->inputs[0]);
  if (call->inputs[1] == NULL || call->inputs[1]->numel != 1)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED, "scale must be a constant");
  s = g_new (float, 1);
  *s = LAMINA_VALUE_F32 (call->inputs[1])[0];
  *state = s;
  n_prepared++;
  return TRUE;
}

static void
scale_free (gpointer state)
{
  n_freed++;
  g_free (state);
}

static gboolean
scale_run (LaminaKernelCall *call, GError **error)
{
  const float *x = LAMINA_VALUE_F32 (call->inputs[0]);
  float *y = LAMINA_VALUE_F32 (call->outputs[0]);
  float s = *(float *) call->state;

  for (gint64 i = 0; i < call->inputs[0]->numel; i++)
    y[i] = x[i] * s;
  return TRUE;
}

static const LaminaKernel test_kernels[] = {
  { "Add",   "", NULL, add_reshape, add_run, NULL },
  { "Fail",  "", NULL, same_shape_reshape, fail_run, NULL },
  { "Relu",  "", NULL, same_shape_reshape, relu_run, NULL },
  { "Scale", "", scale_prepare, same_shape_reshape, scale_run, scale_free },
  { "Slow",  "", NULL, same_shape_reshape, slow_run, NULL },
  { "Split", "", NULL, same_shape_reshape, split_run, NULL },
};

static const LaminaKernel *
test_lookup (const char *op_type, const char *domain, gpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (test_kernels); i++)
    if (strcmp (test_kernels[i].op_type, op_type) == 0 && (domain == NULL || domain[0] == '\0'))
      return &test_kernels[i];
  return NULL;
}

/* ---- graphs ------------------------------------------------------------- */

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
graph_input (LaminaGraph *g, const char *name, int rank, const gint64 *dims)
{
  LaminaTensor *t = lamina_graph_ensure_tensor (g, name);

  t->dtype = LAMINA_DTYPE_FLOAT32;
  lamina_shape_set (&t->shape, rank, dims);
  g_ptr_array_add (g->inputs, t);
  return t;
}

static LaminaNode *
add_node (LaminaGraph *g, const char *op, const char *in0, const char *in1, const char *out0,
          const char *out1)
{
  g_autofree char *name = g_strdup_printf ("%s_%u", op, g->nodes->len);
  LaminaNode *n = lamina_graph_add_node (g, name, op, "");

  lamina_node_add_input (n, lamina_graph_ensure_tensor (g, in0));
  if (in1)
    lamina_node_add_input (n, lamina_graph_ensure_tensor (g, in1));
  lamina_node_add_output (n, lamina_graph_ensure_tensor (g, out0));
  if (out1)
    lamina_node_add_output (n, lamina_graph_ensure_tensor (g, out1));
  return n;
}

static void
finish (LaminaGraph *g, const char *output)
{
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (g->outputs, lamina_graph_ensure_tensor (g, output));
  g_assert_true (lamina_graph_link (g, &error));
  g_assert_no_error (error);
}

/* x[1,4] → Relu a → Relu b → Relu c → Relu y */
static LaminaModel *
chain_model (const char *op)
{
  LaminaModel *m = model_new ();
  const gint64 dims[] = { 1, 4 };

  graph_input (m->graph, "x", 2, dims);
  add_node (m->graph, op, "x", NULL, "a", NULL);
  add_node (m->graph, op, "a", NULL, "b", NULL);
  add_node (m->graph, op, "b", NULL, "c", NULL);
  add_node (m->graph, op, "c", NULL, "y", NULL);
  finish (m->graph, "y");
  return m;
}

static LaminaSim *
sim_new (LaminaModel *m, int threads)
{
  LaminaSimOptions o = { threads, test_lookup, NULL };
  g_autoptr(GError) error = NULL;
  LaminaSim *sim = lamina_sim_new (m, m->graph, &o, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sim);
  return sim;
}

static void
set_input (LaminaSim *sim, const char *name, int rank, const gint64 *dims, float *data)
{
  LaminaValue v = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, rank, dims, NULL));
  v.data = data;
  g_assert_true (lamina_sim_set_input (sim, name, &v, &error));
  g_assert_no_error (error);
}

static LaminaTensor *
tensor (LaminaModel *m, const char *name)
{
  return lamina_graph_lookup_tensor (m->graph, name);
}

static void
assert_values (LaminaSim *sim, LaminaModel *m, const char *name, const float *expected, gint64 n)
{
  const LaminaValue *v = lamina_sim_get_value (sim, tensor (m, name));

  g_assert_nonnull (v);
  g_assert_cmpint (v->numel, ==, n);
  for (gint64 i = 0; i < n; i++)
    g_assert_cmpfloat (LAMINA_VALUE_F32 (v)[i], ==, expected[i]);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_run_chain (void)
{
  g_autoptr(LaminaModel) m = chain_model ("Relu");
  g_autoptr(LaminaSim) sim = sim_new (m, 1);
  const gint64 dims[] = { 1, 4 };
  float x[] = { -1, 2, -3, 4 };
  const float y[] = { 0, 2, 0, 4 };
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (lamina_sim_n_steps (sim), ==, 4);
  g_assert_cmpint (lamina_sim_threads (sim), ==, 1);
  /* no input yet */
  g_assert_false (lamina_sim_run (sim, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_assert_nonnull (strstr (error->message, "“x”"));
  g_clear_error (&error);
  g_assert_cmpuint (lamina_sim_position (sim), ==, 0);

  set_input (sim, "x", 2, dims, x);
  x[0] = 100;   /* the input was copied */
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lamina_sim_position (sim), ==, 4);
  assert_values (sim, m, "y", y, 4);
  /* intermediates were recycled, the graph output and the input stay */
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "a")));
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "b")));
  g_assert_nonnull (lamina_sim_get_value (sim, tensor (m, "x")));
  for (guint i = 0; i < 4; i++)
    g_assert_cmpfloat (lamina_sim_node_ms (sim, lamina_sim_step_node (sim, i)), >=, 0);
  /* stepping past the end does nothing */
  g_assert_true (lamina_sim_step (sim, &error));
  g_assert_cmpuint (lamina_sim_position (sim), ==, 4);

  lamina_sim_reset (sim);
  g_assert_cmpuint (lamina_sim_position (sim), ==, 0);
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "y")));
  g_assert_cmpfloat (lamina_sim_node_ms (sim, lamina_sim_step_node (sim, 0)), <, 0);
  /* inputs survive a reset */
  g_assert_true (lamina_sim_run (sim, &error));
  assert_values (sim, m, "y", y, 4);
}

static void
test_step_and_run_to (void)
{
  g_autoptr(LaminaModel) m = chain_model ("Relu");
  g_autoptr(LaminaModel) other = chain_model ("Relu");
  g_autoptr(LaminaSim) sim = sim_new (m, 1);
  const gint64 dims[] = { 1, 4 };
  float x[] = { -1, 2, -3, 4 };
  const float a[] = { 0, 2, 0, 4 };
  g_autoptr(GError) error = NULL;
  const LaminaNode *third = lamina_sim_step_node (sim, 2);

  set_input (sim, "x", 2, dims, x);
  g_assert_true (lamina_sim_step (sim, &error));
  g_assert_cmpuint (lamina_sim_position (sim), ==, 1);
  assert_values (sim, m, "a", a, 4);
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "b")));

  g_assert_true (lamina_sim_run_to (sim, third, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lamina_sim_position (sim), ==, 3);
  g_assert_cmpfloat (lamina_sim_node_ms (sim, third), >=, 0);
  g_assert_cmpfloat (lamina_sim_node_ms (sim, lamina_sim_step_node (sim, 3)), <, 0);
  /* a node that already ran: nothing to do */
  g_assert_true (lamina_sim_run_to (sim, lamina_sim_step_node (sim, 0), &error));
  g_assert_cmpuint (lamina_sim_position (sim), ==, 3);
  /* a node of another graph */
  g_assert_false (lamina_sim_run_to (sim, g_ptr_array_index (other->graph->nodes, 0), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (lamina_sim_step_of (sim, g_ptr_array_index (other->graph->nodes, 0)), ==, -1);
  g_assert_null (lamina_sim_step_node (sim, 4));
}

static void
test_arena_reuse (void)
{
  g_autoptr(LaminaModel) m = chain_model ("Relu");
  g_autoptr(LaminaSim) sim = sim_new (m, 1);
  const gint64 dims[] = { 1, 4 };
  float x[] = { 1, 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  const void *a_data;

  set_input (sim, "x", 2, dims, x);
  g_assert_true (lamina_sim_step (sim, &error));
  a_data = lamina_sim_get_value (sim, tensor (m, "a"))->data;
  g_assert_true (lamina_sim_step (sim, &error));   /* b = relu(a); a is dead now */
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "a")));
  g_assert_true (lamina_sim_step (sim, &error));   /* c reuses a's buffer */
  g_assert_true (lamina_sim_get_value (sim, tensor (m, "c"))->data == a_data);

  /* a kept tensor is never recycled */
  lamina_sim_reset (sim);
  lamina_sim_keep (sim, tensor (m, "a"), TRUE);
  g_assert_true (lamina_sim_run_to (sim, lamina_sim_step_node (sim, 2), &error));
  g_assert_true (lamina_sim_get_value (sim, tensor (m, "c"))->data !=
                 lamina_sim_get_value (sim, tensor (m, "a"))->data);
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_nonnull (lamina_sim_get_value (sim, tensor (m, "a")));
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "b")));
  lamina_sim_keep (sim, tensor (m, "a"), FALSE);

  /* keep_all: everything stays */
  lamina_sim_reset (sim);
  lamina_sim_keep_all (sim, TRUE);
  g_assert_true (lamina_sim_run (sim, &error));
  for (const char *const *n = (const char *const[]) { "a", "b", "c", "y", NULL }; *n; n++)
    g_assert_nonnull (lamina_sim_get_value (sim, tensor (m, *n)));
}

/* Split → (p, q): q is read by nobody, so it is not computed unless kept. */
static void
test_unread_output (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  g_autoptr(LaminaSim) sim = NULL;
  const gint64 dims[] = { 2 };
  float x[] = { 1, 2 };
  const float p[] = { 2, 3 }, q[] = { 3, 4 };
  g_autoptr(GError) error = NULL;

  graph_input (m->graph, "x", 1, dims);
  add_node (m->graph, "Split", "x", NULL, "p", "q");
  add_node (m->graph, "Relu", "p", NULL, "y", NULL);
  finish (m->graph, "y");
  sim = sim_new (m, 1);
  set_input (sim, "x", 1, dims, x);
  split_second_computed = 0;
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_cmpint (split_second_computed, ==, 0);
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "q")));
  assert_values (sim, m, "y", p, 2);

  lamina_sim_reset (sim);
  lamina_sim_keep (sim, tensor (m, "q"), TRUE);
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_cmpint (split_second_computed, ==, 1);
  assert_values (sim, m, "q", q, 2);
}

/* Add (x, x) reads one tensor twice; a diamond x → a, b → Add. */
static void
test_diamond (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  g_autoptr(LaminaSim) sim = NULL;
  const gint64 dims[] = { 3 };
  float x[] = { -1, 2, 3 };
  const float y[] = { 0, 8, 12 };
  g_autoptr(GError) error = NULL;

  graph_input (m->graph, "x", 1, dims);
  add_node (m->graph, "Relu", "x", NULL, "a", NULL);
  add_node (m->graph, "Add", "a", "a", "b", NULL);
  add_node (m->graph, "Add", "b", "b", "c", NULL);
  add_node (m->graph, "Relu", "c", NULL, "y", NULL);
  finish (m->graph, "y");
  sim = sim_new (m, 2);
  set_input (sim, "x", 1, dims, x);
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_no_error (error);
  assert_values (sim, m, "y", y, 3);
}

typedef struct {
  guint  calls;
  GPtrArray *names;
  LaminaSim *cancel_after_second;
} ObserverLog;

static void
observer (const LaminaNode *node, const LaminaValue *const *outputs, guint n_outputs, double ms,
          gpointer data)
{
  ObserverLog *log = data;

  g_assert_cmpuint (n_outputs, ==, node->outputs->len);
  g_assert_nonnull (outputs[0]);
  g_assert_cmpfloat (ms, >=, 0);
  g_ptr_array_add (log->names, node->name);
  if (++log->calls == 2 && log->cancel_after_second)
    lamina_sim_cancel (log->cancel_after_second);
}

static void
test_observer_and_cancel (void)
{
  g_autoptr(LaminaModel) m = chain_model ("Relu");
  g_autoptr(LaminaSim) sim = sim_new (m, 1);
  const gint64 dims[] = { 1, 4 };
  float x[] = { 1, 2, 3, 4 };
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  ObserverLog log = { 0, names, NULL };
  g_autoptr(GError) error = NULL;

  set_input (sim, "x", 2, dims, x);
  lamina_sim_set_observer (sim, observer, &log);
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_cmpuint (log.calls, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_true (g_ptr_array_index (names, i) == lamina_sim_step_node (sim, i)->name);

  /* cancel requested during the second node stops the run after it */
  lamina_sim_reset (sim);
  log.calls = 0;
  log.cancel_after_second = sim;
  g_assert_false (lamina_sim_run (sim, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (lamina_sim_position (sim), ==, 2);
  /* the request was consumed: continuing runs to the end */
  log.cancel_after_second = NULL;
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_cmpuint (lamina_sim_position (sim), ==, 4);
}

static gpointer
run_thread (gpointer data)
{
  GError *error = NULL;

  lamina_sim_run (data, &error);
  return error;
}

static void
test_cancel_from_thread (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  g_autoptr(LaminaSim) sim = NULL;
  const gint64 dims[] = { 4 };
  float x[] = { 1, 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  GThread *thread;

  graph_input (m->graph, "x", 1, dims);
  for (int i = 0; i < 2000; i++)
    {
      g_autofree char *in = g_strdup_printf ("t%d", i), *out = g_strdup_printf ("t%d", i + 1);
      add_node (m->graph, "Slow", i == 0 ? "x" : in, NULL, out, NULL);
    }
  finish (m->graph, "t2000");
  sim = sim_new (m, 1);
  set_input (sim, "x", 1, dims, x);
  thread = g_thread_new ("run", run_thread, sim);
  g_usleep (30000);
  lamina_sim_cancel (sim);
  error = g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (lamina_sim_position (sim), >, 0);
  g_assert_cmpuint (lamina_sim_position (sim), <, 2000);
}

static void
test_kernel_error (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  g_autoptr(LaminaSim) sim = NULL;
  const gint64 dims[] = { 2 };
  float x[] = { 1, 2 };
  g_autoptr(GError) error = NULL;

  graph_input (m->graph, "x", 1, dims);
  add_node (m->graph, "Relu", "x", NULL, "a", NULL);
  add_node (m->graph, "Fail", "a", NULL, "y", NULL);
  finish (m->graph, "y");
  sim = sim_new (m, 1);
  set_input (sim, "x", 1, dims, x);
  g_assert_false (lamina_sim_run (sim, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Fail_1"));
  /* the failing node did not run; the one before did */
  g_assert_cmpuint (lamina_sim_position (sim), ==, 1);
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "y")));
  g_clear_error (&error);
  g_assert_false (lamina_sim_step (sim, &error));
  g_assert_cmpuint (lamina_sim_position (sim), ==, 1);
}

static void
test_prepare (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  LaminaSim *sim;
  const gint64 dims[] = { 2 };
  float x[] = { 1, -2 };
  const float two = 2, y[] = { 2, -4 };
  LaminaTensor *s;
  g_autoptr(GError) error = NULL;

  graph_input (m->graph, "x", 1, dims);
  s = lamina_graph_ensure_tensor (m->graph, "s");
  s->dtype = LAMINA_DTYPE_FLOAT32;
  s->is_constant = TRUE;
  lamina_shape_set (&s->shape, 0, NULL);
  s->data = g_bytes_new (&two, sizeof two);
  add_node (m->graph, "Scale", "x", "s", "y", NULL);
  finish (m->graph, "y");
  n_prepared = n_freed = 0;
  sim = sim_new (m, 1);
  g_assert_cmpint (n_prepared, ==, 1);
  set_input (sim, "x", 1, dims, x);
  g_assert_true (lamina_sim_run (sim, &error));
  assert_values (sim, m, "y", y, 2);
  /* constants are readable too */
  g_assert_nonnull (lamina_sim_get_value (sim, s));
  lamina_sim_free (sim);
  g_assert_cmpint (n_freed, ==, 1);
}

static void
test_prepare_error (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  const gint64 dims[] = { 2 };
  LaminaSimOptions o = { 1, test_lookup, NULL };
  g_autoptr(GError) error = NULL;

  graph_input (m->graph, "x", 1, dims);
  graph_input (m->graph, "s", 1, dims);
  add_node (m->graph, "Scale", "x", "s", "y", NULL);
  finish (m->graph, "y");
  g_assert_null (lamina_sim_new (m, m->graph, &o, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED);
}

static void
test_unsupported (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  const gint64 dims[] = { 2 };
  LaminaSimOptions o = { 1, test_lookup, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  LaminaNode *n;

  graph_input (m->graph, "x", 1, dims);
  add_node (m->graph, "Relu", "x", NULL, "a", NULL);
  n = lamina_graph_add_node (m->graph, "mystery", "Mystery", "com.example");
  lamina_node_add_input (n, lamina_graph_ensure_tensor (m->graph, "a"));
  lamina_node_add_output (n, lamina_graph_ensure_tensor (m->graph, "b"));
  add_node (m->graph, "Enigma", "b", NULL, "c", NULL);
  add_node (m->graph, "Mystery2", "c", NULL, "y", NULL);
  finish (m->graph, "y");
  g_assert_null (lamina_sim_new (m, m->graph, &o, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED);
  /* operator, domain and opset (0: the model imports no com.example) */
  g_assert_nonnull (strstr (error->message, "Mystery (domain com.example, opset 0)"));
  g_assert_nonnull (strstr (error->message, "“mystery”"));
  g_assert_nonnull (strstr (error->message, "Enigma, Mystery2"));
  g_test_message ("%s", error->message);

  /* the built-in registry knows none of these three */
  nodes = lamina_sim_unsupported_nodes (m->graph);
  g_assert_cmpuint (nodes->len, >=, 3);
  g_assert_true (g_ptr_array_index (nodes, nodes->len - 3) == n);
}

static void
test_default_domain_opset (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  g_autoptr(GError) error = NULL;
  const gint64 dims[] = { 2 };
  LaminaSimOptions o = { 1, test_lookup, NULL };

  graph_input (m->graph, "x", 1, dims);
  add_node (m->graph, "Nope", "x", NULL, "y", NULL);
  finish (m->graph, "y");
  g_assert_null (lamina_sim_new (m, m->graph, &o, &error));
  g_assert_nonnull (strstr (error->message, "Nope (domain ai.onnx, opset 13)"));
}

static void
test_set_input_checks (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  g_autoptr(LaminaSim) sim = NULL;
  const gint64 declared[] = { -1, 3 }, dims[] = { 2, 3 }, bad_dims[] = { 2, 4 }, flat[] = { 6 };
  float data[8] = { 1, -1, 2, -2, 3, -3, 0, 0 };
  const float y[] = { 1, 0, 2, 0, 3, 0 };
  LaminaValue v = { 0 };
  LaminaTensor *x;
  g_autoptr(GError) error = NULL;

  x = graph_input (m->graph, "x", 2, declared);
  x->shape.dims[0].symbol = g_strdup ("batch");
  add_node (m->graph, "Relu", "x", NULL, "y", NULL);
  finish (m->graph, "y");
  sim = sim_new (m, 1);

  v.data = data;
  lamina_value_set_shape (&v, LAMINA_DTYPE_INT32, 2, dims, NULL);
  g_assert_false (lamina_sim_set_input (sim, "x", &v, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 1, flat, NULL);
  g_assert_false (lamina_sim_set_input (sim, "x", &v, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 2, bad_dims, NULL);
  g_assert_false (lamina_sim_set_input (sim, "x", &v, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lamina_sim_set_input (sim, "nope", &v, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* the dynamic batch takes the value's size */
  lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 2, dims, NULL);
  g_assert_true (lamina_sim_set_input (sim, "x", &v, &error));
  g_assert_true (lamina_sim_run (sim, &error));
  assert_values (sim, m, "y", y, 6);
  g_assert_cmpint (lamina_sim_get_value (sim, tensor (m, "y"))->dims[0], ==, 2);
  /* setting an input resets the run */
  g_assert_true (lamina_sim_set_input (sim, "x", &v, &error));
  g_assert_cmpuint (lamina_sim_position (sim), ==, 0);
  g_assert_null (lamina_sim_get_value (sim, tensor (m, "y")));
}

/* A folded Constant node runs no kernel but is still a step. */
static void
test_folded_constant (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  g_autoptr(LaminaSim) sim = NULL;
  const gint64 dims[] = { 2 };
  const float k[] = { 10, 20 };
  float x[] = { 1, 2 };
  const float y[] = { 11, 22 };
  LaminaNode *c;
  LaminaTensor *kt;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unsupported = NULL;

  graph_input (m->graph, "x", 1, dims);
  c = lamina_graph_add_node (m->graph, "const", "Constant", "");
  kt = lamina_graph_ensure_tensor (m->graph, "k");
  lamina_node_add_output (c, kt);
  kt->dtype = LAMINA_DTYPE_FLOAT32;
  kt->is_constant = TRUE;
  lamina_shape_set (&kt->shape, 1, dims);
  kt->data = g_bytes_new (k, sizeof k);
  add_node (m->graph, "Add", "x", "k", "y", NULL);
  finish (m->graph, "y");
  sim = sim_new (m, 1);
  g_assert_cmpuint (lamina_sim_n_steps (sim), ==, 2);
  set_input (sim, "x", 1, dims, x);
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_no_error (error);
  assert_values (sim, m, "y", y, 2);
  assert_values (sim, m, "k", k, 2);
  unsupported = lamina_sim_unsupported_nodes (m->graph);
  for (guint i = 0; i < unsupported->len; i++)
    g_assert_true (g_ptr_array_index (unsupported, i) != c);
}

static void
test_dangling_read (void)
{
  g_autoptr(LaminaModel) m = model_new ();
  const gint64 dims[] = { 2 };
  LaminaSimOptions o = { 1, test_lookup, NULL };
  g_autoptr(GError) error = NULL;

  graph_input (m->graph, "x", 1, dims);
  add_node (m->graph, "Add", "x", "ghost", "y", NULL);
  finish (m->graph, "y");
  g_assert_null (lamina_sim_new (m, m->graph, &o, &error));
  g_assert_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "ghost"));
}

/* With real kernels on shared models: recycling buffers changes nothing
 * (the same bytes as with every tensor kept), and a reset run repeats. */
static void
fill_random (LaminaValue *v, const LaminaTensor *t, GRand *rand)
{
  gint64 dims[LAMINA_MAX_RANK];

  for (int i = 0; i < t->shape.rank; i++)
    dims[i] = t->shape.dims[i].value;
  g_assert_true (lamina_value_set_shape (v, t->dtype, t->shape.rank, dims, NULL));
  g_assert_true (lamina_value_alloc (v, NULL));
  for (gint64 i = 0; i < v->numel; i++)
    LAMINA_VALUE_F32 (v)[i] = (float) g_rand_double (rand);
}

static GPtrArray *
run_outputs (LaminaModel *m, gboolean keep_all)
{
  g_autoptr(LaminaSim) sim = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) error = NULL;
  GPtrArray *outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  /* keep_all turns fusions off (exact intermediates), which changes float
   * rounding; test-sim-optimize compares fused and unfused runs */
  sim = lamina_sim_new (m, m->graph, &(LaminaSimOptions) { 2, .optimize = LAMINA_SIM_OPTIMIZE_NO_FUSE }, &error);
  g_assert_no_error (error);
  lamina_sim_keep_all (sim, keep_all);
  for (guint i = 0; i < m->graph->inputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (m->graph->inputs, i);
      LaminaValue v = { 0 };
      fill_random (&v, t, rand);
      g_assert_true (lamina_sim_set_input (sim, t->name, &v, &error));
      lamina_value_clear (&v);
    }
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

static void
test_arena_agrees (gconstpointer data)
{
  g_autofree char *path = lamina_test_shared_model (data);
  g_autoptr(LaminaModel) m = NULL;
  g_autoptr(GPtrArray) recycled = NULL, kept = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  m = lamina_model_load (path, &error);
  g_assert_no_error (error);
  recycled = run_outputs (m, FALSE);
  kept = run_outputs (m, TRUE);
  for (guint i = 0; i < recycled->len; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (recycled, i), g_ptr_array_index (kept, i)));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sim/run-chain", test_run_chain);
  g_test_add_func ("/sim/step-and-run-to", test_step_and_run_to);
  g_test_add_func ("/sim/arena-reuse", test_arena_reuse);
  g_test_add_func ("/sim/unread-output", test_unread_output);
  g_test_add_func ("/sim/diamond", test_diamond);
  g_test_add_func ("/sim/observer-and-cancel", test_observer_and_cancel);
  g_test_add_func ("/sim/cancel-from-thread", test_cancel_from_thread);
  g_test_add_func ("/sim/kernel-error", test_kernel_error);
  g_test_add_func ("/sim/prepare", test_prepare);
  g_test_add_func ("/sim/prepare-error", test_prepare_error);
  g_test_add_func ("/sim/unsupported", test_unsupported);
  g_test_add_func ("/sim/default-domain-opset", test_default_domain_opset);
  g_test_add_func ("/sim/set-input-checks", test_set_input_checks);
  g_test_add_func ("/sim/folded-constant", test_folded_constant);
  g_test_add_func ("/sim/dangling-read", test_dangling_read);
  g_test_add_data_func ("/sim/arena-agrees/ultraface-slim", "ultraface-slim-320.onnx", test_arena_agrees);
  g_test_add_data_func ("/sim/arena-agrees/yolo-fastestv2", "yolo-fastestv2-coco-352.onnx", test_arena_agrees);
  g_test_add_data_func ("/sim/arena-agrees/blazeface", "blazeface-short-range.tflite", test_arena_agrees);
  return g_test_run ();
}
