/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-onnx-write.c: Lamina IR → ONNX ModelProto, packed with protobuf-c.
 *
 * The protobuf-c message tree borrows the IR's strings and constant bytes
 * (packing only reads them); every array and message allocated here is
 * registered in one pool and freed together after packing, so no copy of
 * the weights is made besides the packed output itself.
 */
#define G_LOG_DOMAIN "lamina-onnx"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-onnx-write.h"
#include "onnx.pb-c.h"

/* protobuf's hard limit on one message */
#define MAX_MESSAGE_SIZE ((gsize) G_MAXINT32)
#define DEFAULT_IR_VERSION 8

typedef struct {
  GPtrArray *pool;      /* g_free'd allocations */
  GError   **error;
} Writer;

static gpointer
pool_alloc (Writer *w, gsize size)
{
  gpointer p = g_malloc0 (MAX (size, 1));

  g_ptr_array_add (w->pool, p);
  return p;
}

#define POOL_NEW(w, type, n) ((type *) pool_alloc ((w), sizeof (type) * (gsize) (n)))

/* protobuf-c fields are char*, the IR's strings are only read */
static char *
str (const char *s)
{
  return (char *) (s ? s : "");
}

static gboolean
fail (Writer *w, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (Writer *w, const char *format, ...)
{
  va_list args;

  if (w->error && *w->error == NULL)
    {
      g_autofree char *msg = NULL;
      va_start (args, format);
      msg = g_strdup_vprintf (format, args);
      va_end (args);
      g_set_error_literal (w->error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_UNSUPPORTED, msg);
    }
  return FALSE;
}

/* The inverse of lamina_dtype_from_onnx, from that one table (the first
 * code wins for the float8 variants). 0 when ONNX has no such type. */
static int
dtype_to_onnx (LaminaDType dtype)
{
  if (dtype == LAMINA_DTYPE_UNDEFINED)
    return 0;
  for (int code = 1; code < 64; code++)
    if (lamina_dtype_from_onnx (code) == dtype)
      return code;
  return 0;
}

/* ---- tensors ----------------------------------------------------------- */

static Onnx__TensorProto *
write_tensor (Writer *w, const LaminaTensor *t)
{
  Onnx__TensorProto *tp = POOL_NEW (w, Onnx__TensorProto, 1);
  int code = dtype_to_onnx (t->dtype);

  onnx__tensor_proto__init (tp);
  if (code == 0)
    return fail (w, _("tensor “%s”: type %s cannot be written to ONNX"), t->name,
                 lamina_dtype_name (t->dtype)), NULL;
  if (t->shape.rank < 0 || !lamina_shape_is_static (&t->shape))
    return fail (w, _("constant tensor “%s” has no static shape"), t->name), NULL;
  tp->name = str (t->name);
  if (t->doc)
    tp->doc_string = t->doc;
  tp->has_data_type = TRUE;
  tp->data_type = code;
  tp->n_dims = t->shape.rank;
  tp->dims = POOL_NEW (w, int64_t, t->shape.rank);
  for (int i = 0; i < t->shape.rank; i++)
    tp->dims[i] = t->shape.dims[i].value;
  if (t->dtype == LAMINA_DTYPE_STRING)
    {
      guint n = t->strings ? g_strv_length (t->strings) : 0;
      tp->n_string_data = n;
      tp->string_data = POOL_NEW (w, ProtobufCBinaryData, n);
      for (guint i = 0; i < n; i++)
        {
          tp->string_data[i].data = (guint8 *) t->strings[i];
          tp->string_data[i].len = strlen (t->strings[i]);
        }
      return tp;
    }
  tp->has_raw_data = TRUE;
  if (t->data != NULL)
    {
      gsize size = 0;
      tp->raw_data.data = (guint8 *) g_bytes_get_data (t->data, &size);
      tp->raw_data.len = size;
    }
  return tp;
}

static Onnx__TypeProto *
write_type (Writer *w, const LaminaTensor *t)
{
  Onnx__TypeProto *type = POOL_NEW (w, Onnx__TypeProto, 1);
  Onnx__TypeProto__Tensor *tt = POOL_NEW (w, Onnx__TypeProto__Tensor, 1);

  onnx__type_proto__init (type);
  onnx__type_proto__tensor__init (tt);
  type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  type->tensor_type = tt;
  tt->has_elem_type = TRUE;
  tt->elem_type = dtype_to_onnx (t->dtype);
  if (t->shape.rank < 0)
    return type;  /* rank unknown: no shape at all */
  tt->shape = POOL_NEW (w, Onnx__TensorShapeProto, 1);
  onnx__tensor_shape_proto__init (tt->shape);
  tt->shape->n_dim = t->shape.rank;
  tt->shape->dim = POOL_NEW (w, Onnx__TensorShapeProto__Dimension *, t->shape.rank);
  for (int i = 0; i < t->shape.rank; i++)
    {
      Onnx__TensorShapeProto__Dimension *d = POOL_NEW (w, Onnx__TensorShapeProto__Dimension, 1);
      onnx__tensor_shape_proto__dimension__init (d);
      if (t->shape.dims[i].value >= 0)
        {
          d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
          d->dim_value = t->shape.dims[i].value;
        }
      else if (t->shape.dims[i].symbol != NULL)
        {
          d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
          d->dim_param = t->shape.dims[i].symbol;
        }
      tt->shape->dim[i] = d;
    }
  return type;
}

static Onnx__ValueInfoProto *
write_value_info (Writer *w, const LaminaTensor *t)
{
  Onnx__ValueInfoProto *vi = POOL_NEW (w, Onnx__ValueInfoProto, 1);

  onnx__value_info_proto__init (vi);
  vi->name = str (t->name);
  if (t->doc)
    vi->doc_string = t->doc;
  if (t->dtype != LAMINA_DTYPE_UNDEFINED && dtype_to_onnx (t->dtype) != 0)
    vi->type = write_type (w, t);
  return vi;
}

/* ---- attributes -------------------------------------------------------- */

static Onnx__GraphProto *write_graph (Writer *w, const LaminaGraph *g);

static gboolean
write_attr_lists (Writer *w, const LaminaAttr *a, Onnx__AttributeProto *ap)
{
  switch (a->type)
    {
    case LAMINA_ATTR_INTS:
      ap->n_ints = a->n;
      ap->ints = (int64_t *) a->ints;
      return TRUE;
    case LAMINA_ATTR_FLOATS:
      ap->n_floats = a->n;
      ap->floats = POOL_NEW (w, float, a->n);
      for (guint i = 0; i < a->n; i++)
        ap->floats[i] = (float) a->floats[i];
      return TRUE;
    case LAMINA_ATTR_STRINGS:
      ap->n_strings = a->n;
      ap->strings = POOL_NEW (w, ProtobufCBinaryData, a->n);
      for (guint i = 0; i < a->n; i++)
        ap->strings[i] = (ProtobufCBinaryData) { strlen (a->strings[i]), (guint8 *) a->strings[i] };
      return TRUE;
    case LAMINA_ATTR_TENSORS:
      ap->n_tensors = a->n;
      ap->tensors = POOL_NEW (w, Onnx__TensorProto *, a->n);
      for (guint i = 0; i < a->n; i++)
        if ((ap->tensors[i] = write_tensor (w, a->tensors[i])) == NULL)
          return FALSE;
      return TRUE;
    case LAMINA_ATTR_GRAPHS:
      ap->n_graphs = a->n;
      ap->graphs = POOL_NEW (w, Onnx__GraphProto *, a->n);
      for (guint i = 0; i < a->n; i++)
        if ((ap->graphs[i] = write_graph (w, a->graphs[i])) == NULL)
          return FALSE;
      return TRUE;
    default:
      return TRUE;
    }
}

static Onnx__AttributeProto *
write_attr (Writer *w, const LaminaAttr *a)
{
  static const Onnx__AttributeProto__AttributeType to_onnx[] = {
    [LAMINA_ATTR_INT] = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT,
    [LAMINA_ATTR_FLOAT] = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT,
    [LAMINA_ATTR_STRING] = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING,
    [LAMINA_ATTR_TENSOR] = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR,
    [LAMINA_ATTR_GRAPH] = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH,
    [LAMINA_ATTR_INTS] = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS,
    [LAMINA_ATTR_FLOATS] = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS,
    [LAMINA_ATTR_STRINGS] = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS,
    [LAMINA_ATTR_TENSORS] = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS,
    [LAMINA_ATTR_GRAPHS] = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS,
  };
  Onnx__AttributeProto *ap = POOL_NEW (w, Onnx__AttributeProto, 1);

  onnx__attribute_proto__init (ap);
  ap->name = str (a->name);
  if (a->doc)
    ap->doc_string = a->doc;
  if (a->type == LAMINA_ATTR_UNDEFINED || (guint) a->type >= G_N_ELEMENTS (to_onnx))
    return ap;  /* sparse tensors, type protos: the reader kept only the name */
  ap->has_type = TRUE;
  ap->type = to_onnx[a->type];
  switch (a->type)
    {
    case LAMINA_ATTR_INT: ap->has_i = TRUE; ap->i = a->i; return ap;
    case LAMINA_ATTR_FLOAT: ap->has_f = TRUE; ap->f = (float) a->f; return ap;
    case LAMINA_ATTR_STRING:
      ap->has_s = TRUE;
      ap->s = (ProtobufCBinaryData) { a->s ? strlen (a->s) : 0, (guint8 *) a->s };
      return ap;
    case LAMINA_ATTR_TENSOR:
      return (ap->t = write_tensor (w, a->t)) ? ap : NULL;
    case LAMINA_ATTR_GRAPH:
      return (ap->g = write_graph (w, a->g)) ? ap : NULL;
    default:
      return write_attr_lists (w, a, ap) ? ap : NULL;
    }
}

/* ---- nodes and graphs -------------------------------------------------- */

static char **
tensor_names (Writer *w, const GPtrArray *tensors)
{
  char **names = POOL_NEW (w, char *, tensors->len);

  for (guint i = 0; i < tensors->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (tensors, i);
      names[i] = str (t ? t->name : NULL);  /* "" = omitted optional */
    }
  return names;
}

static Onnx__NodeProto *
write_node (Writer *w, const LaminaNode *n)
{
  Onnx__NodeProto *np = POOL_NEW (w, Onnx__NodeProto, 1);

  onnx__node_proto__init (np);
  np->name = str (n->name);
  np->op_type = str (n->op_type);
  if (n->domain[0] != '\0')
    np->domain = n->domain;
  if (n->doc)
    np->doc_string = n->doc;
  np->n_input = n->inputs->len;
  np->input = tensor_names (w, n->inputs);
  np->n_output = n->outputs->len;
  np->output = tensor_names (w, n->outputs);
  np->n_attribute = n->attrs->len;
  np->attribute = POOL_NEW (w, Onnx__AttributeProto *, n->attrs->len);
  for (guint i = 0; i < n->attrs->len; i++)
    if ((np->attribute[i] = write_attr (w, g_ptr_array_index (n->attrs, i))) == NULL)
      return NULL;
  return np;
}

static Onnx__ValueInfoProto **
write_value_infos (Writer *w, const GPtrArray *tensors, size_t *n)
{
  Onnx__ValueInfoProto **vis = POOL_NEW (w, Onnx__ValueInfoProto *, tensors->len);

  *n = tensors->len;
  for (guint i = 0; i < tensors->len; i++)
    vis[i] = write_value_info (w, g_ptr_array_index (tensors, i));
  return vis;
}

/* A tensor an initializer must hold: constant data nothing in this graph
 * produces (Constant nodes write their own outputs). */
static gboolean
is_initializer (const LaminaTensor *t)
{
  return t->is_constant && t->producer == NULL && (t->data != NULL || t->strings != NULL);
}

/* Intermediate tensors worth a value_info: used, typed, not an initializer
 * and not a graph input or output (those have their own entries). */
static gboolean
wants_value_info (const LaminaGraph *g, const LaminaTensor *t)
{
  if (t->dtype == LAMINA_DTYPE_UNDEFINED || is_initializer (t))
    return FALSE;
  if (t->producer == NULL && t->consumers->len == 0)
    return FALSE;
  return !g_ptr_array_find (g->inputs, t, NULL) && !g_ptr_array_find (g->outputs, t, NULL);
}

static gboolean
write_graph_tensors (Writer *w, const LaminaGraph *g, Onnx__GraphProto *gp)
{
  g_autoptr(GPtrArray) inits = g_ptr_array_new ();
  g_autoptr(GPtrArray) infos = g_ptr_array_new ();

  for (guint i = 0; i < g->tensors->len; i++)
    {
      LaminaTensor *t = g_ptr_array_index (g->tensors, i);
      if (is_initializer (t))
        g_ptr_array_add (inits, t);
      else if (wants_value_info (g, t))
        g_ptr_array_add (infos, t);
    }
  gp->n_initializer = inits->len;
  gp->initializer = POOL_NEW (w, Onnx__TensorProto *, inits->len);
  for (guint i = 0; i < inits->len; i++)
    if ((gp->initializer[i] = write_tensor (w, g_ptr_array_index (inits, i))) == NULL)
      return FALSE;
  gp->input = write_value_infos (w, g->inputs, &gp->n_input);
  gp->output = write_value_infos (w, g->outputs, &gp->n_output);
  gp->value_info = write_value_infos (w, infos, &gp->n_value_info);
  return TRUE;
}

static Onnx__GraphProto *
write_graph (Writer *w, const LaminaGraph *g)
{
  Onnx__GraphProto *gp = POOL_NEW (w, Onnx__GraphProto, 1);

  onnx__graph_proto__init (gp);
  gp->name = str (g->name);
  if (g->doc)
    gp->doc_string = g->doc;
  gp->n_node = g->nodes->len;
  gp->node = POOL_NEW (w, Onnx__NodeProto *, g->nodes->len);
  for (guint i = 0; i < g->nodes->len; i++)
    if ((gp->node[i] = write_node (w, g_ptr_array_index (g->nodes, i))) == NULL)
      return NULL;
  return write_graph_tensors (w, g, gp) ? gp : NULL;
}

/* ---- model ------------------------------------------------------------- */

/* The IR version the model was read with ("IR v7"), else a current one. */
static gint64
ir_version (const LaminaModel *model)
{
  guint64 v = 0;

  if (model->format == LAMINA_FORMAT_ONNX && model->format_version &&
      g_str_has_prefix (model->format_version, "IR v") &&
      g_ascii_string_to_unsigned (model->format_version + 4, 10, 1, 100, &v, NULL))
    return (gint64) v;
  return DEFAULT_IR_VERSION;
}

static void
write_model_info (Writer *w, const LaminaModel *model, Onnx__ModelProto *mp)
{
  mp->has_ir_version = TRUE;
  mp->ir_version = ir_version (model);
  mp->producer_name = model->producer ? model->producer : "Lamina";
  if (model->description)
    mp->doc_string = model->description;
  mp->n_opset_import = model->opsets->len;
  mp->opset_import = POOL_NEW (w, Onnx__OperatorSetIdProto *, model->opsets->len);
  for (guint i = 0; i < model->opsets->len; i++)
    {
      const LaminaOpset *o = &g_array_index (model->opsets, LaminaOpset, i);
      Onnx__OperatorSetIdProto *op = POOL_NEW (w, Onnx__OperatorSetIdProto, 1);
      onnx__operator_set_id_proto__init (op);
      op->domain = str (o->domain);
      op->has_version = TRUE;
      op->version = o->version;
      mp->opset_import[i] = op;
    }
  mp->n_metadata_props = model->metadata->len;
  mp->metadata_props = POOL_NEW (w, Onnx__StringStringEntryProto *, model->metadata->len);
  for (guint i = 0; i < model->metadata->len; i++)
    {
      const LaminaMetadata *m = &g_array_index (model->metadata, LaminaMetadata, i);
      Onnx__StringStringEntryProto *e = POOL_NEW (w, Onnx__StringStringEntryProto, 1);
      onnx__string_string_entry_proto__init (e);
      e->key = str (m->key);
      e->value = str (m->value);
      mp->metadata_props[i] = e;
    }
}

GBytes *
lamina_onnx_write_bytes (const LaminaModel *model, GError **error)
{
  g_autoptr(GPtrArray) pool = g_ptr_array_new_with_free_func (g_free);
  Writer w = { pool, error };
  Onnx__ModelProto mp = ONNX__MODEL_PROTO__INIT;
  gsize size;
  guint8 *buf;

  g_return_val_if_fail (model != NULL && model->graph != NULL, NULL);
  write_model_info (&w, model, &mp);
  if ((mp.graph = write_graph (&w, model->graph)) == NULL)
    return NULL;
  size = onnx__model_proto__get_packed_size (&mp);
  if (size > MAX_MESSAGE_SIZE)
    {
      g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_UNSUPPORTED,
                   _("the model needs %zu bytes, more than ONNX's 2 GiB limit for one file"), size);
      return NULL;
    }
  buf = g_malloc (MAX (size, 1));
  onnx__model_proto__pack (&mp, buf);
  return g_bytes_new_take (buf, size);
}

gboolean
lamina_onnx_write (const LaminaModel *model, const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = lamina_onnx_write_bytes (model, error);
  g_autoptr(GError) local = NULL;
  gsize size = 0;
  const char *data;

  if (bytes == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  data = g_bytes_get_data (bytes, &size);
  /* CONSISTENT: a temporary file beside the target, fsync'd and renamed */
  if (!g_file_set_contents_full (path, data, size, G_FILE_SET_CONTENTS_CONSISTENT, 0666, &local))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}
