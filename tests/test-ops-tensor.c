/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-ops-tensor: kernels of the tensor family (lamina-ops-tensor.c,
 * lamina-tensor-copy.c, lamina-resize.c) called one node at a time.
 *
 * Expected values are literals computed independently with NumPy
 * (np.pad, slicing, np.take …) while writing the tests; the Resize tables
 * come from tests/gen-ops-tensor-reference.py, a NumPy model of the ONNX
 * specification (cross-checked with ONNX 1.12's reference functions on the
 * modes that has) and of TFLite's reference kernels. The fast copy paths
 * are compared with their element-by-element references on random shapes.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include "ops/lamina-kernel.h"
#include "ops/lamina-tensor-copy.h"
#include "lamina-test-util.h"

/* ---- a one-node call ---------------------------------------------------- */

#define MAX_IO 8

typedef struct {
  LaminaGraph    *graph;
  LaminaNode     *node;
  LaminaValue     in[MAX_IO];
  const LaminaValue *inputs[MAX_IO];
  guint           n_in;
  LaminaValue     out[MAX_IO];
  LaminaValue    *outputs[MAX_IO];
  guint           n_out;
  gint64          opset;
  LaminaParallel *parallel;
} Call;

static Call *
call_new (const char *op, gint64 opset, guint n_out)
{
  Call *c = g_new0 (Call, 1);

  c->graph = lamina_graph_new ("test");
  c->node = lamina_graph_add_node (c->graph, "n", op, "");
  c->opset = opset;
  c->n_out = n_out;
  c->parallel = lamina_parallel_new (2);
  for (guint i = 0; i < n_out; i++)
    c->outputs[i] = &c->out[i];
  return c;
}

static void
call_free (Call *c)
{
  for (guint i = 0; i < MAX_IO; i++)
    {
      lamina_value_clear (&c->in[i]);
      lamina_value_clear (&c->out[i]);
    }
  lamina_parallel_free (c->parallel);
  lamina_graph_free (c->graph);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static void
call_input (Call *c, LaminaDType dtype, int rank, const gint64 *dims, const void *data)
{
  LaminaValue *v = &c->in[c->n_in];

  g_assert_true (lamina_value_set_shape (v, dtype, rank, dims, NULL));
  g_assert_true (lamina_value_alloc (v, NULL));
  if (v->numel > 0)
    memcpy (v->data, data, (gsize) v->numel * lamina_dtype_size (dtype));
  c->inputs[c->n_in++] = v;
}

static void
call_f32 (Call *c, int rank, const gint64 *dims, const float *data)
{
  call_input (c, LAMINA_DTYPE_FLOAT32, rank, dims, data);
}

/* a 1-D int64 input */
static void
call_ints (Call *c, guint n, const gint64 *values)
{
  gint64 dims[1] = { n };

  call_input (c, LAMINA_DTYPE_INT64, 1, dims, values);
}

static void
call_skip (Call *c)
{
  c->inputs[c->n_in++] = NULL;
}

static void
attr_int (Call *c, const char *name, gint64 value)
{
  lamina_node_add_attr (c->node, name, LAMINA_ATTR_INT)->i = value;
}

static void
attr_float (Call *c, const char *name, double value)
{
  lamina_node_add_attr (c->node, name, LAMINA_ATTR_FLOAT)->f = value;
}

static void
attr_string (Call *c, const char *name, const char *value)
{
  lamina_node_add_attr (c->node, name, LAMINA_ATTR_STRING)->s = g_strdup (value);
}

static void
attr_ints (Call *c, const char *name, guint n, const gint64 *values)
{
  LaminaAttr *a = lamina_node_add_attr (c->node, name, LAMINA_ATTR_INTS);

  a->n = n;
  a->ints = g_memdup2 (values, MAX (n, 1) * sizeof (gint64));
}

static gboolean
call_run (Call *c, GError **error)
{
  const LaminaKernel *k = lamina_kernel_lookup (c->node->op_type, "");
  LaminaKernelCall kc = { c->node, c->inputs, c->n_in, c->outputs, c->n_out, c->opset, c->parallel, NULL };

  g_assert_nonnull (k);
  if (!k->reshape (&kc, error))
    return FALSE;
  for (guint i = 0; i < c->n_out; i++)
    if (c->outputs[i] != NULL)
      g_assert_true (lamina_value_alloc (c->outputs[i], NULL));
  return k->run (&kc, error);
}

static void
call_ok (Call *c)
{
  g_autoptr(GError) error = NULL;

  if (!call_run (c, &error))
    g_error ("%s failed: %s", c->node->op_type, error->message);
}

static void
call_fails (Call *c)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (call_run (c, &error));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
}

static void
check_shape (const LaminaValue *v, int rank, const gint64 *dims)
{
  g_assert_cmpint (v->rank, ==, rank);
  for (int i = 0; i < rank; i++)
    g_assert_cmpint (v->dims[i], ==, dims[i]);
}

static void
check_f32 (const LaminaValue *v, int rank, const gint64 *dims, const float *expected, float tol)
{
  check_shape (v, rank, dims);
  g_assert_cmpint (v->dtype, ==, LAMINA_DTYPE_FLOAT32);
  for (gint64 i = 0; i < v->numel; i++)
    if (!(fabsf (LAMINA_VALUE_F32 (v)[i] - expected[i]) <= tol))
      g_error ("element %" G_GINT64_FORMAT ": got %.9g, expected %.9g", i, LAMINA_VALUE_F32 (v)[i], expected[i]);
}

static const float iota24[24] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 };
static const float a23[6] = { 1, 2, 3, 4, 5, 6 };

/* ---- copy primitives: fast paths against their references ------------------ */

static void
fill_random (guint8 *p, gsize n, GRand *rng)
{
  for (gsize i = 0; i < n; i++)
    p[i] = (guint8) g_rand_int (rng);
}

static void
test_permute_paths (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  g_autoptr(LaminaParallel) parallel = lamina_parallel_new (2);
  static const gsize elems[] = { 1, 2, 4, 8, 3 };

  for (int round = 0; round < 200; round++)
    {
      int rank = g_rand_int_range (rng, 1, 6), perm[LAMINA_MAX_RANK];
      gint64 dims[LAMINA_MAX_RANK], numel = 1;
      gsize elem = elems[round % G_N_ELEMENTS (elems)];
      g_autofree guint8 *src = NULL, *fast = NULL, *slow = NULL;

      for (int i = 0; i < rank; i++)
        {
          /* now and then one long axis, never a huge tensor */
          dims[i] = g_rand_int_range (rng, 1, round % 10 == 0 && numel < 1000 ? 70 : 9);
          numel *= dims[i];
          perm[i] = i;
        }
      for (int i = rank - 1; i > 0; i--)
        {
          int j = g_rand_int_range (rng, 0, i + 1), t = perm[i];
          perm[i] = perm[j], perm[j] = t;
        }
      src = g_malloc (numel * elem);
      fast = g_malloc (numel * elem);
      slow = g_malloc (numel * elem);
      fill_random (src, numel * elem, rng);
      lamina_copy_permute (fast, src, rank, dims, perm, elem, parallel);
      lamina_copy_permute_reference (slow, src, rank, dims, perm, elem);
      g_assert_cmpmem (fast, numel * elem, slow, numel * elem);
    }
}

/* NCHW → NHWC on a tensor big enough for the blocked, threaded path */
static void
test_permute_nhwc (void)
{
  const gint64 dims[] = { 2, 67, 45, 33 };
  const int to_nhwc[] = { 0, 2, 3, 1 }, to_nchw[] = { 0, 3, 1, 2 };
  const gint64 nhwc[] = { 2, 45, 33, 67 };
  gint64 n = 2 * 67 * 45 * 33;
  g_autofree float *x = g_new (float, n), *y = g_new (float, n), *back = g_new (float, n);
  g_autoptr(LaminaParallel) parallel = lamina_parallel_new (2);

  for (gint64 i = 0; i < n; i++)
    x[i] = (float) i;
  lamina_copy_permute (y, x, 4, dims, to_nhwc, 4, parallel);
  /* y[n, h, w, c] == x[n, c, h, w] */
  g_assert_cmpfloat (y[((1 * 45 + 7) * 33 + 5) * 67 + 11], ==, x[((1 * 67 + 11) * 45 + 7) * 33 + 5]);
  lamina_copy_permute (back, y, 4, nhwc, to_nchw, 4, parallel);
  g_assert_cmpmem (back, n * 4, x, n * 4);
}

