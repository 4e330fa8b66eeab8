/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-onnx-backend: ONNX's own backend conformance tests (Debian's
 * libonnx-testdata, data/node/test_*) run through Lamina's simulator.
 *
 * Each test folder holds model.onnx and test_data_set_0/{input,output}_N.pb
 * (serialized TensorProtos). A test passes when every output has the
 * expected dtype and shape and its values agree: exactly for integer and
 * bool outputs, NumPy's allclose for floating-point ones (NaN == NaN).
 *
 * Tolerance: ONNX's own runner (onnx/backend/test/runner) compares with
 * rtol 1e-3, atol 1e-7. We keep rtol 1e-3 and allow atol 1e-5 because our
 * blocked kernels sum float32 products in a different order than NumPy's
 * reference, which moves results near zero by more than 1e-7 while being
 * equally right.
 *
 * The outcome per test is pass, fail (wrong values), unsupported (a node
 * has no kernel) or error (the model, the data or a kernel refused). A
 * per-operator table is printed with g_test_message. tests/data/
 * onnx-backend-pass.txt lists the tests expected to pass: this program
 * fails when one of them does not (a regression). With
 * LAMINA_UPDATE_BACKEND_LIST=1 it rewrites that list from the results.
 * LAMINA_ONNX_BACKEND_DIR overrides the data folder.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include "lamina-onnx.h"
#include "sim/lamina-sim.h"
#include "lamina-test-util.h"

#define DEFAULT_DIR "/usr/share/libonnx-testdata/data/node"
#define RTOL 1e-3
#define ATOL 1e-5

typedef enum { PASS, FAIL, UNSUPPORTED, ERROR, N_OUTCOMES } Outcome;

static const char *const outcome_names[] = { "pass", "fail", "unsupported", "error" };

typedef struct {
  guint counts[N_OUTCOMES];
} OpRow;

typedef struct {
  GHashTable *op_of_test;   /* test name → operator label */
  GHashTable *rows;         /* operator label → OpRow* */
  GHashTable *passed;       /* set of passing test names */
  GHashTable *missing;      /* operator without a kernel → number of tests */
  guint       totals[N_OUTCOMES];
} Results;

/* A kernel that logs a critical warning has a bug: the test counts as an
 * error instead of aborting the whole run (criticals are made non-fatal
 * in main and recorded here). */
static char *critical_message;

static void
on_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if ((level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) && critical_message == NULL)
    critical_message = g_strdup_printf ("%s: %s", domain ? domain : "", message);
  g_log_default_handler (domain, level, message, data);
}

/* ---- loading test data -------------------------------------------------- */

static LaminaTensor *
load_pb (const char *path, GError **error)
{
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, error);
  g_autoptr(GBytes) bytes = NULL;

  if (mapped == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (mapped);
  return lamina_onnx_load_tensor (bytes, path, error);
}

/* Tensors of dir/prefix_0.pb, prefix_1.pb ... in order. */
static GPtrArray *
load_pbs (const char *dir, const char *prefix, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) lamina_tensor_free);

  for (guint i = 0;; i++)
    {
      g_autofree char *file = g_strdup_printf ("%s_%u.pb", prefix, i);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      LaminaTensor *t;
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        break;
      t = load_pb (path, error);
      if (t == NULL)
        return NULL;
      g_ptr_array_add (list, t);
    }
  return g_steal_pointer (&list);
}

/* The graph tensor a test data file belongs to: by name, else by position. */
static LaminaTensor *
match_tensor (GPtrArray *graph_list, const LaminaTensor *data, guint i)
{
  for (guint j = 0; j < graph_list->len; j++)
    {
      LaminaTensor *t = g_ptr_array_index (graph_list, j);
      if (data->name[0] && strcmp (t->name, data->name) == 0)
        return t;
    }
  return i < graph_list->len ? g_ptr_array_index (graph_list, i) : NULL;
}

