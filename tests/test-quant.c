/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-quant: calibration observers on hand-made data with known answers,
 * BatchNormalization folding on a tiny Conv graph (simulator outputs equal
 * before and after), the structure of Yolo-FastestV2's QDQ graph, and ONNX
 * Runtime running that QDQ file against the float model (cosine
 * similarity reported). The shared-model parts skip without ../shared,
 * the ORT part without node/onnxruntime-node.
 */
#define G_LOG_DOMAIN "test-quant"

#include <math.h>
#include <string.h>
#include "lamina-test-util.h"
#include "lamina-model-load.h"
#include "onnx/lamina-onnx-write.h"
#include "quant/lamina-calibrate.h"
#include "quant/lamina-quantize.h"
#include "graph/lamina-shape-infer.h"
#include "sim/lamina-npy.h"
#include "sim/lamina-sim.h"
#include "vision/lamina-preset.h"

/* ---- observers ------------------------------------------------------------- */

static void
test_minmax (void)
{
  static const float a[] = { -3.0f, 1.0f, 2.5f }, b[] = { 0.5f, NAN, INFINITY, -1.0f };
  LaminaObserver o;
  float lo, hi;

  lamina_observer_init (&o);
  g_assert_false (lamina_observer_range (&o, LAMINA_CALIB_MINMAX, 99.99, 8, &lo, &hi));
  lamina_observer_update (&o, a, G_N_ELEMENTS (a));
  lamina_observer_update (&o, b, G_N_ELEMENTS (b));   /* NaN/Inf skipped */
  g_assert_true (lamina_observer_range (&o, LAMINA_CALIB_MINMAX, 99.99, 8, &lo, &hi));
  g_assert_cmpfloat (lo, ==, -3.0f);
  g_assert_cmpfloat (hi, ==, 2.5f);
  g_assert_cmpuint (o.count, ==, 5);
}

/* 1,000,001 evenly spaced values in [-1, 1], fed in growing batches (so
 * the histogram range doubles on the way): the 99th percentile of each
 * tail is ±0.98 within a bin or two. */
static void
test_percentile (void)
{
  const guint n = 1000001;
  g_autofree float *v = g_new (float, n);
  LaminaObserver o;
  double width;
  float lo, hi;

  for (guint i = 0; i < n; i++)
    v[i] = -1.0f + 2.0f * i / (n - 1);
  lamina_observer_init (&o);
  /* the middle first: small range, then the rest */
  lamina_observer_update (&o, v + n / 2 - 1000, 2000);
  lamina_observer_update (&o, v, n / 2 - 1000);
  lamina_observer_update (&o, v + n / 2 + 1000, n - (n / 2 + 1000));
  g_assert_cmpuint (o.count, ==, n);
  g_assert_cmpfloat (o.range, >=, 1.0);
  width = 2 * o.range / LAMINA_CALIB_HIST_BINS;
  g_assert_true (lamina_observer_range (&o, LAMINA_CALIB_PERCENTILE, 99.0, 8, &lo, &hi));
  g_test_message ("percentile 99: [%g, %g], bin width %g", lo, hi, width);
  g_assert_cmpfloat (fabs (hi - 0.98), <=, 2 * width);
  g_assert_cmpfloat (fabs (lo + 0.98), <=, 2 * width);
  /* 100 keeps everything */
  g_assert_true (lamina_observer_range (&o, LAMINA_CALIB_PERCENTILE, 100.0, 8, &lo, &hi));
  g_assert_cmpfloat (lo, ==, -1.0f);
  g_assert_cmpfloat (hi, ==, 1.0f);
}

/* A Gaussian bulk with a few huge outliers: entropy clips well below the
 * maximum and well above the bulk's spread. */
