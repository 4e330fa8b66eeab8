/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tflite.c: reads a TFLite flatbuffer in place into Lamina's IR.
 *
 * The flatbuffer is walked with the validating accessors of lamina-flatbuf.h;
 * constant tensors point into the caller's GBytes (the mapped file), nothing
 * is copied but names, shapes and quantization parameters. Each subgraph
 * becomes one LaminaGraph (model->graphs[0] is the main one).
 */
#define G_LOG_DOMAIN "lamina-tflite"

#include <stdarg.h>
#include <string.h>
#include "lamina-tflite.h"
#include "lamina-tflite-private.h"
#include "lamina-flexbuf.h"

/* Ranks beyond this are not tensors anyone runs: treat as corruption. */
#define MAX_RANK 64
/* Bytes of custom options shown in hex in the "custom_options" attribute. */
#define CUSTOM_PREVIEW 16

typedef struct {
  char     *op_type;
  gboolean  is_custom;
} OpCode;

typedef struct {
  LaminaFb        fb;
  const char     *base;       /* file's base name, first word of every error */
  LaminaModel    *model;
  LaminaFbVector  buffers;
  GArray         *opcodes;    /* OpCode */
  /* per subgraph */
  GPtrArray      *tensors;    /* LaminaTensor*, borrowed, by file index */
  GHashTable     *suffixes;   /* tensor name → next suffix to try */
} Reader;

static void
opcode_clear (gpointer p)
{
  g_free (((OpCode *) p)->op_type);
}

/* ---- errors ------------------------------------------------------------ */

/* Errors are built inside out: the innermost function states the reason,
 * each caller prefixes where it was ("operator 12 (Conv2D): "), and the
 * entry point prefixes the file's base name. When the accessor recorded a
 * structural error, that one is the root cause and wins. */
static gboolean G_GNUC_PRINTF (4, 5)
fail (Reader *r, GError **error, LaminaLoadError code, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  if (lamina_fb_failed (&r->fb))
    {
      g_propagate_error (error, g_error_copy (r->fb.error));
      return FALSE;
    }
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, LAMINA_LOAD_ERROR, code, message);
  return FALSE;
}

/* Turns the accessor's sticky error, if any, into the caller's. */
static gboolean
check_fb (Reader *r, GError **error)
{
  if (!lamina_fb_failed (&r->fb))
    return TRUE;
  g_propagate_error (error, g_error_copy (r->fb.error));
  return FALSE;
}

/* ---- small helpers ----------------------------------------------------- */

/* Strings in the file are bytes; the IR holds UTF-8. */
static char *
dup_string (Reader *r, const char *s, gsize len)
{
  if (s == NULL || !lamina_fb_charge (&r->fb, len))
    return g_strdup ("");
  return g_utf8_make_valid (s, (gssize) len);
}

static char *
get_string (Reader *r, const LaminaFbTable *t, guint id)
{
  gsize len;
  const char *s = lamina_fb_get_string (t, id, &len);

  return s ? dup_string (r, s, len) : NULL;
}

/* Location of the data of buffer `index`: the inline vector, or the
 * offset/size pair that large models use for data after the flatbuffer. */
static gboolean
buffer_range (Reader *r, guint64 index, gsize *pos, gsize *len, GError **error)
{
  LaminaFbTable buf;
  LaminaFbVector data;
  gint64 offset, size;

  *pos = *len = 0;
  if (index >= r->buffers.len)
    return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                 "buffer index %" G_GUINT64_FORMAT " out of range (%u buffers)", index, r->buffers.len);
  lamina_fb_vector_table (&r->buffers, (guint32) index, &buf);
  if (lamina_fb_get_vector (&buf, BUFFER_DATA, 1, &data) && data.len > 0)
    {
      *pos = lamina_fb_vector_offset (&data);
      *len = data.len;
    }
  else if ((offset = lamina_fb_get_int (&buf, BUFFER_OFFSET, LAMINA_FB_UINT64, 0)) > 1)
    {
      size = lamina_fb_get_int (&buf, BUFFER_SIZE, LAMINA_FB_UINT64, 0);
      if ((guint64) offset > r->fb.size || (guint64) size > r->fb.size - (guint64) offset)
        return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                     "buffer %" G_GUINT64_FORMAT ": %" G_GINT64_FORMAT " bytes at offset %" G_GINT64_FORMAT
                     " run past the end of the file (%" G_GSIZE_FORMAT " bytes)",
                     index, size, offset, r->fb.size);
      *pos = (gsize) offset;
      *len = (gsize) size;
    }
  if (!check_fb (r, error))
    {
      g_prefix_error (error, "buffer %" G_GUINT64_FORMAT ": ", index);
      return FALSE;
    }
  return TRUE;
}

