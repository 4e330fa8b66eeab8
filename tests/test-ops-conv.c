/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-ops-conv: the conv family of kernels (Conv, ConvTranspose, pools,
 * Gemm, MatMul and the TFLite builtins sharing their arithmetic).
 *
 * - Known answers: the expected values below were computed independently
 *   with NumPy (naive loops over np.pad'ded inputs, np.matmul) from the same
 *   deterministic inputs fill (i, seed) = (((7 i + 3 seed) mod 11) − 5) / 4.
 * - The fast paths (GEMM micro-kernels, im2col, shifted-view, depthwise,
 *   pool rows) against the reference loops on random shapes, for every
 *   micro-kernel the CPU has. Tolerance: the fast paths sum the same
 *   float32 products in another order, so they agree within a relative
 *   1e-4 of the output's magnitude (|a − b| ≤ 1e-4 · max (1, max |ref|)).
 * - Invalid inputs fail with a GError instead of crashing.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include "ops/lamina-kernel.h"
#include "ops/lamina-conv.h"
#include "ops/lamina-gemm.h"
#include "lamina-test-util.h"

#define TOL 1e-4

/* ---- expected values (NumPy) ---- */

static const float conv_grouped_expected[108] = {
  -0.6875f, 0.5f, 2.375f, -1.25f, 2.0f, -0.75f, -0.5625f, 4.0f, -1.0625f, 1.4375f, 1.1875f, 1.8125f, 1.5f,
  0.4375f, 1.4375f, 1.75f, 1.375f, 1.1875f, 0.125f, -1.6875f, 2.0f, 0.1875f, -2.3125f, 1.6875f,
  -1.4375f, 0.6875f, 0.75f, -1.9375f, 0.1875f, 1.75f, 1.375f, -0.625f, -0.5625f, -1.1875f, 2.3125f,
  -1.3125f, 0.9375f, 0.9375f, -3.875f, 0.9375f, -2.5f, -2.75f, 0.4375f, -2.625f, -0.1875f, -3.25f,
  -1.5f, -2.4375f, -1.5f, 0.375f, -3.25f, 0.0f, -2.9375f, -0.375f, 2.75f, -0.9375f, 0.875f, 2.6875f,
  -1.0f, 0.625f, 1.625f, -0.4375f, 1.625f, 1.625f, -0.4375f, 2.625f, 0.8125f, -1.0f, 2.6875f, 0.875f,
  -0.9375f, 0.5f, 1.125f, -0.75f, -1.9375f, 1.6875f, -0.1875f, -0.5625f, -1.875f, 1.1875f, 0.8125f,
  -1.625f, 1.4375f, -0.8125f, 1.6875f, 1.6875f, -3.125f, 1.6875f, 1.6875f, -1.5f, -1.875f, 0.125f,
  -2.0f, -2.0625f, -0.0625f, -1.0625f, -0.5625f, -2.6875f, -0.6875f, -0.75f, -2.875f, -1.5f, -2.9375f,
  -1.125f, 0.6875f, -3.0f, -1.1875f, 0.625f
};
static const float conv_same_lower_expected[27] = {
  -0.4375f, -4.25f, 1.125f, 1.6875f, 0.9375f, -5.125f, -3.5f, 1.6875f, 4.5625f, -0.625f, 7.0f, -2.5f,
  -3.3125f, -2.5f, 4.875f, 6.0625f, -4.3125f, -3.125f, -0.8125f, -3.0625f, 4.875f, 4.75f, -2.5f,
  -4.375f, -2.25f, 8.25f, 0.1875f
};
static const float conv_depthwise_expected[120] = {
  -1.3125f, -2.3125f, 0.5f, 0.75f, -1.125f, 0.25f, 0.25f, -0.1875f, -2.875f, -0.4375f, 2.3125f,
  -1.875f, -1.875f, 2.3125f, -0.4375f, -2.875f, -1.8125f, 0.75f, 0.6875f, -1.625f, 1.625f, 1.75f,
  -0.5625f, 2.125f, 0.75f, 1.4375f, 1.3125f, 1.75f, 3.25f, -1.8125f, 0.8125f, 1.5625f, 0.9375f,
  -1.625f, 3.0625f, 0.0f, 2.0625f, -0.3125f, 2.0625f, 0.6875f, 0.625f, -2.0f, 0.1875f, 0.6875f, 1.3125f,
  0.375f, 0.125f, 1.3125f, -2.9375f, -0.625f, 1.875f, -0.125f, -1.6875f, 1.8125f, 0.1875f, 1.1875f,
  1.9375f, -1.375f, 2.75f, -1.9375f, -0.375f, 0.625f, 0.4375f, -2.5625f, 0.375f, -3.6875f, -1.3125f,
  0.4375f, -0.3125f, -3.8125f, -0.75f, -0.875f, -1.0f, -0.5f, -1.5625f, 0.5625f, -1.5625f, -0.4375f,
  -0.75f, -0.8125f, -0.8125f, 2.1875f, 2.375f, 1.375f, 2.125f, -1.9375f, 1.0f, 1.875f, -0.5f, -1.875f,
  3.125f, 1.375f, 1.6875f, 1.625f, 1.8125f, 0.1875f, -0.4375f, 1.75f, 1.8125f, -0.125f, 0.4375f,
  -0.0625f, -2.25f, 0.375f, 1.8125f, -0.9375f, -2.9375f, 1.625f, -0.6875f, 0.0f, 0.0625f, 0.5625f,
  1.625f, -3.1875f, -0.375f, 0.875f, 0.375f, -2.1875f, 0.3125f, -0.1875f
};
static const float conv_1d_expected[32] = {
  -0.375f, -2.3125f, -0.875f, -0.375f, -0.375f, 2.375f, -0.5625f, -1.625f, -0.375f, -0.5f, -0.25f,
  2.625f, -0.375f, 0.75f, -1.3125f, 0.0f, -2.0f, -1.125f, 2.375f, 0.3125f, 2.625f, -0.5f, -1.375f, 0.25f,
  -0.3125f, 0.125f, 2.4375f, -0.5f, 1.5625f, -1.3125f, -1.3125f, 0.8125f
};
static const float conv_3d_expected[16] = {
  0.4375f, -0.9375f, -4.0f, 3.125f, 1.1875f, -0.375f, 2.125f, 0.3125f, -3.75f, 0.125f, -1.625f, -0.75f,
  4.625f, 0.4375f, -1.5625f, 2.0625f
};
static const float convt_expected[196] = {
  -1.5625f, -2.8125f, 0.4375f, 0.5f, -1.0f, -2.25f, -1.0f, -2.4375f, -3.875f, 1.5625f, 0.0f, -1.3125f,
  -0.5625f, -1.0f, -1.75f, -2.5f, 0.25f, 0.8125f, -1.1875f, -1.9375f, -1.0f, -2.8125f, -3.9375f, 1.1875f,
  -0.0625f, -1.6875f, -0.625f, -1.0f, -1.9375f, -2.1875f, 0.0625f, 1.125f, -1.375f, -1.625f, -1.0f,
  -1.625f, -2.4375f, 0.1875f, -2.25f, -1.4375f, -0.3125f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f,
  0.375f, 2.875f, 1.8125f, -0.4375f, -0.1875f, 1.3125f, 0.75f, 0.0625f, 1.6875f, 2.9375f, -2.1875f,
  -1.0625f, 1.75f, 0.75f, 0.5625f, 2.5625f, 2.0f, -0.75f, 0.0f, 1.3125f, 0.75f, 0.4375f, 1.75f, 3.3125f,
  -2.125f, -0.6875f, 1.75f, 0.75f, 0.75f, 2.25f, 2.1875f, -1.0625f, 0.1875f, 1.3125f, 0.75f, 1.0625f,
  2.6875f, 2.3125f, -1.0f, 0.125f, 1.25f, 0.75f, 0.75f, 0.75f, 0.75f, 0.75f, 0.75f, 0.75f, 0.75f,
  0.9375f, -1.5f, -0.6875f, 1.4375f, -0.9375f, -0.5625f, -0.25f, 1.25f, -2.4375f, -1.3125f, 0.0f,
  0.9375f, 0.8125f, -0.25f, -0.5f, 1.8125f, -0.75f, -1.4375f, 1.0625f, -1.5f, -0.25f, -0.9375f, 0.75f,
  -1.4375f, -3.0f, 2.1875f, -0.375f, -0.25f, -0.5625f, 1.6875f, -0.8125f, -1.5625f, 1.0f, -1.75f, -0.25f,
  -0.875f, 1.5625f, -0.625f, -1.375f, 1.0f, -1.75f, -0.25f, -0.25f, -0.25f, -0.25f, -0.25f, -0.25f,
  -0.25f, -0.25f, 0.3125f, -3.0f, -1.875f, -1.875f, -0.625f, -0.25f, -1.25f, -4.125f, -3.0f, -0.9375f,
  0.625f, -0.5f, -1.3125f, -1.25f, -2.8125f, -1.6875f, -1.5625f, 0.8125f, -0.3125f, -2.875f, -1.25f,
  -0.75f, -2.4375f, -1.0f, 2.5625f, -1.25f, -4.5f, -1.25f, -2.5f, -1.75f, -1.25f, 0.75f, 0.0f, -2.75f,
  -1.25f, -0.0625f, -1.875f, -1.0625f, 0.9375f, -2.75f, -2.75f, -1.25f, -1.25f, -1.25f, -1.25f,
  -1.25f, -1.25f, -1.25f, -1.25f
};
static const float maxpool_expected[24] = {
  1.0f, 1.0f, 1.25f, 0.25f, 1.0f, 1.25f, 1.25f, -0.25f, 1.0f, 1.25f, 1.0f, 1.0f, 1.25f, 1.25f, 1.0f, 0.5f, 1.25f,
  1.25f, 1.0f, 0.0f, 1.25f, 1.0f, 1.25f, 1.25f
};
static const gint64 maxpool_indices[24] = {
  7, 7, 4, 5, 7, 15, 15, 11, 18, 26, 29, 29, 37, 37, 40, 35, 37, 37, 40, 41, 48, 51, 59, 59
};
static const float maxpool_dil_expected[24] = {
  1.0f, 0.0f, 0.75f, 0.5f, 1.25f, 1.25f, 1.0f, 0.75f, 0.75f, 0.5f, 1.25f, 1.0f, 1.25f, 0.25f, 1.0f, 0.75f,
  0.75f, 0.5f, 1.25f, 1.0f, 1.0f, 0.75f, 0.5f, 1.25f
};
static const float avgpool_incl_expected[18] = {
  -0.166666672f, 0.0416666679f, 0.0833333358f, -0.166666672f, 0.0f, 0.291666657f, 0.25f, -0.0416666679f,
  0.0f, -0.0833333358f, 0.208333328f, -0.208333328f, -0.0416666679f, 0.25f, 0.0833333358f, 0.333333343f,
  -0.333333343f, 0.166666672f
};
static const float avgpool_ceil_expected[12] = {
  -0.222222224f, 0.222222224f, 0.25f, 0.0f, 0.138888896f, -0.291666657f, 0.027777778f, -0.138888896f,
  0.0416666679f, -0.055555556f, -0.222222224f, -0.0416666679f
};
static const float gemm_expected[15] = {
  -1.28125f, 1.90625f, -0.40625f, -2.03125f, 1.5f, -2.15625f, 2.15625f, -0.40625f, -2.28125f, 2.375f,
  -0.625f, 1.71875f, -0.40625f, -1.84375f, 0.84375f
};
static const float matmul_bcast_expected[36] = {
  0.8125f, 0.625f, -1.0f, -1.0f, 0.625f, 0.8125f, 0.6875f, -1.5625f, -1.0f, 0.375f, 0.75f, -1.8125f,
  0.5625f, -1.6875f, -1.0f, 0.375f, 0.875f, -1.6875f, -1.875f, 1.25f, 0.4375f, 1.0f, -2.0625f, 1.4375f,
  -2.3125f, 1.5f, 0.8125f, -2.0625f, -2.25f, 1.25f, -2.75f, 1.0625f, 1.1875f, -1.6875f, -2.4375f,
  1.0625f
};
static const float matmul_vec_expected[6] = {
  -0.8125f, -0.8125f, -0.8125f, -0.8125f, -0.8125f, 2.625f
};
static const float tfl_conv_expected[36] = {
  6.0f, 6.0f, 0.0f, 0.0f, 5.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 6.0f, 6.0f, 6.0f, 0.5f, 0.0f, 6.0f, 6.0f, 0.0f, 0.0f, 6.0f, 0.0f, 0.0f, 6.0f,
  0.0f, 0.0f, 6.0f, 6.0f, 6.0f, 6.0f, 1.0f, 0.0f, 6.0f, 6.0f, 0.0f, 0.0f
};
static const float tfl_dw_expected[24] = {
  -1.0f, 2.5625f, -3.25f, 0.8125f, -1.125f, 0.0f, 0.0f, -1.125f, 0.8125f, -3.25f, 2.5625f, -1.0f, 0.4375f,
  -3.375f, -0.0625f, -1.3125f, 0.3125f, 1.625f, 2.5f, -1.1875f, -1.1875f, 2.5f, 1.625f, 0.3125f
};
static const float tfl_fc_expected[30] = {
  0.0f, 1.3125f, 0.0f, 2.5f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.5f, 0.1875f, 0.0f, 0.9375f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f,
  0.125f, 2.75f, 0.0f, 3.0625f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f
};
static const float tfl_avg_expected[12] = {
  -0.208333328f, 0.166666672f, 0.0f, -0.3125f, -0.138888896f, 0.0833333358f, 0.375f, -0.625f, -0.375f,
  0.0f, 0.75f, -0.25f
};
static const float tfl_tconv_expected[108] = {
  1.25f, -1.0625f, 1.4375f, -0.6875f, 1.8125f, -0.5f, 0.5625f, 0.5625f, 0.5625f, -1.0625f, 1.25f,
  -1.25f, -1.5625f, 2.1875f, -1.625f, 0.625f, -0.6875f, 0.75f, 1.625f, -0.6875f, 1.8125f, -0.3125f,
  -1.25f, 1.25f, 0.5625f, 0.5625f, 0.5625f, -1.4375f, -0.5f, 1.8125f, -1.6875f, 2.0625f, -1.75f,
  0.875f, 0.25f, -1.0625f, -1.9375f, 0.4375f, -2.0f, 1.6875f, -2.125f, 1.625f, 1.625f, -4.3125f,
  1.4375f, 0.8125f, 0.75f, 0.6875f, -3.5625f, 2.125f, -3.1875f, -0.0625f, 0.1875f, 0.4375f, -1.0f,
  0.25f, -1.25f, -0.25f, 1.0f, -0.5f, 2.0625f, -1.8125f, 1.875f, -0.6875f, -1.0f, 1.4375f, -1.5625f,
  2.4375f, -1.125f, 1.625f, -0.25f, -1.4375f, 0.375f, 0.25f, 0.125f, -0.25f, -0.375f, -0.5f, -0.875f,
  0.5625f, -1.4375f, 1.625f, -2.3125f, 1.3125f, 1.5f, -0.5625f, 1.5f, -2.0f, 1.9375f, -1.6875f, -0.875f,
  0.5f, -0.875f, 0.5f, 0.5f, -0.875f, -0.5625f, -0.75f, -0.9375f, -0.625f, 1.25f, -0.3125f, 2.0f, -2.0f,
  1.5625f, -1.0625f, -0.75f, 1.625f
};
static const float tfl_bmm_expected[12] = {
  0.0625f, 0.5625f, 1.1875f, 0.1875f, 0.25f, -0.1875f, 1.1875f, 0.1875f, 0.25f, -0.1875f, 0.0f, 0.8125f
};
static const float lppool_expected[4] = {
  1.43614066f, 1.80277562f, 1.47902f, 1.67705095f
};
static const float gap_expected[6] = {
  0.0f, -0.0416666679f, -0.0833333358f, -0.125f, 0.291666657f, -0.208333328f
};
static const float gmp_expected[6] = {
  1.25f, 1.0f, 1.25f, 1.0f, 1.25f, 0.75f
};

/* ---- kernels on one-node graphs (lamina-test-util) ---------------------- */

typedef LaminaTestKernel Op;

static Op *
op_new (const char *op_type, gint64 opset)
{
  return lamina_test_kernel_new (op_type, opset);
}

/* A constant input is offered to prepare, which packs filters. */
static void
op_input_typed (Op *op, LaminaDType dtype, const void *data, int rank, const gint64 *dims, gboolean constant)
{
  GPtrArray *inputs = lamina_test_kernel_node (op)->inputs;
  LaminaTensor *t;

  lamina_test_kernel_input (op, dtype, rank, dims, data);
  t = g_ptr_array_index (inputs, inputs->len - 1);
  t->is_constant = constant;
}

static void
op_input (Op *op, const float *data, int rank, const gint64 *dims, gboolean constant)
{
  op_input_typed (op, LAMINA_DTYPE_FLOAT32, data, rank, dims, constant);
}

static gboolean
op_run (Op *op, guint n_outputs, GError **error)
{
  return lamina_test_kernel_run (op, n_outputs, 2, error);
}

static const LaminaValue *
op_output (Op *op, guint i)
{
  return lamina_test_kernel_output (op, i);
}

static float *
fill (gint64 n, int seed, float scale)
{
  float *v = g_new (float, MAX (n, 1));

  for (gint64 i = 0; i < n; i++)
    v[i] = (float) ((i * 7 + seed * 3) % 11 - 5) / 4.0f * scale;
  return v;
}

static void
assert_shape (const LaminaValue *v, int rank, const gint64 *dims)
{
  g_assert_cmpint (v->rank, ==, rank);
  for (int i = 0; i < rank; i++)
    g_assert_cmpint (v->dims[i], ==, dims[i]);
}

static void
assert_close (const float *got, const float *expected, gint64 n)
{
  double scale = 1.0;

  for (gint64 i = 0; i < n; i++)
    scale = MAX (scale, fabs (expected[i]));
  for (gint64 i = 0; i < n; i++)
    if (fabs (got[i] - expected[i]) > TOL * scale)
      g_error ("element %" G_GINT64_FORMAT ": got %.7g, expected %.7g", i, got[i], expected[i]);
}

/* Runs op (n_outputs outputs) and compares output 0 with expected. */
static void
check_output (Op *op, guint n_outputs, int rank, const gint64 *dims, const float *expected)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (op_run (op, n_outputs, &error));
  g_assert_no_error (error);
  assert_shape (op_output (op, 0), rank, dims);
  assert_close (LAMINA_VALUE_F32 (op_output (op, 0)), expected, op_output (op, 0)->numel);
}

