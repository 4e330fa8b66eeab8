/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-ops-elementwise: the elementwise kernels (src/core/ops/
 * lamina-ops-elementwise.c) and their broadcasting. Expected values were
 * computed with NumPy and pasted as literals; the vector float paths are
 * compared with libm in double over whole ranges.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include "ops/lamina-kernel.h"
#include "graph/lamina-half.h"
#include "lamina-test-util.h"

#define F32 LAMINA_DTYPE_FLOAT32
#define I32 LAMINA_DTYPE_INT32
#define I64 LAMINA_DTYPE_INT64
#define BOOL LAMINA_DTYPE_BOOL

/* A binary operation of two float tensors; returns the kernel for checks. */
static LaminaTestKernel *
run_binary (const char *op, int ra, const gint64 *da, const float *a, int rb, const gint64 *db,
            const float *b)
{
  LaminaTestKernel *k = lamina_test_kernel_new (op, 13);
  g_autoptr(GError) error = NULL;

  lamina_test_kernel_input (k, F32, ra, da, a);
  lamina_test_kernel_input (k, F32, rb, db, b);
  g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
  g_assert_no_error (error);
  return k;
}

/* ---- broadcasting arithmetic -------------------------------------------- */

static void
test_broadcast_arith (void)
{
  /* [2,3,1] op [4] → [2,3,4]: rank mismatch and a size-1 dim */
  const gint64 da[] = { 2, 3, 1 }, db[] = { 4 }, dout[] = { 2, 3, 4 };
  const float a[] = { -1, -0.5, 0, 0.5, 1, 1.5 }, b[] = { 1, -2, 0.25, 3 };
  static const struct { const char *op; float expected[24]; } cases[] = {
    { "Add", { 0.0, -3.0, -0.75, 2.0, 0.5, -2.5, -0.25, 2.5, 1.0, -2.0, 0.25, 3.0, 1.5, -1.5,
               0.75, 3.5, 2.0, -1.0, 1.25, 4.0, 2.5, -0.5, 1.75, 4.5 } },
    { "Sub", { -2.0, 1.0, -1.25, -4.0, -1.5, 1.5, -0.75, -3.5, -1.0, 2.0, -0.25, -3.0, -0.5, 2.5,
               0.25, -2.5, 0.0, 3.0, 0.75, -2.0, 0.5, 3.5, 1.25, -1.5 } },
    { "Mul", { -1.0, 2.0, -0.25, -3.0, -0.5, 1.0, -0.125, -1.5, 0.0, -0.0, 0.0, 0.0, 0.5, -1.0,
               0.125, 1.5, 1.0, -2.0, 0.25, 3.0, 1.5, -3.0, 0.375, 4.5 } },
    { "Div", { -1.0, 0.5, -4.0, -0.3333333432674408, -0.5, 0.25, -2.0, -0.1666666716337204, 0.0,
               -0.0, 0.0, 0.0, 0.5, -0.25, 2.0, 0.1666666716337204, 1.0, -0.5, 4.0,
               0.3333333432674408, 1.5, -0.75, 6.0, 0.5 } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(LaminaTestKernel) k = run_binary (cases[c].op, 3, da, a, 1, db, b);
      lamina_test_assert_shape (lamina_test_kernel_output (k, 0), F32, 3, dout);
      lamina_test_assert_floats (lamina_test_kernel_output (k, 0), cases[c].expected, 24, 1e-7);
    }
}

static void
test_broadcast_both_sides (void)
{
  /* [1,2] ** [2,1] → [2,2]: both inputs repeat */
  const gint64 da[] = { 1, 2 }, db[] = { 2, 1 }, dout[] = { 2, 2 };
  const float a[] = { 2, 3 }, b[] = { 2, 0.5 };
  const float expected[] = { 4.0, 9.0, 1.4142135381698608, 1.732050895690918 };
  g_autoptr(LaminaTestKernel) k = run_binary ("Pow", 2, da, a, 2, db, b);

  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), F32, 2, dout);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 4, 1e-6);
}

static void
test_per_channel (void)
{
  /* PRelu with a per-channel slope [3,1,1] against [1,3,2,2] */
  const gint64 dx[] = { 1, 3, 2, 2 }, ds[] = { 3, 1, 1 };
  float x[12];
  const float s[] = { 2, -1, 0.5 };
  const float expected[] = { -10, -8, -6, -4, 1, 0, 1, 2, 3, 4, 5, 6 };
  g_autoptr(LaminaTestKernel) k = NULL;

  for (int i = 0; i < 12; i++)
    x[i] = i - 5;
  k = run_binary ("PRelu", 4, dx, x, 3, ds, s);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), F32, 4, dx);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 12, 0);
}

