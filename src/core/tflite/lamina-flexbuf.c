/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-flexbuf"

#include <string.h>
#include "lamina-flexbuf.h"

/* FlexBuffer value types (the upper 6 bits of a packed type byte). */
enum {
  FBT_NULL = 0, FBT_INT = 1, FBT_UINT = 2, FBT_FLOAT = 3, FBT_KEY = 4, FBT_STRING = 5,
  FBT_INDIRECT_INT = 6, FBT_INDIRECT_UINT = 7, FBT_INDIRECT_FLOAT = 8, FBT_MAP = 9,
  FBT_VECTOR = 10, FBT_VECTOR_INT = 11, FBT_VECTOR_UINT = 12, FBT_VECTOR_FLOAT = 13,
  FBT_VECTOR_KEY = 14, FBT_VECTOR_STRING = 15,
  FBT_VECTOR_INT2 = 16, /* ... through FBT_VECTOR_FLOAT4 = 24: fixed-length */
  FBT_VECTOR_FLOAT4 = 24,
  FBT_BLOB = 25, FBT_BOOL = 26, FBT_VECTOR_BOOL = 36,
};

/* Keys and list elements kept per attribute: enough to show, bounded so a
 * map whose keys share one long vector stays small. */
#define MAX_KEYS      256
#define MAX_ELEMENTS  256
#define MAX_STRING    256

typedef struct {
  const guint8 *data;
  gsize         size;
} Flex;

static gboolean
in_range (const Flex *f, guint64 pos, guint64 len)
{
  return pos <= f->size && len <= f->size - pos;
}

static gboolean
valid_width (guint64 width)
{
  return width == 1 || width == 2 || width == 4 || width == 8;
}

static gboolean
rd_uint (const Flex *f, guint64 pos, guint width, guint64 *out)
{
  guint64 v = 0;

  if (!valid_width (width) || !in_range (f, pos, width))
    return FALSE;
  /* little-endian, assembled byte by byte: no alignment assumptions */
  for (guint i = 0; i < width; i++)
    v |= (guint64) f->data[pos + i] << (8 * i);
  *out = v;
  return TRUE;
}

static gboolean
rd_int (const Flex *f, guint64 pos, guint width, gint64 *out)
{
  guint64 u;

  if (!rd_uint (f, pos, width, &u))
    return FALSE;
  if (width < 8 && (u >> (8 * width - 1)) & 1)
    u |= ~(guint64) 0 << (8 * width);   /* sign-extend */
  *out = (gint64) u;
  return TRUE;
}

static gboolean
rd_float (const Flex *f, guint64 pos, guint width, double *out)
{
  guint64 u;

  if ((width != 4 && width != 8) || !rd_uint (f, pos, width, &u))
    return FALSE;
  if (width == 4)
    {
      guint32 u32 = (guint32) u;
      float v;
      memcpy (&v, &u32, sizeof v);
      *out = v;
    }
  else
    memcpy (out, &u, sizeof *out);
  return TRUE;
}

/* Offsets in FlexBuffers point backwards from where they are stored. */
static gboolean
rd_indirect (const Flex *f, guint64 pos, guint width, guint64 *target)
{
  guint64 off;

  if (!rd_uint (f, pos, width, &off) || off > pos)
    return FALSE;
  *target = pos - off;
  return TRUE;
}

/* Length stored just before a vector, string or blob at `pos`. */
static gboolean
rd_length (const Flex *f, guint64 pos, guint width, guint64 *len)
{
  return pos >= width && rd_uint (f, pos - width, width, len);
}

static gboolean
is_printable (const guint8 *s, guint64 len)
{
  if (len > MAX_STRING || !g_utf8_validate ((const char *) s, (gssize) len, NULL))
    return FALSE;
  for (guint64 i = 0; i < len; i++)
    if (s[i] < 0x20 && s[i] != '\t')
      return FALSE;
  return TRUE;
}

static void
set_summary (LaminaAttr *a, const char *what, guint64 n)
{
  a->type = LAMINA_ATTR_STRING;
  a->s = g_strdup_printf ("%s of %" G_GUINT64_FORMAT " %s", what, n,
                          g_str_equal (what, "map") ? "keys" : "bytes");
}

/* Typed vector of numbers: element kind from `scalar_type` (INT, UINT,
 * FLOAT, BOOL). */
