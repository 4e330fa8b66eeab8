/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-ops-elementwise.c: kernels of the elementwise family (see
 * lamina-kernel.h): arithmetic and comparison with NumPy broadcasting,
 * activations and other unary maps, Clip, Cast, Where, Dropout, Identity,
 * and the TFLite builtins that are the same operations (Add with a fused
 * activation, Logistic, Relu6, Maximum, Select, Dequantize ...).
 *
 * Every operation computes in one of three types: float32 (float32, float16
 * and bfloat16 tensors), float64, or int64 (every integer type and bool).
 * Inputs of another type are widened into a temporary buffer first and the
 * result narrowed back: only three variants of each loop exist. float32 is
 * what float models run, so its loops are written with 8-lane vectors
 * (lamina-vecmath.h); the others are plain scalar loops.
 *
 * Operation names map to operation codes through sorted tables searched with
 * bsearch; one kernel function per shape of operation (unary, binary,
 * variadic ...) serves all of their names.
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

/* ---- compute types ------------------------------------------------------ */

typedef enum { CT_F32, CT_F64, CT_I64 } ComputeType;

static ComputeType
compute_type (LaminaDType t)
{
  switch (t)
    {
    case LAMINA_DTYPE_FLOAT32: case LAMINA_DTYPE_FLOAT16: case LAMINA_DTYPE_BFLOAT16:
      return CT_F32;
    case LAMINA_DTYPE_FLOAT64:
      return CT_F64;
    default:
      return CT_I64;
    }
}

static LaminaDType
compute_dtype (ComputeType ct)
{
  return ct == CT_F32 ? LAMINA_DTYPE_FLOAT32 : ct == CT_F64 ? LAMINA_DTYPE_FLOAT64 : LAMINA_DTYPE_INT64;
}

static gboolean
is_float_dtype (LaminaDType t)
{
  return compute_type (t) != CT_I64 && lamina_convert_supported (t);
}

static gboolean
is_int_dtype (LaminaDType t)
{
  return compute_type (t) == CT_I64 && t != LAMINA_DTYPE_BOOL && lamina_convert_supported (t);
}

static gboolean
is_unsigned_dtype (LaminaDType t)
{
  return t == LAMINA_DTYPE_UINT8 || t == LAMINA_DTYPE_UINT16 || t == LAMINA_DTYPE_UINT32
         || t == LAMINA_DTYPE_UINT64;
}

/* Where results of compute type `to` go before narrowing into out. */
static void *
result_buffer (LaminaValue *out, LaminaDType to, gpointer *tmp)
{
  if (out->dtype == to)
    return out->data;
  *tmp = g_malloc (MAX (out->numel, 1) * lamina_dtype_size (to));
  return *tmp;
}

static void
narrow (LaminaValue *out, LaminaDType from, const void *result)
{
  if (result != out->data)
    lamina_convert (out->data, out->dtype, result, from, out->numel);
}

/* Looks up name in a table sorted by strcmp whose entries start with a name. */
static int
compare_name (const void *key, const void *entry)
{
  return strcmp (key, *(const char *const *) entry);
}

#define FIND_OP(table, name) \
  ((const __typeof__ ((table)[0]) *) bsearch ((name), (table), G_N_ELEMENTS (table), \
                                              sizeof (table)[0], compare_name))

/* ---- unary operations ---------------------------------------------------- */

typedef enum {
  U_IDENTITY, U_RELU, U_LEAKY_RELU, U_SIGMOID, U_HARD_SIGMOID, U_HARD_SWISH, U_TANH, U_CLIP,
  U_ELU, U_SELU, U_CELU, U_GELU, U_GELU_TANH, U_ERF, U_EXP, U_LOG, U_SQRT, U_RSQRT,
  U_RECIPROCAL, U_NEG, U_ABS, U_FLOOR, U_CEIL, U_ROUND, U_SIGN, U_SIN, U_COS, U_TAN, U_ASIN,
  U_ACOS, U_ATAN, U_SINH, U_COSH, U_ASINH, U_ACOSH, U_ATANH, U_SOFTPLUS, U_SOFTSIGN, U_MISH,
  U_THRESHOLDED_RELU, U_SHRINK, U_SQUARE, U_NOT, U_ISNAN, U_ISINF,
} UnaryOp;

/* Which element types a unary operation takes. */
enum {
  T_FLOAT = 1 << 0,
  T_SIGNED = 1 << 1,     /* signed integers */
  T_UNSIGNED = 1 << 2,
  T_BOOL = 1 << 3,
  T_INT = T_SIGNED | T_UNSIGNED,
  T_NUMERIC = T_FLOAT | T_INT,
};

typedef struct {
  const char *name;
  UnaryOp     op;
  guint       types;
  float       lo, hi;      /* fixed bounds of the TFLite clamps (Relu6 ...) */
} UnaryDesc;

/* Sorted by name (strcmp). */
static const UnaryDesc unary_ops[] = {
  { "Abs", U_ABS, T_NUMERIC },
  { "Acos", U_ACOS, T_FLOAT },
  { "Acosh", U_ACOSH, T_FLOAT },
  { "Asin", U_ASIN, T_FLOAT },
  { "Asinh", U_ASINH, T_FLOAT },
  { "Atan", U_ATAN, T_FLOAT },
  { "Atanh", U_ATANH, T_FLOAT },
  { "Ceil", U_CEIL, T_FLOAT },
  { "Celu", U_CELU, T_FLOAT },
  { "Clip", U_CLIP, T_NUMERIC },
  { "Cos", U_COS, T_FLOAT },
  { "Cosh", U_COSH, T_FLOAT },
  { "Elu", U_ELU, T_FLOAT },
  { "Erf", U_ERF, T_FLOAT },
  { "Exp", U_EXP, T_FLOAT },
  { "Floor", U_FLOOR, T_FLOAT },
  { "Gelu", U_GELU, T_FLOAT },
  { "HardSigmoid", U_HARD_SIGMOID, T_FLOAT },
  { "HardSwish", U_HARD_SWISH, T_FLOAT },
  { "IsInf", U_ISINF, T_FLOAT },
  { "IsNaN", U_ISNAN, T_FLOAT },
  { "LeakyRelu", U_LEAKY_RELU, T_FLOAT },
  { "Log", U_LOG, T_FLOAT },
  { "LogicalNot", U_NOT, T_BOOL },
  { "Logistic", U_SIGMOID, T_FLOAT },
  { "Mish", U_MISH, T_FLOAT },
  { "Neg", U_NEG, T_FLOAT | T_SIGNED },
  { "Not", U_NOT, T_BOOL },
  { "Reciprocal", U_RECIPROCAL, T_FLOAT },
  { "Relu", U_RELU, T_FLOAT | T_SIGNED },
  { "Relu0To1", U_CLIP, T_FLOAT, 0, 1 },
  { "Relu6", U_CLIP, T_FLOAT, 0, 6 },
  { "ReluN1To1", U_CLIP, T_FLOAT, -1, 1 },
  { "Round", U_ROUND, T_FLOAT },
  { "Rsqrt", U_RSQRT, T_FLOAT },
  { "Selu", U_SELU, T_FLOAT },
  { "Shrink", U_SHRINK, T_FLOAT | T_SIGNED },
  { "Sigmoid", U_SIGMOID, T_FLOAT },
  { "Sign", U_SIGN, T_NUMERIC },
  { "Sin", U_SIN, T_FLOAT },
  { "Sinh", U_SINH, T_FLOAT },
  { "Softplus", U_SOFTPLUS, T_FLOAT },
  { "Softsign", U_SOFTSIGN, T_FLOAT },
  { "Sqrt", U_SQRT, T_FLOAT },
  { "Square", U_SQUARE, T_NUMERIC },
  { "Tan", U_TAN, T_FLOAT },
  { "Tanh", U_TANH, T_FLOAT },
  { "ThresholdedRelu", U_THRESHOLDED_RELU, T_FLOAT },
};