/* ---- known answers ------------------------------------------------------- */

static void
test_conv_grouped (void)
{
  gint64 xd[] = { 1, 4, 7, 6 }, wd[] = { 6, 2, 3, 2 }, bd[] = { 6 }, yd[] = { 1, 6, 3, 6 };
  g_autofree float *x = fill (168, 1, 1), *w = fill (72, 2, 1), *b = fill (6, 3, 1);
  g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);

  op_input (op, x, 4, xd, FALSE);
  op_input (op, w, 4, wd, TRUE);
  op_input (op, b, 1, bd, TRUE);
  lamina_test_kernel_set_int (op, "group", 2);
  lamina_test_kernel_set_ints (op, "dilations", 2, (gint64[]) { 2, 1 });
  lamina_test_kernel_set_ints (op, "strides", 2, (gint64[]) { 2, 1 });
  lamina_test_kernel_set_ints (op, "pads", 4, (gint64[]) { 1, 0, 2, 1 });
  lamina_test_kernel_set_ints (op, "kernel_shape", 2, (gint64[]) { 3, 2 });
  check_output (op, 1, 4, yd, conv_grouped_expected);
}

static void
test_conv_same_lower (void)
{
  gint64 xd[] = { 1, 2, 6, 6 }, wd[] = { 3, 2, 3, 3 }, yd[] = { 1, 3, 3, 3 };
  g_autofree float *x = fill (72, 4, 1), *w = fill (54, 5, 1);
  g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);

  op_input (op, x, 4, xd, FALSE);
  op_input (op, w, 4, wd, FALSE);
  lamina_test_kernel_set_string (op, "auto_pad", "SAME_LOWER");
  lamina_test_kernel_set_ints (op, "strides", 2, (gint64[]) { 2, 2 });
  check_output (op, 1, 4, yd, conv_same_lower_expected);
}

