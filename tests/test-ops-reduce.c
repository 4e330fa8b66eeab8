/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-ops-reduce: the reduce family (src/core/ops/lamina-ops-reduce.c):
 * Reduce*, ArgMax, Softmax, the normalisations, TopK, CumSum and the TFLite
 * reductions. Expected values were computed with NumPy and pasted.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include "ops/lamina-kernel.h"
#include "lamina-test-util.h"

#define F32 LAMINA_DTYPE_FLOAT32
#define I32 LAMINA_DTYPE_INT32
#define I64 LAMINA_DTYPE_INT64

/* x = arange(24).reshape(2,3,4) * 0.5 - 3 */
static float x24[24];
static const gint64 d234[] = { 2, 3, 4 };

static LaminaTestKernel *
run_ok (LaminaTestKernel *k, guint n_outputs)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lamina_test_kernel_run (k, n_outputs, 1, &error));
  g_assert_no_error (error);
  return k;
}

/* ---- Reduce* ------------------------------------------------------------- */

static void
test_reduce_attribute_axes (void)
{
  static const struct {
    const char *op;
    gint64      axes[2];
    guint       n_axes;
    gboolean    keepdims;
    int         rank;
    gint64      dims[3];
    float       expected[12];
    gint64      n;
  } cases[] = {
    { "ReduceMean", { 1 }, 1, TRUE, 3, { 2, 1, 4 }, { -1.0, -0.5, 0.0, 0.5, 5.0, 5.5, 6.0, 6.5 }, 8 },
    /* negative axis, several axes */
    { "ReduceSum", { -1, 0 }, 2, FALSE, 1, { 3 }, { 6, 22, 38 }, 3 },
    /* no axes: everything */
    { "ReduceMax", { 0 }, 0, FALSE, 0, { 0 }, { 8.5 }, 1 },
    { "ReduceL2", { 2 }, 1, FALSE, 2, { 2, 3 },
      { 4.636809349060059, 1.2247449159622192, 3.674234628677368, 7.5828752517700195,
        11.554220199584961, 15.54026985168457 }, 6 },
    { "ReduceLogSumExp", { 1 }, 1, FALSE, 2, { 2, 4 },
      { 1.142931580543518, 1.6429316997528076, 2.1429316997528076, 2.6429314613342285,
        7.1429314613342285, 7.6429314613342285, 8.142931938171387, 8.642931938171387 }, 8 },
    { "ReduceProd", { 0 }, 1, FALSE, 2, { 3, 4 },
      { -9.0, -8.75, -8.0, -6.75, -5.0, -2.75, 0.0, 3.25, 7.0, 11.25, 16.0, 21.25 }, 12 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      /* ReduceSum takes axes as an input from opset 13: use 11 here */
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new (cases[c].op, 11);
      lamina_test_kernel_input (k, F32, 3, d234, x24);
      if (cases[c].n_axes > 0)
        lamina_test_kernel_set_ints (k, "axes", cases[c].n_axes, cases[c].axes);
      lamina_test_kernel_set_int (k, "keepdims", cases[c].keepdims);
      run_ok (k, 1);
      lamina_test_assert_shape (lamina_test_kernel_output (k, 0), F32, cases[c].rank, cases[c].dims);
      lamina_test_assert_floats (lamina_test_kernel_output (k, 0), cases[c].expected, cases[c].n, 2e-6);
    }
}

static void
test_reduce_input_axes (void)
{
  const gint64 daxes[] = { 1 }, axes[] = { -2 }, dout[] = { 2, 1, 4 }, dnone[] = { 0 };
  const float expected[] = { -1.0, -0.5, 0.0, 0.5, 5.0, 5.5, 6.0, 6.5 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("ReduceMean", 18);
  g_autoptr(LaminaTestKernel) noop = lamina_test_kernel_new ("ReduceSum", 13);

  lamina_test_kernel_input (k, F32, 3, d234, x24);
  lamina_test_kernel_input (k, I64, 1, daxes, axes);
  run_ok (k, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), F32, 3, dout);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 8, 1e-6);
  /* empty axes with noop_with_empty_axes: the input unchanged */
  lamina_test_kernel_input (noop, F32, 3, d234, x24);
  lamina_test_kernel_input (noop, I64, 1, dnone, axes);
  lamina_test_kernel_set_int (noop, "noop_with_empty_axes", 1);
  run_ok (noop, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (noop, 0), F32, 3, d234);
  lamina_test_assert_floats (lamina_test_kernel_output (noop, 0), x24, 24, 0);
}