static void
test_gather_paths (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (11);
  g_autoptr(LaminaParallel) parallel = lamina_parallel_new (2);
  static const gsize elems[] = { 4, 1, 2, 8, 6 };

  for (int round = 0; round < 200; round++)
    {
      int rank = g_rand_int_range (rng, 1, 5);
      gint64 in[LAMINA_MAX_RANK], out[LAMINA_MAX_RANK], numel = 1, in_numel = 1;
      gint64 *tables[LAMINA_MAX_RANK] = { NULL };
      gsize elem = elems[round % G_N_ELEMENTS (elems)];
      guint8 fill[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
      g_autofree guint8 *src = NULL, *fast = NULL, *slow = NULL;

      for (int a = 0; a < rank; a++)
        {
          in[a] = g_rand_int_range (rng, 1, 7);
          out[a] = in[a];
          if (g_rand_boolean (rng))
            {
              /* runs, repeats and fills mixed */
              out[a] = g_rand_int_range (rng, 0, round % 7 == 0 && numel < 100 ? 300 : 12);
              tables[a] = g_new (gint64, MAX (out[a], 1));
              for (gint64 i = 0; i < out[a]; i++)
                tables[a][i] = g_rand_int_range (rng, 0, 5) == 0 ? -1
                               : g_rand_boolean (rng) && i > 0 && tables[a][i - 1] >= 0
                                 ? MIN (tables[a][i - 1] + 1, in[a] - 1) : g_rand_int_range (rng, 0, in[a]);
            }
          numel *= out[a];
          in_numel *= in[a];
        }
      src = g_malloc (in_numel * elem);
      fast = g_malloc (MAX (numel, 1) * elem);
      slow = g_malloc (MAX (numel, 1) * elem);
      fill_random (src, in_numel * elem, rng);
      lamina_copy_gather (fast, src, rank, out, in, (const gint64 *const *) tables, elem, fill, parallel);
      lamina_copy_gather_reference (slow, src, rank, out, in, (const gint64 *const *) tables, elem, fill);
      g_assert_cmpmem (fast, numel * elem, slow, numel * elem);
      for (int a = 0; a < rank; a++)
        g_free (tables[a]);
    }
}

/* A pad-like gather big enough for the threaded path. */
static void
test_gather_big (void)
{
  const gint64 in[] = { 70, 64, 16 }, out[] = { 72, 130, 16 };
  gint64 t0[72], t1[130];
  const gint64 *tables[] = { t0, t1, NULL };
  const float fill = -1;
  gint64 n_in = 70 * 64 * 16, n_out = 72 * 130 * 16;
  g_autofree float *x = g_new (float, n_in), *fast = g_new (float, n_out), *slow = g_new (float, n_out);
  g_autoptr(LaminaParallel) parallel = lamina_parallel_new (2);

  for (int i = 0; i < 72; i++)
    t0[i] = i == 0 || i == 71 ? -1 : i - 1;
  for (int i = 0; i < 130; i++)
    t1[i] = i % 2 ? (i / 2) % 64 : (i / 2 + 3) % 64;   /* nearest-like repeats and jumps */
  for (gint64 i = 0; i < n_in; i++)
    x[i] = (float) i;
  lamina_copy_gather (fast, x, 3, out, in, tables, 4, &fill, parallel);
  lamina_copy_gather_reference (slow, x, 3, out, in, tables, 4, &fill);
  g_assert_cmpmem (fast, n_out * 4, slow, n_out * 4);
}

/* ---- Reshape family ------------------------------------------------------- */

static void
test_reshape (void)
{
  const gint64 dims[] = { 2, 3, 4 }, shape[] = { 0, -1 }, e[] = { 2, 12 };
  g_autoptr(Call) c = call_new ("Reshape", 14, 1);

  call_f32 (c, 3, dims, iota24);
  call_ints (c, 2, shape);
  call_ok (c);
  check_f32 (&c->out[0], 2, e, iota24, 0);
}

static void
test_reshape_allowzero_and_errors (void)
{
  const gint64 dims[] = { 0, 3 }, shape[] = { 3, 0 }, e[] = { 3, 0 }, two[] = { -1, -1 }, bad[] = { 5, 5 };
  const gint64 d24[] = { 2, 3, 4 };
  {
    g_autoptr(Call) c = call_new ("Reshape", 14, 1);
    attr_int (c, "allowzero", 1);
    call_f32 (c, 2, dims, NULL);
    call_ints (c, 2, shape);
    call_ok (c);
    check_shape (&c->out[0], 2, e);
  }
  {
    g_autoptr(Call) c = call_new ("Reshape", 14, 1);
    call_f32 (c, 3, d24, iota24);
    call_ints (c, 2, two);
    call_fails (c);
  }
  {
    g_autoptr(Call) c = call_new ("Reshape", 14, 1);
    call_f32 (c, 3, d24, iota24);
    call_ints (c, 2, bad);
    call_fails (c);
  }
  {
    /* opset 1–4: the shape attribute */
    const gint64 s[] = { 4, -1 }, e2[] = { 4, 6 };
    g_autoptr(Call) c = call_new ("Reshape", 1, 1);
    attr_ints (c, "shape", 2, s);
    call_f32 (c, 3, d24, iota24);
    call_ok (c);
    check_f32 (&c->out[0], 2, e2, iota24, 0);
  }
  {
    /* TFLite: new_shape option, 0 is a real size */
    const gint64 s[] = { 24 }, e3[] = { 24 };
    g_autoptr(Call) c = call_new ("Reshape", 0, 1);
    attr_ints (c, "new_shape", 1, s);
    call_f32 (c, 3, d24, iota24);
    call_ok (c);
    check_f32 (&c->out[0], 1, e3, iota24, 0);
  }
}

static void
test_flatten_squeeze_unsqueeze (void)
{
  const gint64 dims[] = { 2, 3, 4 }, f[] = { 6, 4 }, d1[] = { 1, 3, 1, 2 };
  {
    g_autoptr(Call) c = call_new ("Flatten", 13, 1);
    attr_int (c, "axis", -1);
    call_f32 (c, 3, dims, iota24);
    call_ok (c);
    check_f32 (&c->out[0], 2, f, iota24, 0);
  }
  {
    /* opset 11: axes attribute, negative */
    const gint64 axes[] = { -2 }, e[] = { 1, 3, 2 };
    g_autoptr(Call) c = call_new ("Squeeze", 11, 1);
    attr_ints (c, "axes", 1, axes);
    call_f32 (c, 4, d1, a23);
    call_ok (c);
    check_f32 (&c->out[0], 3, e, a23, 0);
  }
  {
    /* opset 13: axes input; none = every size-1 axis */
    const gint64 e[] = { 3, 2 };
    g_autoptr(Call) c = call_new ("Squeeze", 13, 1);
    call_f32 (c, 4, d1, a23);
    call_ok (c);
    check_f32 (&c->out[0], 2, e, a23, 0);
  }
  {
    const gint64 axes[] = { 1 };
    g_autoptr(Call) c = call_new ("Squeeze", 13, 1);
    call_f32 (c, 4, d1, a23);
    call_ints (c, 1, axes);
    call_fails (c);   /* axis 1 has size 3 */
  }
  {
    const gint64 axes[] = { -1, 0 }, d2[] = { 2, 3 }, e[] = { 1, 2, 3, 1 };
    g_autoptr(Call) c = call_new ("Unsqueeze", 13, 1);
    call_f32 (c, 2, d2, a23);
    call_ints (c, 2, axes);
    call_ok (c);
    check_f32 (&c->out[0], 4, e, a23, 0);
  }
  {
    const gint64 axes[] = { 1, 1 }, d2[] = { 2, 3 };
    g_autoptr(Call) c = call_new ("Unsqueeze", 11, 1);
    attr_ints (c, "axes", 2, axes);
    call_f32 (c, 2, d2, a23);
    call_fails (c);   /* repeated axis */
  }
}

/* ---- Transpose, DepthToSpace, SpaceToDepth ------------------------------------ */

static void
test_transpose (void)
{
  const gint64 dims[] = { 2, 3 }, e[] = { 3, 2 };
  const float expected[] = { 1, 4, 2, 5, 3, 6 };
  {
    g_autoptr(Call) c = call_new ("Transpose", 13, 1);   /* default: reversed */
    call_f32 (c, 2, dims, a23);
    call_ok (c);
    check_f32 (&c->out[0], 2, e, expected, 0);
  }
  {
    const gint64 perm[] = { 0, 0 };
    g_autoptr(Call) c = call_new ("Transpose", 13, 1);
    attr_ints (c, "perm", 2, perm);
    call_f32 (c, 2, dims, a23);
    call_fails (c);
  }
}

static void
test_depth_space (void)
{
  /* np.arange(16).reshape(1,4,2,2) with blocksize 2 */
  const gint64 dims[] = { 1, 4, 2, 2 }, e[] = { 1, 1, 4, 4 };
  const float dcr[] = { 0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15 };
  const float crd[] = { 0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15 };
  {
    g_autoptr(Call) c = call_new ("DepthToSpace", 13, 1);
    attr_int (c, "blocksize", 2);
    call_f32 (c, 4, dims, iota24);
    call_ok (c);
    check_f32 (&c->out[0], 4, e, dcr, 0);
  }
  {
    g_autoptr(Call) c = call_new ("DepthToSpace", 13, 1);
    attr_int (c, "blocksize", 2);
    attr_string (c, "mode", "CRD");
    call_f32 (c, 4, dims, iota24);
    call_ok (c);
    check_f32 (&c->out[0], 4, e, crd, 0);
  }
  {
    /* 8 channels in CRD: np.arange(32).reshape(1,8,2,2), output channel 0 */
    const gint64 d8[] = { 1, 8, 2, 2 }, e8[] = { 1, 2, 4, 4 };
    float x[32], expected[32];
    g_autoptr(Call) c = call_new ("DepthToSpace", 13, 1);

    for (int i = 0; i < 32; i++)
      x[i] = (float) i;
    attr_int (c, "blocksize", 2);
    attr_string (c, "mode", "CRD");
    call_f32 (c, 4, d8, x);
    call_ok (c);
    /* y = x.reshape(1,2,2,2,2,2).transpose(0,1,4,2,5,3).reshape(1,2,4,4) */
    {
      const float ch0[] = { 0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15 };
      for (int i = 0; i < 16; i++)
        expected[i] = ch0[i], expected[16 + i] = ch0[i] + 16;
    }
    check_f32 (&c->out[0], 4, e8, expected, 0);
  }
  {
    /* the same input in DCR order */
    const gint64 d8[] = { 1, 8, 2, 2 }, e8[] = { 1, 2, 4, 4 };
    const float dcr8[] = { 0, 8, 1, 9, 16, 24, 17, 25, 2, 10, 3, 11, 18, 26, 19, 27,
                           4, 12, 5, 13, 20, 28, 21, 29, 6, 14, 7, 15, 22, 30, 23, 31 };
    float x[32];
    g_autoptr(Call) c = call_new ("DepthToSpace", 11, 1);

    for (int i = 0; i < 32; i++)
      x[i] = (float) i;
    attr_int (c, "blocksize", 2);
    call_f32 (c, 4, d8, x);
    call_ok (c);
    check_f32 (&c->out[0], 4, e8, dcr8, 0);
  }
  {
    /* SpaceToDepth undoes DepthToSpace (DCR) */
    g_autoptr(Call) c = call_new ("SpaceToDepth", 13, 1);
    attr_int (c, "blocksize", 2);
    call_f32 (c, 4, e, dcr);
    call_ok (c);
    check_f32 (&c->out[0], 4, dims, iota24, 0);
  }
  {
    /* TFLite NHWC: x = np.arange(16).reshape(1,2,2,4); DepthToSpace 2 gives
     * y[0, 2h+i, 2w+j, 0] = x[0, h, w, 2i+j] */
    const gint64 nhwc[] = { 1, 2, 2, 4 }, e_nhwc[] = { 1, 4, 4, 1 };
    const float expected[] = { 0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15 };
    g_autoptr(Call) c = call_new ("DepthToSpace", 0, 1);
    attr_int (c, "block_size", 2);
    call_f32 (c, 4, nhwc, iota24);
    call_ok (c);
    check_f32 (&c->out[0], 4, e_nhwc, expected, 0);
  }
}

/* ---- Concat, Split and friends ------------------------------------------------ */

static void
test_concat (void)
{
  const gint64 d[] = { 2, 3 }, empty[] = { 2, 0 }, one[] = { 2, 1 }, e[] = { 2, 4 };
  const float first_col[] = { 1, 4 };
  const float expected[] = { 1, 2, 3, 1, 4, 5, 6, 4 };
  g_autoptr(Call) c = call_new ("Concat", 13, 1);

  attr_int (c, "axis", -1);
  call_f32 (c, 2, d, a23);
  call_f32 (c, 2, empty, NULL);
  call_f32 (c, 2, one, first_col);
  call_ok (c);
  check_f32 (&c->out[0], 2, e, expected, 0);
}

static void
test_concat_errors (void)
{
  const gint64 d[] = { 2, 3 }, other[] = { 3, 3 };
  {
    g_autoptr(Call) c = call_new ("Concat", 13, 1);
    attr_int (c, "axis", 1);
    call_f32 (c, 2, d, a23);
    call_f32 (c, 2, other, iota24);
    call_fails (c);
  }
  {
    g_autoptr(Call) c = call_new ("Concat", 13, 1);
    attr_int (c, "axis", 2);
    call_f32 (c, 2, d, a23);
    call_fails (c);
  }
}

static void
test_concatenation_relu6 (void)
{
  const gint64 d[] = { 1, 3 }, e[] = { 2, 3 };
  const float a[] = { -1, 3, 7 }, b[] = { 6.5f, 0.5f, -0.0f }, expected[] = { 0, 3, 6, 6, 0.5f, 0 };
  g_autoptr(Call) c = call_new ("Concatenation", 0, 1);

  attr_int (c, "axis", 0);
  attr_string (c, "fused_activation_function", "RELU6");
  call_f32 (c, 2, d, a);
  call_f32 (c, 2, d, b);
  call_ok (c);
  check_f32 (&c->out[0], 2, e, expected, 0);
}

static void
test_pack_unpack (void)
{
  const gint64 d[] = { 3 }, e[] = { 3, 2 }, back[] = { 3 };
  const float a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 }, expected[] = { 1, 4, 2, 5, 3, 6 };
  g_autoptr(Call) c = call_new ("Pack", 0, 1);
  g_autoptr(Call) u = call_new ("Unpack", 0, 2);

  attr_int (c, "axis", -1);
  call_f32 (c, 1, d, a);
  call_f32 (c, 1, d, b);
  call_ok (c);
  check_f32 (&c->out[0], 2, e, expected, 0);
  attr_int (u, "axis", 1);
  attr_int (u, "num", 2);
  call_f32 (u, 2, e, expected);
  call_ok (u);
  check_f32 (&u->out[0], 1, back, a, 0);
  check_f32 (&u->out[1], 1, back, b, 0);
}