static void
test_entropy (void)
{
  const guint n = 200000;
  g_autofree float *v = g_new (float, n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  LaminaObserver o;
  double t;
  float lo, hi;

  for (guint i = 0; i < n; i += 2)
    {
      double u1 = g_rand_double_range (rand, 1e-12, 1.0), u2 = g_rand_double (rand);
      double r = sqrt (-2 * log (u1));
      v[i] = (float) (r * cos (2 * G_PI * u2));
      v[i + 1] = (float) (r * sin (2 * G_PI * u2));
    }
  for (guint i = 0; i < 20; i++)
    v[i * 997] = 60.0f + i;
  lamina_observer_init (&o);
  lamina_observer_update (&o, v, n);
  t = lamina_observer_entropy_threshold (&o, 8);
  g_test_message ("entropy threshold %g (max %g)", t, o.max);
  g_assert_cmpfloat (t, <, o.max / 2);
  g_assert_cmpfloat (t, >, 2.0);
  g_assert_true (lamina_observer_range (&o, LAMINA_CALIB_ENTROPY, 0, 8, &lo, &hi));
  g_assert_cmpfloat (hi, <=, t);
  g_assert_cmpfloat (lo, >=, -t);
}

static void
test_method_names (void)
{
  LaminaCalibMethod m;

  g_assert_true (lamina_calib_method_from_name ("entropy", &m));
  g_assert_cmpint (m, ==, LAMINA_CALIB_ENTROPY);
  g_assert_false (lamina_calib_method_from_name ("bogus", &m));
  g_assert_false (lamina_calib_method_from_name (NULL, &m));
}

/* ---- BatchNormalization folding ----------------------------------------------- */

static LaminaTensor *
constant (LaminaGraph *g, const char *name, int rank, const gint64 *dims, GRand *rand, double lo, double hi)
{
  LaminaTensor *t = lamina_graph_ensure_tensor (g, name);
  gint64 n;
  float *d;

  t->dtype = LAMINA_DTYPE_FLOAT32;
  lamina_shape_set (&t->shape, rank, dims);
  n = lamina_shape_numel (&t->shape);
  d = g_new (float, n);
  for (gint64 i = 0; i < n; i++)
    d[i] = (float) g_rand_double_range (rand, lo, hi);
  t->data = g_bytes_new_take (d, n * sizeof (float));
  t->is_constant = TRUE;
  return t;
}

/* An ONNX model of one graph with the given default-domain opset and one
 * float32 input "x". */
static LaminaModel *
model_with_input (const char *name, gint64 opset_version, int rank, const gint64 *dims)
{
  LaminaModel *m = lamina_model_new (LAMINA_FORMAT_ONNX);
  LaminaGraph *g = lamina_graph_new (name);
  LaminaOpset opset = { g_strdup (""), opset_version };
  LaminaTensor *x;

  g_ptr_array_add (m->graphs, g);
  m->graph = g;
  g_array_append_val (m->opsets, opset);
  x = lamina_graph_ensure_tensor (g, "x");
  x->dtype = LAMINA_DTYPE_FLOAT32;
  lamina_shape_set (&x->shape, rank, dims);
  g_ptr_array_add (g->inputs, x);
  return m;
}

/* x[1,2,5,5] → Conv(3 filters 3x3, bias) → BatchNormalization → Relu → y */
static LaminaModel *
conv_bn_model (void)
{
  static const gint64 xd[] = { 1, 2, 5, 5 }, wd[] = { 3, 2, 3, 3 }, cd[] = { 3 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  LaminaModel *m = model_with_input ("conv-bn", 13, 4, xd);
  LaminaGraph *g = m->graph;
  LaminaTensor *x = lamina_graph_lookup_tensor (g, "x"), *y;
  LaminaNode *n;

  n = lamina_graph_add_node (g, "conv", "Conv", "");
  lamina_node_add_input (n, x);
  lamina_node_add_input (n, constant (g, "w", 4, wd, rand, -1, 1));
  lamina_node_add_input (n, constant (g, "b", 1, cd, rand, -1, 1));
  lamina_node_add_output (n, lamina_graph_ensure_tensor (g, "c"));
  n = lamina_graph_add_node (g, "bn", "BatchNormalization", "");
  lamina_node_add_input (n, lamina_graph_lookup_tensor (g, "c"));
  lamina_node_add_input (n, constant (g, "gamma", 1, cd, rand, 0.5, 2));
  lamina_node_add_input (n, constant (g, "beta", 1, cd, rand, -1, 1));
  lamina_node_add_input (n, constant (g, "mean", 1, cd, rand, -0.5, 0.5));
  lamina_node_add_input (n, constant (g, "var", 1, cd, rand, 0.1, 3));
  lamina_node_add_attr (n, "epsilon", LAMINA_ATTR_FLOAT)->f = 1e-3;
  lamina_node_add_output (n, lamina_graph_ensure_tensor (g, "bn_out"));
  n = lamina_graph_add_node (g, "relu", "Relu", "");
  lamina_node_add_input (n, lamina_graph_lookup_tensor (g, "bn_out"));
  y = lamina_graph_ensure_tensor (g, "y");
  lamina_node_add_output (n, y);
  g_ptr_array_add (g->outputs, y);
  g_assert_true (lamina_graph_link (g, NULL));
  lamina_graph_infer_shapes (g);
  return m;
}

static void
run_model (LaminaModel *m, const LaminaValue *x, float *out, gint64 n)
{
  g_autoptr(GError) error = NULL;
  LaminaSimOptions o = { 1 };
  g_autoptr(LaminaSim) sim = lamina_sim_new (m, m->graph, &o, &error);
  const LaminaValue *y;

  g_assert_no_error (error);
  g_assert_true (lamina_sim_set_input (sim, "x", x, &error));
  g_assert_true (lamina_sim_run (sim, &error));
  g_assert_no_error (error);
  y = lamina_sim_get_value (sim, g_ptr_array_index (m->graph->outputs, 0));
  g_assert_cmpint (y->numel, ==, n);
  memcpy (out, y->data, n * sizeof (float));
}

static const float *
tensor_floats (const LaminaModel *m, const char *name)
{
  return g_bytes_get_data (lamina_graph_lookup_tensor (m->graph, name)->data, NULL);
}

/* Conv (no padding, stride 1) → BatchNormalization → Relu in double
 * precision, independent of the simulator (which fuses Conv+BN itself). */
static void
reference_conv_bn (const LaminaModel *m, const float *x, double *y)
{
  const float *w = tensor_floats (m, "w"), *b = tensor_floats (m, "b"), *gamma = tensor_floats (m, "gamma");
  const float *beta = tensor_floats (m, "beta"), *mean = tensor_floats (m, "mean"), *var = tensor_floats (m, "var");

  for (int o = 0; o < 3; o++)
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++)
        {
          double acc = b[o], v;
          for (int c = 0; c < 2; c++)
            for (int ki = 0; ki < 3; ki++)
              for (int kj = 0; kj < 3; kj++)
                acc += (double) w[((o * 2 + c) * 3 + ki) * 3 + kj] * x[(c * 5 + i + ki) * 5 + j + kj];
          v = (acc - mean[o]) / sqrt ((double) var[o] + 1e-3) * gamma[o] + beta[o];
          y[(o * 3 + i) * 3 + j] = MAX (v, 0.0);
        }
}

static void
test_fold_batchnorm (void)
{
  static const gint64 xd[] = { 1, 2, 5, 5 };
  g_autoptr(LaminaModel) m = conv_bn_model ();
  g_autoptr(LaminaModel) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  LaminaValue x = { 0 };
  float before[27], after[27];
  double max_diff = 0, ref[27];
  guint folded = 0;

  f = lamina_fold_batchnorm (m, &folded, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folded, ==, 1);
  g_assert_cmpuint (f->graph->nodes->len, ==, 2);
  for (guint i = 0; i < f->graph->nodes->len; i++)
    g_assert_cmpstr (((LaminaNode *) g_ptr_array_index (f->graph->nodes, i))->op_type, !=, "BatchNormalization");
  /* the folded Conv writes the BatchNormalization's output */
  g_assert_nonnull (lamina_graph_lookup_tensor (f->graph, "bn_out")->producer);
  g_assert_true (lamina_value_set_shape (&x, LAMINA_DTYPE_FLOAT32, 4, xd, &error));
  g_assert_true (lamina_value_alloc (&x, &error));
  for (gint64 i = 0; i < x.numel; i++)
    LAMINA_VALUE_F32 (&x)[i] = (float) g_rand_double_range (rand, -2, 2);
  run_model (m, &x, before, 27);
  run_model (f, &x, after, 27);
  reference_conv_bn (m, x.data, ref);
  for (guint i = 0; i < 27; i++)
    {
      max_diff = MAX (max_diff, fabs (before[i] - after[i]));
      max_diff = MAX (max_diff, fabs (ref[i] - after[i]));
    }
  g_test_message ("BN folding: max abs difference %g (simulator before/after and a double-precision reference)", max_diff);
  g_assert_cmpfloat (max_diff, <=, 1e-5);
  lamina_value_clear (&x);
}

/* ---- opset 13 ------------------------------------------------------------------ */

static void
set_ints (LaminaNode *n, const char *name, guint count, const gint64 *values)
{
  LaminaAttr *a = lamina_node_add_attr (n, name, LAMINA_ATTR_INTS);

  a->n = count;
  a->ints = g_memdup2 (values, count * sizeof *values);
}

static LaminaNode *
chain_node (LaminaGraph *g, const char *name, const char *op, const char *in, const char *out)
{
  LaminaNode *n = lamina_graph_add_node (g, name, op, "");

  lamina_node_add_input (n, lamina_graph_lookup_tensor (g, in));
  lamina_node_add_output (n, lamina_graph_ensure_tensor (g, out));
  return n;
}

/* x[2,6] → Slice(starts 1, ends 5, axes 1) → Clip(min 2, max 8) →
 * Unsqueeze(axes 0) → y[1,2,4] with opset 9's attributes. */
static LaminaModel *
opset9_model (void)
{
  static const gint64 xd[] = { 2, 6 }, one[] = { 1 }, five[] = { 5 }, zero[] = { 0 };
  LaminaModel *m = model_with_input ("opset9", 9, 2, xd);
  LaminaGraph *g = m->graph;
  LaminaNode *n;

  n = chain_node (g, "slice", "Slice", "x", "s");
  set_ints (n, "starts", 1, one);
  set_ints (n, "ends", 1, five);
  set_ints (n, "axes", 1, one);
  n = chain_node (g, "clip", "Clip", "s", "c");
  lamina_node_add_attr (n, "min", LAMINA_ATTR_FLOAT)->f = 2;
  lamina_node_add_attr (n, "max", LAMINA_ATTR_FLOAT)->f = 8;
  n = chain_node (g, "unsqueeze", "Unsqueeze", "c", "y");
  set_ints (n, "axes", 1, zero);
  g_ptr_array_add (g->outputs, lamina_graph_lookup_tensor (g, "y"));
  g_assert_true (lamina_graph_link (g, NULL));
  lamina_graph_infer_shapes (g);
  return m;
}

/* Attributes that became inputs are constants named after node and
 * attribute, and the upgraded graph computes what opset 9 meant. */
static void
test_upgrade_opset13 (void)
{
  static const gint64 xd[] = { 2, 6 };
  static const float expected[] = { 2, 2, 3, 4, 7, 8, 8, 8 };
  g_autoptr(LaminaModel) m = opset9_model ();
  g_autoptr(LaminaModel) up = NULL;
  g_autoptr(GError) error = NULL;
  const LaminaNode *slice, *clip, *unsqueeze;
  const LaminaTensor *t;
  LaminaValue x = { 0 };
  float y[8];

  up = lamina_upgrade_opset13 (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (up->opsets->len, ==, 1);
  g_assert_cmpint (g_array_index (up->opsets, LaminaOpset, 0).version, ==, 13);
  g_assert_cmpuint (up->graph->nodes->len, ==, 3);
  slice = g_ptr_array_index (up->graph->nodes, 0);
  clip = g_ptr_array_index (up->graph->nodes, 1);
  unsqueeze = g_ptr_array_index (up->graph->nodes, 2);
  g_assert_cmpuint (slice->inputs->len, ==, 4);
  g_assert_cmpuint (slice->attrs->len, ==, 0);
  t = g_ptr_array_index (slice->inputs, 2);
  g_assert_cmpstr (t->name, ==, "slice_ends");
  g_assert_true (t->is_constant);
  g_assert_cmpint (t->dtype, ==, LAMINA_DTYPE_INT64);
  g_assert_cmpint (*(const gint64 *) g_bytes_get_data (t->data, NULL), ==, 5);
  g_assert_cmpuint (clip->inputs->len, ==, 3);
  t = g_ptr_array_index (clip->inputs, 2);
  g_assert_cmpstr (t->name, ==, "clip_max");
  g_assert_cmpint (t->dtype, ==, LAMINA_DTYPE_FLOAT32);
  g_assert_cmpint (t->shape.rank, ==, 0);
  g_assert_cmpuint (unsqueeze->inputs->len, ==, 2);
  g_assert_null (lamina_node_get_attr (unsqueeze, "axes"));

  g_assert_true (lamina_value_set_shape (&x, LAMINA_DTYPE_FLOAT32, 2, xd, NULL));
  g_assert_true (lamina_value_alloc (&x, NULL));
  for (int i = 0; i < 12; i++)
    LAMINA_VALUE_F32 (&x)[i] = (float) i;
  run_model (up, &x, y, G_N_ELEMENTS (y));
  for (guint i = 0; i < G_N_ELEMENTS (y); i++)
    g_assert_cmpfloat (y[i], ==, expected[i]);
  lamina_value_clear (&x);

  /* Slice without starts cannot be upgraded */
  g_ptr_array_remove_index (((LaminaNode *) g_ptr_array_index (m->graph->nodes, 0))->attrs, 0);
  g_clear_pointer (&up, lamina_model_free);
  up = lamina_upgrade_opset13 (m, &error);
  g_assert_null (up);
  g_assert_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "starts"));
}

