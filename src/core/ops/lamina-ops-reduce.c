/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-ops-reduce.c: kernels of the reduce family (see lamina-kernel.h):
 * Reduce*, ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax, the normalisations
 * (BatchNormalization, InstanceNormalization, LayerNormalization,
 * GroupNormalization, LpNormalization), TopK and CumSum, and the TFLite
 * reductions (Mean, Sum, ReduceMax ...) and Softmax sharing their code.
 *
 * Reductions accumulate in double whatever the input type: the sums of
 * models are small next to their convolutions, and double keeps ReduceMean
 * over large axes exact enough to compare with ONNX Runtime.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-kernel.h"
#include "lamina-kernel-check.h"
#include "lamina-broadcast.h"
#include "lamina-convert.h"
#include "lamina-vecmath.h"
#include "lamina-ops-private.h"

static gboolean
is_numeric (LaminaDType t)
{
  return t != LAMINA_DTYPE_BOOL && lamina_convert_supported (t);
}

static gboolean
is_float (LaminaDType t)
{
  return t == LAMINA_DTYPE_FLOAT32 || t == LAMINA_DTYPE_FLOAT16 || t == LAMINA_DTYPE_BFLOAT16
         || t == LAMINA_DTYPE_FLOAT64;
}

static gint64
product (const gint64 *dims, int from, int to)
{
  gint64 p = 1;

  for (int i = from; i < to; i++)
    p *= dims[i];
  return p;
}

static int
compare_name (const void *key, const void *entry)
{
  return strcmp (key, *(const char *const *) entry);
}

#define FIND_OP(table, name) \
  ((const __typeof__ ((table)[0]) *) bsearch ((name), (table), G_N_ELEMENTS (table), \
                                              sizeof (table)[0], compare_name))

/* ---- Reduce* ------------------------------------------------------------- */

typedef enum {
  R_SUM, R_MEAN, R_MAX, R_MIN, R_PROD, R_L1, R_L2, R_LOG_SUM, R_LOG_SUM_EXP, R_SUM_SQUARE,
} ReduceOp;

typedef struct {
  const char *name;
  ReduceOp    op;
  gint64      axes_input_since;   /* ONNX opset from which axes is an input */
} ReduceDesc;

/* Sorted by name (strcmp). "Mean" and "Sum" are TFLite's (ONNX's are
 * elementwise, see lamina-ops-private.h). */
static const ReduceDesc reduce_ops[] = {
  { "Mean", R_MEAN, 0 },
  { "ReduceL1", R_L1, 18 },
  { "ReduceL2", R_L2, 18 },
  { "ReduceLogSum", R_LOG_SUM, 18 },
  { "ReduceLogSumExp", R_LOG_SUM_EXP, 18 },
  { "ReduceMax", R_MAX, 18 },
  { "ReduceMean", R_MEAN, 18 },
  { "ReduceMin", R_MIN, 18 },
  { "ReduceProd", R_PROD, 18 },
  { "ReduceSum", R_SUM, 13 },
  { "ReduceSumSquare", R_SUM_SQUARE, 18 },
  { "Sum", R_SUM, 0 },
};

/* Which axes a reduction covers, and the shape of its result. */
typedef struct {
  gboolean reduced[LAMINA_MAX_RANK];
  gboolean noop;          /* empty axes with noop_with_empty_axes: a copy */
  gboolean keepdims;
  LaminaValue kept;       /* shape with the reduced axes as 1 (no data) */
} ReducePlan;

/* Axes from an attribute or input (TFLite: always input 1). */
static gboolean
reduce_axes (const LaminaKernelCall *call, const ReduceDesc *d, ReducePlan *plan, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  gboolean tflite = lamina_kernel_is_tflite (call);
  gboolean from_input = tflite || call->opset >= d->axes_input_since;
  const gint64 *attr = NULL;
  const LaminaValue *axes = NULL;
  guint n = 0;

  if (from_input && call->n_inputs > 1 && call->inputs[1] != NULL)
    {
      axes = call->inputs[1];
      if (!lamina_dtype_is_integer (axes->dtype) || axes->rank > 1)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("axes must be a list of integers"));
      if (axes->data == NULL)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                                   _("axes must be known before the run"));
      n = (guint) axes->numel;
    }
  else if (!from_input)
    attr = lamina_node_get_ints (call->node, "axes", &n);
  memset (plan, 0, sizeof *plan);
  plan->keepdims = tflite ? lamina_node_get_int (call->node, "keep_dims", 0) != 0
                          : lamina_node_get_int (call->node, "keepdims", 1) != 0;
  for (guint i = 0; i < n; i++)
    {
      int a;
      if (!lamina_kernel_axis (call, attr ? attr[i] : lamina_value_get_int (axes, i), x->rank, &a, error))
        return FALSE;
      plan->reduced[a] = TRUE;
    }
  if (n == 0)
    {
      plan->noop = lamina_node_get_int (call->node, "noop_with_empty_axes", 0) != 0;
      for (int i = 0; i < x->rank; i++)
        plan->reduced[i] = !plan->noop;
    }
  plan->kept.rank = x->rank;
  for (int i = 0; i < x->rank; i++)
    plan->kept.dims[i] = plan->reduced[i] ? 1 : x->dims[i];
  return TRUE;
}

