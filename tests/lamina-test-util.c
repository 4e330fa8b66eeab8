/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include "lamina-test-util.h"

static char *
shared_file (const char *folder, const char *name)
{
  const char *root = g_getenv ("LAMINA_SHARED_DIR");
  g_autofree char *path = NULL;

  if (root == NULL)
    root = "../shared";
  path = g_build_filename (root, folder, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *msg = g_strdup_printf ("%s is absent (../shared not beside the checkout?)", path);
      g_test_skip (msg);
      return NULL;
    }
  return g_steal_pointer (&path);
}

char *
lamina_test_shared_model (const char *name)
{
  return shared_file ("models", name);
}

char *
lamina_test_shared_image (const char *name)
{
  return shared_file ("images", name);
}

static char *tmpdir;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *entry;

  while (dir && (entry = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, entry, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir)
    g_dir_close (dir);
  g_rmdir (path);
}

static void
cleanup_tmpdir (void)
{
  if (tmpdir)
    remove_tree (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

const char *
lamina_test_tmpdir (void)
{
  if (tmpdir == NULL)
    {
      tmpdir = g_dir_make_tmp ("lamina-test-XXXXXX", NULL);
      g_assert_nonnull (tmpdir);
      atexit (cleanup_tmpdir);
    }
  return tmpdir;
}

static struct rlimit saved_fsize;
static gboolean      fsize_limited;

void
lamina_test_limit_file_size (gint64 bytes)
{
  struct rlimit limit;

  if (bytes >= 0)
    {
      if (!fsize_limited)
        g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved_fsize), ==, 0);
      fsize_limited = TRUE;
      limit = saved_fsize;
      limit.rlim_cur = (rlim_t) bytes;
      /* EFBIG from write(2) instead of the default SIGXFSZ, which kills */
      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
    }
  else if (fsize_limited)
    {
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved_fsize), ==, 0);
      signal (SIGXFSZ, SIG_DFL);
      fsize_limited = FALSE;
    }
}

/* ---- source files and processes ------------------------------------------ */

char *
lamina_test_source_file (const char *first, ...)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *rel = NULL;
  va_list args;

  va_start (args, first);
  rel = g_build_filename_valist (first, &args);
  va_end (args);
  return g_build_filename (srcdir ? srcdir : ".", "..", rel, NULL);
}

void
lamina_test_run_clear (LaminaTestRun *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

LaminaTestRun
lamina_test_run_argv (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  LaminaTestRun r = { 0 };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err, &r.status, &error);
  g_assert_no_error (error);
  return r;
}

LaminaTestRun
lamina_test_run_cli_valist (const char *first, va_list args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("LAMINA_CLI");

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);
  return lamina_test_run_argv ((const char *const *) argv->pdata);
}

LaminaTestRun
lamina_test_run_cli (const char *first, ...)
{
  LaminaTestRun r;
  va_list args;

  va_start (args, first);
  r = lamina_test_run_cli_valist (first, args);
  va_end (args);
  return r;
}

/* ---- ONNX Runtime as a reference ----------------------------------------- */

char *
lamina_test_find_node_ort (void)
{
  const char *env = g_getenv ("LAMINA_ORT_DIR");
  g_autofree char *in_tree = lamina_test_source_file ("build-aux", "ort", "node_modules",
                                                      "onnxruntime-node", "package.json", NULL);
  g_autofree char *in_env = env ? g_build_filename (env, "node_modules", "onnxruntime-node",
                                                    "package.json", NULL) : NULL;
  char *node = g_find_program_in_path ("node");

  if (node == NULL)
    g_test_skip ("node is not installed (Debian: nodejs)");
  else if (!g_file_test (in_tree, G_FILE_TEST_EXISTS) && (in_env == NULL || !g_file_test (in_env, G_FILE_TEST_EXISTS)))
    {
      g_test_skip ("onnxruntime-node is not installed (build-aux/lamina-dev.sh installs it in build-aux/ort)");
      g_clear_pointer (&node, g_free);
    }
  return node;
}

