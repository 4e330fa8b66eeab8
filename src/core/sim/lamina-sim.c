/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-sim.c: plan once, then execute node by node (see lamina-sim.h).
 *
 * Every tensor of the graph has a slot (indexed by tensor->index) holding
 * its LaminaValue and what the plan knows about it: where its value comes
 * from and the step of its last reader. Constants are borrowed views of the
 * model's data; inputs are owned copies; activations get their buffers from
 * the arena's free list.
 */
#define G_LOG_DOMAIN "lamina-sim"

#include <string.h>
#include <time.h>
#include <glib/gi18n.h>
#include "lamina-sim-optimize.h"

typedef struct {
  void  *data;
  gsize  nbytes;
} FreeBuffer;


/* ---- small helpers ------------------------------------------------------ */

static const char *
domain_name (const char *domain)
{
  return domain && domain[0] ? domain : "ai.onnx";
}

static gboolean
is_default_domain (const char *domain)
{
  return domain == NULL || domain[0] == '\0' || strcmp (domain, "ai.onnx") == 0;
}

static gint64
opset_of (const LaminaModel *model, const char *domain)
{
  if (model == NULL)
    return 0;
  for (guint i = 0; i < model->opsets->len; i++)
    {
      const LaminaOpset *o = &g_array_index (model->opsets, LaminaOpset, i);
      if (is_default_domain (domain) ? is_default_domain (o->domain) : g_strcmp0 (domain, o->domain) == 0)
        return o->version;
    }
  return 0;
}

static LaminaTensor *
node_tensor (GPtrArray *list, guint i)
{
  return g_ptr_array_index (list, i);
}

static Slot *
slot_of (const LaminaSim *sim, const LaminaTensor *t)
{
  return lamina_sim_slot (sim, t);
}