typedef struct {
  UnaryOp op;
  float   alpha, beta, gamma;
  float   lo, hi;                 /* Clip */
  gint64  ilo, ihi;               /* Clip of integers */
} UnaryParams;

static gboolean
dtype_in (LaminaDType t, guint types)
{
  return ((types & T_FLOAT) && is_float_dtype (t))
         || ((types & T_SIGNED) && is_int_dtype (t) && !is_unsigned_dtype (t))
         || ((types & T_UNSIGNED) && is_unsigned_dtype (t))
         || ((types & T_BOOL) && t == LAMINA_DTYPE_BOOL);
}

static float
attr_float (const LaminaKernelCall *call, const char *name, double fallback)
{
  return (float) lamina_node_get_float (call->node, name, fallback);
}

static float
softplus_scalar (float x)
{
  /* log(1 + e^x) = x + log(1 + e^-x) for large x, where e^x overflows */
  return x > 0 ? x + log1pf (expf (-x)) : log1pf (expf (x));
}

static float
gelu_scalar (float x)
{
  return 0.5f * x * (1.0f + erff (x * (float) M_SQRT1_2));
}

static float
round_even (float x)
{
  return nearbyintf (x);   /* the default rounding mode: half to even */
}

static float
mish_scalar (float x)
{
  return x * tanhf (softplus_scalar (x));
}

/* Clip's bounds: attributes before opset 11, optional scalar inputs after. */
static gboolean
clip_bounds (const LaminaKernelCall *call, UnaryParams *p, GError **error)
{
  p->lo = -INFINITY;
  p->hi = INFINITY;
  p->ilo = G_MININT64;
  p->ihi = G_MAXINT64;
  if (call->opset > 0 && call->opset < 11)
    {
      p->lo = attr_float (call, "min", -INFINITY);
      p->hi = attr_float (call, "max", INFINITY);
      return TRUE;
    }
  for (guint i = 1; i < MIN (call->n_inputs, 3); i++)
    {
      const LaminaValue *b = call->inputs[i];
      if (b == NULL)
        continue;
      if (b->numel != 1 || b->dtype != call->inputs[0]->dtype)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("input %u must be a scalar of the input's type"), i);
      if (b->data == NULL)
        continue;   /* shapes only (reshape before allocation) */
      if (i == 1)
        p->lo = lamina_value_get_double (b, 0), p->ilo = lamina_value_get_int (b, 0);
      else
        p->hi = lamina_value_get_double (b, 0), p->ihi = lamina_value_get_int (b, 0);
    }
  return TRUE;
}

static gboolean
unary_params (const LaminaKernelCall *call, const UnaryDesc *d, UnaryParams *p, GError **error)
{
  memset (p, 0, sizeof *p);
  p->op = d->op;
  switch (d->op)
    {
    case U_LEAKY_RELU:
      p->alpha = attr_float (call, "alpha", 0.01);
      break;
    case U_HARD_SIGMOID:
      p->alpha = attr_float (call, "alpha", 0.2);
      p->beta = attr_float (call, "beta", 0.5);
      break;
    case U_ELU: case U_CELU: case U_THRESHOLDED_RELU:
      p->alpha = attr_float (call, "alpha", 1.0);
      break;
    case U_SELU:
      p->alpha = attr_float (call, "alpha", 1.67326319217681884765625);
      p->gamma = attr_float (call, "gamma", 1.05070102214813232421875);
      break;
    case U_SHRINK:
      p->alpha = attr_float (call, "lambd", 0.5);
      p->beta = attr_float (call, "bias", 0.0);
      break;
    case U_GELU:
      /* ONNX: approximate = "none" | "tanh"; TFLite: approximate = 0 | 1 */
      if (g_strcmp0 (lamina_node_get_string (call->node, "approximate", "none"), "tanh") == 0
          || lamina_node_get_int (call->node, "approximate", 0) != 0)
        p->op = U_GELU_TANH;
      else if (g_strcmp0 (lamina_node_get_string (call->node, "approximate", "none"), "none") != 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                                   _("attribute %s has an unsupported value"), "approximate");
      break;
    case U_CLIP:
      if (d->lo != d->hi)
        {
          p->lo = d->lo, p->hi = d->hi;
          p->ilo = (gint64) d->lo, p->ihi = (gint64) d->hi;
          break;
        }
      return clip_bounds (call, p, error);
    default:
      break;
    }
  return TRUE;
}

/* n float32 elements: the one loop of every float operation. */
#define VEC_MAP(EXPR) \
  do { \
    gint64 i_ = 0; \
    for (; i_ + 8 <= n; i_ += 8) \
      { \
        LaminaV8f x = lamina_v8f_load (src + i_); \
        lamina_v8f_store (dst + i_, (EXPR)); \
      } \
    if (i_ < n) \
      { \
        LaminaV8f x = lamina_v8f_load_partial (src + i_, n - i_); \
        LaminaV8f r_ = (EXPR); \
        lamina_v8f_store_partial (dst + i_, r_, n - i_); \
      } \
  } while (0)