/* NumPy has no bfloat16, so ONNX's test data stores bfloat16 tensors as
 * their uint16 bit patterns: read them as what the graph declares. */
static void
adapt_bfloat16 (LaminaValue *v, LaminaDType declared)
{
  if (v->dtype == LAMINA_DTYPE_UINT16 && declared == LAMINA_DTYPE_BFLOAT16)
    v->dtype = LAMINA_DTYPE_BFLOAT16;
}

/* ---- comparing ---------------------------------------------------------- */

static gboolean
close_enough (double got, double want)
{
  if (isnan (want) || isnan (got))
    return isnan (want) && isnan (got);
  if (isinf (want) || isinf (got))
    return got == want;
  return fabs (got - want) <= ATOL + RTOL * fabs (want);
}

/* NULL when they agree, else what differs. */
static char *
compare_values (const LaminaValue *got, const LaminaValue *want)
{
  gboolean is_float = lamina_dtype_is_float (want->dtype);

  if (got->dtype != want->dtype || !lamina_value_same_shape (got, want))
    {
      g_autofree char *a = lamina_value_describe (got), *b = lamina_value_describe (want);
      return g_strdup_printf ("got %s, expected %s", a, b);
    }
  for (gint64 i = 0; i < want->numel; i++)
    {
      gboolean ok;
      if (is_float)
        ok = close_enough (lamina_value_get_double (got, i), lamina_value_get_double (want, i));
      else
        ok = lamina_value_get_int (got, i) == lamina_value_get_int (want, i);
      if (!ok)
        return g_strdup_printf ("element %" G_GINT64_FORMAT ": got %.9g, expected %.9g", i,
                                lamina_value_get_double (got, i), lamina_value_get_double (want, i));
    }
  return NULL;
}

/* ---- one test ----------------------------------------------------------- */

static Outcome
set_inputs (LaminaSim *sim, LaminaGraph *g, GPtrArray *inputs, GError **error)
{
  for (guint i = 0; i < inputs->len; i++)
    {
      const LaminaTensor *data = g_ptr_array_index (inputs, i);
      LaminaTensor *t = match_tensor (g->inputs, data, i);
      LaminaValue v = { 0 };
      if (t == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "input_%u.pb matches no graph input", i);
          return ERROR;
        }
      if (!lamina_value_from_constant (&v, data, error))
        return ERROR;
      adapt_bfloat16 (&v, t->dtype);
      if (!lamina_sim_set_input (sim, t->name, &v, error))
        return ERROR;
    }
  return PASS;
}

static Outcome
check_outputs (LaminaSim *sim, LaminaGraph *g, GPtrArray *outputs, GError **error)
{
  for (guint i = 0; i < outputs->len; i++)
    {
      const LaminaTensor *data = g_ptr_array_index (outputs, i);
      LaminaTensor *t = match_tensor (g->outputs, data, i);
      const LaminaValue *got = t ? lamina_sim_get_value (sim, t) : NULL;
      LaminaValue want = { 0 };
      g_autofree char *diff = NULL;
      if (got == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "output_%u.pb: no value computed", i);
          return ERROR;
        }
      if (!lamina_value_from_constant (&want, data, error))
        return ERROR;
      adapt_bfloat16 (&want, got->dtype);
      diff = compare_values (got, &want);
      if (diff)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "output %u “%s”: %s", i, t->name, diff);
          return FAIL;
        }
    }
  return PASS;
}

static void
note_missing (Results *r, LaminaGraph *g)
{
  g_autoptr(GPtrArray) nodes = lamina_sim_unsupported_nodes (g);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (nodes, i);
      if (g_hash_table_add (seen, n->op_type))
        g_hash_table_insert (r->missing, g_strdup (n->op_type),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (r->missing, n->op_type)) + 1));
    }
}

