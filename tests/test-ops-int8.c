/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-ops-int8: the fixed-point primitives (lamina-fixed.h) and the
 * integer kernels (lamina-ops-int8.c, lamina-int8-conv.c).
 *
 * Expected values are worked out by hand from TFLite's reference formulas
 * (the comments show the arithmetic) or printed by
 * tests/gen-ops-int8-reference.py, which writes those formulas out with
 * Python integers. Integer results must match exactly.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include "lamina-test-util.h"
#include "ops/lamina-fixed.h"
#include "ops/lamina-int8.h"
#include "ops/lamina-int8-gemm.h"

/* ---- fixed point ------------------------------------------------------------------ */

static void
check_multiplier (double real, gint32 multiplier, int shift)
{
  gint32 m;
  int s;

  g_assert_true (lamina_fixed_quantize_multiplier (real, &m, &s));
  g_assert_cmpint (m, ==, multiplier);
  g_assert_cmpint (s, ==, shift);
}

static void
test_fixed_multiplier (void)
{
  gint32 m;
  int s;

  /* real = m · 2^(shift − 31), m in [2^30, 2^31) */
  check_multiplier (0.5, 1 << 30, 0);
  check_multiplier (1.0, 1 << 30, 1);
  check_multiplier (0.25, 1 << 30, -1);
  check_multiplier (0.75, 1610612736, 0);           /* 0.75 · 2^31 */
  check_multiplier (3.0, 1610612736, 2);
  check_multiplier (0.0, 0, 0);
  check_multiplier (1e-12, 0, 0);                    /* 2^−39.9: shift < −31 */
  check_multiplier (1.0 - 1e-12, 1 << 30, 1);        /* rounds up to 1.0 */
  check_multiplier (0.1, 1717986918, -3);            /* 0.8 · 2^31 = 1717986918.4 */
  g_assert_false (lamina_fixed_quantize_multiplier (-0.5, &m, &s));
}

static void
test_fixed_arithmetic (void)
{
  /* SRDHM: a·b / 2^31 rounded to nearest, ties upward */
  g_assert_cmpint (lamina_fixed_srdhm (1 << 30, 1 << 30), ==, 1 << 29);
  g_assert_cmpint (lamina_fixed_srdhm (5, 1 << 30), ==, 3);     /* 2.5 → 3 */
  g_assert_cmpint (lamina_fixed_srdhm (-5, 1 << 30), ==, -2);   /* −2.5 → −2 */
  g_assert_cmpint (lamina_fixed_srdhm (-7, 1 << 30), ==, -3);   /* −3.5 → −3 */
  g_assert_cmpint (lamina_fixed_srdhm (G_MININT32, G_MININT32), ==, G_MAXINT32);
  g_assert_cmpint (lamina_fixed_srdhm (G_MAXINT32, G_MAXINT32), ==, G_MAXINT32 - 1);
  /* RoundingDivideByPOT: half away from zero */
  g_assert_cmpint (lamina_fixed_rounding_divide_by_pot (5, 1), ==, 3);
  g_assert_cmpint (lamina_fixed_rounding_divide_by_pot (-5, 1), ==, -3);
  g_assert_cmpint (lamina_fixed_rounding_divide_by_pot (-6, 2), ==, -2);   /* −1.5 */
  g_assert_cmpint (lamina_fixed_rounding_divide_by_pot (-5, 2), ==, -1);   /* −1.25 */
  g_assert_cmpint (lamina_fixed_rounding_divide_by_pot (7, 0), ==, 7);
  /* MultiplyByQuantizedMultiplier */
  g_assert_cmpint (lamina_fixed_mul (100, 1 << 30, 0), ==, 50);      /* × 0.5 */
  g_assert_cmpint (lamina_fixed_mul (7, 1 << 30, 1), ==, 7);         /* × 1.0 */
  g_assert_cmpint (lamina_fixed_mul (3, 1 << 30, -1), ==, 1);        /* 0.75: SRDHM 1.5 → 2, then 2/2 */
  g_assert_cmpint (lamina_fixed_mul (-3, 1 << 30, -1), ==, -1);      /* SRDHM −1.5 → −1, then −0.5 → −1 */
  g_assert_cmpint (lamina_fixed_mul (1000, 1610612736, 2), ==, 3000); /* × 3 */
  g_assert_cmpint (lamina_fixed_clamp (300, -128, 127), ==, 127);
  g_assert_cmpint (lamina_fixed_clamp (-300, -128, 127), ==, -128);
}

static void
test_fixed_lut (void)
{
  guint8 table[256];

  /* sigmoid, in (0.1, 0) → out (1/256, −128): q = round (256 σ(0.1 q)) − 128 */
  lamina_fixed_lut_build (LAMINA_FIXED_SIGMOID, TRUE, 0.1f, 0, 1.0f / 256, -128, table);
  g_assert_cmpint ((gint8) table[0], ==, 0);          /* σ(0) = 0.5 → 128 − 128 */
  g_assert_cmpint ((gint8) table[10], ==, 59);        /* 256 σ(1) = 187.15 → 187 */
  g_assert_cmpint ((gint8) table[(guint8) -10], ==, -59);  /* 68.85 → 69 */
  g_assert_cmpint ((gint8) table[127], ==, 127);      /* 256 → 128: saturates */
  g_assert_cmpint ((gint8) table[128], ==, -128);     /* q = −128 */
  /* uint8 tanh, in (1/32, 128) → out (1/128, 128) */
  lamina_fixed_lut_build (LAMINA_FIXED_TANH, FALSE, 1.0f / 32, 128, 1.0f / 128, 128, table);
  g_assert_cmpint (table[128], ==, 128);
  g_assert_cmpint (table[160], ==, 225);              /* 128 tanh(1) = 97.48 → 97 */
  g_assert_cmpint (table[96], ==, 31);
  /* hard swish at −3, 0, 3: 0, 0, 3 */
  lamina_fixed_lut_build (LAMINA_FIXED_HARD_SWISH, TRUE, 0.5f, 0, 0.25f, 0, table);
  g_assert_cmpint ((gint8) table[(guint8) -6], ==, 0);
  g_assert_cmpint ((gint8) table[6], ==, 12);
  g_assert_cmpint ((gint8) table[2], ==, 3);          /* x = 1: 1·4/6 = 0.667 → /0.25 = 2.67 → 3 */
  g_assert_cmpfloat_with_epsilon (lamina_fixed_func_eval (LAMINA_FIXED_SILU, 1.0f), 0.7310586f, 1e-6);
}

/* ---- kernel helpers ------------------------------------------------------------------- */

static LaminaQuant *
quant_new (float scale, gint64 zero)
{
  LaminaQuant *q = lamina_quant_new (-1, 1);

  q->scale[0] = scale;
  q->zero_point[0] = zero;
  return q;
}

/* Input with its graph tensor's dtype and per-tensor quantization, as the
 * TFLite loader makes them. */
static void
qinput (LaminaTestKernel *k, LaminaDType dtype, int rank, const gint64 *dims, const void *data, float scale,
        gint64 zero)
{
  LaminaNode *node = lamina_test_kernel_node (k);
  LaminaTensor *t;

  lamina_test_kernel_input (k, dtype, rank, dims, data);
  t = g_ptr_array_index (node->inputs, node->inputs->len - 1);
  t->dtype = dtype;
  t->quant = quant_new (scale, zero);
}

static void
qoutput (LaminaTestKernel *k, guint i, LaminaDType dtype, float scale, gint64 zero)
{
  LaminaTensor *t = lamina_test_kernel_output_tensor (k, i);

  t->dtype = dtype;
  t->quant = quant_new (scale, zero);
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

static void
run_ok (LaminaTestKernel *k, guint n_outputs)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lamina_test_kernel_run (k, n_outputs, 1, &error));
  g_assert_no_error (error);
}

/* ---- TFLite kernels ---------------------------------------------------------------- */

static void
test_quantize (void)
{
  static const float x[] = { 0, 0.25f, -0.25f, 1, 100, -100, 0.74f };
  static const gint8 y[] = { -1, 0, -2, 1, 127, -128, 0 };   /* round (x / 0.5) half away, − 1 */
  static const guint8 u[] = { 0, 255, 128 };
  static const gint8 uy[] = { -128, 127, 0 };
  static const gint8 r[] = { 3, -3, 5, 100 };
  static const gint8 ry[] = { 12, 9, 13, 60 };   /* × 0.5 with SRDHM's ties upward, + 10 */
  gint64 n = G_N_ELEMENTS (x);

  {
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Quantize", 0);
    lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 1, &n, x);
    qoutput (k, 0, LAMINA_DTYPE_INT8, 0.5f, -1);
    run_ok (k, 1);
    assert_int8 (lamina_test_kernel_output (k, 0), y, n);
  }
  {
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Quantize", 0);
    n = 3;
    qinput (k, LAMINA_DTYPE_UINT8, 1, &n, u, 1.0f / 255, 0);
    qoutput (k, 0, LAMINA_DTYPE_INT8, 1.0f / 255, -128);
    run_ok (k, 1);
    assert_int8 (lamina_test_kernel_output (k, 0), uy, n);
  }
  {
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Quantize", 0);
    n = 4;
    qinput (k, LAMINA_DTYPE_INT8, 1, &n, r, 1.0f, 0);
    qoutput (k, 0, LAMINA_DTYPE_INT8, 2.0f, 10);
    run_ok (k, 1);
    assert_int8 (lamina_test_kernel_output (k, 0), ry, n);
  }
}