static void
test_conv_depthwise (void)
{
  gint64 xd[] = { 1, 3, 5, 4 }, wd[] = { 6, 1, 3, 3 }, bd[] = { 6 }, yd[] = { 1, 6, 5, 4 };
  g_autofree float *x = fill (60, 6, 1), *w = fill (54, 7, 1), *b = fill (6, 8, 1);
  g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);

  op_input (op, x, 4, xd, FALSE);
  op_input (op, w, 4, wd, TRUE);
  op_input (op, b, 1, bd, FALSE);
  lamina_test_kernel_set_int (op, "group", 3);
  lamina_test_kernel_set_ints (op, "pads", 4, (gint64[]) { 1, 1, 1, 1 });
  check_output (op, 1, 4, yd, conv_depthwise_expected);
}

static void
test_conv_1d_3d (void)
{
  gint64 xd[] = { 2, 3, 9 }, wd[] = { 4, 3, 3 }, yd[] = { 2, 4, 4 };
  gint64 xd3[] = { 1, 2, 4, 4, 3 }, wd3[] = { 2, 2, 2, 3, 2 }, yd3[] = { 1, 2, 4, 2, 1 };
  g_autofree float *x = fill (54, 9, 1), *w = fill (36, 10, 1), *x3 = fill (96, 11, 1), *w3 = fill (48, 12, 1);
  g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);
  g_autoptr (LaminaTestKernel) op3 = op_new ("Conv", 11);

  op_input (op, x, 3, xd, FALSE);
  op_input (op, w, 3, wd, TRUE);
  lamina_test_kernel_set_ints (op, "strides", 1, (gint64[]) { 2 });
  lamina_test_kernel_set_ints (op, "pads", 2, (gint64[]) { 1, 1 });
  lamina_test_kernel_set_ints (op, "dilations", 1, (gint64[]) { 2 });
  check_output (op, 1, 3, yd, conv_1d_expected);

  op_input (op3, x3, 5, xd3, FALSE);
  op_input (op3, w3, 5, wd3, TRUE);
  lamina_test_kernel_set_ints (op3, "strides", 3, (gint64[]) { 1, 2, 1 });
  lamina_test_kernel_set_ints (op3, "pads", 6, (gint64[]) { 0, 1, 0, 1, 1, 0 });
  lamina_test_kernel_set_ints (op3, "dilations", 3, (gint64[]) { 1, 1, 2 });
  check_output (op3, 1, 5, yd3, conv_3d_expected);
}