static void
test_split (void)
{
  const gint64 d[] = { 2, 5 };
  const float x[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  {
    /* opset 18 num_outputs: ceil(5/2) = 3 then 2 */
    const gint64 e0[] = { 2, 3 }, e1[] = { 2, 2 };
    const float y0[] = { 0, 1, 2, 5, 6, 7 }, y1[] = { 3, 4, 8, 9 };
    g_autoptr(Call) c = call_new ("Split", 18, 2);
    attr_int (c, "axis", -1);
    attr_int (c, "num_outputs", 2);
    call_f32 (c, 2, d, x);
    call_ok (c);
    check_f32 (&c->out[0], 2, e0, y0, 0);
    check_f32 (&c->out[1], 2, e1, y1, 0);
  }
  {
    /* opset 13: the split input, an empty part, an omitted output */
    const gint64 split[] = { 1, 0, 4 }, e2[] = { 2, 4 }, e1[] = { 2, 0 };
    const float y2[] = { 1, 2, 3, 4, 6, 7, 8, 9 };
    g_autoptr(Call) c = call_new ("Split", 13, 3);
    c->outputs[0] = NULL;
    attr_int (c, "axis", 1);
    call_f32 (c, 2, d, x);
    call_ints (c, 3, split);
    call_ok (c);
    check_shape (&c->out[1], 2, e1);
    check_f32 (&c->out[2], 2, e2, y2, 0);
  }
  {
    /* opset 11: the split attribute */
    const gint64 split[] = { 4, 1 }, e0[] = { 2, 4 };
    const float y0[] = { 0, 1, 2, 3, 5, 6, 7, 8 };
    g_autoptr(Call) c = call_new ("Split", 11, 2);
    attr_int (c, "axis", 1);
    attr_ints (c, "split", 2, split);
    call_f32 (c, 2, d, x);
    call_ok (c);
    check_f32 (&c->out[0], 2, e0, y0, 0);
  }
  {
    g_autoptr(Call) c = call_new ("Split", 13, 2);   /* 5 does not split in 2 */
    attr_int (c, "axis", 1);
    call_f32 (c, 2, d, x);
    call_fails (c);
  }
  {
    /* TFLite SplitV with an inferred size */
    const gint64 sizes[] = { -1, 2 }, axis_dims[] = { 0 }, e0[] = { 2, 3 };
    const gint64 axis = 1;
    const float y0[] = { 0, 1, 2, 5, 6, 7 };
    g_autoptr(Call) c = call_new ("SplitV", 0, 2);
    call_f32 (c, 2, d, x);
    call_ints (c, 2, sizes);
    call_input (c, LAMINA_DTYPE_INT64, 0, axis_dims, &axis);
    call_ok (c);
    check_f32 (&c->out[0], 2, e0, y0, 0);
  }
}

/* ---- Slice, StridedSlice ----------------------------------------------------- */

static void
test_slice (void)
{
  const gint64 d[] = { 2, 3, 4 };
  {
    /* x[:, 2:-4:-1, ::-2] */
    const gint64 starts[] = { 2, -1 }, ends[] = { -4, G_MININT64 }, axes[] = { -2, 2 }, steps[] = { -1, -2 };
    const gint64 e[] = { 2, 3, 2 };
    const float expected[] = { 11, 9, 7, 5, 3, 1, 23, 21, 19, 17, 15, 13 };
    g_autoptr(Call) c = call_new ("Slice", 13, 1);
    call_f32 (c, 3, d, iota24);
    call_ints (c, 2, starts);
    call_ints (c, 2, ends);
    call_ints (c, 2, axes);
    call_ints (c, 2, steps);
    call_ok (c);
    check_f32 (&c->out[0], 3, e, expected, 0);
  }
  {
    /* opset 9 attributes, clamped: x[1:100, -2:, 1:3] */
    const gint64 starts[] = { 1, -2, 1 }, ends[] = { 100, 1000, 3 }, e[] = { 1, 2, 2 };
    const float expected[] = { 17, 18, 21, 22 };
    g_autoptr(Call) c = call_new ("Slice", 9, 1);
    attr_ints (c, "starts", 3, starts);
    attr_ints (c, "ends", 3, ends);
    call_f32 (c, 3, d, iota24);
    call_ok (c);
    check_f32 (&c->out[0], 3, e, expected, 0);
  }
  {
    /* empty result */
    const gint64 starts[] = { 3 }, ends[] = { 1 }, axes[] = { 2 }, e[] = { 2, 3, 0 };
    g_autoptr(Call) c = call_new ("Slice", 13, 1);
    call_f32 (c, 3, d, iota24);
    call_ints (c, 1, starts);
    call_ints (c, 1, ends);
    call_ints (c, 1, axes);
    call_ok (c);
    check_shape (&c->out[0], 3, e);
  }
  {
    const gint64 starts[] = { 0 }, ends[] = { 1 }, axes[] = { 0 }, steps[] = { 0 };
    g_autoptr(Call) c = call_new ("Slice", 13, 1);
    call_f32 (c, 3, d, iota24);
    call_ints (c, 1, starts);
    call_ints (c, 1, ends);
    call_ints (c, 1, axes);
    call_ints (c, 1, steps);
    call_fails (c);
  }
}

static void
test_strided_slice (void)
{
  const gint64 d[] = { 2, 3, 4 };
  {
    /* x[1, ::-1, tf.newaxis, 1:] (shrink axis 0, new axis 2) */
    const gint64 b[] = { 1, 0, 0, 1 }, en[] = { 2, 0, 0, 0 }, s[] = { 1, -1, 1, 1 }, e[] = { 3, 1, 3 };
    const float expected[] = { 21, 22, 23, 17, 18, 19, 13, 14, 15 };
    g_autoptr(Call) c = call_new ("StridedSlice", 0, 1);
    attr_int (c, "begin_mask", 2);
    attr_int (c, "end_mask", 2 | 8);
    attr_int (c, "shrink_axis_mask", 1);
    attr_int (c, "new_axis_mask", 4);
    call_f32 (c, 3, d, iota24);
    call_ints (c, 4, b);
    call_ints (c, 4, en);
    call_ints (c, 4, s);
    call_ok (c);
    check_f32 (&c->out[0], 3, e, expected, 0);
  }
  {
    /* x[..., 1:3] with an ellipsis */
    const gint64 b[] = { 0, 1 }, en[] = { 0, 3 }, s[] = { 1, 1 }, e[] = { 2, 3, 2 };
    const float expected[] = { 1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22 };
    g_autoptr(Call) c = call_new ("StridedSlice", 0, 1);
    attr_int (c, "ellipsis_mask", 1);
    call_f32 (c, 3, d, iota24);
    call_ints (c, 2, b);
    call_ints (c, 2, en);
    call_ints (c, 2, s);
    call_ok (c);
    check_f32 (&c->out[0], 3, e, expected, 0);
  }
  {
    /* offset: end is relative to begin; x[:, 1:1+2, -3:] */
    const gint64 b[] = { 0, 1, -3 }, en[] = { 2, 2, 3 }, s[] = { 1, 1, 1 }, e[] = { 2, 2, 3 };
    const float expected[] = { 5, 6, 7, 9, 10, 11, 17, 18, 19, 21, 22, 23 };
    g_autoptr(Call) c = call_new ("StridedSlice", 0, 1);
    attr_int (c, "offset", 1);
    call_f32 (c, 3, d, iota24);
    call_ints (c, 3, b);
    call_ints (c, 3, en);
    call_ints (c, 3, s);
    call_ok (c);
    check_f32 (&c->out[0], 3, e, expected, 0);
  }
  {
    /* a shrink index out of range is an error, not a read */
    const gint64 b[] = { 5 }, en[] = { 6 }, s[] = { 1 };
    g_autoptr(Call) c = call_new ("StridedSlice", 0, 1);
    attr_int (c, "shrink_axis_mask", 1);
    call_f32 (c, 3, d, iota24);
    call_ints (c, 1, b);
    call_ints (c, 1, en);
    call_ints (c, 1, s);
    call_fails (c);
  }
}

/* ---- Pad, Tile, Expand ------------------------------------------------------ */

static void
run_pad (const char *mode, const gint64 *pads, const float *expected, int rows, int cols)
{
  const gint64 d[] = { 2, 3 }, e[] = { rows, cols };
  g_autoptr(Call) c = call_new ("Pad", 19, 1);

  attr_string (c, "mode", mode);
  call_f32 (c, 2, d, a23);
  call_ints (c, 4, pads);
  call_ok (c);
  check_f32 (&c->out[0], 2, e, expected, 0);
}

static void
test_pad_modes (void)
{
  /* np.pad (a, ((1,1),(2,2)), mode) with a = [[1,2,3],[4,5,6]] */
  const gint64 p1[] = { 1, 2, 1, 2 }, p2[] = { 0, 2, 1, 0 }, p3[] = { 1, 1, 0, 2 };
  const float reflect[] = { 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1 };
  const float edge[] = { 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 4, 4, 4, 5, 6 };
  const float wrap[] = { 6, 4, 5, 6, 4, 5, 3, 1, 2, 3, 1, 2, 6, 4, 5, 6, 4, 5 };

  run_pad ("reflect", p1, reflect, 4, 7);
  run_pad ("edge", p2, edge, 3, 5);
  run_pad ("wrap", p3, wrap, 3, 6);
}

static void
test_pad_constant_crop (void)
{
  /* np.pad (a, ((1,0),(0,0)), constant_values=7)[:, 1:]: a negative pad crops */
  const gint64 d[] = { 2, 3 }, pads[] = { 1, -1, 0, 0 }, e[] = { 3, 2 }, scalar[] = { 0 };
  const float seven = 7, expected[] = { 7, 7, 2, 3, 5, 6 };
  {
    g_autoptr(Call) c = call_new ("Pad", 13, 1);
    call_f32 (c, 2, d, a23);
    call_ints (c, 4, pads);
    call_f32 (c, 0, scalar, &seven);
    call_ok (c);
    check_f32 (&c->out[0], 2, e, expected, 0);
  }
  {
    /* opset 2: pads and value attributes */
    g_autoptr(Call) c = call_new ("Pad", 2, 1);
    attr_ints (c, "pads", 4, pads);
    attr_float (c, "value", 7);
    call_f32 (c, 2, d, a23);
    call_ok (c);
    check_f32 (&c->out[0], 2, e, expected, 0);
  }
  {
    /* cropping more than the axis holds */
    const gint64 bad[] = { 0, -4, 0, 0 };
    g_autoptr(Call) c = call_new ("Pad", 13, 1);
    call_f32 (c, 2, d, a23);
    call_ints (c, 4, bad);
    call_fails (c);
  }
}

static void
test_mirror_pad (void)
{
  /* np.pad (a, ((1,1),(2,2)), mode='symmetric'): TFLite MirrorPad SYMMETRIC */
  const gint64 d[] = { 2, 3 }, e[] = { 4, 7 };
  const gint64 paddings[] = { 1, 1, 2, 2 }, pdims[] = { 2, 2 };
  const float expected[] = { 2, 1, 1, 2, 3, 3, 2, 2, 1, 1, 2, 3, 3, 2, 5, 4, 4, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 5 };
  g_autoptr(Call) c = call_new ("MirrorPad", 0, 1);

  attr_string (c, "mode", "SYMMETRIC");
  call_f32 (c, 2, d, a23);
  call_input (c, LAMINA_DTYPE_INT64, 2, pdims, paddings);
  call_ok (c);
  check_f32 (&c->out[0], 2, e, expected, 0);
}

static void
test_tile_expand (void)
{
  const gint64 d[] = { 2, 3 };
  {
    const gint64 reps[] = { 2, 2 }, e[] = { 4, 6 };
    const float expected[] = { 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6 };
    g_autoptr(Call) c = call_new ("Tile", 13, 1);
    call_f32 (c, 2, d, a23);
    call_ints (c, 2, reps);
    call_ok (c);
    check_f32 (&c->out[0], 2, e, expected, 0);
  }
  {
    /* np.broadcast_to ([[1],[2]], (2,2,3)) */
    const gint64 col[] = { 2, 1 }, shape[] = { 2, 1, 3 }, e[] = { 2, 2, 3 };
    const float x[] = { 1, 2 }, expected[] = { 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2 };
    g_autoptr(Call) c = call_new ("Expand", 13, 1);
    call_f32 (c, 2, col, x);
    call_ints (c, 3, shape);
    call_ok (c);
    check_f32 (&c->out[0], 3, e, expected, 0);
  }
  {
    const gint64 shape[] = { 4 };
    g_autoptr(Call) c = call_new ("Expand", 13, 1);
    call_f32 (c, 2, d, a23);
    call_ints (c, 1, shape);
    call_fails (c);
  }
}

/* ---- Gather family ---------------------------------------------------------- */

static void
test_gather (void)
{
  const gint64 d[] = { 2, 3 }, id[] = { 2, 2 }, e[] = { 2, 2, 2 };
  const gint64 idx[] = { -1, 0, 2, 2 };
  const float expected[] = { 3, 1, 3, 3, 6, 4, 6, 6 };
  {
    g_autoptr(Call) c = call_new ("Gather", 13, 1);
    attr_int (c, "axis", -1);
    call_f32 (c, 2, d, a23);
    call_input (c, LAMINA_DTYPE_INT64, 2, id, idx);
    call_ok (c);
    check_f32 (&c->out[0], 3, e, expected, 0);
  }
  {
    const gint32 bad[] = { 3 };
    const gint64 bd[] = { 1 };
    g_autoptr(Call) c = call_new ("Gather", 13, 1);
    attr_int (c, "axis", 1);
    call_f32 (c, 2, d, a23);
    call_input (c, LAMINA_DTYPE_INT32, 1, bd, bad);
    call_fails (c);
  }
  {
    /* no indices: an empty output */
    const gint64 none[] = { 0 }, e0[] = { 0, 3 };
    g_autoptr(Call) c = call_new ("Gather", 13, 1);
    call_f32 (c, 2, d, a23);
    call_input (c, LAMINA_DTYPE_INT64, 1, none, NULL);
    call_ok (c);
    check_shape (&c->out[0], 2, e0);
  }
}

static void
test_gather_elements_nd (void)
{
  const gint64 d[] = { 2, 3 }, id[] = { 2, 2 };
  {
    /* np.take_along_axis (a, [[2,0],[1,-1]], 1) */
    const gint64 idx[] = { 2, 0, 1, -1 };
    const float expected[] = { 3, 1, 5, 6 };
    g_autoptr(Call) c = call_new ("GatherElements", 13, 1);
    attr_int (c, "axis", 1);
    call_f32 (c, 2, d, a23);
    call_input (c, LAMINA_DTYPE_INT64, 2, id, idx);
    call_ok (c);
    check_f32 (&c->out[0], 2, id, expected, 0);
  }
  {
    const gint64 idx[] = { 2, 0, 1, 3 };
    g_autoptr(Call) c = call_new ("GatherElements", 13, 1);
    attr_int (c, "axis", 1);
    call_f32 (c, 2, d, a23);
    call_input (c, LAMINA_DTYPE_INT64, 2, id, idx);
    call_fails (c);
  }
  {
    /* d = np.arange(8).reshape(2,2,2); d[[0,1],[1,0]] */
    const gint64 dd[] = { 2, 2, 2 }, idx[] = { 0, 1, 1, 0 }, e[] = { 2, 2 };
    const float expected[] = { 2, 3, 4, 5 };
    g_autoptr(Call) c = call_new ("GatherND", 13, 1);
    call_f32 (c, 3, dd, iota24);
    call_input (c, LAMINA_DTYPE_INT64, 2, id, idx);
    call_ok (c);
    check_f32 (&c->out[0], 2, e, expected, 0);
  }
}

static void
test_scatter_nd (void)
{
  const gint64 d[] = { 8 }, id[] = { 4, 1 }, ud[] = { 4 };
  const gint64 idx[] = { 4, 3, 1, 7 };
  const float upd[] = { 9, 10, 11, 12 }, expected[] = { 0, 11, 2, 10, 9, 5, 6, 12 };
  {
    g_autoptr(Call) c = call_new ("ScatterND", 13, 1);
    call_f32 (c, 1, d, iota24);
    call_input (c, LAMINA_DTYPE_INT64, 2, id, idx);
    call_f32 (c, 1, ud, upd);
    call_ok (c);
    check_f32 (&c->out[0], 1, d, expected, 0);
  }
  {
    /* reduction add with a repeated index (np.add.at) */
    const gint64 id2[] = { 2, 1 }, ud2[] = { 2 }, idx2[] = { 4, 4 };
    const float upd2[] = { 1, 2 }, expected2[] = { 0, 1, 2, 3, 7, 5, 6, 7 };
    g_autoptr(Call) c = call_new ("ScatterND", 16, 1);
    attr_string (c, "reduction", "add");
    call_f32 (c, 1, d, iota24);
    call_input (c, LAMINA_DTYPE_INT64, 2, id2, idx2);
    call_f32 (c, 1, ud2, upd2);
    call_ok (c);
    check_f32 (&c->out[0], 1, d, expected2, 0);
  }
  {
    const gint64 id2[] = { 1, 1 }, ud2[] = { 1 }, idx2[] = { 8 };
    const float upd2[] = { 1 };
    g_autoptr(Call) c = call_new ("ScatterND", 13, 1);
    call_f32 (c, 1, d, iota24);
    call_input (c, LAMINA_DTYPE_INT64, 2, id2, idx2);
    call_f32 (c, 1, ud2, upd2);
    call_fails (c);
  }
}

/* ---- generators and shape queries ---------------------------------------------- */

static void
test_shape_size (void)
{
  const gint64 d[] = { 2, 3, 4 }, e[] = { 2 }, one[] = { 1 };
  {
    g_autoptr(Call) c = call_new ("Shape", 15, 1);
    attr_int (c, "start", -2);
    call_f32 (c, 3, d, iota24);
    call_ok (c);
    check_shape (&c->out[0], 1, e);
    g_assert_cmpint (((gint64 *) c->out[0].data)[0], ==, 3);
    g_assert_cmpint (((gint64 *) c->out[0].data)[1], ==, 4);
  }
  {
    g_autoptr(Call) c = call_new ("Shape", 0, 1);   /* TFLite: int32 */
    call_f32 (c, 3, d, iota24);
    call_ok (c);
    g_assert_cmpint (c->out[0].dtype, ==, LAMINA_DTYPE_INT32);
    g_assert_cmpint (((gint32 *) c->out[0].data)[2], ==, 4);
  }
  {
    g_autoptr(Call) c = call_new ("Size", 13, 1);
    call_f32 (c, 3, d, iota24);
    call_ok (c);
    g_assert_cmpint (c->out[0].rank, ==, 0);
    g_assert_cmpint (*(gint64 *) c->out[0].data, ==, 24);
  }
  (void) one;
}

static void
test_generators (void)
{
  const gint64 scalar[] = { 0 };
  {
    /* np.arange (10, 2, -3) in int32 */
    const gint32 s = 10, l = 2, dl = -3;
    const gint64 e[] = { 3 };
    g_autoptr(Call) c = call_new ("Range", 11, 1);
    call_input (c, LAMINA_DTYPE_INT32, 0, scalar, &s);
    call_input (c, LAMINA_DTYPE_INT32, 0, scalar, &l);
    call_input (c, LAMINA_DTYPE_INT32, 0, scalar, &dl);
    call_ok (c);
    check_shape (&c->out[0], 1, e);
    g_assert_cmpint (((gint32 *) c->out[0].data)[2], ==, 4);
  }
  {
    const float s = 1, l = 1, dl = 0;
    g_autoptr(Call) c = call_new ("Range", 11, 1);
    call_f32 (c, 0, scalar, &s);
    call_f32 (c, 0, scalar, &l);
    call_f32 (c, 0, scalar, &dl);
    call_fails (c);   /* delta 0 */
  }
  {
    const gint64 shape[] = { 2, 0, 3 };
    g_autoptr(Call) c = call_new ("ConstantOfShape", 9, 1);
    call_ints (c, 3, shape);
    call_ok (c);
    check_shape (&c->out[0], 3, shape);
    g_assert_cmpint (c->out[0].dtype, ==, LAMINA_DTYPE_FLOAT32);
  }
  {
    /* Constant with value_ints */
    const gint64 v[] = { 5, -6, 7 }, e[] = { 3 };
    g_autoptr(Call) c = call_new ("Constant", 13, 1);
    attr_ints (c, "value_ints", 3, v);
    call_ok (c);
    check_shape (&c->out[0], 1, e);
    g_assert_cmpmem (c->out[0].data, 24, v, 24);
  }
  {
    /* OneHot axis 0: np.eye (4)[[1, 3, 0]].T */
    const gint64 id[] = { 3 }, e[] = { 4, 3 }, vd[] = { 2 };
    const gint64 idx[] = { 1, -1, 0 };
    const float depth = 4, values[] = { 0, 1 };
    const float expected[] = { 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0 };
    g_autoptr(Call) c = call_new ("OneHot", 11, 1);
    attr_int (c, "axis", 0);
    call_input (c, LAMINA_DTYPE_INT64, 1, id, idx);
    call_f32 (c, 0, scalar, &depth);
    call_f32 (c, 1, vd, values);
    call_ok (c);
    check_f32 (&c->out[0], 2, e, expected, 0);
  }
}

static void
test_trilu_nonzero (void)
{
  const gint64 d[] = { 3, 4 }, kd[] = { 0 };
  const gint64 k1 = 1, km1 = -1;
  const float triu[] = { 0, 1, 2, 3, 0, 0, 6, 7, 0, 0, 0, 11 }, tril[] = { 0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0 };
  {
    g_autoptr(Call) c = call_new ("Trilu", 14, 1);
    call_f32 (c, 2, d, iota24);
    call_input (c, LAMINA_DTYPE_INT64, 0, kd, &k1);
    call_ok (c);
    check_f32 (&c->out[0], 2, d, triu, 0);
  }
  {
    g_autoptr(Call) c = call_new ("Trilu", 14, 1);
    attr_int (c, "upper", 0);
    call_f32 (c, 2, d, iota24);
    call_input (c, LAMINA_DTYPE_INT64, 0, kd, &km1);
    call_ok (c);
    check_f32 (&c->out[0], 2, d, tril, 0);
  }
  {
    /* np.nonzero ([[0, 1.5, 0], [2, 0, -0.0]]) */
    const gint64 zd[] = { 2, 3 }, e[] = { 2, 2 }, expected[] = { 0, 1, 1, 0 };
    const float z[] = { 0, 1.5f, 0, 2, 0, -0.0f };
    g_autoptr(Call) c = call_new ("NonZero", 13, 1);
    call_f32 (c, 2, zd, z);
    call_ok (c);
    check_shape (&c->out[0], 2, e);
    g_assert_cmpmem (c->out[0].data, 32, expected, 32);
  }
}

/* ---- dtypes: movement is byte copies ------------------------------------------ */

static void
test_int8_and_fp16_transpose (void)
{
  const gint64 d[] = { 2, 3 }, e[] = { 3, 2 };
  const gint8 x[] = { 1, -2, 3, -4, 5, -6 }, expected[] = { 1, -4, -2, 5, 3, -6 };
  const guint16 h[] = { 0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600 };
  const guint16 he[] = { 0x3c00, 0x4400, 0x4000, 0x4500, 0x4200, 0x4600 };
  {
    g_autoptr(Call) c = call_new ("Transpose", 13, 1);
    call_input (c, LAMINA_DTYPE_INT8, 2, d, x);
    call_ok (c);
    check_shape (&c->out[0], 2, e);
    g_assert_cmpmem (c->out[0].data, 6, expected, 6);
  }
  {
    g_autoptr(Call) c = call_new ("Transpose", 13, 1);
    call_input (c, LAMINA_DTYPE_FLOAT16, 2, d, h);
    call_ok (c);
    g_assert_cmpmem (c->out[0].data, 12, he, 12);
  }
}

/* ---- Resize ----------------------------------------------------------------- */

typedef struct {
  const char *mode, *nearest, *coord;
  double      cubic_a;
  int         exclude_outside, antialias;
  gboolean    sizes;       /* params are sizes, else scales */
  double      params[4];
  gint64      out[2];      /* H, W of the [1,1,H,W] output */
  float       expected[40];
} OnnxResizeCase;

/* from tests/gen-ops-tensor-reference.py; input [1,1,3,4] */
static const OnnxResizeCase onnx_resize_cases[] = {
  { "nearest", "round_prefer_floor", "half_pixel", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 2, 2, 4, 7, 7, 1, 1, 2, 2, 4, 7, 7, 3, 3, 5, 5, 6, 9, 9, 8, 8, 2, 2, 0, 5, 5, 8, 8, 2, 2, 0, 5, 5 } },
  { "nearest", "round_prefer_floor", "asymmetric", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 2, 2, 4, 4, 7, 7, 3, 5, 5, 6, 6, 9, 9, 3, 5, 5, 6, 6, 9, 9, 8, 2, 2, 0, 0, 5, 5, 8, 2, 2, 0, 0, 5, 5 } },
  { "nearest", "round_prefer_floor", "align_corners", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 2, 2, 4, 4, 7, 1, 1, 2, 2, 4, 4, 7, 3, 3, 5, 5, 6, 6, 9, 3, 3, 5, 5, 6, 6, 9, 8, 8, 2, 2, 0, 0, 5 } },
  { "nearest", "round_prefer_floor", "tf_half_pixel_for_nn", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 2, 2, 4, 7, 7, 7, 3, 5, 5, 6, 9, 9, 9, 3, 5, 5, 6, 9, 9, 9, 8, 2, 2, 0, 5, 5, 5, 8, 2, 2, 0, 5, 5, 5 } },
  { "nearest", "round_prefer_floor", "pytorch_half_pixel", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 2, 2, 4, 7, 7, 1, 1, 2, 2, 4, 7, 7, 3, 3, 5, 5, 6, 9, 9, 8, 8, 2, 2, 0, 5, 5, 8, 8, 2, 2, 0, 5, 5 } },
  { "nearest", "round_prefer_floor", "half_pixel_symmetric", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 2, 2, 4, 7, 7, 1, 1, 2, 2, 4, 7, 7, 3, 3, 5, 5, 6, 9, 9, 8, 8, 2, 2, 0, 5, 5, 8, 8, 2, 2, 0, 5, 5 } },
  { "nearest", "round_prefer_ceil", "half_pixel", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 2, 4, 4, 7, 7, 1, 1, 2, 4, 4, 7, 7, 3, 3, 5, 6, 6, 9, 9, 8, 8, 2, 0, 0, 5, 5, 8, 8, 2, 0, 0, 5, 5 } },
  { "nearest", "round_prefer_ceil", "asymmetric", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 2, 2, 4, 4, 7, 7, 3, 5, 5, 6, 6, 9, 9, 3, 5, 5, 6, 6, 9, 9, 8, 2, 2, 0, 0, 5, 5, 8, 2, 2, 0, 0, 5, 5 } },
  { "nearest", "round_prefer_ceil", "align_corners", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 2, 2, 4, 4, 7, 7, 3, 5, 5, 6, 6, 9, 9, 3, 5, 5, 6, 6, 9, 9, 8, 2, 2, 0, 0, 5, 5, 8, 2, 2, 0, 0, 5, 5 } },
  { "nearest", "round_prefer_ceil", "tf_half_pixel_for_nn", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 2, 2, 4, 7, 7, 7, 3, 5, 5, 6, 9, 9, 9, 8, 2, 2, 0, 5, 5, 5, 8, 2, 2, 0, 5, 5, 5, 8, 2, 2, 0, 5, 5, 5 } },
  { "nearest", "round_prefer_ceil", "pytorch_half_pixel", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 2, 4, 4, 7, 7, 1, 1, 2, 4, 4, 7, 7, 3, 3, 5, 6, 6, 9, 9, 8, 8, 2, 0, 0, 5, 5, 8, 8, 2, 0, 0, 5, 5 } },
  { "nearest", "round_prefer_ceil", "half_pixel_symmetric", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 2, 4, 4, 7, 7, 1, 1, 2, 4, 4, 7, 7, 3, 3, 5, 6, 6, 9, 9, 8, 8, 2, 0, 0, 5, 5, 8, 8, 2, 0, 0, 5, 5 } },
  { "nearest", "floor", "half_pixel", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 1, 2, 4, 4, 7, 1, 1, 1, 2, 4, 4, 7, 3, 3, 3, 5, 6, 6, 9, 3, 3, 3, 5, 6, 6, 9, 8, 8, 8, 2, 0, 0, 5 } },
  { "nearest", "floor", "asymmetric", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 2, 2, 4, 4, 7, 1, 1, 2, 2, 4, 4, 7, 3, 3, 5, 5, 6, 6, 9, 3, 3, 5, 5, 6, 6, 9, 8, 8, 2, 2, 0, 0, 5 } },
  { "nearest", "floor", "align_corners", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 2, 2, 4, 4, 7, 1, 1, 2, 2, 4, 4, 7, 3, 3, 5, 5, 6, 6, 9, 3, 3, 5, 5, 6, 6, 9, 8, 8, 2, 2, 0, 0, 5 } },
  { "nearest", "floor", "tf_half_pixel_for_nn", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 2, 4, 4, 7, 7, 1, 1, 2, 4, 4, 7, 7, 3, 3, 5, 6, 6, 9, 9, 8, 8, 2, 0, 0, 5, 5, 8, 8, 2, 0, 0, 5, 5 } },
  { "nearest", "floor", "pytorch_half_pixel", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 1, 2, 4, 4, 7, 1, 1, 1, 2, 4, 4, 7, 3, 3, 3, 5, 6, 6, 9, 3, 3, 3, 5, 6, 6, 9, 8, 8, 8, 2, 0, 0, 5 } },
  { "nearest", "floor", "half_pixel_symmetric", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 1, 1, 2, 4, 4, 7, 1, 1, 1, 2, 4, 4, 7, 3, 3, 3, 5, 6, 6, 9, 3, 3, 3, 5, 6, 6, 9, 8, 8, 8, 2, 0, 0, 5 } },
  { "nearest", "ceil", "half_pixel", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 2, 2, 4, 7, 7, 7, 3, 5, 5, 6, 9, 9, 9, 3, 5, 5, 6, 9, 9, 9, 8, 2, 2, 0, 5, 5, 5, 8, 2, 2, 0, 5, 5, 5 } },
  { "nearest", "ceil", "asymmetric", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 2, 4, 4, 7, 7, 7, 3, 5, 6, 6, 9, 9, 9, 8, 2, 0, 0, 5, 5, 5, 8, 2, 0, 0, 5, 5, 5, 8, 2, 0, 0, 5, 5, 5 } },
  { "nearest", "ceil", "align_corners", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 2, 2, 4, 4, 7, 7, 3, 5, 5, 6, 6, 9, 9, 3, 5, 5, 6, 6, 9, 9, 8, 2, 2, 0, 0, 5, 5, 8, 2, 2, 0, 0, 5, 5 } },
  { "nearest", "ceil", "tf_half_pixel_for_nn", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 5, 5, 6, 6, 9, 9, 9, 5, 5, 6, 6, 9, 9, 9, 2, 2, 0, 0, 5, 5, 5, 2, 2, 0, 0, 5, 5, 5, 2, 2, 0, 0, 5, 5, 5 } },
  { "nearest", "ceil", "pytorch_half_pixel", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 2, 2, 4, 7, 7, 7, 3, 5, 5, 6, 9, 9, 9, 3, 5, 5, 6, 9, 9, 9, 8, 2, 2, 0, 5, 5, 5, 8, 2, 2, 0, 5, 5, 5 } },
  { "nearest", "ceil", "half_pixel_symmetric", -0.75, 0, 0, TRUE, { 1, 1, 5, 7 }, { 5, 7 }, { 1, 2, 2, 4, 7, 7, 7, 3, 5, 5, 6, 9, 9, 9, 3, 5, 5, 6, 9, 9, 9, 8, 2, 2, 0, 5, 5, 5, 8, 2, 2, 0, 5, 5, 5 } },
  { "linear", "round_prefer_floor", "half_pixel", -0.75, 0, 0, TRUE, { 1, 1, 5, 3 }, { 5, 3 }, { 1.16666663, 3, 6.5, 2.0333333, 4, 7.30000019, 3.33333325, 5.5, 8.5, 5.5333333, 2.79999995, 5.9000001, 7, 1, 4.16666651 } },
  { "linear", "round_prefer_floor", "half_pixel", -0.75, 0, 0, FALSE, { 1, 1, 0.7, 1.6 }, { 2, 6 }, { 1.42857146, 1.95982146, 2.75446439, 3.87053561, 5.36607122, 7.24107122, 6.21428585, 4.83928585, 3.01339269, 2.43303561, 3.48214245, 6.16071415 } },
  { "linear", "round_prefer_floor", "asymmetric", -0.75, 0, 0, TRUE, { 1, 1, 5, 3 }, { 5, 3 }, { 1, 2.66666675, 6, 2.20000005, 4.26666689, 7.19999981, 4, 4.5333333, 7.0666666, 7, 2.13333344, 4.26666689, 8, 1.33333337, 3.33333325 } },
  { "linear", "round_prefer_floor", "asymmetric", -0.75, 0, 0, FALSE, { 1, 1, 0.7, 1.6 }, { 2, 6 }, { 1, 1.625, 2.5, 3.75, 5.5, 7, 5.14285707, 4.25, 3.64285707, 3.46428561, 5.35714245, 7.28571415 } },
  { "linear", "round_prefer_floor", "align_corners", -0.75, 0, 0, TRUE, { 1, 1, 5, 3 }, { 5, 3 }, { 1, 3, 7, 2, 4.25, 8, 3, 5.5, 9, 5.5, 3.25, 7, 8, 1, 5 } },
  { "linear", "round_prefer_floor", "align_corners", -0.75, 0, 0, FALSE, { 1, 1, 0.7, 1.6 }, { 2, 6 }, { 1, 1.55555558, 2.22222209, 3.33333325, 4.66666651, 6.33333302, 7.09090948, 4.56565666, 2.38383818, 1.57575727, 2.12121153, 4.69696903 } },
  { "linear", "round_prefer_floor", "pytorch_half_pixel", -0.75, 0, 0, TRUE, { 1, 1, 5, 3 }, { 5, 3 }, { 1.16666663, 3, 6.5, 2.0333333, 4, 7.30000019, 3.33333325, 5.5, 8.5, 5.5333333, 2.79999995, 5.9000001, 7, 1, 4.16666651 } },
  { "linear", "round_prefer_floor", "pytorch_half_pixel", -0.75, 0, 0, FALSE, { 1, 1, 0.7, 1.6 }, { 2, 6 }, { 1.42857146, 1.95982146, 2.75446439, 3.87053561, 5.36607122, 7.24107122, 6.21428585, 4.83928585, 3.01339269, 2.43303561, 3.48214245, 6.16071415 } },
  { "linear", "round_prefer_floor", "half_pixel_symmetric", -0.75, 0, 0, TRUE, { 1, 1, 5, 3 }, { 5, 3 }, { 1.16666663, 3, 6.5, 2.0333333, 4, 7.30000019, 3.33333325, 5.5, 8.5, 5.5333333, 2.79999995, 5.9000001, 7, 1, 4.16666651 } },
  { "linear", "round_prefer_floor", "half_pixel_symmetric", -0.75, 0, 0, FALSE, { 1, 1, 0.7, 1.6 }, { 2, 6 }, { 1.57142854, 2.29464293, 3.17857146, 4.25, 5.8839283, 7.57142878, 6.57142878, 4.48214293, 2.64285707, 1.92857134, 3.65178561, 6.14285707 } },
  { "cubic", "round_prefer_floor", "half_pixel", -0.50, 0, 0, TRUE, { 1, 1, 4, 6 }, { 4, 6 }, { 0.849195719, 1.25238037, 2.12332487, 3.4952054, 5.5322876, 7.07790804, 1.81273961, 2.96466064, 4.46766472, 5.42041016, 7.27264404, 8.76669693, 4.91506863, 4.53570557, 4.08654118, 3.86391187, 5.91107178, 7.97729492, 8.608634, 5.18182373, 1.17007113, -0.397854269, 2.12677002, 5.10348415 } },
  { "cubic", "round_prefer_floor", "align_corners", -0.50, 0, 0, TRUE, { 1, 1, 4, 6 }, { 4, 6 }, { 1, 1.48000002, 2.31999993, 3.51999998, 5.27199984, 7, 2.03703713, 3.3605926, 4.66548157, 5.4752593, 7.0334816, 8.70370388, 4.62962961, 4.4420743, 4.26251841, 4.13007402, 5.72385168, 7.9629631, 8, 4.4000001, 1.23199999, -0.112000003, 1.73599994, 5 } },
  { "cubic", "round_prefer_floor", "asymmetric", -0.50, 0, 0, TRUE, { 1, 1, 4, 6 }, { 4, 6 }, { 1, 1.55555558, 2.55555558, 4, 6.18518496, 7.22222233, 2.2421875, 3.79774308, 5.08940983, 6.015625, 8.0801506, 9.08680534, 5.625, 4.30324078, 3.22916675, 3.125, 5.91898155, 7.42129612, 8.3515625, 3.89727998, 0.457465291, -0.421875, 3.11371517, 5.0995369 } },
  { "cubic", "round_prefer_floor", "half_pixel", -0.50, 1, 0, TRUE, { 1, 1, 4, 6 }, { 4, 6 }, { 0.833169699, 1.22080767, 2.11043739, 3.485852, 5.60447741, 7.09289074, 1.75876367, 2.83921194, 4.37489605, 5.34366226, 7.28157139, 8.72228146, 5.06679869, 4.58674955, 3.97152066, 3.6962893, 5.87310839, 7.89381361, 8.68342495, 5.36786652, 1.1531924, -0.423507452, 2.26207209, 5.12686586 } },
  { "cubic", "round_prefer_floor", "align_corners", -0.50, 1, 0, TRUE, { 1, 1, 4, 6 }, { 4, 6 }, { 1, 1.45801532, 2.31999993, 3.51999998, 5.35114527, 7, 2, 3.2341876, 4.58171415, 5.40542841, 7.04716444, 8.64285755, 4.75, 4.45474386, 4.15428591, 3.97857141, 5.68565989, 7.85714293, 8, 4.56488562, 1.23199999, -0.112000003, 1.88549614, 5 } },
  { "cubic", "round_prefer_floor", "asymmetric", -0.50, 1, 0, TRUE, { 1, 1, 4, 6 }, { 4, 6 }, { 1, 1.53571427, 2.55555558, 4, 6.24137926, 7.3157897, 2.21374035, 3.69165754, 5.03138256, 5.96946573, 8.09160328, 9.13338661, 5.76470566, 4.33403349, 3.08496737, 2.94117641, 5.8580122, 7.42724466, 8.44117641, 4.05252123, 0.375817001, -0.529411793, 3.14097357, 5.19195032 } },
  { "linear", "round_prefer_floor", "tf_crop_and_resize", -0.75, 0, 0, TRUE, { 1, 1, 4, 5 }, { 4, 5 }, { 2.22000003, 2.95499992, 3.75999999, 4.5999999, 6, 3.77333331, 4.54333353, 5.07999992, 5.5, 6.85333347, 5.50666666, 3.47666669, 2.38000011, 1.75, 3.38666677, -9, -9, -9, -9, -9 } },
  { "nearest", "round_prefer_floor", "tf_crop_and_resize", -0.75, 0, 0, TRUE, { 1, 1, 4, 5 }, { 4, 5 }, { 1, 2, 2, 4, 4, 3, 5, 5, 6, 6, 8, 2, 2, 0, 0, -9, -9, -9, -9, -9 } },
  { "cubic", "round_prefer_floor", "tf_crop_and_resize", -0.75, 0, 0, TRUE, { 1, 1, 4, 5 }, { 4, 5 }, { 1.87758303, 2.91907835, 4.03587294, 4.83213091, 6.51355219, 3.76682663, 4.65472221, 5.23037148, 5.47835588, 7.05933571, 5.80193424, 3.57337832, 1.69934368, 1.31296313, 3.1508882, -9, -9, -9, -9, -9 } },
  { "linear", "round_prefer_floor", "half_pixel", -0.75, 0, 1, TRUE, { 1, 1, 2, 3 }, { 2, 3 }, { 2.030303, 3.83333325, 6.84848499, 5.4242425, 2.5, 5.15151501 } },
  { "cubic", "round_prefer_floor", "half_pixel", -0.75, 0, 1, TRUE, { 1, 1, 2, 3 }, { 2, 3 }, { 1.59726036, 4.06830406, 7.40634775, 5.80863476, 2.17125654, 5.32230711 } },
};

