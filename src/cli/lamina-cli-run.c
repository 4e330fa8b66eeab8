/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli run MODEL (--input NAME=FILE.npy ... | --zeros | --random SEED)
 *                      [--shape NAME=DIMS] [-o DIR] [--dump DIR] [--threads N] [--no-optimize]
 *                      [--json]
 *
 * Runs the model once in the simulator and prints every graph output's
 * shape and statistics. -o writes the graph outputs as DIR/<tensor>.npy;
 * --dump writes every tensor a node computes (graph outputs included) as it
 * is computed, so the arena still recycles memory behind it.
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include "lamina-cli.h"
#include "lamina-cli-sim.h"
#include "lamina-cli-detect.h"
#include "vision/lamina-image.h"
#include "vision/lamina-preprocess.h"
#include "vision/lamina-pipeline.h"
#include "lamina-json.h"
#include "graph/lamina-tensor-stats.h"
#include "sim/lamina-npy.h"

typedef struct {
  char       *dir;
  GHashTable *used;       /* file names given out (lower case) */
  GHashTable *files;      /* LaminaTensor* → path */
  guint       n_written;
  GError     *error;      /* the first write error */
  LaminaSim  *sim;
} Writer;

static void
writer_init (Writer *w, const char *dir, LaminaSim *sim)
{
  w->dir = g_strdup (dir);
  w->used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w->files = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  w->n_written = 0;
  w->error = NULL;
  w->sim = sim;
}

static void
writer_clear (Writer *w)
{
  g_clear_pointer (&w->dir, g_free);
  g_clear_pointer (&w->used, g_hash_table_unref);
  g_clear_pointer (&w->files, g_hash_table_unref);
  g_clear_error (&w->error);
}

static gboolean
writer_write (Writer *w, const LaminaTensor *t, const LaminaValue *v)
{
  g_autofree char *name = NULL, *file = NULL;
  char *path;

  if (w->error != NULL || g_hash_table_contains (w->files, t))
    return w->error == NULL;
  name = lamina_cli_tensor_file_name (t->name, w->used);
  file = g_strconcat (name, ".npy", NULL);
  path = g_build_filename (w->dir, file, NULL);
  g_hash_table_insert (w->files, (gpointer) t, path);
  if (!lamina_npy_write (path, v, &w->error))
    {
      g_prefix_error (&w->error, "%s: ", path);
      return FALSE;
    }
  w->n_written++;
  return TRUE;
}

/* --dump: each node's outputs are written as soon as they exist. */
static void
dump_observer (const LaminaNode *node, const LaminaValue *const *outputs, guint n_outputs, double ms,
               gpointer data)
{
  Writer *w = data;

  for (guint i = 0; i < n_outputs; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (node->outputs, i);
      if (t != NULL && outputs[i] != NULL && !writer_write (w, t, outputs[i]))
        lamina_sim_cancel (w->sim);
    }
}

/* Outputs nobody reads (Dropout masks, MaxPool indices ...) are computed
 * only when kept. */
static void
keep_unread_outputs (LaminaSim *sim, LaminaGraph *g)
{
  for (guint i = 0; i < g->tensors->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (g->tensors, i);
      if (t->producer != NULL && t->consumers->len == 0)
        lamina_sim_keep (sim, t, TRUE);
    }
}