static gboolean
reduce_reshape_with (LaminaKernelCall *call, const ReduceDesc *d, GError **error)
{
  ReducePlan plan;
  gint64 dims[LAMINA_MAX_RANK];
  int rank = 0;
  const LaminaValue *x;

  if (!lamina_kernel_check_inputs (call, 1, 2, error))
    return FALSE;
  x = call->inputs[0];
  if (!is_numeric (x->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!lamina_kernel_check_not_quantized (call, error))
    return FALSE;
  if (!reduce_axes (call, d, &plan, error))
    return FALSE;
  for (int i = 0; i < x->rank; i++)
    if (!plan.reduced[i] || plan.keepdims)
      dims[rank++] = plan.kept.dims[i];
  if (plan.noop)
    rank = x->rank, memcpy (dims, x->dims, sizeof dims);
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], x->dtype, rank, dims, error);
}

typedef struct {
  ReduceOp      op;
  const double *x;
  double       *acc;
  const double *max;     /* LogSumExp's second pass */
} ReduceJob;

static void
reduce_row (gint64 x_offset, const gint64 *offsets, const gint64 *strides, gint64 n, gpointer data)
{
  const ReduceJob *job = data;
  const double *x = job->x + x_offset;
  double *acc = job->acc + offsets[0];
  gint64 s = strides[0];

  switch (job->op)
    {
    case R_SUM: case R_MEAN:
      for (gint64 i = 0; i < n; i++) acc[i * s] += x[i];
      break;
    case R_MAX:
      for (gint64 i = 0; i < n; i++) acc[i * s] = x[i] > acc[i * s] || isnan (x[i]) ? x[i] : acc[i * s];
      break;
    case R_MIN:
      for (gint64 i = 0; i < n; i++) acc[i * s] = x[i] < acc[i * s] || isnan (x[i]) ? x[i] : acc[i * s];
      break;
    case R_PROD:
      for (gint64 i = 0; i < n; i++) acc[i * s] *= x[i];
      break;
    case R_L1: case R_LOG_SUM:
      for (gint64 i = 0; i < n; i++) acc[i * s] += job->op == R_L1 ? fabs (x[i]) : x[i];
      break;
    case R_L2: case R_SUM_SQUARE:
      for (gint64 i = 0; i < n; i++) acc[i * s] += x[i] * x[i];
      break;
    case R_LOG_SUM_EXP:
      {
        const double *m = job->max + offsets[0];
        for (gint64 i = 0; i < n; i++)
          acc[i * s] += isinf (m[i * s]) ? exp (x[i]) : exp (x[i] - m[i * s]);
      }
      break;
    }
}

static void
reduce_pass (ReduceOp op, const LaminaValue *x, const double *data, const ReducePlan *plan,
             double *acc, const double *max)
{
  const LaminaValue *kept = &plan->kept;
  ReduceJob job = { op, data, acc, max };
  LaminaBroadcast walk;

  /* walk x in order; acc is x's shape with the reduced axes broadcast */
  lamina_broadcast_plan (&walk, x->rank, x->dims, &kept, 1);
  /* serial: many rows accumulate into the same outputs */
  lamina_broadcast_run (&walk, NULL, reduce_row, &job);
}

static gboolean
reduce_run_with (LaminaKernelCall *call, const ReduceDesc *d, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  g_autofree gpointer tmp = NULL;
  g_autofree double *acc = NULL, *max = NULL;
  const double *data;
  ReducePlan plan;
  gint64 count;
  double init;

  if (y == NULL)
    return TRUE;
  if (!reduce_axes (call, d, &plan, error))
    return FALSE;
  if (plan.noop)
    {
      memcpy (y->data, x->data, x->numel * lamina_dtype_size (x->dtype));
      return TRUE;
    }
  data = lamina_convert_view (x, LAMINA_DTYPE_FLOAT64, &tmp);
  count = y->numel > 0 ? x->numel / y->numel : 0;
  init = d->op == R_MAX ? -INFINITY : d->op == R_MIN ? INFINITY : d->op == R_PROD ? 1 : 0;
  acc = g_new (double, MAX (y->numel, 1));
  for (gint64 i = 0; i < y->numel; i++)
    acc[i] = init;
  if (d->op == R_LOG_SUM_EXP)
    {
      /* stable: e^(x − max) summed, max added back */
      max = g_new (double, MAX (y->numel, 1));
      for (gint64 i = 0; i < y->numel; i++)
        max[i] = -INFINITY;
      reduce_pass (R_MAX, x, data, &plan, max, NULL);
    }
  reduce_pass (d->op, x, data, &plan, acc, max);
  for (gint64 i = 0; i < y->numel; i++)
    switch (d->op)
      {
      case R_MEAN: acc[i] /= count; break;
      case R_L2: acc[i] = sqrt (acc[i]); break;
      case R_LOG_SUM: acc[i] = log (acc[i]); break;
      case R_LOG_SUM_EXP: acc[i] = isinf (max[i]) ? log (acc[i]) : max[i] + log (acc[i]); break;
      default: break;
      }
  if (!is_float (y->dtype) && d->op == R_MEAN)
    for (gint64 i = 0; i < y->numel; i++)
      acc[i] = trunc (acc[i]);
  lamina_convert (y->data, y->dtype, acc, LAMINA_DTYPE_FLOAT64, y->numel);
  return TRUE;
}

static gboolean
reduce_reshape (LaminaKernelCall *call, GError **error)
{
  return reduce_reshape_with (call, FIND_OP (reduce_ops, call->node->op_type), error);
}

static gboolean
reduce_run (LaminaKernelCall *call, GError **error)
{
  return reduce_run_with (call, FIND_OP (reduce_ops, call->node->op_type), error);
}