static const float resize_x[12] = { 1, 2, 4, 7, 3, 5, 6, 9, 8, 2, 0, 5 };

static void
test_resize_onnx (void)
{
  const gint64 d[] = { 1, 1, 3, 4 }, roi_dims[] = { 8 };
  const float roi[] = { 0, 0, 0.2f, 0.1f, 1, 1, 1.2f, 0.8f };

  for (guint i = 0; i < G_N_ELEMENTS (onnx_resize_cases); i++)
    {
      const OnnxResizeCase *t = &onnx_resize_cases[i];
      const gint64 e[] = { 1, 1, t->out[0], t->out[1] };
      g_autoptr(Call) c = call_new ("Resize", 19, 1);

      g_test_message ("case %u: %s %s %s", i, t->mode, t->nearest, t->coord);
      attr_string (c, "mode", t->mode);
      attr_string (c, "nearest_mode", t->nearest);
      attr_string (c, "coordinate_transformation_mode", t->coord);
      attr_float (c, "cubic_coeff_a", t->cubic_a);
      attr_int (c, "exclude_outside", t->exclude_outside);
      attr_int (c, "antialias", t->antialias);
      attr_float (c, "extrapolation_value", -9);
      call_f32 (c, 4, d, resize_x);
      if (strcmp (t->coord, "tf_crop_and_resize") == 0)
        call_f32 (c, 1, roi_dims, roi);
      else
        call_skip (c);
      if (t->sizes)
        {
          const gint64 sizes[] = { (gint64) t->params[0], (gint64) t->params[1], (gint64) t->params[2],
                                   (gint64) t->params[3] };
          call_skip (c);
          call_ints (c, 4, sizes);
        }
      else
        {
          const gint64 sd[] = { 4 };
          const float scales[] = { (float) t->params[0], (float) t->params[1], (float) t->params[2],
                                   (float) t->params[3] };
          call_f32 (c, 1, sd, scales);
        }
      call_ok (c);
      check_f32 (&c->out[0], 4, e, t->expected, 2e-5f);
    }
}