static void
test_dequantize (void)
{
  static const gint8 x[] = { 2, 4, 0, -128 };
  static const float y[] = { 0, 1, -1, -65 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Dequantize", 0);
  gint64 n = 4;

  qinput (k, LAMINA_DTYPE_INT8, 1, &n, x, 0.5f, 2);
  run_ok (k, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), y, n, 0);
}

static void
test_add_mul (void)
{
  /* tests/gen-ops-int8-reference.py */
  static const gint8 a[] = { 115, 45, -26, -75, 111, -60 }, b[] = { 14, 44, -67 };
  static const gint8 add[] = { 49, 51, -66, -15, 73, -77 }, mul[] = { 8, 19, 16, -5, 43, 41 };
  static const gint8 a2[] = { 2, 4 }, b2[] = { 4, -6 }, add2[] = { 2, 1 };
  gint64 da[] = { 2, 3 }, db[] = { 3 }, two = 2;

  for (int op = 0; op < 2; op++)
    {
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new (op == 0 ? "Add" : "Mul", 0);
      qinput (k, LAMINA_DTYPE_INT8, 2, da, a, 0.02f, -5);
      qinput (k, LAMINA_DTYPE_INT8, 1, db, b, 0.05f, 7);
      qoutput (k, 0, LAMINA_DTYPE_INT8, op == 0 ? 0.06f : 0.1f, op == 0 ? 3 : 0);
      run_ok (k, 1);
      lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT8, 2, da);
      assert_int8 (lamina_test_kernel_output (k, 0), op == 0 ? add : mul, 6);
    }
  {
    /* 1 + 1 = 2; 2 − 1.5 = 0.5 → 1 (RoundingDivideByPOT, half away from zero) */
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Add", 0);
    qinput (k, LAMINA_DTYPE_INT8, 1, &two, a2, 0.5f, 0);
    qinput (k, LAMINA_DTYPE_INT8, 1, &two, b2, 0.25f, 0);
    qoutput (k, 0, LAMINA_DTYPE_INT8, 1.0f, 0);
    run_ok (k, 1);
    assert_int8 (lamina_test_kernel_output (k, 0), add2, 2);
  }
  {
    /* fused RELU6 on y (0.5, 0): clamp to [0, 12] */
    static const gint8 x[] = { 20, -20 }, y[] = { 12, 0 };
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Mul", 0);
    static const gint8 one[] = { 2 };
    gint64 n1 = 1;
    qinput (k, LAMINA_DTYPE_INT8, 1, &two, x, 0.5f, 0);
    qinput (k, LAMINA_DTYPE_INT8, 1, &n1, one, 0.5f, 0);
    qoutput (k, 0, LAMINA_DTYPE_INT8, 0.5f, 0);
    lamina_test_kernel_set_string (k, "fused_activation_function", "RELU6");
    run_ok (k, 1);
    assert_int8 (lamina_test_kernel_output (k, 0), y, 2);
  }
}

static void
test_logistic (void)
{
  static const gint8 x[] = { 0, 10, -10, 127, -128 }, y[] = { 0, 59, -59, 127, -128 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Logistic", 0);
  gint64 n = 5;

  qinput (k, LAMINA_DTYPE_INT8, 1, &n, x, 0.1f, 0);
  qoutput (k, 0, LAMINA_DTYPE_INT8, 1.0f / 256, -128);
  run_ok (k, 1);
  assert_int8 (lamina_test_kernel_output (k, 0), y, n);
}

static void
test_concatenation (void)
{
  static const gint8 a[] = { 4, -4 }, b[] = { 3 }, y[] = { 4, -4, 6 };
  gint64 da[] = { 1, 2 }, db[] = { 1, 1 }, dy[] = { 1, 3 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Concatenation", 0);

  /* b is requantized from (1, 0) to the output's (0.5, 0) */
  qinput (k, LAMINA_DTYPE_INT8, 2, da, a, 0.5f, 0);
  qinput (k, LAMINA_DTYPE_INT8, 2, db, b, 1.0f, 0);
  qoutput (k, 0, LAMINA_DTYPE_INT8, 0.5f, 0);
  lamina_test_kernel_set_int (k, "axis", -1);
  run_ok (k, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT8, 2, dy);
  assert_int8 (lamina_test_kernel_output (k, 0), y, 3);
}

static void
test_pool (void)
{
  /* NHWC [1, 2, 2, 2]: channel 0 holds 1, 3, −1, −3 and channel 1 holds
   * 2, 5, −2, −5; one 2×2 window: maxima 3 and 5, means 0 and 0 */
  static const gint8 x[] = { 1, 2, 3, 5, -1, -2, -3, -5 }, max[] = { 3, 5 }, avg[] = { 0, 0 };
  static const gint8 x3[] = { 1, 2, 3, 5 }, avg3[] = { 3 }, x4[] = { -1, -2, -3, -5 }, avg4[] = { -3 };
  gint64 dx[] = { 1, 2, 2, 2 }, dy[] = { 1, 1, 1, 2 }, d1[] = { 1, 2, 2, 1 };

  for (int op = 0; op < 2; op++)
    {
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new (op == 0 ? "MaxPool2D" : "AveragePool2D", 0);
      qinput (k, LAMINA_DTYPE_INT8, 4, dx, x, 0.5f, 0);
      qoutput (k, 0, LAMINA_DTYPE_INT8, 0.5f, 0);
      lamina_test_kernel_set_string (k, "padding", "VALID");
      lamina_test_kernel_set_int (k, "filter_height", 2);
      lamina_test_kernel_set_int (k, "filter_width", 2);
      lamina_test_kernel_set_int (k, "stride_h", 2);
      lamina_test_kernel_set_int (k, "stride_w", 2);
      run_ok (k, 1);
      lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT8, 4, dy);
      assert_int8 (lamina_test_kernel_output (k, 0), op == 0 ? max : avg, 2);
    }
  for (int sign = 0; sign < 2; sign++)
    {
      /* mean 11/4 = 2.75 → (11 + 2) / 4 = 3; −2.75 → (−11 − 2) / 4 = −3 */
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("AveragePool2D", 0);
      qinput (k, LAMINA_DTYPE_INT8, 4, d1, sign == 0 ? x3 : x4, 0.5f, 0);
      qoutput (k, 0, LAMINA_DTYPE_INT8, 0.5f, 0);
      lamina_test_kernel_set_string (k, "padding", "VALID");
      lamina_test_kernel_set_int (k, "filter_height", 2);
      lamina_test_kernel_set_int (k, "filter_width", 2);
      run_ok (k, 1);
      assert_int8 (lamina_test_kernel_output (k, 0), sign == 0 ? avg3 : avg4, 1);
    }
}

static void
test_moving (void)
{
  static const gint8 x[] = { 1, 2, 3, 4 }, y[] = { 2, 4, 6, 8 };
  static const gint32 shape[] = { 2, 2 };
  static const gint8 p[] = { 5 }, py[] = { -3, -3, 5, -3 };
  static const gint32 pads[] = { 0, 0, 1, 0, 0, 1, 0, 0 };
  gint64 n = 4, two = 2, dp[] = { 1, 1, 1, 1 }, dpads[] = { 4, 2 }, dpy[] = { 1, 2, 2, 1 };

  {
    /* a Reshape whose output has its own parameters: (1, 0) → (0.5, 0) */
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Reshape", 0);
    qinput (k, LAMINA_DTYPE_INT8, 1, &n, x, 1.0f, 0);
    lamina_test_kernel_input (k, LAMINA_DTYPE_INT32, 1, &two, shape);
    qoutput (k, 0, LAMINA_DTYPE_INT8, 0.5f, 0);
    run_ok (k, 1);
    lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT8, 2, (gint64[]) { 2, 2 });
    assert_int8 (lamina_test_kernel_output (k, 0), y, 4);
  }
  {
    /* Pad fills with the zero point */
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Pad", 0);
    qinput (k, LAMINA_DTYPE_INT8, 4, dp, p, 0.25f, -3);
    lamina_test_kernel_input (k, LAMINA_DTYPE_INT32, 2, dpads, pads);
    qoutput (k, 0, LAMINA_DTYPE_INT8, 0.25f, -3);
    run_ok (k, 1);
    lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT8, 4, dpy);
    assert_int8 (lamina_test_kernel_output (k, 0), py, 4);
  }
}

/* Conv2D with per-channel filter scales: axis 0, one scale per output. */
static void
conv_filter (LaminaTestKernel *k, const gint64 *dims, const gint8 *w, const float *scales, guint n, int axis)
{
  LaminaNode *node = lamina_test_kernel_node (k);
  LaminaTensor *t;
  LaminaQuant *q = lamina_quant_new (axis, n);

  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 4, dims, w);
  t = g_ptr_array_index (node->inputs, node->inputs->len - 1);
  t->dtype = LAMINA_DTYPE_INT8;
  memcpy (q->scale, scales, n * sizeof (float));
  t->quant = q;
}