gboolean
lamina_reduce_tflite_reshape (LaminaKernelCall *call, GError **error)
{
  return reduce_reshape (call, error);
}

gboolean
lamina_reduce_tflite_run (LaminaKernelCall *call, GError **error)
{
  return reduce_run (call, error);
}

/* ---- ArgMax, ArgMin ------------------------------------------------------ */

typedef struct {
  int      axis;
  gboolean keepdims, last, max;
  LaminaDType out_type;
} ArgParams;

static gboolean
arg_params (const LaminaKernelCall *call, ArgParams *p, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  gint64 axis;

  p->max = strcmp (call->node->op_type, "ArgMax") == 0;
  p->out_type = LAMINA_DTYPE_INT64;
  if (lamina_kernel_is_tflite (call))
    {
      /* TFLite: axis is input 1, the index type an option, no kept dims */
      const char *t = lamina_node_get_string (call->node, "output_type", "INT64");
      if (call->n_inputs < 2 || call->inputs[1] == NULL || call->inputs[1]->numel != 1
          || call->inputs[1]->data == NULL)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("axis must be a known scalar"));
      axis = lamina_value_get_int (call->inputs[1], 0);
      p->keepdims = FALSE;
      p->last = FALSE;
      p->out_type = strcmp (t, "INT32") == 0 ? LAMINA_DTYPE_INT32 : LAMINA_DTYPE_INT64;
    }
  else
    {
      axis = lamina_node_get_int (call->node, "axis", 0);
      p->keepdims = lamina_node_get_int (call->node, "keepdims", 1) != 0;
      p->last = lamina_node_get_int (call->node, "select_last_index", 0) != 0;
    }
  return lamina_kernel_axis (call, axis, x->rank, &p->axis, error);
}

static gboolean
arg_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  gint64 dims[LAMINA_MAX_RANK];
  ArgParams p;
  int rank = 0;

  if (!lamina_kernel_check_inputs (call, 1, 2, error))
    return FALSE;
  x = call->inputs[0];
  if (!is_numeric (x->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!arg_params (call, &p, error))
    return FALSE;
  if (x->dims[p.axis] == 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("cannot reduce an empty axis"));
  for (int i = 0; i < x->rank; i++)
    if (i != p.axis)
      dims[rank++] = x->dims[i];
    else if (p.keepdims)
      dims[rank++] = 1;
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], p.out_type, rank, dims, error);
}

static gboolean
arg_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  g_autofree gpointer tmp = NULL;
  g_autofree gint64 *index = NULL;
  const double *v;
  gint64 outer, n, inner;
  ArgParams p;

  if (y == NULL)
    return TRUE;
  if (!arg_params (call, &p, error))
    return FALSE;
  v = lamina_convert_view (x, LAMINA_DTYPE_FLOAT64, &tmp);
  outer = product (x->dims, 0, p.axis);
  n = x->dims[p.axis];
  inner = product (x->dims, p.axis + 1, x->rank);
  index = g_new (gint64, MAX (y->numel, 1));
  for (gint64 o = 0; o < outer; o++)
    for (gint64 j = 0; j < inner; j++)
      {
        const double *row = v + o * n * inner + j;
        gint64 best = 0;
        for (gint64 k = 1; k < n; k++)
          {
            double a = row[k * inner], b = row[best * inner];
            gboolean better = p.max ? a > b : a < b;
            if (better || (p.last && a == b))
              best = k;
          }
        index[o * inner + j] = best;
      }
  lamina_convert (y->data, y->dtype, index, LAMINA_DTYPE_INT64, y->numel);
  return TRUE;
}

/* ---- Softmax, LogSoftmax, Hardmax ---------------------------------------- */

typedef enum { SM_SOFTMAX, SM_LOG_SOFTMAX, SM_HARDMAX } SoftmaxMode;

typedef struct {
  SoftmaxMode mode;
  float       beta;
  gint64      outer, n, inner;   /* the tensor as [outer, n, inner], softmax along n */
  const float *x;
  float      *y;
} SoftmaxJob;

/* The [outer, n, inner] view: opset < 13 coerces to 2-D at axis (default 1);
 * from 13 one axis (default -1); TFLite: the last axis. */
static gboolean
softmax_view (const LaminaKernelCall *call, SoftmaxJob *job, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  gboolean tflite = lamina_kernel_is_tflite (call);
  gboolean coerce = !tflite && call->opset < 13;
  gint64 axis = tflite ? -1 : lamina_node_get_int (call->node, "axis", coerce ? 1 : -1);
  int a;

  if (x->rank == 0)
    {
      job->outer = job->n = job->inner = 1;
      return TRUE;
    }
  if (!lamina_kernel_axis (call, axis, x->rank, &a, error))
    return FALSE;
  job->outer = product (x->dims, 0, a);
  job->n = coerce ? product (x->dims, a, x->rank) : x->dims[a];
  job->inner = coerce ? 1 : product (x->dims, a + 1, x->rank);
  job->beta = tflite ? (float) lamina_node_get_float (call->node, "beta", 1.0) : 1.0f;
  return TRUE;
}

static SoftmaxMode
softmax_mode (const char *op_type)
{
  return strcmp (op_type, "Hardmax") == 0 ? SM_HARDMAX
         : strcmp (op_type, "LogSoftmax") == 0 ? SM_LOG_SOFTMAX : SM_SOFTMAX;
}