/* axes (opset 18) and keep_aspect_ratio_policy: sizes for H and W only */
static void
test_resize_axes_aspect (void)
{
  const gint64 d[] = { 1, 1, 3, 4 }, axes[] = { 3, 2 }, sizes[] = { 8, 9 }, e[] = { 1, 1, 6, 8 };
  g_autoptr(Call) c = call_new ("Resize", 18, 1);

  /* not_larger: scale = min (8/4, 9/3) = 2 → 6×8; nearest of asymmetric x/2 */
  attr_ints (c, "axes", 2, axes);
  attr_string (c, "keep_aspect_ratio_policy", "not_larger");
  attr_string (c, "coordinate_transformation_mode", "asymmetric");
  attr_string (c, "nearest_mode", "floor");
  call_f32 (c, 4, d, resize_x);
  call_skip (c);
  call_skip (c);
  call_ints (c, 2, sizes);
  call_ok (c);
  check_shape (&c->out[0], 4, e);
  g_assert_cmpfloat (LAMINA_VALUE_F32 (&c->out[0])[8 * 5 + 7], ==, resize_x[2 * 4 + 3]);
  g_assert_cmpfloat (LAMINA_VALUE_F32 (&c->out[0])[8 * 2 + 3], ==, resize_x[1 * 4 + 1]);
}