static void
test_conv2d (void)
{
  static const gint8 x[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, w[] = { 1, 2, 3, 4 };
  static const gint32 bias[] = { 10 };
  static const float ws[] = { 0.5f };
  /* (x − 1) · w + 10 at the four windows: 27 + 10, 37 + 10, 57 + 10,
   * 67 + 10; × 0.5 with ties upward: 19, 24, 34, 39 */
  static const gint8 y[] = { 19, 24, 34, 39 };
  gint64 dx[] = { 1, 3, 3, 1 }, dw[] = { 1, 2, 2, 1 }, one = 1, dy[] = { 1, 2, 2, 1 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Conv2D", 0);

  qinput (k, LAMINA_DTYPE_INT8, 4, dx, x, 1.0f, 1);
  conv_filter (k, dw, w, ws, 1, 0);
  lamina_test_kernel_input (k, LAMINA_DTYPE_INT32, 1, &one, bias);
  qoutput (k, 0, LAMINA_DTYPE_INT8, 1.0f, 0);
  lamina_test_kernel_set_string (k, "padding", "VALID");
  run_ok (k, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT8, 4, dy);
  assert_int8 (lamina_test_kernel_output (k, 0), y, 4);
}

static void
test_conv2d_generated (void)
{
  /* tests/gen-ops-int8-reference.py: SAME, stride 2, RELU6, 3 channels */
  static const gint8 x[] = { 43, 78, -123, 78, -8, 3, 33, -55, 122, -115, -57, -30, 18, -24, -95, -117, -128,
                             -116, -90, 127, -80, 39, 64, -68, -56, -17, -61, 121, -83, 101, 76, 88, -99, -28,
                             32, -2, 42, 45, 41, -113, 117, 14, 103, -59, -36, 97, -81, -112, -33, 45 };
  static const gint8 w[] = { -96, 94, -41, -70, 11, 101, 98, 95, -49, -123, 71, 53, 69, -127, -118, 1, -42, -16,
                             110, -76, 7, -45, -52, 78, -88, -47, -97, -89, -56, 51, 20, -13, -84, 76, 76, -67,
                             -112, -46, -90, 76, 5, 2, -53, 2, 119, -67, 68, -124, -47, 110, 95, -106, 87, 88 };
  static const gint32 bias[] = { -187, -529, 1921 };
  static const float ws[] = { 0.011f, 0.007f, 0.019f };
  static const gint8 y[] = { -100, -88, -100, -25, -100, -100, -2, -64, -100, -100, -100, -100, -100, -60,
                             -100, -100, -100, 20, -100, -100, 20, -100, -100, -78, -100, -53, -100 };
  gint64 dx[] = { 1, 5, 5, 2 }, dw[] = { 3, 3, 3, 2 }, three = 3, dy[] = { 1, 3, 3, 3 };

  for (int reference = 0; reference < 2; reference++)
    {
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Conv2D", 0);
      if (reference)
        g_setenv ("LAMINA_INT8_REFERENCE", "1", TRUE);
      qinput (k, LAMINA_DTYPE_INT8, 4, dx, x, 0.02f, -3);
      conv_filter (k, dw, w, ws, 3, 0);
      lamina_test_kernel_input (k, LAMINA_DTYPE_INT32, 1, &three, bias);
      qoutput (k, 0, LAMINA_DTYPE_INT8, 0.05f, -100);
      lamina_test_kernel_set_string (k, "padding", "SAME");
      lamina_test_kernel_set_int (k, "stride_h", 2);
      lamina_test_kernel_set_int (k, "stride_w", 2);
      lamina_test_kernel_set_string (k, "fused_activation_function", "RELU6");
      run_ok (k, 1);
      g_unsetenv ("LAMINA_INT8_REFERENCE");
      lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT8, 4, dy);
      assert_int8 (lamina_test_kernel_output (k, 0), y, 27);
    }
}

static void
test_depthwise (void)
{
  static const gint8 x[] = { 1, 2, 3, 4 }, w[] = { 2, 3 }, y[] = { 2, 6, 6, 12 };
  static const float ws[] = { 1.0f, 1.0f };
  gint64 dx[] = { 1, 2, 1, 2 }, dw[] = { 1, 1, 1, 2 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("DepthwiseConv2D", 0);

  qinput (k, LAMINA_DTYPE_INT8, 4, dx, x, 1.0f, 0);
  conv_filter (k, dw, w, ws, 2, 3);
  qoutput (k, 0, LAMINA_DTYPE_INT8, 1.0f, 0);
  lamina_test_kernel_set_string (k, "padding", "VALID");
  run_ok (k, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT8, 4, dx);
  assert_int8 (lamina_test_kernel_output (k, 0), y, 4);
}

/* The fast path against the reference on random operands: 1×1, 3×3 with
 * SAME padding, stride 2, dilation, several batches — exact equality. */
static void
test_conv_fast_matches_reference (void)
{
  static const struct { gint64 batch, h, w, cin, cout, k, stride, dil; } cases[] = {
    { 1, 7, 9, 5, 4, 1, 1, 1 }, { 2, 8, 8, 3, 6, 3, 1, 1 }, { 1, 9, 7, 4, 5, 3, 2, 1 },
    { 1, 10, 10, 2, 3, 3, 1, 2 }, { 1, 6, 6, 16, 8, 6, 2, 1 }, { 1, 5, 5, 3, 2, 1, 2, 1 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(LaminaParallel) parallel = lamina_parallel_new (2);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      LaminaConvGeom g = { 0 };
      gint64 end, nx, nw, ny;
      g_autofree gint16 *x = NULL, *w = NULL;
      g_autofree gint32 *bias = NULL, *ref = NULL, *fast = NULL;

      g.nsp = 2;
      g.batch = cases[c].batch, g.cin = cases[c].cin, g.cout = cases[c].cout, g.group = 1;
      for (int d = 0; d < 2; d++)
        {
          g.in[d] = d == 0 ? cases[c].h : cases[c].w;
          g.k[d] = cases[c].k, g.stride[d] = cases[c].stride, g.dil[d] = cases[c].dil;
          g.out[d] = lamina_conv_auto_pad ("SAME_UPPER", g.in[d], g.k[d], g.stride[d], g.dil[d], &g.pad[d], &end);
        }
      g.w_o = g.k[0] * g.k[1] * g.cin, g.w_i = 1, g.w_sp[0] = g.k[1] * g.cin, g.w_sp[1] = g.cin;
      lamina_conv_geom_dense (&g, TRUE);
      nx = g.batch * g.in[0] * g.in[1] * g.cin, nw = g.cout * g.w_o, ny = g.batch * g.out[0] * g.out[1] * g.cout;
      x = g_new (gint16, nx), w = g_new (gint16, nw), bias = g_new (gint32, g.cout);
      ref = g_new (gint32, ny), fast = g_new (gint32, ny);
      for (gint64 i = 0; i < nx; i++)
        x[i] = (gint16) g_rand_int_range (rand, -255, 256);
      for (gint64 i = 0; i < nw; i++)
        w[i] = (gint16) g_rand_int_range (rand, -127, 128);
      for (gint64 i = 0; i < g.cout; i++)
        bias[i] = g_rand_int_range (rand, -100000, 100000);
      lamina_int8_conv_reference (&g, x, w, bias, ref);
      lamina_int8_conv_fast (parallel, &g, x, w, bias, fast);
      g_assert_cmpmem (ref, ny * sizeof (gint32), fast, ny * sizeof (gint32));
    }
}

/* The branch-free multiply of the vector loops against lamina_fixed_mul:
 * random and extreme x, multipliers of random scales. */
static void
test_fixed_mul_split (void)
{
  static const gint32 extremes[] = { 0, 1, -1, 2, -2, G_MAXINT32, G_MININT32, 1 << 30, -(1 << 30), 255, -255 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (int t = 0; t < 2000; t++)
    {
      double real = g_rand_double_range (rand, -20.0, 3.0);
      gint32 m;
      int shift;

      g_assert_true (lamina_fixed_quantize_multiplier (pow (2.0, real), &m, &shift));
      for (int i = 0; i < 40; i++)
        {
          gint32 x = i < (int) G_N_ELEMENTS (extremes) ? extremes[i] : (gint32) g_rand_int (rand);
          if (i % 3 == 0 && i >= (int) G_N_ELEMENTS (extremes))
            x >>= g_rand_int_range (rand, 0, 31);   /* small values too */
          g_assert_cmpint (lamina_fixed_mul_split (x, m, MAX (shift, 0), MAX (-shift, 0)), ==,
                           lamina_fixed_mul (x, m, shift));
        }
    }
}

/* The vectorised requantization (Quantize int8/uint8 → int8/uint8) against
 * lamina_int8_requant_apply on every input byte. */
static void
test_requantize_bytes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  static const LaminaDType types[] = { LAMINA_DTYPE_INT8, LAMINA_DTYPE_UINT8 };

  for (int t = 0; t < 200; t++)
    {
      LaminaDType xt = types[t % 2], yt = types[(t / 2) % 2];
      LaminaRequant r;
      guint8 x[256], y[256];

      g_assert_true (lamina_fixed_quantize_multiplier (g_rand_double_range (rand, 0.01, 8.0), &r.multiplier, &r.shift));
      r.in_zero = g_rand_int_range (rand, -128, 128) + (xt == LAMINA_DTYPE_UINT8 ? 128 : 0);
      r.out_zero = g_rand_int_range (rand, -128, 128) + (yt == LAMINA_DTYPE_UINT8 ? 128 : 0);
      g_assert_true (lamina_fixed_range (yt, &r.lo, &r.hi));
      for (int i = 0; i < 256; i++)
        x[i] = (guint8) i;
      /* 256 elements, then 253 from the fourth: vector groups and a tail */
      for (int start = 0; start < 4; start += 3)
        {
          lamina_int8_requantize (NULL, &r, x + start, xt, y, yt, 256 - start);
          for (int i = 0; i < 256 - start; i++)
            g_assert_cmpint (lamina_int8_load (y, yt, i), ==,
                             lamina_int8_requant_apply (&r, lamina_int8_load (x, xt, start + i)));
        }
    }
}

/* Add/Mul of same-shape operands (the vectorised loop) against the
 * broadcasting rows: b as [n] broadcast over a [2, n], then tiled to [2, n]. */
static void
test_add_mul_flat (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  enum { N = 1003 };   /* not a multiple of the vector width: the scalar tail too */
  gint8 a[2 * N], b[N], tiled[2 * N];
  gint64 da[] = { 2, N }, db[] = { N };

  for (int i = 0; i < 2 * N; i++)
    a[i] = (gint8) g_rand_int_range (rand, -128, 128);
  for (int i = 0; i < N; i++)
    b[i] = tiled[i] = tiled[N + i] = (gint8) g_rand_int_range (rand, -128, 128);
  for (int op = 0; op < 4; op++)
    {
      g_autoptr(LaminaTestKernel) bk = lamina_test_kernel_new (op % 2 == 0 ? "Add" : "Mul", 0);
      g_autoptr(LaminaTestKernel) fk = lamina_test_kernel_new (op % 2 == 0 ? "Add" : "Mul", 0);
      float sy = op < 2 ? 0.07f : 0.004f;

      qinput (bk, LAMINA_DTYPE_INT8, 2, da, a, 0.03f, -7);
      qinput (bk, LAMINA_DTYPE_INT8, 1, db, b, 0.011f, 12);
      qoutput (bk, 0, LAMINA_DTYPE_INT8, sy, 5);
      qinput (fk, LAMINA_DTYPE_INT8, 2, da, a, 0.03f, -7);
      qinput (fk, LAMINA_DTYPE_INT8, 2, da, tiled, 0.011f, 12);
      qoutput (fk, 0, LAMINA_DTYPE_INT8, sy, 5);
      run_ok (bk, 1);
      run_ok (fk, 1);
      assert_int8 (lamina_test_kernel_output (fk, 0), lamina_test_kernel_output (bk, 0)->data, 2 * N);
    }
}

/* The packed convolution (AVX2 micro-kernel) against the reference on
 * random geometries: odd channel counts, widths that are not multiples of
 * the pixel block, 1×1 with stride, padding, dilation — exact equality of
 * the int32 sums. */
static void
test_conv_packed_matches_reference (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  g_autoptr(LaminaParallel) parallel = lamina_parallel_new (2);

  if (!lamina_int8_gemm_supported ())
    {
      g_test_skip ("no AVX2");
      return;
    }
  for (int c = 0; c < 60; c++)
    {
      LaminaConvGeom g = { 0 };
      gint64 end, nx, nw, ny, ks[] = { 1, 1, 2, 3, 3, 5, 6 };
      g_autofree gint16 *x = NULL, *w = NULL;
      g_autofree gint32 *bias = NULL, *ref = NULL, *fast = NULL;
      g_autoptr(LaminaInt8Packed) pw = NULL;

      g.nsp = 2;
      g.batch = g_rand_int_range (rand, 1, 3), g.cin = g_rand_int_range (rand, 1, 40);
      g.cout = g_rand_int_range (rand, 1, 50), g.group = 1;
      for (int d = 0; d < 2; d++)
        {
          g.in[d] = g_rand_int_range (rand, 1, 14);
          g.k[d] = ks[g_rand_int_range (rand, 0, G_N_ELEMENTS (ks))];
          g.stride[d] = g_rand_int_range (rand, 1, 4), g.dil[d] = g_rand_int_range (rand, 1, 3);
          g.out[d] = lamina_conv_auto_pad (c % 3 == 0 ? "VALID" : "SAME_UPPER", g.in[d], g.k[d], g.stride[d], g.dil[d],
                                           &g.pad[d], &end);
          if (g.out[d] < 0)
            g.k[d] = 1, g.dil[d] = 1,
            g.out[d] = lamina_conv_auto_pad ("VALID", g.in[d], 1, g.stride[d], 1, &g.pad[d], &end);
        }
      g.w_o = g.k[0] * g.k[1] * g.cin, g.w_i = 1, g.w_sp[0] = g.k[1] * g.cin, g.w_sp[1] = g.cin;
      lamina_conv_geom_dense (&g, TRUE);
      nx = g.batch * g.in[0] * g.in[1] * g.cin, nw = g.cout * g.w_o, ny = g.batch * g.out[0] * g.out[1] * g.cout;
      x = g_new0 (gint16, nx + 2), w = g_new (gint16, nw), bias = g_new (gint32, g.cout);
      ref = g_new (gint32, MAX (ny, 1)), fast = g_new (gint32, MAX (ny, 1));
      for (gint64 i = 0; i < nx; i++)
        x[i] = (gint16) g_rand_int_range (rand, -255, 256);
      for (gint64 i = 0; i < nw; i++)
        w[i] = (gint16) g_rand_int_range (rand, -255, 256);
      for (gint64 i = 0; i < g.cout; i++)
        bias[i] = g_rand_int_range (rand, -100000, 100000);
      pw = lamina_int8_pack_filter (w, g.cout, g.w_o);
      lamina_int8_conv_reference (&g, x, w, bias, ref);
      lamina_int8_conv_packed (parallel, &g, x, pw, bias, NULL, fast, NULL);
      g_assert_cmpmem (ref, ny * sizeof (gint32), fast, ny * sizeof (gint32));
    }
}

/* Conv2D end to end (prepared packed filter, fused per-channel
 * requantization with multipliers below and above 1) against
 * LAMINA_INT8_REFERENCE on random operands; 20 channels take the 8-lane
 * requantization loop for 16 and the plain one for 4, 32 the 8-lane one. Windows 3×3 with stride 2 and
 * 1×1 with 7 input channels (copied: K is not a multiple of 4) and 8
 * (read in place); on AVX-512 VNNI these run on the bytes (vpdpbusd),
 * elsewhere on int16 pairs. */
static void
test_conv2d_fast_kernel (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (23);
  enum { MAXCIN = 8, MAXC = 32 };
  static const gint64 couts[] = { 20, 32 };
  static const struct { gint64 cin, k, stride; } shapes[] = { { 7, 3, 2 }, { 7, 1, 1 }, { 8, 1, 1 } };
  gint8 x[9 * 11 * MAXCIN], w[MAXC * 3 * 3 * MAXCIN];
  gint32 bias[MAXC];
  float ws[MAXC];

  for (guint i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = (gint8) g_rand_int_range (rand, -128, 128);
  /* every fifth channel: multiplier > 1 on small sums (a sparse filter),
   * the others: multiplier ≈ 1e-4…1e-3, so that outputs spread over the range */
  for (guint i = 0; i < G_N_ELEMENTS (w); i++)
    w[i] = (gint8) ((i / (9 * MAXCIN)) % 5 != 0 ? g_rand_int_range (rand, -127, 128)
                    : g_rand_int_range (rand, 0, 20) == 0 ? g_rand_int_range (rand, -3, 4) : 0);
  for (int i = 0; i < MAXC; i++)
    {
      gboolean big = i % 5 == 0;
      bias[i] = big ? g_rand_int_range (rand, -20, 20) : g_rand_int_range (rand, -3000, 3000);
      ws[i] = (float) (big ? g_rand_double_range (rand, 2.0, 9.0) : g_rand_double_range (rand, 0.0002, 0.002));
    }
  for (guint sh = 0; sh < G_N_ELEMENTS (shapes); sh++)
    for (guint t = 0; t < G_N_ELEMENTS (couts); t++)
      {
        gint64 cin = shapes[sh].cin, k = shapes[sh].k;
        gint64 dx[] = { 1, 9, 11, cin }, dw[] = { couts[t], k, k, cin }, db[] = { couts[t] };
        g_autofree gint8 *fast = NULL;

        /* a filter of this shape: the first couts·k·k·cin values of w, so
         * the sparse channels (multiplier > 1) are the same ones */
        for (int pass = 0; pass < 2; pass++)
          {
            g_autoptr(LaminaTestKernel) kern = lamina_test_kernel_new ("Conv2D", 0);
            if (pass == 1)
              g_setenv ("LAMINA_INT8_REFERENCE", "1", TRUE);
            qinput (kern, LAMINA_DTYPE_INT8, 4, dx, x, 0.05f, -3);
            conv_filter (kern, dw, w, ws, couts[t], 0);
            lamina_test_kernel_input (kern, LAMINA_DTYPE_INT32, 1, db, bias);
            qoutput (kern, 0, LAMINA_DTYPE_INT8, 0.1f, 4);
            lamina_test_kernel_set_int (kern, "stride_w", shapes[sh].stride);
            lamina_test_kernel_set_string (kern, "fused_activation_function", "RELU");
            run_ok (kern, 1);
            if (pass == 0)
              {
                const LaminaValue *y = lamina_test_kernel_output (kern, 0);
                gint64 inner = 0;
                for (gint64 i = 0; i < y->numel; i++)
                  inner += ((const gint8 *) y->data)[i] > 4 && ((const gint8 *) y->data)[i] < 127;
                g_assert_cmpint (inner, >, y->numel / 8);   /* not just the clamp limits */
                fast = g_memdup2 (y->data, y->numel);
              }
            else
              assert_int8 (lamina_test_kernel_output (kern, 0), fast, lamina_test_kernel_output (kern, 0)->numel);
          }
        g_unsetenv ("LAMINA_INT8_REFERENCE");
      }
}

/* Conv2D (NHWC) on random geometries (seeded): windows 1×1 to 4×4 (also
 * non-square), strides and dilations 1–3 / 1–2, SAME and VALID, channel
 * counts that are and are not multiples of 4 and 16, an input zero point
 * anywhere in int8: the fast path (bytes on VNNI, else int16 pairs) gives
 * LAMINA_INT8_REFERENCE's bytes. */
static void
test_conv2d_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (61);
  guint n_cases = g_test_slow () ? 300 : 40;

  for (guint i = 0; i < n_cases; i++)
    {
      gint64 cin = g_rand_int_range (rand, 1, 13), cout = g_rand_int_range (rand, 1, 41);
      gint64 kh = g_rand_int_range (rand, 1, 5), kw = g_rand_int_range (rand, 1, 5);
      gint64 h = g_rand_int_range (rand, 4, 20), w = g_rand_int_range (rand, 4, 30);
      gint64 dx[] = { g_rand_int_range (rand, 1, 3), h, w, cin }, dw[] = { cout, kh, kw, cin }, db[] = { cout };
      gint64 nx = dx[0] * h * w * cin, nw = cout * kh * kw * cin;
      int stride_h = g_rand_int_range (rand, 1, 4), stride_w = g_rand_int_range (rand, 1, 4);
      int dil_h = g_rand_int_range (rand, 1, 3), dil_w = g_rand_int_range (rand, 1, 3);
      const char *padding = g_rand_boolean (rand) ? "SAME" : "VALID";
      gint64 zx = g_rand_int_range (rand, -128, 128), zy = g_rand_int_range (rand, -20, 20);
      g_autofree gint8 *x = g_new (gint8, nx), *wt = g_new (gint8, nw), *fast = NULL;
      g_autofree gint32 *bias = g_new (gint32, cout);
      g_autofree float *ws = g_new (float, cout);

      if (g_str_equal (padding, "VALID") && ((kh - 1) * dil_h >= h || (kw - 1) * dil_w >= w))
        padding = "SAME";
      for (gint64 j = 0; j < nx; j++)
        x[j] = (gint8) g_rand_int_range (rand, -128, 128);
      for (gint64 j = 0; j < nw; j++)
        wt[j] = (gint8) g_rand_int_range (rand, -127, 128);
      for (gint64 j = 0; j < cout; j++)
        {
          bias[j] = g_rand_int_range (rand, -3000, 3000);
          ws[j] = (float) g_rand_double_range (rand, 0.0002, 0.01);
        }
      for (int pass = 0; pass < 2; pass++)
        {
          g_autoptr(LaminaTestKernel) kern = lamina_test_kernel_new ("Conv2D", 0);
          const LaminaValue *y;
          if (pass == 1)
            g_setenv ("LAMINA_INT8_REFERENCE", "1", TRUE);
          qinput (kern, LAMINA_DTYPE_INT8, 4, dx, x, 0.05f, zx);
          conv_filter (kern, dw, wt, ws, cout, 0);
          lamina_test_kernel_input (kern, LAMINA_DTYPE_INT32, 1, db, bias);
          qoutput (kern, 0, LAMINA_DTYPE_INT8, 0.1f, zy);
          lamina_test_kernel_set_int (kern, "stride_h", stride_h);
          lamina_test_kernel_set_int (kern, "stride_w", stride_w);
          lamina_test_kernel_set_int (kern, "dilation_h_factor", dil_h);
          lamina_test_kernel_set_int (kern, "dilation_w_factor", dil_w);
          lamina_test_kernel_set_string (kern, "padding", padding);
          run_ok (kern, 1);
          g_unsetenv ("LAMINA_INT8_REFERENCE");
          y = lamina_test_kernel_output (kern, 0);
          if (pass == 0)
            fast = g_memdup2 (y->data, y->numel);
          else if (memcmp (y->data, fast, y->numel) != 0)
            g_error ("case %u: cin %" G_GINT64_FORMAT " cout %" G_GINT64_FORMAT " window %" G_GINT64_FORMAT "x%"
                     G_GINT64_FORMAT " stride %dx%d dilation %dx%d %s zx %" G_GINT64_FORMAT,
                     i, cin, cout, kh, kw, stride_h, stride_w, dil_h, dil_w, padding, zx);
        }
    }
}

/* One QLinearConv on NCHW tensors for the fast-vs-reference test. */
typedef struct {
  const char *what;
  gint64      batch, cin, h, w, cout, k, stride, pad, dil, group;
  LaminaDType x_type;
  gint32      x_zero;
  gint8       w_zero;   /* ≠ 0: w − z_w leaves int8, the int16 pair path runs instead of the byte one */
} NchwCase;

/* The case's output (copied) in one of three modes: 0 fast with the
 * filter prepared, 1 fast without prepare, 2 LAMINA_INT8_REFERENCE. */
static gint8 *
run_nchw_case (const NchwCase *c, const guint8 *x, const gint8 *w, const float *ws, const gint32 *bias, int mode,
               gint64 *n)
{
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("QLinearConv", 13);
  gint64 dx[] = { c->batch, c->cin, c->h, c->w }, dw[] = { c->cout, c->cin / c->group, c->k, c->k };
  gint64 pads[] = { c->pad, c->pad, c->pad, c->pad }, strides[] = { c->stride, c->stride };
  gint64 dils[] = { c->dil, c->dil };
  const float sx = 0.05f, sy = 0.2f;
  const gint8 zy = 4;
  g_autofree gint8 *zw = g_new0 (gint8, c->cout);
  gint8 zx8 = (gint8) c->x_zero;
  guint8 zxu = (guint8) c->x_zero;
  const LaminaValue *y;

  memset (zw, c->w_zero, c->cout);
  if (mode == 1)
    lamina_test_kernel_skip_prepare (k);
  if (mode == 2)
    g_setenv ("LAMINA_INT8_REFERENCE", "1", TRUE);
  lamina_test_kernel_input (k, c->x_type, 4, dx, x);
  lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 0, NULL, &sx);
  lamina_test_kernel_input (k, c->x_type, 0, NULL, c->x_type == LAMINA_DTYPE_INT8 ? (const void *) &zx8 : &zxu);
  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 4, dw, w);
  lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 1, &c->cout, ws);
  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 1, &c->cout, zw);
  lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 0, NULL, &sy);
  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 0, NULL, &zy);
  lamina_test_kernel_input (k, LAMINA_DTYPE_INT32, 1, &c->cout, bias);
  lamina_test_kernel_set_ints (k, "pads", 4, pads);
  lamina_test_kernel_set_ints (k, "strides", 2, strides);
  lamina_test_kernel_set_ints (k, "dilations", 2, dils);
  lamina_test_kernel_set_int (k, "group", c->group);
  run_ok (k, 1);
  g_unsetenv ("LAMINA_INT8_REFERENCE");
  y = lamina_test_kernel_output (k, 0);
  *n = y->numel;
  return g_memdup2 (y->data, y->numel);
}