static void
test_conv_transpose (void)
{
  gint64 xd[] = { 1, 4, 3, 3 }, wd[] = { 4, 2, 3, 3 }, bd[] = { 4 }, yd[] = { 1, 4, 7, 7 };
  g_autofree float *x = fill (36, 13, 1), *w = fill (72, 14, 1), *b = fill (4, 15, 1);
  g_autoptr (LaminaTestKernel) op = op_new ("ConvTranspose", 11);
  g_autoptr (LaminaTestKernel) shaped = op_new ("ConvTranspose", 11);

  op_input (op, x, 4, xd, FALSE);
  op_input (op, w, 4, wd, TRUE);
  op_input (op, b, 1, bd, TRUE);
  lamina_test_kernel_set_int (op, "group", 2);
  lamina_test_kernel_set_ints (op, "strides", 2, (gint64[]) { 2, 2 });
  lamina_test_kernel_set_ints (op, "output_padding", 2, (gint64[]) { 1, 1 });
  lamina_test_kernel_set_ints (op, "pads", 4, (gint64[]) { 1, 1, 0, 0 });
  check_output (op, 1, 4, yd, convt_expected);

  /* the same through output_shape: total padding 1 goes to the start */
  op_input (shaped, x, 4, xd, FALSE);
  op_input (shaped, w, 4, wd, FALSE);
  op_input (shaped, b, 1, bd, FALSE);
  lamina_test_kernel_set_int (shaped, "group", 2);
  lamina_test_kernel_set_ints (shaped, "strides", 2, (gint64[]) { 2, 2 });
  lamina_test_kernel_set_ints (shaped, "output_padding", 2, (gint64[]) { 1, 1 });
  lamina_test_kernel_set_ints (shaped, "output_shape", 2, (gint64[]) { 7, 7 });
  check_output (shaped, 1, 4, yd, convt_expected);
}

static void
test_maxpool (void)
{
  gint64 xd[] = { 1, 2, 5, 6 }, yd[] = { 1, 2, 3, 4 }, yd2[] = { 1, 2, 4, 3 };
  g_autofree float *x = fill (60, 16, 1);
  g_autoptr (LaminaTestKernel) op = op_new ("MaxPool", 12);
  g_autoptr (LaminaTestKernel) dil = op_new ("MaxPool", 12);
  const gint64 *idx;

  op_input (op, x, 4, xd, FALSE);
  lamina_test_kernel_set_ints (op, "kernel_shape", 2, (gint64[]) { 3, 3 });
  lamina_test_kernel_set_ints (op, "strides", 2, (gint64[]) { 2, 2 });
  lamina_test_kernel_set_ints (op, "pads", 4, (gint64[]) { 1, 1, 1, 1 });
  lamina_test_kernel_set_int (op, "ceil_mode", 1);
  check_output (op, 2, 4, yd, maxpool_expected);
  assert_shape (op_output (op, 1), 4, yd);
  g_assert_cmpint (op_output (op, 1)->dtype, ==, LAMINA_DTYPE_INT64);
  idx = op_output (op, 1)->data;
  for (int i = 0; i < 24; i++)
    g_assert_cmpint (idx[i], ==, maxpool_indices[i]);

  op_input (dil, x, 4, xd, FALSE);
  lamina_test_kernel_set_ints (dil, "kernel_shape", 2, (gint64[]) { 2, 2 });
  lamina_test_kernel_set_ints (dil, "strides", 2, (gint64[]) { 1, 2 });
  lamina_test_kernel_set_ints (dil, "pads", 4, (gint64[]) { 1, 0, 0, 1 });
  lamina_test_kernel_set_ints (dil, "dilations", 2, (gint64[]) { 2, 1 });
  check_output (dil, 1, 4, yd2, maxpool_dil_expected);
}

static void
test_avgpool (void)
{
  gint64 xd[] = { 1, 2, 5, 6 }, yd[] = { 1, 2, 3, 3 }, yd2[] = { 1, 2, 2, 3 };
  g_autofree float *x = fill (60, 16, 1);
  g_autoptr (LaminaTestKernel) incl = op_new ("AveragePool", 11);
  g_autoptr (LaminaTestKernel) ceil_op = op_new ("AveragePool", 11);

  op_input (incl, x, 4, xd, FALSE);
  lamina_test_kernel_set_ints (incl, "kernel_shape", 2, (gint64[]) { 3, 2 });
  lamina_test_kernel_set_ints (incl, "strides", 2, (gint64[]) { 2, 2 });
  lamina_test_kernel_set_ints (incl, "pads", 4, (gint64[]) { 1, 1, 1, 0 });
  lamina_test_kernel_set_int (incl, "count_include_pad", 1);
  check_output (incl, 1, 4, yd, avgpool_incl_expected);

  op_input (ceil_op, x, 4, xd, FALSE);
  lamina_test_kernel_set_ints (ceil_op, "kernel_shape", 2, (gint64[]) { 3, 3 });
  lamina_test_kernel_set_ints (ceil_op, "strides", 2, (gint64[]) { 2, 2 });
  lamina_test_kernel_set_int (ceil_op, "ceil_mode", 1);
  check_output (ceil_op, 1, 4, yd2, avgpool_ceil_expected);
}

static void
test_lp_global_pool (void)
{
  gint64 xd[] = { 1, 1, 4, 4 }, yd[] = { 1, 1, 2, 2 }, gd[] = { 2, 3, 2, 3 }, gyd[] = { 2, 3, 1, 1 };
  g_autofree float *x = fill (16, 37, 1), *g = fill (36, 38, 1);
  g_autoptr (LaminaTestKernel) lp = op_new ("LpPool", 11);
  g_autoptr (LaminaTestKernel) gap = op_new ("GlobalAveragePool", 11);
  g_autoptr (LaminaTestKernel) gmp = op_new ("GlobalMaxPool", 11);

  op_input (lp, x, 4, xd, FALSE);
  lamina_test_kernel_set_ints (lp, "kernel_shape", 2, (gint64[]) { 2, 2 });
  lamina_test_kernel_set_ints (lp, "strides", 2, (gint64[]) { 2, 2 });
  lamina_test_kernel_set_int (lp, "p", 2);
  check_output (lp, 1, 4, yd, lppool_expected);
  op_input (gap, g, 4, gd, FALSE);
  check_output (gap, 1, 4, gyd, gap_expected);
  op_input (gmp, g, 4, gd, FALSE);
  check_output (gmp, 1, 4, gyd, gmp_expected);
}