void
lamina_test_run_ort (const char *node, const char *model, const char *out_dir,
                     const char *const *feeds)
{
  g_autofree char *script = lamina_test_source_file ("tests", "ort", "ort-run.js", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_ptr_array_add (argv, (char *) node);
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, (char *) model);
  g_ptr_array_add (argv, (char *) out_dir);
  for (guint i = 0; feeds[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) feeds[i]);
  g_ptr_array_add (argv, "--threads");
  g_ptr_array_add (argv, "2");
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("ort-run.js %s failed: %s", model, err);
}

char *
lamina_test_ort_output_path (const char *out_dir, const char *tensor)
{
  g_autofree char *name = g_strconcat (tensor, ".npy", NULL);

  for (char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
      *p = '_';
  return g_build_filename (out_dir, name, NULL);
}

/* ---- calling one kernel ------------------------------------------------- */

#define MAX_KERNEL_IO 10   /* QLinearConv has 9 inputs */

struct _LaminaTestKernel {
  LaminaGraph *graph;
  LaminaNode  *node;
  gint64       opset;
  guint        n_inputs;
  LaminaValue  inputs[MAX_KERNEL_IO];
  gboolean     omitted[MAX_KERNEL_IO];
  LaminaValue  outputs[MAX_KERNEL_IO];
  gboolean     unprepared;   /* run without the kernel's prepare (inputs not constant) */
};

LaminaTestKernel *
lamina_test_kernel_new (const char *op_type, gint64 opset)
{
  LaminaTestKernel *k = g_new0 (LaminaTestKernel, 1);

  k->graph = lamina_graph_new ("test");
  k->node = lamina_graph_add_node (k->graph, "node", op_type, "");
  k->opset = opset;
  return k;
}

LaminaNode *
lamina_test_kernel_node (LaminaTestKernel *k)
{
  return k->node;
}

void
lamina_test_kernel_input (LaminaTestKernel *k, LaminaDType dtype, int rank, const gint64 *dims,
                          const void *data)
{
  LaminaValue *v = &k->inputs[k->n_inputs];
  g_autofree char *name = g_strdup_printf ("input%u", k->n_inputs);

  g_assert_cmpuint (k->n_inputs, <, MAX_KERNEL_IO);
  g_assert_true (lamina_value_set_shape (v, dtype, rank, dims, NULL));
  if (data != NULL)
    {
      g_assert_true (lamina_value_alloc (v, NULL));
      memcpy (v->data, data, v->numel * lamina_dtype_size (dtype));
    }
  lamina_node_add_input (k->node, lamina_graph_add_tensor (k->graph, name));
  k->n_inputs++;
}

void
lamina_test_kernel_omit_input (LaminaTestKernel *k)
{
  g_assert_cmpuint (k->n_inputs, <, MAX_KERNEL_IO);
  k->omitted[k->n_inputs++] = TRUE;
  lamina_node_add_input (k->node, NULL);
}

void
lamina_test_kernel_skip_prepare (LaminaTestKernel *k)
{
  k->unprepared = TRUE;
}

LaminaTensor *
lamina_test_kernel_output_tensor (LaminaTestKernel *k, guint i)
{
  g_assert_cmpuint (i, <, MAX_KERNEL_IO);
  while (k->node->outputs->len <= i)
    {
      g_autofree char *name = g_strdup_printf ("output%u", k->node->outputs->len);
      lamina_node_add_output (k->node, lamina_graph_add_tensor (k->graph, name));
    }
  return g_ptr_array_index (k->node->outputs, i);
}

gboolean
lamina_test_kernel_run (LaminaTestKernel *k, guint n_outputs, int threads, GError **error)
{
  const LaminaKernel *kernel = lamina_kernel_lookup_node (k->node);   /* integer kernels for quantized inputs */
  g_autoptr(LaminaParallel) parallel = lamina_parallel_new (threads);
  const LaminaValue *inputs[MAX_KERNEL_IO];
  LaminaValue *outputs[MAX_KERNEL_IO];
  LaminaKernelCall call = { 0 };
  gpointer state = NULL;
  gboolean ok;

  g_assert_nonnull (kernel);
  g_assert_cmpuint (n_outputs, <=, MAX_KERNEL_IO);
  if (n_outputs > 0)
    lamina_test_kernel_output_tensor (k, n_outputs - 1);
  for (guint i = 0; i < k->n_inputs; i++)
    inputs[i] = k->omitted[i] ? NULL : &k->inputs[i];
  for (guint i = 0; i < n_outputs; i++)
    outputs[i] = &k->outputs[i];
  call = (LaminaKernelCall) { k->node, inputs, k->n_inputs, outputs, n_outputs, k->opset, parallel, NULL };
  if (kernel->prepare != NULL && !k->unprepared && !kernel->prepare (&call, &state, error))
    return FALSE;
  call.state = state;
  ok = kernel->reshape (&call, error);
  for (guint i = 0; ok && i < n_outputs; i++)
    ok = lamina_value_alloc (outputs[i], error);
  ok = ok && kernel->run (&call, error);
  if (state != NULL && kernel->free_state != NULL)
    kernel->free_state (state);
  return ok;
}

const LaminaValue *
lamina_test_kernel_output (LaminaTestKernel *k, guint i)
{
  g_assert_cmpuint (i, <, MAX_KERNEL_IO);
  return &k->outputs[i];
}

void
lamina_test_kernel_free (LaminaTestKernel *k)
{
  for (guint i = 0; i < MAX_KERNEL_IO; i++)
    {
      lamina_value_clear (&k->inputs[i]);
      lamina_value_clear (&k->outputs[i]);
    }
  lamina_graph_free (k->graph);
  g_free (k);
}

void
lamina_test_kernel_set_int (LaminaTestKernel *k, const char *name, gint64 value)
{
  lamina_node_add_attr (lamina_test_kernel_node (k), name, LAMINA_ATTR_INT)->i = value;
}

void
lamina_test_kernel_set_float (LaminaTestKernel *k, const char *name, double value)
{
  lamina_node_add_attr (lamina_test_kernel_node (k), name, LAMINA_ATTR_FLOAT)->f = value;
}

void
lamina_test_kernel_set_string (LaminaTestKernel *k, const char *name, const char *value)
{
  lamina_node_add_attr (lamina_test_kernel_node (k), name, LAMINA_ATTR_STRING)->s = g_strdup (value);
}

void
lamina_test_kernel_set_ints (LaminaTestKernel *k, const char *name, guint n, const gint64 *values)
{
  LaminaAttr *a = lamina_node_add_attr (lamina_test_kernel_node (k), name, LAMINA_ATTR_INTS);

  a->n = n;
  a->ints = g_memdup2 (values, MAX (n, 1) * sizeof *values);
}

void
lamina_test_assert_shape (const LaminaValue *v, LaminaDType dtype, int rank, const gint64 *dims)
{
  g_assert_cmpint (v->dtype, ==, dtype);
  g_assert_cmpint (v->rank, ==, rank);
  for (int i = 0; i < rank; i++)
    g_assert_cmpint (v->dims[i], ==, dims[i]);
}

void
lamina_test_assert_floats (const LaminaValue *v, const float *expected, gint64 n, double tolerance)
{
  const float *got = v->data;

  g_assert_cmpint (v->dtype, ==, LAMINA_DTYPE_FLOAT32);
  g_assert_cmpint (v->numel, ==, n);
  for (gint64 i = 0; i < n; i++)
    if (!(fabs (got[i] - expected[i]) <= tolerance + fabs (expected[i]) * 1e-6))
      g_error ("element %" G_GINT64_FORMAT ": %.9g, expected %.9g", i, got[i], expected[i]);
}

void
lamina_test_assert_ints (const LaminaValue *v, const gint64 *expected, gint64 n)
{
  g_assert_cmpint (v->numel, ==, n);
  for (gint64 i = 0; i < n; i++)
    g_assert_cmpint (lamina_value_get_int (v, i), ==, expected[i]);
}