static double
now_ms (void)
{
  struct timespec ts;

  /* nanosecond clock: many nodes take less than the microsecond of
   * g_get_monotonic_time, and the per-type sums of bench add them up */
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* A Constant node whose value the loader already attached to its output
 * runs no kernel. */
static gboolean
node_is_folded (const LaminaNode *node)
{
  if (node->outputs->len == 0)
    return FALSE;
  for (guint i = 0; i < node->outputs->len; i++)
    {
      const LaminaTensor *t = node_tensor (node->outputs, i);
      if (t != NULL && !(t->is_constant && t->data != NULL))
        return FALSE;
    }
  return TRUE;
}

static const LaminaKernel *
default_lookup (const char *op_type, const char *domain, gpointer data)
{
  return lamina_kernel_lookup (op_type, domain);
}

/* ---- the arena ---------------------------------------------------------- */

static void
arena_release (LaminaSim *sim, Slot *slot)
{
  LaminaValue *v = &slot->value;

  slot->ready = FALSE;
  if (v->owned && v->data != NULL)
    {
      FreeBuffer b = { v->data, v->nbytes };
      g_array_append_val (sim->free_list, b);
    }
  v->data = NULL;
  v->nbytes = 0;
  v->owned = FALSE;
}

/* Gives v a buffer for its shape: the smallest free buffer that fits, else a
 * new one. */
static gboolean
arena_alloc (LaminaSim *sim, Slot *slot, GError **error)
{
  LaminaValue *v = &slot->value;
  gsize need = MAX ((gsize) v->numel * lamina_dtype_size (v->dtype), 1);
  guint best = G_MAXUINT;

  if (v->owned && v->data != NULL && v->nbytes >= need)
    return TRUE;
  arena_release (sim, slot);
  for (guint i = 0; i < sim->free_list->len; i++)
    {
      const FreeBuffer *b = &g_array_index (sim->free_list, FreeBuffer, i);
      if (b->nbytes >= need &&
          (best == G_MAXUINT || b->nbytes < g_array_index (sim->free_list, FreeBuffer, best).nbytes))
        best = i;
    }
  if (best == G_MAXUINT)
    return lamina_value_alloc (v, error);
  v->data = g_array_index (sim->free_list, FreeBuffer, best).data;
  v->nbytes = g_array_index (sim->free_list, FreeBuffer, best).nbytes;
  v->owned = TRUE;
  g_array_remove_index_fast (sim->free_list, best);
  return TRUE;
}

static gboolean
slot_recyclable (const LaminaSim *sim, const Slot *slot)
{
  return slot->kind == SLOT_ACTIVATION && !slot->is_output && !slot->keep && !sim->keep_all;
}

/* ---- planning ----------------------------------------------------------- */

static gboolean
plan_constant (Slot *slot, const LaminaTensor *t, GError **error)
{
  if (slot->kind != SLOT_UNUSED)
    return TRUE;
  if (!lamina_value_from_constant (&slot->value, t, error))
    return FALSE;
  slot->kind = SLOT_CONSTANT;
  slot->ready = TRUE;
  return TRUE;
}

/* Decides where every tensor's value comes from. */
static void
plan_slots (LaminaSim *sim)
{
  LaminaGraph *g = sim->graph;

  for (guint i = 0; i < g->tensors->len; i++)
    sim->slots[i].last_use = -1;
  for (guint i = 0; i < g->inputs->len; i++)
    {
      Slot *slot = slot_of (sim, g_ptr_array_index (g->inputs, i));
      if (slot != NULL)
        slot->kind = SLOT_INPUT;
    }
  for (guint s = 0; s < sim->n_steps; s++)
    for (guint i = 0; i < sim->steps[s].node->outputs->len; i++)
      {
        const LaminaTensor *t = node_tensor (sim->steps[s].node->outputs, i);
        Slot *slot = slot_of (sim, t);
        if (t != NULL && slot != NULL && slot->kind == SLOT_UNUSED && sim->steps[s].kernel != NULL)
          slot->kind = SLOT_ACTIVATION;
      }
  for (guint i = 0; i < g->outputs->len; i++)
    {
      Slot *slot = slot_of (sim, g_ptr_array_index (g->outputs, i));
      if (slot != NULL)
        slot->is_output = TRUE;
    }
}

/* Checks that every tensor a node reads has a source and records last uses. */
static gboolean
plan_reads (LaminaSim *sim, GError **error)
{
  for (guint s = 0; s < sim->n_steps; s++)
    {
      const LaminaNode *node = sim->steps[s].node;
      for (guint i = 0; i < node->inputs->len; i++)
        {
          const LaminaTensor *t = node_tensor (node->inputs, i);
          Slot *slot = slot_of (sim, t);
          if (t == NULL)
            continue;
          if (slot == NULL)
            {
              g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_UNSUPPORTED,
                           _("Node “%s” reads “%s” from an enclosing graph, which the simulator does not run"),
                           node->name, t->name);
              return FALSE;
            }
          if (slot->kind == SLOT_UNUSED && t->is_constant && t->producer == NULL &&
              !plan_constant (slot, t, error))
            return FALSE;
          if (slot->kind == SLOT_UNUSED && t->producer == NULL)
            {
              g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID,
                           _("Node “%s” reads “%s”, which is neither an input, a constant nor a node's output"),
                           node->name, t->name);
              return FALSE;
            }
          if (slot->kind == SLOT_UNUSED && !plan_constant (slot, t, error))
            return FALSE;   /* the output of a folded Constant node */
          slot->last_use = MAX (slot->last_use, (int) s);
        }
    }
  return TRUE;
}

/* Graph outputs that are constants (or folded) are readable too. */
static gboolean
plan_outputs (LaminaSim *sim, GError **error)
{
  for (guint i = 0; i < sim->graph->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (sim->graph->outputs, i);
      Slot *slot = slot_of (sim, t);
      if (slot == NULL || slot->kind != SLOT_UNUSED)
        continue;
      if (t->is_constant && !plan_constant (slot, t, error))
        return FALSE;
      if (!t->is_constant)
        {
          g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID,
                       _("Graph output “%s” is computed by no node"), t->name);
          return FALSE;
        }
    }
  return TRUE;
}