static void
test_gemm (void)
{
  gint64 ad[] = { 4, 3 }, bd[] = { 5, 4 }, cd[] = { 5 }, yd[] = { 3, 5 };
  g_autofree float *a = fill (12, 17, 1), *b = fill (20, 18, 1), *c = fill (5, 19, 1);
  g_autoptr (LaminaTestKernel) op = op_new ("Gemm", 13);

  op_input (op, a, 2, ad, FALSE);
  op_input (op, b, 2, bd, TRUE);
  op_input (op, c, 1, cd, TRUE);
  lamina_test_kernel_set_int (op, "transA", 1);
  lamina_test_kernel_set_int (op, "transB", 1);
  lamina_test_kernel_set_float (op, "alpha", 0.5);
  lamina_test_kernel_set_float (op, "beta", 2.0);
  check_output (op, 1, 2, yd, gemm_expected);
}

static void
test_matmul (void)
{
  gint64 ad[] = { 2, 1, 3, 4 }, bd[] = { 3, 4, 2 }, yd[] = { 2, 3, 3, 2 };
  gint64 vd[] = { 4 }, md[] = { 2, 4, 3 }, vyd[] = { 2, 3 };
  g_autofree float *a = fill (24, 20, 1), *b = fill (24, 21, 1), *v = fill (4, 22, 1), *m = fill (24, 23, 1);
  g_autoptr (LaminaTestKernel) op = op_new ("MatMul", 13);
  g_autoptr (LaminaTestKernel) vec = op_new ("MatMul", 13);

  op_input (op, a, 4, ad, FALSE);
  op_input (op, b, 3, bd, FALSE);
  check_output (op, 1, 4, yd, matmul_bcast_expected);
  op_input (vec, v, 1, vd, FALSE);
  op_input (vec, m, 3, md, TRUE);
  check_output (vec, 1, 2, vyd, matmul_vec_expected);
}

static void
test_tflite_conv (void)
{
  gint64 xd[] = { 1, 5, 5, 3 }, wd[] = { 4, 3, 3, 3 }, bd[] = { 4 }, yd[] = { 1, 3, 3, 4 };
  gint64 dxd[] = { 1, 6, 5, 2 }, dwd[] = { 1, 3, 2, 4 }, dyd[] = { 1, 2, 3, 4 };
  g_autofree float *x = fill (75, 24, 4), *w = fill (108, 25, 1), *b = fill (4, 26, 1);
  g_autofree float *dx = fill (60, 27, 1), *dw = fill (24, 28, 1);
  g_autoptr (LaminaTestKernel) op = op_new ("Conv2D", 0);
  g_autoptr (LaminaTestKernel) dwop = op_new ("DepthwiseConv2D", 0);

  op_input (op, x, 4, xd, FALSE);
  op_input (op, w, 4, wd, TRUE);
  op_input (op, b, 1, bd, TRUE);
  lamina_test_kernel_set_string (op, "padding", "SAME");
  lamina_test_kernel_set_int (op, "stride_w", 2);
  lamina_test_kernel_set_int (op, "stride_h", 2);
  lamina_test_kernel_set_string (op, "fused_activation_function", "RELU6");
  check_output (op, 1, 4, yd, tfl_conv_expected);

  op_input (dwop, dx, 4, dxd, FALSE);
  op_input (dwop, dw, 4, dwd, TRUE);
  lamina_test_kernel_set_string (dwop, "padding", "VALID");
  lamina_test_kernel_set_int (dwop, "stride_w", 1);
  lamina_test_kernel_set_int (dwop, "stride_h", 1);
  lamina_test_kernel_set_int (dwop, "depth_multiplier", 2);
  lamina_test_kernel_set_int (dwop, "dilation_w_factor", 2);
  lamina_test_kernel_set_int (dwop, "dilation_h_factor", 2);
  check_output (dwop, 1, 4, dyd, tfl_dw_expected);
}

static void
test_tflite_fc_pool_matmul (void)
{
  gint64 xd[] = { 2, 3, 4 }, wd[] = { 5, 4 }, bd[] = { 5 }, yd[] = { 2, 3, 5 };
  gint64 pd[] = { 1, 5, 4, 2 }, pyd[] = { 1, 3, 2, 2 };
  gint64 bxd[] = { 2, 4, 3 }, byd[] = { 1, 4, 2 }, bod[] = { 2, 3, 2 };
  g_autofree float *x = fill (24, 29, 1), *w = fill (20, 30, 1), *b = fill (5, 31, 1), *p = fill (40, 32, 1);
  g_autofree float *bx = fill (24, 35, 1), *by = fill (8, 36, 1);
  g_autoptr (LaminaTestKernel) fc = op_new ("FullyConnected", 0);
  g_autoptr (LaminaTestKernel) avg = op_new ("AveragePool2D", 0);
  g_autoptr (LaminaTestKernel) bmm = op_new ("BatchMatMul", 0);

  op_input (fc, x, 3, xd, FALSE);
  op_input (fc, w, 2, wd, TRUE);
  op_input (fc, b, 1, bd, TRUE);
  lamina_test_kernel_set_int (fc, "keep_num_dims", 1);
  lamina_test_kernel_set_string (fc, "fused_activation_function", "RELU");
  check_output (fc, 1, 3, yd, tfl_fc_expected);

  op_input (avg, p, 4, pd, FALSE);
  lamina_test_kernel_set_string (avg, "padding", "SAME");
  lamina_test_kernel_set_int (avg, "stride_w", 2);
  lamina_test_kernel_set_int (avg, "stride_h", 2);
  lamina_test_kernel_set_int (avg, "filter_width", 3);
  lamina_test_kernel_set_int (avg, "filter_height", 3);
  check_output (avg, 1, 4, pyd, tfl_avg_expected);

  op_input (bmm, bx, 3, bxd, FALSE);
  op_input (bmm, by, 3, byd, FALSE);
  lamina_test_kernel_set_int (bmm, "adj_x", 1);
  check_output (bmm, 1, 3, bod, tfl_bmm_expected);
}

static void
test_tflite_transpose_conv (void)
{
  gint32 shape[] = { 1, 6, 6, 3 };
  gint64 sd[] = { 4 }, wd[] = { 3, 3, 3, 2 }, xd[] = { 1, 3, 3, 2 }, yd[] = { 1, 6, 6, 3 };
  g_autofree float *w = fill (54, 34, 1), *x = fill (18, 33, 1);
  g_autoptr (LaminaTestKernel) op = op_new ("TransposeConv", 0);

  op_input_typed (op, LAMINA_DTYPE_INT32, shape, 1, sd, TRUE);
  op_input (op, w, 4, wd, TRUE);
  op_input (op, x, 4, xd, FALSE);
  lamina_test_kernel_set_string (op, "padding", "SAME");
  lamina_test_kernel_set_int (op, "stride_w", 2);
  lamina_test_kernel_set_int (op, "stride_h", 2);
  check_output (op, 1, 4, yd, tfl_tconv_expected);
}