static gboolean
softmax_reshape (LaminaKernelCall *call, GError **error)
{
  SoftmaxJob job;
  const LaminaValue *x;

  if (!lamina_kernel_check_inputs (call, 1, 1, error))
    return FALSE;
  x = call->inputs[0];
  if (!is_float (x->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!softmax_view (call, &job, error))
    return FALSE;
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], x->dtype, x->rank, x->dims, error);
}

/* y[0..n) = e^((x − m) β) and their sum, 8 lanes at a time. */
static LAMINA_VECTOR_CLONES double
exp_shifted (const float *x, float *y, gint64 n, const float *m, gint64 m_stride, float beta)
{
  LaminaV8f sum = lamina_v8f_splat (0.0f);
  double total = 0;
  gint64 i = 0;

  for (; i + 8 <= n; i += 8)
    {
      LaminaV8f mv = m_stride ? lamina_v8f_load (m + i) : lamina_v8f_splat (m[0]);
      LaminaV8f e = lamina_v8f_exp ((lamina_v8f_load (x + i) - mv) * beta);
      lamina_v8f_store (y + i, e);
      sum += e;
    }
  for (; i < n; i++)
    {
      LaminaV8f e = lamina_v8f_exp (lamina_v8f_splat ((x[i] - m[m_stride * i]) * beta));
      y[i] = e[0];
      total += e[0];
    }
  for (int l = 0; l < 8; l++)
    total += sum[l];
  return total;
}

/* One softmax along a contiguous row (inner == 1). */
static void
softmax_row (const SoftmaxJob *job, const float *x, float *y)
{
  gint64 n = job->n, best = 0;
  float m = x[0];
  double sum;

  for (gint64 i = 1; i < n; i++)
    if (x[i] > m)
      m = x[i], best = i;
  if (job->mode == SM_HARDMAX)
    {
      memset (y, 0, n * sizeof *y);
      y[best] = 1;
      return;
    }
  sum = exp_shifted (x, y, n, &m, 0, job->beta);
  if (job->mode == SM_LOG_SOFTMAX)
    {
      float ls = (float) log (sum);
      for (gint64 i = 0; i < n; i++)
        y[i] = (x[i] - m) * job->beta - ls;
    }
  else
    {
      float r = (float) (1.0 / sum);
      for (gint64 i = 0; i < n; i++)
        y[i] *= r;
    }
}

/* Softmax along a strided axis: rows of `inner` elements are combined
 * elementwise, so the vector loops run along inner. */
static void
softmax_block (const SoftmaxJob *job, const float *x, float *y)
{
  gint64 n = job->n, inner = job->inner;
  g_autofree float *m = g_new (float, inner);
  g_autofree double *sum = g_new0 (double, inner);
  g_autofree gint64 *best = g_new0 (gint64, inner);
  g_autofree float *row = g_new (float, inner);

  memcpy (m, x, inner * sizeof *m);
  for (gint64 k = 1; k < n; k++)
    for (gint64 j = 0; j < inner; j++)
      if (x[k * inner + j] > m[j])
        m[j] = x[k * inner + j], best[j] = k;
  if (job->mode == SM_HARDMAX)
    {
      memset (y, 0, n * inner * sizeof *y);
      for (gint64 j = 0; j < inner; j++)
        y[best[j] * inner + j] = 1;
      return;
    }
  for (gint64 k = 0; k < n; k++)
    {
      exp_shifted (x + k * inner, row, inner, m, 1, job->beta);
      for (gint64 j = 0; j < inner; j++)
        {
          sum[j] += row[j];
          if (job->mode == SM_SOFTMAX)
            y[k * inner + j] = row[j];
        }
    }
  for (gint64 k = 0; k < n; k++)
    for (gint64 j = 0; j < inner; j++)
      y[k * inner + j] = job->mode == SM_SOFTMAX
                         ? (float) (y[k * inner + j] / sum[j])
                         : (x[k * inner + j] - m[j]) * job->beta - (float) log (sum[j]);
}

static void
softmax_chunk (gint64 begin, gint64 end, gpointer data)
{
  const SoftmaxJob *job = data;
  gint64 block = job->n * job->inner;

  for (gint64 o = begin; o < end; o++)
    if (job->inner == 1)
      softmax_row (job, job->x + o * block, job->y + o * block);
    else
      softmax_block (job, job->x + o * block, job->y + o * block);
}

static gboolean
softmax_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  g_autofree gpointer in_tmp = NULL;
  g_autofree float *out_tmp = NULL;
  SoftmaxJob job;

  if (y == NULL || x->numel == 0)
    return TRUE;
  if (!softmax_view (call, &job, error))
    return FALSE;
  job.mode = softmax_mode (call->node->op_type);
  job.x = lamina_convert_view (x, LAMINA_DTYPE_FLOAT32, &in_tmp);
  job.y = y->dtype == LAMINA_DTYPE_FLOAT32 ? y->data : (out_tmp = g_new (float, y->numel));
  lamina_parallel_for (call->parallel, job.outer,
                       MAX (1, LAMINA_ELEMENTWISE_GRAIN / MAX (job.n * job.inner, 1)),
                       softmax_chunk, &job);
  if (out_tmp != NULL)
    lamina_convert (y->data, y->dtype, out_tmp, LAMINA_DTYPE_FLOAT32, y->numel);
  return TRUE;
}

/* ---- per-channel affine maps: BatchNormalization and the norms ------------ */

/* y = x · a + b over a contiguous row. */
static LAMINA_VECTOR_CLONES void
affine_row (const float *x, float *y, gint64 n, float a, float b)
{
  gint64 i = 0;

  for (; i + 8 <= n; i += 8)
    lamina_v8f_store (y + i, lamina_v8f_load (x + i) * a + b);
  for (; i < n; i++)
    y[i] = x[i] * a + b;
}

