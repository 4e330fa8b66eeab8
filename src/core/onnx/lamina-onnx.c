/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-onnx.c: ONNX ModelProto → Lamina IR.
 *
 * protobuf-c (code generated at build time from Debian's onnx.proto) checks
 * the wire format; this file checks everything the wire format cannot:
 * dtypes, data sizes against shapes, external data locations and sizes,
 * subgraph depth.
 *
 * Memory: protobuf-c copies raw_data into its own allocations while
 * unpacking. Rather than copy the weights a second time, the unpacked
 * message is kept alive for the model's lifetime (one GBytes owns it) and
 * each initializer's GBytes points into it, so peak memory stays near
 * file size + one copy of the weights.
 */
#define G_LOG_DOMAIN "lamina-onnx"

#include <string.h>
#include <gio/gio.h>
#include "lamina-onnx.h"
#include "onnx.pb-c.h"
#include "graph/lamina-shape-infer.h"

/* Deeper nesting of If/Loop/Scan bodies than this is refused as hostile. */
#define MAX_SUBGRAPH_DEPTH 32
#define MAX_RANK 64

typedef struct {
  const char *base;      /* file base name for messages */
  char       *folder;    /* folder of the model file, for external data */
  GBytes     *owner;     /* keeps the unpacked message alive */
  GError    **error;
} Loader;

static gboolean convert_graph (Loader *ld, const Onnx__GraphProto *gp, LaminaGraph *g, int depth);

static gboolean
fail (Loader *ld, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (Loader *ld, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  if (ld->error && *ld->error == NULL)
    g_set_error (ld->error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_CORRUPT, "%s: %s", ld->base, msg);
  return FALSE;
}

gboolean
lamina_onnx_sniff (const guint8 *data, gsize size)
{
  /* A ModelProto starts with one of its field tags: ir_version (1, varint),
   * producer_name..doc_string (2..6), graph (7), opset_import (8), all
   * length-delimited except 1 and 5 (model_version, varint). */
  static const guint8 tags[] = { 0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42 };

  if (size < 2)
    return FALSE;
  return memchr (tags, data[0], sizeof tags) != NULL;
}

/* ---- tensors ----------------------------------------------------------- */

static gboolean
set_dims (Loader *ld, LaminaTensor *t, size_t n, const int64_t *dims)
{
  if (n > MAX_RANK)
    return fail (ld, "tensor “%s” has rank %zu (at most %d supported)", t->name, n, MAX_RANK);
  for (size_t i = 0; i < n; i++)
    if (dims[i] < 0)
      return fail (ld, "tensor “%s” has a negative dimension %" G_GINT64_FORMAT, t->name, (gint64) dims[i]);
  lamina_shape_set (&t->shape, (int) n, (const gint64 *) dims);
  return TRUE;
}

/* Packs a typed repeated field into little-endian bytes of `dtype`. The
 * int32 field carries every type narrower than 32 bits (ONNX spec). */
static GBytes *
pack_typed (const Onnx__TensorProto *tp, LaminaDType dtype, gsize count)
{
  gsize esize = lamina_dtype_size (dtype);
  guint8 *buf = g_malloc0 (MAX (count * esize, 1));

  /* Every copy is capped at the element size: a hostile file may store
   * values in a field wider than its dtype (int64_data for an int8 tensor). */
  for (gsize i = 0; i < count; i++)
    {
      guint8 *dst = buf + i * esize;
      if (tp->n_float_data)
        memcpy (dst, &tp->float_data[i], MIN (esize, 4));
      else if (tp->n_double_data)
        memcpy (dst, &tp->double_data[i], MIN (esize, 8));
      else if (tp->n_int64_data)
        memcpy (dst, &tp->int64_data[i], MIN (esize, 8));
      else if (tp->n_uint64_data)
        memcpy (dst, &tp->uint64_data[i], MIN (esize, 8));
      else
        /* little-endian machine: the low bytes come first */
        memcpy (dst, &tp->int32_data[i], MIN (esize, 4));
    }
  return g_bytes_new_take (buf, count * esize);
}

static gsize
typed_count (const Onnx__TensorProto *tp)
{
  return tp->n_float_data + tp->n_double_data + tp->n_int64_data + tp->n_uint64_data + tp->n_int32_data;
}

static const char *
external_key (const Onnx__TensorProto *tp, const char *key)
{
  for (size_t i = 0; i < tp->n_external_data; i++)
    if (tp->external_data[i]->key && strcmp (tp->external_data[i]->key, key) == 0)
      return tp->external_data[i]->value;
  return NULL;
}

/* Reads external data, which must stay inside the model's folder. */
static GBytes *
load_external (Loader *ld, const Onnx__TensorProto *tp, const char *name, gsize expected)
{
  const char *location = external_key (tp, "location");
  const char *offset_s = external_key (tp, "offset");
  const char *length_s = external_key (tp, "length");
  guint64 offset = 0, length = expected;
  g_autofree char *path = NULL, *real = NULL, *real_folder = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GBytes) whole = NULL;

  if (location == NULL || location[0] == '\0')
    return fail (ld, "tensor “%s”: external data without a location", name), NULL;
  if (ld->folder == NULL)
    return fail (ld, "tensor “%s”: external data needs the model's folder", name), NULL;
  if (g_path_is_absolute (location) || strstr (location, "..") != NULL)
    return fail (ld, "tensor “%s”: external data location “%s” leaves the model's folder", name, location), NULL;
  if ((offset_s && !g_ascii_string_to_unsigned (offset_s, 10, 0, G_MAXINT64, &offset, NULL)) ||
      (length_s && !g_ascii_string_to_unsigned (length_s, 10, 0, G_MAXINT64, &length, NULL)))
    return fail (ld, "tensor “%s”: invalid external data offset or length", name), NULL;
  if (length != expected)
    return fail (ld, "tensor “%s”: external data length %" G_GUINT64_FORMAT " but the shape needs %zu bytes",
                 name, length, expected), NULL;

  path = g_build_filename (ld->folder, location, NULL);
  real = g_canonicalize_filename (path, NULL);
  real_folder = g_canonicalize_filename (ld->folder, NULL);
  /* symbolic links pointing out of the folder are refused too */
  {
    g_autoptr(GFile) f = g_file_new_for_path (path);
    g_autoptr(GFileInfo) info = g_file_query_info (f, G_FILE_ATTRIBUTE_STANDARD_IS_SYMLINK,
                                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
    if (info && g_file_info_get_is_symlink (info))
      return fail (ld, "tensor “%s”: external data “%s” is a symbolic link", name, location), NULL;
  }
  if (!g_str_has_prefix (real, real_folder))
    return fail (ld, "tensor “%s”: external data location “%s” leaves the model's folder", name, location), NULL;
  mapped = g_mapped_file_new (path, FALSE, &local);
  if (mapped == NULL)
    {
      fail (ld, "tensor “%s”: cannot read external data “%s”: %s", name, location, local->message);
      return NULL;
    }
  whole = g_mapped_file_get_bytes (mapped);
  if (offset > g_bytes_get_size (whole) || length > g_bytes_get_size (whole) - offset)
    return fail (ld, "tensor “%s”: external data “%s” is too short (%zu bytes, needs %" G_GUINT64_FORMAT ")",
                 name, location, g_bytes_get_size (whole), offset + length), NULL;
  return g_bytes_new_from_bytes (whole, offset, length);
}

static gboolean
load_strings (Loader *ld, const Onnx__TensorProto *tp, LaminaTensor *t, gint64 numel)
{
  if ((gint64) tp->n_string_data != numel)
    return fail (ld, "tensor “%s”: %zu strings for %" G_GINT64_FORMAT " elements", t->name, tp->n_string_data, numel);
  t->strings = g_new0 (char *, tp->n_string_data + 1);
  for (size_t i = 0; i < tp->n_string_data; i++)
    t->strings[i] = g_strndup ((const char *) tp->string_data[i].data, tp->string_data[i].len);
  return TRUE;
}

/* Fills t's dtype, shape and data from a TensorProto. */
static gboolean
convert_tensor (Loader *ld, const Onnx__TensorProto *tp, LaminaTensor *t)
{
  gint64 numel;
  gsize esize, expected, typed;

  t->dtype = lamina_dtype_from_onnx (tp->data_type);
  if (t->dtype == LAMINA_DTYPE_UNDEFINED)
    return fail (ld, "tensor “%s” has unknown data type %d", t->name, tp->data_type);
  if (!set_dims (ld, t, tp->n_dims, tp->dims))
    return FALSE;
  t->is_constant = TRUE;
  if (tp->segment)
    return fail (ld, "tensor “%s” is segmented, which Lamina does not read", t->name);
  numel = lamina_shape_numel (&t->shape);
  if (numel < 0)
    return fail (ld, "tensor “%s” has too many elements", t->name);
  if (t->dtype == LAMINA_DTYPE_STRING)
    return load_strings (ld, tp, t, numel);

  esize = lamina_dtype_size (t->dtype);
  if (t->dtype == LAMINA_DTYPE_INT4 || t->dtype == LAMINA_DTYPE_UINT4)
    expected = ((gsize) numel + 1) / 2;
  else if ((guint64) numel > G_MAXSIZE / esize)
    return fail (ld, "tensor “%s” is too large", t->name);
  else
    expected = (gsize) numel * esize;

  typed = typed_count (tp);
  if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
    t->data = load_external (ld, tp, t->name, expected);
  else if (tp->has_raw_data)
    {
      if (tp->raw_data.len != expected)
        return fail (ld, "tensor “%s”: raw data has %zu bytes, its shape needs %zu",
                     t->name, tp->raw_data.len, expected);
      t->data = g_bytes_new_with_free_func (tp->raw_data.data, tp->raw_data.len,
                                            (GDestroyNotify) g_bytes_unref, g_bytes_ref (ld->owner));
    }
  else if (typed > 0 || numel == 0)
    {
      if (typed != (gsize) numel || esize == 0 || t->dtype == LAMINA_DTYPE_INT4 || t->dtype == LAMINA_DTYPE_UINT4)
        return fail (ld, "tensor “%s”: %zu values for %" G_GINT64_FORMAT " elements", t->name, typed, numel);
      t->data = pack_typed (tp, t->dtype, typed);
    }
  else
    return fail (ld, "tensor “%s” has no data", t->name);
  return t->data != NULL;
}

/* ---- value info (declared types and shapes) ---------------------------- */

static gboolean
apply_value_info (Loader *ld, const Onnx__ValueInfoProto *vi, LaminaTensor *t)
{
  const Onnx__TypeProto__Tensor *tt;
  const Onnx__TensorShapeProto *sp;

  if (vi->doc_string && vi->doc_string[0] && t->doc == NULL)
    t->doc = g_strdup (vi->doc_string);
  if (vi->type == NULL || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
    return TRUE;  /* sequences, maps, optionals: shown without a shape */
  tt = vi->type->tensor_type;
  if (tt == NULL)
    return TRUE;
  if (t->dtype == LAMINA_DTYPE_UNDEFINED)
    t->dtype = lamina_dtype_from_onnx (tt->elem_type);
  sp = tt->shape;
  if (sp == NULL || t->is_constant)
    return TRUE;
  if (sp->n_dim > MAX_RANK)
    return fail (ld, "tensor “%s” has rank %zu (at most %d supported)", t->name, sp->n_dim, MAX_RANK);
  lamina_shape_set_rank (&t->shape, (int) sp->n_dim);
  for (size_t i = 0; i < sp->n_dim; i++)
    {
      const Onnx__TensorShapeProto__Dimension *d = sp->dim[i];
      if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && d->dim_value >= 0)
        t->shape.dims[i].value = d->dim_value;
      else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
        t->shape.dims[i].symbol = g_strdup (d->dim_param);
    }
  return TRUE;
}

/* ---- attributes -------------------------------------------------------- */

static char *
binary_to_string (const ProtobufCBinaryData *b)
{
  return g_strndup ((const char *) b->data, b->len);
}

static LaminaTensor *
convert_attr_tensor (Loader *ld, const Onnx__TensorProto *tp)
{
  LaminaTensor *t = lamina_tensor_new (tp->name);

  if (!convert_tensor (ld, tp, t))
    {
      lamina_tensor_free (t);
      return NULL;
    }
  return t;
}

static LaminaGraph *
convert_subgraph (Loader *ld, const Onnx__GraphProto *gp, LaminaGraph *parent, int depth)
{
  LaminaGraph *g = lamina_graph_new (gp->name);

  g->parent = parent;
  if (!convert_graph (ld, gp, g, depth + 1))
    {
      lamina_graph_free (g);
      return NULL;
    }
  return g;
}

static gboolean
convert_attr_lists (Loader *ld, const Onnx__AttributeProto *ap, LaminaAttr *a, LaminaGraph *g, int depth)
{
  /* The list read decides the type: a file may declare INTS and fill
   * `floats`, and readers trust that the list of the type is set. */
  a->type = ap->n_tensors ? LAMINA_ATTR_TENSORS : ap->n_graphs ? LAMINA_ATTR_GRAPHS
          : ap->n_strings ? LAMINA_ATTR_STRINGS : ap->n_floats ? LAMINA_ATTR_FLOATS
          : ap->n_ints ? LAMINA_ATTR_INTS : a->type;
  if (ap->n_tensors)
    {
      a->tensors = g_new0 (LaminaTensor *, ap->n_tensors);
      for (a->n = 0; a->n < ap->n_tensors; a->n++)
        if (!(a->tensors[a->n] = convert_attr_tensor (ld, ap->tensors[a->n])))
          return FALSE;
    }
  else if (ap->n_graphs)
    {
      a->graphs = g_new0 (LaminaGraph *, ap->n_graphs);
      for (a->n = 0; a->n < ap->n_graphs; a->n++)
        if (!(a->graphs[a->n] = convert_subgraph (ld, ap->graphs[a->n], g, depth)))
          return FALSE;
    }
  else if (ap->n_strings)
    {
      a->n = ap->n_strings;
      a->strings = g_new0 (char *, a->n + 1);
      for (guint i = 0; i < a->n; i++)
        a->strings[i] = binary_to_string (&ap->strings[i]);
    }
  else if (ap->n_floats)
    {
      a->n = ap->n_floats;
      a->floats = g_new (double, a->n);
      for (guint i = 0; i < a->n; i++)
        a->floats[i] = ap->floats[i];
    }
  else if (ap->n_ints)
    {
      a->n = ap->n_ints;
      a->ints = g_memdup2 (ap->ints, sizeof (gint64) * a->n);
    }
  return TRUE;
}

/* Attribute type from the declared type, or from the fields set (IR < 2
 * files may omit `type`). */
static LaminaAttrType
attr_type (const Onnx__AttributeProto *ap)
{
  static const LaminaAttrType by_onnx[] = {
    [ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT] = LAMINA_ATTR_FLOAT,
    [ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT] = LAMINA_ATTR_INT,
    [ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING] = LAMINA_ATTR_STRING,
    [ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR] = LAMINA_ATTR_TENSOR,
    [ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH] = LAMINA_ATTR_GRAPH,
    [ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS] = LAMINA_ATTR_FLOATS,
    [ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS] = LAMINA_ATTR_INTS,
    [ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS] = LAMINA_ATTR_STRINGS,
    [ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS] = LAMINA_ATTR_TENSORS,
    [ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS] = LAMINA_ATTR_GRAPHS,
  };

  if (ap->has_type && (guint) ap->type < G_N_ELEMENTS (by_onnx) && by_onnx[ap->type])
    return by_onnx[ap->type];
  if (ap->t) return LAMINA_ATTR_TENSOR;
  if (ap->g) return LAMINA_ATTR_GRAPH;
  if (ap->has_s) return LAMINA_ATTR_STRING;
  if (ap->has_f) return LAMINA_ATTR_FLOAT;
  if (ap->has_i) return LAMINA_ATTR_INT;
  if (ap->n_floats) return LAMINA_ATTR_FLOATS;
  if (ap->n_ints) return LAMINA_ATTR_INTS;
  if (ap->n_strings) return LAMINA_ATTR_STRINGS;
  if (ap->n_tensors) return LAMINA_ATTR_TENSORS;
  if (ap->n_graphs) return LAMINA_ATTR_GRAPHS;
  return LAMINA_ATTR_UNDEFINED;  /* sparse tensors, type protos: kept by name only */
}

static gboolean
convert_attr (Loader *ld, const Onnx__AttributeProto *ap, LaminaNode *n, int depth)
{
  LaminaAttr *a = lamina_node_add_attr (n, ap->name, attr_type (ap));

  if (ap->doc_string && ap->doc_string[0])
    a->doc = g_strdup (ap->doc_string);
  switch (a->type)
    {
    case LAMINA_ATTR_INT: a->i = ap->i; return TRUE;
    case LAMINA_ATTR_FLOAT: a->f = ap->f; return TRUE;
    case LAMINA_ATTR_STRING: a->s = binary_to_string (&ap->s); return TRUE;
    case LAMINA_ATTR_TENSOR:
      if (ap->t == NULL)
        return fail (ld, "node “%s”: attribute “%s” has no tensor", n->name, a->name);
      return (a->t = convert_attr_tensor (ld, ap->t)) != NULL;
    case LAMINA_ATTR_GRAPH:
      if (ap->g == NULL)
        return fail (ld, "node “%s”: attribute “%s” has no graph", n->name, a->name);
      return (a->g = convert_subgraph (ld, ap->g, n->graph, depth)) != NULL;
    case LAMINA_ATTR_UNDEFINED:
      return TRUE;
    default:
      return convert_attr_lists (ld, ap, a, n->graph, depth);
    }
}

/* ---- graph ------------------------------------------------------------- */

/* Subgraph bodies may read tensors of enclosing graphs by name; they get a
 * tensor of their own with the same name (no producer in the subgraph), so
 * each graph stays self-contained for layout and the simulator. */
static LaminaTensor *
tensor_for_name (LaminaGraph *g, const char *name)
{
  if (name == NULL || name[0] == '\0')
    return NULL;  /* an omitted optional input or output */
  return lamina_graph_ensure_tensor (g, name);
}

/* A Constant node's output is a constant: give it the value so the layout
 * can fold it into its consumers and later stages can read it. */
static gboolean
fold_constant_output (Loader *ld, LaminaNode *n)
{
  LaminaTensor *out;
  const LaminaAttr *value;

  if (strcmp (n->op_type, "Constant") != 0 || n->domain[0] != '\0' || n->outputs->len != 1)
    return TRUE;
  out = g_ptr_array_index (n->outputs, 0);
  value = lamina_node_get_attr (n, "value");
  if (out == NULL || value == NULL || value->type != LAMINA_ATTR_TENSOR || value->t == NULL)
    return TRUE;  /* value_float / value_ints ...: kept as attributes */
  out->dtype = value->t->dtype;
  lamina_shape_copy (&out->shape, &value->t->shape);
  out->data = value->t->data ? g_bytes_ref (value->t->data) : NULL;
  out->strings = g_strdupv (value->t->strings);
  out->is_constant = TRUE;
  return TRUE;
}

static gboolean
convert_node (Loader *ld, const Onnx__NodeProto *np, LaminaGraph *g, int depth)
{
  LaminaNode *n = lamina_graph_add_node (g, np->name, np->op_type, np->domain);

  if (np->op_type == NULL || np->op_type[0] == '\0')
    return fail (ld, "node %u (“%s”) has no operator type", n->index, n->name);
  if (np->doc_string && np->doc_string[0])
    n->doc = g_strdup (np->doc_string);
  n->is_custom = n->domain[0] != '\0' && strcmp (n->domain, "ai.onnx") != 0 &&
                 strcmp (n->domain, "ai.onnx.ml") != 0;
  for (size_t i = 0; i < np->n_input; i++)
    lamina_node_add_input (n, tensor_for_name (g, np->input[i]));
  for (size_t i = 0; i < np->n_output; i++)
    lamina_node_add_output (n, tensor_for_name (g, np->output[i]));
  for (size_t i = 0; i < np->n_attribute; i++)
    if (!convert_attr (ld, np->attribute[i], n, depth))
      return FALSE;
  return fold_constant_output (ld, n);
}

static gboolean
convert_graph (Loader *ld, const Onnx__GraphProto *gp, LaminaGraph *g, int depth)
{
  g_autoptr(GError) link_error = NULL;

  if (depth > MAX_SUBGRAPH_DEPTH)
    return fail (ld, "subgraphs nested deeper than %d levels", MAX_SUBGRAPH_DEPTH);
  if (gp->doc_string && gp->doc_string[0])
    g->doc = g_strdup (gp->doc_string);
  for (size_t i = 0; i < gp->n_initializer; i++)
    {
      const Onnx__TensorProto *tp = gp->initializer[i];
      LaminaTensor *t = lamina_graph_ensure_tensor (g, tp->name ? tp->name : "");
      if (t->is_constant)
        return fail (ld, "initializer “%s” appears twice", t->name);
      if (!convert_tensor (ld, tp, t))
        return FALSE;
    }
  /* Initializers also listed as inputs (an old exporter habit) are constants. */
  for (size_t i = 0; i < gp->n_input; i++)
    {
      LaminaTensor *t = lamina_graph_ensure_tensor (g, gp->input[i]->name ? gp->input[i]->name : "");
      if (!apply_value_info (ld, gp->input[i], t))
        return FALSE;
      if (!t->is_constant)
        g_ptr_array_add (g->inputs, t);
    }
  for (size_t i = 0; i < gp->n_value_info; i++)
    if (!apply_value_info (ld, gp->value_info[i],
                           lamina_graph_ensure_tensor (g, gp->value_info[i]->name ? gp->value_info[i]->name : "")))
      return FALSE;
  for (size_t i = 0; i < gp->n_node; i++)
    if (!convert_node (ld, gp->node[i], g, depth))
      return FALSE;
  for (size_t i = 0; i < gp->n_output; i++)
    {
      LaminaTensor *t = lamina_graph_ensure_tensor (g, gp->output[i]->name ? gp->output[i]->name : "");
      if (!apply_value_info (ld, gp->output[i], t))
        return FALSE;
      g_ptr_array_add (g->outputs, t);
    }
  if (!lamina_graph_link (g, &link_error))
    return fail (ld, "graph “%s”: %s", g->name, link_error->message);
  lamina_graph_attach_qdq_params (g);
  return TRUE;
}

/* ---- model ------------------------------------------------------------- */

static void
convert_model_info (const Onnx__ModelProto *mp, LaminaModel *model)
{
  model->format_version = g_strdup_printf ("IR v%" G_GINT64_FORMAT, (gint64) mp->ir_version);
  if (mp->producer_name && mp->producer_name[0])
    model->producer = g_strstrip (g_strdup_printf ("%s %s", mp->producer_name,
                                                   mp->producer_version ? mp->producer_version : ""));
  if (mp->doc_string && mp->doc_string[0])
    model->description = g_strdup (mp->doc_string);
  for (size_t i = 0; i < mp->n_opset_import; i++)
    {
      LaminaOpset o = { g_strdup (mp->opset_import[i]->domain ? mp->opset_import[i]->domain : ""),
                        mp->opset_import[i]->version };
      g_array_append_val (model->opsets, o);
    }
  for (size_t i = 0; i < mp->n_metadata_props; i++)
    {
      LaminaMetadata m = { g_strdup (mp->metadata_props[i]->key ? mp->metadata_props[i]->key : ""),
                           g_strdup (mp->metadata_props[i]->value ? mp->metadata_props[i]->value : "") };
      g_array_append_val (model->metadata, m);
    }
}

/* GDestroyNotify for an unpacked ModelProto or TensorProto. */
static void
free_message (gpointer message)
{
  protobuf_c_message_free_unpacked (message, NULL);
}

LaminaModel *
lamina_onnx_load (GBytes *bytes, const char *path, GError **error)
{
  g_autofree char *base = g_path_get_basename (path ? path : "(memory)");
  Loader ld = { base, path ? g_path_get_dirname (path) : NULL, NULL, error };
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  Onnx__ModelProto *mp = onnx__model_proto__unpack (NULL, size, data);
  g_autoptr(LaminaModel) model = NULL;
  LaminaGraph *g;
  gboolean ok;

  if (mp == NULL)
    {
      g_free (ld.folder);
      g_set_error (error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_CORRUPT,
                   "%s: not a valid ONNX model (the protobuf data is malformed or truncated)", base);
      return NULL;
    }
  ld.owner = g_bytes_new_with_free_func (mp, sizeof *mp, free_message, mp);
  model = lamina_model_new (LAMINA_FORMAT_ONNX);
  model->path = g_strdup (path);
  model->file_data = g_bytes_ref (ld.owner);
  if (mp->graph == NULL)
    ok = fail (&ld, "the model has no graph");
  else
    {
      g = lamina_graph_new (mp->graph->name);
      g_ptr_array_add (model->graphs, g);
      model->graph = g;
      convert_model_info (mp, model);
      ok = convert_graph (&ld, mp->graph, g, 0);
      if (ok)
        lamina_graph_infer_shapes (g);
    }
  g_bytes_unref (ld.owner);
  g_free (ld.folder);
  return ok ? g_steal_pointer (&model) : NULL;
}

LaminaTensor *
lamina_onnx_load_tensor (GBytes *bytes, const char *path, GError **error)
{
  g_autofree char *base = g_path_get_basename (path ? path : "(memory)");
  Loader ld = { base, path ? g_path_get_dirname (path) : NULL, NULL, error };
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  Onnx__TensorProto *tp = onnx__tensor_proto__unpack (NULL, size, data);
  LaminaTensor *t;

  if (tp == NULL)
    {
      g_free (ld.folder);
      g_set_error (error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_CORRUPT,
                   "%s: not a valid ONNX tensor (the protobuf data is malformed or truncated)", base);
      return NULL;
    }
  /* as for models: raw data stays in the unpacked message, which the
   * tensor's GBytes keeps alive */
  ld.owner = g_bytes_new_with_free_func (tp, sizeof *tp, free_message, tp);
  t = lamina_tensor_new (tp->name ? tp->name : "");
  if (!convert_tensor (&ld, tp, t))
    g_clear_pointer (&t, lamina_tensor_free);
  g_bytes_unref (ld.owner);
  g_free (ld.folder);
  return t;
}
