/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-value"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-value.h"
#include "graph/lamina-half.h"

/* Values are at most 2^40 bytes: anything larger is a corrupt shape, not a
 * model (and keeps numel * dtype size far from overflow). */
#define MAX_VALUE_BYTES (G_GINT64_CONSTANT (1) << 40)

gboolean
lamina_value_set_shape (LaminaValue *v, LaminaDType dtype, int rank, const gint64 *dims, GError **error)
{
  gint64 numel = 1;
  gsize elem = MAX (lamina_dtype_size (dtype), 1);

  if (rank < 0 || rank > LAMINA_MAX_RANK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("rank %d is outside 0…%d"), rank, LAMINA_MAX_RANK);
      return FALSE;
    }
  for (int i = 0; i < rank; i++)
    {
      if (dims[i] < 0 || (dims[i] > 0 && numel > MAX_VALUE_BYTES / (gint64) elem / dims[i]))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("dimension %d of size %lld is invalid or too large"), i, (long long) dims[i]);
          return FALSE;
        }
      numel *= dims[i];
    }
  v->dtype = dtype;
  v->rank = rank;
  memset (v->dims, 0, sizeof v->dims);
  if (rank > 0)
    memcpy (v->dims, dims, rank * sizeof dims[0]);
  v->numel = numel;
  return TRUE;
}

gboolean
lamina_value_alloc (LaminaValue *v, GError **error)
{
  gsize need = (gsize) v->numel * lamina_dtype_size (v->dtype);

  if (v->owned && v->nbytes >= need && v->data != NULL)
    return TRUE;
  if (!v->owned)
    v->data = NULL;
  /* at least one byte so that empty tensors still have a distinct buffer */
  v->data = g_try_realloc (v->owned ? v->data : NULL, MAX (need, 1));
  if (v->data == NULL)
    {
      v->nbytes = 0;
      v->owned = FALSE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("out of memory allocating %zu bytes"), need);
      return FALSE;
    }
  v->nbytes = MAX (need, 1);
  v->owned = TRUE;
  return TRUE;
}

gboolean
lamina_value_from_constant (LaminaValue *v, const LaminaTensor *t, GError **error)
{
  gsize size = 0;
  gint64 dims[LAMINA_MAX_RANK];

  if (t->data == NULL || !lamina_shape_is_static (&t->shape))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” has no constant data of a known shape"), t->name);
      return FALSE;
    }
  for (int i = 0; i < t->shape.rank && i < LAMINA_MAX_RANK; i++)
    dims[i] = t->shape.dims[i].value;
  lamina_value_clear (v);
  if (!lamina_value_set_shape (v, t->dtype, t->shape.rank, dims, error))
    return FALSE;
  v->data = (void *) g_bytes_get_data (t->data, &size);
  if (size != (gsize) v->numel * lamina_dtype_size (t->dtype))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” holds %zu bytes, its shape needs %zu"),
                   t->name, size, (gsize) v->numel * lamina_dtype_size (t->dtype));
      v->data = NULL;
      return FALSE;
    }
  v->nbytes = size;
  v->owned = FALSE;
  v->quant = t->quant;
  return TRUE;
}

void
lamina_value_clear (LaminaValue *v)
{
  if (v->owned)
    g_free (v->data);
  memset (v, 0, sizeof *v);
}

gboolean
lamina_value_copy (LaminaValue *out, const LaminaValue *v, GError **error)
{
  memset (out, 0, sizeof *out);
  if (!lamina_value_set_shape (out, v->dtype, v->rank, v->dims, error) || !lamina_value_alloc (out, error))
    {
      lamina_value_clear (out);
      return FALSE;
    }
  memcpy (out->data, v->data, (gsize) v->numel * lamina_dtype_size (v->dtype));
  out->quant = v->quant;
  return TRUE;
}

gboolean
lamina_value_same_shape (const LaminaValue *a, const LaminaValue *b)
{
  return a->rank == b->rank && memcmp (a->dims, b->dims, a->rank * sizeof a->dims[0]) == 0;
}

char *
lamina_value_describe (const LaminaValue *v)
{
  GString *s = g_string_new (lamina_dtype_name (v->dtype));

  g_string_append_c (s, '[');
  for (int i = 0; i < v->rank; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "," : "", v->dims[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

double
lamina_value_get_double (const LaminaValue *v, gint64 i)
{
  const guint8 *p = (const guint8 *) v->data + i * lamina_dtype_size (v->dtype);

  g_return_val_if_fail (i >= 0 && i < v->numel, 0);
  switch (v->dtype)
    {
    case LAMINA_DTYPE_FLOAT32: { float x; memcpy (&x, p, 4); return x; }
    case LAMINA_DTYPE_FLOAT64: { double x; memcpy (&x, p, 8); return x; }
    case LAMINA_DTYPE_FLOAT16: { guint16 x; memcpy (&x, p, 2); return lamina_half_to_float (x); }
    case LAMINA_DTYPE_BFLOAT16: { guint16 x; memcpy (&x, p, 2); return lamina_bfloat16_to_float (x); }
    default: return (double) lamina_value_get_int (v, i);
    }
}

gint64
lamina_value_get_int (const LaminaValue *v, gint64 i)
{
  const guint8 *p = (const guint8 *) v->data + i * lamina_dtype_size (v->dtype);

  g_return_val_if_fail (i >= 0 && i < v->numel, 0);
  switch (v->dtype)
    {
    case LAMINA_DTYPE_INT8:   return *(const gint8 *) p;
    case LAMINA_DTYPE_UINT8:  return *p;
    case LAMINA_DTYPE_BOOL:   return *p != 0;
    case LAMINA_DTYPE_INT16:  { gint16 x; memcpy (&x, p, 2); return x; }
    case LAMINA_DTYPE_UINT16: { guint16 x; memcpy (&x, p, 2); return x; }
    case LAMINA_DTYPE_INT32:  { gint32 x; memcpy (&x, p, 4); return x; }
    case LAMINA_DTYPE_UINT32: { guint32 x; memcpy (&x, p, 4); return x; }
    case LAMINA_DTYPE_INT64:  { gint64 x; memcpy (&x, p, 8); return x; }
    case LAMINA_DTYPE_UINT64: { guint64 x; memcpy (&x, p, 8); return (gint64) x; }
    default: return (gint64) lamina_value_get_double (v, i);
    }
}