/* QLinearConv on NCHW tensors: the matrix product on the planes (direct
 * 1×1 and im2col windows; on bytes (vpdpbusd, padded planes, channel
 * blocks of 8 with a zero-padded last one) or, with a filter zero point
 * that leaves int8, on int16 pairs (channel blocks of 8 (VNNI), 4 (AVX2)
 * and the plain remainder); full blocks of 16 pixels and a column tail)
 * and the depthwise kernels (integer vpermb + vpdpbusd for taps that fit
 * int8 and windows up to 8 wide, else float windows) give, with and
 * without a prepared filter, exactly LAMINA_INT8_REFERENCE's integers. */
static void
test_qlinear_conv_nchw_fast (void)
{
  static const NchwCase cases[] = {
    { "3x3 dense, pad 1, stride 2", 1, 6, 9, 11, 5, 3, 2, 1, 1, 1, LAMINA_DTYPE_INT8, -3 },
    { "1x1 direct, 13 channels, odd K", 2, 7, 9, 11, 13, 1, 1, 0, 1, 1, LAMINA_DTYPE_INT8, 5 },
    { "1x1 stride 2, uint8", 1, 8, 10, 7, 16, 1, 2, 0, 1, 1, LAMINA_DTYPE_UINT8, 131 },
    { "3x3 dilation 2, 20 channels", 1, 3, 12, 12, 20, 3, 1, 2, 2, 1, LAMINA_DTYPE_UINT8, 0 },
    { "depthwise 3x3, stride 2, dilation 2", 2, 6, 9, 11, 6, 3, 2, 1, 2, 6, LAMINA_DTYPE_INT8, -3 },
    { "depthwise 3x3, uint8", 1, 5, 8, 17, 5, 3, 1, 1, 1, 5, LAMINA_DTYPE_UINT8, 120 },
    { "3x3 pad 1, filter zero point: int16 pairs", 1, 6, 9, 11, 21, 3, 1, 1, 1, 1, LAMINA_DTYPE_INT8, -3, 60 },
    { "1x1 direct, 35 x 40 pixels, filter zero point", 1, 9, 35, 40, 12, 1, 1, 0, 1, 1, LAMINA_DTYPE_UINT8, 7, -50 },
    { "1x1 direct, 35 x 40 pixels", 1, 9, 35, 40, 12, 1, 1, 0, 1, 1, LAMINA_DTYPE_INT8, 7 },
    { "3x3 stride 2, 3 channels, 37 x 45 (a first layer)", 1, 3, 37, 45, 24, 3, 2, 1, 1, 1, LAMINA_DTYPE_INT8, -100 },
    { "depthwise 3x3, 35 x 40 (row tails)", 1, 4, 35, 40, 4, 3, 1, 1, 1, 4, LAMINA_DTYPE_INT8, 100 },
    { "depthwise 3x3 stride 2, 36 x 41", 2, 3, 36, 41, 3, 3, 2, 1, 1, 3, LAMINA_DTYPE_UINT8, 3 },
    { "depthwise 5x5 (two quads per window row)", 1, 3, 12, 19, 3, 5, 1, 2, 1, 3, LAMINA_DTYPE_INT8, 0 },
    { "depthwise 5x5 stride 2, uint8", 1, 4, 23, 37, 4, 5, 2, 2, 1, 4, LAMINA_DTYPE_UINT8, 200 },
    { "depthwise 9x9 (float windows)", 1, 3, 12, 19, 3, 9, 1, 4, 1, 3, LAMINA_DTYPE_INT8, 0 },
    { "depthwise, filter zero point (float windows)", 1, 3, 12, 19, 3, 3, 1, 1, 1, 3, LAMINA_DTYPE_INT8, 0, 90 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const NchwCase *c = &cases[i];
      gint64 nx = c->batch * c->cin * c->h * c->w, nw = c->cout * (c->cin / c->group) * c->k * c->k, n[3];
      g_autofree guint8 *x = g_new (guint8, nx);
      g_autofree gint8 *w = g_new (gint8, nw);
      g_autofree float *ws = g_new (float, c->cout);
      g_autofree gint32 *bias = g_new (gint32, c->cout);
      g_autofree gint8 *out[3] = { NULL };

      g_test_message ("%s", c->what);
      for (gint64 j = 0; j < nx; j++)
        x[j] = (guint8) g_rand_int_range (rand, 0, 256);
      for (gint64 j = 0; j < nw; j++)
        w[j] = (gint8) g_rand_int_range (rand, -127, 128);
      for (gint64 j = 0; j < c->cout; j++)
        {
          ws[j] = (float) g_rand_double_range (rand, 0.002, 0.02);
          bias[j] = g_rand_int_range (rand, -2000, 2000);
        }
      for (int mode = 0; mode < 3; mode++)
        out[mode] = run_nchw_case (c, x, w, ws, bias, mode, &n[mode]);
      for (int mode = 1; mode < 3; mode++)
        {
          g_assert_cmpint (n[mode], ==, n[0]);
          g_assert_cmpmem (out[mode], n[mode], out[0], n[0]);
        }
      g_free (out[1]);
      g_free (out[2]);
    }
}

/* Random geometries (seeded): dense and depthwise, 1×1 to 5×5 windows,
 * strides 1–3, dilation 1–2, padding, planes smaller than 16 or than the
 * window, both signednesses, filter zero points now and then: every fast
 * path agrees with LAMINA_INT8_REFERENCE. */
static void
test_qlinear_conv_nchw_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (97);
  guint n_cases = g_test_slow () ? 400 : 60;

  for (guint i = 0; i < n_cases; i++)
    {
      NchwCase c = { "random" };
      gboolean depthwise = g_rand_int_range (rand, 0, 3) == 0;
      gint64 nx, nw, n[3];
      g_autofree guint8 *x = NULL;
      g_autofree gint8 *w = NULL, *out[3] = { NULL };
      g_autofree float *ws = NULL;
      g_autofree gint32 *bias = NULL;

      c.batch = g_rand_int_range (rand, 1, 3);
      c.cin = g_rand_int_range (rand, 1, 13);
      c.cout = depthwise ? c.cin : g_rand_int_range (rand, 1, 21);
      c.group = depthwise ? c.cin : 1;
      c.k = g_rand_int_range (rand, 1, 6);
      c.stride = g_rand_int_range (rand, 1, 4);
      c.dil = g_rand_int_range (rand, 1, 3);
      c.pad = g_rand_int_range (rand, 0, c.k);
      c.h = g_rand_int_range (rand, MAX (1, c.dil * (c.k - 1) + 1 - 2 * c.pad), 24);
      c.w = g_rand_int_range (rand, MAX (1, c.dil * (c.k - 1) + 1 - 2 * c.pad), 40);
      c.x_type = g_rand_boolean (rand) ? LAMINA_DTYPE_INT8 : LAMINA_DTYPE_UINT8;
      c.x_zero = c.x_type == LAMINA_DTYPE_INT8 ? g_rand_int_range (rand, -128, 128) : g_rand_int_range (rand, 0, 256);
      c.w_zero = g_rand_int_range (rand, 0, 5) == 0 ? (gint8) g_rand_int_range (rand, -60, 61) : 0;
      nx = c.batch * c.cin * c.h * c.w;
      nw = c.cout * (c.cin / c.group) * c.k * c.k;
      x = g_new (guint8, nx);
      w = g_new (gint8, nw);
      ws = g_new (float, c.cout);
      bias = g_new (gint32, c.cout);
      for (gint64 j = 0; j < nx; j++)
        x[j] = (guint8) g_rand_int_range (rand, 0, 256);
      for (gint64 j = 0; j < nw; j++)
        w[j] = (gint8) g_rand_int_range (rand, -128, 128);
      for (gint64 j = 0; j < c.cout; j++)
        {
          ws[j] = (float) g_rand_double_range (rand, 0.0005, 0.02);
          bias[j] = g_rand_int_range (rand, -5000, 5000);
        }
      for (int mode = 0; mode < 3; mode++)
        out[mode] = run_nchw_case (&c, x, w, ws, bias, mode, &n[mode]);
      for (int mode = 1; mode < 3; mode++)
        if (n[mode] != n[0] || memcmp (out[mode], out[0], n[0]) != 0)
          g_error ("case %u (mode %d): batch %" G_GINT64_FORMAT " cin %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "x%"
                   G_GINT64_FORMAT " cout %" G_GINT64_FORMAT " k %" G_GINT64_FORMAT " stride %" G_GINT64_FORMAT
                   " pad %" G_GINT64_FORMAT " dil %" G_GINT64_FORMAT " group %" G_GINT64_FORMAT " zx %d zw %d",
                   i, mode, c.batch, c.cin, c.h, c.w, c.cout, c.k, c.stride, c.pad, c.dil, c.group, c.x_zero,
                   c.w_zero);
      g_free (out[1]);   /* g_autofree frees the array's first element only */
      g_free (out[2]);
    }
}

