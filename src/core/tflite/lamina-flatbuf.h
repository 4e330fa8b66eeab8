/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-flatbuf.h: a small validating reader of FlatBuffers, used to read
 * TFLite files in place without the flatbuffers library.
 *
 * Every offset, vtable, vector length and string is checked against the
 * buffer before it is followed; all reads go through memcpy, so nothing
 * depends on the alignment of the (mapped) data. The first structural error
 * is kept in the LaminaFb ("sticky"): getters then return their defaults, and
 * the caller checks lamina_fb_failed() at points where it can say which
 * object was being read. This keeps the schema-walking code short without
 * ever trusting a value that was not checked.
 *
 * The reader also keeps a budget of elements copied out of the buffer, so a
 * hostile file whose tables all share one huge vector cannot make the loader
 * allocate memory quadratic in the file size.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Deepest nesting of tables the reader follows. TFLite needs 5 or so. */
#define LAMINA_FB_MAX_DEPTH 64

typedef enum {
  LAMINA_FB_BOOL,
  LAMINA_FB_INT8,
  LAMINA_FB_UINT8,
  LAMINA_FB_INT16,
  LAMINA_FB_UINT16,
  LAMINA_FB_INT32,
  LAMINA_FB_UINT32,
  LAMINA_FB_INT64,
  LAMINA_FB_UINT64,   /* read as gint64; values above G_MAXINT64 saturate */
  LAMINA_FB_FLOAT32,
  LAMINA_FB_FLOAT64,
} LaminaFbScalar;

gsize lamina_fb_scalar_size (LaminaFbScalar kind);

typedef struct {
  const guint8 *data;
  gsize         size;
  guint64       budget;  /* elements callers may still copy out */
  GError       *error;   /* first structural error (LAMINA_LOAD_ERROR_CORRUPT) */
} LaminaFb;

/* A table. fb == NULL means "absent". */
typedef struct {
  LaminaFb *fb;
  gsize     pos;          /* start of the table: its soffset to the vtable */
  gsize     vtable;
  guint     vtable_size;  /* bytes, including the two size fields */
  guint     table_size;   /* bytes of inline data, including the soffset */
  guint     depth;
} LaminaFbTable;

/* A vector. len == 0 when absent. */
typedef struct {
  LaminaFb *fb;
  gsize     pos;        /* first element */
  guint32   len;
  gsize     elem_size;
  guint     depth;      /* depth of the table holding the vector */
} LaminaFbVector;

void     lamina_fb_init (LaminaFb *fb, const guint8 *data, gsize size);
void     lamina_fb_clear (LaminaFb *fb);
gboolean lamina_fb_failed (const LaminaFb *fb);
/* Records an error (unless one is already recorded). printf-style. */
void     lamina_fb_fail (LaminaFb *fb, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* Takes n elements from the copy budget; fails (and records why) when the
 * budget is exhausted. */
gboolean lamina_fb_charge (LaminaFb *fb, guint64 n);

/* The root table (uoffset at byte 0). */
gboolean lamina_fb_root (LaminaFb *fb, LaminaFbTable *root);

/* TRUE when the field is present in the table's vtable. */
gboolean lamina_fb_has_field (const LaminaFbTable *t, guint id);

/* Scalars; `def` when the field is absent (or the table is absent/broken). */
gint64   lamina_fb_get_int (const LaminaFbTable *t, guint id, LaminaFbScalar kind, gint64 def);
double   lamina_fb_get_float (const LaminaFbTable *t, guint id, LaminaFbScalar kind, double def);

/* Sub-table; FALSE (and out->fb == NULL) when absent or broken. */
gboolean lamina_fb_get_table (const LaminaFbTable *t, guint id, LaminaFbTable *out);

/* Union: the type byte is field `type_id`, the value table is type_id + 1
 * (flatc's layout). Returns the union type (0 = NONE) and fills `out`;
 * returns 0 when the value table is missing or broken. */
guint    lamina_fb_get_union (const LaminaFbTable *t, guint type_id, LaminaFbTable *out);

/* String: pointer into the buffer, NUL-terminated within it, or NULL when
 * absent or broken. `len` (optional) receives the byte length. */
const char *lamina_fb_get_string (const LaminaFbTable *t, guint id, gsize *len);

/* Vector of elem_size-byte elements (4 for tables and strings). */
gboolean lamina_fb_get_vector (const LaminaFbTable *t, guint id, gsize elem_size,
                               LaminaFbVector *out);
gint64   lamina_fb_vector_int (const LaminaFbVector *v, guint32 i, LaminaFbScalar kind);
double   lamina_fb_vector_float (const LaminaFbVector *v, guint32 i, LaminaFbScalar kind);
gboolean lamina_fb_vector_table (const LaminaFbVector *v, guint32 i, LaminaFbTable *out);
const char *lamina_fb_vector_string (const LaminaFbVector *v, guint32 i, gsize *len);
/* Byte offset of the vector's first element in the buffer. */
gsize    lamina_fb_vector_offset (const LaminaFbVector *v);

G_END_DECLS