/* ---- Yolo-FastestV2 ---------------------------------------------------------------- */

typedef struct {
  guint calls, last_done, last_total;
} Progress;

static void
on_progress (guint done, guint total, const char *current, gpointer data)
{
  Progress *p = data;

  p->calls++;
  p->last_done = done;
  p->last_total = total;
}

static LaminaCalibration *
calibrate_yolo (LaminaModel *model, const char *path, Progress *p)
{
  g_autofree char *bus = lamina_test_shared_image ("bus.jpg");
  g_autofree char *dog = lamina_test_shared_image ("dog.jpg");
  g_autofree char *voc = lamina_test_shared_image ("voc-000004.jpg");
  const char *paths[] = { bus, dog, voc, NULL };
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(GError) error = NULL;
  LaminaCalibOptions o = { 0, NULL, 0, on_progress, p };
  LaminaCalibration *c;

  if (bus == NULL || dog == NULL || voc == NULL)
    return NULL;
  inputs = lamina_calibration_list_inputs (paths, &error);
  g_assert_no_error (error);
  c = lamina_calibrate (model, path, inputs, &o, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lamina_calibration_n_used (c), ==, 3);
  return c;
}

static const float *
constant_floats (const LaminaTensor *t, gint64 *n)
{
  g_assert_nonnull (t);
  g_assert_true (t->is_constant);
  g_assert_cmpint (t->dtype, ==, LAMINA_DTYPE_FLOAT32);
  *n = lamina_shape_numel (&t->shape);
  return g_bytes_get_data (t->data, NULL);
}

