/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli-sim.c: inputs, file names and statistics for `run` and `bench`
 * (see lamina-cli-sim.h).
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-cli-sim.h"
#include "sim/lamina-npy.h"
#include "graph/lamina-half.h"

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

/* "1x3x640x640" or "1,3,640,640". */
static gboolean
parse_dims (const char *text, int *rank, gint64 *dims, GError **error)
{
  g_auto(GStrv) parts = g_strsplit_set (text, "x,", -1);

  *rank = 0;
  for (guint i = 0; parts[i]; i++)
    {
      guint64 d;
      if (*rank >= LAMINA_MAX_RANK || !g_ascii_string_to_unsigned (parts[i], 10, 0, G_MAXINT32, &d, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a shape like 1x3x640x640"), text);
          return FALSE;
        }
      dims[(*rank)++] = (gint64) d;
    }
  return TRUE;
}

/* ---- values ------------------------------------------------------------- */

static void
store (LaminaValue *v, gint64 i, double x)
{
  guint8 *p = (guint8 *) v->data + i * lamina_dtype_size (v->dtype);

  switch (v->dtype)
    {
    case LAMINA_DTYPE_FLOAT32: { float f = (float) x; memcpy (p, &f, 4); break; }
    case LAMINA_DTYPE_FLOAT64: memcpy (p, &x, 8); break;
    case LAMINA_DTYPE_FLOAT16: { guint16 h = lamina_float_to_half ((float) x); memcpy (p, &h, 2); break; }
    case LAMINA_DTYPE_BFLOAT16: { guint16 b = lamina_float_to_bits ((float) x) >> 16; memcpy (p, &b, 2); break; }
    case LAMINA_DTYPE_BOOL: *p = x != 0; break;
    case LAMINA_DTYPE_INT8: case LAMINA_DTYPE_UINT8: *p = (guint8) (gint64) x; break;
    case LAMINA_DTYPE_INT16: case LAMINA_DTYPE_UINT16: { gint16 s = (gint16) x; memcpy (p, &s, 2); break; }
    case LAMINA_DTYPE_INT32: case LAMINA_DTYPE_UINT32: { gint32 s = (gint32) x; memcpy (p, &s, 4); break; }
    case LAMINA_DTYPE_INT64: case LAMINA_DTYPE_UINT64: { gint64 s = (gint64) x; memcpy (p, &s, 8); break; }
    default: break;
    }
}

static gboolean
fill_value (LaminaValue *v, LaminaCliFill fill, GRand *rand, GError **error)
{
  gboolean is_float = lamina_dtype_is_float (v->dtype);

  if (!lamina_value_alloc (v, error))
    return FALSE;
  if (fill == LAMINA_CLI_FILL_ZEROS)
    {
      memset (v->data, 0, (gsize) v->numel * lamina_dtype_size (v->dtype));
      return TRUE;
    }
  for (gint64 i = 0; i < v->numel; i++)
    store (v, i, is_float ? g_rand_double (rand) : (v->dtype == LAMINA_DTYPE_BOOL ? g_rand_int_range (rand, 0, 2)
                                                                                 : g_rand_int_range (rand, 0, 10)));
  return TRUE;
}

/* The shape to fill an input with: --shape, else the declared static one. */
static gboolean
input_shape (LaminaGraph *g, const LaminaTensor *t, char **shapes, int *rank, gint64 *dims, GError **error)
{
  for (guint i = 0; shapes && shapes[i]; i++)
    {
      const char *rest;
      /* the specs were checked by lamina_cli_set_inputs */
      if (split_spec (g, shapes[i], &rest, NULL) == t)
        return parse_dims (rest, rank, dims, error);
    }
  if (!lamina_shape_is_static (&t->shape) || t->shape.rank > LAMINA_MAX_RANK)
    {
      g_autofree char *shape = lamina_shape_to_string (&t->shape);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Input “%s” has the dynamic shape %s: give its size with --shape %s=…"),
                   t->name, shape, t->name);
      return FALSE;
    }
  *rank = t->shape.rank;
  for (int i = 0; i < *rank; i++)
    dims[i] = t->shape.dims[i].value;
  return TRUE;
}

/* float64 (NumPy's default) and float16 files feed float32 inputs. */
static gboolean
convert_to_declared (LaminaValue *v, LaminaDType declared, GError **error)
{
  LaminaValue f = { 0 };

  if (v->dtype == declared || declared != LAMINA_DTYPE_FLOAT32 || !lamina_dtype_is_float (v->dtype))
    return TRUE;
  if (!lamina_value_set_shape (&f, LAMINA_DTYPE_FLOAT32, v->rank, v->dims, error) ||
      !lamina_value_alloc (&f, error))
    return FALSE;
  for (gint64 i = 0; i < v->numel; i++)
    LAMINA_VALUE_F32 (&f)[i] = (float) lamina_value_get_double (v, i);
  lamina_value_clear (v);
  *v = f;
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
  ok = lamina_npy_read (path, &v, error) && convert_to_declared (&v, t->dtype, error) &&
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
       fill_value (&v, in->fill, rand, error) && lamina_sim_set_input (sim, t->name, &v, error);
  lamina_value_clear (&v);
  return ok;
}

gboolean
lamina_cli_set_inputs (LaminaSim *sim, LaminaGraph *graph, const LaminaCliInputs *in, GError **error)
{
  g_autoptr(GHashTable) done = g_hash_table_new (NULL, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) in->seed);

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

/* ---- names and statistics ----------------------------------------------- */

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

gboolean
lamina_cli_value_stats (const LaminaValue *v, LaminaTensorStats *stats, GError **error)
{
  LaminaTensor *t = lamina_tensor_new ("value");
  gboolean ok;

  t->dtype = v->dtype;
  lamina_shape_set (&t->shape, v->rank, v->dims);
  t->data = g_bytes_new_static (v->data, (gsize) v->numel * lamina_dtype_size (v->dtype));
  ok = lamina_tensor_stats_compute (t, FALSE, stats, error);
  lamina_tensor_free (t);
  return ok;
}