static LAMINA_VECTOR_CLONES void
unary_f32 (const UnaryParams *params, const float *src, float *dst, gint64 n)
{
  const LaminaV8f zero = lamina_v8f_splat (0.0f), one = lamina_v8f_splat (1.0f);
  /* a local copy: dst cannot alias it, so its fields stay in registers */
  const UnaryParams local = *params, *p = &local;

  switch (p->op)
    {
    case U_IDENTITY:   VEC_MAP (x); break;
    case U_RELU:       VEC_MAP (lamina_v8f_max (x, zero)); break;
    case U_LEAKY_RELU: VEC_MAP (lamina_v8f_select (x < 0.0f, x * p->alpha, x)); break;
    case U_SIGMOID:    VEC_MAP (lamina_v8f_sigmoid (x)); break;
    case U_HARD_SIGMOID: VEC_MAP (lamina_v8f_clamp (x * p->alpha + p->beta, 0.0f, 1.0f)); break;
    case U_HARD_SWISH: VEC_MAP (x * lamina_v8f_clamp (x * (1.0f / 6.0f) + 0.5f, 0.0f, 1.0f)); break;
    case U_TANH:       VEC_MAP (lamina_v8f_tanh (x)); break;
    case U_CLIP:       VEC_MAP (lamina_v8f_clamp (x, p->lo, p->hi)); break;
    case U_ELU:
      VEC_MAP (lamina_v8f_select (x < 0.0f, (lamina_v8f_exp (x) - 1.0f) * p->alpha, x));
      break;
    case U_SELU:
      VEC_MAP (lamina_v8f_select (x <= 0.0f, (lamina_v8f_exp (x) - 1.0f) * p->alpha, x) * p->gamma);
      break;
    case U_CELU:
      VEC_MAP (lamina_v8f_max (x, zero)
               + lamina_v8f_min (zero, (lamina_v8f_exp (x / p->alpha) - 1.0f) * p->alpha));
      break;
    case U_GELU:       VEC_MAP (lamina_v8f_map (x, gelu_scalar)); break;
    case U_GELU_TANH:
      VEC_MAP (0.5f * x * (1.0f + lamina_v8f_tanh (0.7978845608028654f * (x + 0.044715f * x * x * x))));
      break;
    case U_ERF:        VEC_MAP (lamina_v8f_map (x, erff)); break;
    case U_EXP:        VEC_MAP (lamina_v8f_exp (x)); break;
    case U_LOG:        VEC_MAP (lamina_v8f_map (x, logf)); break;
    case U_SQRT:       VEC_MAP (lamina_v8f_map (x, sqrtf)); break;
    case U_RSQRT:      VEC_MAP (one / lamina_v8f_map (x, sqrtf)); break;
    case U_RECIPROCAL: VEC_MAP (one / x); break;
    case U_NEG:        VEC_MAP (-x); break;
    case U_ABS:        VEC_MAP (lamina_v8f_abs (x)); break;
    case U_FLOOR:      VEC_MAP (lamina_v8f_map (x, floorf)); break;
    case U_CEIL:       VEC_MAP (lamina_v8f_map (x, ceilf)); break;
    case U_ROUND:      VEC_MAP (lamina_v8f_map (x, round_even)); break;
    case U_SIGN:
      VEC_MAP (lamina_v8f_select (x > 0.0f, one, lamina_v8f_select (x < 0.0f, -one, x)));
      break;
    case U_SIN:        VEC_MAP (lamina_v8f_map (x, sinf)); break;
    case U_COS:        VEC_MAP (lamina_v8f_map (x, cosf)); break;
    case U_TAN:        VEC_MAP (lamina_v8f_map (x, tanf)); break;
    case U_ASIN:       VEC_MAP (lamina_v8f_map (x, asinf)); break;
    case U_ACOS:       VEC_MAP (lamina_v8f_map (x, acosf)); break;
    case U_ATAN:       VEC_MAP (lamina_v8f_map (x, atanf)); break;
    case U_SINH:       VEC_MAP (lamina_v8f_map (x, sinhf)); break;
    case U_COSH:       VEC_MAP (lamina_v8f_map (x, coshf)); break;
    case U_ASINH:      VEC_MAP (lamina_v8f_map (x, asinhf)); break;
    case U_ACOSH:      VEC_MAP (lamina_v8f_map (x, acoshf)); break;
    case U_ATANH:      VEC_MAP (lamina_v8f_map (x, atanhf)); break;
    case U_SOFTPLUS:   VEC_MAP (lamina_v8f_map (x, softplus_scalar)); break;
    case U_SOFTSIGN:   VEC_MAP (x / (1.0f + lamina_v8f_abs (x))); break;
    case U_MISH:       VEC_MAP (lamina_v8f_map (x, mish_scalar)); break;
    case U_THRESHOLDED_RELU: VEC_MAP (lamina_v8f_select (x > p->alpha, x, zero)); break;
    case U_SHRINK:
      VEC_MAP (lamina_v8f_select (x < -p->alpha, x + p->beta,
                                  lamina_v8f_select (x > p->alpha, x - p->beta, zero)));
      break;
    case U_SQUARE:     VEC_MAP (x * x); break;
    case U_NOT: case U_ISNAN: case U_ISINF:
      g_assert_not_reached ();
    }
}

/* Integer (and bool) unary operations, in int64. */
static void
unary_i64 (const UnaryParams *p, const gint64 *src, gint64 *dst, gint64 n)
{
  for (gint64 i = 0; i < n; i++)
    {
      gint64 x = src[i];
      switch (p->op)
        {
        case U_RELU:   x = MAX (x, 0); break;
        case U_ABS:    x = x < 0 ? (gint64) (0 - (guint64) x) : x; break;
        case U_NEG:    x = (gint64) (0 - (guint64) x); break;
        case U_SIGN:   x = (x > 0) - (x < 0); break;
        case U_CLIP:   x = MIN (MAX (x, p->ilo), p->ihi); break;
        case U_SQUARE: x = (gint64) ((guint64) x * (guint64) x); break;
        case U_NOT:    x = !x; break;
        case U_SHRINK: x = x < -p->alpha ? x + (gint64) p->beta : x > p->alpha ? x - (gint64) p->beta : 0; break;
        default: break;
        }
      dst[i] = x;
    }
}

typedef struct {
  const UnaryParams *p;
  const void        *src;
  void              *dst;
  ComputeType        ct;
} UnaryJob;

static void
unary_chunk (gint64 begin, gint64 end, gpointer data)
{
  const UnaryJob *job = data;

  if (job->ct == CT_F32)
    unary_f32 (job->p, (const float *) job->src + begin, (float *) job->dst + begin, end - begin);
  else
    unary_i64 (job->p, (const gint64 *) job->src + begin, (gint64 *) job->dst + begin, end - begin);
}

/* dst = op (src) over n elements of compute type ct, in parallel when big. */
static void
unary_apply (LaminaParallel *parallel, const UnaryParams *p, ComputeType ct, const void *src,
             void *dst, gint64 n)
{
  UnaryJob job = { p, src, dst, ct };

  if (parallel == NULL || n < 2 * LAMINA_ELEMENTWISE_GRAIN)
    unary_chunk (0, n, &job);
  else
    lamina_parallel_for (parallel, n, LAMINA_ELEMENTWISE_GRAIN, unary_chunk, &job);
}

static gboolean
unary_reshape (LaminaKernelCall *call, GError **error)
{
  const UnaryDesc *d = FIND_OP (unary_ops, call->node->op_type);
  const LaminaValue *x;
  UnaryParams p;
  gboolean to_bool;

  g_return_val_if_fail (d != NULL, FALSE);
  if (!lamina_kernel_check_inputs (call, 1, d->op == U_CLIP ? 3 : 1, error))
    return FALSE;
  x = call->inputs[0];
  if (!dtype_in (x->dtype, d->types))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!lamina_kernel_check_not_quantized (call, error))
    return FALSE;
  if (!unary_params (call, d, &p, error))
    return FALSE;
  to_bool = d->op == U_ISNAN || d->op == U_ISINF;
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], to_bool ? LAMINA_DTYPE_BOOL : x->dtype,
                                    x->rank, x->dims, error);
}

/* IsNaN / IsInf: in double so that no float64 value changes class. */
static void
classify_floats (const UnaryParams *p, const LaminaKernelCall *call, const LaminaValue *x,
                 LaminaValue *y)
{
  g_autofree gpointer tmp = NULL;
  const double *v = lamina_convert_view (x, LAMINA_DTYPE_FLOAT64, &tmp);
  guint8 *out = y->data;
  gboolean pos = lamina_node_get_int (call->node, "detect_positive", 1) != 0;
  gboolean neg = lamina_node_get_int (call->node, "detect_negative", 1) != 0;

  for (gint64 i = 0; i < x->numel; i++)
    out[i] = p->op == U_ISNAN ? isnan (v[i]) != 0
                              : isinf (v[i]) && (v[i] > 0 ? pos : neg);
}

static gboolean
unary_run (LaminaKernelCall *call, GError **error)
{
  const UnaryDesc *d = FIND_OP (unary_ops, call->node->op_type);
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  g_autofree gpointer in_tmp = NULL, out_tmp = NULL;
  LaminaDType cd;
  UnaryParams p;
  const void *src;
  void *dst;

  if (y == NULL)
    return TRUE;
  if (!unary_params (call, d, &p, error))
    return FALSE;
  if (p.op == U_ISNAN || p.op == U_ISINF)
    {
      classify_floats (&p, call, x, y);
      return TRUE;
    }
  /* floats compute in float32; integers and bool in int64 */
  cd = is_float_dtype (x->dtype) ? LAMINA_DTYPE_FLOAT32 : LAMINA_DTYPE_INT64;
  src = lamina_convert_view (x, cd, &in_tmp);
  dst = result_buffer (y, cd, &out_tmp);
  unary_apply (call->parallel, &p, compute_type (cd), src, dst, x->numel);
  narrow (y, cd, dst);
  return TRUE;
}