/* QLinearConv requantizes as ONNX Runtime: float (sum) · s_x·s_w/s_y,
 * rounded half to even (TFLite's rounding would give 1, 2, 3, −1, −2):
 * sums 1, 3, 5, −1, −3 at scale 1/2 → 0, 2, 2, 0, −2. */
static void
test_qlinear_conv_rounding (void)
{
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("QLinearConv", 13);
  const gint64 dx[] = { 1, 1, 1, 5 }, dw[] = { 1, 1, 1, 1 };
  const gint8 x[] = { 1, 3, 5, -1, -3 }, w[] = { 1 }, zero = 0, want[] = { 0, 2, 2, 0, -2 };
  const float one = 1.0f, two = 2.0f;

  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 4, dx, x);
  lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 0, NULL, &one);
  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 0, NULL, &zero);
  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 4, dw, w);
  lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 0, NULL, &one);
  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 0, NULL, &zero);
  lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 0, NULL, &two);
  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 0, NULL, &zero);
  run_ok (k, 1);
  assert_int8 (lamina_test_kernel_output (k, 0), want, G_N_ELEMENTS (want));
}

/* ---- ONNX ------------------------------------------------------------------------------ */

/* QuantizeLinear then DequantizeLinear on random floats (ties, NaN, huge
 * values, int8, uint8, int16 and uint16, per tensor and per axis 1 of
 * [2, 3, 37]) against ONNX's formulas written out here. */
