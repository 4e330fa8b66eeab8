/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli-sim.c: inputs and file names for `run` and `bench`
 * (see lamina-cli-sim.h).
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-cli-sim.h"
#include "sim/lamina-npy.h"
#include "sim/lamina-sim-input.h"

#define MAX_FILE_NAME 200

/* ---- NAME=VALUE options ------------------------------------------------- */

static LaminaTensor *
find_input (LaminaGraph *g, const char *name)
{
  for (guint i = 0; i < g->inputs->len; i++)
    {
      LaminaTensor *t = g_ptr_array_index (g->inputs, i);
      if (strcmp (t->name, name) == 0)
        return t;
    }
  return NULL;
}

/* Splits "NAME=REST" where NAME is an input of g; a spec without such a
 * prefix belongs to the only input of a one-input model. */
static LaminaTensor *
split_spec (LaminaGraph *g, const char *spec, const char **rest, GError **error)
{
  const char *eq = strchr (spec, '=');

  if (eq != NULL)
    {
      g_autofree char *name = g_strndup (spec, eq - spec);
      LaminaTensor *t = find_input (g, name);
      if (t != NULL)
        {
          *rest = eq + 1;
          return t;
        }
    }
  if (g->inputs->len == 1)
    {
      *rest = spec;
      return g_ptr_array_index (g->inputs, 0);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("“%s” does not start with the name of an input of the model followed by “=”"), spec);
  return NULL;
}

/* ---- values ------------------------------------------------------------- */

/* The shape to fill an input with: --shape, else the declared static one. */
static gboolean
input_shape (LaminaGraph *g, const LaminaTensor *t, char **shapes, int *rank, gint64 *dims, GError **error)
{
  for (guint i = 0; shapes && shapes[i]; i++)
    {
      const char *rest;
      /* the specs were checked by lamina_cli_set_inputs */
      if (split_spec (g, shapes[i], &rest, NULL) == t)
        return lamina_parse_dims (rest, rank, dims, error);
    }
  /* unlike the window, the CLI guesses no size for a dynamic dimension */
  if (!lamina_shape_is_static (&t->shape) || !lamina_input_default_dims (t, 1, rank, dims))
    {
      g_autofree char *shape = lamina_shape_to_string (&t->shape);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Input “%s” has the dynamic shape %s: give its size with --shape %s=…"),
                   t->name, shape, t->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_from_npy (LaminaSim *sim, LaminaGraph *g, const char *spec, GHashTable *done, GError **error)
{
  const char *path;
  LaminaTensor *t = split_spec (g, spec, &path, error);
  LaminaValue v = { 0 };
  gboolean ok;

  if (t == NULL)
    return FALSE;
  if (!g_hash_table_add (done, t))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Input “%s” is given twice"), t->name);
      return FALSE;
    }
  ok = lamina_npy_read (path, &v, error) && lamina_value_convert_to_declared (&v, t->dtype, error) &&
       lamina_sim_set_input (sim, t->name, &v, error);
  if (!ok && error && *error)
    g_prefix_error (error, "%s: ", path);
  lamina_value_clear (&v);
  return ok;
}

static gboolean
set_filled (LaminaSim *sim, LaminaGraph *g, LaminaTensor *t, const LaminaCliInputs *in, GRand *rand,
            GError **error)
{
  LaminaValue v = { 0 };
  gint64 dims[LAMINA_MAX_RANK];
  int rank;
  gboolean ok;

  if (in->fill == LAMINA_CLI_FILL_NONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("No value for input “%s”: use --input %s=FILE.npy, --zeros or --random SEED"),
                   t->name, t->name);
      return FALSE;
    }
  ok = input_shape (g, t, in->shapes, &rank, dims, error) &&
       lamina_value_set_shape (&v, t->dtype, rank, dims, error) &&
       lamina_value_fill (&v, in->fill == LAMINA_CLI_FILL_ZEROS ? LAMINA_FILL_ZEROS : LAMINA_FILL_RANDOM,
                          rand, error) && lamina_sim_set_input (sim, t->name, &v, error);
  lamina_value_clear (&v);
  return ok;
}

gboolean
lamina_cli_set_inputs (LaminaSim *sim, LaminaGraph *graph, const LaminaCliInputs *in, GError **error)
{
  g_autoptr(GHashTable) done = g_hash_table_new (NULL, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) in->seed);

  if (in->preset_input != NULL)
    g_hash_table_add (done, (gpointer) in->preset_input);
  for (guint i = 0; in->shapes && in->shapes[i]; i++)
    {
      const char *rest;
      if (split_spec (graph, in->shapes[i], &rest, error) == NULL)
        return FALSE;
    }
  for (guint i = 0; in->npy && in->npy[i]; i++)
    if (!set_from_npy (sim, graph, in->npy[i], done, error))
      return FALSE;
  for (guint i = 0; i < graph->inputs->len; i++)
    {
      LaminaTensor *t = g_ptr_array_index (graph->inputs, i);
      if (!g_hash_table_contains (done, t) && !set_filled (sim, graph, t, in, rand, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- file names -------------------------------------------------------- */

char *
lamina_cli_tensor_file_name (const char *tensor, GHashTable *used)
{
  GString *s = g_string_new (NULL);
  char *name;

  for (const char *p = tensor; *p && s->len < MAX_FILE_NAME; p++)
    g_string_append_c (s, g_ascii_isalnum (*p) || *p == '.' || *p == '-' || *p == '_' ? *p : '_');
  /* hidden, empty or special names */
  if (s->len == 0 || s->str[0] == '.')
    g_string_prepend_c (s, '_');
  name = g_string_free (s, FALSE);
  if (used != NULL)
    {
      /* keys are lower case: "A.npy" and "a.npy" are one file on some file systems */
      char *unique = g_strdup (name);
      g_autofree char *key = g_ascii_strdown (unique, -1);
      for (guint n = 2; g_hash_table_contains (used, key); n++)
        {
          g_free (unique);
          g_free (key);
          unique = g_strdup_printf ("%s-%u", name, n);
          key = g_ascii_strdown (unique, -1);
        }
      g_hash_table_add (used, g_steal_pointer (&key));
      g_free (name);
      name = unique;
    }
  return name;
}