static void
test_maxpool_bytes (void)
{
  guint8 x[] = { 1, 200, 3, 4, 250, 6, 7, 8, 9 };
  gint64 xd[] = { 1, 1, 3, 3 }, yd[] = { 1, 1, 2, 2 };
  g_autoptr (LaminaTestKernel) op = op_new ("MaxPool", 12);
  g_autoptr (GError) error = NULL;
  const guint8 *y;

  op_input_typed (op, LAMINA_DTYPE_UINT8, x, 4, xd, FALSE);
  lamina_test_kernel_set_ints (op, "kernel_shape", 2, (gint64[]) { 2, 2 });
  g_assert_true (op_run (op, 1, &error));
  assert_shape (op_output (op, 0), 4, yd);
  g_assert_cmpint (op_output (op, 0)->dtype, ==, LAMINA_DTYPE_UINT8);
  y = op_output (op, 0)->data;
  g_assert_cmpint (y[0], ==, 250);
  g_assert_cmpint (y[1], ==, 250);
  g_assert_cmpint (y[2], ==, 250);
  g_assert_cmpint (y[3], ==, 250);
}

/* MaxPool on int8 / uint8 planes: the byte loop (lamina_pool_max_bytes)
 * gives exactly what the float path (LAMINA_INT8_REFERENCE) gives, over
 * padding on all sides, strides 1 to 3, dilation, ceil_mode and both
 * signednesses, on random bytes (a max is exact: no tolerance). */
static void
test_maxpool_bytes_fast (void)
{
  static const struct {
    gint64 h, w, k0, k1, s, dil, pads[4];
    int ceil;
    LaminaDType dtype;
  } cases[] = {
    { 17, 21, 3, 3, 2, 1, { 1, 1, 1, 1 }, 0, LAMINA_DTYPE_INT8 },
    { 16, 16, 2, 2, 2, 1, { 0, 0, 0, 0 }, 0, LAMINA_DTYPE_UINT8 },
    { 13, 11, 3, 2, 1, 2, { 2, 1, 0, 2 }, 0, LAMINA_DTYPE_INT8 },
    { 10, 15, 3, 3, 3, 1, { 0, 1, 1, 0 }, 1, LAMINA_DTYPE_UINT8 },
    { 5, 40, 5, 5, 1, 1, { 2, 2, 2, 2 }, 0, LAMINA_DTYPE_INT8 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (41);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      gint64 xd[] = { 2, 3, cases[c].h, cases[c].w }, n = 2 * 3 * cases[c].h * cases[c].w;
      g_autofree guint8 *x = g_new (guint8, n), *fast = NULL;
      gint64 n_fast = 0;

      for (gint64 i = 0; i < n; i++)
        x[i] = (guint8) g_rand_int_range (rand, 0, 256);
      for (int pass = 0; pass < 2; pass++)
        {
          g_autoptr (LaminaTestKernel) op = op_new ("MaxPool", 12);
          g_autoptr (GError) error = NULL;
          const LaminaValue *y;
          if (pass == 1)
            g_setenv ("LAMINA_INT8_REFERENCE", "1", TRUE);
          op_input_typed (op, cases[c].dtype, x, 4, xd, FALSE);
          lamina_test_kernel_set_ints (op, "kernel_shape", 2, (gint64[]) { cases[c].k0, cases[c].k1 });
          lamina_test_kernel_set_ints (op, "strides", 2, (gint64[]) { cases[c].s, cases[c].s });
          lamina_test_kernel_set_ints (op, "dilations", 2, (gint64[]) { cases[c].dil, cases[c].dil });
          lamina_test_kernel_set_ints (op, "pads", 4, cases[c].pads);
          lamina_test_kernel_set_int (op, "ceil_mode", cases[c].ceil);
          g_assert_true (op_run (op, 1, &error));
          g_unsetenv ("LAMINA_INT8_REFERENCE");
          y = op_output (op, 0);
          g_assert_cmpint (y->dtype, ==, cases[c].dtype);
          if (pass == 0)
            fast = g_memdup2 (y->data, y->numel), n_fast = y->numel;
          else
            g_assert_cmpmem (y->data, y->numel, fast, n_fast);
        }
    }
}

/* ---- fast paths against the references ------------------------------------ */

static float *
random_floats (GRand *r, gint64 n)
{
  float *v = g_new (float, MAX (n, 1));

  for (gint64 i = 0; i < n; i++)
    v[i] = (float) g_rand_double_range (r, -1, 1);
  return v;
}

static void
check_gemm_case (GRand *r, LaminaParallel *p, gint64 m, gint64 n, gint64 k, gboolean ta, gboolean tb,
                 gboolean packed, gboolean accumulate)
{
  g_autofree float *a = random_floats (r, m * k), *b = random_floats (r, k * n), *bias = random_floats (r, m);
  g_autofree float *c = random_floats (r, m * n), *ref = g_memdup2 (c, MAX (m * n, 1) * sizeof (float));
  LaminaGemmOperand oa = ta ? lamina_gemm_matrix_a (a, 1, m) : lamina_gemm_matrix_a (a, k, 1);
  LaminaGemmOperand ob = tb ? lamina_gemm_matrix_b (b, 1, k) : lamina_gemm_matrix_b (b, n, 1);
  LaminaGemmEpilogue ep = { bias, TRUE, -0.5f, INFINITY };
  g_autoptr (LaminaGemmPacked) pa = packed ? lamina_gemm_pack_a (&oa, m, k) : NULL;
  LaminaGemmOperand use_a = packed ? lamina_gemm_packed (pa) : oa;

  lamina_gemm_reference (m, n, k, &oa, &ob, ref, n, accumulate, &ep);
  lamina_gemm (p, m, n, k, &use_a, &ob, c, n, accumulate, &ep);
  assert_close (c, ref, m * n);
}

static void
test_gemm_fast (void)
{
  const char *names[] = { "generic", "avx2", "avx512" };
  g_autoptr (GRand) r = g_rand_new_with_seed (7);
  g_autoptr (LaminaParallel) p = lamina_parallel_new (3);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (!lamina_gemm_select_kernel (names[i]))
        continue;
      g_test_message ("micro-kernel %s", names[i]);
      for (int t = 0; t < 40; t++)
        check_gemm_case (r, p, g_rand_int_range (r, 1, 70), g_rand_int_range (r, 1, 300), g_rand_int_range (r, 0, 600),
                         t & 1, (t >> 1) & 1, (t >> 2) & 1, t % 5 == 0);
      check_gemm_case (r, p, 96, 700, 300, FALSE, FALSE, TRUE, FALSE);
    }
  lamina_gemm_select_kernel (NULL);
}

/* A random dense geometry (NCHW or NHWC); nsp spatial dims. */
static void
random_geom (GRand *r, LaminaConvGeom *g, int nsp, gboolean channels_last, gboolean depthwise)
{
  memset (g, 0, sizeof *g);
  g->nsp = nsp;
  g->batch = g_rand_int_range (r, 1, 3);
  g->group = depthwise ? g_rand_int_range (r, 1, 9) : g_rand_int_range (r, 1, 4);
  g->cin = g->group * (depthwise ? 1 : g_rand_int_range (r, 1, 6));
  g->cout = g->group * g_rand_int_range (r, 1, depthwise ? 3 : 12);
  for (int d = 0; d < nsp; d++)
    {
      g->k[d] = g_rand_int_range (r, 1, 6);
      g->stride[d] = g_rand_int_range (r, 1, 4);
      g->dil[d] = g_rand_int_range (r, 1, 3);
      g->pad[d] = g_rand_int_range (r, 0, 3);
      g->in[d] = g_rand_int_range (r, (g->k[d] - 1) * g->dil[d] + 1, 40 / nsp);
      g->out[d] = lamina_conv_out_size (g->in[d], g->k[d], g->stride[d], g->dil[d], g->pad[d],
                                        g_rand_int_range (r, 0, 3), FALSE);
    }
  if (g_rand_boolean (r))
    for (int d = 0; d < nsp; d++)
      g->stride[d] = 1, g->out[d] = g->in[d] + 2 * g->pad[d] - (g->k[d] - 1) * g->dil[d];
  lamina_conv_geom_dense (g, channels_last);
  g->lo = g_rand_boolean (r) ? 0.0f : -INFINITY;
  g->hi = INFINITY;
}