/* Clamps a float32 buffer in place by a TFLite fused activation; FALSE when
 * the activation is unknown. */
static gboolean
fused_activation_params (const LaminaKernelCall *call, UnaryParams *p, gboolean *none)
{
  const char *act = lamina_node_get_string (call->node, "fused_activation_function", "NONE");

  memset (p, 0, sizeof *p);
  *none = FALSE;
  p->op = U_CLIP;
  if (strcmp (act, "NONE") == 0)
    *none = TRUE;
  else if (strcmp (act, "RELU") == 0)
    p->op = U_RELU;
  else if (strcmp (act, "RELU6") == 0)
    p->lo = 0, p->hi = 6;
  else if (strcmp (act, "RELU_N1_TO_1") == 0)
    p->lo = -1, p->hi = 1;
  else if (strcmp (act, "TANH") == 0)
    p->op = U_TANH;
  else if (strcmp (act, "SIGN_BIT") == 0)
    p->op = U_SIGN;
  else
    return FALSE;
  p->ilo = (gint64) p->lo, p->ihi = (gint64) p->hi;
  return TRUE;
}

/* ---- binary operations --------------------------------------------------- */

typedef enum {
  B_ADD, B_SUB, B_MUL, B_DIV, B_FLOOR_DIV, B_POW, B_MOD, B_FMOD, B_MAX, B_MIN, B_PRELU,
  B_SQDIFF, B_SHL, B_SHR,
  /* the rest give bool */
  B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_AND, B_OR, B_XOR,
} BinaryOp;

#define B_GIVES_BOOL(op) ((op) >= B_EQ)

typedef enum {
  C_ARITH,     /* numeric, all inputs of one type, result of that type */
  C_POW,       /* base and exponent of any numeric types, result of the base's */
  C_COMPARE,   /* numeric or bool, one type, bool result */
  C_LOGIC,     /* bool */
  C_SHIFT,     /* unsigned integers */
} BinaryClass;

typedef struct {
  const char *name;
  BinaryOp    op;
  BinaryClass cls;
  gboolean    variadic;   /* ONNX Max/Min/Sum/Mean: one or more inputs */
} BinaryDesc;

/* Sorted by name (strcmp). */
static const BinaryDesc binary_ops[] = {
  { "Add", B_ADD, C_ARITH },
  { "And", B_AND, C_LOGIC },
  { "BitShift", B_SHL, C_SHIFT },
  { "Div", B_DIV, C_ARITH },
  { "Equal", B_EQ, C_COMPARE },
  { "FloorDiv", B_FLOOR_DIV, C_ARITH },
  { "FloorMod", B_MOD, C_ARITH },
  { "Greater", B_GT, C_COMPARE },
  { "GreaterEqual", B_GE, C_COMPARE },
  { "GreaterOrEqual", B_GE, C_COMPARE },
  { "Less", B_LT, C_COMPARE },
  { "LessEqual", B_LE, C_COMPARE },
  { "LessOrEqual", B_LE, C_COMPARE },
  { "LogicalAnd", B_AND, C_LOGIC },
  { "LogicalOr", B_OR, C_LOGIC },
  { "Max", B_MAX, C_ARITH, TRUE },
  { "Maximum", B_MAX, C_ARITH },
  { "Mean", B_ADD, C_ARITH, TRUE },
  { "Min", B_MIN, C_ARITH, TRUE },
  { "Minimum", B_MIN, C_ARITH },
  { "Mod", B_MOD, C_ARITH },
  { "Mul", B_MUL, C_ARITH },
  { "NotEqual", B_NE, C_COMPARE },
  { "Or", B_OR, C_LOGIC },
  { "PRelu", B_PRELU, C_ARITH },
  { "Pow", B_POW, C_POW },
  { "SquaredDifference", B_SQDIFF, C_ARITH },
  { "Sub", B_SUB, C_ARITH },
  { "Sum", B_ADD, C_ARITH, TRUE },
  { "Xor", B_XOR, C_LOGIC },
};

/* The operation of a node: Mod's fmod and BitShift's direction are
 * attributes. */
static BinaryOp
binary_op (const LaminaKernelCall *call, const BinaryDesc *d)
{
  if (d->op == B_MOD && lamina_node_get_int (call->node, "fmod", 0) != 0)
    return B_FMOD;
  if (d->op == B_SHL && g_strcmp0 (lamina_node_get_string (call->node, "direction", ""), "RIGHT") == 0)
    return B_SHR;
  return d->op;
}

static float
mod_f32 (float x, float y)
{
  /* Python's %: the result takes the divisor's sign */
  float r = fmodf (x, y);
  return r != 0 && ((r < 0) != (y < 0)) ? r + y : r;
}

static double
mod_f64 (double x, double y)
{
  double r = fmod (x, y);
  return r != 0 && ((r < 0) != (y < 0)) ? r + y : r;
}

/* Integer division and remainder never trap: x / 0 is 0, MIN / -1 wraps. */
static gint64
div_i64 (gint64 x, gint64 y)
{
  if (y == 0)
    return 0;
  return y == -1 ? (gint64) (0 - (guint64) x) : x / y;
}

static gint64
fmod_i64 (gint64 x, gint64 y)
{
  return y == 0 || y == -1 ? 0 : x % y;
}

static gint64
mod_i64 (gint64 x, gint64 y)
{
  gint64 r = fmod_i64 (x, y);
  return r != 0 && ((r < 0) != (y < 0)) ? r + y : r;
}

static gint64
floor_div_i64 (gint64 x, gint64 y)
{
  gint64 q = div_i64 (x, y);
  return y != 0 && y != -1 && x % y != 0 && ((x < 0) != (y < 0)) ? q - 1 : q;
}

static gint64
shift_i64 (gint64 x, gint64 y, gboolean left)
{
  guint64 u = (guint64) x;
  if (y < 0 || y >= 64)
    return 0;
  return (gint64) (left ? u << y : u >> y);
}

G_ALWAYS_INLINE static inline LaminaV8f
map2 (LaminaV8f x, LaminaV8f y, float (*f) (float, float))
{
  for (int i = 0; i < 8; i++)
    x[i] = f (x[i], y[i]);
  return x;
}

static float
floor_div_f32 (float x, float y)
{
  return floorf (x / y);
}

/* Operand k of a float32 row: contiguous, repeated, or strided. */
G_ALWAYS_INLINE static inline LaminaV8f
row_load (const float *p, gint64 stride, gint64 i, gint64 n, LaminaV8f repeated)
{
  LaminaV8f v = lamina_v8f_splat (0.0f);

  if (stride == 1)
    return n >= 8 ? lamina_v8f_load (p + i) : lamina_v8f_load_partial (p + i, n);
  if (stride == 0)
    return repeated;
  for (gint64 l = 0; l < MIN (n, 8); l++)
    v[l] = p[(i + l) * stride];
  return v;
}

/* A row loop with the operands loaded by LOADX / LOADY; the last partial
 * vector goes through row_load. */