/* ---- operator codes ---------------------------------------------------- */

static gboolean
read_opcodes (Reader *r, const LaminaFbTable *root, GError **error)
{
  LaminaFbVector codes;

  lamina_fb_get_vector (root, MODEL_OPERATOR_CODES, 4, &codes);
  for (guint32 i = 0; i < codes.len; i++)
    {
      LaminaFbTable t;
      OpCode oc = { NULL, FALSE };
      gint64 code;
      g_autofree char *custom = NULL;

      lamina_fb_vector_table (&codes, i, &t);
      /* old files have only the int8 field; newer ones put the placeholder
       * 127 there and the real code in the int32 field */
      code = MAX (lamina_fb_get_int (&t, OPCODE_DEPRECATED_BUILTIN_CODE, LAMINA_FB_INT8, 0),
                  lamina_fb_get_int (&t, OPCODE_BUILTIN_CODE, LAMINA_FB_INT32, 0));
      custom = get_string (r, &t, OPCODE_CUSTOM_CODE);
      if (!check_fb (r, error))
        {
          g_prefix_error (error, "operator code %u: ", i);
          return FALSE;
        }
      if (code == LAMINA_TFLITE_BUILTIN_CUSTOM)
        {
          oc.is_custom = TRUE;
          oc.op_type = custom && custom[0] ? g_steal_pointer (&custom) : g_strdup ("Custom");
        }
      else if (lamina_tflite_builtin_name (code) != NULL)
        oc.op_type = g_strdup (lamina_tflite_builtin_name (code));
      else
        oc.op_type = g_strdup_printf ("Builtin%" G_GINT64_FORMAT, code);
      g_array_append_val (r->opcodes, oc);
    }
  return check_fb (r, error);
}

/* ---- tensors ----------------------------------------------------------- */

/* TFLite does not require unique tensor names; the IR does. A per-name
 * counter keeps renaming linear even when thousands of tensors share one. */
static LaminaTensor *
add_tensor (Reader *r, LaminaGraph *g, const char *name)
{
  guint k;
  g_autofree char *candidate = NULL;

  if (lamina_graph_lookup_tensor (g, name) == NULL)
    return lamina_graph_add_tensor (g, name);
  k = MAX (GPOINTER_TO_UINT (g_hash_table_lookup (r->suffixes, name)), 1);
  for (;; k++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%s_%u", name, k);
      if (lamina_graph_lookup_tensor (g, candidate) == NULL)
        break;
    }
  g_hash_table_insert (r->suffixes, g_strdup (name), GUINT_TO_POINTER (k + 1));
  return lamina_graph_add_tensor (g, candidate);
}

static gboolean
read_shape (Reader *r, LaminaTensor *t, const LaminaFbTable *tt, GError **error)
{
  LaminaFbVector shape, signature;
  gboolean has_shape = lamina_fb_get_vector (tt, TENSOR_SHAPE, 4, &shape);
  gboolean has_signature = lamina_fb_get_vector (tt, TENSOR_SHAPE_SIGNATURE, 4, &signature);

  if (shape.len > MAX_RANK)
    return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT, "rank %u exceeds %d", shape.len, MAX_RANK);
  if (!lamina_fb_charge (&r->fb, shape.len + signature.len))
    return TRUE;  /* reported by the caller's check */
  /* An empty shape is a scalar, unless the file says the rank is unknown
   * (has_rank false) and nothing else (data, signature) pins it down. A
   * constant without a shape vector is a scalar too (converters omit it). */
  if ((has_shape && (shape.len > 0 || has_signature ||
                     lamina_fb_get_int (tt, TENSOR_HAS_RANK, LAMINA_FB_BOOL, 0))) || t->data != NULL)
    lamina_shape_set_rank (&t->shape, (int) shape.len);
  for (guint32 i = 0; i < shape.len; i++)
    {
      gint64 d = lamina_fb_vector_int (&shape, i, LAMINA_FB_INT32);
      /* shape_signature marks dynamic dimensions with -1 */
      if (signature.len == shape.len && lamina_fb_vector_int (&signature, i, LAMINA_FB_INT32) < 0)
        d = -1;
      t->shape.dims[i].value = d < 0 ? -1 : d;
    }
  return TRUE;
}

