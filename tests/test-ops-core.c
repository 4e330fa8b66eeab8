/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-ops-core: the simulator's runtime base — LaminaValue (shapes,
 * allocation, borrowed constants), the thread pool and the kernel registry.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include "ops/lamina-kernel.h"
#include "lamina-test-util.h"

/* ---- LaminaValue ------------------------------------------------------- */

static void
test_value_shape (void)
{
  LaminaValue v = { 0 };
  const gint64 dims[] = { 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 3, dims, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v.numel, ==, 24);
  g_assert_cmpint (v.rank, ==, 3);
  g_assert_cmpint (v.dims[2], ==, 4);
  g_assert_cmpint (v.dims[3], ==, 0);
  g_assert_null (v.data);   /* set_shape never allocates */
  text = lamina_value_describe (&v);
  g_assert_cmpstr (text, ==, "float32[2,3,4]");

  /* a scalar has one element and an empty dims list */
  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_INT64, 0, NULL, &error));
  g_assert_cmpint (v.numel, ==, 1);
  g_clear_pointer (&text, g_free);
  text = lamina_value_describe (&v);
  g_assert_cmpstr (text, ==, "int64[]");

  /* an empty tensor */
  {
    const gint64 empty[] = { 3, 0, 5 };
    g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_UINT8, 3, empty, &error));
    g_assert_cmpint (v.numel, ==, 0);
  }
  lamina_value_clear (&v);
}

static void
test_value_shape_errors (void)
{
  LaminaValue v = { 0 };
  const gint64 negative[] = { 2, -1 };
  const gint64 huge[] = { G_GINT64_CONSTANT (1) << 32, G_GINT64_CONSTANT (1) << 32 };
  /* 2^20 · 2^20 float32 = 2^42 bytes: above the 2^40 byte limit */
  const gint64 too_big[] = { 1 << 20, 1 << 20 };
  const gint64 nine[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
  const gint64 ok[] = { 7 };
  g_autoptr(GError) error = NULL;

  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 1, ok, NULL));
  g_assert_false (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 2, negative, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  /* a failed call leaves the previous shape alone */
  g_assert_cmpint (v.numel, ==, 7);
  g_assert_false (lamina_value_set_shape (&v, LAMINA_DTYPE_INT8, 2, huge, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 2, too_big, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 9, nine, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, -1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpint (v.numel, ==, 7);
}

static void
test_value_alloc (void)
{
  LaminaValue v = { 0 };
  const gint64 small[] = { 2, 2 }, big[] = { 64, 64 }, empty[] = { 0 };
  g_autoptr(GError) error = NULL;
  void *first;

  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 2, big, &error));
  g_assert_true (lamina_value_alloc (&v, &error));
  g_assert_no_error (error);
  g_assert_true (v.owned);
  g_assert_cmpuint (v.nbytes, >=, 64 * 64 * 4);
  memset (v.data, 0xab, v.nbytes);   /* the whole capacity is writable (ASan checks) */
  first = v.data;

  /* shrinking keeps the buffer */
  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 2, small, &error));
  g_assert_true (lamina_value_alloc (&v, &error));
  g_assert_true (v.data == first);

  /* growing again (a wider dtype) reallocates */
  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT64, 2, big, &error));
  g_assert_true (lamina_value_alloc (&v, &error));
  g_assert_cmpuint (v.nbytes, >=, 64 * 64 * 8);
  memset (v.data, 0, v.nbytes);

  /* an empty tensor still gets a distinct buffer */
  lamina_value_clear (&v);
  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, 1, empty, &error));
  g_assert_true (lamina_value_alloc (&v, &error));
  g_assert_nonnull (v.data);
  lamina_value_clear (&v);
  g_assert_null (v.data);
  g_assert_false (v.owned);
}

static LaminaTensor *
constant_tensor (LaminaDType dtype, int rank, const gint64 *dims, const void *data, gsize size)
{
  LaminaTensor *t = lamina_tensor_new ("c");

  t->dtype = dtype;
  t->is_constant = TRUE;
  lamina_shape_set (&t->shape, rank, dims);
  if (data)
    t->data = g_bytes_new (data, size);
  return t;
}