#define VEC_ROW_LOOP(LOADX, LOADY, EXPR) \
  do { \
    gint64 i = 0; \
    for (; i + 8 <= n; i += 8) \
      { \
        LaminaV8f x = (LOADX), y = (LOADY); \
        lamina_v8f_store (o + i, (EXPR)); \
      } \
    if (i < n) \
      { \
        LaminaV8f x = row_load (a, sa, i, n - i, xs), y = row_load (b, sb, i, n - i, ys); \
        LaminaV8f r_ = (EXPR); \
        lamina_v8f_store_partial (o + i, r_, n - i); \
      } \
  } while (0)

/* Contiguous and repeated (stride 0) operands, the common cases, get loops
 * without a stride test per vector; other strides gather. */
#define VEC_ROW(EXPR) \
  do { \
    /* operands of stride 0 are splatted once: o may alias a and b */ \
    const LaminaV8f xs = lamina_v8f_splat (a[0]), ys = lamina_v8f_splat (b[0]); \
    if (sa == 1 && sb == 1) \
      VEC_ROW_LOOP (lamina_v8f_load (a + i), lamina_v8f_load (b + i), EXPR); \
    else if (sa == 1 && sb == 0) \
      VEC_ROW_LOOP (lamina_v8f_load (a + i), ys, EXPR); \
    else if (sa == 0 && sb == 1) \
      VEC_ROW_LOOP (xs, lamina_v8f_load (b + i), EXPR); \
    else \
      VEC_ROW_LOOP (row_load (a, sa, i, 8, xs), row_load (b, sb, i, 8, ys), EXPR); \
  } while (0)

static LAMINA_VECTOR_CLONES void
binary_row_f32 (BinaryOp op, const float *a, gint64 sa, const float *b, gint64 sb, float *o,
                gint64 n)
{
  switch (op)
    {
    case B_ADD:    VEC_ROW (x + y); break;
    case B_SUB:    VEC_ROW (x - y); break;
    case B_MUL:    VEC_ROW (x * y); break;
    case B_DIV:    VEC_ROW (x / y); break;
    case B_MAX:    VEC_ROW (lamina_v8f_max (x, y)); break;
    case B_MIN:    VEC_ROW (lamina_v8f_min (x, y)); break;
    case B_PRELU:  VEC_ROW (lamina_v8f_select (x < 0.0f, x * y, x)); break;
    case B_SQDIFF: VEC_ROW ((x - y) * (x - y)); break;
    case B_POW:    VEC_ROW (map2 (x, y, powf)); break;
    case B_MOD:    VEC_ROW (map2 (x, y, mod_f32)); break;
    case B_FMOD:   VEC_ROW (map2 (x, y, fmodf)); break;
    case B_FLOOR_DIV: VEC_ROW (map2 (x, y, floor_div_f32)); break;
    default:
      g_assert_not_reached ();
    }
}

#define SCALAR_ROW(T, TO, EXPR) \
  do { \
    const T *A = a, *B = b; \
    TO *O = o; \
    for (gint64 i = 0; i < n; i++) \
      { \
        T x = A[i * sa], y = B[i * sb]; \
        O[i] = (TO) (EXPR); \
      } \
  } while (0)

static void
binary_row_f64 (BinaryOp op, const double *a, gint64 sa, const double *b, gint64 sb, double *o,
                gint64 n)
{
  switch (op)
    {
    case B_ADD:    SCALAR_ROW (double, double, x + y); break;
    case B_SUB:    SCALAR_ROW (double, double, x - y); break;
    case B_MUL:    SCALAR_ROW (double, double, x * y); break;
    case B_DIV:    SCALAR_ROW (double, double, x / y); break;
    case B_MAX:    SCALAR_ROW (double, double, isnan (x) || x > y ? x : y); break;
    case B_MIN:    SCALAR_ROW (double, double, isnan (x) || x < y ? x : y); break;
    case B_PRELU:  SCALAR_ROW (double, double, x < 0 ? x * y : x); break;
    case B_SQDIFF: SCALAR_ROW (double, double, (x - y) * (x - y)); break;
    case B_POW:    SCALAR_ROW (double, double, pow (x, y)); break;
    case B_MOD:    SCALAR_ROW (double, double, mod_f64 (x, y)); break;
    case B_FMOD:   SCALAR_ROW (double, double, fmod (x, y)); break;
    case B_FLOOR_DIV: SCALAR_ROW (double, double, floor (x / y)); break;
    default:
      g_assert_not_reached ();
    }
}

static void
binary_row_i64 (BinaryOp op, const gint64 *a, gint64 sa, const gint64 *b, gint64 sb, gint64 *o,
                gint64 n)
{
  /* wrapping arithmetic, as NumPy and ONNX Runtime do */
  switch (op)
    {
    case B_ADD:    SCALAR_ROW (gint64, gint64, (guint64) x + (guint64) y); break;
    case B_SUB:    SCALAR_ROW (gint64, gint64, (guint64) x - (guint64) y); break;
    case B_MUL:    SCALAR_ROW (gint64, gint64, (guint64) x * (guint64) y); break;
    case B_DIV:    SCALAR_ROW (gint64, gint64, div_i64 (x, y)); break;
    case B_FLOOR_DIV: SCALAR_ROW (gint64, gint64, floor_div_i64 (x, y)); break;
    case B_MAX:    SCALAR_ROW (gint64, gint64, MAX (x, y)); break;
    case B_MIN:    SCALAR_ROW (gint64, gint64, MIN (x, y)); break;
    case B_PRELU:  SCALAR_ROW (gint64, gint64, x < 0 ? (guint64) x * (guint64) y : (guint64) x); break;
    case B_SQDIFF: SCALAR_ROW (gint64, gint64, ((guint64) x - (guint64) y) * ((guint64) x - (guint64) y)); break;
    case B_MOD:    SCALAR_ROW (gint64, gint64, mod_i64 (x, y)); break;
    case B_FMOD:   SCALAR_ROW (gint64, gint64, fmod_i64 (x, y)); break;
    case B_SHL:    SCALAR_ROW (gint64, gint64, shift_i64 (x, y, TRUE)); break;
    case B_SHR:    SCALAR_ROW (gint64, gint64, shift_i64 (x, y, FALSE)); break;
    default:
      g_assert_not_reached ();
    }
}

/* Comparisons and logic of any compute type into bool. */
#define COMPARE_ROWS(T) \
  switch (op) \
    { \
    case B_EQ:  SCALAR_ROW (T, guint8, x == y); break; \
    case B_NE:  SCALAR_ROW (T, guint8, x != y); break; \
    case B_LT:  SCALAR_ROW (T, guint8, x < y); break; \
    case B_LE:  SCALAR_ROW (T, guint8, x <= y); break; \
    case B_GT:  SCALAR_ROW (T, guint8, x > y); break; \
    case B_GE:  SCALAR_ROW (T, guint8, x >= y); break; \
    case B_AND: SCALAR_ROW (T, guint8, x && y); break; \
    case B_OR:  SCALAR_ROW (T, guint8, x || y); break; \
    case B_XOR: SCALAR_ROW (T, guint8, !x != !y); break; \
    default: g_assert_not_reached (); \
    }

static void
compare_row (BinaryOp op, ComputeType ct, const void *a, gint64 sa, const void *b, gint64 sb,
             void *o, gint64 n)
{
  if (ct == CT_F32)
    COMPARE_ROWS (float)
  else if (ct == CT_F64)
    COMPARE_ROWS (double)
  else
    COMPARE_ROWS (gint64)
}