static gboolean
read_quant (Reader *r, LaminaTensor *t, const LaminaFbTable *qt, GError **error)
{
  LaminaFbVector scale, zero_point, min, max;
  gint64 axis;
  LaminaQuant *q;

  if (lamina_fb_get_int (qt, QUANT_DETAILS_TYPE, LAMINA_FB_UINT8, 0) != 0)
    {
      g_free (t->doc);
      t->doc = g_strdup ("custom quantization (details not shown)");
      return TRUE;
    }
  lamina_fb_get_vector (qt, QUANT_SCALE, 4, &scale);
  lamina_fb_get_vector (qt, QUANT_ZERO_POINT, 8, &zero_point);
  lamina_fb_get_vector (qt, QUANT_MIN, 4, &min);
  lamina_fb_get_vector (qt, QUANT_MAX, 4, &max);
  axis = lamina_fb_get_int (qt, QUANT_QUANTIZED_DIMENSION, LAMINA_FB_INT32, 0);
  if (scale.len == 0 || !lamina_fb_charge (&r->fb, 4 * (guint64) scale.len))
    return TRUE;
  if (zero_point.len != 0 && zero_point.len != scale.len)
    return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                 "quantization has %u scales but %u zero points", scale.len, zero_point.len);
  if (scale.len > 1)
    {
      if (axis < 0 || axis >= t->shape.rank)
        return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                     "per-axis quantization on dimension %" G_GINT64_FORMAT " of a rank-%d tensor",
                     axis, t->shape.rank);
      if (t->shape.dims[axis].value >= 0 && t->shape.dims[axis].value != scale.len)
        return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                     "%u quantization scales for dimension %" G_GINT64_FORMAT " of size %" G_GINT64_FORMAT,
                     scale.len, axis, t->shape.dims[axis].value);
    }
  q = lamina_quant_new (scale.len > 1 ? (int) axis : -1, scale.len);
  for (guint32 i = 0; i < scale.len; i++)
    {
      q->scale[i] = (float) lamina_fb_vector_float (&scale, i, LAMINA_FB_FLOAT32);
      q->zero_point[i] = zero_point.len ? lamina_fb_vector_int (&zero_point, i, LAMINA_FB_INT64) : 0;
    }
  /* min/max are optional records of the calibration range */
  if (min.len == scale.len && max.len == scale.len)
    {
      q->min = g_new (float, scale.len);
      q->max = g_new (float, scale.len);
      for (guint32 i = 0; i < scale.len; i++)
        {
          q->min[i] = (float) lamina_fb_vector_float (&min, i, LAMINA_FB_FLOAT32);
          q->max[i] = (float) lamina_fb_vector_float (&max, i, LAMINA_FB_FLOAT32);
        }
    }
  t->quant = q;
  return TRUE;
}

/* A constant STRING tensor: int32 count, count + 1 int32 offsets from the
 * start of the buffer, then the bytes. */
static gboolean
read_strings (Reader *r, LaminaTensor *t, GError **error)
{
  gsize size;
  const guint8 *p = g_bytes_get_data (t->data, &size);
  guint32 count;

  if (size < 4)
    return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                 "string tensor data of %" G_GSIZE_FORMAT " bytes", size);
  memcpy (&count, p, 4);
  count = GUINT32_FROM_LE (count);
  if (((guint64) count + 2) * 4 > size || !lamina_fb_charge (&r->fb, count))
    return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                 "%u strings do not fit in %" G_GSIZE_FORMAT " bytes", count, size);
  t->strings = g_new0 (char *, (gsize) count + 1);
  for (guint32 i = 0; i < count; i++)
    {
      guint32 start, end;
      memcpy (&start, p + 4 + 4 * (gsize) i, 4);
      memcpy (&end, p + 8 + 4 * (gsize) i, 4);
      start = GUINT32_FROM_LE (start);
      end = GUINT32_FROM_LE (end);
      if (start > end || end > size)
        return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT, "string %u lies outside the tensor data", i);
      t->strings[i] = g_utf8_make_valid ((const char *) p + start, end - start);
    }
  return TRUE;
}

/* The IR promises consumers data that matches dtype × shape. */
static gboolean
check_data_size (Reader *r, LaminaTensor *t, GError **error)
{
  gint64 numel = lamina_shape_numel (&t->shape);
  gsize have = g_bytes_get_size (t->data);
  guint64 want;
  g_autofree char *shape = NULL;

  if (t->dtype == LAMINA_DTYPE_STRING)
    return read_strings (r, t, error);
  if (!lamina_shape_is_static (&t->shape) || lamina_dtype_size (t->dtype) == 0)
    return TRUE;
  shape = lamina_shape_to_string (&t->shape);
  /* numel is -1 when the product of the dimensions overflows */
  if (numel < 0 || (guint64) numel > G_MAXUINT64 / 16)
    return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT, "constant of shape %s is too large", shape);
  if (t->dtype == LAMINA_DTYPE_INT4)
    want = ((guint64) numel + 1) / 2;
  else
    want = (guint64) numel * lamina_dtype_size (t->dtype);
  if (want == have)
    return TRUE;
  return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
               "buffer holds %" G_GSIZE_FORMAT " bytes, %s %s needs %" G_GUINT64_FORMAT,
               have, lamina_dtype_name (t->dtype), shape, want);
}

