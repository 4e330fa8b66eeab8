/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-flatbuf"

#include <stdarg.h>
#include <string.h>
#include "lamina-flatbuf.h"
#include "lamina-model-load.h"

/* A hostile file may point many tables at one long vector; what callers copy
 * out is capped at this many elements per byte of input (plus a floor for
 * tiny files). Real TFLite files copy out far less than one per byte. */
#define BUDGET_PER_BYTE 16
#define BUDGET_FLOOR    65536

/* Byte positions and sizes in messages are printed as 64-bit unsigned. */
#define U64 "%" G_GUINT64_FORMAT

static const guint8 scalar_sizes[] = {
  [LAMINA_FB_BOOL] = 1, [LAMINA_FB_INT8] = 1, [LAMINA_FB_UINT8] = 1,
  [LAMINA_FB_INT16] = 2, [LAMINA_FB_UINT16] = 2,
  [LAMINA_FB_INT32] = 4, [LAMINA_FB_UINT32] = 4,
  [LAMINA_FB_INT64] = 8, [LAMINA_FB_UINT64] = 8,
  [LAMINA_FB_FLOAT32] = 4, [LAMINA_FB_FLOAT64] = 8,
};

gsize
lamina_fb_scalar_size (LaminaFbScalar kind)
{
  return (guint) kind < G_N_ELEMENTS (scalar_sizes) ? scalar_sizes[kind] : 0;
}

void
lamina_fb_init (LaminaFb *fb, const guint8 *data, gsize size)
{
  fb->data = data;
  fb->size = data != NULL ? size : 0;
  fb->budget = (guint64) fb->size * BUDGET_PER_BYTE + BUDGET_FLOOR;
  fb->error = NULL;
}

void
lamina_fb_clear (LaminaFb *fb)
{
  g_clear_error (&fb->error);
}

gboolean
lamina_fb_failed (const LaminaFb *fb)
{
  return fb->error != NULL;
}

