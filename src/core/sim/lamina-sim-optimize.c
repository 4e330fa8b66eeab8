/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-sim-optimize.c: constant folding and fusion at plan time (see
 * lamina-sim-optimize.h).
 */
#define G_LOG_DOMAIN "lamina-sim"

#include <math.h>
#include <string.h>
#include "lamina-sim-optimize.h"

static LaminaTensor *
tensor_at (GPtrArray *list, guint i)
{
  return g_ptr_array_index (list, i);
}

static gboolean
is_default_domain (const char *domain)
{
  return domain == NULL || domain[0] == '\0' || strcmp (domain, "ai.onnx") == 0;
}

static gboolean
is_op (const LaminaNode *node, const char *op_type)
{
  return is_default_domain (node->domain) && strcmp (node->op_type, op_type) == 0;
}

/* A constant value the plan holds for t, or NULL. */
static const LaminaValue *
constant_value (const LaminaSim *sim, const LaminaTensor *t)
{
  const Slot *slot = lamina_sim_slot (sim, t);

  return slot && slot->kind == SLOT_CONSTANT && slot->ready ? &slot->value : NULL;
}

/* ---- constant folding ---------------------------------------------------- */

/* Operators whose result is not a function of their inputs. */
static gboolean
is_random (const LaminaNode *node)
{
  static const char *const names[] = {
    "Bernoulli", "Multinomial", "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (node->op_type, names[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
foldable (const LaminaSim *sim, const Step *step)
{
  const LaminaNode *node = step->node;
  guint n = 0;

  if (step->kernel == NULL || step->folded || is_random (node))
    return FALSE;
  for (guint i = 0; i < node->inputs->len; i++)
    {
      const LaminaTensor *t = tensor_at (node->inputs, i);
      if (t == NULL)
        continue;
      if (constant_value (sim, t) == NULL)
        return FALSE;
      n++;
    }
  for (guint i = 0; i < node->outputs->len; i++)
    {
      const LaminaTensor *t = tensor_at (node->outputs, i);
      const Slot *slot = lamina_sim_slot (sim, t);
      if (t != NULL && (slot == NULL || slot->kind != SLOT_ACTIVATION))
        return FALSE;
    }
  return n > 0;
}

static gboolean
fold_fits (const LaminaValue *values, guint n)
{
  gsize total = 0;

  for (guint i = 0; i < n; i++)
    total += (gsize) values[i].numel * lamina_dtype_size (values[i].dtype);
  return total <= LAMINA_SIM_FOLD_MAX_BYTES;
}

/* prepare, reshape, allocate and run the node into `values`. */
static gboolean
fold_compute (LaminaSim *sim, Step *step, LaminaValue *values, GError **error)
{
  const LaminaNode *node = step->node;
  LaminaKernelCall call = { node, step->inputs, node->inputs->len, step->outputs,
                            node->outputs->len, step->opset, sim->parallel, NULL, NULL };
  gboolean ok = TRUE;

  for (guint i = 0; i < node->inputs->len; i++)
    step->inputs[i] = constant_value (sim, tensor_at (node->inputs, i));
  if (step->kernel->prepare)
    ok = step->kernel->prepare (&call, &call.state, error);
  for (guint i = 0; i < node->outputs->len; i++)
    step->outputs[i] = tensor_at (node->outputs, i) ? &values[i] : NULL;
  ok = ok && step->kernel->reshape (&call, error) && fold_fits (values, node->outputs->len);
  for (guint i = 0; ok && i < node->outputs->len; i++)
    ok = step->outputs[i] == NULL || lamina_value_alloc (step->outputs[i], error);
  ok = ok && step->kernel->run (&call, error);
  if (call.state && step->kernel->free_state)
    step->kernel->free_state (call.state);
  memset (step->inputs, 0, node->inputs->len * sizeof step->inputs[0]);
  memset (step->outputs, 0, node->outputs->len * sizeof step->outputs[0]);
  return ok;
}

static void
fold_step (LaminaSim *sim, Step *step)
{
  const LaminaNode *node = step->node;
  g_autofree LaminaValue *values = g_new0 (LaminaValue, MAX (node->outputs->len, 1));
  g_autoptr(GError) error = NULL;

  if (!fold_compute (sim, step, values, &error))
    {
      /* run time fails the same way, at the node, where the user sees it */
      for (guint i = 0; i < node->outputs->len; i++)
        lamina_value_clear (&values[i]);
      return;
    }
  for (guint i = 0; i < node->outputs->len; i++)
    {
      const LaminaTensor *t = tensor_at (node->outputs, i);
      Slot *slot = lamina_sim_slot (sim, t);
      if (slot == NULL)
        continue;
      lamina_value_clear (&slot->value);
      slot->value = values[i];
      slot->value.quant = t->quant;
      slot->kind = SLOT_CONSTANT;
      slot->ready = TRUE;
    }
  step->folded = TRUE;
}

void
lamina_sim_fold_constants (LaminaSim *sim)
{
  /* schedule order: chains of constant nodes fold from their start */
  for (guint s = 0; s < sim->n_steps; s++)
    if (foldable (sim, &sim->steps[s]))
      fold_step (sim, &sim->steps[s]);
}

/* ---- fusion -------------------------------------------------------------- */

/* The step that alone reads t (once), when t is an activation nobody else
 * sees and the reader has one output; else -1. */
static int
sole_reader (const LaminaSim *sim, const LaminaTensor *t)
{
  const Slot *slot = lamina_sim_slot (sim, t);
  const LaminaNode *reader;
  guint uses = 0;
  int s;

  if (t == NULL || slot == NULL || slot->kind != SLOT_ACTIVATION || slot->is_output || t->consumers->len != 1)
    return -1;
  reader = g_ptr_array_index (t->consumers, 0);
  s = lamina_sim_step_of (sim, reader);
  if (s < 0 || sim->steps[s].kernel == NULL || sim->steps[s].folded || sim->steps[s].fusion != NULL
      || reader->outputs->len != 1 || tensor_at (reader->outputs, 0) == NULL)
    return -1;
  for (guint i = 0; i < reader->inputs->len; i++)
    uses += tensor_at (reader->inputs, i) == t;
  return uses == 1 ? s : -1;
}

/* The other input of a binary node that reads t, when it is a float32
 * constant; *t_first tells whether t is input 0. */
static const LaminaValue *
binary_constant (const LaminaSim *sim, const LaminaNode *node, const LaminaTensor *t, gboolean *t_first)
{
  const LaminaValue *c;

  if (node->inputs->len != 2)
    return NULL;
  *t_first = tensor_at (node->inputs, 0) == t;
  c = constant_value (sim, tensor_at (node->inputs, *t_first ? 1 : 0));
  return c && c->dtype == LAMINA_DTYPE_FLOAT32 ? c : NULL;
}

/* A float32 constant input of node (by position), or NULL. */
static const LaminaValue *
float_input (const LaminaSim *sim, const LaminaNode *node, guint i)
{
  const LaminaTensor *t = i < node->inputs->len ? tensor_at (node->inputs, i) : NULL;
  const LaminaValue *v = t ? constant_value (sim, t) : NULL;

  return v && v->dtype == LAMINA_DTYPE_FLOAT32 ? v : NULL;
}

/* The activation of a step as a clamp, if it is one. */
static gboolean
activation_clamp (const LaminaSim *sim, const Step *step, LaminaKernelClamp *c)
{
  const LaminaNode *node = step->node;
  const LaminaValue *lo = NULL, *hi = NULL;

  c->lo = -INFINITY, c->hi = INFINITY;
  if (is_op (node, "Relu"))
    c->lo = 0.0f;
  else if (is_op (node, "Relu6"))
    c->lo = 0.0f, c->hi = 6.0f;
  else if (is_op (node, "ReluN1To1"))
    c->lo = -1.0f, c->hi = 1.0f;
  else if (is_op (node, "Relu0To1"))
    c->lo = 0.0f, c->hi = 1.0f;
  else if (is_op (node, "Clip") && step->opset > 0 && step->opset < 11)
    {
      c->lo = lamina_node_get_float (node, "min", -INFINITY);
      c->hi = lamina_node_get_float (node, "max", INFINITY);
    }
  else if (is_op (node, "Clip"))
    {
      for (guint i = 1; i < node->inputs->len; i++)
        {
          const LaminaValue *v = float_input (sim, node, i);
          if (tensor_at (node->inputs, i) != NULL && (v == NULL || v->numel != 1))
            return FALSE;
          *(i == 1 ? &lo : &hi) = v;
        }
      c->lo = lo ? LAMINA_VALUE_F32 (lo)[0] : -INFINITY;
      c->hi = hi ? LAMINA_VALUE_F32 (hi)[0] : INFINITY;
    }
  else
    return FALSE;
  /* min > max and NaN bounds keep their own kernel's reading */
  return c->lo <= c->hi;
}

static void
absorb (LaminaSimFusion *f, guint step, const LaminaTensor *inner)
{
  f->absorbed[f->n_absorbed] = step;
  f->inner[f->n_absorbed] = inner;
  f->n_absorbed++;
}

/* ---- Conv followed by per-channel affine nodes ------------------------------ */

/* y = scale · conv (x) + shift per output channel, while the chain grows. */
typedef struct {
  gint64  cout;
  int     rank;       /* of the conv's output */
  double *scale, *shift;
} Affine;

/* Channel c of a constant that broadcasts over a conv output [N, C, ...]
 * without changing its shape: one value, or C values along axis 1. */
static gboolean
channel_values (const Affine *a, const LaminaValue *v, double *out)
{
  gboolean per_channel = v->numel == a->cout && v->numel != 1;

  if (v->rank > a->rank)
    return FALSE;
  for (int d = 0; d < v->rank; d++)
    {
      int axis = a->rank - v->rank + d;
      if (v->dims[d] != 1 && !(axis == 1 && per_channel && v->dims[d] == a->cout))
        return FALSE;
    }
  if (v->numel != 1 && !per_channel)
    return FALSE;
  for (gint64 c = 0; c < a->cout; c++)
    out[c] = LAMINA_VALUE_F32 (v)[per_channel ? c : 0];
  return TRUE;
}

static gboolean
affine_batch_norm (const LaminaSim *sim, const Step *bn, const LaminaTensor *t, Affine *a)
{
  const LaminaNode *node = bn->node;
  const LaminaValue *p[4];
  double eps = lamina_node_get_float (node, "epsilon", 1e-5);

  if (lamina_node_get_int (node, "training_mode", 0) != 0 || lamina_node_get_int (node, "spatial", 1) != 1
      || node->inputs->len != 5 || tensor_at (node->inputs, 0) != t)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if ((p[i] = float_input (sim, node, i + 1)) == NULL || p[i]->rank != 1 || p[i]->numel != a->cout)
      return FALSE;
  for (gint64 c = 0; c < a->cout; c++)
    {
      double s = LAMINA_VALUE_F32 (p[0])[c] / sqrt ((double) LAMINA_VALUE_F32 (p[3])[c] + eps);
      a->scale[c] *= s;
      a->shift[c] = (a->shift[c] - LAMINA_VALUE_F32 (p[2])[c]) * s + LAMINA_VALUE_F32 (p[1])[c];
    }
  return TRUE;
}

/* Folds the node reading t into a, when it is a BatchNormalization or an
 * Add/Sub/Mul/Div by a per-channel constant. */
static gboolean
affine_step (const LaminaSim *sim, const Step *step, const LaminaTensor *t, Affine *a)
{
  const LaminaNode *node = step->node;
  g_autofree double *c = NULL;
  const LaminaValue *v;
  gboolean t_first;

  if (is_op (node, "BatchNormalization"))
    return affine_batch_norm (sim, step, t, a);
  if (!(is_op (node, "Add") || is_op (node, "Sub") || is_op (node, "Mul") || is_op (node, "Div"))
      || (v = binary_constant (sim, node, t, &t_first)) == NULL)
    return FALSE;
  c = g_new (double, a->cout);
  if (!channel_values (a, v, c) || ((is_op (node, "Sub") || is_op (node, "Div")) && !t_first))
    return FALSE;
  for (gint64 k = 0; k < a->cout; k++)
    {
      if (is_op (node, "Add"))
        a->shift[k] += c[k];
      else if (is_op (node, "Sub"))
        a->shift[k] -= c[k];
      else if (is_op (node, "Mul"))
        a->scale[k] *= c[k], a->shift[k] *= c[k];
      else if (c[k] == 0.0)
        return FALSE;   /* x / 0 keeps its infinities and NaNs */
      else
        a->scale[k] /= c[k], a->shift[k] /= c[k];
    }
  return TRUE;
}

/* W' = W · scale, B' = B · scale + shift, and the head kernel's state. */
static gboolean
affine_apply (LaminaSim *sim, Step *head, const LaminaValue *w, const Affine *a, LaminaSimFusion *f)
{
  const LaminaNode *cn = head->node;
  const LaminaValue *b = cn->inputs->len > 2 && tensor_at (cn->inputs, 2) ? float_input (sim, cn, 2) : NULL;
  gint64 per = w->numel / a->cout;
  g_autoptr(GError) error = NULL;
  LaminaKernelCall call = { cn, NULL, 0, head->outputs, cn->outputs->len, head->opset, sim->parallel, NULL, NULL };

  if ((b == NULL && cn->inputs->len > 2 && tensor_at (cn->inputs, 2)) || (b && b->numel != a->cout)
      || !lamina_value_set_shape (&f->weight, LAMINA_DTYPE_FLOAT32, w->rank, w->dims, NULL)
      || !lamina_value_set_shape (&f->bias, LAMINA_DTYPE_FLOAT32, 1, &a->cout, NULL)
      || !lamina_value_alloc (&f->weight, NULL) || !lamina_value_alloc (&f->bias, NULL))
    return FALSE;
  for (gint64 o = 0; o < a->cout; o++)
    {
      for (gint64 j = 0; j < per; j++)
        LAMINA_VALUE_F32 (&f->weight)[o * per + j] = (float) (LAMINA_VALUE_F32 (w)[o * per + j] * a->scale[o]);
      LAMINA_VALUE_F32 (&f->bias)[o] = (float) ((b ? LAMINA_VALUE_F32 (b)[o] : 0.0) * a->scale[o] + a->shift[o]);
    }
  f->n_inputs = MAX (cn->inputs->len, 3);
  f->inputs = g_new0 (const LaminaValue *, f->n_inputs);
  f->inputs[1] = &f->weight;
  f->inputs[2] = &f->bias;
  call.inputs = f->inputs;
  call.n_inputs = f->n_inputs;
  return head->kernel->prepare == NULL || head->kernel->prepare (&call, &f->state, &error);
}

/* Absorbs the BatchNormalization / per-channel Add, Sub, Mul, Div nodes
 * after an ONNX Conv with a constant filter; returns the chain's output. */
static const LaminaTensor *
fuse_affine (LaminaSim *sim, Step *head, LaminaSimFusion *f)
{
  const LaminaValue *w = float_input (sim, head->node, 1);
  const LaminaTensor *t = tensor_at (head->node->outputs, 0);
  g_autofree double *scale = NULL, *shift = NULL;
  Affine a;
  int next;

  if (!is_op (head->node, "Conv") || w == NULL || w->rank < 3 || w->dims[0] == 0)
    return t;
  a.cout = w->dims[0], a.rank = w->rank;
  a.scale = scale = g_new (double, a.cout);
  a.shift = shift = g_new0 (double, a.cout);
  for (gint64 c = 0; c < a.cout; c++)
    scale[c] = 1.0;
  while (f->n_absorbed < LAMINA_SIM_FUSE_MAX - 1 && (next = sole_reader (sim, t)) >= 0
         && affine_step (sim, &sim->steps[next], t, &a))
    {
      absorb (f, next, t);
      t = tensor_at (sim->steps[next].node->outputs, 0);
    }
  if (f->n_absorbed > 0 && !affine_apply (sim, head, w, &a, f))
    {
      f->n_absorbed = 0;
      return NULL;
    }
  return t;
}

/* ---- x · Clip (x + 3, 0, 6) / 6 as one HardSwish ------------------------------ */

static gboolean
is_scalar (const LaminaValue *v, double want)
{
  return v != NULL && v->numel == 1 && v->rank <= 1 && fabs (LAMINA_VALUE_F32 (v)[0] - want) <= 1e-6 * want;
}

/* The steps of Add (x, 3) → Clip (0, 6) → Mul (x, ·) → Div (·, 6) or
 * Mul (·, 1/6) starting at head; the last one's output or NULL. */
static const LaminaTensor *
match_hard_swish (const LaminaSim *sim, const Step *head, const LaminaTensor **x, guint steps[3])
{
  const LaminaNode *add = head->node, *node;
  const LaminaTensor *t;
  LaminaKernelClamp clamp;
  gboolean first;
  int s;

  if (!is_op (add, "Add") || add->inputs->len != 2)
    return NULL;
  for (guint i = 0; i < 2 && *x == NULL; i++)
    if (is_scalar (binary_constant (sim, add, tensor_at (add->inputs, i), &first), 3.0))
      *x = tensor_at (add->inputs, i);
  if (*x == NULL || constant_value (sim, *x) != NULL || (*x)->shape.rank < 1)
    return NULL;
  t = tensor_at (add->outputs, 0);
  if ((s = sole_reader (sim, t)) < 0 || !activation_clamp (sim, &sim->steps[s], &clamp) || clamp.lo != 0.0f
      || clamp.hi != 6.0f || tensor_at (sim->steps[s].node->inputs, 0) != t)
    return NULL;
  steps[0] = s, t = tensor_at (sim->steps[s].node->outputs, 0);
  if ((s = sole_reader (sim, t)) < 0 || !is_op (node = sim->steps[s].node, "Mul") || node->inputs->len != 2
      || tensor_at (node->inputs, tensor_at (node->inputs, 0) == t ? 1 : 0) != *x)
    return NULL;
  steps[1] = s, t = tensor_at (node->outputs, 0);
  if ((s = sole_reader (sim, t)) < 0)
    return NULL;
  node = sim->steps[s].node;
  if (!(is_op (node, "Div") && tensor_at (node->inputs, 0) == t
        && is_scalar (binary_constant (sim, node, t, &first), 6.0))
      && !(is_op (node, "Mul") && is_scalar (binary_constant (sim, node, t, &first), 1.0 / 6.0)))
    return NULL;
  steps[2] = s;
  return tensor_at (node->outputs, 0);
}

/* The head (Add) step runs the built-in HardSwish on x: a one-node graph
 * of the fusion's own gives the kernel its node. */
static const LaminaTensor *
fuse_hard_swish (LaminaSim *sim, Step *head, LaminaSimFusion *f)
{
  const LaminaTensor *x = NULL, *result;
  guint steps[3];
  LaminaNode *node;

  if ((result = match_hard_swish (sim, head, &x, steps)) == NULL
      || (f->kernel = lamina_kernel_lookup ("HardSwish", "")) == NULL)
    return NULL;
  absorb (f, steps[0], tensor_at (head->node->outputs, 0));
  absorb (f, steps[1], tensor_at (sim->steps[steps[0]].node->outputs, 0));
  absorb (f, steps[2], tensor_at (sim->steps[steps[1]].node->outputs, 0));
  f->graph = lamina_graph_new ("fusion");
  node = lamina_graph_add_node (f->graph, sim->steps[steps[2]].node->name, "HardSwish", "");
  lamina_node_add_input (node, lamina_graph_add_tensor (f->graph, "x"));
  lamina_node_add_output (node, lamina_graph_add_tensor (f->graph, "y"));
  f->node = node;
  f->n_inputs = 1;
  f->inputs = g_new0 (const LaminaValue *, 1);
  f->source = tensor_at (head->node->inputs, 0) == x ? 0 : 1;
  return result;
}

static LaminaSimFusion *
find_fusion (LaminaSim *sim, Step *head)
{
  LaminaSimFusion *f;
  const LaminaTensor *out;
  int next;

  if (head->kernel == NULL || head->folded || head->node->outputs->len != 1
      || tensor_at (head->node->outputs, 0) == NULL)
    return NULL;
  f = g_new0 (LaminaSimFusion, 1);
  out = fuse_hard_swish (sim, head, f);
  if (out == NULL && f->n_absorbed == 0)
    out = fuse_affine (sim, head, f);
  if (out != NULL && f->kernel == NULL && head->kernel->fuses_clamp && (next = sole_reader (sim, out)) >= 0
      && tensor_at (sim->steps[next].node->inputs, 0) == out
      && activation_clamp (sim, &sim->steps[next], &f->clamp_value))
    {
      absorb (f, next, out);
      out = tensor_at (sim->steps[next].node->outputs, 0);
      f->clamp = &f->clamp_value;
    }
  if (f->n_absorbed == 0 || out == NULL)
    {
      lamina_sim_fusion_free (f, head->kernel);
      return NULL;
    }
  f->result = out;
  return f;
}

void
lamina_sim_fuse (LaminaSim *sim)
{
  g_autofree gboolean *absorbed = g_new0 (gboolean, MAX (sim->n_steps, 1));

  for (guint s = 0; s < sim->n_steps; s++)
    {
      LaminaSimFusion *f = absorbed[s] ? NULL : find_fusion (sim, &sim->steps[s]);
      for (guint i = 0; f && i < f->n_absorbed; i++)
        absorbed[f->absorbed[i]] = TRUE;
      sim->steps[s].fusion = f;
    }
}

gboolean
lamina_sim_fusion_live (const LaminaSim *sim, const LaminaSimFusion *f)
{
  if (sim->observer != NULL || sim->keep_all)
    return FALSE;
  for (guint i = 0; i < f->n_absorbed; i++)
    if (lamina_sim_slot (sim, f->inner[i])->keep)
      return FALSE;
  return TRUE;
}

void
lamina_sim_fusion_free (LaminaSimFusion *f, const LaminaKernel *head_kernel)
{
  if (f == NULL)
    return;
  if (f->state && head_kernel && head_kernel->free_state)
    head_kernel->free_state (f->state);
  lamina_value_clear (&f->weight);
  lamina_value_clear (&f->bias);
  g_clear_pointer (&f->graph, lamina_graph_free);
  g_free (f->inputs);
  g_free (f);
}