/* "Foo, Bar": the distinct operators without a kernel after the first. */
static char *
other_unsupported (GPtrArray *nodes, const LaminaNode *first)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (nodes, i);
      gboolean seen = strcmp (n->op_type, first->op_type) == 0;
      for (guint j = 0; j < names->len && !seen; j++)
        seen = strcmp (g_ptr_array_index (names, j), n->op_type) == 0;
      if (!seen)
        g_ptr_array_add (names, n->op_type);
    }
  g_ptr_array_add (names, NULL);
  return names->len > 1 ? g_strjoinv (", ", (char **) names->pdata) : NULL;
}

static gboolean
fail_unsupported (LaminaSim *sim, GPtrArray *missing, GError **error)
{
  const LaminaNode *n = g_ptr_array_index (missing, 0);
  g_autofree char *others = other_unsupported (missing, n);
  g_autofree char *message =
    g_strdup_printf (_("No kernel for operator %s (domain %s, opset %lld) of node “%s”"),
                     n->op_type, domain_name (n->domain), (long long) opset_of (sim->model, n->domain), n->name);

  if (others)
    g_set_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                 _("%s; also unsupported: %s"), message, others);
  else
    g_set_error_literal (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED, message);
  return FALSE;
}

static int
compare_node_index (gconstpointer a, gconstpointer b)
{
  const LaminaNode *x = *(const LaminaNode *const *) a, *y = *(const LaminaNode *const *) b;

  return x->index < y->index ? -1 : x->index > y->index;
}

static gboolean
plan_kernels (LaminaSim *sim, LaminaSimLookupFunc lookup, gpointer lookup_data, GError **error)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();

  for (guint s = 0; s < sim->n_steps; s++)
    {
      Step *step = &sim->steps[s];
      step->opset = opset_of (sim->model, step->node->domain);
      step->ms = -1;
      step->inputs = g_new0 (const LaminaValue *, MAX (step->node->inputs->len, 1));
      step->outputs = g_new0 (LaminaValue *, MAX (step->node->outputs->len, 1));
      if (node_is_folded (step->node))
        continue;
      /* the built-in kernels: integer ones for quantized nodes (issue 5) */
      step->kernel = lookup == default_lookup ? lamina_kernel_lookup_node (step->node)
                                              : lookup (step->node->op_type, step->node->domain, lookup_data);
      if (step->kernel == NULL)
        g_ptr_array_add (missing, (gpointer) step->node);
    }
  if (missing->len > 0)
    {
      /* report in file order, the order the user reads the graph in */
      g_ptr_array_sort (missing, compare_node_index);
      return fail_unsupported (sim, missing, error);
    }
  return TRUE;
}

/* prepare() of each kernel sees its constant inputs; inputs computed at run
 * time are NULL there (node->inputs tells them from omitted ones). */
static gboolean
plan_prepare (LaminaSim *sim, GError **error)
{
  for (guint s = 0; s < sim->n_steps; s++)
    {
      Step *step = &sim->steps[s];
      const LaminaNode *node = step->node;
      LaminaKernelCall call = { node, step->inputs, node->inputs->len, step->outputs,
                                node->outputs->len, step->opset, sim->parallel, NULL };

      if (step->kernel == NULL || step->kernel->prepare == NULL || step->folded)
        continue;
      for (guint i = 0; i < node->inputs->len; i++)
        {
          Slot *slot = slot_of (sim, node_tensor (node->inputs, i));
          step->inputs[i] = slot && slot->kind == SLOT_CONSTANT ? &slot->value : NULL;
        }
      if (!step->kernel->prepare (&call, &step->state, error))
        return FALSE;
      memset (step->inputs, 0, node->inputs->len * sizeof step->inputs[0]);
    }
  return TRUE;
}

static gboolean
plan_schedule (LaminaSim *sim, GError **error)
{
  g_autoptr(GPtrArray) order = lamina_graph_toposort (sim->graph, error);

  if (order == NULL)
    return FALSE;
  sim->n_steps = order->len;
  sim->steps = g_new0 (Step, MAX (order->len, 1));
  sim->step_of = g_new (int, MAX (sim->graph->nodes->len, 1));
  for (guint i = 0; i < sim->graph->nodes->len; i++)
    sim->step_of[i] = -1;
  for (guint s = 0; s < order->len; s++)
    {
      const LaminaNode *node = g_ptr_array_index (order, s);
      sim->steps[s].node = node;
      if (node->index < sim->graph->nodes->len)
        sim->step_of[node->index] = (int) s;
    }
  return TRUE;
}