static void
check_conv_weights (const LaminaGraph *g)
{
  guint n_conv = 0;

  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (g->nodes, i);
      const LaminaTensor *w, *wq;
      const LaminaNode *dq;
      gint64 n_scales;
      if (strcmp (n->op_type, "Conv") != 0)
        continue;
      w = g_ptr_array_index (n->inputs, 1);
      dq = w->producer;
      g_assert_nonnull (dq);
      g_assert_cmpstr (dq->op_type, ==, "DequantizeLinear");
      g_assert_cmpint (lamina_node_get_int (dq, "axis", -1), ==, 0);
      wq = g_ptr_array_index (dq->inputs, 0);
      g_assert_cmpint (wq->dtype, ==, LAMINA_DTYPE_INT8);
      constant_floats (g_ptr_array_index (dq->inputs, 1), &n_scales);
      g_assert_cmpint (n_scales, ==, wq->shape.dims[0].value);
      /* the bias: int32, never saturated (with the weight scale max |w| /
       * 127, a channel of Conv_3's depthwise filter — tiny weights after
       * BatchNormalization folding — needed more than 2^31 for its bias,
       * and the file saturated it; the quantizer now widens that channel's
       * weight scale instead) */
      if (n->inputs->len > 2)
        {
          const LaminaTensor *b = g_ptr_array_index (n->inputs, 2);
          const LaminaTensor *bq = g_ptr_array_index (b->producer->inputs, 0);
          const gint32 *v = g_bytes_get_data (bq->data, NULL);
          g_assert_cmpstr (b->producer->op_type, ==, "DequantizeLinear");
          g_assert_cmpint (bq->dtype, ==, LAMINA_DTYPE_INT32);
          for (gint64 k = 0; k < lamina_shape_numel (&bq->shape); k++)
            g_assert_cmpint (ABS ((gint64) v[k]), <, G_MAXINT32);
        }
      n_conv++;
    }
  g_assert_cmpuint (n_conv, ==, 79);
}