static void
test_linear_random (void)
{
  static const LaminaDType types[] = { LAMINA_DTYPE_INT8, LAMINA_DTYPE_UINT8, LAMINA_DTYPE_INT16, LAMINA_DTYPE_UINT16 };
  static const gint32 zeros[][3] = { { -3, 7, 0 }, { 128, 100, 3 }, { -300, 9000, 0 }, { 32768, 1000, 3 } };
  g_autoptr(GRand) rand = g_rand_new_with_seed (29);
  enum { N = 2 * 3 * 37 };
  gint64 dims[] = { 2, 3, 37 }, three = 3;
  float x[N], scales[3] = { 0.5f, 0.03f, 2.0f };

  for (int i = 0; i < N; i++)
    x[i] = i % 17 == 0 ? (float) g_rand_int_range (rand, -300, 300) * 0.25f   /* k + 0.5 quotients */
           : (float) g_rand_double_range (rand, -12.0, 12.0);
  x[5] = NAN, x[6] = 1e30f, x[7] = -1e30f;
  x[8] = 1500.0f, x[9] = -1500.0f;   /* past 8 bits (scale 0.5), within 16 */
  for (int t = 0; t < 2 * (int) G_N_ELEMENTS (types); t++)
    {
      gboolean per_axis = t % 2 == 1;
      LaminaDType dt = types[t / 2];
      gint32 zero[3];   /* widest storage; read and written as dt */
      g_autoptr(LaminaTestKernel) q = lamina_test_kernel_new ("QuantizeLinear", 21);
      g_autoptr(LaminaTestKernel) d = lamina_test_kernel_new ("DequantizeLinear", 21);
      const LaminaValue *yq, *yd;
      gint32 lo, hi;

      for (int c = 0; c < 3; c++)
        lamina_int8_store (zero, dt, c, zeros[t / 2][c]);
      lamina_fixed_range (dt, &lo, &hi);
      lamina_test_kernel_input (q, LAMINA_DTYPE_FLOAT32, 3, dims, x);
      lamina_test_kernel_input (q, LAMINA_DTYPE_FLOAT32, per_axis, &three, scales);
      lamina_test_kernel_input (q, dt, per_axis, &three, zero);
      run_ok (q, 1);
      yq = lamina_test_kernel_output (q, 0);
      g_assert_cmpint (yq->dtype, ==, dt);
      lamina_test_kernel_input (d, dt, 3, dims, yq->data);
      lamina_test_kernel_input (d, LAMINA_DTYPE_FLOAT32, per_axis, &three, scales);
      lamina_test_kernel_input (d, dt, per_axis, &three, zero);
      run_ok (d, 1);
      yd = lamina_test_kernel_output (d, 0);
      for (int i = 0; i < N; i++)
        {
          int c = per_axis ? (i / 37) % 3 : 0;
          gint32 z = lamina_int8_load (zero, dt, c), got = lamina_int8_load (yq->data, dt, i);
          double v = rint ((double) (x[i] / scales[c])) + z;
          gint32 want = (gint32) (isnan (v) ? 0 : CLAMP (v, lo, hi));
          g_assert_cmpint (got, ==, want);
          g_assert_cmpfloat (LAMINA_VALUE_F32 (yd)[i], ==, ((float) got - (float) z) * scales[c]);
        }
    }
}

