/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-sim-input.c: input values for the simulator (see lamina-sim-input.h).
 */
#define G_LOG_DOMAIN "lamina-sim"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-sim-input.h"
#include "graph/lamina-half.h"

/* Stores x into element i of any numeric dtype (integers truncate). */
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

gboolean
lamina_value_fill (LaminaValue *v, LaminaFill fill, GRand *rand, GError **error)
{
  gboolean is_float = lamina_dtype_is_float (v->dtype);

  if (!lamina_value_alloc (v, error))
    return FALSE;
  if (fill == LAMINA_FILL_ZEROS || rand == NULL)
    {
      memset (v->data, 0, (gsize) v->numel * lamina_dtype_size (v->dtype));
      return TRUE;
    }
  for (gint64 i = 0; i < v->numel; i++)
    store (v, i, is_float ? g_rand_double (rand)
                 : v->dtype == LAMINA_DTYPE_BOOL ? g_rand_int_range (rand, 0, 2)
                 : g_rand_int_range (rand, 0, 10));
  return TRUE;
}

gboolean
lamina_parse_dims (const char *text, int *rank, gint64 *dims, GError **error)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  *rank = 0;
  if (stripped[0] == '\0')
    return TRUE;
  parts = g_strsplit_set (stripped, "x×,", -1);
  for (guint i = 0; parts[i]; i++)
    {
      guint64 d;
      g_strstrip (parts[i]);
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

char *
lamina_format_dims (int rank, const gint64 *dims)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < rank; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "x" : "", dims[i]);
  return g_string_free (s, FALSE);
}

gboolean
lamina_input_default_dims (const LaminaTensor *t, gint64 fallback, int *rank, gint64 *dims)
{
  if (t->shape.rank < 0 || t->shape.rank > LAMINA_MAX_RANK)
    return FALSE;
  *rank = t->shape.rank;
  for (int i = 0; i < *rank; i++)
    dims[i] = t->shape.dims[i].value >= 0 ? t->shape.dims[i].value : i == 0 ? 1 : fallback;
  return TRUE;
}

gboolean
lamina_value_convert_to_declared (LaminaValue *v, LaminaDType declared, GError **error)
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