LaminaSim *
lamina_sim_new (LaminaModel *model, LaminaGraph *graph, const LaminaSimOptions *options,
                GError **error)
{
  g_autoptr(LaminaSim) sim = NULL;
  LaminaSimLookupFunc lookup = options && options->lookup ? options->lookup : default_lookup;

  g_return_val_if_fail (graph != NULL, NULL);
  sim = g_new0 (LaminaSim, 1);
  sim->model = model;
  sim->graph = graph;
  sim->parallel = lamina_parallel_new (options ? options->threads : 0);
  sim->slots = g_new0 (Slot, MAX (graph->tensors->len, 1));
  sim->free_list = g_array_new (FALSE, FALSE, sizeof (FreeBuffer));
  if (!plan_schedule (sim, error) ||
      !plan_kernels (sim, lookup, options ? options->lookup_data : NULL, error))
    return NULL;
  plan_slots (sim);
  if (!plan_reads (sim, error) || !plan_outputs (sim, error))
    return NULL;
  if (options == NULL || !(options->optimize & LAMINA_SIM_OPTIMIZE_NO_FOLD))
    lamina_sim_fold_constants (sim);
  if (!plan_prepare (sim, error))
    return NULL;
  if (options == NULL || !(options->optimize & LAMINA_SIM_OPTIMIZE_NO_FUSE))
    lamina_sim_fuse (sim);
  return g_steal_pointer (&sim);
}

void
lamina_sim_free (LaminaSim *sim)
{
  if (sim == NULL)
    return;
  for (guint s = 0; s < sim->n_steps; s++)
    {
      Step *step = &sim->steps[s];
      if (step->state && step->kernel && step->kernel->free_state)
        step->kernel->free_state (step->state);
      lamina_sim_fusion_free (step->fusion, step->kernel);
      g_free (step->inputs);
      g_free (step->outputs);
    }
  for (guint i = 0; sim->slots && i < sim->graph->tensors->len; i++)
    lamina_value_clear (&sim->slots[i].value);
  for (guint i = 0; sim->free_list && i < sim->free_list->len; i++)
    g_free (g_array_index (sim->free_list, FreeBuffer, i).data);
  g_clear_pointer (&sim->free_list, g_array_unref);
  g_clear_pointer (&sim->parallel, lamina_parallel_free);
  g_free (sim->slots);
  g_free (sim->steps);
  g_free (sim->step_of);
  g_free (sim);
}

GPtrArray *
lamina_sim_unsupported_nodes (LaminaGraph *graph)
{
  GPtrArray *result = g_ptr_array_new ();

  for (guint i = 0; i < graph->nodes->len; i++)
    {
      LaminaNode *node = g_ptr_array_index (graph->nodes, i);
      if (!node_is_folded (node) && lamina_kernel_lookup (node->op_type, node->domain) == NULL)
        g_ptr_array_add (result, node);
    }
  return result;
}

GPtrArray *
lamina_sim_fallback_nodes (LaminaGraph *graph)
{
  GPtrArray *result = g_ptr_array_new ();

  for (guint i = 0; i < graph->nodes->len; i++)
    {
      LaminaNode *node = g_ptr_array_index (graph->nodes, i);
      if (!node_is_folded (node) && lamina_kernel_node_needs_fallback (node))
        g_ptr_array_add (result, node);
    }
  return result;
}

int
lamina_sim_threads (const LaminaSim *sim)
{
  return lamina_parallel_threads (sim->parallel);
}

/* ---- inputs ------------------------------------------------------------- */

static LaminaTensor *
find_input (const LaminaSim *sim, const char *name)
{
  for (guint i = 0; i < sim->graph->inputs->len; i++)
    {
      LaminaTensor *t = g_ptr_array_index (sim->graph->inputs, i);
      if (g_strcmp0 (t->name, name) == 0)
        return t;
    }
  return NULL;
}