typedef struct {
  BinaryOp     op;
  ComputeType  ct;
  const guint8 *a, *b;
  guint8       *o;
} BinaryJob;

static void
binary_row (gint64 out_offset, const gint64 *offsets, const gint64 *strides, gint64 n, gpointer data)
{
  const BinaryJob *job = data;
  gsize size = lamina_dtype_size (compute_dtype (job->ct));
  const void *a = job->a + offsets[0] * size, *b = job->b + offsets[1] * size;
  gsize osize = B_GIVES_BOOL (job->op) ? 1 : size;
  void *o = job->o + out_offset * osize;

  if (B_GIVES_BOOL (job->op))
    compare_row (job->op, job->ct, a, strides[0], b, strides[1], o, n);
  else if (job->ct == CT_F32)
    binary_row_f32 (job->op, a, strides[0], b, strides[1], o, n);
  else if (job->ct == CT_F64)
    binary_row_f64 (job->op, a, strides[0], b, strides[1], o, n);
  else
    binary_row_i64 (job->op, a, strides[0], b, strides[1], o, n);
}

/* out = a op b with broadcasting; a, b and out hold the compute type (out:
 * bool for comparisons). va, vb give the shapes of a and b. */
static void
binary_broadcast (LaminaParallel *parallel, BinaryOp op, ComputeType ct, const LaminaValue *va,
                  const void *a, const LaminaValue *vb, const void *b, const LaminaValue *out,
                  void *o)
{
  const LaminaValue *shapes[2] = { va, vb };
  BinaryJob job = { op, ct, a, b, o };
  LaminaBroadcast plan;

  lamina_broadcast_plan (&plan, out->rank, out->dims, shapes, 2);
  lamina_broadcast_run (&plan, parallel, binary_row, &job);
}

static gboolean
binary_check_dtypes (LaminaKernelCall *call, const BinaryDesc *d, GError **error)
{
  for (guint i = 0; i < call->n_inputs; i++)
    {
      LaminaDType t = call->inputs[i]->dtype;
      gboolean ok;
      switch (d->cls)
        {
        case C_ARITH: case C_POW: ok = is_float_dtype (t) || is_int_dtype (t); break;
        case C_COMPARE: ok = lamina_convert_supported (t); break;
        case C_LOGIC: ok = t == LAMINA_DTYPE_BOOL; break;
        case C_SHIFT: default: ok = is_unsigned_dtype (t); break;
        }
      if (!ok)
        return lamina_kernel_fail_dtype (call, i, error);
      if (d->cls != C_POW && i > 0 && !lamina_kernel_check_same_dtype (call, 0, i, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
binary_reshape (LaminaKernelCall *call, GError **error)
{
  const BinaryDesc *d = FIND_OP (binary_ops, call->node->op_type);
  g_autofree char *message = NULL;
  gint64 dims[LAMINA_MAX_RANK];
  UnaryParams act;
  gboolean none;
  int rank;

  g_return_val_if_fail (d != NULL, FALSE);
  if (d->variadic && lamina_kernel_is_tflite (call) && d->op == B_ADD)
    return lamina_reduce_tflite_reshape (call, error);  /* TFLite Sum, Mean */
  if (!lamina_kernel_check_inputs (call, d->variadic ? 1 : 2, d->variadic ? G_MAXUINT : 2, error))
    return FALSE;
  for (guint i = 1; i < call->n_inputs; i++)
    if (call->inputs[i] == NULL)
      return lamina_kernel_check_inputs (call, call->n_inputs, call->n_inputs, error);
  if (!binary_check_dtypes (call, d, error) || !lamina_kernel_check_not_quantized (call, error))
    return FALSE;
  if (!fused_activation_params (call, &act, &none))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("attribute %s has an unsupported value"), "fused_activation_function");
  if (!lamina_broadcast_shape (call->inputs, call->n_inputs, &rank, dims, &message))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, "%s", message);
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0],
                                    B_GIVES_BOOL (d->op) ? LAMINA_DTYPE_BOOL : call->inputs[0]->dtype,
                                    rank, dims, error);
}

/* The compute type of an operation on inputs of type t. Pow of an integer
 * base computes in float64 (the exponent may be fractional). */
static ComputeType
binary_compute_type (const BinaryDesc *d, const LaminaKernelCall *call)
{
  LaminaDType t = call->inputs[0]->dtype;

  if (d->cls == C_POW && compute_type (t) == CT_I64)
    return CT_F64;
  if (d->cls == C_POW && compute_type (call->inputs[1]->dtype) == CT_F64)
    return CT_F64;
  return compute_type (t);
}

static void
binary_finish (LaminaKernelCall *call, const BinaryDesc *d, ComputeType ct, void *result)
{
  LaminaValue *out = call->outputs[0];
  UnaryParams act;
  gboolean none;

  if (d->variadic && strcmp (d->name, "Mean") == 0 && call->n_inputs > 1)
    {
      if (ct == CT_F32)
        {
          float *r = result;
          for (gint64 i = 0; i < out->numel; i++)
            r[i] /= (float) call->n_inputs;
        }
      else if (ct == CT_F64)
        {
          double *r = result;
          for (gint64 i = 0; i < out->numel; i++)
            r[i] /= call->n_inputs;
        }
      else
        {
          gint64 *r = result;
          for (gint64 i = 0; i < out->numel; i++)
            r[i] /= (gint64) call->n_inputs;
        }
    }
  if (fused_activation_params (call, &act, &none) && !none && ct != CT_F64)
    unary_apply (call->parallel, &act, ct, result, result, out->numel);
}

static gboolean
binary_run (LaminaKernelCall *call, GError **error)
{
  const BinaryDesc *d = FIND_OP (binary_ops, call->node->op_type);
  LaminaValue *out = call->outputs[0];
  BinaryOp op = binary_op (call, d);
  g_autofree gpointer ta = NULL, tb = NULL, to = NULL;
  ComputeType ct;
  LaminaDType cd;
  const void *a;
  void *o;

  if (d->variadic && lamina_kernel_is_tflite (call) && d->op == B_ADD)
    return lamina_reduce_tflite_run (call, error);
  if (out == NULL)
    return TRUE;
  ct = binary_compute_type (d, call);
  cd = compute_dtype (ct);
  a = lamina_convert_view (call->inputs[0], cd, &ta);
  o = B_GIVES_BOOL (op) ? out->data : result_buffer (out, cd, &to);
  if (call->n_inputs == 1)
    {
      /* a variadic operation of one input broadcasts nothing: a copy */
      memcpy (o, a, out->numel * lamina_dtype_size (cd));
    }
  for (guint k = 1; k < call->n_inputs; k++)
    {
      const void *b = lamina_convert_view (call->inputs[k], cd, &tb);
      /* fold: out = in0 op in1, then out = out op in_k */
      binary_broadcast (call->parallel, op, ct, k == 1 ? call->inputs[0] : out, k == 1 ? a : o,
                        call->inputs[k], b, out, o);
      g_clear_pointer (&tb, g_free);
    }
  if (!B_GIVES_BOOL (op))
    {
      binary_finish (call, d, ct, o);
      narrow (out, cd, o);
    }
  return TRUE;
}

/* ---- Where, Select ------------------------------------------------------- */

typedef struct {
  const guint8 *cond, *x, *y;
  guint8       *o;
  gsize         size;
} WhereJob;

#define WHERE_LOOP(T) \
  do { \
    const T *X = (const T *) x, *Y = (const T *) y; \
    T *O = (T *) o; \
    for (gint64 i = 0; i < n; i++) \
      O[i] = c[i * strides[0]] ? X[i * strides[1]] : Y[i * strides[2]]; \
  } while (0)