/* Dense filter strides: OIHW (NCHW) or OHWI (NHWC); 1HWO for NHWC depthwise. */
static void
filter_strides (LaminaConvGeom *g, gboolean depthwise)
{
  gint64 ks = 1, cin_g = g->cin / g->group;

  if (g->channels_last && depthwise)
    {
      gint64 acc = g->cout;
      for (int d = LAMINA_CONV_MAX_SPATIAL - 1; d >= 0; d--)
        {
          g->w_sp[d] = d < g->nsp ? acc : 0;
          acc *= d < g->nsp ? g->k[d] : 1;
        }
      g->w_o = 1, g->w_i = 0;
      return;
    }
  for (int d = LAMINA_CONV_MAX_SPATIAL - 1; d >= 0; d--)
    {
      g->w_sp[d] = d < g->nsp ? ks * (g->channels_last ? cin_g : 1) : 0;
      ks *= g->k[d];
    }
  g->w_i = g->channels_last ? 1 : ks;
  g->w_o = cin_g * ks;
}

static gint64
numel_x (const LaminaConvGeom *g)
{
  return g->batch * g->x_n;
}

static gint64
numel_y (const LaminaConvGeom *g)
{
  return g->batch * g->y_n;
}

static void
test_conv_fast (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (11);
  g_autoptr (LaminaParallel) p = lamina_parallel_new (2);

  for (int t = 0; t < 300; t++)
    {
      LaminaConvGeom g;
      int nsp = 1 + t % 3;
      gboolean nhwc = (t / 3) % 2 && nsp == 2, dw = t % 7 == 0 && nsp <= 2;
      g_autofree float *x = NULL, *w = NULL, *b = NULL, *y = NULL, *ref = NULL;
      LaminaConvPacked *packed;

      random_geom (r, &g, nsp, nhwc, dw);
      filter_strides (&g, dw);
      x = random_floats (r, numel_x (&g));
      w = random_floats (r, g.cout * (g.cin / g.group) * g.k[0] * g.k[1] * g.k[2]);
      b = random_floats (r, g.cout);
      y = g_new0 (float, MAX (numel_y (&g), 1));
      ref = g_new0 (float, MAX (numel_y (&g), 1));
      packed = t % 2 ? lamina_conv_pack (&g, w, FALSE) : NULL;
      lamina_conv_reference (&g, x, w, t % 4 ? b : NULL, ref);
      lamina_conv_fast (p, &g, x, w, packed, t % 4 ? b : NULL, y);
      assert_close (y, ref, numel_y (&g));
      lamina_conv_packed_free (packed);
    }
}

static void
test_conv_transpose_fast (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (13);
  g_autoptr (LaminaParallel) p = lamina_parallel_new (2);

  for (int t = 0; t < 120; t++)
    {
      LaminaConvGeom g;
      int nsp = 1 + t % 3;
      gint64 ks = 1;
      g_autofree float *x = NULL, *w = NULL, *b = NULL, *y = NULL, *ref = NULL;
      LaminaConvPacked *packed;

      memset (&g, 0, sizeof g);
      g.nsp = nsp;
      g.batch = g_rand_int_range (r, 1, 3);
      g.group = g_rand_int_range (r, 1, 3);
      g.cin = g.group * g_rand_int_range (r, 1, 5);
      g.cout = g.group * g_rand_int_range (r, 1, 5);
      for (int d = 0; d < nsp; d++)
        {
          g.k[d] = g_rand_int_range (r, 1, 4);
          g.stride[d] = g_rand_int_range (r, 1, 4);
          g.dil[d] = g_rand_int_range (r, 1, 3);
          g.pad[d] = g_rand_int_range (r, -1, 2);
          g.in[d] = g_rand_int_range (r, 1, 12 / nsp + 2);
          g.out[d] = MAX (1, g.stride[d] * (g.in[d] - 1) + (g.k[d] - 1) * g.dil[d] + 1 - g.pad[d] - g_rand_int_range (r, -1, 2));
        }
      lamina_conv_geom_dense (&g, FALSE);
      for (int d = LAMINA_CONV_MAX_SPATIAL - 1; d >= 0; d--)
        {
          g.w_sp[d] = d < nsp ? ks : 0;
          ks *= g.k[d];
        }
      g.w_o = ks, g.w_i = (g.cout / g.group) * ks;
      g.lo = -INFINITY, g.hi = INFINITY;
      x = random_floats (r, numel_x (&g));
      w = random_floats (r, g.cin * (g.cout / g.group) * ks);
      b = random_floats (r, g.cout);
      y = g_new0 (float, numel_y (&g));
      ref = g_new0 (float, numel_y (&g));
      packed = t % 2 ? lamina_conv_pack (&g, w, TRUE) : NULL;
      lamina_conv_transpose_reference (&g, x, w, b, ref);
      lamina_conv_transpose_fast (p, &g, x, w, packed, b, y);
      assert_close (y, ref, numel_y (&g));
      lamina_conv_packed_free (packed);
    }
}

static void
test_pool_fast (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (17);
  g_autoptr (LaminaParallel) p = lamina_parallel_new (2);

  for (int t = 0; t < 200; t++)
    {
      LaminaConvGeom g;
      LaminaPoolParams pp = { .mode = t % 4, .p = 2 + t % 2 };
      int nsp = 1 + t % 2;
      gboolean ceil_mode = g_rand_boolean (r);
      g_autofree float *x = NULL, *y = NULL, *ref = NULL;

      memset (&g, 0, sizeof g);
      g.nsp = nsp;
      g.batch = g_rand_int_range (r, 1, 3);
      g.cin = g.cout = g.group = g_rand_int_range (r, 1, 5);
      for (int d = 0; d < nsp; d++)
        {
          g.k[d] = g_rand_int_range (r, 1, 5);
          g.stride[d] = g_rand_int_range (r, 1, 4);
          g.dil[d] = g_rand_int_range (r, 1, 3);
          g.pad[d] = g_rand_int_range (r, 0, g.k[d]);
          pp.pad_end[d] = g_rand_int_range (r, 0, g.k[d]);
          g.in[d] = g_rand_int_range (r, (g.k[d] - 1) * g.dil[d] + 1, 40);
          g.out[d] = lamina_conv_out_size (g.in[d], g.k[d], g.stride[d], g.dil[d], g.pad[d], pp.pad_end[d], ceil_mode);
        }
      lamina_conv_geom_dense (&g, t % 3 == 0 && nsp == 2);
      g.lo = -INFINITY, g.hi = t % 5 == 0 ? 0.25f : INFINITY;
      x = random_floats (r, numel_x (&g));
      y = g_new0 (float, numel_y (&g));
      ref = g_new0 (float, numel_y (&g));
      lamina_pool_reference (&g, &pp, x, ref, NULL);
      lamina_pool (p, &g, &pp, x, y, NULL);
      assert_close (y, ref, numel_y (&g));
    }
}