static gboolean
check_input (const LaminaTensor *t, const LaminaValue *v, GError **error)
{
  g_autofree char *have = lamina_value_describe (v);
  g_autofree char *want = lamina_shape_to_string (&t->shape);

  if (t->dtype != LAMINA_DTYPE_UNDEFINED && v->dtype != t->dtype)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Input “%s” is %s, the model expects %s"), t->name, have,
                   lamina_dtype_name (t->dtype));
      return FALSE;
    }
  if (t->shape.rank >= 0 && t->shape.rank != v->rank)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Input “%s” is %s, the model expects the shape %s"), t->name, have, want);
      return FALSE;
    }
  for (int i = 0; i < t->shape.rank; i++)
    if (t->shape.dims[i].value >= 0 && t->shape.dims[i].value != v->dims[i])
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("Input “%s” is %s, the model expects the shape %s"), t->name, have, want);
        return FALSE;
      }
  if (v->numel > 0 && (v->data == NULL || lamina_dtype_size (v->dtype) == 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Input “%s” has no data"), t->name);
      return FALSE;
    }
  return TRUE;
}

gboolean
lamina_sim_set_input (LaminaSim *sim, const char *name, const LaminaValue *v, GError **error)
{
  LaminaTensor *t = find_input (sim, name);
  Slot *slot = slot_of (sim, t);
  LaminaValue *dst;

  if (t == NULL || slot == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The model has no input “%s”"), name);
      return FALSE;
    }
  if (!check_input (t, v, error))
    return FALSE;
  lamina_sim_reset (sim);
  dst = &slot->value;
  if (v == dst)
    return TRUE;   /* the caller handed back the value it read */
  slot->ready = FALSE;
  if (!lamina_value_set_shape (dst, v->dtype, v->rank, v->dims, error) ||
      !lamina_value_alloc (dst, error))
    return FALSE;
  if (v->numel > 0)
    memcpy (dst->data, v->data, (gsize) v->numel * lamina_dtype_size (v->dtype));
  dst->quant = v->quant ? v->quant : t->quant;
  slot->ready = TRUE;
  return TRUE;
}

/* ---- execution ---------------------------------------------------------- */

guint
lamina_sim_n_steps (const LaminaSim *sim)
{
  return sim->n_steps;
}

guint
lamina_sim_position (const LaminaSim *sim)
{
  return sim->position;
}

const LaminaNode *
lamina_sim_step_node (const LaminaSim *sim, guint i)
{
  return i < sim->n_steps ? sim->steps[i].node : NULL;
}

const char *
lamina_sim_step_op (const LaminaSim *sim, guint i)
{
  const Step *step;

  if (i >= sim->n_steps)
    return NULL;
  step = &sim->steps[i];
  if (step->fusion != NULL && step->fusion->kernel != NULL && lamina_sim_fusion_live (sim, step->fusion))
    return step->fusion->kernel->op_type;
  return step->node->op_type;
}

int
lamina_sim_step_of (const LaminaSim *sim, const LaminaNode *node)
{
  if (node == NULL || node->graph != sim->graph || node->index >= sim->graph->nodes->len)
    return -1;
  return sim->step_of[node->index];
}

/* Points the call's arrays at the slots; an output nobody will look at is
 * NULL so that the kernel may skip it. A live fusion writes the result of
 * its last absorbed node instead of the head's own output. */
static gboolean
bind_step (LaminaSim *sim, Step *step, const LaminaSimFusion *fusion, GError **error)
{
  const LaminaNode *node = step->node;

  for (guint i = 0; i < node->inputs->len; i++)
    {
      const LaminaTensor *t = node_tensor (node->inputs, i);
      Slot *slot = slot_of (sim, t);
      step->inputs[i] = NULL;
      if (t == NULL)
        continue;
      if (slot == NULL || !slot->ready)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                       slot && slot->kind == SLOT_INPUT ? _("Input “%s” has not been set")
                                                        : _("“%s” has no value yet"), t->name);
          return FALSE;
        }
      step->inputs[i] = &slot->value;
    }
  for (guint i = 0; i < node->outputs->len; i++)
    {
      const LaminaTensor *t = node_tensor (node->outputs, i);
      Slot *slot = slot_of (sim, t);
      gboolean wanted = slot && slot->kind == SLOT_ACTIVATION &&
                        (slot->last_use >= 0 || !slot_recyclable (sim, slot));
      step->outputs[i] = wanted ? &slot->value : NULL;
      if (slot && slot->kind == SLOT_ACTIVATION)
        slot->ready = FALSE;   /* also when a kept value is recomputed */
      if (wanted)
        slot->value.quant = t->quant;
    }
  if (fusion != NULL)
    {
      Slot *slot = slot_of (sim, fusion->result);
      step->outputs[0] = &slot->value;
      slot->ready = FALSE;
      slot->value.quant = fusion->result->quant;
    }
  return TRUE;
}