static void
test_reduce_int_and_empty (void)
{
  const gint64 d[] = { 2, 3 }, dempty[] = { 0, 3 }, axes[] = { 0 };
  const gint32 v[] = { 1, 2, 3, 4, 5, 6 };
  const gint64 sum[] = { 5, 7, 9 }, zeros[] = { 0, 0, 0 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("ReduceSum", 11);
  g_autoptr(LaminaTestKernel) e = lamina_test_kernel_new ("ReduceSum", 11);

  lamina_test_kernel_input (k, I32, 2, d, v);
  lamina_test_kernel_set_ints (k, "axes", 1, axes);
  lamina_test_kernel_set_int (k, "keepdims", 0);
  run_ok (k, 1);
  g_assert_cmpint (lamina_test_kernel_output (k, 0)->dtype, ==, I32);
  lamina_test_assert_ints (lamina_test_kernel_output (k, 0), sum, 3);
  /* summing nothing gives 0 */
  lamina_test_kernel_input (e, F32, 2, dempty, NULL);
  lamina_test_kernel_set_ints (e, "axes", 1, axes);
  lamina_test_kernel_set_int (e, "keepdims", 0);
  run_ok (e, 1);
  lamina_test_assert_ints (lamina_test_kernel_output (e, 0), zeros, 3);
}

static void
test_reduce_invalid (void)
{
  const gint64 axes[] = { 3 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("ReduceMean", 13);
  g_autoptr(GError) error = NULL;

  lamina_test_kernel_input (k, F32, 3, d234, x24);
  lamina_test_kernel_set_ints (k, "axes", 1, axes);
  g_assert_false (lamina_test_kernel_run (k, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
}

static void
test_reduce_tflite (void)
{
  /* TFLite Mean: axes input, keep_dims option (default false) */
  const gint64 daxes[] = { 2 }, axes[] = { 0, 2 }, dout[] = { 1, 3, 1 };
  const float expected[] = { 0.75, 2.75, 4.75 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Mean", 0);
  g_autoptr(LaminaTestKernel) sum = lamina_test_kernel_new ("Sum", 0);
  const float sum_expected[] = { 6, 22, 38 };
  const gint64 dsum[] = { 3 };
  const gint32 axes32[] = { 0, 2 };

  lamina_test_kernel_input (k, F32, 3, d234, x24);
  lamina_test_kernel_input (k, I64, 1, daxes, axes);
  lamina_test_kernel_set_int (k, "keep_dims", 1);
  run_ok (k, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), F32, 3, dout);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 3, 1e-6);
  lamina_test_kernel_input (sum, F32, 3, d234, x24);
  lamina_test_kernel_input (sum, I32, 1, daxes, axes32);
  run_ok (sum, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (sum, 0), F32, 1, dsum);
  lamina_test_assert_floats (lamina_test_kernel_output (sum, 0), sum_expected, 3, 1e-6);
}

/* ---- ArgMax -------------------------------------------------------------- */

static void
test_argmax (void)
{
  const gint64 d[] = { 2, 3 }, dkeep[] = { 2, 1 }, dscalar[] = { 0 };
  const float v[] = { 1, 3, 3, 2, 2, 0 };
  const gint64 first[] = { 1, 0 }, last[] = { 2, 1 };
  const gint32 axis[] = { -1 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("ArgMax", 13);
  g_autoptr(LaminaTestKernel) l = lamina_test_kernel_new ("ArgMax", 13);
  g_autoptr(LaminaTestKernel) t = lamina_test_kernel_new ("ArgMax", 0);

  lamina_test_kernel_input (k, F32, 2, d, v);
  lamina_test_kernel_set_int (k, "axis", -1);
  run_ok (k, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), I64, 2, dkeep);
  lamina_test_assert_ints (lamina_test_kernel_output (k, 0), first, 2);
  lamina_test_kernel_input (l, F32, 2, d, v);
  lamina_test_kernel_set_int (l, "axis", 1);
  lamina_test_kernel_set_int (l, "select_last_index", 1);
  lamina_test_kernel_set_int (l, "keepdims", 0);
  run_ok (l, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (l, 0), I64, 1, d);
  lamina_test_assert_ints (lamina_test_kernel_output (l, 0), last, 2);
  /* TFLite: axis input, int32 output, no kept dims */
  lamina_test_kernel_input (t, F32, 2, d, v);
  lamina_test_kernel_input (t, I32, 0, dscalar, axis);
  lamina_node_add_attr (lamina_test_kernel_node (t), "output_type", LAMINA_ATTR_STRING)->s = g_strdup ("INT32");
  run_ok (t, 1);
  lamina_test_assert_shape (lamina_test_kernel_output (t, 0), I32, 1, d);
  lamina_test_assert_ints (lamina_test_kernel_output (t, 0), first, 2);
}

/* ---- Softmax ------------------------------------------------------------- */

static void
test_softmax (void)
{
  const gint64 d[] = { 2, 4 };
  const float v[] = { 1, 2, 3, 4, 0, 0, 0, 1000 };
  const float softmax[] = { 0.032058604061603546, 0.08714432269334793, 0.23688280582427979,
                            0.6439142823219299, 0.0, 0.0, 0.0, 1.0 };
  const float log_softmax[] = { -3.4401895999908447, -2.4401895999908447, -1.4401897192001343,
                                -0.4401896595954895, -1000, -1000, -1000, 0 };
  const float hardmax[] = { 0, 0, 0, 1, 0, 0, 0, 1 };
  static const char *const ops[] = { "Softmax", "LogSoftmax", "Hardmax" };
  const float *expected[] = { softmax, log_softmax, hardmax };

  for (guint c = 0; c < G_N_ELEMENTS (ops); c++)
    {
      g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new (ops[c], 13);
      lamina_test_kernel_input (k, F32, 2, d, v);
      run_ok (k, 1);
      lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected[c], 8, 1e-7);
    }
}

static void
test_softmax_axes (void)
{
  const gint64 d[] = { 2, 3, 2 };
  const float axis1[] = { 0.1628071516752243, 0.1628071516752243, 0.29665398597717285,
                          0.29665401577949524, 0.5405388474464417, 0.5405388474464417,
                          0.1628071665763855, 0.1628071665763855, 0.29665401577949524,
                          0.29665398597717285, 0.5405388474464417, 0.5405388474464417 };
  const float coerced[] = { 0.06928380578756332, 0.09352335333824158, 0.12624333798885345,
                            0.17041069269180298, 0.2300303429365158, 0.31050848960876465,
                            0.06928380578756332, 0.09352336078882217, 0.12624333798885345,
                            0.1704106628894806, 0.23003032803535461, 0.31050851941108704 };
  float v[12];
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Softmax", 13);
  g_autoptr(LaminaTestKernel) old = lamina_test_kernel_new ("Softmax", 11);

  for (int i = 0; i < 12; i++)
    v[i] = i * 0.3f;
  /* opset 13: one axis, strided (inner = 2) */
  lamina_test_kernel_input (k, F32, 3, d, v);
  lamina_test_kernel_set_int (k, "axis", 1);
  run_ok (k, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), axis1, 12, 1e-7);
  /* opset 11: axis 1 (the default) flattens dims 1.. into one row */
  lamina_test_kernel_input (old, F32, 3, d, v);
  run_ok (old, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (old, 0), coerced, 12, 1e-7);
}

static void
test_softmax_tflite_beta (void)
{
  /* beta = 2 on [1, 2]: softmax of [2, 4] */
  const gint64 d[] = { 1, 2 };
  const float v[] = { 1, 2 };
  const float expected[] = { 0.11920292202211755, 0.8807970779778823 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("Softmax", 0);

  lamina_test_kernel_input (k, F32, 2, d, v);
  lamina_test_kernel_set_float (k, "beta", 2.0);
  run_ok (k, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 2, 1e-7);
}

/* ---- normalisations ------------------------------------------------------ */

static void
test_batchnorm (void)
{
  const gint64 d[] = { 1, 2, 2, 4 }, dc[] = { 2 };
  const float scale[] = { 1, 2 }, bias[] = { 0.5, -1 }, mean[] = { 1, 2 }, var[] = { 4, 0.25 };
  const float expected[] = { 5.960464477539062e-07, 0.12500044703483582, 0.2500002980232239,
                             0.37500014901161194, 0.5, 0.6249998807907104, 0.7499997019767761,
                             0.8749995231628418, -1.0, -2.002716064453125e-05, 0.9999599456787109,
                             1.9999399185180664, 2.999919891357422, 3.9998998641967773,
                             4.999879837036133, 5.999859809875488 };
  float x[16];
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("BatchNormalization", 15);
  g_autoptr(LaminaTestKernel) bad = lamina_test_kernel_new ("BatchNormalization", 15);
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 16; i++)
    x[i] = i * 0.25f;
  lamina_test_kernel_input (k, F32, 4, d, x);
  lamina_test_kernel_input (k, F32, 1, dc, scale);
  lamina_test_kernel_input (k, F32, 1, dc, bias);
  lamina_test_kernel_input (k, F32, 1, dc, mean);
  lamina_test_kernel_input (k, F32, 1, dc, var);
  run_ok (k, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 16, 1e-6);
  /* a parameter of the wrong length */
  lamina_test_kernel_input (bad, F32, 4, d, x);
  for (int i = 0; i < 3; i++)
    lamina_test_kernel_input (bad, F32, 1, dc, scale);
  lamina_test_kernel_input (bad, F32, 1, d, x);
  g_assert_false (lamina_test_kernel_run (bad, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
}

static void
test_instancenorm (void)
{
  const gint64 d[] = { 1, 2, 4 }, dc[] = { 2 };
  const float x[] = { 1, 2, 3, 4, 2, 2, 2, 6 }, scale[] = { 1, 0.5 }, bias[] = { 0, 1 };
  const float expected[] = { -1.3416354656219482, -0.4472118318080902, 0.4472118318080902,
                             1.3416354656219482, 0.7113253474235535, 0.7113253474235535,
                             0.7113253474235535, 1.8660239577293396 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("InstanceNormalization", 6);

  lamina_test_kernel_input (k, F32, 3, d, x);
  lamina_test_kernel_input (k, F32, 1, dc, scale);
  lamina_test_kernel_input (k, F32, 1, dc, bias);
  run_ok (k, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 8, 1e-6);
}

static void
test_layernorm (void)
{
  const gint64 d[] = { 2, 3 }, dc[] = { 3 }, dstat[] = { 2, 1 };
  const float x[] = { 1, 2, 4, 3, 3, 0 }, scale[] = { 1, 2, 3 }, bias[] = { 0.5, 0, -0.5 };
  const float expected[] = { -0.56904137134552, -0.5345205664634705, 3.5089054107666016,
                             1.2071049809455872, 1.4142099618911743, -4.742629885673523 };
  const float mean[] = { 2.3333332538604736, 2.0 }, inv_std[] = { 0.8017810583114624, 0.7071049809455872 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("LayerNormalization", 17);

  lamina_test_kernel_input (k, F32, 2, d, x);
  lamina_test_kernel_input (k, F32, 1, dc, scale);
  lamina_test_kernel_input (k, F32, 1, dc, bias);
  run_ok (k, 3);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 6, 1e-6);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 1), F32, 2, dstat);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 1), mean, 2, 1e-6);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 2), inv_std, 2, 1e-6);
}