/* scale and zero point a DequantizeLinear / QuantizeLinear node uses */
static void
node_params (const LaminaNode *n, float *scale, gint64 *zp)
{
  gint64 count;
  const LaminaTensor *z = g_ptr_array_index (n->inputs, 2);

  *scale = constant_floats (g_ptr_array_index (n->inputs, 1), &count)[0];
  g_assert_cmpint (count, ==, 1);
  *zp = ((const gint8 *) g_bytes_get_data (z->data, NULL))[0];
}

static const LaminaNode *
quantize_node_of (const LaminaTensor *t)
{
  for (guint i = 0; i < t->consumers->len; i++)
    {
      const LaminaNode *c = g_ptr_array_index (t->consumers, i);
      if (strcmp (c->op_type, "QuantizeLinear") == 0)
        return c;
    }
  return NULL;
}

static void
check_concat_shared (const LaminaGraph *g)
{
  guint n_checked = 0;

  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (g->nodes, i);
      const LaminaNode *q;
      float s_out, s_in;
      gint64 z_out, z_in;
      if (strcmp (n->op_type, "Concat") != 0 ||
          ((LaminaTensor *) g_ptr_array_index (n->outputs, 0))->dtype != LAMINA_DTYPE_FLOAT32)
        continue;
      q = quantize_node_of (g_ptr_array_index (n->outputs, 0));
      g_assert_nonnull (q);
      node_params (q, &s_out, &z_out);
      for (guint k = 0; k < n->inputs->len; k++)
        {
          const LaminaTensor *in = g_ptr_array_index (n->inputs, k);
          g_assert_nonnull (in->producer);
          g_assert_cmpstr (in->producer->op_type, ==, "DequantizeLinear");
          node_params (in->producer, &s_in, &z_in);
          g_assert_cmpfloat (s_in, ==, s_out);
          g_assert_cmpint (z_in, ==, z_out);
        }
      n_checked++;
    }
  g_test_message ("%u float Concats share their parameters with their inputs", n_checked);
  g_assert_cmpuint (n_checked, >, 0);
}