static gboolean
compute_step (LaminaSim *sim, Step *step, const LaminaSimFusion *fusion, GError **error)
{
  const LaminaNode *node = step->node;
  LaminaKernelCall call = { node, step->inputs, node->inputs->len, step->outputs,
                            node->outputs->len, step->opset, sim->parallel, step->state, NULL };

  const LaminaKernel *kernel = step->kernel;

  if (fusion != NULL)
    {
      call.clamp = fusion->clamp;
      if (fusion->kernel != NULL)
        {
          /* a replacement kernel of one output; its input 0 is the head's
           * input `source`, the others constants of the fusion */
          kernel = fusion->kernel;
          call.node = fusion->node;
          fusion->inputs[0] = step->inputs[fusion->source];
          call.inputs = fusion->inputs;
          call.n_inputs = fusion->n_inputs;
          call.n_outputs = 1;
          call.state = fusion->state;
        }
      else if (fusion->inputs != NULL)
        {
          /* the filter and bias with the affine nodes folded in */
          fusion->inputs[0] = step->inputs[0];
          call.inputs = fusion->inputs;
          call.n_inputs = fusion->n_inputs;
          call.state = fusion->state;
        }
    }
  if (!kernel->reshape (&call, error))
    return FALSE;
  for (guint i = 0; i < node->outputs->len; i++)
    if (step->outputs[i] != NULL &&
        !arena_alloc (sim, slot_of (sim, fusion && i == 0 ? fusion->result : node_tensor (node->outputs, i)), error))
      return FALSE;
  return kernel->run (&call, error);
}

/* Recycles what no later step reads. */
static void
release_after (LaminaSim *sim, guint s)
{
  const LaminaNode *node = sim->steps[s].node;

  for (guint i = 0; i < node->inputs->len; i++)
    {
      Slot *slot = slot_of (sim, node_tensor (node->inputs, i));
      if (slot && slot->ready && slot->last_use == (int) s && slot_recyclable (sim, slot))
        arena_release (sim, slot);
    }
  for (guint i = 0; i < node->outputs->len; i++)
    {
      Slot *slot = slot_of (sim, node_tensor (node->outputs, i));
      if (slot && slot->last_use < 0 && slot_recyclable (sim, slot))
        arena_release (sim, slot);
    }
}

static void
notify_observer (LaminaSim *sim, Step *step)
{
  const LaminaNode *node = step->node;
  g_autofree const LaminaValue **values = g_new0 (const LaminaValue *, MAX (node->outputs->len, 1));

  for (guint i = 0; i < node->outputs->len; i++)
    {
      Slot *slot = slot_of (sim, node_tensor (node->outputs, i));
      values[i] = slot && slot->ready ? &slot->value : NULL;
    }
  sim->observer (node, values, node->outputs->len, step->ms, sim->observer_data);
}

/* A step whose result an earlier (head) step computed: its output becomes
 * ready now, in schedule order; an inner node of the chain has none. */
static void
finish_absorbed (LaminaSim *sim, Step *step)
{
  const LaminaTensor *t = node_tensor (step->node->outputs, 0);
  Slot *slot = slot_of (sim, t);

  if (step->absorbed == LAMINA_SIM_ABSORBED_RESULT && slot != NULL)
    slot->ready = TRUE;
  step->absorbed = LAMINA_SIM_ABSORBED_NOT;
  step->ms = 0;
}