static void
test_resize_errors (void)
{
  const gint64 d[] = { 1, 1, 3, 4 }, sd[] = { 4 };
  const float scales[] = { 1, 1, 2, 2 }, bad[] = { 1, 1, -2, 2 };
  const gint64 sizes[] = { 1, 1, 6, 8 };
  {
    /* both scales and sizes */
    g_autoptr(Call) c = call_new ("Resize", 13, 1);
    call_f32 (c, 4, d, resize_x);
    call_skip (c);
    call_f32 (c, 1, sd, scales);
    call_ints (c, 4, sizes);
    call_fails (c);
  }
  {
    g_autoptr(Call) c = call_new ("Resize", 13, 1);
    call_f32 (c, 4, d, resize_x);
    call_skip (c);
    call_f32 (c, 1, sd, bad);
    call_fails (c);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(Call) c = call_new ("Resize", 13, 1);
    attr_string (c, "coordinate_transformation_mode", "sideways");
    call_f32 (c, 4, d, resize_x);
    call_skip (c);
    call_f32 (c, 1, sd, scales);
    g_assert_false (call_run (c, &error));
    g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_UNSUPPORTED);
  }
}

/* Upsample-7 (scales attribute) and -9 (input): nearest is floor (x / scale) */
static void
test_upsample (void)
{
  const gint64 d[] = { 1, 1, 2, 2 }, e[] = { 1, 1, 4, 6 };
  const float x[] = { 1, 2, 3, 4 };
  const float expected[] = { 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4 };
  g_autoptr(Call) c = call_new ("Upsample", 7, 1);
  LaminaAttr *a = lamina_node_add_attr (c->node, "scales", LAMINA_ATTR_FLOATS);

  a->n = 4;
  a->floats = g_new (double, 4);
  a->floats[0] = a->floats[1] = 1, a->floats[2] = 2, a->floats[3] = 3;
  call_f32 (c, 4, d, x);
  call_ok (c);
  check_f32 (&c->out[0], 4, e, expected, 0);
}