static void
check_float_of (const LaminaModel *fixed, const LaminaModel *flt)
{
  g_autoptr(GHashTable) map = lamina_quantize_float_of (fixed);
  const LaminaGraph *g = fixed->graph;
  guint n = 0;

  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *node = g_ptr_array_index (g->nodes, i);
      const LaminaTensor *out = g_ptr_array_index (node->outputs, 0);
      const char *src;
      if (strcmp (node->op_type, "QuantizeLinear") != 0 && strcmp (node->op_type, "DequantizeLinear") != 0)
        continue;
      src = g_hash_table_lookup (map, out->name);
      if (src == NULL)   /* a graph output keeps its own name */
        src = out->name;
      g_assert_nonnull (lamina_graph_lookup_tensor (flt->graph, src));
      n++;
    }
  g_test_message ("%u QDQ tensors traced to their float tensors", n);
}

static void
ort_compare (const LaminaModel *model, const char *float_path, const char *fixed_path)
{
  g_autofree char *node = lamina_test_find_node_ort ();
  g_autofree char *bus = lamina_test_shared_image ("bus.jpg");
  g_autofree char *dir = g_build_filename (lamina_test_tmpdir (), "ort", NULL);
  g_autofree char *npy = g_build_filename (dir, "bus.npy", NULL);
  g_autofree char *feed = NULL, *out_f = NULL, *out_q = NULL, *pf = NULL, *pq = NULL;
  g_autoptr(LaminaPreset) preset = NULL;
  g_autoptr(LaminaImage) image = NULL;
  g_autoptr(GError) error = NULL;
  const LaminaTensor *input = g_ptr_array_index (model->graph->inputs, 0);
  const LaminaTensor *output = g_ptr_array_index (model->graph->outputs, 0);
  LaminaValue x = { 0 }, a = { 0 }, b = { 0 };
  double dot = 0, na = 0, nb = 0, cosine;
  const char *feeds[2];

  if (node == NULL || bus == NULL)
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  preset = lamina_preset_find (float_path, model->graph, NULL, &error);
  g_assert_no_error (error);
  image = lamina_image_load (bus, &error);
  g_assert_true (lamina_preprocess_image (image, &preset->pre, input, &x, NULL, &error));
  g_assert_true (lamina_npy_write (npy, &x, &error));
  g_assert_no_error (error);
  feed = g_strdup_printf ("%s=%s", input->name, npy);
  feeds[0] = feed;
  feeds[1] = NULL;
  out_f = g_build_filename (dir, "float", NULL);
  out_q = g_build_filename (dir, "fixed", NULL);
  lamina_test_run_ort (node, float_path, out_f, feeds);
  lamina_test_run_ort (node, fixed_path, out_q, feeds);
  pf = lamina_test_ort_output_path (out_f, output->name);
  pq = lamina_test_ort_output_path (out_q, output->name);
  g_assert_true (lamina_npy_read (pf, &a, &error));
  g_assert_true (lamina_npy_read (pq, &b, &error));
  g_assert_no_error (error);
  g_assert_true (lamina_value_same_shape (&a, &b));
  for (gint64 i = 0; i < a.numel; i++)
    {
      double u = LAMINA_VALUE_F32 (&a)[i], v = LAMINA_VALUE_F32 (&b)[i];
      dot += u * v;
      na += u * u;
      nb += v * v;
    }
  cosine = dot / sqrt (na * nb);
  g_test_message ("Yolo-FastestV2 on bus.jpg, ONNX Runtime: QDQ int8 (min-max, 3 images) vs float, "
                  "output %s: cosine similarity %.6f", output->name, cosine);
  g_assert_cmpfloat (cosine, >=, 0.99);
  lamina_value_clear (&x);
  lamina_value_clear (&a);
  lamina_value_clear (&b);
}