static void
test_quantize_linear (void)
{
  static const float x[] = { 0, 2, 3, 5, 1000, -254, -1000 }, s[] = { 2 };
  static const guint8 z[] = { 128 };
  /* rint (x / 2) half to even + 128, saturated: 2.5 → 2 */
  static const gint64 y[] = { 128, 129, 130, 130, 255, 1, 0 };
  gint64 n = G_N_ELEMENTS (x);
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("QuantizeLinear", 13);

  lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 1, &n, x);
  lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 0, NULL, s);
  lamina_test_kernel_input (k, LAMINA_DTYPE_UINT8, 0, NULL, z);
  run_ok (k, 1);
  lamina_test_assert_ints (lamina_test_kernel_output (k, 0), y, n);
}

/* The kernel for `op` in ONNX Runtime's com.microsoft domain. */
static LaminaTestKernel *
ms_kernel (const char *op)
{
  LaminaTestKernel *k = lamina_test_kernel_new (op, 1);
  LaminaNode *node = lamina_test_kernel_node (k);

  g_free (node->domain);
  node->domain = g_strdup ("com.microsoft");
  return k;
}

/* int16 as ONNX Runtime's (and Lamina's) quantizer writes it: the
 * com.microsoft operators with an int16 zero point; and uint16 with
 * opset 21's. Worked out by hand: round half to even, then saturate. */
static void
test_quantize_linear_16 (void)
{
  /* scale 0.5, zero point −5: x / 0.5 = 0.5, 1.5, 2.5, −0.5, −1.5, 32773.5, −32763.5, 40000, −40000 */
  static const float x16[] = { 0.25f, 0.75f, 1.25f, -0.25f, -0.75f, 16386.75f, -16381.75f, 20000, -20000 };
  static const gint64 y16[] = { -5, -3, -3, -5, -7, 32767, -32768, 32767, -32768 };
  /* 32774 − 5 = 32769 saturates at 32767; −32764 − 5 = −32769 at −32768 */
  /* scale 0.25, zero point 1000: x / 0.25 = 0.5, 1.5, 2.5, −1000, −1200, 64535, 64536.5 */
  static const float xu[] = { 0.125f, 0.375f, 0.625f, -250, -300, 16133.75f, 16134.125f };
  static const gint64 yu[] = { 1000, 1002, 1002, 0, 0, 65535, 65535 };
  /* −1000 + 1000 = 0; −200 saturates at 0; 64535 + 1000 = 65535 exactly; 64536 + 1000 saturates */
  static const float s16 = 0.5f, su = 0.25f;
  static const gint16 z16 = -5;
  static const guint16 zu = 1000;
  gint64 n16 = G_N_ELEMENTS (x16), nu = G_N_ELEMENTS (xu);
  g_autoptr(LaminaTestKernel) k16 = ms_kernel ("QuantizeLinear");
  g_autoptr(LaminaTestKernel) ku = lamina_test_kernel_new ("QuantizeLinear", 21);

  lamina_test_kernel_input (k16, LAMINA_DTYPE_FLOAT32, 1, &n16, x16);
  lamina_test_kernel_input (k16, LAMINA_DTYPE_FLOAT32, 0, NULL, &s16);
  lamina_test_kernel_input (k16, LAMINA_DTYPE_INT16, 0, NULL, &z16);
  run_ok (k16, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (k16, 0), LAMINA_DTYPE_INT16, 1, &n16);
  lamina_test_assert_ints (lamina_test_kernel_output (k16, 0), y16, n16);

  lamina_test_kernel_input (ku, LAMINA_DTYPE_FLOAT32, 1, &nu, xu);
  lamina_test_kernel_input (ku, LAMINA_DTYPE_FLOAT32, 0, NULL, &su);
  lamina_test_kernel_input (ku, LAMINA_DTYPE_UINT16, 0, NULL, &zu);
  run_ok (ku, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (ku, 0), LAMINA_DTYPE_UINT16, 1, &nu);
  lamina_test_assert_ints (lamina_test_kernel_output (ku, 0), yu, nu);
}

static void
test_dequantize_linear_16 (void)
{
  /* (q − z) · s: int16 (com.microsoft), z = −5, s = 0.5; uint16 (opset 21), z = 1000, s = 0.25 */
  static const gint16 x16[] = { -32768, 32767, -5, 0 };
  static const float y16[] = { -16381.5f, 16386.0f, 0.0f, 2.5f };
  static const guint16 xu[] = { 0, 65535, 1000, 1001 };
  static const float yu[] = { -250.0f, 16133.75f, 0.0f, 0.25f };
  static const float s16 = 0.5f, su = 0.25f;
  static const gint16 z16 = -5;
  static const guint16 zu = 1000;
  gint64 four = 4;
  g_autoptr(LaminaTestKernel) k16 = ms_kernel ("DequantizeLinear");
  g_autoptr(LaminaTestKernel) ku = lamina_test_kernel_new ("DequantizeLinear", 21);

  lamina_test_kernel_input (k16, LAMINA_DTYPE_INT16, 1, &four, x16);
  lamina_test_kernel_input (k16, LAMINA_DTYPE_FLOAT32, 0, NULL, &s16);
  lamina_test_kernel_input (k16, LAMINA_DTYPE_INT16, 0, NULL, &z16);
  run_ok (k16, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (k16, 0), y16, 4, 0);
  lamina_test_kernel_input (ku, LAMINA_DTYPE_UINT16, 1, &four, xu);
  lamina_test_kernel_input (ku, LAMINA_DTYPE_FLOAT32, 0, NULL, &su);
  lamina_test_kernel_input (ku, LAMINA_DTYPE_UINT16, 0, NULL, &zu);
  run_ok (ku, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (ku, 0), yu, 4, 0);
}

/* Opset 21's output_dtype without a zero point (zero point 0), and the
 * attribute against a zero point of another type, or a type that is not
 * an 8- or 16-bit integer. */