typedef struct {
  gboolean bilinear;
  int      align_corners, half_pixel_centers;
  gint64   out_h, out_w;
  float    expected[70];
} TfliteResizeCase;

/* from tests/gen-ops-tensor-reference.py; input (1..24)^1.5 as [1,3,4,2] */
static const TfliteResizeCase tflite_resize_cases[] = {
  { FALSE, 0, 0, 5, 7, { 1, 2.82842708, 1, 2.82842708, 5.19615269, 8, 5.19615269, 8, 11.1803398, 14.6969385, 11.1803398, 14.6969385, 18.5202579, 22.6274166, 1, 2.82842708, 1, 2.82842708, 5.19615269, 8, 5.19615269, 8, 11.1803398, 14.6969385, 11.1803398, 14.6969385, 18.5202579, 22.6274166, 27, 31.622776, 27, 31.622776, 36.482872, 41.5692215, 36.482872, 41.5692215, 46.8721657, 52.3832016, 46.8721657, 52.3832016, 58.0947495, 64, 27, 31.622776, 27, 31.622776, 36.482872, 41.5692215, 36.482872, 41.5692215, 46.8721657, 52.3832016, 46.8721657, 52.3832016, 58.0947495, 64, 70.0927963, 76.3675308, 70.0927963, 76.3675308, 82.8190765, 89.4427185, 82.8190765, 89.4427185, 96.2340927, 103.189148, 96.2340927, 103.189148, 110.304123, 117.575508 } },
  { FALSE, 0, 0, 2, 3, { 1, 2.82842708, 5.19615269, 8, 11.1803398, 14.6969385, 27, 31.622776, 36.482872, 41.5692215, 46.8721657, 52.3832016 } },
  { FALSE, 1, 0, 5, 7, { 1, 2.82842708, 5.19615269, 8, 5.19615269, 8, 11.1803398, 14.6969385, 11.1803398, 14.6969385, 18.5202579, 22.6274166, 18.5202579, 22.6274166, 27, 31.622776, 36.482872, 41.5692215, 36.482872, 41.5692215, 46.8721657, 52.3832016, 46.8721657, 52.3832016, 58.0947495, 64, 58.0947495, 64, 27, 31.622776, 36.482872, 41.5692215, 36.482872, 41.5692215, 46.8721657, 52.3832016, 46.8721657, 52.3832016, 58.0947495, 64, 58.0947495, 64, 70.0927963, 76.3675308, 82.8190765, 89.4427185, 82.8190765, 89.4427185, 96.2340927, 103.189148, 96.2340927, 103.189148, 110.304123, 117.575508, 110.304123, 117.575508, 70.0927963, 76.3675308, 82.8190765, 89.4427185, 82.8190765, 89.4427185, 96.2340927, 103.189148, 96.2340927, 103.189148, 110.304123, 117.575508, 110.304123, 117.575508 } },
  { FALSE, 1, 0, 2, 3, { 1, 2.82842708, 11.1803398, 14.6969385, 18.5202579, 22.6274166, 70.0927963, 76.3675308, 96.2340927, 103.189148, 110.304123, 117.575508 } },
  { FALSE, 0, 1, 5, 7, { 1, 2.82842708, 1, 2.82842708, 5.19615269, 8, 11.1803398, 14.6969385, 11.1803398, 14.6969385, 18.5202579, 22.6274166, 18.5202579, 22.6274166, 1, 2.82842708, 1, 2.82842708, 5.19615269, 8, 11.1803398, 14.6969385, 11.1803398, 14.6969385, 18.5202579, 22.6274166, 18.5202579, 22.6274166, 27, 31.622776, 27, 31.622776, 36.482872, 41.5692215, 46.8721657, 52.3832016, 46.8721657, 52.3832016, 58.0947495, 64, 58.0947495, 64, 70.0927963, 76.3675308, 70.0927963, 76.3675308, 82.8190765, 89.4427185, 96.2340927, 103.189148, 96.2340927, 103.189148, 110.304123, 117.575508, 110.304123, 117.575508, 70.0927963, 76.3675308, 70.0927963, 76.3675308, 82.8190765, 89.4427185, 96.2340927, 103.189148, 96.2340927, 103.189148, 110.304123, 117.575508, 110.304123, 117.575508 } },
  { FALSE, 0, 1, 2, 3, { 1, 2.82842708, 11.1803398, 14.6969385, 18.5202579, 22.6274166, 70.0927963, 76.3675308, 96.2340927, 103.189148, 110.304123, 117.575508 } },
  { TRUE, 0, 0, 5, 7, { 1, 2.82842708, 3.39780164, 5.78361177, 6.05103683, 8.95670605, 9.47057343, 12.7835283, 13.2774601, 16.9627895, 17.4716988, 21.4944916, 18.5202579, 22.6274166, 16.6000004, 20.1050377, 20.8103924, 24.6973209, 25.2006512, 29.451128, 30.1305084, 34.6895103, 35.3581543, 40.2064896, 40.8835907, 46.0020752, 42.2649536, 47.4509659, 35.6185608, 40.5717316, 41.40802, 46.6129799, 47.3207512, 52.7725601, 53.6032867, 59.2871208, 60.1137199, 66.0217361, 66.8520432, 72.9764328, 68.5366211, 74.7151108, 61.4742393, 67.4185791, 68.3757248, 74.532547, 75.381813, 81.748024, 82.7017517, 89.2679749, 90.2190094, 96.9800873, 97.933609, 104.884354, 99.8622589, 106.860413, 70.0927963, 76.3675308, 77.3649597, 83.8390656, 84.7355118, 91.4064941, 92.4012299, 99.2616043, 100.254112, 107.299545, 108.294128, 115.520325, 110.304123, 117.575516 } },
  { TRUE, 0, 0, 2, 3, { 1, 2.82842708, 7.19088173, 10.2323132, 16.0736198, 19.9839249, 48.5463982, 53.9951553, 63.6183586, 69.5993652, 79.9840012, 86.4538956 } },
  { TRUE, 1, 0, 5, 7, { 1, 2.82842708, 3.09807634, 5.41421366, 5.19615269, 8, 8.18824577, 11.3484688, 11.1803398, 14.6969385, 14.8502989, 18.662178, 18.5202579, 22.6274166, 14, 17.2256012, 17.4197559, 21.005106, 20.8395119, 24.7846107, 24.9328823, 29.1623402, 29.0262527, 33.5400696, 33.6668777, 38.4268875, 38.3075027, 43.3137093, 27, 31.622776, 31.741436, 36.5960007, 36.482872, 41.5692215, 41.6775208, 46.9762115, 46.8721657, 52.3832016, 52.4834595, 58.1916008, 58.0947495, 64, 48.5463982, 53.9951553, 54.0986862, 59.7505646, 59.6509743, 65.5059662, 65.6020508, 71.6460724, 71.5531311, 77.7861786, 77.8762817, 84.2869644, 84.1994324, 90.7877502, 70.0927963, 76.3675308, 76.4559326, 82.9051208, 82.8190765, 89.4427185, 89.5265808, 96.3159332, 96.2340927, 103.189148, 103.269104, 110.382324, 110.304123, 117.575508 } },
  { TRUE, 1, 0, 2, 3, { 1, 2.82842708, 8.18824577, 11.3484688, 18.5202579, 22.6274166, 70.0927963, 76.3675308, 89.5265808, 96.3159332, 110.304123, 117.575508 } },
  { TRUE, 0, 1, 5, 7, { 1.00000012, 2.82842684, 2.49862623, 4.6754179, 4.89642811, 7.63060284, 8.18824768, 11.3484697, 11.7046223, 15.2634048, 15.8988609, 19.795105, 18.5202579, 22.6274166, 11.4000015, 14.3461685, 13.6538734, 16.8752823, 17.260067, 20.9218674, 21.5839558, 25.5995674, 26.0922852, 30.4432354, 31.1739922, 35.817524, 34.3500595, 39.1764526, 27, 31.6227779, 30.3867416, 35.1750793, 35.8055229, 40.8587646, 41.6775208, 46.9762115, 47.6737785, 53.2129745, 54.0866852, 59.8511429, 58.0947495, 64, 52.8556824, 58.4696388, 56.937439, 62.6923828, 63.4682503, 69.4487762, 70.3869629, 76.5800476, 77.4129715, 83.8152466, 84.8021545, 91.4029846, 89.4203796, 96.1453094, 70.092804, 76.3675385, 74.6378937, 81.0372391, 81.9100571, 88.5087738, 89.5265808, 96.3159332, 97.23909, 104.216759, 105.279121, 112.437531, 110.304123, 117.575508 } },
  { TRUE, 0, 1, 2, 3, { 8.41963863, 11.0878954, 16.560564, 20.2554054, 27.0287857, 31.4952202, 61.3055, 67.2301788, 77.5643158, 83.9810028, 95.0254211, 101.899307 } },
};