/* Points the tensor at its buffer's bytes (no copy). */
static gboolean
read_tensor_data (Reader *r, LaminaTensor *t, const LaminaFbTable *tt, GError **error)
{
  guint64 index = (guint64) lamina_fb_get_int (tt, TENSOR_BUFFER, LAMINA_FB_UINT32, 0);
  gsize pos, len;

  /* buffer 0 is the empty sentinel, and files without buffers use 0 too */
  if (index == 0 && r->buffers.len == 0)
    return TRUE;
  if (!buffer_range (r, index, &pos, &len, error))
    return FALSE;
  if (len > 0)
    {
      t->data = g_bytes_new_from_bytes (r->model->file_data, pos, len);
      t->is_constant = TRUE;
    }
  return TRUE;
}

static gboolean
read_tensor (Reader *r, LaminaGraph *g, const LaminaFbTable *tt, guint32 index, GError **error)
{
  g_autofree char *name = get_string (r, tt, TENSOR_NAME);
  gint64 type = lamina_fb_get_int (tt, TENSOR_TYPE, LAMINA_FB_INT8, 0);
  gboolean known, sparse = lamina_fb_has_field (tt, TENSOR_SPARSITY);
  LaminaFbTable qt;
  LaminaTensor *t;

  if (name == NULL || name[0] == '\0')
    {
      g_free (name);
      name = g_strdup_printf ("tensor_%u", index);
    }
  t = add_tensor (r, g, name);
  g_ptr_array_add (r->tensors, t);
  t->dtype = lamina_tflite_dtype (type, &known);
  if (!known)
    t->doc = g_strdup_printf ("TFLite type %s",
                              lamina_tflite_type_name (type) ? lamina_tflite_type_name (type) : "unknown");
  if (sparse)
    {
      g_free (t->doc);
      t->doc = g_strdup ("sparse tensor: its data holds the non-zero blocks only");
    }
  t->is_variable = lamina_fb_get_int (tt, TENSOR_IS_VARIABLE, LAMINA_FB_BOOL, 0) != 0;
  if (!read_tensor_data (r, t, tt, error) || !read_shape (r, t, tt, error))
    return FALSE;
  /* sparse tensors store only their non-zero blocks */
  if (t->data != NULL && !sparse && !check_data_size (r, t, error))
    return FALSE;
  if (lamina_fb_get_table (tt, TENSOR_QUANTIZATION, &qt) && !read_quant (r, t, &qt, error))
    return FALSE;
  return check_fb (r, error);
}

/* ---- operators --------------------------------------------------------- */

static const char *
enum_name (const char *const *names, gint64 value)
{
  for (gint64 i = 0; names[i] != NULL; i++)
    if (i == value)
      return names[i];
  return NULL;
}

static void
add_option (Reader *r, LaminaNode *node, const LaminaTfliteOptField *f, const LaminaFbTable *t)
{
  LaminaFbVector v;
  LaminaAttr *a;
  gint64 value;

  if (f->only_if_set && !lamina_fb_has_field (t, f->id))
    return;
  switch (f->kind)
    {
    case LAMINA_TFLITE_OPT_INT:
    case LAMINA_TFLITE_OPT_BOOL:
      a = lamina_node_add_attr (node, f->name, LAMINA_ATTR_INT);
      a->i = lamina_fb_get_int (t, f->id, f->scalar, f->def);
      break;
    case LAMINA_TFLITE_OPT_FLOAT:
      a = lamina_node_add_attr (node, f->name, LAMINA_ATTR_FLOAT);
      a->f = lamina_fb_get_float (t, f->id, f->scalar, (double) f->def);
      break;
    case LAMINA_TFLITE_OPT_ENUM:
      value = lamina_fb_get_int (t, f->id, f->scalar, f->def);
      a = lamina_node_add_attr (node, f->name, LAMINA_ATTR_STRING);
      a->s = enum_name (f->enum_names, value) ? g_strdup (enum_name (f->enum_names, value))
                                              : g_strdup_printf ("%" G_GINT64_FORMAT, value);
      break;
    case LAMINA_TFLITE_OPT_STRING:
      a = lamina_node_add_attr (node, f->name, LAMINA_ATTR_STRING);
      a->s = get_string (r, t, f->id);
      break;
    case LAMINA_TFLITE_OPT_INTS:
    case LAMINA_TFLITE_OPT_FLOATS:
    default:
      lamina_fb_get_vector (t, f->id, lamina_fb_scalar_size (f->scalar), &v);
      if (!lamina_fb_charge (&r->fb, v.len))
        return;
      a = lamina_node_add_attr (node, f->name, f->kind == LAMINA_TFLITE_OPT_INTS ? LAMINA_ATTR_INTS
                                                                                : LAMINA_ATTR_FLOATS);
      a->n = v.len;
      if (f->kind == LAMINA_TFLITE_OPT_INTS)
        a->ints = g_new0 (gint64, MAX (v.len, 1));
      else
        a->floats = g_new0 (double, MAX (v.len, 1));
      for (guint32 i = 0; i < v.len; i++)
        if (a->ints)
          a->ints[i] = lamina_fb_vector_int (&v, i, f->scalar);
        else
          a->floats[i] = lamina_fb_vector_float (&v, i, f->scalar);
      break;
    }
}