void
lamina_fb_fail (LaminaFb *fb, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  if (fb->error != NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fb->error = g_error_new_literal (LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_CORRUPT, message);
}

gboolean
lamina_fb_charge (LaminaFb *fb, guint64 n)
{
  if (fb->error != NULL)
    return FALSE;
  if (n > fb->budget)
    {
      lamina_fb_fail (fb, "the file refers to the same data too many times "
                      "(more than " U64 " elements read from " U64 " bytes)",
                      (guint64) fb->size * BUDGET_PER_BYTE + BUDGET_FLOOR, (guint64) fb->size);
      return FALSE;
    }
  fb->budget -= n;
  return TRUE;
}

/* ---- raw reads: callers have checked the range ------------------------- */

static gboolean
range_ok (const LaminaFb *fb, guint64 pos, guint64 len)
{
  return pos <= fb->size && len <= fb->size - pos;
}

static guint16
rd_u16 (const LaminaFb *fb, gsize pos)
{
  guint16 v;

  memcpy (&v, fb->data + pos, sizeof v);
  return GUINT16_FROM_LE (v);
}

static guint32
rd_u32 (const LaminaFb *fb, gsize pos)
{
  guint32 v;

  memcpy (&v, fb->data + pos, sizeof v);
  return GUINT32_FROM_LE (v);
}

static guint64
rd_u64 (const LaminaFb *fb, gsize pos)
{
  guint64 v;

  memcpy (&v, fb->data + pos, sizeof v);
  return GUINT64_FROM_LE (v);
}

/* Float fields read through the integer getter: saturate, NaN reads as 0
 * (a plain cast would be undefined behaviour for both). */
static gint64
double_to_int64 (double f)
{
  if (f != f)
    return 0;
  if (f >= 9.2e18)
    return G_MAXINT64;
  if (f <= -9.2e18)
    return G_MININT64;
  return (gint64) f;
}

/* Reads a scalar as both an integer and a float, so getters of either kind
 * accept a field of any kind. */
static void
rd_scalar (const LaminaFb *fb, gsize pos, LaminaFbScalar kind, gint64 *i, double *f)
{
  union { guint32 u; float f; } u32;
  union { guint64 u; double f; } u64;

  switch (kind)
    {
    case LAMINA_FB_BOOL:
      *i = fb->data[pos] != 0;
      break;
    case LAMINA_FB_INT8:
      *i = (gint8) fb->data[pos];
      break;
    case LAMINA_FB_UINT8:
      *i = fb->data[pos];
      break;
    case LAMINA_FB_INT16:
      *i = (gint16) rd_u16 (fb, pos);
      break;
    case LAMINA_FB_UINT16:
      *i = rd_u16 (fb, pos);
      break;
    case LAMINA_FB_INT32:
      *i = (gint32) rd_u32 (fb, pos);
      break;
    case LAMINA_FB_UINT32:
      *i = rd_u32 (fb, pos);
      break;
    case LAMINA_FB_INT64:
      *i = (gint64) rd_u64 (fb, pos);
      break;
    case LAMINA_FB_UINT64:
      u64.u = rd_u64 (fb, pos);
      *i = u64.u > G_MAXINT64 ? G_MAXINT64 : (gint64) u64.u;
      break;
    case LAMINA_FB_FLOAT32:
      u32.u = rd_u32 (fb, pos);
      *f = u32.f;
      *i = double_to_int64 (*f);
      return;
    case LAMINA_FB_FLOAT64:
    default:
      u64.u = rd_u64 (fb, pos);
      *f = u64.f;
      *i = double_to_int64 (*f);
      return;
    }
  *f = (double) *i;
}

/* ---- structure --------------------------------------------------------- */

static gboolean
table_at (LaminaFb *fb, guint64 pos, guint depth, LaminaFbTable *out)
{
  gint64 vtable;
  guint vtable_size, table_size;

  out->fb = NULL;
  if (fb->error != NULL)
    return FALSE;
  if (depth > LAMINA_FB_MAX_DEPTH)
    {
      lamina_fb_fail (fb, "tables nested deeper than %d levels", LAMINA_FB_MAX_DEPTH);
      return FALSE;
    }
  if (!range_ok (fb, pos, 4))
    {
      lamina_fb_fail (fb, "table at byte " U64 " lies outside the file (" U64 " bytes)",
                      pos, (guint64) fb->size);
      return FALSE;
    }
  vtable = (gint64) pos - (gint32) rd_u32 (fb, pos);
  if (vtable < 0 || !range_ok (fb, (guint64) vtable, 4))
    {
      lamina_fb_fail (fb, "table at byte " U64 ": its vtable (byte %" G_GINT64_FORMAT ") "
                      "lies outside the file", pos, vtable);
      return FALSE;
    }
  vtable_size = rd_u16 (fb, vtable);
  table_size = rd_u16 (fb, vtable + 2);
  if (vtable_size < 4 || vtable_size % 2 != 0 || !range_ok (fb, (guint64) vtable, vtable_size))
    {
      lamina_fb_fail (fb, "table at byte " U64 ": invalid vtable size %u at byte " U64,
                      pos, vtable_size, (guint64) vtable);
      return FALSE;
    }
  if (table_size < 4 || !range_ok (fb, pos, table_size))
    {
      lamina_fb_fail (fb, "table at byte " U64 ": its size %u runs past the end of the file",
                      pos, table_size);
      return FALSE;
    }
  out->fb = fb;
  out->pos = pos;
  out->vtable = vtable;
  out->vtable_size = vtable_size;
  out->table_size = table_size;
  out->depth = depth;
  return TRUE;
}

/* Byte position of field `id` when present, 0 otherwise (a field can never
 * start at byte 0: it follows its table's soffset). */
static gsize
field_pos (const LaminaFbTable *t, guint id, gsize width)
{
  guint64 slot = 4 + 2 * (guint64) id;
  guint off;

  if (t->fb == NULL || t->fb->error != NULL || slot + 2 > t->vtable_size)
    return 0;
  off = rd_u16 (t->fb, t->vtable + slot);
  if (off == 0)
    return 0;
  if (off + width > t->table_size)
    {
      lamina_fb_fail (t->fb, "table at byte " U64 ": field %u (" U64 " bytes at +%u) "
                      "runs past the table's %u bytes",
                      (guint64) t->pos, id, (guint64) width, off, t->table_size);
      return 0;
    }
  return t->pos + off;
}

/* Follows the uoffset stored in field `id`. */
static gboolean
follow (const LaminaFbTable *t, guint id, guint64 *target)
{
  gsize p = field_pos (t, id, 4);
  guint32 off;

  if (p == 0)
    return FALSE;
  off = rd_u32 (t->fb, p);
  if (off == 0)
    {
      lamina_fb_fail (t->fb, "table at byte " U64 ": field %u has a null offset", (guint64) t->pos, id);
      return FALSE;
    }
  *target = (guint64) p + off;
  return TRUE;
}

static gboolean
vector_at (LaminaFb *fb, guint64 pos, gsize elem_size, guint depth, LaminaFbVector *out)
{
  guint32 len;

  memset (out, 0, sizeof *out);
  out->elem_size = elem_size;
  if (!range_ok (fb, pos, 4))
    {
      lamina_fb_fail (fb, "vector at byte " U64 " lies outside the file (" U64 " bytes)",
                      pos, (guint64) fb->size);
      return FALSE;
    }
  len = rd_u32 (fb, pos);
  if (!range_ok (fb, pos + 4, (guint64) len * elem_size))
    {
      lamina_fb_fail (fb, "vector of %u elements of " U64 " bytes at byte " U64
                      " runs past the end of the file (" U64 " bytes)",
                      len, (guint64) elem_size, pos, (guint64) fb->size);
      return FALSE;
    }
  out->fb = fb;
  out->pos = pos + 4;
  out->len = len;
  out->depth = depth;
  return TRUE;
}

static const char *
string_at (LaminaFb *fb, guint64 pos, gsize *len)
{
  guint32 n;

  if (!range_ok (fb, pos, 4))
    {
      lamina_fb_fail (fb, "string at byte " U64 " lies outside the file", pos);
      return NULL;
    }
  n = rd_u32 (fb, pos);
  if (!range_ok (fb, pos + 4, (guint64) n + 1))
    {
      lamina_fb_fail (fb, "string of %u bytes at byte " U64 " runs past the end of the file", n, pos);
      return NULL;
    }
  if (fb->data[pos + 4 + n] != '\0')
    {
      lamina_fb_fail (fb, "string at byte " U64 " is not NUL-terminated", pos);
      return NULL;
    }
  if (len)
    *len = n;
  return (const char *) fb->data + pos + 4;
}

/* ---- public API -------------------------------------------------------- */

gboolean
lamina_fb_root (LaminaFb *fb, LaminaFbTable *root)
{
  root->fb = NULL;
  if (fb->error != NULL)
    return FALSE;
  if (fb->size < 8)
    {
      lamina_fb_fail (fb, "file too short (" U64 " bytes)", (guint64) fb->size);
      return FALSE;
    }
  return table_at (fb, rd_u32 (fb, 0), 0, root);
}

gboolean
lamina_fb_has_field (const LaminaFbTable *t, guint id)
{
  guint64 slot = 4 + 2 * (guint64) id;

  return t->fb != NULL && slot + 2 <= t->vtable_size && rd_u16 (t->fb, t->vtable + slot) != 0;
}

gint64
lamina_fb_get_int (const LaminaFbTable *t, guint id, LaminaFbScalar kind, gint64 def)
{
  gsize p = field_pos (t, id, lamina_fb_scalar_size (kind));
  gint64 i;
  double f;

  if (p == 0)
    return def;
  rd_scalar (t->fb, p, kind, &i, &f);
  return i;
}

double
lamina_fb_get_float (const LaminaFbTable *t, guint id, LaminaFbScalar kind, double def)
{
  gsize p = field_pos (t, id, lamina_fb_scalar_size (kind));
  gint64 i;
  double f;

  if (p == 0)
    return def;
  rd_scalar (t->fb, p, kind, &i, &f);
  return f;
}

gboolean
lamina_fb_get_table (const LaminaFbTable *t, guint id, LaminaFbTable *out)
{
  LaminaFbTable parent = *t;  /* out may be t: walking down a chain */
  guint64 target;

  out->fb = NULL;
  if (!follow (&parent, id, &target))
    return FALSE;
  return table_at (parent.fb, target, parent.depth + 1, out);
}

guint
lamina_fb_get_union (const LaminaFbTable *t, guint type_id, LaminaFbTable *out)
{
  guint type = (guint) lamina_fb_get_int (t, type_id, LAMINA_FB_UINT8, 0);

  if (type == 0 || !lamina_fb_get_table (t, type_id + 1, out))
    {
      out->fb = NULL;
      return 0;
    }
  return type;
}

const char *
lamina_fb_get_string (const LaminaFbTable *t, guint id, gsize *len)
{
  guint64 target;

  if (len)
    *len = 0;
  if (!follow (t, id, &target))
    return NULL;
  return string_at (t->fb, target, len);
}

gboolean
lamina_fb_get_vector (const LaminaFbTable *t, guint id, gsize elem_size, LaminaFbVector *out)
{
  guint64 target;

  memset (out, 0, sizeof *out);
  out->elem_size = elem_size;
  if (!follow (t, id, &target))
    return FALSE;
  return vector_at (t->fb, target, elem_size, t->depth, out);
}

gint64
lamina_fb_vector_int (const LaminaFbVector *v, guint32 i, LaminaFbScalar kind)
{
  gint64 value = 0;
  double f;

  g_return_val_if_fail (i < v->len, 0);
  g_return_val_if_fail (lamina_fb_scalar_size (kind) <= v->elem_size, 0);
  rd_scalar (v->fb, v->pos + (gsize) i * v->elem_size, kind, &value, &f);
  return value;
}

double
lamina_fb_vector_float (const LaminaFbVector *v, guint32 i, LaminaFbScalar kind)
{
  gint64 value;
  double f = 0;

  g_return_val_if_fail (i < v->len, 0);
  g_return_val_if_fail (lamina_fb_scalar_size (kind) <= v->elem_size, 0);
  rd_scalar (v->fb, v->pos + (gsize) i * v->elem_size, kind, &value, &f);
  return f;
}

gboolean
lamina_fb_vector_table (const LaminaFbVector *v, guint32 i, LaminaFbTable *out)
{
  gsize p;
  guint32 off;

  out->fb = NULL;
  g_return_val_if_fail (i < v->len && v->elem_size == 4, FALSE);
  if (v->fb->error != NULL)
    return FALSE;
  p = v->pos + (gsize) i * 4;
  off = rd_u32 (v->fb, p);
  if (off == 0)
    {
      lamina_fb_fail (v->fb, "element %u of the vector at byte " U64 " has a null offset",
                      i, (guint64) v->pos - 4);
      return FALSE;
    }
  return table_at (v->fb, (guint64) p + off, v->depth + 1, out);
}

const char *
lamina_fb_vector_string (const LaminaFbVector *v, guint32 i, gsize *len)
{
  gsize p;
  guint32 off;

  if (len)
    *len = 0;
  g_return_val_if_fail (i < v->len && v->elem_size == 4, NULL);
  if (v->fb->error != NULL)
    return NULL;
  p = v->pos + (gsize) i * 4;
  off = rd_u32 (v->fb, p);
  if (off == 0)
    {
      lamina_fb_fail (v->fb, "element %u of the vector at byte " U64 " has a null offset",
                      i, (guint64) v->pos - 4);
      return NULL;
    }
  return string_at (v->fb, (guint64) p + off, len);
}

gsize
lamina_fb_vector_offset (const LaminaFbVector *v)
{
  return v->pos;
}