typedef struct {
  const float *x;
  float       *y;
  const float *a, *b;       /* per channel */
  gint64       channels, inner;
} AffineJob;

static void
affine_chunk (gint64 begin, gint64 end, gpointer data)
{
  const AffineJob *job = data;

  for (gint64 r = begin; r < end; r++)
    {
      gint64 c = r % job->channels;
      affine_row (job->x + r * job->inner, job->y + r * job->inner, job->inner, job->a[c], job->b[c]);
    }
}

/* y[n, c, ...] = x[n, c, ...] · a[c] + b[c] over rows of `inner` elements. */
static void
affine_channels (LaminaParallel *parallel, const float *x, float *y, const float *a, const float *b,
                 gint64 rows, gint64 channels, gint64 inner)
{
  AffineJob job = { x, y, a, b, channels, inner };

  lamina_parallel_for (parallel, rows, MAX (1, LAMINA_ELEMENTWISE_GRAIN / MAX (inner, 1)),
                       affine_chunk, &job);
}

/* Float input and output through float32 buffers: runs body on them. */
typedef struct {
  const float *x;
  float       *y;
  gpointer     x_tmp;
  float       *y_tmp;
} FloatIO;

static void
float_io_begin (FloatIO *io, const LaminaValue *x, LaminaValue *y)
{
  memset (io, 0, sizeof *io);
  io->x = lamina_convert_view (x, LAMINA_DTYPE_FLOAT32, &io->x_tmp);
  io->y = y->dtype == LAMINA_DTYPE_FLOAT32 ? y->data : (io->y_tmp = g_new (float, MAX (y->numel, 1)));
}

static void
float_io_end (FloatIO *io, LaminaValue *y)
{
  if (io->y_tmp != NULL)
    lamina_convert (y->data, y->dtype, io->y_tmp, LAMINA_DTYPE_FLOAT32, y->numel);
  g_free (io->x_tmp);
  g_free (io->y_tmp);
}

/* A per-channel parameter input: float, numel channels. */
static gboolean
check_channel_param (const LaminaKernelCall *call, guint i, gint64 channels, GError **error)
{
  const LaminaValue *v = call->inputs[i];

  if (!is_float (v->dtype))
    return lamina_kernel_fail_dtype (call, i, error);
  if (v->numel != channels)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("input %u has %lld elements, expected %lld"),
                               i, (long long) v->numel, (long long) channels);
  return TRUE;
}

static gboolean
channel_input_reshape (LaminaKernelCall *call, guint n_params, GError **error)
{
  const LaminaValue *x = call->inputs[0];

  if (!is_float (x->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (x->rank < 2)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("input 0 must have rank 2 or more"));
  for (guint i = 1; i <= n_params; i++)
    if (!check_channel_param (call, i, x->dims[1], error))
      return FALSE;
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], x->dtype, x->rank, x->dims, error);
}

static gboolean
batchnorm_reshape (LaminaKernelCall *call, GError **error)
{
  if (!lamina_kernel_check_inputs (call, 5, 5, error))
    return FALSE;
  if (lamina_node_get_int (call->node, "training_mode", 0) != 0
      || (call->opset < 7 && lamina_node_get_int (call->node, "is_test", 1) == 0
          && call->n_outputs > 1)
      || lamina_node_get_int (call->node, "spatial", 1) == 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("training mode is not supported"));
  for (guint i = 1; i < call->n_outputs; i++)
    if (call->outputs[i] != NULL)
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                                 _("training mode is not supported"));
  return channel_input_reshape (call, 4, error);
}

/* A per-channel parameter as float32 (a copy when it is not). */
static float *
channel_floats (const LaminaValue *v)
{
  float *out = g_new (float, MAX (v->numel, 1));

  lamina_convert (out, LAMINA_DTYPE_FLOAT32, v->data, v->dtype, v->numel);
  return out;
}

static gboolean
batchnorm_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  double eps = lamina_node_get_float (call->node, "epsilon", 1e-5);
  gint64 c = x->dims[1];
  g_autofree float *scale = NULL, *bias = NULL, *mean = NULL, *var = NULL, *a = NULL, *b = NULL;
  FloatIO io;

  if (y == NULL)
    return TRUE;
  scale = channel_floats (call->inputs[1]);
  bias = channel_floats (call->inputs[2]);
  mean = channel_floats (call->inputs[3]);
  var = channel_floats (call->inputs[4]);
  a = g_new (float, MAX (c, 1));
  b = g_new (float, MAX (c, 1));
  /* y = (x − mean) / √(var + ε) · scale + bias = x · a + b */
  for (gint64 i = 0; i < c; i++)
    {
      double ai = scale[i] / sqrt ((double) var[i] + eps);
      a[i] = (float) ai;
      b[i] = (float) (bias[i] - mean[i] * ai);
    }
  float_io_begin (&io, x, y);
  affine_channels (call->parallel, io.x, io.y, a, b, x->dims[0] * c, c, product (x->dims, 2, x->rank));
  float_io_end (&io, y);
  return TRUE;
}

/* Mean and 1/√(var + ε) of n floats, in double. */
static void
moments (const float *x, gint64 n, double eps, double *mean, double *inv_std)
{
  double s = 0, ss = 0;

  for (gint64 i = 0; i < n; i++)
    s += x[i];
  *mean = n > 0 ? s / n : 0;
  for (gint64 i = 0; i < n; i++)
    ss += (x[i] - *mean) * (x[i] - *mean);
  *inv_std = 1.0 / sqrt ((n > 0 ? ss / n : 0) + eps);
}