static void
test_yolo_fastestv2 (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autoptr(LaminaModel) model = NULL, fixed = NULL, back = NULL;
  g_autoptr(LaminaCalibration) calib = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fixed_path = NULL;
  LaminaQuantizeOptions o = { LAMINA_CALIB_MINMAX, 0, 8, NULL, NULL };
  LaminaQuantizeStats stats;
  Progress p = { 0 };

  if (path == NULL)
    return;
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  if ((calib = calibrate_yolo (model, path, &p)) == NULL)
    return;
  g_assert_cmpuint (p.calls, ==, 4);
  g_assert_cmpuint (p.last_done, ==, 3);
  g_assert_cmpuint (p.last_total, ==, 3);
  fixed = lamina_quantize (model, calib, &o, &stats, &error);
  g_assert_no_error (error);
  g_test_message ("int8 activations %u, fused %u, weights %u, biases %u",
                  stats.n_int8, stats.n_fused, stats.n_weights, stats.n_biases);
  g_assert_cmpint (fixed->kind, ==, LAMINA_KIND_FIXED);
  g_assert_cmpint (lamina_model_detect_kind (fixed), ==, LAMINA_KIND_FIXED);
  check_conv_weights (fixed->graph);
  check_concat_shared (fixed->graph);
  check_float_of (fixed, model);
  /* written and read back: still fixed, same node count */
  fixed_path = g_build_filename (lamina_test_tmpdir (), "yolo-fastestv2-int8.onnx", NULL);
  g_assert_true (lamina_onnx_write (fixed, fixed_path, &error));
  g_assert_no_error (error);
  back = lamina_model_load (fixed_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->kind, ==, LAMINA_KIND_FIXED);
  g_assert_cmpuint (back->graph->nodes->len, ==, fixed->graph->nodes->len);
  ort_compare (model, path, fixed_path);
}

/* Mixed precision: keep_float by operator type, int16 by node name. */
static void
test_mixed_precision (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autoptr(LaminaModel) model = NULL, fixed = NULL;
  g_autoptr(LaminaCalibration) calib = NULL;
  g_autoptr(GError) error = NULL;
  const char *keep[] = { "Softmax", NULL }, *wide[] = { "Relu_1", "448", NULL };
  LaminaQuantizeOptions o = { LAMINA_CALIB_PERCENTILE, 99.99, 8, keep, wide };
  LaminaQuantizeStats stats;
  Progress p = { 0 };
  gboolean has_ms = FALSE;

  if (path == NULL)
    return;
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  if ((calib = calibrate_yolo (model, path, &p)) == NULL)
    return;
  fixed = lamina_quantize (model, calib, &o, &stats, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_float, ==, 2);
  g_assert_cmpuint (stats.n_int16, ==, 2);   /* Relu_1 by node name, 448 by tensor name */
  for (guint i = 0; i < fixed->opsets->len; i++)
    has_ms |= strcmp (g_array_index (fixed->opsets, LaminaOpset, i).domain, "com.microsoft") == 0;
  g_assert_true (has_ms);
  for (guint i = 0; i < fixed->graph->nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (fixed->graph->nodes, i);
      const LaminaTensor *out = g_ptr_array_index (n->outputs, 0);
      if (strcmp (n->op_type, "Softmax") == 0)
        g_assert_null (quantize_node_of (out));
    }
}