static void
test_groupnorm (void)
{
  const gint64 d[] = { 1, 4, 2, 2 }, dc[] = { 4 };
  const float x[] = { 4.0, 2.25, 1.0, 0.25, -0.0, -0.25, -1.0, -2.25, 4.0, 6.25, 9.0, 12.25,
                      8.0, 10.125, 12.5, 15.125 };
  const float scale[] = { 1, 2, 0.5, -1 }, bias[] = { 0, 1, 0, -1 };
  const float expected[] = { 1.932180643081665, 0.9660903215408325, 0.27602580189704895,
                             -0.13801290094852448, 0.4479483962059021, 0.17192256450653076,
                             -0.6561548709869385, -2.0362837314605713, -0.835281491279602,
                             -0.5030148029327393, -0.09691110998392105, 0.38302963972091675,
                             -0.5108296275138855, -1.138444423675537, -1.8398962020874023,
                             -2.615185260772705 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("GroupNormalization", 21);
  g_autoptr(LaminaTestKernel) bad = lamina_test_kernel_new ("GroupNormalization", 21);
  g_autoptr(GError) error = NULL;

  lamina_test_kernel_input (k, F32, 4, d, x);
  lamina_test_kernel_input (k, F32, 1, dc, scale);
  lamina_test_kernel_input (k, F32, 1, dc, bias);
  lamina_test_kernel_set_int (k, "num_groups", 2);
  run_ok (k, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), expected, 16, 1e-5);
  /* 4 channels do not split into 3 groups */
  lamina_test_kernel_input (bad, F32, 4, d, x);
  lamina_test_kernel_input (bad, F32, 1, dc, scale);
  lamina_test_kernel_input (bad, F32, 1, dc, bias);
  lamina_test_kernel_set_int (bad, "num_groups", 3);
  g_assert_false (lamina_test_kernel_run (bad, 1, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
}

static void
test_lpnorm (void)
{
  const gint64 d[] = { 2, 3 };
  const float x[] = { 1, -2, 3, 0, 0, 0 };
  const float l1[] = { 0.1666666716337204, -0.3333333432674408, 0.5, 0, 0, 0 };
  const float l2_axis0[] = { 1, -1, 1, 0, 0, 0 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("LpNormalization", 1);
  g_autoptr(LaminaTestKernel) k2 = lamina_test_kernel_new ("LpNormalization", 1);

  lamina_test_kernel_input (k, F32, 2, d, x);
  lamina_test_kernel_set_int (k, "p", 1);
  run_ok (k, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), l1, 6, 1e-7);
  lamina_test_kernel_input (k2, F32, 2, d, x);
  lamina_test_kernel_set_int (k2, "axis", 0);
  run_ok (k2, 1);
  lamina_test_assert_floats (lamina_test_kernel_output (k2, 0), l2_axis0, 6, 1e-7);
}

/* ---- TopK, CumSum -------------------------------------------------------- */

static void
test_topk (void)
{
  const gint64 d[] = { 2, 5 }, dk[] = { 1 }, dout[] = { 2, 3 };
  const float v[] = { 3, 1, 3, 2, 5, 0, 0, 1, 1, -1 };
  const gint64 k3[] = { 3 }, k2[] = { 2 }, k9[] = { 9 };
  const float largest[] = { 5, 3, 3, 1, 1, 0 };
  const gint64 largest_index[] = { 4, 0, 2, 2, 3, 0 };   /* ties: lower index first */
  const float smallest[] = { 1, 2, -1, 0 };
  const gint64 smallest_index[] = { 1, 3, 4, 0 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("TopK", 11);
  g_autoptr(LaminaTestKernel) s = lamina_test_kernel_new ("TopK", 11);
  g_autoptr(LaminaTestKernel) bad = lamina_test_kernel_new ("TopK", 11);
  g_autoptr(GError) error = NULL;

  lamina_test_kernel_input (k, F32, 2, d, v);
  lamina_test_kernel_input (k, I64, 1, dk, k3);
  run_ok (k, 2);
  lamina_test_assert_shape (lamina_test_kernel_output (k, 0), F32, 2, dout);
  lamina_test_assert_floats (lamina_test_kernel_output (k, 0), largest, 6, 0);
  lamina_test_assert_ints (lamina_test_kernel_output (k, 1), largest_index, 6);

  lamina_test_kernel_input (s, F32, 2, d, v);
  lamina_test_kernel_input (s, I64, 1, dk, k2);
  lamina_test_kernel_set_int (s, "largest", 0);
  run_ok (s, 2);
  lamina_test_assert_floats (lamina_test_kernel_output (s, 0), smallest, 4, 0);
  lamina_test_assert_ints (lamina_test_kernel_output (s, 1), smallest_index, 4);

  lamina_test_kernel_input (bad, F32, 2, d, v);
  lamina_test_kernel_input (bad, I64, 1, dk, k9);
  g_assert_false (lamina_test_kernel_run (bad, 2, 1, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
}

static void
test_cumsum (void)
{
  const gint64 d[] = { 4 }, dscalar[] = { 0 };
  const gint64 v[] = { 1, 2, 3, 4 }, axis[] = { 0 };
  const gint64 plain[] = { 1, 3, 6, 10 }, exclusive_reverse[] = { 9, 7, 4, 0 };
  g_autoptr(LaminaTestKernel) k = lamina_test_kernel_new ("CumSum", 14);
  g_autoptr(LaminaTestKernel) r = lamina_test_kernel_new ("CumSum", 14);

  lamina_test_kernel_input (k, I64, 1, d, v);
  lamina_test_kernel_input (k, I64, 0, dscalar, axis);
  run_ok (k, 1);
  lamina_test_assert_ints (lamina_test_kernel_output (k, 0), plain, 4);
  lamina_test_kernel_input (r, I64, 1, d, v);
  lamina_test_kernel_input (r, I64, 0, dscalar, axis);
  lamina_test_kernel_set_int (r, "exclusive", 1);
  lamina_test_kernel_set_int (r, "reverse", 1);
  run_ok (r, 1);
  lamina_test_assert_ints (lamina_test_kernel_output (r, 0), exclusive_reverse, 4);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (int i = 0; i < 24; i++)
    x24[i] = i * 0.5f - 3;
  g_test_add_func ("/ops/reduce/attribute-axes", test_reduce_attribute_axes);
  g_test_add_func ("/ops/reduce/input-axes", test_reduce_input_axes);
  g_test_add_func ("/ops/reduce/int-and-empty", test_reduce_int_and_empty);
  g_test_add_func ("/ops/reduce/invalid", test_reduce_invalid);
  g_test_add_func ("/ops/reduce/tflite", test_reduce_tflite);
  g_test_add_func ("/ops/reduce/argmax", test_argmax);
  g_test_add_func ("/ops/reduce/softmax", test_softmax);
  g_test_add_func ("/ops/reduce/softmax-axes", test_softmax_axes);
  g_test_add_func ("/ops/reduce/softmax-tflite-beta", test_softmax_tflite_beta);
  g_test_add_func ("/ops/reduce/batchnorm", test_batchnorm);
  g_test_add_func ("/ops/reduce/instancenorm", test_instancenorm);
  g_test_add_func ("/ops/reduce/layernorm", test_layernorm);
  g_test_add_func ("/ops/reduce/groupnorm", test_groupnorm);
  g_test_add_func ("/ops/reduce/lpnorm", test_lpnorm);
  g_test_add_func ("/ops/reduce/topk", test_topk);
  g_test_add_func ("/ops/reduce/cumsum", test_cumsum);
  return g_test_run ();
}