static void
test_scalar_and_empty (void)
{
  const gint64 dscalar[] = { 0 }, dx[] = { 3 }, dempty[] = { 0, 3 };
  const float x[] = { 1, 2, 3 }, s[] = { 10 };
  const float expected[] = { 11, 12, 13 };
  g_autoptr(LaminaTestKernel) k = run_binary ("Add", 1, dx, x, 0, dscalar, s);
  g_autoptr(LaminaTestKernel) e = NULL;

  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 3, 0);
  /* [0,3] + [3] → [0,3], nothing computed */
  e = run_binary ("Mul", 2, dempty, NULL, 1, dx, x);
  lamina_test_assert_shape (lamina_test_kernel_output (e, 0), F32, 2, dempty);
  g_assert_cmpint (lamina_test_kernel_output (e, 0)->numel, ==, 0);
}

static void
test_broadcast_invalid (void)
{
  const gint64 da[] = { 2, 3 }, db[] = { 4 };
  const float a[6] = { 0 }, b[4] = { 0 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Add", 13);
  g_autoptr(LaminaTestKernel) one = lamina_test_kernel_new ("Add", 13);
  g_autoptr(LaminaTestKernel) mixed = lamina_test_kernel_new ("Add", 13);
  g_autoptr(GError) error = NULL;
  const gint32 ib[4] = { 0 };

  lamina_test_kernel_input (k, F32, 2, da, a);
  lamina_test_kernel_input (k, F32, 1, db, b);
  g_assert_false (lamina_test_kernel_run (k, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
  g_clear_error (&error);
  /* one input only */
  lamina_test_kernel_input (one, F32, 1, db, b);
  g_assert_false (lamina_test_kernel_run (one, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
  g_clear_error (&error);
  /* float + int32 */
  lamina_test_kernel_input (mixed, F32, 1, db, b);
  lamina_test_kernel_input (mixed, I32, 1, db, ib);
  g_assert_false (lamina_test_kernel_run (mixed, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
}

/* The coalesced broadcast walk against a plain index computation, on
 * shapes with 1s in every position, big enough to run on two threads. */
static void
test_broadcast_reference (void)
{
  static const gint64 shapes[][2][4] = {
    { { 2, 1, 33, 1000 }, { 1, 3, 1, 1000 } },
    { { 7, 1, 5, 1 }, { 1, 64, 1, 600 } },
    { { 1, 1, 1, 1 }, { 3, 4, 50, 70 } },
    { { 5, 6, 70, 80 }, { 5, 6, 70, 80 } },
    { { 5, 1, 70, 80 }, { 1, 6, 70, 1 } },
  };

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const gint64 *da = shapes[s][0], *db = shapes[s][1];
      gint64 dout[4], na = 1, nb = 1, n = 1;
      g_autofree float *a = NULL, *b = NULL;
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Sub", 14);
      g_autoptr(GError) error = NULL;
      const float *got;

      for (int i = 0; i < 4; i++)
        {
          dout[i] = MAX (da[i], db[i]);
          na *= da[i], nb *= db[i], n *= dout[i];
        }
      a = g_new (float, na);
      b = g_new (float, nb);
      for (gint64 i = 0; i < na; i++)
        a[i] = (float) (i % 1013) * 0.5f;
      for (gint64 i = 0; i < nb; i++)
        b[i] = (float) (i % 97) * 0.25f;
      lamina_test_kernel_input (k, F32, 4, da, a);
      lamina_test_kernel_input (k, F32, 4, db, b);
      g_assert_true (lamina_test_kernel_run (k, 1, 2, &error));
      g_assert_no_error (error);
      got = lamina_test_kernel_output (k, 0)->data;
      for (gint64 i = 0; i < n; i++)
        {
          gint64 idx[4], r = i, ia = 0, ib = 0;
          for (int d = 3; d >= 0; d--)
            idx[d] = r % dout[d], r /= dout[d];
          for (int d = 0; d < 4; d++)
            {
              ia = ia * da[d] + (da[d] == 1 ? 0 : idx[d]);
              ib = ib * db[d] + (db[d] == 1 ? 0 : idx[d]);
            }
          if (got[i] != a[ia] - b[ib])
            g_error ("shape case %u element %" G_GINT64_FORMAT ": %g != %g", s, i, got[i], a[ia] - b[ib]);
        }
    }
}

/* ---- integers, comparisons, logic ---------------------------------------- */

static void
test_integers (void)
{
  const gint64 d[] = { 5 };
  const gint32 a[] = { 7, -7, 7, -7, 0 }, b[] = { 2, 2, -2, -2, 3 };
  const gint64 div[] = { 3, -3, -3, 3, 0 }, mod[] = { 1, 1, -1, -1, 0 }, fmod_[] = { 1, -1, 1, -1, 0 };
  const gint64 gt[] = { 1, 0, 1, 0, 0 };
  static const char *const ops[] = { "Div", "Mod", "Mod", "Greater" };
  const gint64 *expected[] = { div, mod, fmod_, gt };

  for (guint c = 0; c < G_N_ELEMENTS (ops); c++)
    {
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new (ops[c], 13);
      g_autoptr(GError) error = NULL;
      lamina_test_kernel_input (k, I32, 1, d, a);
      lamina_test_kernel_input (k, I32, 1, d, b);
      if (c == 2)
        lamina_test_kernel_set_int (k, "fmod", 1);
      g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
      g_assert_no_error (error);
      g_assert_cmpint (lamina_test_kernel_output (k, 0)->dtype, ==, c == 3 ? BOOL : I32);
      lamina_test_assert_ints (lamina_test_kernel_output (k, 0), expected[c], 5);
    }
}

static void
test_integer_division_by_zero (void)
{
  const gint64 d[] = { 3 };
  const gint64 a[] = { 5, G_MININT64, 1 }, b[] = { 0, -1, 0 };
  const gint64 div[] = { 0, G_MININT64, 0 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Div", 14);
  g_autoptr(GError) error = NULL;

  /* never a SIGFPE: x / 0 is 0, MIN / -1 wraps */
  lamina_test_kernel_input (k, I64, 1, d, a);
  lamina_test_kernel_input (k, I64, 1, d, b);
  g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
  lamina_test_assert_ints (lamina_test_kernel_output (k, 0), div, 3);
}

static void
test_pow_mixed_types (void)
{
  /* int64 base, float exponent: computed in double, truncated */
  const gint64 d[] = { 3 };
  const gint64 base[] = { 4, 9, 2 }, expected[] = { 2, 3, 8 };
  const float exponent[] = { 0.5, 0.5, 3 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Pow", 15);
  g_autoptr(GError) error = NULL;

  lamina_test_kernel_input (k, I64, 1, d, base);
  lamina_test_kernel_input (k, F32, 1, d, exponent);
  g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
  g_assert_cmpint (lamina_test_kernel_output (k, 0)->dtype, ==, I64);
  lamina_test_assert_ints (lamina_test_kernel_output (k, 0), expected, 3);
}

static void
test_logic (void)
{
  const gint64 da[] = { 2, 1 }, db[] = { 2 }, dout[] = { 2, 2 };
  const guint8 a[] = { 1, 0 }, b[] = { 1, 0 };
  static const struct { const char *op; gint64 expected[4]; } cases[] = {
    { "And", { 1, 0, 0, 0 } }, { "Or", { 1, 1, 1, 0 } }, { "Xor", { 0, 1, 1, 0 } },
    { "Equal", { 1, 0, 0, 1 } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new (cases[c].op, 13);
      g_autoptr(GError) error = NULL;
      lamina_test_kernel_input (k, BOOL, 2, da, a);
      lamina_test_kernel_input (k, BOOL, 1, db, b);
      g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
      lamina_test_assert_shape (lamina_test_kernel_output (k, 0), BOOL, 2, dout);
      lamina_test_assert_ints (lamina_test_kernel_output (k, 0), cases[c].expected, 4);
    }
  {
    /* Not, and And refusing floats */
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Not", 1);
    g_autoptr(LaminaTestKernel) bad = lamina_test_kernel_new ("And", 7);
    g_autoptr(GError) error = NULL;
    const gint64 expected[] = { 0, 1 };
    const float f[] = { 1, 0 };
    lamina_test_kernel_input (k, BOOL, 1, db, a);
    g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
    lamina_test_assert_ints (lamina_test_kernel_output (k, 0), expected, 2);
    lamina_test_kernel_input (bad, F32, 1, db, f);
    lamina_test_kernel_input (bad, F32, 1, db, f);
    g_assert_false (lamina_test_kernel_run (bad, 1, 1, &error));
    g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED);
  }
}

static void
test_variadic (void)
{
  const gint64 d1[] = { 3 }, d2[] = { 2, 1 }, d3[] = { 1 }, dout[] = { 2, 3 };
  const float x1[] = { 1, 2, 3 }, x2[] = { 10, 20 }, x3[] = { 0.5 };
  static const struct { const char *op; float expected[6]; } cases[] = {
    { "Sum", { 11.5, 12.5, 13.5, 21.5, 22.5, 23.5 } },
    { "Mean", { 3.8333332538604736, 4.166666507720947, 4.5, 7.166666507720947, 7.5, 7.833333492279053 } },
    { "Max", { 10, 10, 10, 20, 20, 20 } },
    { "Min", { 0.5, 0.5, 0.5, 0.5, 0.5, 0.5 } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new (cases[c].op, 13);
      g_autoptr(GError) error = NULL;
      lamina_test_kernel_input (k, F32, 1, d1, x1);
      lamina_test_kernel_input (k, F32, 2, d2, x2);
      lamina_test_kernel_input (k, F32, 1, d3, x3);
      g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
      g_assert_no_error (error);
      lamina_test_assert_shape (lamina_test_kernel_output (k, 0), F32, 2, dout);
      lamina_test_assert_floats (lamina_test_kernel_output (k, 0), cases[c].expected, 6, 1e-6);
    }
  {
    /* one input: a copy */
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Max", 13);
    lamina_test_kernel_input (k, F32, 1, d1, x1);
    g_assert_true (lamina_test_kernel_run (k, 1, 1, NULL));
    lamina_test_assert_floats (lamina_test_kernel_output (k, 0), x1, 3, 0);
  }
}

/* ---- unary --------------------------------------------------------------- */

typedef struct {
  const char *op;
  double    (*reference) (double);
  double      lo, hi;
  double      tolerance;   /* absolute, plus 2e-6 relative */
} UnaryCase;

static double ref_relu (double x) { return x > 0 ? x : 0; }
static double ref_sigmoid (double x) { return 1 / (1 + exp (-x)); }
static double ref_hard_sigmoid (double x) { return fmax (0, fmin (1, 0.2 * x + 0.5)); }
static double ref_hard_swish (double x) { return x * fmax (0, fmin (1, x / 6 + 0.5)); }
static double ref_elu (double x) { return x < 0 ? exp (x) - 1 : x; }
static double ref_selu (double x) { return 1.0507009873554805 * (x <= 0 ? 1.6732632423543772 * (exp (x) - 1) : x); }
static double ref_gelu (double x) { return 0.5 * x * (1 + erf (x / sqrt (2))); }
static double ref_softplus (double x) { return log1p (exp (x)); }
static double ref_softsign (double x) { return x / (1 + fabs (x)); }
static double ref_mish (double x) { return x * tanh (log1p (exp (x))); }
static double ref_leaky (double x) { return x < 0 ? 0.01 * x : x; }
static double ref_reciprocal (double x) { return 1 / x; }

static const UnaryCase unary_cases[] = {
  { "Relu", ref_relu, -5, 5, 0 },
  { "LeakyRelu", ref_leaky, -5, 5, 1e-9 },
  { "Sigmoid", ref_sigmoid, -30, 30, 3e-7 },
  { "Tanh", tanh, -12, 12, 3e-7 },
  { "Exp", exp, -80, 80, 0 },
  { "HardSigmoid", ref_hard_sigmoid, -5, 5, 1e-7 },
  { "HardSwish", ref_hard_swish, -5, 5, 1e-6 },
  { "Elu", ref_elu, -10, 5, 3e-7 },
  { "Selu", ref_selu, -10, 5, 3e-7 },
  { "Gelu", ref_gelu, -6, 6, 3e-7 },
  { "Erf", erf, -4, 4, 3e-7 },
  { "Softplus", ref_softplus, -20, 40, 3e-7 },
  { "Softsign", ref_softsign, -9, 9, 3e-7 },
  { "Mish", ref_mish, -10, 10, 3e-7 },
  { "Sqrt", sqrt, 0, 100, 0 },
  { "Log", log, 0.01, 100, 3e-7 },
  { "Reciprocal", ref_reciprocal, 0.5, 9, 0 },
  { "Sin", sin, -6, 6, 3e-7 },
  { "Atan", atan, -6, 6, 3e-7 },
  { "Abs", fabs, -6, 6, 0 },
  { "Floor", floor, -6, 6, 0 },
};

/* Every float unary kernel against libm in double: n = 10001 so that the
 * vector loop's tail is exercised too. */
static void
test_unary_reference (void)
{
  const gint64 n = 10001, d[] = { n };
  g_autofree float *x = g_new (float, n);

  for (guint c = 0; c < G_N_ELEMENTS (unary_cases); c++)
    {
      const UnaryCase *u = &unary_cases[c];
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new (u->op, 13);
      g_autoptr(GError) error = NULL;
      const float *y;

      for (gint64 i = 0; i < n; i++)
        x[i] = (float) (u->lo + (u->hi - u->lo) * i / (n - 1));
      lamina_test_kernel_input (k, F32, 1, d, x);
      g_assert_true (lamina_test_kernel_run (k, 1, 2, &error));
      g_assert_no_error (error);
      y = lamina_test_kernel_output (k, 0)->data;
      for (gint64 i = 0; i < n; i++)
        {
          double want = u->reference (x[i]);
          double tol = u->tolerance + 2e-6 * fabs (want);
          if (!(fabs (y[i] - want) <= tol))
            g_error ("%s (%.9g) = %.9g, expected %.9g", u->op, x[i], y[i], want);
        }
    }
}

static void
test_unary_special (void)
{
  const gint64 d[] = { 7 };
  const float x[] = { 0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6 };
  const float round_even[] = { 0, 2, 2, -0.0, -2, 2, -3 };
  const float sign[] = { 1, 1, 1, -1, -1, 1, -1 };
  const gint64 dn[] = { 4 };
  const float special[] = { NAN, INFINITY, -INFINITY, 0 };
  const gint64 isnan_[] = { 1, 0, 0, 0 }, isinf_pos[] = { 0, 1, 0, 0 };
  g_autoptr(LaminaTestKernel) r = lamina_test_kernel_new ("Round", 11);
  g_autoptr(LaminaTestKernel) s = lamina_test_kernel_new ("Sign", 13);
  g_autoptr(LaminaTestKernel) n = lamina_test_kernel_new ("IsNaN", 13);
  g_autoptr(LaminaTestKernel) i = lamina_test_kernel_new ("IsInf", 10);
  g_autoptr(LaminaTestKernel) e = lamina_test_kernel_new ("Exp", 13);
  const float *ey;

  lamina_test_kernel_input (r, F32, 1, d, x);
  g_assert_true (lamina_test_kernel_run (r, 1, 1, NULL));
  lamina_test_assert_floats (lamina_test_kernel_output (r, 0), round_even, 7, 0);
  lamina_test_kernel_input (s, F32, 1, d, x);
  g_assert_true (lamina_test_kernel_run (s, 1, 1, NULL));
  lamina_test_assert_floats (lamina_test_kernel_output (s, 0), sign, 7, 0);
  lamina_test_kernel_input (n, F32, 1, dn, special);
  g_assert_true (lamina_test_kernel_run (n, 1, 1, NULL));
  g_assert_cmpint (lamina_test_kernel_output (n, 0)->dtype, ==, BOOL);
  lamina_test_assert_ints (lamina_test_kernel_output (n, 0), isnan_, 4);
  lamina_test_kernel_input (i, F32, 1, dn, special);
  lamina_test_kernel_set_int (i, "detect_negative", 0);
  g_assert_true (lamina_test_kernel_run (i, 1, 1, NULL));
  lamina_test_assert_ints (lamina_test_kernel_output (i, 0), isinf_pos, 4);
  /* NaN and infinities through the vector exp */
  lamina_test_kernel_input (e, F32, 1, dn, special);
  g_assert_true (lamina_test_kernel_run (e, 1, 1, NULL));
  ey = lamina_test_kernel_output (e, 0)->data;
  g_assert_true (isnan (ey[0]));
  g_assert_true (ey[1] > 3e38f);   /* e^88.7: the largest float, not NaN */
  g_assert_cmpfloat (ey[2], <, 1e-37);
  g_assert_cmpfloat (ey[3], ==, 1);
}

static void
test_gelu_tanh (void)
{
  const gint64 d[] = { 5 };
  const float x[] = { -3, -1, 0, 0.5, 2 };
  const float expected[] = { -0.003637343645095825, -0.15880799293518066, 0.0, 0.3457140326499939,
                             1.9545977115631104 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Gelu", 20);
  g_autoptr(LaminaTestKernel) bad = lamina_test_kernel_new ("Gelu", 20);
  g_autoptr(GError) error = NULL;

  lamina_test_kernel_input (k, F32, 1, d, x);
  lamina_test_kernel_set_string (k, "approximate", "tanh");
  g_assert_true (lamina_test_kernel_run (k, 1, 1, NULL));
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 5, 3e-7);
  lamina_test_kernel_input (bad, F32, 1, d, x);
  lamina_test_kernel_set_string (bad, "approximate", "erf?");
  g_assert_false (lamina_test_kernel_run (bad, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED);
}

static void
test_clip (void)
{
  const gint64 d[] = { 5 }, dscalar[] = { 0 };
  const float x[] = { -3, -1, 0, 2, 9 };
  const float attr_expected[] = { -1, -1, 0, 2, 2 };
  const float lo[] = { 0 }, input_expected[] = { 0, 0, 0, 2, 9 };
  const gint8 xi[] = { -128, -5, 0, 5, 127 }, hi8[] = { 3 };
  const gint64 int_expected[] = { -128, -5, 0, 3, 3 };
  g_autoptr(LaminaTestKernel) old = lamina_test_kernel_new ("Clip", 6);
  g_autoptr(LaminaTestKernel) now = lamina_test_kernel_new ("Clip", 13);
  g_autoptr(LaminaTestKernel) ints = lamina_test_kernel_new ("Clip", 13);
  g_autoptr(LaminaTestKernel) relu6 = lamina_test_kernel_new ("Relu6", 0);
  const float relu6_expected[] = { 0, 0, 0, 2, 6 };

  /* opset 6: attributes */
  lamina_test_kernel_input (old, F32, 1, d, x);
  lamina_test_kernel_set_float (old, "min", -1);
  lamina_test_kernel_set_float (old, "max", 2);
  g_assert_true (lamina_test_kernel_run (old, 1, 1, NULL));
  lamina_test_assert_floats (lamina_test_kernel_output (old, 0), attr_expected, 5, 0);
  /* opset 13: inputs, max omitted */
  lamina_test_kernel_input (now, F32, 1, d, x);
  lamina_test_kernel_input (now, F32, 0, dscalar, lo);
  lamina_test_kernel_omit_input (now);
  g_assert_true (lamina_test_kernel_run (now, 1, 1, NULL));
  lamina_test_assert_floats (lamina_test_kernel_output (now, 0), input_expected, 5, 0);
  /* int8, min omitted */
  lamina_test_kernel_input (ints, LAMINA_DTYPE_INT8, 1, d, xi);
  lamina_test_kernel_omit_input (ints);
  lamina_test_kernel_input (ints, LAMINA_DTYPE_INT8, 0, dscalar, hi8);
  g_assert_true (lamina_test_kernel_run (ints, 1, 1, NULL));
  g_assert_cmpint (lamina_test_kernel_output (ints, 0)->dtype, ==, LAMINA_DTYPE_INT8);
  lamina_test_assert_ints (lamina_test_kernel_output (ints, 0), int_expected, 5);
  /* TFLite Relu6 */
  lamina_test_kernel_input (relu6, F32, 1, d, x);
  g_assert_true (lamina_test_kernel_run (relu6, 1, 1, NULL));
  lamina_test_assert_floats (lamina_test_kernel_output (relu6, 0), relu6_expected, 5, 0);
}

/* ---- Cast, Where, Dropout ------------------------------------------------ */

static void
test_cast (void)
{
  const gint64 d[] = { 5 };
  const float x[] = { 1.9f, -1.9f, 0.5f, -0.0f, 100.7f };
  const gint64 to_int[] = { 1, -1, 0, 0, 100 };
  const float h[] = { 1.0f / 3, 65504, 70000, 1e-8f, -2.5f };
  const guint16 to_half[] = { 13653, 31743, 31744, 0, 49408 };
  const gint64 to_bool[] = { 1, 1, 1, 0, 1 };
  g_autoptr(LaminaTestKernel) i = lamina_test_kernel_new ("Cast", 13);
  g_autoptr(LaminaTestKernel) f16 = lamina_test_kernel_new ("Cast", 13);
  g_autoptr(LaminaTestKernel) b = lamina_test_kernel_new ("Cast", 13);
  g_autoptr(LaminaTestKernel) bad = lamina_test_kernel_new ("Cast", 13);
  g_autoptr(GError) error = NULL;
  const guint16 *half;

  lamina_test_kernel_input (i, F32, 1, d, x);
  lamina_test_kernel_set_int (i, "to", 6);   /* INT32 */
  g_assert_true (lamina_test_kernel_run (i, 1, 1, NULL));
  g_assert_cmpint (lamina_test_kernel_output (i, 0)->dtype, ==, I32);
  lamina_test_assert_ints (lamina_test_kernel_output (i, 0), to_int, 5);

  lamina_test_kernel_input (f16, F32, 1, d, h);
  lamina_test_kernel_set_int (f16, "to", 10);   /* FLOAT16 */
  g_assert_true (lamina_test_kernel_run (f16, 1, 1, NULL));
  half = lamina_test_kernel_output (f16, 0)->data;
  for (int k = 0; k < 5; k++)
    g_assert_cmpint (half[k], ==, to_half[k]);

  lamina_test_kernel_input (b, F32, 1, d, x);
  lamina_test_kernel_set_int (b, "to", 9);   /* BOOL */
  g_assert_true (lamina_test_kernel_run (b, 1, 1, NULL));
  lamina_test_assert_ints (lamina_test_kernel_output (b, 0), to_bool, 5);

  lamina_test_kernel_input (bad, F32, 1, d, x);
  lamina_test_kernel_set_int (bad, "to", 8);   /* STRING */
  g_assert_false (lamina_test_kernel_run (bad, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED);
}

static void
test_where (void)
{
  const gint64 dc[] = { 2, 1 }, dx[] = { 3 }, dy[] = { 0 }, dout[] = { 2, 3 };
  const guint8 cond[] = { 1, 0 };
  const float x[] = { 1, 2, 3 }, y[] = { -1 };
  const float expected[] = { 1, 2, 3, -1, -1, -1 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Where", 16);
  g_autoptr(LaminaTestKernel) bad = lamina_test_kernel_new ("Where", 16);
  g_autoptr(GError) error = NULL;

  lamina_test_kernel_input (k, BOOL, 2, dc, cond);
  lamina_test_kernel_input (k, F32, 1, dx, x);
  lamina_test_kernel_input (k, F32, 0, dy, y);
  g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), F32, 2, dout);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 6, 0);
  /* the condition must be bool */
  lamina_test_kernel_input (bad, F32, 1, dx, x);
  lamina_test_kernel_input (bad, F32, 1, dx, x);
  lamina_test_kernel_input (bad, F32, 1, dx, x);
  g_assert_false (lamina_test_kernel_run (bad, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED);
}

static void
test_select_tflite (void)
{
  /* TFLite Select: a rank-1 condition picks whole rows */
  const gint64 dc[] = { 2 }, dx[] = { 2, 2 };
  const guint8 cond[] = { 0, 1 };
  const float x[] = { 1, 2, 3, 4 }, y[] = { 5, 6, 7, 8 };
  const float expected[] = { 5, 6, 3, 4 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Select", 0);

  lamina_test_kernel_input (k, BOOL, 1, dc, cond);
  lamina_test_kernel_input (k, F32, 2, dx, x);
  lamina_test_kernel_input (k, F32, 2, dx, y);
  g_assert_true (lamina_test_kernel_run (k, 1, 1, NULL));
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 4, 0);
}

static void
test_dropout (void)
{
  const gint64 d[] = { 3 };
  const float x[] = { 1, 2, 3 };
  const gint64 mask[] = { 1, 1, 1 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Dropout", 13);

  lamina_test_kernel_input (k, F32, 1, d, x);
  g_assert_true (lamina_test_kernel_run (k, 2, 1, NULL));
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), x, 3, 0);
  g_assert_cmpint (lamina_test_kernel_output (k, 1)->dtype, ==, BOOL);
  lamina_test_assert_ints (lamina_test_kernel_output (k, 1), mask, 3);
}

/* ---- TFLite -------------------------------------------------------------- */

static void
test_tflite_fused_activation (void)
{
  const gint64 d[] = { 4 }, ds[] = { 1 };
  const float a[] = { 1, 5, -3, 4 }, b[] = { 3 };
  const float expected[] = { 4, 6, 0, 6 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Add", 0);
  g_autoptr(LaminaTestKernel) bad = lamina_test_kernel_new ("Mul", 0);
  g_autoptr(GError) error = NULL;

  lamina_test_kernel_input (k, F32, 1, d, a);
  lamina_test_kernel_input (k, F32, 1, ds, b);
  lamina_test_kernel_set_string (k, "fused_activation_function", "RELU6");
  g_assert_true (lamina_test_kernel_run (k, 1, 1, NULL));
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 4, 0);

  lamina_test_kernel_input (bad, F32, 1, d, a);
  lamina_test_kernel_input (bad, F32, 1, ds, b);
  lamina_test_kernel_set_string (bad, "fused_activation_function", "7");
  g_assert_false (lamina_test_kernel_run (bad, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED);
}

static void
test_tflite_dequantize (void)
{
  const gint64 d[] = { 2, 2 }, dh[] = { 3 };
  const gint8 q[] = { -128, 0, 5, 127 };
  const float expected[] = { -64.5, -0.5, 1.75, 32.25 };
  const guint16 h[] = { 0x3c00, 0xc100, 0x7c00 };   /* 1, -2.5, inf */
  const float h_expected[] = { 1, -2.5f, INFINITY };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Dequantize", 0);
  g_autoptr(LaminaTestKernel) f = lamina_test_kernel_new ("Dequantize", 0);
  g_autoptr(LaminaTestKernel) missing = lamina_test_kernel_new ("Dequantize", 0);
  g_autoptr(GError) error = NULL;
  LaminaTensor *t;
  const float *got;

  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 2, d, q);
  /* per-axis 0: scales 0.5, 0.25, zero points 1, -2 */
  t = g_ptr_array_index (lamina_test_kernel_node (k)->inputs, 0);
  t->quant = lamina_quant_new (0, 2);
  t->quant->scale[0] = 0.5f, t->quant->scale[1] = 0.25f;
  t->quant->zero_point[0] = 1, t->quant->zero_point[1] = -2;
  g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
  g_assert_no_error (error);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 4, 0);

  lamina_test_kernel_input (f, LAMINA_DTYPE_FLOAT16, 1, dh, h);
  g_assert_true (lamina_test_kernel_run (f, 1, 1, NULL));
  got = lamina_test_kernel_output (f, 0)->data;
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat (got[i], ==, h_expected[i]);

  lamina_test_kernel_input (missing, LAMINA_DTYPE_INT8, 2, d, q);
  g_assert_false (lamina_test_kernel_run (missing, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
}

static void
test_tflite_quantize (void)
{
  const gint64 d[] = { 5 };
  const float x[] = { 0.26f, -0.26f, 100, -100, 0 };
  const gint64 expected[] = { 6, 0, 127, -128, 3 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Quantize", 0);
  g_autoptr(GError) error = NULL;
  LaminaTensor *t = lamina_test_kernel_output_tensor (k, 0);

  t->dtype = LAMINA_DTYPE_INT8;
  t->quant = lamina_quant_new (-1, 1);
  t->quant->scale[0] = 0.1f;
  t->quant->zero_point[0] = 3;
  lamina_test_kernel_input (k, F32, 1, d, x);
  g_assert_true (lamina_test_kernel_run (k, 1, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lamina_test_kernel_output (k, 0)->dtype, ==, LAMINA_DTYPE_INT8);
  lamina_test_assert_ints (lamina_test_kernel_output (k, 0), expected, 5);
}

static void
test_quantized_refused (void)
{
  /* int8 with a zero point: raw arithmetic would be wrong, so refuse */
  const gint64 d[] = { 2 };
  const gint8 q[] = { -3, 4 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Relu", 0);
  g_autoptr(GError) error = NULL;
  LaminaTensor *t;

  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 1, d, q);
  t = g_ptr_array_index (lamina_test_kernel_node (k)->inputs, 0);
  t->quant = lamina_quant_new (-1, 1);
  t->quant->scale[0] = 0.5f;
  g_assert_false (lamina_test_kernel_run (k, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ops/elementwise/broadcast-arith", test_broadcast_arith);
  g_test_add_func ("/ops/elementwise/broadcast-both-sides", test_broadcast_both_sides);
  g_test_add_func ("/ops/elementwise/per-channel", test_per_channel);
  g_test_add_func ("/ops/elementwise/scalar-and-empty", test_scalar_and_empty);
  g_test_add_func ("/ops/elementwise/broadcast-invalid", test_broadcast_invalid);
  g_test_add_func ("/ops/elementwise/broadcast-reference", test_broadcast_reference);
  g_test_add_func ("/ops/elementwise/integers", test_integers);
  g_test_add_func ("/ops/elementwise/integer-division-by-zero", test_integer_division_by_zero);
  g_test_add_func ("/ops/elementwise/pow-mixed-types", test_pow_mixed_types);
  g_test_add_func ("/ops/elementwise/logic", test_logic);
  g_test_add_func ("/ops/elementwise/variadic", test_variadic);
  g_test_add_func ("/ops/elementwise/unary-reference", test_unary_reference);
  g_test_add_func ("/ops/elementwise/unary-special", test_unary_special);
  g_test_add_func ("/ops/elementwise/gelu-tanh", test_gelu_tanh);
  g_test_add_func ("/ops/elementwise/clip", test_clip);
  g_test_add_func ("/ops/elementwise/cast", test_cast);
  g_test_add_func ("/ops/elementwise/where", test_where);
  g_test_add_func ("/ops/elementwise/select-tflite", test_select_tflite);
  g_test_add_func ("/ops/elementwise/dropout", test_dropout);
  g_test_add_func ("/ops/elementwise/tflite-fused-activation", test_tflite_fused_activation);
  g_test_add_func ("/ops/elementwise/tflite-dequantize", test_tflite_dequantize);
  g_test_add_func ("/ops/elementwise/tflite-quantize", test_tflite_quantize);
  g_test_add_func ("/ops/elementwise/quantized-refused", test_quantized_refused);
  return g_test_run ();
}