static void
add_options (Reader *r, LaminaNode *node, const LaminaTfliteOptTable *desc, const LaminaFbTable *t)
{
  for (guint i = 0; desc != NULL && i < desc->n_fields; i++)
    add_option (r, node, &desc->fields[i], t);
}

/* Custom options: a short hex preview always, and the keys when they are
 * a FlexBuffer map (the usual encoding). */
static void
add_custom_options (Reader *r, LaminaNode *node, const guint8 *data, gsize len, gint64 format)
{
  LaminaAttr *a = lamina_node_add_attr (node, "custom_options", LAMINA_ATTR_STRING);
  GString *s = g_string_new (NULL);
  guint first = node->attrs->len;
  guint64 cost = 0;

  g_string_append_printf (s, "%" G_GSIZE_FORMAT " bytes:", len);
  for (gsize i = 0; i < MIN (len, CUSTOM_PREVIEW); i++)
    g_string_append_printf (s, " %02x", data[i]);
  if (len > CUSTOM_PREVIEW)
    g_string_append (s, " …");
  a->s = g_string_free (s, FALSE);
  if (format != LAMINA_TFLITE_CUSTOM_OPTIONS_FLEXBUFFERS ||
      !lamina_flexbuf_map_to_attrs (data, len, node))
    return;
  /* operators may share one options blob: count what was copied out */
  for (guint i = first; i < node->attrs->len; i++)
    {
      LaminaAttr *fa = g_ptr_array_index (node->attrs, i);
      cost += 1 + fa->n + (fa->s ? strlen (fa->s) / 8 : 0);
    }
  lamina_fb_charge (&r->fb, cost);
}

static gboolean
read_custom_options (Reader *r, LaminaNode *node, const LaminaFbTable *ot, GError **error)
{
  LaminaFbVector v;
  gint64 format = lamina_fb_get_int (ot, OP_CUSTOM_OPTIONS_FORMAT, LAMINA_FB_INT8, 0);
  gint64 offset = lamina_fb_get_int (ot, OP_LARGE_CUSTOM_OPTIONS_OFFSET, LAMINA_FB_UINT64, 0);
  gint64 size = lamina_fb_get_int (ot, OP_LARGE_CUSTOM_OPTIONS_SIZE, LAMINA_FB_UINT64, 0);

  if (lamina_fb_get_vector (ot, OP_CUSTOM_OPTIONS, 1, &v) && v.len > 0)
    add_custom_options (r, node, r->fb.data + lamina_fb_vector_offset (&v), v.len, format);
  else if (offset > 1)
    {
      /* models over 2 GB keep custom options after the flatbuffer */
      if ((guint64) offset > r->fb.size || (guint64) size > r->fb.size - (guint64) offset)
        return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                     "custom options (%" G_GINT64_FORMAT " bytes at offset %" G_GINT64_FORMAT
                     ") run past the end of the file", size, offset);
      add_custom_options (r, node, r->fb.data + offset, (gsize) size, format);
    }
  return TRUE;
}

/* Operator inputs/outputs are tensor indices; -1 marks an omitted optional. */
static gboolean
read_links (Reader *r, LaminaNode *node, const LaminaFbTable *ot, guint id, GError **error)
{
  LaminaFbVector v;
  const char *what = id == OP_INPUTS ? "input" : "output";

  lamina_fb_get_vector (ot, id, 4, &v);
  if (!lamina_fb_charge (&r->fb, v.len))
    return TRUE;
  for (guint32 i = 0; i < v.len; i++)
    {
      gint64 k = lamina_fb_vector_int (&v, i, LAMINA_FB_INT32);
      LaminaTensor *t = NULL;
      if (k >= (gint64) r->tensors->len || k < -1)
        return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                     "%s index %" G_GINT64_FORMAT " out of range (%u tensors)",
                     what, k, r->tensors->len);
      if (k >= 0)
        t = g_ptr_array_index (r->tensors, k);
      if (id == OP_INPUTS)
        lamina_node_add_input (node, t);
      else
        lamina_node_add_output (node, t);
    }
  return TRUE;
}