/* Runs the kernel of the step (or of its live fusion); FALSE on error. */
static gboolean
execute_step (LaminaSim *sim, Step *step, GError **error)
{
  const LaminaSimFusion *fusion = step->fusion && lamina_sim_fusion_live (sim, step->fusion) ? step->fusion : NULL;
  double start;

  if (step->absorbed)
    {
      finish_absorbed (sim, step);
      return TRUE;
    }
  if (!bind_step (sim, step, fusion, error))
    return FALSE;
  start = now_ms ();
  if (step->kernel != NULL && !step->folded && !compute_step (sim, step, fusion, error))
    return FALSE;
  step->ms = step->kernel != NULL && !step->folded ? now_ms () - start : 0;
  for (guint i = 0; i < step->node->outputs->len; i++)
    if (step->outputs[i] != NULL && !(fusion && i == 0 && fusion->n_absorbed > 0))   /* else the last absorbed step's */
      slot_of (sim, node_tensor (step->node->outputs, i))->ready = TRUE;
  for (guint i = 0; fusion && i < fusion->n_absorbed; i++)
    sim->steps[fusion->absorbed[i]].absorbed =
      i + 1 == fusion->n_absorbed ? LAMINA_SIM_ABSORBED_RESULT : LAMINA_SIM_ABSORBED_INNER;
  return TRUE;
}

gboolean
lamina_sim_step (LaminaSim *sim, GError **error)
{
  Step *step;

  if (sim->position >= sim->n_steps)
    return TRUE;
  step = &sim->steps[sim->position];
  if (!execute_step (sim, step, error))
    return FALSE;
  if (sim->observer)
    notify_observer (sim, step);
  release_after (sim, sim->position);
  sim->position++;
  return TRUE;
}

static gboolean
run_until (LaminaSim *sim, guint end, GError **error)
{
  g_atomic_int_set (&sim->cancelled, 0);
  while (sim->position < end)
    {
      if (!lamina_sim_step (sim, error))
        return FALSE;
      if (sim->position < end && g_atomic_int_get (&sim->cancelled))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The run was cancelled"));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
lamina_sim_run_to (LaminaSim *sim, const LaminaNode *node, GError **error)
{
  int s = lamina_sim_step_of (sim, node);

  if (s < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Node “%s” is not part of the simulated graph"), node ? node->name : "");
      return FALSE;
    }
  return run_until (sim, (guint) s + 1, error);
}

gboolean
lamina_sim_run (LaminaSim *sim, GError **error)
{
  return run_until (sim, sim->n_steps, error);
}

void
lamina_sim_reset (LaminaSim *sim)
{
  for (guint i = 0; i < sim->graph->tensors->len; i++)
    if (sim->slots[i].kind == SLOT_ACTIVATION)
      arena_release (sim, &sim->slots[i]);
  for (guint s = 0; s < sim->n_steps; s++)
    {
      sim->steps[s].ms = -1;
      sim->steps[s].absorbed = LAMINA_SIM_ABSORBED_NOT;
    }
  sim->position = 0;
}

void
lamina_sim_cancel (LaminaSim *sim)
{
  g_atomic_int_set (&sim->cancelled, 1);
}

void
lamina_sim_set_observer (LaminaSim *sim, LaminaSimObserver observer, gpointer data)
{
  sim->observer = observer;
  sim->observer_data = data;
}

void
lamina_sim_keep (LaminaSim *sim, const LaminaTensor *t, gboolean keep)
{
  Slot *slot = slot_of (sim, t);

  if (slot)
    slot->keep = keep;
}

void
lamina_sim_keep_all (LaminaSim *sim, gboolean keep)
{
  sim->keep_all = keep;
}

const LaminaValue *
lamina_sim_get_value (const LaminaSim *sim, const LaminaTensor *t)
{
  const Slot *slot = slot_of (sim, t);

  return slot && slot->ready ? &slot->value : NULL;
}

double
lamina_sim_node_ms (const LaminaSim *sim, const LaminaNode *node)
{
  int s = lamina_sim_step_of (sim, node);

  return s < 0 ? -1 : sim->steps[s].ms;
}