static Outcome
run_test (Results *r, const char *dir, LaminaModel *model, GError **error)
{
  g_autofree char *data_dir = g_build_filename (dir, "test_data_set_0", NULL);
  g_autoptr(GPtrArray) unsupported = lamina_sim_unsupported_nodes (model->graph);
  g_autoptr(GPtrArray) inputs = NULL, outputs = NULL;
  g_autoptr(LaminaSim) sim = NULL;
  Outcome o;

  if (unsupported->len > 0)
    {
      note_missing (r, model->graph);
      return UNSUPPORTED;
    }
  if ((inputs = load_pbs (data_dir, "input", error)) == NULL ||
      (outputs = load_pbs (data_dir, "output", error)) == NULL)
    return ERROR;
  if (outputs->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no output_N.pb to compare with");
      return ERROR;
    }
  sim = lamina_sim_new (model, model->graph, &(LaminaSimOptions) { 0 }, error);
  if (sim == NULL)
    return ERROR;
  o = set_inputs (sim, model->graph, inputs, error);
  if (o != PASS)
    return o;
  if (!lamina_sim_run (sim, error))
    return ERROR;
  return check_outputs (sim, model->graph, outputs, error);
}

/* The operator a test is about: its only operator besides Constant; for
 * "_expanded" function bodies, the operator of the unexpanded twin. */
static char *
operator_label (Results *r, const char *test, const LaminaModel *model)
{
  const char *only = NULL;

  if (g_str_has_suffix (test, "_expanded"))
    {
      g_autofree char *twin = g_strndup (test, strlen (test) - strlen ("_expanded"));
      const char *op = g_hash_table_lookup (r->op_of_test, twin);
      if (op)
        return g_strdup (op);
    }
  for (guint i = 0; model && i < model->graph->nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (model->graph->nodes, i);
      if (strcmp (n->op_type, "Constant") == 0 && model->graph->nodes->len > 1)
        continue;
      if (only && strcmp (only, n->op_type) != 0)
        return g_strdup ("(several)");
      only = n->op_type;
    }
  return g_strdup (only ? only : "(unknown)");
}

static void
record (Results *r, const char *test, const char *op, Outcome o)
{
  OpRow *row = g_hash_table_lookup (r->rows, op);

  if (row == NULL)
    {
      row = g_new0 (OpRow, 1);
      g_hash_table_insert (r->rows, g_strdup (op), row);
    }
  row->counts[o]++;
  r->totals[o]++;
  g_hash_table_insert (r->op_of_test, g_strdup (test), g_strdup (op));
  if (o == PASS)
    g_hash_table_add (r->passed, g_strdup (test));
}

static void
run_one (Results *r, const char *root, const char *test)
{
  g_autofree char *dir = g_build_filename (root, test, NULL);
  g_autofree char *path = g_build_filename (dir, "model.onnx", NULL);
  g_autofree char *op = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = lamina_model_load (path, &error);
  Outcome o = ERROR;

  op = operator_label (r, test, model);
  g_clear_pointer (&critical_message, g_free);
  if (model != NULL)
    o = run_test (r, dir, model, &error);
  if (critical_message != NULL)
    {
      g_clear_error (&error);
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "critical warning: %s", critical_message);
      o = ERROR;
    }
  record (r, test, op, o);
  if (o == FAIL || o == ERROR)
    g_test_message ("%s %s: %s", outcome_names[o], test, error ? error->message : "?");
}

/* ---- the report and the list -------------------------------------------- */

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}