static void
test_cancel_and_bad_inputs (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  g_autofree char *bad = g_build_filename (lamina_test_tmpdir (), "broken.jpg", NULL);
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  LaminaCalibration *c;
  const char *none[] = { "/nonexistent/folder", NULL };

  g_assert_null (lamina_calibration_list_inputs (none, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  if (path == NULL)
    return;
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (bad, "not a jpeg", -1, NULL));
  g_ptr_array_add (inputs, bad);
  c = lamina_calibrate (model, path, inputs, NULL, NULL, &error);
  g_assert_null (c);
  g_assert_error (error, LAMINA_CALIBRATE_ERROR, LAMINA_CALIBRATE_ERROR_NO_INPUTS);
  g_test_message ("expected: %s", error->message);
  g_clear_error (&error);
  g_cancellable_cancel (cancel);
  c = lamina_calibrate (model, path, inputs, NULL, cancel, &error);
  g_assert_null (c);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Every model through the quantizer and the writer without the simulator:
 * a synthetic calibration (each float tensor saw [-1, 2]). Covers opset 9
 * (UltraFace: Slice, Unsqueeze, Softmax moved to 13) and BN folding. */
static void
test_synthetic (gconstpointer data)
{
  static const float seen[] = { -1.0f, 0.5f, 2.0f };
  g_autofree char *path = lamina_test_shared_model (data);
  g_autofree char *out = NULL;
  g_autoptr(LaminaModel) model = NULL, fixed = NULL, back = NULL;
  g_autoptr(LaminaCalibration) calib = lamina_calibration_new ();
  g_autoptr(GError) error = NULL;
  LaminaQuantizeOptions o = { LAMINA_CALIB_ENTROPY, 0, 8, NULL, NULL };
  LaminaQuantizeStats stats;

  if (path == NULL)
    return;
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < model->graph->tensors->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (model->graph->tensors, i);
      if (!t->is_constant && t->dtype == LAMINA_DTYPE_FLOAT32)
        lamina_observer_update (lamina_calibration_ensure (calib, t->name), seen, G_N_ELEMENTS (seen));
    }
  fixed = lamina_quantize (model, calib, &o, &stats, &error);
  g_assert_no_error (error);
  g_test_message ("%s: BN folded %u, int8 %u, fused %u, weights %u", (const char *) data,
                  stats.n_bn_folded, stats.n_int8, stats.n_fused, stats.n_weights);
  g_assert_cmpuint (stats.n_int8, >, 0);
  out = g_build_filename (lamina_test_tmpdir (), "synthetic.onnx", NULL);
  g_assert_true (lamina_onnx_write (fixed, out, &error));
  back = lamina_model_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->kind, ==, LAMINA_KIND_FIXED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/quant/observer/minmax", test_minmax);
  g_test_add_func ("/quant/observer/percentile", test_percentile);
  g_test_add_func ("/quant/observer/entropy", test_entropy);
  g_test_add_func ("/quant/observer/method-names", test_method_names);
  g_test_add_func ("/quant/fold-batchnorm", test_fold_batchnorm);
  g_test_add_func ("/quant/upgrade-opset13", test_upgrade_opset13);
  g_test_add_func ("/quant/calibrate/cancel-and-bad-inputs", test_cancel_and_bad_inputs);
  g_test_add_func ("/quant/yolo-fastestv2", test_yolo_fastestv2);
  g_test_add_func ("/quant/mixed-precision", test_mixed_precision);
  g_test_add_data_func ("/quant/synthetic/yolo-fastestv2", "yolo-fastestv2-coco-352.onnx", test_synthetic);
  g_test_add_data_func ("/quant/synthetic/ultraface-rfb", "ultraface-rfb-320.onnx", test_synthetic);
  g_test_add_data_func ("/quant/synthetic/ppocrv4-rec", "ppocrv4-rec.onnx", test_synthetic);
  return g_test_run ();
}