static gboolean
read_operator (Reader *r, LaminaGraph *g, const LaminaFbTable *ot, guint32 index, GError **error)
{
  guint64 opcode = (guint64) lamina_fb_get_int (ot, OP_OPCODE_INDEX, LAMINA_FB_UINT32, 0);
  const OpCode *oc;
  LaminaNode *node;
  LaminaFbTable options;
  guint type;

  if (opcode >= r->opcodes->len)
    return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                 "operator code index %" G_GUINT64_FORMAT " out of range (%u codes)",
                 opcode, r->opcodes->len);
  oc = &g_array_index (r->opcodes, OpCode, opcode);
  node = lamina_graph_add_node (g, NULL, oc->op_type, "");
  node->is_custom = oc->is_custom;
  if (!read_links (r, node, ot, OP_INPUTS, error) ||
      !read_links (r, node, ot, OP_OUTPUTS, error))
    return FALSE;
  /* TFLite operators have no names: use the first output's, as it is what
   * people search for */
  for (guint i = 0; i < node->outputs->len && node->name[0] == '\0'; i++)
    if (g_ptr_array_index (node->outputs, i) != NULL)
      {
        g_free (node->name);
        node->name = g_strdup (((LaminaTensor *) g_ptr_array_index (node->outputs, i))->name);
      }
  type = lamina_fb_get_union (ot, OP_BUILTIN_OPTIONS_TYPE, &options);
  add_options (r, node, lamina_tflite_builtin_options (type), &options);
  type = lamina_fb_get_union (ot, OP_BUILTIN_OPTIONS_2_TYPE, &options);
  add_options (r, node, lamina_tflite_builtin_options2 (type), &options);
  return read_custom_options (r, node, ot, error) && check_fb (r, error);
}

/* ---- subgraphs --------------------------------------------------------- */

static gboolean
read_io (Reader *r, LaminaGraph *g, const LaminaFbTable *st, guint id, GError **error)
{
  LaminaFbVector v;
  GPtrArray *list = id == SUBGRAPH_INPUTS ? g->inputs : g->outputs;

  lamina_fb_get_vector (st, id, 4, &v);
  if (!lamina_fb_charge (&r->fb, v.len))
    return TRUE;
  for (guint32 i = 0; i < v.len; i++)
    {
      gint64 k = lamina_fb_vector_int (&v, i, LAMINA_FB_INT32);
      LaminaTensor *t;
      if (k < 0 || k >= (gint64) r->tensors->len)
        return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT,
                     "graph %s %u: tensor index %" G_GINT64_FORMAT " out of range (%u tensors)",
                     id == SUBGRAPH_INPUTS ? "input" : "output", i, k, r->tensors->len);
      t = g_ptr_array_index (r->tensors, k);
      /* the IR lists only non-constant tensors as graph inputs */
      if (id == SUBGRAPH_OUTPUTS || !t->is_constant)
        g_ptr_array_add (list, t);
    }
  return TRUE;
}