static void
print_table (Results *r)
{
  g_autoptr(GPtrArray) ops = sorted_keys (r->rows);
  g_autoptr(GPtrArray) missing = sorted_keys (r->missing);
  g_autoptr(GString) line = g_string_new (NULL);

  g_test_message ("%-28s %5s %5s %5s %5s", "operator", "pass", "fail", "unsup", "error");
  for (guint i = 0; i < ops->len; i++)
    {
      const OpRow *row = g_hash_table_lookup (r->rows, g_ptr_array_index (ops, i));
      g_test_message ("%-28s %5u %5u %5u %5u", (const char *) g_ptr_array_index (ops, i),
                      row->counts[PASS], row->counts[FAIL], row->counts[UNSUPPORTED], row->counts[ERROR]);
    }
  g_test_message ("%-28s %5u %5u %5u %5u", "TOTAL", r->totals[PASS], r->totals[FAIL],
                  r->totals[UNSUPPORTED], r->totals[ERROR]);
  for (guint i = 0; i < missing->len; i++)
    g_string_append_printf (line, "%s%s (%u)", i ? ", " : "", (const char *) g_ptr_array_index (missing, i),
                            GPOINTER_TO_UINT (g_hash_table_lookup (r->missing, g_ptr_array_index (missing, i))));
  g_test_message ("operators without a kernel: %s", line->str);
}

static char *
list_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "data", "onnx-backend-pass.txt", NULL);
}

static void
write_list (Results *r)
{
  g_autoptr(GPtrArray) names = sorted_keys (r->passed);
  g_autoptr(GString) text = g_string_new ("# ONNX backend node tests that pass (tests/test-onnx-backend.c).\n"
                                          "# Regenerate: LAMINA_UPDATE_BACKEND_LIST=1 meson test onnx-backend\n");
  g_autofree char *path = list_path ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (text, "%s\n", (const char *) g_ptr_array_index (names, i));
  if (!g_file_set_contents (path, text->str, text->len, &error))
    g_error ("cannot write %s: %s", path, error->message);
  g_test_message ("wrote %u passing tests to %s", names->len, path);
}

/* Tests on the list that did not pass now. */
static void
check_list (Results *r)
{
  g_autofree char *path = list_path ();
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) regressions = g_string_new (NULL);
  guint n_listed = 0, n_regressed = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    {
      g_test_message ("%s is absent: no regression check", path);
      return;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *name = g_strstrip (lines[i]);
      if (name[0] == '\0' || name[0] == '#')
        continue;
      n_listed++;
      if (!g_hash_table_contains (r->passed, name))
        {
          g_string_append_printf (regressions, " %s", name);
          n_regressed++;
        }
    }
  g_test_message ("%u of %u listed tests pass", n_listed - n_regressed, n_listed);
  if (n_regressed > 0)
    {
      g_test_message ("regressions:%s", regressions->str);
      g_test_fail_printf ("%u tests of onnx-backend-pass.txt no longer pass:%s", n_regressed, regressions->str);
    }
}

static void
test_backend (void)
{
  const char *root = g_getenv ("LAMINA_ONNX_BACKEND_DIR");
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) tests = g_ptr_array_new_with_free_func (g_free);
  Results r = {
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
  };
  const char *entry;

  if (root == NULL)
    root = DEFAULT_DIR;
  dir = g_dir_open (root, 0, NULL);
  if (dir == NULL)
    {
      g_test_skip ("ONNX backend test data absent (Debian package libonnx-testdata)");
      goto out;
    }
  while ((entry = g_dir_read_name (dir)))
    if (g_str_has_prefix (entry, "test_"))
      g_ptr_array_add (tests, g_strdup (entry));
  /* sorted, so that an unexpanded test is seen before its _expanded twin */
  g_ptr_array_sort (tests, compare_strings);
  for (guint i = 0; i < tests->len; i++)
    run_one (&r, root, g_ptr_array_index (tests, i));
  print_table (&r);
  if (g_strcmp0 (g_getenv ("LAMINA_UPDATE_BACKEND_LIST"), "1") == 0)
    write_list (&r);
  else
    check_list (&r);
out:
  g_hash_table_unref (r.op_of_test);
  g_hash_table_unref (r.rows);
  g_hash_table_unref (r.passed);
  g_hash_table_unref (r.missing);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_default_handler (on_log, NULL);
  g_test_add_func ("/onnx-backend/node", test_backend);
  return g_test_run ();
}