static void
where_row (gint64 out_offset, const gint64 *offsets, const gint64 *strides, gint64 n, gpointer data)
{
  const WhereJob *job = data;
  const guint8 *c = job->cond + offsets[0];
  const guint8 *x = job->x + offsets[1] * job->size, *y = job->y + offsets[2] * job->size;
  guint8 *o = job->o + out_offset * job->size;

  switch (job->size)
    {
    case 1: WHERE_LOOP (guint8); break;
    case 2: WHERE_LOOP (guint16); break;
    case 4: WHERE_LOOP (guint32); break;
    default: WHERE_LOOP (guint64); break;
    }
}

/* TFLite's first Select takes a rank-1 condition against the first dim
 * of higher-rank x: as a broadcast, that condition is [n, 1, ..., 1]. */
static void
where_condition_shape (const LaminaKernelCall *call, LaminaValue *cond)
{
  const LaminaValue *x = call->inputs[1];

  *cond = *call->inputs[0];
  if (strcmp (call->node->op_type, "Select") == 0 && cond->rank == 1 && x->rank > 1
      && cond->dims[0] == x->dims[0])
    {
      cond->rank = x->rank;
      for (int i = 1; i < x->rank; i++)
        cond->dims[i] = 1;
    }
}

static gboolean
where_reshape (LaminaKernelCall *call, GError **error)
{
  g_autofree char *message = NULL;
  const LaminaValue *shapes[3];
  LaminaValue cond;
  gint64 dims[LAMINA_MAX_RANK];
  int rank;

  if (!lamina_kernel_check_inputs (call, 3, 3, error))
    return FALSE;
  if (call->inputs[0]->dtype != LAMINA_DTYPE_BOOL)
    return lamina_kernel_fail_dtype (call, 0, error);
  if (lamina_dtype_size (call->inputs[1]->dtype) == 0)
    return lamina_kernel_fail_dtype (call, 1, error);
  if (!lamina_kernel_check_same_dtype (call, 1, 2, error))
    return FALSE;
  where_condition_shape (call, &cond);
  shapes[0] = &cond, shapes[1] = call->inputs[1], shapes[2] = call->inputs[2];
  if (!lamina_broadcast_shape (shapes, 3, &rank, dims, &message))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, "%s", message);
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], call->inputs[1]->dtype, rank, dims, error);
}

static gboolean
where_run (LaminaKernelCall *call, GError **error)
{
  LaminaValue *out = call->outputs[0], cond;
  const LaminaValue *shapes[3];
  WhereJob job;
  LaminaBroadcast plan;

  if (out == NULL)
    return TRUE;
  where_condition_shape (call, &cond);
  shapes[0] = &cond, shapes[1] = call->inputs[1], shapes[2] = call->inputs[2];
  job = (WhereJob) { call->inputs[0]->data, call->inputs[1]->data, call->inputs[2]->data,
                     out->data, lamina_dtype_size (out->dtype) };
  lamina_broadcast_plan (&plan, out->rank, out->dims, shapes, 3);
  lamina_broadcast_run (&plan, call->parallel, where_row, &job);
  return TRUE;
}

/* ---- Cast, CastLike, Identity, Dropout ------------------------------------ */

static LaminaDType
cast_target (const LaminaKernelCall *call)
{
  if (strcmp (call->node->op_type, "CastLike") == 0)
    return call->inputs[1]->dtype;
  if (lamina_node_get_attr (call->node, "to") != NULL)
    return lamina_dtype_from_onnx (lamina_node_get_int (call->node, "to", 0));
  /* TFLite: the output tensor's type */
  if (call->node->outputs->len > 0 && g_ptr_array_index (call->node->outputs, 0) != NULL)
    return ((LaminaTensor *) g_ptr_array_index (call->node->outputs, 0))->dtype;
  return LAMINA_DTYPE_UNDEFINED;
}

static gboolean
cast_reshape (LaminaKernelCall *call, GError **error)
{
  gboolean like = strcmp (call->node->op_type, "CastLike") == 0;
  LaminaDType to;

  if (!lamina_kernel_check_inputs (call, like ? 2 : 1, like ? 2 : 1, error))
    return FALSE;
  if (!lamina_convert_supported (call->inputs[0]->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  to = cast_target (call);
  if (!lamina_convert_supported (to))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("cannot convert to type %s"), lamina_dtype_name (to));
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], to, call->inputs[0]->rank,
                                    call->inputs[0]->dims, error);
}

static gboolean
cast_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];

  if (y != NULL)
    lamina_convert (y->data, y->dtype, x->data, x->dtype, x->numel);
  return TRUE;
}

/* Dropout in training mode that drops something (ratio > 0): random, so
 * not an inference kernel. Training with ratio 0 is an identity. */
static gboolean
dropout_training (const LaminaKernelCall *call)
{
  const LaminaValue *ratio = call->n_inputs > 1 ? call->inputs[1] : NULL;
  const LaminaValue *training = call->n_inputs > 2 ? call->inputs[2] : NULL;

  if (training == NULL || training->data == NULL || training->numel == 0
      || lamina_value_get_int (training, 0) == 0)
    return FALSE;
  return ratio == NULL || ratio->data == NULL || ratio->numel == 0
         || lamina_value_get_double (ratio, 0) != 0;
}

static gboolean
identity_reshape (LaminaKernelCall *call, GError **error)
{
  /* Dropout: data, ratio, training_mode; Identity: data */
  gboolean dropout = strcmp (call->node->op_type, "Dropout") == 0;
  const LaminaValue *x;

  if (!lamina_kernel_check_inputs (call, 1, dropout ? 3 : 1, error))
    return FALSE;
  x = call->inputs[0];
  if (lamina_dtype_size (x->dtype) == 0)
    return lamina_kernel_fail_dtype (call, 0, error);
  if (dropout && dropout_training (call))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("training mode is not supported"));
  if (call->outputs[0] != NULL
      && !lamina_value_set_shape (call->outputs[0], x->dtype, x->rank, x->dims, error))
    return FALSE;
  /* Dropout's optional mask */
  return call->n_outputs < 2 || call->outputs[1] == NULL
         || lamina_value_set_shape (call->outputs[1], LAMINA_DTYPE_BOOL, x->rank, x->dims, error);
}

static gboolean
identity_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];

  if (call->outputs[0] != NULL && call->outputs[0]->data != x->data)
    memcpy (call->outputs[0]->data, x->data, x->numel * lamina_dtype_size (x->dtype));
  /* at inference nothing is dropped: the mask is all true */
  if (call->n_outputs > 1 && call->outputs[1] != NULL)
    memset (call->outputs[1]->data, 1, call->outputs[1]->numel);
  return TRUE;
}

/* ---- TFLite Dequantize, Quantize ----------------------------------------- */

static const LaminaQuant *
value_quant (const LaminaKernelCall *call, guint i, gboolean output)
{
  GPtrArray *tensors = output ? call->node->outputs : call->node->inputs;
  const LaminaValue *v = output ? call->outputs[i] : call->inputs[i];
  const LaminaTensor *t;

  if (v != NULL && v->quant != NULL)
    return v->quant;
  t = i < tensors->len ? g_ptr_array_index (tensors, i) : NULL;
  return t != NULL ? t->quant : NULL;
}