static gboolean
make_dir (const char *dir, GError **error)
{
  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create the folder %s: %s"),
                   dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* ---- printing ----------------------------------------------------------- */

static void
json_value_stats (LaminaJson *json, const LaminaValue *v)
{
  LaminaTensorStats st;
  gboolean ok = lamina_value_stats (v, &st, NULL);

  lamina_json_key (json, "min");
  ok ? lamina_json_double (json, st.min) : lamina_json_null (json);
  lamina_json_key (json, "max");
  ok ? lamina_json_double (json, st.max) : lamina_json_null (json);
  lamina_json_key (json, "mean");
  ok ? lamina_json_double (json, st.mean) : lamina_json_null (json);
  lamina_json_key (json, "std");
  ok ? lamina_json_double (json, st.std) : lamina_json_null (json);
  lamina_json_key (json, "nan");
  lamina_json_int (json, ok ? st.n_nan : 0);
  lamina_json_key (json, "inf");
  lamina_json_int (json, ok ? st.n_inf : 0);
}

static void
print_json (const char *path, LaminaSim *sim, LaminaGraph *g, double ms, Writer *out, Writer *dump)
{
  g_autoptr(LaminaJson) json = lamina_json_new ();
  g_autofree char *text = NULL;

  lamina_json_begin_object (json);
  lamina_json_key (json, "file");
  lamina_json_string (json, path);
  lamina_json_key (json, "threads");
  lamina_json_int (json, lamina_sim_threads (sim));
  lamina_json_key (json, "nodes");
  lamina_json_int (json, lamina_sim_n_steps (sim));
  lamina_json_key (json, "time_ms");
  lamina_json_double (json, ms);
  lamina_json_key (json, "outputs");
  lamina_json_begin_array (json);
  for (guint i = 0; i < g->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (g->outputs, i);
      const LaminaValue *v = lamina_sim_get_value (sim, t);
      const char *file = out ? g_hash_table_lookup (out->files, t) : NULL;
      if (file == NULL && dump)
        file = g_hash_table_lookup (dump->files, t);
      if (v == NULL)
        continue;
      lamina_json_begin_object (json);
      lamina_json_key (json, "name");
      lamina_json_string (json, t->name);
      lamina_json_key (json, "dtype");
      lamina_json_string (json, lamina_dtype_name (v->dtype));
      lamina_json_key (json, "shape");
      lamina_json_begin_array (json);
      for (int d = 0; d < v->rank; d++)
        lamina_json_int (json, v->dims[d]);
      lamina_json_end_array (json);
      json_value_stats (json, v);
      lamina_json_key (json, "file");
      lamina_json_string (json, file);
      lamina_json_end_object (json);
    }
  lamina_json_end_array (json);
  if (dump)
    {
      lamina_json_key (json, "dump_dir");
      lamina_json_string (json, dump->dir);
      lamina_json_key (json, "dumped");
      lamina_json_int (json, dump->n_written);
    }
  lamina_json_end_object (json);
  text = lamina_json_finish (g_steal_pointer (&json));
  printf ("%s\n", text);
}

static void
print_text (const char *path, LaminaSim *sim, LaminaGraph *g, double ms, Writer *out, Writer *dump)
{
  printf (_("Ran %s: %u nodes in %.3f ms with %d threads\n"), path, lamina_sim_n_steps (sim), ms,
          lamina_sim_threads (sim));
  for (guint i = 0; i < g->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (g->outputs, i);
      const LaminaValue *v = lamina_sim_get_value (sim, t);
      g_autofree char *desc = v ? lamina_value_describe (v) : NULL;
      const char *file = out ? g_hash_table_lookup (out->files, t) : NULL;
      LaminaTensorStats st;

      if (file == NULL && dump)
        file = g_hash_table_lookup (dump->files, t);
      if (v == NULL)
        continue;
      printf ("%s  %s", t->name, desc);
      if (lamina_value_stats (v, &st, NULL))
        printf (_("  min %.6g  max %.6g  mean %.6g  std %.6g  NaN %lld  Inf %lld"),
                st.min, st.max, st.mean, st.std, (long long) st.n_nan, (long long) st.n_inf);
      if (file)
        printf ("  → %s", file);
      printf ("\n");
    }
  if (dump)
    printf (_("Wrote %u tensors to %s\n"), dump->n_written, dump->dir);
}

/* ---- the command -------------------------------------------------------- */

static double
total_ms (LaminaSim *sim)
{
  double sum = 0;

  for (guint i = 0; i < lamina_sim_n_steps (sim); i++)
    sum += MAX (lamina_sim_node_ms (sim, lamina_sim_step_node (sim, i)), 0);
  return sum;
}

static gboolean
write_outputs (Writer *w, LaminaSim *sim, LaminaGraph *g)
{
  for (guint i = 0; i < g->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (g->outputs, i);
      if (!writer_write (w, t, lamina_sim_get_value (sim, t)))
        return FALSE;
    }
  return TRUE;
}

typedef struct {
  char     **npy, **shapes;
  char      *random, *output, *dump, *image, *preset;
  gboolean   zeros, as_json, no_optimize;
  int        threads;
} RunOptions;

/* --image: the picture preprocessed by the model's preset (as `detect`
 * does) into the input the preset names; returns that input. */
static const LaminaTensor *
set_image_input (const char *path, LaminaModel *model, LaminaSim *sim, const RunOptions *o, GError **error)
{
  g_autoptr(LaminaPreset) preset = lamina_cli_find_preset (path, model, o->preset, error);
  const LaminaTensor *input = preset ? lamina_pipeline_image_input (model->graph, preset, error) : NULL;
  g_autoptr(LaminaImage) image = input ? lamina_image_load (o->image, error) : NULL;
  LaminaValue value = { 0 };
  LaminaTransform transform;
  gboolean ok;

  if (image == NULL)
    return NULL;
  ok = lamina_preprocess_image (image, &preset->pre, input, &value, &transform, error) &&
       lamina_sim_set_input (sim, input->name, &value, error);
  lamina_value_clear (&value);
  return ok ? input : NULL;
}

static gboolean
parse_fill (const RunOptions *o, LaminaCliInputs *in, GError **error)
{
  in->npy = o->npy;
  in->shapes = o->shapes;
  in->fill = LAMINA_CLI_FILL_NONE;
  if (o->zeros && o->random)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("--zeros and --random exclude each other"));
      return FALSE;
    }
  if (o->zeros)
    in->fill = LAMINA_CLI_FILL_ZEROS;
  if (o->random)
    {
      if (!g_ascii_string_to_unsigned (o->random, 10, 0, G_MAXUINT32, &in->seed, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("--random needs a seed between 0 and %u, not “%s”"), G_MAXUINT32, o->random);
          return FALSE;
        }
      in->fill = LAMINA_CLI_FILL_RANDOM;
    }
  return TRUE;
}