static void
test_resize_tflite (void)
{
  const gint64 d[] = { 1, 3, 4, 2 }, sd[] = { 2 };
  float x[24];

  for (int i = 0; i < 24; i++)
    x[i] = powf ((float) (i + 1), 1.5f);
  for (guint i = 0; i < G_N_ELEMENTS (tflite_resize_cases); i++)
    {
      const TfliteResizeCase *t = &tflite_resize_cases[i];
      const gint64 e[] = { 1, t->out_h, t->out_w, 2 };
      const gint32 size[] = { (gint32) t->out_h, (gint32) t->out_w };
      g_autoptr(Call) c = call_new (t->bilinear ? "ResizeBilinear" : "ResizeNearestNeighbor", 0, 1);

      g_test_message ("case %u", i);
      attr_int (c, "align_corners", t->align_corners);
      attr_int (c, "half_pixel_centers", t->half_pixel_centers);
      call_f32 (c, 4, d, x);
      call_input (c, LAMINA_DTYPE_INT32, 1, sd, size);
      call_ok (c);
      check_f32 (&c->out[0], 4, e, t->expected, 1e-3f);
    }
}

/* A bigger bilinear resize, threaded, against the same table-free formula
 * written out per pixel (TFLite half_pixel_centers). */
static void
test_resize_bilinear_big (void)
{
  const gint64 d[] = { 1, 37, 53, 5 }, sd[] = { 2 };
  const gint32 size[] = { 80, 111 };
  gint64 n = 37 * 53 * 5;
  g_autofree float *x = g_new (float, n);
  g_autoptr(Call) c = call_new ("ResizeBilinear", 0, 1);
  const float *y;

  for (gint64 i = 0; i < n; i++)
    x[i] = sinf ((float) i * 0.37f) * 10;
  attr_int (c, "half_pixel_centers", 1);
  call_f32 (c, 4, d, x);
  call_input (c, LAMINA_DTYPE_INT32, 1, sd, size);
  call_ok (c);
  y = LAMINA_VALUE_F32 (&c->out[0]);
  for (int oy = 0; oy < 80; oy++)
    for (int ox = 0; ox < 111; ox++)
      for (int ch = 0; ch < 5; ch++)
        {
          float iy = (oy + 0.5f) * (37.0f / 80) - 0.5f, ix = (ox + 0.5f) * (53.0f / 111) - 0.5f;
          int y0 = MAX ((int) floorf (iy), 0), y1 = MIN ((int) ceilf (iy), 36);
          int x0 = MAX ((int) floorf (ix), 0), x1 = MIN ((int) ceilf (ix), 52);
          float dy = iy - y0, dx = ix - x0;
#define X(yy, xx) x[((yy) * 53 + (xx)) * 5 + ch]
          float v = X (y0, x0) * (1 - dy) * (1 - dx) + X (y1, x0) * dy * (1 - dx) + X (y0, x1) * (1 - dy) * dx +
                    X (y1, x1) * dy * dx;
#undef X
          g_assert_cmpfloat_with_epsilon (y[(oy * 111 + ox) * 5 + ch], v, 1e-4);
        }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ops-tensor/copy/permute-paths", test_permute_paths);
  g_test_add_func ("/ops-tensor/copy/permute-nhwc", test_permute_nhwc);
  g_test_add_func ("/ops-tensor/copy/gather-paths", test_gather_paths);
  g_test_add_func ("/ops-tensor/copy/gather-big", test_gather_big);
  g_test_add_func ("/ops-tensor/reshape", test_reshape);
  g_test_add_func ("/ops-tensor/reshape-allowzero-errors", test_reshape_allowzero_and_errors);
  g_test_add_func ("/ops-tensor/flatten-squeeze-unsqueeze", test_flatten_squeeze_unsqueeze);
  g_test_add_func ("/ops-tensor/transpose", test_transpose);
  g_test_add_func ("/ops-tensor/depth-space", test_depth_space);
  g_test_add_func ("/ops-tensor/concat", test_concat);
  g_test_add_func ("/ops-tensor/concat-errors", test_concat_errors);
  g_test_add_func ("/ops-tensor/concatenation-relu6", test_concatenation_relu6);
  g_test_add_func ("/ops-tensor/pack-unpack", test_pack_unpack);
  g_test_add_func ("/ops-tensor/split", test_split);
  g_test_add_func ("/ops-tensor/slice", test_slice);
  g_test_add_func ("/ops-tensor/strided-slice", test_strided_slice);
  g_test_add_func ("/ops-tensor/pad-modes", test_pad_modes);
  g_test_add_func ("/ops-tensor/pad-constant-crop", test_pad_constant_crop);
  g_test_add_func ("/ops-tensor/mirror-pad", test_mirror_pad);
  g_test_add_func ("/ops-tensor/tile-expand", test_tile_expand);
  g_test_add_func ("/ops-tensor/gather", test_gather);
  g_test_add_func ("/ops-tensor/gather-elements-nd", test_gather_elements_nd);
  g_test_add_func ("/ops-tensor/scatter-nd", test_scatter_nd);
  g_test_add_func ("/ops-tensor/shape-size", test_shape_size);
  g_test_add_func ("/ops-tensor/generators", test_generators);
  g_test_add_func ("/ops-tensor/trilu-nonzero", test_trilu_nonzero);
  g_test_add_func ("/ops-tensor/dtypes", test_int8_and_fp16_transpose);
  g_test_add_func ("/ops-tensor/resize/onnx", test_resize_onnx);
  g_test_add_func ("/ops-tensor/resize/axes-aspect", test_resize_axes_aspect);
  g_test_add_func ("/ops-tensor/resize/errors", test_resize_errors);
  g_test_add_func ("/ops-tensor/resize/upsample", test_upsample);
  g_test_add_func ("/ops-tensor/resize/tflite", test_resize_tflite);
  g_test_add_func ("/ops-tensor/resize/bilinear-big", test_resize_bilinear_big);
  return g_test_run ();
}