static gboolean
instancenorm_reshape (LaminaKernelCall *call, GError **error)
{
  return lamina_kernel_check_inputs (call, 3, 3, error) && channel_input_reshape (call, 2, error);
}

static gboolean
instancenorm_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  double eps = lamina_node_get_float (call->node, "epsilon", 1e-5);
  gint64 c = x->dims[1], inner = product (x->dims, 2, x->rank), rows = x->dims[0] * c;
  g_autofree float *scale = NULL, *bias = NULL, *a = NULL, *b = NULL;
  FloatIO io;

  if (y == NULL)
    return TRUE;
  scale = channel_floats (call->inputs[1]);
  bias = channel_floats (call->inputs[2]);
  a = g_new (float, MAX (rows, 1));
  b = g_new (float, MAX (rows, 1));
  float_io_begin (&io, x, y);
  /* per (n, c): y = (x − mean) · inv_std · scale + bias, an affine row */
  for (gint64 r = 0; r < rows; r++)
    {
      double mean, inv_std;
      moments (io.x + r * inner, inner, eps, &mean, &inv_std);
      a[r] = (float) (inv_std * scale[r % c]);
      b[r] = (float) (bias[r % c] - mean * inv_std * scale[r % c]);
    }
  affine_channels (call->parallel, io.x, io.y, a, b, rows, rows, inner);
  float_io_end (&io, y);
  return TRUE;
}

/* LayerNormalization: normalise over dims[axis:], then scale and bias
 * (broadcast over the normalised block: numel inner or 1). */
static gboolean
layernorm_axis (const LaminaKernelCall *call, int *axis, GError **error)
{
  const LaminaValue *x = call->inputs[0];

  return lamina_kernel_axis (call, lamina_node_get_int (call->node, "axis", -1), x->rank, axis, error);
}

static gboolean
layernorm_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  gint64 dims[LAMINA_MAX_RANK], inner;
  int axis;

  if (!lamina_kernel_check_inputs (call, 2, 3, error))
    return FALSE;
  x = call->inputs[0];
  if (!is_float (x->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!layernorm_axis (call, &axis, error))
    return FALSE;
  inner = product (x->dims, axis, x->rank);
  for (guint i = 1; i < call->n_inputs; i++)
    if (call->inputs[i] != NULL && call->inputs[i]->numel != 1
        && !check_channel_param (call, i, inner, error))
      return FALSE;
  if (call->outputs[0] != NULL
      && !lamina_value_set_shape (call->outputs[0], x->dtype, x->rank, x->dims, error))
    return FALSE;
  /* Mean and InvStdDev: x's shape with the normalised dims as 1 */
  for (int i = 0; i < x->rank; i++)
    dims[i] = i < axis ? x->dims[i] : 1;
  for (guint i = 1; i < MIN (call->n_outputs, 3); i++)
    if (call->outputs[i] != NULL
        && !lamina_value_set_shape (call->outputs[i], LAMINA_DTYPE_FLOAT32, x->rank, dims, error))
      return FALSE;
  return TRUE;
}

static gboolean
layernorm_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  double eps = lamina_node_get_float (call->node, "epsilon", 1e-5);
  g_autofree float *scale = NULL, *bias = NULL;
  gint64 outer, inner;
  FloatIO io;
  int axis;

  if (y == NULL)
    return TRUE;
  if (!layernorm_axis (call, &axis, error))
    return FALSE;
  outer = product (x->dims, 0, axis);
  inner = product (x->dims, axis, x->rank);
  scale = channel_floats (call->inputs[1]);
  bias = call->n_inputs > 2 && call->inputs[2] != NULL ? channel_floats (call->inputs[2]) : NULL;
  float_io_begin (&io, x, y);
  for (gint64 o = 0; o < outer; o++)
    {
      const float *xr = io.x + o * inner;
      float *yr = io.y + o * inner;
      double mean, inv_std;
      moments (xr, inner, eps, &mean, &inv_std);
      for (gint64 i = 0; i < inner; i++)
        {
          float s = scale[call->inputs[1]->numel == 1 ? 0 : i];
          float b = bias == NULL ? 0 : bias[call->inputs[2]->numel == 1 ? 0 : i];
          yr[i] = (float) ((xr[i] - mean) * inv_std) * s + b;
        }
      if (call->n_outputs > 1 && call->outputs[1] != NULL)
        ((float *) call->outputs[1]->data)[o] = (float) mean;
      if (call->n_outputs > 2 && call->outputs[2] != NULL)
        ((float *) call->outputs[2]->data)[o] = (float) inv_std;
    }
  float_io_end (&io, y);
  return TRUE;
}

/* GroupNormalization: scale and bias per group (opset 18) or per channel
 * (opset 21). */
static gboolean
groupnorm_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  gint64 groups = lamina_node_get_int (call->node, "num_groups", 0), per;

  if (!lamina_kernel_check_inputs (call, 3, 3, error))
    return FALSE;
  x = call->inputs[0];
  if (!is_float (x->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (x->rank < 2 || groups <= 0 || x->dims[1] % groups != 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("the channels cannot be split into %lld groups"), (long long) groups);
  per = call->opset >= 21 ? x->dims[1] : groups;
  if (!check_channel_param (call, 1, per, error) || !check_channel_param (call, 2, per, error))
    return FALSE;
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], x->dtype, x->rank, x->dims, error);
}