static gboolean
read_subgraph_body (Reader *r, LaminaGraph *g, const LaminaFbTable *st, GError **error)
{
  LaminaFbVector tensors, operators;

  lamina_fb_get_vector (st, SUBGRAPH_TENSORS, 4, &tensors);
  lamina_fb_get_vector (st, SUBGRAPH_OPERATORS, 4, &operators);
  if (!check_fb (r, error))
    return FALSE;
  for (guint32 i = 0; i < tensors.len; i++)
    {
      LaminaFbTable tt;
      lamina_fb_vector_table (&tensors, i, &tt);
      if (!read_tensor (r, g, &tt, i, error))
        {
          if (r->tensors->len > i)
            g_prefix_error (error, "tensor %u “%s”: ", i,
                            ((LaminaTensor *) g_ptr_array_index (r->tensors, i))->name);
          else
            g_prefix_error (error, "tensor %u: ", i);
          return FALSE;
        }
    }
  if (!read_io (r, g, st, SUBGRAPH_INPUTS, error) || !read_io (r, g, st, SUBGRAPH_OUTPUTS, error) ||
      !check_fb (r, error))
    return FALSE;
  for (guint32 i = 0; i < operators.len; i++)
    {
      LaminaFbTable ot;
      lamina_fb_vector_table (&operators, i, &ot);
      if (!read_operator (r, g, &ot, i, error))
        {
          if (g->nodes->len > i)
            g_prefix_error (error, "operator %u (%s): ", i,
                            ((LaminaNode *) g_ptr_array_index (g->nodes, i))->op_type);
          else
            g_prefix_error (error, "operator %u: ", i);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_subgraph (Reader *r, const LaminaFbVector *subgraphs, guint32 sg, GError **error)
{
  LaminaFbTable st;
  g_autofree char *name = NULL;
  g_autoptr(GError) local = NULL;
  LaminaGraph *g;

  lamina_fb_vector_table (subgraphs, sg, &st);
  name = get_string (r, &st, SUBGRAPH_NAME);
  if (name == NULL || name[0] == '\0')
    {
      g_free (name);
      name = sg == 0 ? g_strdup ("main") : g_strdup_printf ("subgraph %u", sg);
    }
  g = lamina_graph_new (name);
  g_ptr_array_add (r->model->graphs, g);
  g_ptr_array_set_size (r->tensors, 0);
  g_hash_table_remove_all (r->suffixes);
  if (!check_fb (r, error) || !read_subgraph_body (r, g, &st, error))
    {
      g_prefix_error (error, "subgraph %u: ", sg);
      return FALSE;
    }
  if (!lamina_graph_link (g, &local))
    return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT, "subgraph %u: %s", sg, local->message);
  return TRUE;
}

/* ---- model metadata ---------------------------------------------------- */

/* Text when the bytes are printable (trailing NULs dropped), otherwise the
 * size and, for nested flatbuffers, their 4-letter identifier. */
static char *
describe_bytes (const guint8 *p, gsize len)
{
  gsize n = len;

  while (n > 0 && p[n - 1] == '\0')
    n--;
  if (n > 0 && n <= 256 && g_utf8_validate ((const char *) p, (gssize) n, NULL) &&
      memchr (p, '\0', n) == NULL)
    return g_strndup ((const char *) p, n);
  if (len >= 8 && g_ascii_isalnum (p[4]) && g_ascii_isalnum (p[5]) &&
      g_ascii_isalnum (p[6]) && g_ascii_isalnum (p[7]))
    return g_strdup_printf ("%" G_GSIZE_FORMAT " bytes (%.4s)", len, (const char *) p + 4);
  return g_strdup_printf ("%" G_GSIZE_FORMAT " bytes", len);
}

static gboolean
add_metadata (Reader *r, char *key, guint64 buffer, GError **error)
{
  LaminaMetadata md = { key, NULL };
  gsize pos, len;

  if (!buffer_range (r, buffer, &pos, &len, error))
    {
      g_free (key);
      return FALSE;
    }
  md.value = describe_bytes (r->fb.data + pos, len);
  g_array_append_val (r->model->metadata, md);
  /* entries may share one buffer: count the text copied out */
  lamina_fb_charge (&r->fb, 1 + strlen (md.value) / 8);
  return TRUE;
}

static char *
describe_signature (Reader *r, const LaminaFbTable *st)
{
  GString *s = g_string_new (NULL);

  for (guint id = SIGNATURE_INPUTS; id <= SIGNATURE_OUTPUTS; id++)
    {
      LaminaFbVector v;
      lamina_fb_get_vector (st, id, 4, &v);
      g_string_append (s, id == SIGNATURE_INPUTS ? "inputs:" : "; outputs:");
      if (!lamina_fb_charge (&r->fb, v.len))
        break;
      for (guint32 i = 0; i < v.len; i++)
        {
          LaminaFbTable mt;
          g_autofree char *name = NULL;
          lamina_fb_vector_table (&v, i, &mt);
          name = get_string (r, &mt, TENSORMAP_NAME);
          g_string_append_printf (s, "%s %s", i ? "," : "", name ? name : "?");
        }
    }
  g_string_append_printf (s, " (subgraph %" G_GINT64_FORMAT ")",
                          lamina_fb_get_int (st, SIGNATURE_SUBGRAPH_INDEX, LAMINA_FB_UINT32, 0));
  return g_string_free (s, FALSE);
}

static gboolean
read_metadata (Reader *r, const LaminaFbTable *root, GError **error)
{
  LaminaFbVector metadata, old;

  lamina_fb_get_vector (root, MODEL_METADATA, 4, &metadata);
  for (guint32 i = 0; i < metadata.len; i++)
    {
      LaminaFbTable mt;
      char *name;
      lamina_fb_vector_table (&metadata, i, &mt);
      name = get_string (r, &mt, METADATA_NAME);
      if (!add_metadata (r, name ? name : g_strdup_printf ("metadata %u", i),
                         (guint64) lamina_fb_get_int (&mt, METADATA_BUFFER, LAMINA_FB_UINT32, 0), error))
        {
          g_prefix_error (error, "metadata %u: ", i);
          return FALSE;
        }
    }
  /* the deprecated list of buffer indices some converters still write */
  lamina_fb_get_vector (root, MODEL_METADATA_BUFFER, 4, &old);
  for (guint32 i = 0; i < old.len; i++)
    {
      gint64 b = lamina_fb_vector_int (&old, i, LAMINA_FB_INT32);
      if (b < 0)
        return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT, "metadata buffer index %" G_GINT64_FORMAT, b);
      if (!add_metadata (r, g_strdup_printf ("buffer %" G_GINT64_FORMAT, b), (guint64) b, error))
        return FALSE;
    }
  return check_fb (r, error);
}

static void
read_signatures (Reader *r, const LaminaFbTable *root)
{
  LaminaFbVector signatures;

  lamina_fb_get_vector (root, MODEL_SIGNATURE_DEFS, 4, &signatures);
  for (guint32 i = 0; i < signatures.len; i++)
    {
      LaminaFbTable st;
      g_autofree char *key = NULL;
      LaminaMetadata md;
      lamina_fb_vector_table (&signatures, i, &st);
      key = get_string (r, &st, SIGNATURE_KEY);
      md.key = g_strdup_printf ("signature %s", key ? key : "?");
      md.value = describe_signature (r, &st);
      g_array_append_val (r->model->metadata, md);
    }
}

static void
set_producer (LaminaModel *model)
{
  const char *runtime = NULL;

  for (guint i = 0; i < model->metadata->len; i++)
    {
      const LaminaMetadata *md = &g_array_index (model->metadata, LaminaMetadata, i);
      if (g_str_equal (md->key, "min_runtime_version"))
        runtime = md->value;
    }
  /* The description names the converter ("MLIR Converted.", "TOCO
   * Converted."); the runtime version says which TFLite it targets. */
  if (model->description && runtime)
    model->producer = g_strdup_printf ("%s (min. runtime %s)", model->description, runtime);
  else if (runtime)
    model->producer = g_strdup_printf ("TFLite runtime %s", runtime);
  else
    model->producer = g_strdup (model->description);
}

/* ---- entry points ------------------------------------------------------ */

gboolean
lamina_tflite_sniff (const guint8 *data, gsize size)
{
  return data != NULL && size >= 8 && memcmp (data + 4, "TFL3", 4) == 0;
}

static gboolean
read_model (Reader *r, GError **error)
{
  LaminaFbTable root;
  LaminaFbVector subgraphs;
  gint64 version;

  lamina_fb_root (&r->fb, &root);
  if (!check_fb (r, error))
    return FALSE;
  version = lamina_fb_get_int (&root, MODEL_VERSION, LAMINA_FB_UINT32, 0);
  /* versions 0-2 kept tensor data elsewhere; the runtime reads only 3 */
  if (version != 3)
    return fail (r, error, LAMINA_LOAD_ERROR_UNSUPPORTED,
                 "TFLite schema version %" G_GINT64_FORMAT " is not supported (only version 3)", version);
  r->model->format_version = g_strdup_printf ("TFLite v%" G_GINT64_FORMAT, version);
  r->model->description = get_string (r, &root, MODEL_DESCRIPTION);
  lamina_fb_get_vector (&root, MODEL_BUFFERS, 4, &r->buffers);
  lamina_fb_get_vector (&root, MODEL_SUBGRAPHS, 4, &subgraphs);
  if (!check_fb (r, error) || !read_opcodes (r, &root, error))
    return FALSE;
  if (subgraphs.len == 0)
    return fail (r, error, LAMINA_LOAD_ERROR_CORRUPT, "the model has no subgraphs");
  for (guint32 i = 0; i < subgraphs.len; i++)
    if (!read_subgraph (r, &subgraphs, i, error))
      return FALSE;
  r->model->graph = g_ptr_array_index (r->model->graphs, 0);
  if (!read_metadata (r, &root, error))
    return FALSE;
  read_signatures (r, &root);
  set_producer (r->model);
  return check_fb (r, error);
}

LaminaModel *
lamina_tflite_load (GBytes *bytes, const char *path, GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autofree char *base = g_path_get_basename (path ? path : "(memory)");
  g_autoptr(LaminaModel) model = lamina_model_new (LAMINA_FORMAT_TFLITE);
  Reader r = { .base = base, .model = model };
  gboolean ok;

  if (!lamina_tflite_sniff (data, size))
    {
      g_set_error (error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_UNKNOWN_FORMAT,
                   "%s: not a TFLite file (no “TFL3” identifier)", base);
      return NULL;
    }
  model->path = g_strdup (path);
  model->file_data = g_bytes_ref (bytes);
  lamina_fb_init (&r.fb, data, size);
  r.opcodes = g_array_new (FALSE, TRUE, sizeof (OpCode));
  g_array_set_clear_func (r.opcodes, opcode_clear);
  r.tensors = g_ptr_array_new ();
  r.suffixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ok = read_model (&r, error);
  if (!ok)
    g_prefix_error (error, "%s: ", base);
  lamina_fb_clear (&r.fb);
  g_array_unref (r.opcodes);
  g_ptr_array_unref (r.tensors);
  g_hash_table_unref (r.suffixes);
  return ok ? g_steal_pointer (&model) : NULL;
}