/* ---- invalid inputs -------------------------------------------------------- */

static void
expect_error (Op *op, LaminaKernelError code)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (op_run (op, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, (gint) code);
}

static void
test_invalid (void)
{
  static const float data[64] = { 0 };
  static const gint32 idata[64] = { 0 };
  gint64 x4[] = { 1, 3, 4, 4 }, w_bad[] = { 2, 2, 3, 3 }, w_ok[] = { 2, 3, 3, 3 }, v1[] = { 4 }, m23[] = { 2, 3 };
  gint64 m43[] = { 4, 3 }, b5[] = { 5 }, x3[] = { 1, 3, 4 };

  {
    g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);  /* channels do not match */
    op_input (op, data, 4, x4, FALSE);
    op_input (op, data, 4, w_bad, FALSE);
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);  /* pads of the wrong length */
    op_input (op, data, 4, x4, FALSE);
    op_input (op, data, 4, w_ok, FALSE);
    lamina_test_kernel_set_ints (op, "pads", 2, (gint64[]) { 1, 1 });
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);  /* kernel_shape disagrees with W */
    op_input (op, data, 4, x4, FALSE);
    op_input (op, data, 4, w_ok, FALSE);
    lamina_test_kernel_set_ints (op, "kernel_shape", 2, (gint64[]) { 2, 2 });
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);  /* unknown auto_pad, bias of the wrong size */
    op_input (op, data, 4, x4, FALSE);
    op_input (op, data, 4, w_ok, FALSE);
    lamina_test_kernel_set_string (op, "auto_pad", "SOMETIMES");
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);
    op_input (op, data, 4, x4, FALSE);
    op_input (op, data, 4, w_ok, FALSE);
    op_input (op, data, 1, b5, FALSE);
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);  /* window larger than the input */
    op_input (op, data, 3, x3, FALSE);
    op_input (op, data, 3, (gint64[]) { 1, 3, 9 }, FALSE);
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);  /* integer input */
    op_input_typed (op, LAMINA_DTYPE_INT32, idata, 4, x4, FALSE);
    op_input (op, data, 4, w_ok, FALSE);
    expect_error (op, LAMINA_KERNEL_ERROR_UNSUPPORTED);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);  /* missing W */
    op_input (op, data, 4, x4, FALSE);
    lamina_test_kernel_omit_input (op);
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("ConvTranspose", 11);  /* output_padding >= stride */
    op_input (op, data, 4, x4, FALSE);
    op_input (op, data, 4, (gint64[]) { 3, 1, 2, 2 }, FALSE);
    lamina_test_kernel_set_ints (op, "output_padding", 2, (gint64[]) { 1, 1 });
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("MaxPool", 12);  /* no kernel_shape */
    op_input (op, data, 4, x4, FALSE);
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("AveragePool", 11);  /* rank 2 */
    op_input (op, data, 2, m23, FALSE);
    lamina_test_kernel_set_ints (op, "kernel_shape", 1, (gint64[]) { 1 });
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("MatMul", 13);  /* inner dims differ */
    op_input (op, data, 2, m23, FALSE);
    op_input (op, data, 1, v1, FALSE);
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("MatMul", 13);  /* batch dims do not broadcast */
    op_input (op, data, 3, (gint64[]) { 2, 2, 3 }, FALSE);
    op_input (op, data, 3, (gint64[]) { 3, 3, 2 }, FALSE);
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("Gemm", 13);  /* C does not broadcast to [M, N] */
    op_input (op, data, 2, m23, FALSE);
    op_input (op, data, 2, (gint64[]) { 3, 4 }, FALSE);
    op_input (op, data, 2, m43, FALSE);
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("Conv2D", 0);  /* an activation TFLite fuses but we do not */
    op_input (op, data, 4, (gint64[]) { 1, 4, 4, 3 }, FALSE);
    op_input (op, data, 4, (gint64[]) { 2, 3, 3, 3 }, FALSE);
    lamina_test_kernel_set_string (op, "fused_activation_function", "TANH");
    expect_error (op, LAMINA_KERNEL_ERROR_UNSUPPORTED);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("DepthwiseConv2D", 0);  /* Cout not a multiple of Cin */
    op_input (op, data, 4, (gint64[]) { 1, 4, 4, 3 }, FALSE);
    op_input (op, data, 4, (gint64[]) { 1, 3, 3, 4 }, FALSE);
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
  {
    g_autoptr (LaminaTestKernel) op = op_new ("FullyConnected", 0);  /* K does not divide the input */
    op_input (op, data, 2, m23, FALSE);
    op_input (op, data, 2, (gint64[]) { 4, 4 }, FALSE);
    expect_error (op, LAMINA_KERNEL_ERROR_INVALID);
  }
}

/* Empty batch: shapes come out right and nothing is read. */
static void
test_empty (void)
{
  static const float data[27] = { 0 };
  gint64 xd[] = { 0, 3, 4, 4 }, wd[] = { 1, 3, 3, 3 }, yd[] = { 0, 1, 2, 2 };
  g_autoptr (LaminaTestKernel) op = op_new ("Conv", 11);
  g_autoptr (GError) error = NULL;

  op_input (op, data, 4, xd, FALSE);
  op_input (op, data, 4, wd, TRUE);
  g_assert_true (op_run (op, 1, &error));
  assert_shape (op_output (op, 0), 4, yd);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ops-conv/conv/grouped", test_conv_grouped);
  g_test_add_func ("/ops-conv/conv/same-lower", test_conv_same_lower);
  g_test_add_func ("/ops-conv/conv/depthwise", test_conv_depthwise);
  g_test_add_func ("/ops-conv/conv/1d-3d", test_conv_1d_3d);
  g_test_add_func ("/ops-conv/conv/empty", test_empty);
  g_test_add_func ("/ops-conv/conv-transpose", test_conv_transpose);
  g_test_add_func ("/ops-conv/pool/max", test_maxpool);
  g_test_add_func ("/ops-conv/pool/max-bytes", test_maxpool_bytes);
  g_test_add_func ("/ops-conv/pool/max-bytes-fast", test_maxpool_bytes_fast);
  g_test_add_func ("/ops-conv/pool/average", test_avgpool);
  g_test_add_func ("/ops-conv/pool/lp-global", test_lp_global_pool);
  g_test_add_func ("/ops-conv/gemm", test_gemm);
  g_test_add_func ("/ops-conv/matmul", test_matmul);
  g_test_add_func ("/ops-conv/tflite/conv", test_tflite_conv);
  g_test_add_func ("/ops-conv/tflite/fc-pool-matmul", test_tflite_fc_pool_matmul);
  g_test_add_func ("/ops-conv/tflite/transpose-conv", test_tflite_transpose_conv);
  g_test_add_func ("/ops-conv/fast/gemm", test_gemm_fast);
  g_test_add_func ("/ops-conv/fast/conv", test_conv_fast);
  g_test_add_func ("/ops-conv/fast/conv-transpose", test_conv_transpose_fast);
  g_test_add_func ("/ops-conv/fast/pool", test_pool_fast);
  g_test_add_func ("/ops-conv/invalid", test_invalid);
  return g_test_run ();
}