static gboolean
set_number_list (const Flex *f, LaminaAttr *a, guint64 pos, guint width,
                 guint64 len, int scalar_type)
{
  guint n = (guint) MIN (len, MAX_ELEMENTS);

  /* len comes from the data: bound it before multiplying */
  if (len > f->size || !in_range (f, pos, len * width))
    return FALSE;
  a->n = n;
  if (scalar_type == FBT_FLOAT)
    {
      a->type = LAMINA_ATTR_FLOATS;
      a->floats = g_new0 (double, MAX (n, 1));
      for (guint i = 0; i < n; i++)
        if (!rd_float (f, pos + (guint64) i * width, width, &a->floats[i]))
          return FALSE;
      return TRUE;
    }
  a->type = LAMINA_ATTR_INTS;
  a->ints = g_new0 (gint64, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      guint64 u;
      if (scalar_type == FBT_INT)
        {
          if (!rd_int (f, pos + (guint64) i * width, width, &a->ints[i]))
            return FALSE;
        }
      else if (!rd_uint (f, pos + (guint64) i * width, width, &u))
        return FALSE;
      else
        a->ints[i] = (gint64) MIN (u, (guint64) G_MAXINT64);
    }
  return TRUE;
}

/* A string, key or blob value at `pos`. */
static gboolean
set_bytes (const Flex *f, LaminaAttr *a, guint64 pos, guint width, int type)
{
  guint64 len;

  if (type == FBT_KEY)
    {
      const guint8 *nul;
      if (!in_range (f, pos, 1))
        return FALSE;
      nul = memchr (f->data + pos, '\0', f->size - pos);
      if (nul == NULL)
        return FALSE;
      len = (guint64) (nul - (f->data + pos));
    }
  else if (!rd_length (f, pos, width, &len) || !in_range (f, pos, len))
    return FALSE;
  if (type != FBT_BLOB && is_printable (f->data + pos, len))
    {
      a->type = LAMINA_ATTR_STRING;
      a->s = g_strndup ((const char *) f->data + pos, len);
    }
  else
    set_summary (a, type == FBT_BLOB ? "blob" : "string", len);
  return TRUE;
}

/* A heterogeneous vector: numbers when every element is one, else a count. */
static gboolean
set_vector (const Flex *f, LaminaAttr *a, guint64 pos, guint width)
{
  guint64 len;
  int common = -1;

  if (!rd_length (f, pos, width, &len) || len > f->size || !in_range (f, pos, len * width + len))
    return FALSE;
  for (guint64 i = 0; i < len; i++)
    {
      int t = f->data[pos + len * width + i] >> 2;
      if (t == FBT_BOOL)
        t = FBT_UINT;
      if ((t != FBT_INT && t != FBT_UINT && t != FBT_FLOAT) || (common >= 0 && t != common))
        {
          a->type = LAMINA_ATTR_STRING;
          a->s = g_strdup_printf ("vector of %" G_GUINT64_FORMAT " elements", len);
          return TRUE;
        }
      common = t;
    }
  return set_number_list (f, a, pos, width, len, common < 0 ? FBT_INT : common);
}

/* Fills `a` from the value stored at `pos` with the parent's byte width and
 * the packed type byte. */
static gboolean
set_value (const Flex *f, LaminaAttr *a, guint64 pos, guint parent_width, guint8 packed)
{
  int type = packed >> 2;
  guint width = 1u << (packed & 3);
  guint64 target, u, len;

  switch (type)
    {
    case FBT_NULL:
      a->type = LAMINA_ATTR_STRING;
      a->s = g_strdup ("null");
      return TRUE;
    case FBT_INT:
      a->type = LAMINA_ATTR_INT;
      return rd_int (f, pos, parent_width, &a->i);
    case FBT_UINT:
    case FBT_BOOL:
      a->type = LAMINA_ATTR_INT;
      if (!rd_uint (f, pos, parent_width, &u))
        return FALSE;
      a->i = (gint64) MIN (u, (guint64) G_MAXINT64);
      return TRUE;
    case FBT_FLOAT:
      a->type = LAMINA_ATTR_FLOAT;
      return rd_float (f, pos, parent_width, &a->f);
    default:
      break;
    }
  /* everything else is stored by offset */
  if (!rd_indirect (f, pos, parent_width, &target))
    return FALSE;
  switch (type)
    {
    case FBT_INDIRECT_INT:
      a->type = LAMINA_ATTR_INT;
      return rd_int (f, target, width, &a->i);
    case FBT_INDIRECT_UINT:
      a->type = LAMINA_ATTR_INT;
      if (!rd_uint (f, target, width, &u))
        return FALSE;
      a->i = (gint64) MIN (u, (guint64) G_MAXINT64);
      return TRUE;
    case FBT_INDIRECT_FLOAT:
      a->type = LAMINA_ATTR_FLOAT;
      return rd_float (f, target, width, &a->f);
    case FBT_KEY:
    case FBT_STRING:
    case FBT_BLOB:
      return set_bytes (f, a, target, width, type);
    case FBT_MAP:
      if (!rd_length (f, target, width, &len))
        return FALSE;
      set_summary (a, "map", len);
      return TRUE;
    case FBT_VECTOR:
      return set_vector (f, a, target, width);
    case FBT_VECTOR_INT:
    case FBT_VECTOR_UINT:
    case FBT_VECTOR_FLOAT:
    case FBT_VECTOR_BOOL:
      if (!rd_length (f, target, width, &len))
        return FALSE;
      return set_number_list (f, a, target, width, len,
                              type == FBT_VECTOR_BOOL ? FBT_UINT : type - FBT_VECTOR_INT + FBT_INT);
    case FBT_VECTOR_KEY:
    case FBT_VECTOR_STRING:
      if (!rd_length (f, target, width, &len))
        return FALSE;
      a->type = LAMINA_ATTR_STRING;
      a->s = g_strdup_printf ("%" G_GUINT64_FORMAT " strings", len);
      return TRUE;
    default:
      if (type >= FBT_VECTOR_INT2 && type <= FBT_VECTOR_FLOAT4)
        return set_number_list (f, a, target, width, (type - FBT_VECTOR_INT2) / 3 + 2,
                                (type - FBT_VECTOR_INT2) % 3 + FBT_INT);
      a->type = LAMINA_ATTR_STRING;
      a->s = g_strdup_printf ("FlexBuffer type %d", type);
      return TRUE;
    }
}