static void
test_quantize_linear_output_dtype (void)
{
  static const float x[] = { 1.5f, -2.5f, 40000, -40000 }, s = 1;
  static const gint64 y[] = { 2, -2, 32767, -32768 };
  static const guint8 z8 = 0;
  gint64 four = 4;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("QuantizeLinear", 21);
    lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 1, &four, x);
    lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 0, NULL, &s);
    lamina_test_kernel_set_int (k, "output_dtype", 5);   /* TensorProto.INT16 */
    run_ok (k, 1);
    lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT16, 1, &four);
    lamina_test_assert_ints (lamina_test_kernel_output (k, 0), y, 4);
  }
  {
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("QuantizeLinear", 21);
    lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 1, &four, x);
    lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 0, NULL, &s);
    lamina_test_kernel_input (k, LAMINA_DTYPE_UINT8, 0, NULL, &z8);
    lamina_test_kernel_set_int (k, "output_dtype", 5);
    g_assert_false (lamina_test_kernel_run (k, 1, 1, &error));
    g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("QuantizeLinear", 21);
    lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 1, &four, x);
    lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 0, NULL, &s);
    lamina_test_kernel_set_int (k, "output_dtype", 6);   /* TensorProto.INT32 */
    g_assert_false (lamina_test_kernel_run (k, 1, 1, &error));
    g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED);
  }
}

static void
test_dequantize_linear_axis (void)
{
  static const gint8 x[] = { 1, 2, 3, 4 }, z[] = { 0, 1 };
  static const float s[] = { 1, 2 }, y[] = { 1, 2, 4, 6 };
  gint64 dx[] = { 1, 2, 2 }, two = 2;
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("DequantizeLinear", 13);

  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 3, dx, x);
  lamina_test_kernel_input (k, LAMINA_DTYPE_FLOAT32, 1, &two, s);
  lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 1, &two, z);
  run_ok (k, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), y, 4, 0);
}

static void
test_matmul_integer (void)
{
  /* (a − [1, 2] per row) · (b − 3) */
  static const guint8 a[] = { 2, 3, 4, 5 }, b[] = { 4, 5, 6, 7 }, za[] = { 1, 2 }, zb[] = { 3 };
  /* a − za = [[1, 2], [2, 3]], b − zb = [[1, 2], [3, 4]] */
  static const gint64 y[] = { 7, 10, 11, 16 };
  gint64 d[] = { 2, 2 }, two = 2;
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("MatMulInteger", 13);

  lamina_test_kernel_input (k, LAMINA_DTYPE_UINT8, 2, d, a);
  lamina_test_kernel_input (k, LAMINA_DTYPE_UINT8, 2, d, b);
  lamina_test_kernel_input (k, LAMINA_DTYPE_UINT8, 1, &two, za);
  lamina_test_kernel_input (k, LAMINA_DTYPE_UINT8, 0, NULL, zb);
  run_ok (k, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), LAMINA_DTYPE_INT32, 2, d);
  lamina_test_assert_ints (lamina_test_kernel_output (k, 0), y, 4);
}

/* ---- errors and lookup -------------------------------------------------------------- */

static void
test_invalid (void)
{
  static const gint8 x[] = { 1, 2 };
  gint64 two = 2;
  g_autoptr(GError) error = NULL;

  {
    /* Logistic with an unquantized output: no parameters to requantize to */
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Logistic", 0);
    qinput (k, LAMINA_DTYPE_INT8, 1, &two, x, 0.1f, 0);
    g_assert_false (lamina_test_kernel_run (k, 1, 1, &error));
    g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    /* zero point outside int8 */
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Add", 0);
    qinput (k, LAMINA_DTYPE_INT8, 1, &two, x, 0.1f, 300);
    qinput (k, LAMINA_DTYPE_INT8, 1, &two, x, 0.1f, 0);
    qoutput (k, 0, LAMINA_DTYPE_INT8, 0.1f, 0);
    g_assert_false (lamina_test_kernel_run (k, 1, 1, &error));
    g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    /* Conv2D filter without per-channel scales */
    static const gint8 w[] = { 1, 1 };
    gint64 dx[] = { 1, 1, 1, 2 }, dw[] = { 1, 1, 1, 2 };
    g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Conv2D", 0);
    qinput (k, LAMINA_DTYPE_INT8, 4, dx, x, 0.1f, 0);
    lamina_test_kernel_input (k, LAMINA_DTYPE_INT8, 4, dw, w);
    qoutput (k, 0, LAMINA_DTYPE_INT8, 0.1f, 0);
    g_assert_false (lamina_test_kernel_run (k, 1, 1, &error));
    g_assert_nonnull (error);
  }
}

static void
test_lookup_node (void)
{
  g_autoptr(LaminaGraph) graph = lamina_graph_new ("g");
  LaminaNode *node = lamina_graph_add_node (graph, "conv", "Conv2D", "");
  LaminaTensor *x = lamina_graph_add_tensor (graph, "x");
  const LaminaKernel *fk = lamina_kernel_lookup ("Conv2D", "");

  lamina_node_add_input (node, x);
  lamina_node_add_output (node, lamina_graph_add_tensor (graph, "y"));
  x->dtype = LAMINA_DTYPE_FLOAT32;
  g_assert_true (lamina_kernel_lookup_node (node) == fk);
  x->dtype = LAMINA_DTYPE_INT8;   /* integer without parameters: the float kernel decides */
  g_assert_true (lamina_kernel_lookup_node (node) == fk);
  x->quant = quant_new (0.5f, 0);
  g_assert_true (lamina_kernel_lookup_node (node) == lamina_kernel_lookup_integer ("Conv2D", ""));
  g_assert_true (lamina_kernel_lookup_node (node) != fk);
  /* integer-only operators are found by name too */
  g_assert_nonnull (lamina_kernel_lookup ("QLinearConv", ""));
  g_assert_true (lamina_kernel_lookup ("QLinearConv", "ai.onnx") == lamina_kernel_lookup_integer ("QLinearConv", ""));
  g_assert_null (lamina_kernel_lookup_integer ("Softmax", ""));
  /* ONNX Runtime's contrib (De)QuantizeLinear: the ONNX kernels under its domain */
  g_assert_true (lamina_kernel_lookup ("QuantizeLinear", "com.microsoft")->run
                 == lamina_kernel_lookup ("QuantizeLinear", "")->run);
  g_assert_true (lamina_kernel_lookup ("DequantizeLinear", "com.microsoft")->run
                 == lamina_kernel_lookup ("DequantizeLinear", "")->run);
  g_assert_null (lamina_kernel_lookup ("QLinearConv", "com.microsoft"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ops-int8/fixed/multiplier", test_fixed_multiplier);
  g_test_add_func ("/ops-int8/fixed/arithmetic", test_fixed_arithmetic);
  g_test_add_func ("/ops-int8/fixed/lut", test_fixed_lut);
  g_test_add_func ("/ops-int8/tflite/quantize", test_quantize);
  g_test_add_func ("/ops-int8/tflite/dequantize", test_dequantize);
  g_test_add_func ("/ops-int8/tflite/add-mul", test_add_mul);
  g_test_add_func ("/ops-int8/tflite/logistic", test_logistic);
  g_test_add_func ("/ops-int8/tflite/concatenation", test_concatenation);
  g_test_add_func ("/ops-int8/tflite/pool", test_pool);
  g_test_add_func ("/ops-int8/tflite/moving", test_moving);
  g_test_add_func ("/ops-int8/tflite/conv2d", test_conv2d);
  g_test_add_func ("/ops-int8/tflite/conv2d-generated", test_conv2d_generated);
  g_test_add_func ("/ops-int8/tflite/depthwise", test_depthwise);
  g_test_add_func ("/ops-int8/conv/fast-matches-reference", test_conv_fast_matches_reference);
  g_test_add_func ("/ops-int8/conv/packed-matches-reference", test_conv_packed_matches_reference);
  g_test_add_func ("/ops-int8/conv/conv2d-fast-kernel", test_conv2d_fast_kernel);
  g_test_add_func ("/ops-int8/conv/qlinear-nchw-fast", test_qlinear_conv_nchw_fast);
  g_test_add_func ("/ops-int8/conv/qlinear-nchw-random", test_qlinear_conv_nchw_random);
  g_test_add_func ("/ops-int8/conv/conv2d-random", test_conv2d_random);
  g_test_add_func ("/ops-int8/conv/qlinear-rounding", test_qlinear_conv_rounding);
  g_test_add_func ("/ops-int8/fixed/mul-split", test_fixed_mul_split);
  g_test_add_func ("/ops-int8/tflite/requantize-bytes", test_requantize_bytes);
  g_test_add_func ("/ops-int8/tflite/add-mul-flat", test_add_mul_flat);
  g_test_add_func ("/ops-int8/onnx/linear-random", test_linear_random);
  g_test_add_func ("/ops-int8/onnx/quantize-linear", test_quantize_linear);
  g_test_add_func ("/ops-int8/onnx/quantize-linear-16", test_quantize_linear_16);
  g_test_add_func ("/ops-int8/onnx/dequantize-linear-16", test_dequantize_linear_16);
  g_test_add_func ("/ops-int8/onnx/quantize-linear-output-dtype", test_quantize_linear_output_dtype);
  g_test_add_func ("/ops-int8/onnx/dequantize-linear-axis", test_dequantize_linear_axis);
  g_test_add_func ("/ops-int8/onnx/matmul-integer", test_matmul_integer);
  g_test_add_func ("/ops-int8/invalid", test_invalid);
  g_test_add_func ("/ops-int8/lookup-node", test_lookup_node);
  return g_test_run ();
}