/* Per-tensor or per-axis: fails when the parameters do not fit the shape. */
static gboolean
check_quant (const LaminaKernelCall *call, const LaminaQuant *q, const LaminaValue *v, GError **error)
{
  if (q == NULL || q->n == 0 || q->scale == NULL
      || (q->axis >= 0 && (q->axis >= v->rank || (gint64) q->n != v->dims[q->axis]))
      || (q->axis < 0 && q->n != 1))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("missing or invalid quantization parameters"));
  return TRUE;
}

/* The quantization channel of element i (0 per tensor). */
static guint
quant_channel (const LaminaQuant *q, const LaminaValue *v, gint64 i)
{
  gint64 inner = 1;

  if (q->axis < 0)
    return 0;
  for (int d = q->axis + 1; d < v->rank; d++)
    inner *= v->dims[d];
  return (guint) ((i / inner) % v->dims[q->axis]);
}

static gboolean
dequantize_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;

  if (!lamina_kernel_check_inputs (call, 1, 1, error))
    return FALSE;
  x = call->inputs[0];
  if (!is_float_dtype (x->dtype) && !is_int_dtype (x->dtype))
    return lamina_kernel_fail_dtype (call, 0, error);
  if (is_int_dtype (x->dtype) && !check_quant (call, value_quant (call, 0, FALSE), x, error))
    return FALSE;
  return call->outputs[0] == NULL
         || lamina_value_set_shape (call->outputs[0], LAMINA_DTYPE_FLOAT32, x->rank, x->dims, error);
}

static gboolean
dequantize_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  const LaminaQuant *q = value_quant (call, 0, FALSE);
  float *out;

  if (y == NULL)
    return TRUE;
  lamina_convert (y->data, LAMINA_DTYPE_FLOAT32, x->data, x->dtype, x->numel);
  if (!is_int_dtype (x->dtype))
    return TRUE;   /* float16 weights: the conversion is all */
  out = y->data;
  for (gint64 i = 0; i < x->numel; i++)
    {
      guint c = quant_channel (q, x, i);
      out[i] = (out[i] - (float) (q->zero_point ? q->zero_point[c] : 0)) * q->scale[c];
    }
  return TRUE;
}

static gboolean
quantize_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  const LaminaTensor *t;

  if (!lamina_kernel_check_inputs (call, 1, 1, error))
    return FALSE;
  x = call->inputs[0];
  if (x->dtype != LAMINA_DTYPE_FLOAT32)
    return lamina_kernel_fail_dtype (call, 0, error);
  t = call->node->outputs->len > 0 ? g_ptr_array_index (call->node->outputs, 0) : NULL;
  if (t == NULL || !is_int_dtype (t->dtype))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("the output must be an integer tensor"));
  if (call->outputs[0] == NULL)
    return TRUE;
  if (!lamina_value_set_shape (call->outputs[0], t->dtype, x->rank, x->dims, error))
    return FALSE;
  return check_quant (call, value_quant (call, 0, TRUE), call->outputs[0], error);
}

static gboolean
quantize_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  const LaminaQuant *q = value_quant (call, 0, TRUE);
  g_autofree double *tmp = NULL;
  gint64 lo, hi;
  const float *in = x->data;

  if (y == NULL)
    return TRUE;
  /* the type's range; TFLite rounds half away from zero */
  lo = y->dtype == LAMINA_DTYPE_INT8 ? -128 : y->dtype == LAMINA_DTYPE_INT16 ? -32768
     : y->dtype == LAMINA_DTYPE_INT32 ? G_MININT32 : 0;
  hi = y->dtype == LAMINA_DTYPE_INT8 ? 127 : y->dtype == LAMINA_DTYPE_UINT8 ? 255
     : y->dtype == LAMINA_DTYPE_INT16 ? 32767 : y->dtype == LAMINA_DTYPE_UINT16 ? 65535 : G_MAXINT32;
  tmp = g_new (double, MAX (x->numel, 1));
  for (gint64 i = 0; i < x->numel; i++)
    {
      guint c = quant_channel (q, y, i);
      double v = round ((double) in[i] / q->scale[c]) + (q->zero_point ? q->zero_point[c] : 0);
      tmp[i] = CLAMP (v, (double) lo, (double) hi);
    }
  lamina_convert (y->data, y->dtype, tmp, LAMINA_DTYPE_FLOAT64, x->numel);
  return TRUE;
}

/* ---- the table ----------------------------------------------------------- */

#define UNARY(name)    { name, "", NULL, unary_reshape, unary_run, NULL }
#define BINARY(name)   { name, "", NULL, binary_reshape, binary_run, NULL }
#define KERNEL(name, f) { name, "", NULL, f##_reshape, f##_run, NULL }

/* Sorted by op_type; the registry sorts again, this is for readers. */
const LaminaKernel lamina_kernels_elementwise[] = {
  UNARY ("Abs"), UNARY ("Acos"), UNARY ("Acosh"), BINARY ("Add"), BINARY ("And"),
  UNARY ("Asin"), UNARY ("Asinh"), UNARY ("Atan"), UNARY ("Atanh"), BINARY ("BitShift"),
  KERNEL ("Cast", cast), KERNEL ("CastLike", cast), UNARY ("Ceil"), UNARY ("Celu"),
  UNARY ("Clip"), UNARY ("Cos"), UNARY ("Cosh"), KERNEL ("Dequantize", dequantize),
  BINARY ("Div"), KERNEL ("Dropout", identity), UNARY ("Elu"), BINARY ("Equal"), UNARY ("Erf"),
  UNARY ("Exp"), UNARY ("Floor"), BINARY ("FloorDiv"), BINARY ("FloorMod"), UNARY ("Gelu"),
  BINARY ("Greater"), BINARY ("GreaterEqual"), BINARY ("GreaterOrEqual"),
  UNARY ("HardSigmoid"), UNARY ("HardSwish"), KERNEL ("Identity", identity), UNARY ("IsInf"),
  UNARY ("IsNaN"), UNARY ("LeakyRelu"), BINARY ("Less"), BINARY ("LessEqual"),
  BINARY ("LessOrEqual"), UNARY ("Log"), BINARY ("LogicalAnd"), UNARY ("LogicalNot"),
  BINARY ("LogicalOr"), UNARY ("Logistic"), BINARY ("Max"), BINARY ("Maximum"),
  BINARY ("Mean"), BINARY ("Min"), BINARY ("Minimum"), UNARY ("Mish"), BINARY ("Mod"),
  BINARY ("Mul"), UNARY ("Neg"), UNARY ("Not"), BINARY ("NotEqual"), BINARY ("Or"),
  BINARY ("PRelu"), BINARY ("Pow"), KERNEL ("Quantize", quantize), UNARY ("Reciprocal"),
  UNARY ("Relu"), UNARY ("Relu0To1"), UNARY ("Relu6"), UNARY ("ReluN1To1"), UNARY ("Round"),
  UNARY ("Rsqrt"), KERNEL ("Select", where), KERNEL ("SelectV2", where), UNARY ("Selu"),
  UNARY ("Shrink"), UNARY ("Sigmoid"), UNARY ("Sign"), UNARY ("Sin"), UNARY ("Sinh"),
  UNARY ("Softplus"), UNARY ("Softsign"), UNARY ("Sqrt"), UNARY ("Square"),
  BINARY ("SquaredDifference"), BINARY ("Sub"), BINARY ("Sum"), UNARY ("Tan"), UNARY ("Tanh"),
  UNARY ("ThresholdedRelu"), KERNEL ("Where", where), BINARY ("Xor"),
};
const guint lamina_n_kernels_elementwise = G_N_ELEMENTS (lamina_kernels_elementwise);