typedef struct {
  guint64 values;      /* first value */
  guint   width;       /* byte width of values */
  guint64 n;
  guint64 keys;        /* first key offset */
  guint   keys_width;
} MapInfo;

static gboolean
find_root_map (const Flex *f, MapInfo *m)
{
  guint root_width, packed;
  guint64 root_pos, kw, keys_len;

  if (f->size < 3)
    return FALSE;
  root_width = f->data[f->size - 1];
  packed = f->data[f->size - 2];
  if (!valid_width (root_width) || f->size < 2 + (guint64) root_width || packed >> 2 != FBT_MAP)
    return FALSE;
  root_pos = f->size - 2 - root_width;
  m->width = 1u << (packed & 3);
  if (!rd_indirect (f, root_pos, root_width, &m->values) ||
      m->values < 3 * (guint64) m->width ||
      !rd_uint (f, m->values - m->width, m->width, &m->n) ||
      !rd_uint (f, m->values - 2 * m->width, m->width, &kw) ||
      !rd_indirect (f, m->values - 3 * m->width, m->width, &m->keys) ||
      !valid_width (kw) || m->n > MAX_KEYS)
    return FALSE;
  m->keys_width = (guint) kw;
  /* values, then one type byte per value; keys vector of the same length */
  return in_range (f, m->values, m->n * m->width + m->n) &&
         in_range (f, m->keys, m->n * m->keys_width) &&
         rd_length (f, m->keys, m->keys_width, &keys_len) && keys_len == m->n;
}

static char *
read_key (const Flex *f, const MapInfo *m, guint64 i)
{
  guint64 at;
  const guint8 *nul;

  if (!rd_indirect (f, m->keys + i * m->keys_width, m->keys_width, &at) || at >= f->size)
    return NULL;
  nul = memchr (f->data + at, '\0', f->size - at);
  if (nul == NULL)
    return NULL;
  return g_utf8_make_valid ((const char *) f->data + at, nul - (f->data + at));
}

gboolean
lamina_flexbuf_map_to_attrs (const guint8 *data, gsize size, LaminaNode *node)
{
  Flex f = { data, size };
  MapInfo m;
  g_autoptr(GPtrArray) attrs = g_ptr_array_new_with_free_func ((GDestroyNotify) lamina_attr_free);

  if (data == NULL || !find_root_map (&f, &m))
    return FALSE;
  /* build everything first so a malformed entry adds nothing */
  for (guint64 i = 0; i < m.n; i++)
    {
      LaminaAttr *a = g_new0 (LaminaAttr, 1);
      g_ptr_array_add (attrs, a);
      a->name = read_key (&f, &m, i);
      if (a->name == NULL ||
          !set_value (&f, a, m.values + i * m.width, m.width, data[m.values + m.n * m.width + i]))
        return FALSE;
    }
  g_ptr_array_set_free_func (attrs, NULL);
  for (guint i = 0; i < attrs->len; i++)
    g_ptr_array_add (node->attrs, g_ptr_array_index (attrs, i));
  return TRUE;
}
