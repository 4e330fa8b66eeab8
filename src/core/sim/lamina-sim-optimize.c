/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-sim-optimize.c: constant folding and fusion at plan time (see
 * lamina-sim-optimize.h).
 */
#define G_LOG_DOMAIN "lamina-sim"

#include <math.h>
#include <string.h>
#include "lamina-sim-optimize.h"

/* Tensor i of a node's inputs or outputs; NULL past the end (model files
 * are untrusted: a QuantizeLinear may come without its inputs). */
static LaminaTensor *
tensor_at (GPtrArray *list, guint i)
{
  return i < list->len ? g_ptr_array_index (list, i) : NULL;
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

/* is_op for any of a NULL-terminated list */
static gboolean
is_op_in (const LaminaNode *node, const char *const *op_types)
{
  for (; *op_types != NULL; op_types++)
    if (is_op (node, *op_types))
      return TRUE;
  return FALSE;
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
  f->n_inner = f->n_absorbed;
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

/* ---- QDQ Conv as one QLinearConv --------------------------------------------- */

/* A constant input of node of the given dtype (any when UNDEFINED): a
 * scalar, or 1-D with n entries (any count when n < 0); NULL otherwise. */
static const LaminaValue *
const_input (const LaminaSim *sim, const LaminaNode *node, guint i, LaminaDType dtype, gint64 n)
{
  const LaminaTensor *t = i < node->inputs->len ? tensor_at (node->inputs, i) : NULL;
  const LaminaValue *v = t ? constant_value (sim, t) : NULL;

  if (v == NULL || (dtype != LAMINA_DTYPE_UNDEFINED && v->dtype != dtype) || (n >= 0 && v->numel != 1 && v->numel != n))
    return NULL;
  return v->numel == 1 || v->rank == 1 ? v : NULL;
}

/* The constants of a DequantizeLinear (or QuantizeLinear) with a zero
 * point: in[0] the data (when want_data), in[1] the scale, in[2] the zero
 * point; per-channel (n > 1) only along axis 0. */
static gboolean
qdq_params (const LaminaSim *sim, const LaminaNode *node, gboolean want_data, gint64 n, const LaminaValue *in[3])
{
  const LaminaValue *data = want_data ? constant_value (sim, tensor_at (node->inputs, 0)) : NULL;
  int rank = data ? data->rank : 0;

  if (node->inputs->len != 3 || (want_data && data == NULL))
    return FALSE;
  in[0] = data;
  in[1] = const_input (sim, node, 1, LAMINA_DTYPE_FLOAT32, n);
  in[2] = const_input (sim, node, 2, LAMINA_DTYPE_UNDEFINED, n);
  if (in[1] == NULL || in[2] == NULL || in[1]->numel != in[2]->numel
      || (want_data && data->dtype != in[2]->dtype))
    return FALSE;
  if (in[1]->numel > 1)
    {
      gint64 axis = lamina_node_get_int (node, "axis", 1);
      if (axis != 0 && axis != -rank)
        return FALSE;
    }
  return in[2]->dtype == LAMINA_DTYPE_INT8 || in[2]->dtype == LAMINA_DTYPE_UINT8;
}

/* B_q = round (B / (s_x · s_w[c])) into f->bias (int32), as the quantizer
 * writes it; FALSE when B does not fit int32. */
static gboolean
qdq_bias (const LaminaValue *b, const LaminaValue *s_x, const LaminaValue *s_w, gint64 cout, LaminaSimFusion *f)
{
  if (b->numel != cout || !lamina_value_set_shape (&f->bias, LAMINA_DTYPE_INT32, 1, &cout, NULL)
      || !lamina_value_alloc (&f->bias, NULL))
    return FALSE;
  for (gint64 c = 0; c < cout; c++)
    {
      double scale = (double) LAMINA_VALUE_F32 (s_x)[0] * LAMINA_VALUE_F32 (s_w)[s_w->numel > 1 ? c : 0];
      double q = nearbyint (LAMINA_VALUE_F32 (b)[c] / scale);
      if (!(fabs (q) < 2147483647.0))
        return FALSE;
      ((gint32 *) f->bias.data)[c] = (gint32) q;
    }
  f->inputs[8] = &f->bias;
  return TRUE;
}

/* A bias written as DequantizeLinear of constant int32 values (as ONNX
 * Runtime's quantizer and Lamina's write it): those integers, used as
 * they are (ONNX Runtime's QDQ fusion does the same); NULL otherwise. */
static const LaminaValue *
qdq_int32_bias (const LaminaSim *sim, const LaminaTensor *bt, gint64 cout)
{
  const LaminaValue *q = bt->producer && is_op (bt->producer, "DequantizeLinear") && bt->producer->inputs->len > 0
                           ? constant_value (sim, tensor_at (bt->producer->inputs, 0)) : NULL;

  return q && q->dtype == LAMINA_DTYPE_INT32 && q->rank == 1 && q->numel == cout ? q : NULL;
}

/* Conv (DequantizeLinear (x_q), W, B) where W is a DequantizeLinear of
 * constant int8 weights and B a float constant: fills f->inputs[1..8] for
 * QLinearConv except the output's scale and zero point. */
static gboolean
qdq_conv_inputs (const LaminaSim *sim, const LaminaNode *dq, const LaminaNode *conv, LaminaSimFusion *f)
{
  const LaminaTensor *wt = conv->inputs->len > 1 ? tensor_at (conv->inputs, 1) : NULL;
  const LaminaTensor *bt = conv->inputs->len > 2 ? tensor_at (conv->inputs, 2) : NULL;
  const LaminaValue *x[3], *w[3], *b = bt ? constant_value (sim, bt) : NULL;
  gint64 cout;

  if (wt == NULL || wt->producer == NULL || !is_op (wt->producer, "DequantizeLinear")
      || !qdq_params (sim, dq, FALSE, 1, x) || !qdq_params (sim, wt->producer, TRUE, -1, w)
      || w[0]->rank < 3 || (cout = w[0]->dims[0]) < 1 || (w[1]->numel != 1 && w[1]->numel != cout)
      || (bt != NULL && (b == NULL || b->dtype != LAMINA_DTYPE_FLOAT32)))
    return FALSE;
  f->inputs[1] = x[1], f->inputs[2] = x[2];
  f->inputs[3] = w[0], f->inputs[4] = w[1], f->inputs[5] = w[2];
  if (bt != NULL && (f->inputs[8] = qdq_int32_bias (sim, bt, cout)) != NULL)
    return TRUE;
  return b == NULL || qdq_bias (b, x[1], w[1], cout, f);
}

/* The replacement kernel's prepare on the fusion's constant inputs. */
static gboolean
prepare_replacement (LaminaSim *sim, Step *head, LaminaSimFusion *f)
{
  LaminaKernelCall call = { f->node, f->inputs, f->n_inputs, head->outputs, 1, head->opset, sim->parallel, NULL, NULL };
  g_autoptr(GError) error = NULL;

  return f->kernel->prepare == NULL || f->kernel->prepare (&call, &f->state, &error);
}

/* DequantizeLinear (x_q) → Conv → [Relu | Clip] → QuantizeLinear, with
 * constant int8 weights, run by the head (the DequantizeLinear) as one
 * QLinearConv with the clamp fused: the integer kernel ONNX Runtime and an
 * NPU use for the same file, instead of float arithmetic between them. */
/* From a Conv whose input 0 is the DequantizeLinear dq of the integers
 * on: the Conv's constants, the Relu/Clip after it and the QuantizeLinear
 * (both absorbed) as one QLinearConv in f, the fusion of `head` (the
 * DequantizeLinear, or the Conv itself); returns the QuantizeLinear's
 * output, or NULL. */
static const LaminaTensor *
qdq_conv_tail (LaminaSim *sim, Step *head, const LaminaNode *dq, const LaminaNode *conv, LaminaSimFusion *f)
{
  const LaminaTensor *t = tensor_at (conv->outputs, 0);
  const LaminaValue *y[3];
  const LaminaNode *q;
  int s;

  f->n_inputs = 9;
  f->inputs = g_new0 (const LaminaValue *, f->n_inputs);
  if (!qdq_conv_inputs (sim, dq, conv, f))
    return NULL;
  if ((s = sole_reader (sim, t)) >= 0 && tensor_at (sim->steps[s].node->inputs, 0) == t
      && activation_clamp (sim, &sim->steps[s], &f->clamp_value))
    {
      absorb (f, s, t);
      t = tensor_at (sim->steps[s].node->outputs, 0);
      f->clamp = &f->clamp_value;
    }
  if ((s = sole_reader (sim, t)) < 0 || !is_op (q = sim->steps[s].node, "QuantizeLinear")
      || tensor_at (q->inputs, 0) != t || !qdq_params (sim, q, FALSE, 1, y)
      || (f->kernel = lamina_kernel_lookup ("QLinearConv", "")) == NULL)
    return NULL;
  absorb (f, s, t);
  f->inputs[6] = y[1], f->inputs[7] = y[2];
  f->node = conv;   /* QLinearConv reads Conv's attributes */
  f->source = 0;
  if (!prepare_replacement (sim, head, f))
    return NULL;
  return tensor_at (q->outputs, 0);
}

/* A DequantizeLinear read by one Conv alone: the fusion's head. */
static const LaminaTensor *
fuse_qdq_conv (LaminaSim *sim, Step *head, LaminaSimFusion *f)
{
  const LaminaTensor *t = tensor_at (head->node->outputs, 0);
  const LaminaNode *conv;
  int s;

  if (!is_op (head->node, "DequantizeLinear") || constant_value (sim, tensor_at (head->node->inputs, 0)) != NULL
      || (s = sole_reader (sim, t)) < 0 || !is_op (conv = sim->steps[s].node, "Conv")
      || tensor_at (conv->inputs, 0) != t)
    return NULL;
  absorb (f, s, t);
  return qdq_conv_tail (sim, head, head->node, conv, f);
}

/* ---- QDQ unary functions as tables ------------------------------------------------ */

/* Elementwise functions of one tensor (attributes aside). */
static const char *const table_ops[] = {
  "Abs", "Celu", "Elu", "Erf", "Exp", "Gelu", "HardSigmoid", "HardSwish", "LeakyRelu", "Mish", "Neg",
  "Relu", "Selu", "Sigmoid", "Softplus", "Softsign", "Tanh", NULL,
};

/* kernel (node) on inputs into *out, allocated. */
static gboolean
run_kernel (LaminaSim *sim, const LaminaKernel *kernel, const LaminaNode *node, gint64 opset,
            const LaminaValue **inputs, guint n_inputs, LaminaValue *out)
{
  LaminaValue *outputs[] = { out };
  LaminaKernelCall call = { node, inputs, n_inputs, outputs, 1, opset, sim->parallel, NULL, NULL };
  g_autoptr(GError) error = NULL;

  return kernel != NULL && kernel->prepare == NULL && kernel->reshape (&call, &error)
         && lamina_value_alloc (out, &error) && kernel->run (&call, &error);
}

/* The node's input i, or its constant inputs in order from 1 (the data
 * input 0 replaced by x). */
static guint
step_inputs (const LaminaSim *sim, const LaminaNode *node, const LaminaValue *x, const LaminaValue **in)
{
  in[0] = x;
  for (guint i = 1; i < node->inputs->len && i < 3; i++)
    in[i] = tensor_at (node->inputs, i) ? constant_value (sim, tensor_at (node->inputs, i)) : NULL;
  return MIN (node->inputs->len, 3);
}

/* The 256-entry table of DequantizeLinear → op → QuantizeLinear (steps
 * dq, op, q), built by running those very kernels on every byte value, so
 * that a lookup gives exactly what the three nodes give. */
static gboolean
build_table (LaminaSim *sim, const Step *dq, const Step *op, const Step *q, LaminaDType x_type, LaminaValue *table)
{
  const gint64 n = 256;
  LaminaValue bytes = { 0 }, deq = { 0 }, fx = { 0 };
  const LaminaValue *in[3];
  gboolean ok;

  ok = lamina_value_set_shape (&bytes, x_type, 1, &n, NULL) && lamina_value_alloc (&bytes, NULL);
  for (int b = 0; ok && b < 256; b++)
    ((guint8 *) bytes.data)[b] = (guint8) b;   /* the byte: int8 and uint8 alike */
  ok = ok && run_kernel (sim, dq->kernel, dq->node, dq->opset, in, step_inputs (sim, dq->node, &bytes, in), &deq)
       && deq.dtype == LAMINA_DTYPE_FLOAT32
       && run_kernel (sim, lamina_kernel_lookup (op->node->op_type, op->node->domain), op->node, op->opset,
                      (const LaminaValue *[]) { &deq }, 1, &fx)
       && fx.dtype == LAMINA_DTYPE_FLOAT32
       && run_kernel (sim, q->kernel, q->node, q->opset, in, step_inputs (sim, q->node, &fx, in), table)
       && (table->dtype == LAMINA_DTYPE_INT8 || table->dtype == LAMINA_DTYPE_UINT8) && table->numel == n;
  lamina_value_clear (&bytes);
  lamina_value_clear (&deq);
  lamina_value_clear (&fx);
  return ok;
}

/* DequantizeLinear → unary function (Sigmoid, Tanh, HardSwish ...) →
 * QuantizeLinear on 8-bit per-tensor integers: one table lookup
 * (LookupTable), the integer kernel an NPU uses for such functions. */
static const LaminaTensor *
fuse_qdq_table (LaminaSim *sim, Step *head, LaminaSimFusion *f)
{
  const LaminaTensor *t = tensor_at (head->node->outputs, 0), *x;
  const LaminaValue *p[3];
  int s, q;

  if (!is_op (head->node, "DequantizeLinear") || head->node->inputs->len < 1
      || (x = tensor_at (head->node->inputs, 0)) == NULL || constant_value (sim, x) != NULL
      || (x->dtype != LAMINA_DTYPE_INT8 && x->dtype != LAMINA_DTYPE_UINT8) || !qdq_params (sim, head->node, FALSE, 1, p)
      || p[1]->numel != 1 || (s = sole_reader (sim, t)) < 0 || !is_op_in (sim->steps[s].node, table_ops)
      || sim->steps[s].node->inputs->len != 1 || tensor_at (sim->steps[s].node->outputs, 0) == NULL
      || (q = sole_reader (sim, tensor_at (sim->steps[s].node->outputs, 0))) < 0
      || !is_op (sim->steps[q].node, "QuantizeLinear") || !qdq_params (sim, sim->steps[q].node, FALSE, 1, p)
      || p[1]->numel != 1 || (f->kernel = lamina_kernel_lookup_integer ("LookupTable", "lamina")) == NULL
      || !build_table (sim, head, &sim->steps[s], &sim->steps[q], x->dtype, &f->weight))
    return NULL;
  absorb (f, s, t);
  absorb (f, q, tensor_at (sim->steps[s].node->outputs, 0));
  f->n_inputs = 2;
  f->inputs = g_new0 (const LaminaValue *, 2);
  f->inputs[1] = &f->weight;
  f->node = head->node;
  f->source = 0;
  return tensor_at (sim->steps[q].node->outputs, 0);
}

/* ---- QDQ pairs around data movement -------------------------------------------- */

/* Operators that only move, select or compare values, and how many of
 * their first inputs are data (0: all): on the integers of a per-tensor
 * quantized tensor they give exactly what DequantizeLinear → op →
 * QuantizeLinear with the same scale and zero point gives. */
static const struct {
  const char *op_type;
  guint       n_data;
} moving_ops[] = {
  { "Concat", 0 }, { "DepthToSpace", 1 }, { "Flatten", 1 }, { "Gather", 1 }, { "Identity", 1 },
  { "MaxPool", 1 }, { "Reshape", 1 }, { "Resize", 1 }, { "Slice", 1 }, { "SpaceToDepth", 1 },
  { "Squeeze", 1 }, { "Transpose", 1 }, { "Unsqueeze", 1 },
};

/* The number of data inputs of a moving node, 0 when it is none. */
static guint
moving_data_inputs (const LaminaNode *node)
{
  if (node->outputs->len != 1 || (is_op (node, "Resize") && g_strcmp0 (lamina_node_get_string (node, "mode", "nearest"), "nearest") != 0))
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (moving_ops); i++)
    if (is_op (node, moving_ops[i].op_type))
      return moving_ops[i].n_data ? moving_ops[i].n_data : node->inputs->len;
  return 0;
}

/* Per-tensor parameters of a DequantizeLinear and a QuantizeLinear that
 * are the same. */
static gboolean
same_qparams (const LaminaSim *sim, const LaminaNode *dq, const LaminaNode *q)
{
  const LaminaValue *a[3], *b[3];

  return qdq_params (sim, dq, FALSE, 1, a) && qdq_params (sim, q, FALSE, 1, b) && a[1]->numel == 1
         && b[1]->numel == 1 && LAMINA_VALUE_F32 (a[1])[0] == LAMINA_VALUE_F32 (b[1])[0]
         && a[2]->dtype == b[2]->dtype && memcmp (a[2]->data, b[2]->data, lamina_dtype_size (a[2]->dtype)) == 0;
}

/* A group of QDQ pairs around moving nodes: the DequantizeLinear steps,
 * the moving steps and the QuantizeLinear steps, all with the same
 * per-tensor parameters (those of `dq0`). */
typedef struct {
  const LaminaNode *dq0;
  GArray           *dq, *moving, *q;   /* step indices */
  GArray           *conv;              /* step indices of Convs fused with their Q ... */
  GPtrArray        *conv_fusions;      /* ... and their fusions (LaminaSimFusion *) */
} QdqGroup;

static gboolean
group_has (const GArray *steps, int s)
{
  for (guint i = 0; i < steps->len; i++)
    if (g_array_index (steps, int, i) == s)
      return TRUE;
  return FALSE;
}

/* A step the group may take over: computed at run time, not yet fused. */
static gboolean
step_free (const LaminaSim *sim, const gboolean *taken, int s)
{
  return s >= 0 && !taken[s] && sim->steps[s].kernel != NULL && !sim->steps[s].folded && sim->steps[s].fusion == NULL;
}

/* Whether node reads t only among its first n_data inputs. */
static gboolean
reads_as_data (const LaminaNode *node, const LaminaTensor *t, guint n_data)
{
  for (guint i = n_data; i < node->inputs->len; i++)
    if (tensor_at (node->inputs, i) == t)
      return FALSE;
  return TRUE;
}

static gboolean group_add_dq (LaminaSim *sim, const gboolean *taken, QdqGroup *g, int d);

/* Adds the moving step m (reading a DequantizeLinear of the group), the
 * QuantizeLinear after it and the DequantizeLinear steps of its other
 * data inputs. */
static gboolean
group_add_moving (LaminaSim *sim, const gboolean *taken, QdqGroup *g, int m, const LaminaTensor *from)
{
  const LaminaNode *node = sim->steps[m].node;
  guint n_data = moving_data_inputs (node);
  const LaminaTensor *out = tensor_at (node->outputs, 0);
  int q;

  if (group_has (g->moving, m))
    return TRUE;
  if (n_data == 0 || !step_free (sim, taken, m) || !reads_as_data (node, from, n_data) || out == NULL
      || (q = sole_reader (sim, out)) < 0 || !step_free (sim, taken, q) || !is_op (sim->steps[q].node, "QuantizeLinear")
      || tensor_at (sim->steps[q].node->inputs, 0) != out || !same_qparams (sim, g->dq0, sim->steps[q].node))
    return FALSE;
  g_array_append_val (g->moving, m);
  g_array_append_val (g->q, q);
  for (guint i = 0; i < n_data; i++)
    {
      const LaminaTensor *t = tensor_at (node->inputs, i);
      int d = t && t->producer ? lamina_sim_step_of (sim, t->producer) : -1;
      if (d < 0 || !group_add_dq (sim, taken, g, d))
        return FALSE;
    }
  return TRUE;
}

/* Adds Conv step c reading the group's DequantizeLinear dq, fused with
 * what follows it into a QLinearConv on the integers (head: the Conv). */
static gboolean
group_add_conv (LaminaSim *sim, const gboolean *taken, QdqGroup *g, int c, const LaminaNode *dq)
{
  LaminaSimFusion *f;
  const LaminaTensor *out;

  if (!step_free (sim, taken, c) || tensor_at (sim->steps[c].node->inputs, 0) != tensor_at (dq->outputs, 0))
    return FALSE;
  for (guint i = 1; i < sim->steps[c].node->inputs->len; i++)
    if (tensor_at (sim->steps[c].node->inputs, i) == tensor_at (dq->outputs, 0))
      return FALSE;
  f = g_new0 (LaminaSimFusion, 1);
  out = qdq_conv_tail (sim, &sim->steps[c], dq, sim->steps[c].node, f);
  g_array_append_val (g->conv, c);
  g_ptr_array_add (g->conv_fusions, f);   /* freed with the group when it fails */
  if (out == NULL)
    return FALSE;
  f->result = out;
  return TRUE;
}

/* Adds the DequantizeLinear step d and every moving node or Conv that
 * reads its output at run time (a Shape or Size of it reads no values). */
static gboolean
group_add_dq (LaminaSim *sim, const gboolean *taken, QdqGroup *g, int d)
{
  const LaminaNode *node = sim->steps[d].node;
  const LaminaTensor *t = tensor_at (node->outputs, 0);
  const Slot *slot = t ? lamina_sim_slot (sim, t) : NULL;

  if (group_has (g->dq, d))
    return TRUE;
  if (!step_free (sim, taken, d) || !is_op (node, "DequantizeLinear") || node->outputs->len != 1
      || constant_value (sim, tensor_at (node->inputs, 0)) != NULL || slot == NULL
      || slot->kind != SLOT_ACTIVATION || slot->is_output || !same_qparams (sim, node, g->dq0))
    return FALSE;
  g_array_append_val (g->dq, d);
  for (guint i = 0; i < t->consumers->len; i++)
    {
      const LaminaNode *c = g_ptr_array_index (t->consumers, i);
      int s = lamina_sim_step_of (sim, c);
      if (s >= 0 && (sim->steps[s].folded || is_op (c, "Shape") || is_op (c, "Size")))
        continue;
      if (s < 0 || (is_op (c, "Conv") ? !group_add_conv (sim, taken, g, s, node)
                                      : !group_add_moving (sim, taken, g, s, t)))
        return FALSE;
    }
  return TRUE;
}

/* The step runs Identity on its input 0 instead of its kernel; watch: the
 * tensors of the whole group, so that it is live or not as one. */
static LaminaSimFusion *
identity_fusion (const Step *step, GPtrArray *watch)
{
  LaminaSimFusion *f = g_new0 (LaminaSimFusion, 1);

  f->kernel = lamina_kernel_lookup ("Identity", "");
  f->node = step->node;
  f->n_inputs = 1;
  f->inputs = g_new0 (const LaminaValue *, 1);
  f->watch = g_ptr_array_ref (watch);
  f->result = tensor_at (step->node->outputs, 0);
  return f;
}

static void
group_apply (LaminaSim *sim, gboolean *taken, const QdqGroup *g)
{
  g_autoptr(GPtrArray) watch = g_ptr_array_new ();
  const GArray *copies[] = { g->dq, g->q };

  for (guint i = 0; i < g->dq->len; i++)
    g_ptr_array_add (watch, tensor_at (sim->steps[g_array_index (g->dq, int, i)].node->outputs, 0));
  for (guint i = 0; i < g->moving->len; i++)
    {
      int m = g_array_index (g->moving, int, i);
      g_ptr_array_add (watch, tensor_at (sim->steps[m].node->outputs, 0));
      taken[m] = TRUE;
    }
  for (guint k = 0; k < G_N_ELEMENTS (copies); k++)
    for (guint i = 0; i < copies[k]->len; i++)
      {
        int s = g_array_index (copies[k], int, i);
        sim->steps[s].fusion = identity_fusion (&sim->steps[s], watch);
        taken[s] = TRUE;
      }
  for (guint i = 0; i < g->conv->len; i++)
    {
      int c = g_array_index (g->conv, int, i);
      LaminaSimFusion *f = g_steal_pointer (&g_ptr_array_index (g->conv_fusions, i));
      f->watch = g_ptr_array_ref (watch);
      sim->steps[c].fusion = f;
      taken[c] = TRUE;
      for (guint k = 0; k < f->n_absorbed; k++)
        taken[f->absorbed[k]] = TRUE;
    }
}

/* DequantizeLinear → moving ops → QuantizeLinear, the same per-tensor
 * parameters on every side: the ops run on the integers, the
 * DequantizeLinear and QuantizeLinear steps become copies. Exact: Q (DQ
 * (x)) = x for such parameters, and the ops neither compute nor round.
 * ONNX Runtime removes the same pairs. The group grows from the
 * DequantizeLinear at step d over every reader of its output (a tensor
 * split by two Gathers, a Concat of several). */
static void
fuse_qdq_moving (LaminaSim *sim, guint d, gboolean *taken)
{
  QdqGroup g = { sim->steps[d].node, g_array_new (FALSE, FALSE, sizeof (int)),
                 g_array_new (FALSE, FALSE, sizeof (int)), g_array_new (FALSE, FALSE, sizeof (int)),
                 g_array_new (FALSE, FALSE, sizeof (int)), g_ptr_array_new () };

  if (is_op (g.dq0, "DequantizeLinear") && lamina_kernel_lookup ("Identity", "") != NULL
      && group_add_dq (sim, taken, &g, (int) d) && g.moving->len + g.conv->len > 0)
    group_apply (sim, taken, &g);
  for (guint i = 0; i < g.conv_fusions->len; i++)
    lamina_sim_fusion_free (g_ptr_array_index (g.conv_fusions, i), NULL);
  g_array_unref (g.dq);
  g_array_unref (g.moving);
  g_array_unref (g.q);
  g_array_unref (g.conv);
  g_ptr_array_unref (g.conv_fusions);
}

/* A Conv of a DequantizeLinear's output: left to the QDQ groups
 * (fuse_qdq_moving), which fuse it with its QuantizeLinear when the
 * DequantizeLinear has other readers too. */
static gboolean
reads_dequantized (const LaminaNode *node)
{
  const LaminaTensor *x = node->inputs->len > 0 ? tensor_at (node->inputs, 0) : NULL;

  return is_op (node, "Conv") && x != NULL && x->producer != NULL && is_op (x->producer, "DequantizeLinear");
}

static LaminaSimFusion *
find_fusion (LaminaSim *sim, Step *head)
{
  LaminaSimFusion *f;
  const LaminaTensor *out;
  int next;

  if (head->kernel == NULL || head->folded || head->node->outputs->len != 1
      || tensor_at (head->node->outputs, 0) == NULL || reads_dequantized (head->node))
    return NULL;
  f = g_new0 (LaminaSimFusion, 1);
  out = fuse_hard_swish (sim, head, f);
  if (out == NULL && f->n_absorbed == 0 && f->inputs == NULL)
    out = fuse_qdq_conv (sim, head, f);
  if (out == NULL && f->n_absorbed == 0 && f->inputs == NULL && f->kernel == NULL)
    out = fuse_qdq_table (sim, head, f);
  if (out == NULL && f->n_absorbed == 0 && f->inputs == NULL)
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
      absorbed[s] |= f != NULL;
    }
  for (guint s = 0; s < sim->n_steps; s++)
    fuse_qdq_moving (sim, s, absorbed);
}

gboolean
lamina_sim_fusion_live (const LaminaSim *sim, const LaminaSimFusion *f)
{
  if (sim->observer != NULL || sim->keep_all)
    return FALSE;
  for (guint i = 0; i < f->n_inner; i++)
    if (lamina_sim_slot (sim, f->inner[i])->keep)
      return FALSE;
  for (guint i = 0; f->watch != NULL && i < f->watch->len; i++)
    if (lamina_sim_slot (sim, g_ptr_array_index (f->watch, i))->keep)
      return FALSE;
  return TRUE;
}

void
lamina_sim_fusion_free (LaminaSimFusion *f, const LaminaKernel *head_kernel)
{
  if (f == NULL)
    return;
  if (f->kernel != NULL)   /* the state is the replacement kernel's */
    head_kernel = f->kernel;
  if (f->state && head_kernel && head_kernel->free_state)
    head_kernel->free_state (f->state);
  lamina_value_clear (&f->weight);
  lamina_value_clear (&f->bias);
  g_clear_pointer (&f->graph, lamina_graph_free);
  g_clear_pointer (&f->watch, g_ptr_array_unref);
  g_free (f->inputs);
  g_free (f);
}