static gboolean
groupnorm_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  double eps = lamina_node_get_float (call->node, "epsilon", 1e-5);
  gint64 groups = lamina_node_get_int (call->node, "num_groups", 1), c = x->dims[1];
  gint64 inner = product (x->dims, 2, x->rank), rows = x->dims[0] * c, cpg = c / groups;
  gboolean per_channel = call->opset >= 21;
  g_autofree float *scale = NULL, *bias = NULL, *a = NULL, *b = NULL;
  FloatIO io;

  if (y == NULL)
    return TRUE;
  scale = channel_floats (call->inputs[1]);
  bias = channel_floats (call->inputs[2]);
  a = g_new (float, MAX (rows, 1));
  b = g_new (float, MAX (rows, 1));
  float_io_begin (&io, x, y);
  for (gint64 g = 0; g < x->dims[0] * groups; g++)
    {
      double mean, inv_std;
      moments (io.x + g * cpg * inner, cpg * inner, eps, &mean, &inv_std);
      for (gint64 k = 0; k < cpg; k++)
        {
          gint64 r = g * cpg + k, p = per_channel ? r % c : g % groups;
          a[r] = (float) (inv_std * scale[p]);
          b[r] = (float) (bias[p] - mean * inv_std * scale[p]);
        }
    }
  affine_channels (call->parallel, io.x, io.y, a, b, rows, rows, inner);
  float_io_end (&io, y);
  return TRUE;
}

/* LpNormalization: x / ‖x‖p along one axis (p = 1 or 2). */
static gboolean
lpnorm_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  gint64 p = lamina_node_get_int (call->node, "p", 2);
  int axis;

  if (!lamina_kernel_check_inputs (call, 1, 1, error))
    return FALSE;
  x = call->inputs[0];
  if (!is_float (x->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (p != 1 && p != 2)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("attribute %s has an invalid value"), "p");
  if (!lamina_kernel_axis (call, lamina_node_get_int (call->node, "axis", -1), x->rank, &axis, error))
    return FALSE;
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], x->dtype, x->rank, x->dims, error);
}

static gboolean
lpnorm_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  gint64 p = lamina_node_get_int (call->node, "p", 2), outer, n, inner;
  FloatIO io;
  int axis;

  if (y == NULL)
    return TRUE;
  if (!lamina_kernel_axis (call, lamina_node_get_int (call->node, "axis", -1), x->rank, &axis, error))
    return FALSE;
  outer = product (x->dims, 0, axis);
  n = x->dims[axis];
  inner = product (x->dims, axis + 1, x->rank);
  float_io_begin (&io, x, y);
  for (gint64 o = 0; o < outer; o++)
    for (gint64 j = 0; j < inner; j++)
      {
        const float *xr = io.x + o * n * inner + j;
        float *yr = io.y + o * n * inner + j;
        double norm = 0;
        for (gint64 k = 0; k < n; k++)
          norm += p == 1 ? fabs (xr[k * inner]) : (double) xr[k * inner] * xr[k * inner];
        norm = p == 1 ? norm : sqrt (norm);
        for (gint64 k = 0; k < n; k++)
          yr[k * inner] = norm > 0 ? (float) (xr[k * inner] / norm) : 0.0f;
      }
  float_io_end (&io, y);
  return TRUE;
}

/* ---- TopK ---------------------------------------------------------------- */

typedef struct {
  double value;
  gint64 index;
} Ranked;

static int
rank_largest (const void *a, const void *b)
{
  const Ranked *p = a, *q = b;

  /* larger first; equal values keep the lower index first (stable) */
  if (p->value != q->value)
    return p->value > q->value ? -1 : 1;
  return p->index < q->index ? -1 : p->index > q->index;
}

static int
rank_smallest (const void *a, const void *b)
{
  const Ranked *p = a, *q = b;

  if (p->value != q->value)
    return p->value < q->value ? -1 : 1;
  return p->index < q->index ? -1 : p->index > q->index;
}

static gboolean
topk_k (const LaminaKernelCall *call, gint64 *k, GError **error)
{
  if (call->opset > 0 && call->opset < 10)
    {
      *k = lamina_node_get_int (call->node, "k", -1);
      return TRUE;
    }
  if (call->n_inputs < 2 || call->inputs[1] == NULL || call->inputs[1]->numel != 1)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("K must be a scalar"));
  if (call->inputs[1]->data == NULL)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("K must be known before the run"));
  *k = lamina_value_get_int (call->inputs[1], 0);
  return TRUE;
}

static gboolean
topk_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  gint64 dims[LAMINA_MAX_RANK], k;
  int axis;

  if (!lamina_kernel_check_inputs (call, 1, 2, error))
    return FALSE;
  x = call->inputs[0];
  if (!is_numeric (x->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!topk_k (call, &k, error)
      || !lamina_kernel_axis (call, lamina_node_get_int (call->node, "axis", -1), x->rank, &axis, error))
    return FALSE;
  if (k < 0 || k > x->dims[axis])
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("K = %lld is outside 0…%lld"), (long long) k,
                               (long long) x->dims[axis]);
  memcpy (dims, x->dims, sizeof dims);
  dims[axis] = k;
  if (call->outputs[0] != NULL
      && !lamina_value_set_shape (call->outputs[0], x->dtype, x->rank, dims, error))
    return FALSE;
  return call->n_outputs < 2 || call->outputs[1] == NULL
         || lamina_value_set_shape (call->outputs[1], LAMINA_DTYPE_INT64, x->rank, dims, error);
}