static void
test_value_from_constant (void)
{
  const float values[] = { 1, 2, 3, 4, 5, 6 };
  const gint64 dims[] = { 2, 3 }, wrong[] = { 2, 4 };
  LaminaValue v = { 0 };
  g_autoptr(GError) error = NULL;
  LaminaTensor *t = constant_tensor (LAMINA_DTYPE_FLOAT32, 2, dims, values, sizeof values);
  LaminaTensor *bad = constant_tensor (LAMINA_DTYPE_FLOAT32, 2, wrong, values, sizeof values);
  LaminaTensor *nodata = constant_tensor (LAMINA_DTYPE_FLOAT32, 2, dims, NULL, 0);
  LaminaTensor *dynamic = lamina_tensor_new ("d");

  dynamic->dtype = LAMINA_DTYPE_FLOAT32;
  lamina_shape_set_rank (&dynamic->shape, 2);
  dynamic->data = g_bytes_new (values, sizeof values);

  g_assert_true (lamina_value_from_constant (&v, t, &error));
  g_assert_no_error (error);
  g_assert_false (v.owned);   /* borrowed: points into the tensor's bytes */
  g_assert_true (v.data == g_bytes_get_data (t->data, NULL));
  g_assert_cmpint (v.numel, ==, 6);
  g_assert_cmpfloat (lamina_value_get_double (&v, 5), ==, 6.0);
  g_assert_cmpint (lamina_value_get_int (&v, 2), ==, 3);

  /* 24 bytes for a 2×4 float32 shape (32 bytes) */
  g_assert_false (lamina_value_from_constant (&v, bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (v.data);
  g_clear_error (&error);
  g_assert_false (lamina_value_from_constant (&v, nodata, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (lamina_value_from_constant (&v, dynamic, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* a borrowed value becomes owned (a copy is not made) when allocated */
  g_assert_true (lamina_value_from_constant (&v, t, &error));
  g_assert_true (lamina_value_alloc (&v, &error));
  g_assert_true (v.owned);
  g_assert_true (v.data != g_bytes_get_data (t->data, NULL));
  lamina_value_clear (&v);

  lamina_tensor_free (t);
  lamina_tensor_free (bad);
  lamina_tensor_free (nodata);
  lamina_tensor_free (dynamic);
}

static void
test_value_get (void)
{
  const gint8 i8[] = { -3, 127 };
  const guint16 u16[] = { 65535, 2 };
  const gint64 i64[] = { G_GINT64_CONSTANT (-5000000000), 7 };
  const guint8 b[] = { 0, 3 };
  LaminaValue v = { 0 };
  const gint64 two = 2;

  lamina_value_set_shape (&v, LAMINA_DTYPE_INT8, 1, &two, NULL);
  v.data = (void *) i8;
  g_assert_cmpint (lamina_value_get_int (&v, 0), ==, -3);
  g_assert_cmpfloat (lamina_value_get_double (&v, 1), ==, 127.0);
  lamina_value_set_shape (&v, LAMINA_DTYPE_UINT16, 1, &two, NULL);
  v.data = (void *) u16;
  g_assert_cmpint (lamina_value_get_int (&v, 0), ==, 65535);
  lamina_value_set_shape (&v, LAMINA_DTYPE_INT64, 1, &two, NULL);
  v.data = (void *) i64;
  g_assert_cmpint (lamina_value_get_int (&v, 0), ==, G_GINT64_CONSTANT (-5000000000));
  lamina_value_set_shape (&v, LAMINA_DTYPE_BOOL, 1, &two, NULL);
  v.data = (void *) b;
  g_assert_cmpint (lamina_value_get_int (&v, 1), ==, 1);
}

/* ---- LaminaParallel ---------------------------------------------------- */

typedef struct {
  gint   *hits;      /* per index, atomically incremented */
  gint64  sum;       /* atomically accumulated via a lock */
  GMutex  lock;
} ForData;

static void
for_body (gint64 begin, gint64 end, gpointer data)
{
  ForData *d = data;
  gint64 local = 0;

  g_assert_cmpint (begin, <, end);
  for (gint64 i = begin; i < end; i++)
    {
      g_atomic_int_inc (&d->hits[i]);
      local += i;
    }
  g_mutex_lock (&d->lock);
  d->sum += local;
  g_mutex_unlock (&d->lock);
}

static void
check_parallel_for (LaminaParallel *p, gint64 n, gint64 grain)
{
  ForData d = { g_new0 (gint, MAX (n, 1)), 0 };

  g_mutex_init (&d.lock);
  lamina_parallel_for (p, n, grain, for_body, &d);
  for (gint64 i = 0; i < n; i++)
    g_assert_cmpint (d.hits[i], ==, 1);   /* every index exactly once */
  g_assert_cmpint (d.sum, ==, n * (n - 1) / 2);
  g_mutex_clear (&d.lock);
  g_free (d.hits);
}

static void
test_parallel_for (gconstpointer data)
{
  int threads = GPOINTER_TO_INT (data);
  g_autoptr(LaminaParallel) p = lamina_parallel_new (threads);
  const gint64 sizes[] = { 0, 1, 2, 3, 7, 64, 1000, 100003 };
  const gint64 grains[] = { 1, 16, 5000 };

  g_assert_cmpint (lamina_parallel_threads (p), ==, threads);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint g = 0; g < G_N_ELEMENTS (grains); g++)
      check_parallel_for (p, sizes[s], grains[g]);
  /* the pool is reused across many jobs (as kernels do) */
  for (int i = 0; i < 200; i++)
    check_parallel_for (p, 997, 1);
}

static void
test_parallel_default (void)
{
  g_autoptr(LaminaParallel) p = lamina_parallel_new (0);

  g_assert_cmpint (lamina_parallel_threads (p), ==, g_get_num_processors ());
  check_parallel_for (p, 12345, 1);
}

/* ---- registry ---------------------------------------------------------- */

static void
test_registry (void)
{
  guint n = lamina_kernel_count ();

  g_assert_null (lamina_kernel_nth (n));
  g_assert_null (lamina_kernel_lookup ("NoSuchOperatorAnywhere", ""));
  for (guint i = 0; i < n; i++)
    {
      const LaminaKernel *k = lamina_kernel_nth (i);
      g_assert_nonnull (k->op_type);
      g_assert_nonnull (k->domain);
      g_assert_nonnull (k->reshape);
      g_assert_nonnull (k->run);
      /* sorted by (domain, op_type), no duplicates */
      if (i > 0)
        {
          const LaminaKernel *prev = lamina_kernel_nth (i - 1);
          int c = strcmp (prev->domain, k->domain);
          g_assert_true (c < 0 || (c == 0 && strcmp (prev->op_type, k->op_type) < 0));
        }
      /* every kernel is found by its own name, also via the spelled-out
       * default domain */
      g_assert_true (lamina_kernel_lookup (k->op_type, k->domain) == k);
      if (k->domain[0] == '\0')
        {
          g_assert_true (lamina_kernel_lookup (k->op_type, "ai.onnx") == k);
          g_assert_true (lamina_kernel_lookup (k->op_type, NULL) == k);
        }
    }
  g_test_message ("%u kernels registered", n);
}

static void
test_kernel_fail (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  LaminaNode *node = lamina_graph_add_node (g, "conv1", "Conv", "");
  LaminaKernelCall call = { .node = node };
  g_autoptr(GError) error = NULL;

  g_assert_false (lamina_kernel_fail (&call, &error, LAMINA_KERNEL_ERROR_INVALID, "bad %d", 7));
  g_assert_error (error, LAMINA_KERNEL_ERROR, LAMINA_KERNEL_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "Conv “conv1”: bad 7");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ops-core/value/shape", test_value_shape);
  g_test_add_func ("/ops-core/value/shape-errors", test_value_shape_errors);
  g_test_add_func ("/ops-core/value/alloc", test_value_alloc);
  g_test_add_func ("/ops-core/value/from-constant", test_value_from_constant);
  g_test_add_func ("/ops-core/value/get", test_value_get);
  g_test_add_data_func ("/ops-core/parallel/1-thread", GINT_TO_POINTER (1), test_parallel_for);
  g_test_add_data_func ("/ops-core/parallel/4-threads", GINT_TO_POINTER (4), test_parallel_for);
  g_test_add_func ("/ops-core/parallel/default", test_parallel_default);
  g_test_add_func ("/ops-core/registry", test_registry);
  g_test_add_func ("/ops-core/kernel-fail", test_kernel_fail);
  return g_test_run ();
}