static int
run_model (const char *path, LaminaModel *model, const RunOptions *o)
{
  LaminaSimOptions sim_options = { o->threads, .optimize = o->no_optimize ? LAMINA_SIM_OPTIMIZE_NONE : 0 };
  LaminaCliInputs inputs = { 0 };
  g_autoptr(LaminaSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  Writer out = { 0 }, dump = { 0 };
  gboolean ok;

  if (!parse_fill (o, &inputs, &error))
    return lamina_cli_fail ("run", "%s", error->message);
  sim = lamina_sim_new (model, model->graph, &sim_options, &error);
  if (sim != NULL && o->image != NULL &&
      (inputs.preset_input = set_image_input (path, model, sim, o, &error)) == NULL)
    return lamina_cli_fail ("run", "%s: %s", path, error->message);
  if (sim == NULL || !lamina_cli_set_inputs (sim, model->graph, &inputs, &error))
    return lamina_cli_fail ("run", "%s: %s", path, error->message);
  if (o->dump)
    {
      if (!make_dir (o->dump, &error))
        return lamina_cli_fail ("run", "%s", error->message);
      writer_init (&dump, o->dump, sim);
      keep_unread_outputs (sim, model->graph);
      lamina_sim_set_observer (sim, dump_observer, &dump);
    }
  ok = lamina_sim_run (sim, &error);
  if (dump.error)
    {
      g_clear_error (&error);
      error = g_steal_pointer (&dump.error);
      ok = FALSE;
    }
  if (ok && o->output)
    {
      writer_init (&out, o->output, sim);
      ok = make_dir (o->output, &error) && write_outputs (&out, sim, model->graph);
      if (!ok && out.error)
        error = g_steal_pointer (&out.error);
    }
  if (ok && o->as_json)
    print_json (path, sim, model->graph, total_ms (sim), o->output ? &out : NULL, o->dump ? &dump : NULL);
  else if (ok)
    print_text (path, sim, model->graph, total_ms (sim), o->output ? &out : NULL, o->dump ? &dump : NULL);
  writer_clear (&out);
  writer_clear (&dump);
  if (!ok)
    return lamina_cli_fail ("run", "%s: %s", path, error->message);
  return 0;
}

int
lamina_cli_run (int argc, char **argv)
{
  RunOptions o = { 0 };
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME_ARRAY, &o.npy, N_("Set input NAME from a .npy file (repeatable)"), N_("NAME=FILE.npy") },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &o.image, N_("Feed IMG, preprocessed by the model's preset, to the input the preset names"), N_("IMG") },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &o.preset, N_("Preset for --image: a name or an .ini file (default: found from the model)"), N_("P") },
    { "zeros", 0, 0, G_OPTION_ARG_NONE, &o.zeros, N_("Fill the other inputs with zeros"), NULL },
    { "random", 0, 0, G_OPTION_ARG_STRING, &o.random, N_("Fill the other inputs with random values from SEED"), N_("SEED") },
    { "shape", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.shapes, N_("Size of a dynamic input for --zeros/--random"), N_("NAME=1x3x640x640") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, N_("Write every graph output to DIR/<tensor>.npy"), N_("DIR") },
    { "dump", 0, 0, G_OPTION_ARG_FILENAME, &o.dump, N_("Write every computed tensor to DIR/<tensor>.npy"), N_("DIR") },
    { "threads", 't', 0, G_OPTION_ARG_INT, &o.threads, N_("Worker threads (default: all cores)"), "N" },
    { "no-optimize", 0, 0, G_OPTION_ARG_NONE, &o.no_optimize, N_("Run the graph as written: no constant folding, no fusion"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.as_json, N_("Print one JSON object"), NULL },
    { NULL }
  };
  g_autoptr(LaminaModel) model = NULL;
  int status;

  if (!lamina_cli_parse (&argc, &argv, "run", "MODEL", entries))
    status = 2;
  else if (argc != 2)
    status = lamina_cli_fail ("run", "%s", _("expected exactly one MODEL file"));
  else if (o.threads < 0)
    status = lamina_cli_fail ("run", "%s", _("--threads must be 0 (all cores) or more"));
  else if ((model = lamina_cli_load_model ("run", argv[1])) == NULL)
    status = 1;
  else
    status = run_model (argv[1], model, &o);
  g_strfreev (o.npy);
  g_strfreev (o.shapes);
  g_free (o.random);
  g_free (o.output);
  g_free (o.dump);
  g_free (o.image);
  g_free (o.preset);
  return status;
}