static gboolean
topk_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  gboolean largest = lamina_node_get_int (call->node, "largest", 1) != 0;
  g_autofree gpointer tmp = NULL;
  g_autofree double *values = NULL;
  g_autofree gint64 *indices = NULL;
  g_autofree Ranked *ranked = NULL;
  gint64 k, outer, n, inner;
  const double *v;
  int axis;

  if (!topk_k (call, &k, error)
      || !lamina_kernel_axis (call, lamina_node_get_int (call->node, "axis", -1), x->rank, &axis, error))
    return FALSE;
  v = lamina_convert_view (x, LAMINA_DTYPE_FLOAT64, &tmp);
  outer = product (x->dims, 0, axis);
  n = x->dims[axis];
  inner = product (x->dims, axis + 1, x->rank);
  values = g_new (double, MAX (outer * k * inner, 1));
  indices = g_new (gint64, MAX (outer * k * inner, 1));
  ranked = g_new (Ranked, MAX (n, 1));
  for (gint64 o = 0; o < outer; o++)
    for (gint64 j = 0; j < inner; j++)
      {
        for (gint64 i = 0; i < n; i++)
          ranked[i] = (Ranked) { v[(o * n + i) * inner + j], i };
        /* sorted output always: "sorted = 0" allows any order */
        qsort (ranked, n, sizeof *ranked, largest ? rank_largest : rank_smallest);
        for (gint64 i = 0; i < k; i++)
          {
            values[(o * k + i) * inner + j] = ranked[i].value;
            indices[(o * k + i) * inner + j] = ranked[i].index;
          }
      }
  if (call->outputs[0] != NULL)
    lamina_convert (call->outputs[0]->data, x->dtype, values, LAMINA_DTYPE_FLOAT64, outer * k * inner);
  if (call->n_outputs > 1 && call->outputs[1] != NULL)
    memcpy (call->outputs[1]->data, indices, outer * k * inner * sizeof *indices);
  return TRUE;
}

/* ---- CumSum -------------------------------------------------------------- */

static gboolean
cumsum_axis (const LaminaKernelCall *call, int *axis, GError **error)
{
  const LaminaValue *a = call->inputs[1];

  if (a->numel != 1 || !lamina_dtype_is_integer (a->dtype) || a->data == NULL)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("axis must be a known scalar"));
  return lamina_kernel_axis (call, lamina_value_get_int (a, 0), call->inputs[0]->rank, axis, error);
}

static gboolean
cumsum_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  int axis;

  if (!lamina_kernel_check_inputs (call, 2, 2, error))
    return FALSE;
  x = call->inputs[0];
  if (!is_numeric (x->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!cumsum_axis (call, &axis, error))
    return FALSE;
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], x->dtype, x->rank, x->dims, error);
}

static gboolean
cumsum_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  gboolean exclusive = lamina_node_get_int (call->node, "exclusive", 0) != 0;
  gboolean reverse = lamina_node_get_int (call->node, "reverse", 0) != 0;
  g_autofree gpointer tmp = NULL;
  g_autofree double *out = NULL;
  gint64 outer, n, inner;
  const double *v;
  int axis;

  if (y == NULL)
    return TRUE;
  if (!cumsum_axis (call, &axis, error))
    return FALSE;
  v = lamina_convert_view (x, LAMINA_DTYPE_FLOAT64, &tmp);
  out = g_new (double, MAX (x->numel, 1));
  outer = product (x->dims, 0, axis);
  n = x->dims[axis];
  inner = product (x->dims, axis + 1, x->rank);
  for (gint64 o = 0; o < outer; o++)
    for (gint64 j = 0; j < inner; j++)
      {
        double s = 0;
        for (gint64 t = 0; t < n; t++)
          {
            gint64 i = reverse ? n - 1 - t : t, at = (o * n + i) * inner + j;
            if (exclusive)
              out[at] = s, s += v[at];
            else
              s += v[at], out[at] = s;
          }
      }
  lamina_convert (y->data, y->dtype, out, LAMINA_DTYPE_FLOAT64, x->numel);
  return TRUE;
}

/* ---- the table ----------------------------------------------------------- */

#define KERNEL(name, f) { name, "", NULL, f##_reshape, f##_run, NULL }

/* Sorted by op_type; the registry sorts again, this is for readers. */
const LaminaKernel lamina_kernels_reduce[] = {
  KERNEL ("ArgMax", arg), KERNEL ("ArgMin", arg),
  KERNEL ("BatchNormalization", batchnorm), KERNEL ("CumSum", cumsum),
  KERNEL ("GroupNormalization", groupnorm), KERNEL ("Hardmax", softmax),
  KERNEL ("InstanceNormalization", instancenorm), KERNEL ("LayerNormalization", layernorm),
  KERNEL ("LogSoftmax", softmax), KERNEL ("LpNormalization", lpnorm),
  KERNEL ("ReduceL1", reduce), KERNEL ("ReduceL2", reduce), KERNEL ("ReduceLogSum", reduce),
  KERNEL ("ReduceLogSumExp", reduce), KERNEL ("ReduceMax", reduce), KERNEL ("ReduceMean", reduce),
  KERNEL ("ReduceMin", reduce), KERNEL ("ReduceProd", reduce), KERNEL ("ReduceSum", reduce),
  KERNEL ("ReduceSumSquare", reduce), KERNEL ("Softmax", softmax), KERNEL ("TopK", topk),
};
const guint lamina_n_kernels_reduce = G_N_ELEMENTS (lamina_kernels_reduce);
