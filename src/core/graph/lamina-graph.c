/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-graph"

#include <string.h>
#include "lamina-graph.h"

G_DEFINE_QUARK (lamina-graph-error-quark, lamina_graph_error)

/* ---- dtypes ------------------------------------------------------------ */

typedef struct {
  const char *name;
  gsize       size;
  gboolean    is_float;
} DTypeInfo;

static const DTypeInfo dtype_info[] = {
  [LAMINA_DTYPE_UNDEFINED]  = { "undefined", 0, FALSE },
  [LAMINA_DTYPE_FLOAT32]    = { "float32", 4, TRUE },
  [LAMINA_DTYPE_FLOAT16]    = { "float16", 2, TRUE },
  [LAMINA_DTYPE_BFLOAT16]   = { "bfloat16", 2, TRUE },
  [LAMINA_DTYPE_FLOAT64]    = { "float64", 8, TRUE },
  [LAMINA_DTYPE_INT8]       = { "int8", 1, FALSE },
  [LAMINA_DTYPE_UINT8]      = { "uint8", 1, FALSE },
  [LAMINA_DTYPE_INT16]      = { "int16", 2, FALSE },
  [LAMINA_DTYPE_UINT16]     = { "uint16", 2, FALSE },
  [LAMINA_DTYPE_INT32]      = { "int32", 4, FALSE },
  [LAMINA_DTYPE_UINT32]     = { "uint32", 4, FALSE },
  [LAMINA_DTYPE_INT64]      = { "int64", 8, FALSE },
  [LAMINA_DTYPE_UINT64]     = { "uint64", 8, FALSE },
  [LAMINA_DTYPE_BOOL]       = { "bool", 1, FALSE },
  [LAMINA_DTYPE_STRING]     = { "string", 0, FALSE },
  [LAMINA_DTYPE_COMPLEX64]  = { "complex64", 8, FALSE },
  [LAMINA_DTYPE_COMPLEX128] = { "complex128", 16, FALSE },
  [LAMINA_DTYPE_INT4]       = { "int4", 1, FALSE },
  [LAMINA_DTYPE_UINT4]      = { "uint4", 1, FALSE },
  [LAMINA_DTYPE_FLOAT8]     = { "float8", 1, TRUE },
};
G_STATIC_ASSERT (G_N_ELEMENTS (dtype_info) == LAMINA_N_DTYPES);

const char *
lamina_dtype_name (LaminaDType dtype)
{
  if ((guint) dtype >= LAMINA_N_DTYPES)
    return "unknown";
  return dtype_info[dtype].name;
}

gsize
lamina_dtype_size (LaminaDType dtype)
{
  return (guint) dtype < LAMINA_N_DTYPES ? dtype_info[dtype].size : 0;
}

gboolean
lamina_dtype_is_float (LaminaDType dtype)
{
  return (guint) dtype < LAMINA_N_DTYPES && dtype_info[dtype].is_float;
}

/* Index = ONNX code. */
static const LaminaDType onnx_dtypes[] = {
  [1] = LAMINA_DTYPE_FLOAT32,   [2] = LAMINA_DTYPE_UINT8,    [3] = LAMINA_DTYPE_INT8,
  [4] = LAMINA_DTYPE_UINT16,    [5] = LAMINA_DTYPE_INT16,    [6] = LAMINA_DTYPE_INT32,
  [7] = LAMINA_DTYPE_INT64,     [8] = LAMINA_DTYPE_STRING,   [9] = LAMINA_DTYPE_BOOL,
  [10] = LAMINA_DTYPE_FLOAT16,  [11] = LAMINA_DTYPE_FLOAT64, [12] = LAMINA_DTYPE_UINT32,
  [13] = LAMINA_DTYPE_UINT64,   [14] = LAMINA_DTYPE_COMPLEX64, [15] = LAMINA_DTYPE_COMPLEX128,
  [16] = LAMINA_DTYPE_BFLOAT16, [17] = LAMINA_DTYPE_FLOAT8,  [18] = LAMINA_DTYPE_FLOAT8,
  [19] = LAMINA_DTYPE_FLOAT8,   [20] = LAMINA_DTYPE_FLOAT8,  [21] = LAMINA_DTYPE_UINT4,
  [22] = LAMINA_DTYPE_INT4,
};

LaminaDType
lamina_dtype_from_onnx (gint64 code)
{
  if (code <= 0 || code >= (gint64) G_N_ELEMENTS (onnx_dtypes))
    return LAMINA_DTYPE_UNDEFINED;
  return onnx_dtypes[code];
}

gboolean
lamina_dtype_is_integer (LaminaDType dtype)
{
  switch (dtype)
    {
    case LAMINA_DTYPE_INT8: case LAMINA_DTYPE_UINT8:
    case LAMINA_DTYPE_INT16: case LAMINA_DTYPE_UINT16:
    case LAMINA_DTYPE_INT32: case LAMINA_DTYPE_UINT32:
    case LAMINA_DTYPE_INT64: case LAMINA_DTYPE_UINT64:
    case LAMINA_DTYPE_INT4: case LAMINA_DTYPE_UINT4:
      return TRUE;
    default:
      return FALSE;
    }
}

const char *
lamina_format_name (LaminaFormat format)
{
  switch (format)
    {
    case LAMINA_FORMAT_ONNX: return "ONNX";
    case LAMINA_FORMAT_TFLITE: return "TFLite";
    case LAMINA_FORMAT_OFFLINE: return "Lamina offline";
    case LAMINA_FORMAT_UNKNOWN:
    default: return "unknown";
    }
}

const char *
lamina_kind_name (LaminaGraphKind kind)
{
  switch (kind)
    {
    case LAMINA_KIND_FIXED: return "fixed";
    case LAMINA_KIND_OFFLINE: return "offline";
    case LAMINA_KIND_FLOAT:
    default: return "float";
    }
}

/* ---- shapes ------------------------------------------------------------ */

void
lamina_shape_init_unknown (LaminaShape *shape)
{
  shape->rank = -1;
  shape->dims = NULL;
}

void
lamina_shape_clear (LaminaShape *shape)
{
  for (int i = 0; i < shape->rank; i++)
    g_free (shape->dims[i].symbol);
  g_clear_pointer (&shape->dims, g_free);
  shape->rank = -1;
}

void
lamina_shape_set_rank (LaminaShape *shape, int rank)
{
  lamina_shape_clear (shape);
  if (rank < 0)
    return;
  shape->rank = rank;
  shape->dims = g_new0 (LaminaDim, MAX (rank, 1));
  for (int i = 0; i < rank; i++)
    shape->dims[i].value = -1;
}

void
lamina_shape_set (LaminaShape *shape, int rank, const gint64 *dims)
{
  lamina_shape_set_rank (shape, rank);
  for (int i = 0; i < rank; i++)
    shape->dims[i].value = dims[i] < 0 ? -1 : dims[i];
}

void
lamina_shape_copy (LaminaShape *dst, const LaminaShape *src)
{
  if (dst == src)
    return;
  lamina_shape_set_rank (dst, src->rank);
  for (int i = 0; i < src->rank; i++)
    {
      dst->dims[i].value = src->dims[i].value;
      dst->dims[i].symbol = g_strdup (src->dims[i].symbol);
    }
}

gboolean
lamina_shape_is_static (const LaminaShape *shape)
{
  if (shape->rank < 0)
    return FALSE;
  for (int i = 0; i < shape->rank; i++)
    if (shape->dims[i].value < 0)
      return FALSE;
  return TRUE;
}

gint64
lamina_shape_numel (const LaminaShape *shape)
{
  gint64 n = 1;

  if (!lamina_shape_is_static (shape))
    return -1;
  for (int i = 0; i < shape->rank; i++)
    {
      gint64 d = shape->dims[i].value;
      if (d != 0 && n > G_MAXINT64 / d)
        return -1;
      n *= d;
    }
  return n;
}

char *
lamina_shape_to_string (const LaminaShape *shape)
{
  GString *s;

  if (shape->rank < 0)
    return g_strdup ("?");
  s = g_string_new (NULL);
  for (int i = 0; i < shape->rank; i++)
    {
      const LaminaDim *d = &shape->dims[i];
      if (i > 0)
        g_string_append (s, "×");
      if (d->value >= 0)
        g_string_append_printf (s, "%" G_GINT64_FORMAT, d->value);
      else if (d->symbol != NULL && d->symbol[0] != '\0')
        g_string_append (s, d->symbol);
      else
        g_string_append_c (s, '?');
    }
  return g_string_free (s, FALSE);
}

/* ---- quantization ------------------------------------------------------ */

LaminaQuant *
lamina_quant_new (int axis, guint n)
{
  LaminaQuant *q = g_new0 (LaminaQuant, 1);

  q->axis = axis;
  q->n = n;
  q->scale = g_new0 (float, MAX (n, 1));
  q->zero_point = g_new0 (gint64, MAX (n, 1));
  return q;
}

void
lamina_quant_free (LaminaQuant *q)
{
  if (q == NULL)
    return;
  g_free (q->scale);
  g_free (q->zero_point);
  g_free (q->min);
  g_free (q->max);
  g_free (q);
}

LaminaQuant *
lamina_quant_copy (const LaminaQuant *q)
{
  LaminaQuant *c;

  if (q == NULL)
    return NULL;
  c = lamina_quant_new (q->axis, q->n);
  memcpy (c->scale, q->scale, sizeof (float) * q->n);
  memcpy (c->zero_point, q->zero_point, sizeof (gint64) * q->n);
  if (q->min)
    c->min = g_memdup2 (q->min, sizeof (float) * q->n);
  if (q->max)
    c->max = g_memdup2 (q->max, sizeof (float) * q->n);
  return c;
}

/* ---- tensors, attributes, nodes --------------------------------------- */

LaminaTensor *
lamina_tensor_new (const char *name)
{
  LaminaTensor *t = g_new0 (LaminaTensor, 1);

  t->name = g_strdup (name ? name : "");
  lamina_shape_init_unknown (&t->shape);
  t->consumers = g_ptr_array_new ();
  return t;
}

void
lamina_tensor_free (LaminaTensor *t)
{
  if (t == NULL)
    return;
  g_free (t->name);
  g_free (t->doc);
  lamina_shape_clear (&t->shape);
  lamina_quant_free (t->quant);
  g_clear_pointer (&t->data, g_bytes_unref);
  g_strfreev (t->strings);
  g_ptr_array_unref (t->consumers);
  g_free (t);
}

void
lamina_attr_free (LaminaAttr *a)
{
  if (a == NULL)
    return;
  g_free (a->name);
  g_free (a->doc);
  g_free (a->s);
  lamina_tensor_free (a->t);
  if (a->g)
    lamina_graph_free (a->g);
  g_free (a->ints);
  g_free (a->floats);
  g_strfreev (a->strings);
  for (guint i = 0; a->tensors && i < a->n; i++)
    lamina_tensor_free (a->tensors[i]);
  g_free (a->tensors);
  for (guint i = 0; a->graphs && i < a->n; i++)
    if (a->graphs[i])
      lamina_graph_free (a->graphs[i]);
  g_free (a->graphs);
  g_free (a);
}

static void
node_free (LaminaNode *node)
{
  g_free (node->name);
  g_free (node->op_type);
  g_free (node->domain);
  g_free (node->doc);
  g_ptr_array_unref (node->inputs);
  g_ptr_array_unref (node->outputs);
  g_ptr_array_unref (node->attrs);
  g_free (node);
}

static void
format_tensor_brief (GString *s, const LaminaTensor *t)
{
  g_autofree char *shape = lamina_shape_to_string (&t->shape);

  g_string_append_printf (s, "%s⟨%s⟩", lamina_dtype_name (t->dtype), shape);
}

/* Long lists are cut so a 1000-element attribute stays one readable line. */
#define ATTR_LIST_MAX 16

char *
lamina_attr_format (const LaminaAttr *a)
{
  GString *s = g_string_new (NULL);
  guint shown = MIN (a->n, ATTR_LIST_MAX);

  switch (a->type)
    {
    case LAMINA_ATTR_INT:
      g_string_append_printf (s, "%" G_GINT64_FORMAT, a->i);
      break;
    case LAMINA_ATTR_FLOAT:
      g_string_append_printf (s, "%g", a->f);
      break;
    case LAMINA_ATTR_STRING:
      g_string_append_printf (s, "\"%s\"", a->s ? a->s : "");
      break;
    case LAMINA_ATTR_TENSOR:
      if (a->t)
        format_tensor_brief (s, a->t);
      break;
    case LAMINA_ATTR_GRAPH:
      g_string_append_printf (s, "graph \"%s\" (%u nodes)",
                              a->g && a->g->name ? a->g->name : "",
                              a->g ? a->g->nodes->len : 0);
      break;
    case LAMINA_ATTR_INTS:
    case LAMINA_ATTR_FLOATS:
    case LAMINA_ATTR_STRINGS:
    case LAMINA_ATTR_TENSORS:
    case LAMINA_ATTR_GRAPHS:
      g_string_append_c (s, '[');
      for (guint i = 0; i < shown; i++)
        {
          if (i > 0)
            g_string_append (s, ", ");
          if (a->type == LAMINA_ATTR_INTS)
            g_string_append_printf (s, "%" G_GINT64_FORMAT, a->ints[i]);
          else if (a->type == LAMINA_ATTR_FLOATS)
            g_string_append_printf (s, "%g", a->floats[i]);
          else if (a->type == LAMINA_ATTR_STRINGS)
            g_string_append_printf (s, "\"%s\"", a->strings[i] ? a->strings[i] : "");
          else if (a->type == LAMINA_ATTR_TENSORS)
            format_tensor_brief (s, a->tensors[i]);
          else
            g_string_append_printf (s, "graph \"%s\"", a->graphs[i] && a->graphs[i]->name ? a->graphs[i]->name : "");
        }
      if (a->n > shown)
        g_string_append_printf (s, ", … (%u in all)", a->n);
      g_string_append_c (s, ']');
      break;
    case LAMINA_ATTR_UNDEFINED:
    default:
      g_string_append (s, "?");
      break;
    }
  return g_string_free (s, FALSE);
}

/* ---- graphs and models ------------------------------------------------- */

LaminaGraph *
lamina_graph_new (const char *name)
{
  LaminaGraph *g = g_new0 (LaminaGraph, 1);

  g->name = g_strdup (name ? name : "");
  g->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  g->tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) lamina_tensor_free);
  g->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g->inputs = g_ptr_array_new ();
  g->outputs = g_ptr_array_new ();
  return g;
}

void
lamina_graph_free (LaminaGraph *g)
{
  if (g == NULL)
    return;
  g_free (g->name);
  g_free (g->doc);
  /* nodes first: their attributes may own subgraphs that refer to our tensors */
  g_ptr_array_unref (g->nodes);
  g_hash_table_unref (g->by_name);
  g_ptr_array_unref (g->tensors);
  g_ptr_array_unref (g->inputs);
  g_ptr_array_unref (g->outputs);
  g_free (g);
}

LaminaTensor *
lamina_graph_lookup_tensor (LaminaGraph *g, const char *name)
{
  return g_hash_table_lookup (g->by_name, name);
}

static LaminaTensor *
graph_insert_tensor (LaminaGraph *g, char *unique_name)
{
  LaminaTensor *t = lamina_tensor_new (NULL);

  g_free (t->name);
  t->name = unique_name;
  t->index = g->tensors->len;
  g_ptr_array_add (g->tensors, t);
  g_hash_table_insert (g->by_name, t->name, t);
  return t;
}

LaminaTensor *
lamina_graph_ensure_tensor (LaminaGraph *g, const char *name)
{
  LaminaTensor *t = g_hash_table_lookup (g->by_name, name);

  return t ? t : graph_insert_tensor (g, g_strdup (name));
}

LaminaTensor *
lamina_graph_add_tensor (LaminaGraph *g, const char *name)
{
  char *unique = g_strdup (name ? name : "");

  for (guint i = 1; g_hash_table_contains (g->by_name, unique); i++)
    {
      g_free (unique);
      unique = g_strdup_printf ("%s_%u", name ? name : "", i);
    }
  return graph_insert_tensor (g, unique);
}

LaminaNode *
lamina_graph_add_node (LaminaGraph *g, const char *name, const char *op_type, const char *domain)
{
  LaminaNode *n = g_new0 (LaminaNode, 1);

  n->name = g_strdup (name ? name : "");
  n->op_type = g_strdup (op_type ? op_type : "");
  n->domain = g_strdup (domain ? domain : "");
  n->inputs = g_ptr_array_new ();
  n->outputs = g_ptr_array_new ();
  n->attrs = g_ptr_array_new_with_free_func ((GDestroyNotify) lamina_attr_free);
  n->index = g->nodes->len;
  n->graph = g;
  g_ptr_array_add (g->nodes, n);
  return n;
}

void
lamina_node_add_input (LaminaNode *node, LaminaTensor *tensor)
{
  g_ptr_array_add (node->inputs, tensor);
}

void
lamina_node_add_output (LaminaNode *node, LaminaTensor *tensor)
{
  g_ptr_array_add (node->outputs, tensor);
}

LaminaAttr *
lamina_node_add_attr (LaminaNode *node, const char *name, LaminaAttrType type)
{
  LaminaAttr *a = g_new0 (LaminaAttr, 1);

  a->name = g_strdup (name ? name : "");
  a->type = type;
  g_ptr_array_add (node->attrs, a);
  return a;
}

gboolean
lamina_graph_link (LaminaGraph *g, GError **error)
{
  for (guint i = 0; i < g->tensors->len; i++)
    {
      LaminaTensor *t = g_ptr_array_index (g->tensors, i);
      t->producer = NULL;
      g_ptr_array_set_size (t->consumers, 0);
    }
  for (guint i = 0; i < g->nodes->len; i++)
    {
      LaminaNode *n = g_ptr_array_index (g->nodes, i);
      for (guint j = 0; j < n->inputs->len; j++)
        {
          LaminaTensor *t = g_ptr_array_index (n->inputs, j);
          if (t)
            g_ptr_array_add (t->consumers, n);
        }
      for (guint j = 0; j < n->outputs->len; j++)
        {
          LaminaTensor *t = g_ptr_array_index (n->outputs, j);
          if (t == NULL)
            continue;
          if (t->producer != NULL && t->producer != n)
            {
              g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID,
                           "tensor “%s” is produced by both “%s” and “%s”",
                           t->name, t->producer->name, n->name);
              return FALSE;
            }
          t->producer = n;
        }
    }
  return TRUE;
}

const LaminaAttr *
lamina_node_get_attr (const LaminaNode *node, const char *name)
{
  for (guint i = 0; i < node->attrs->len; i++)
    {
      const LaminaAttr *a = g_ptr_array_index (node->attrs, i);
      if (g_strcmp0 (a->name, name) == 0)
        return a;
    }
  return NULL;
}

gint64
lamina_node_get_int (const LaminaNode *node, const char *name, gint64 fallback)
{
  const LaminaAttr *a = lamina_node_get_attr (node, name);

  return a && a->type == LAMINA_ATTR_INT ? a->i : fallback;
}

double
lamina_node_get_float (const LaminaNode *node, const char *name, double fallback)
{
  const LaminaAttr *a = lamina_node_get_attr (node, name);

  return a && a->type == LAMINA_ATTR_FLOAT ? a->f : fallback;
}

const char *
lamina_node_get_string (const LaminaNode *node, const char *name, const char *fallback)
{
  const LaminaAttr *a = lamina_node_get_attr (node, name);

  return a && a->type == LAMINA_ATTR_STRING ? a->s : fallback;
}

const gint64 *
lamina_node_get_ints (const LaminaNode *node, const char *name, guint *n)
{
  const LaminaAttr *a = lamina_node_get_attr (node, name);

  if (a == NULL || a->type != LAMINA_ATTR_INTS)
    {
      *n = 0;
      return NULL;
    }
  *n = a->n;
  return a->ints;
}

/* Kahn's algorithm; among ready nodes, file order is kept so the result is
 * stable and close to what the author wrote. */
GPtrArray *
lamina_graph_toposort (LaminaGraph *g, GError **error)
{
  guint n_nodes = g->nodes->len;
  g_autofree guint *pending = g_new0 (guint, MAX (n_nodes, 1));
  g_autoptr(GPtrArray) order = g_ptr_array_sized_new (n_nodes);
  GQueue ready = G_QUEUE_INIT;

  for (guint i = 0; i < n_nodes; i++)
    {
      LaminaNode *n = g_ptr_array_index (g->nodes, i);
      for (guint j = 0; j < n->inputs->len; j++)
        {
          LaminaTensor *t = g_ptr_array_index (n->inputs, j);
          if (t && t->producer && t->producer != n && t->producer->graph == g)
            pending[i]++;
        }
      if (pending[i] == 0)
        g_queue_push_tail (&ready, n);
    }
  while (!g_queue_is_empty (&ready))
    {
      LaminaNode *n = g_queue_pop_head (&ready);
      g_ptr_array_add (order, n);
      for (guint j = 0; j < n->outputs->len; j++)
        {
          LaminaTensor *t = g_ptr_array_index (n->outputs, j);
          for (guint k = 0; t && k < t->consumers->len; k++)
            {
              LaminaNode *c = g_ptr_array_index (t->consumers, k);
              if (c != n && c->graph == g && --pending[c->index] == 0)
                g_queue_push_tail (&ready, c);
            }
        }
    }
  if (order->len != n_nodes)
    {
      g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_CYCLE,
                   "graph “%s” has a cycle (%u of %u nodes could be ordered)",
                   g->name, order->len, n_nodes);
      return NULL;
    }
  return g_steal_pointer (&order);
}

guint
lamina_graph_count_nodes_recursive (const LaminaGraph *g)
{
  guint count = g->nodes->len;

  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (g->nodes, i);
      for (guint j = 0; j < n->attrs->len; j++)
        {
          const LaminaAttr *a = g_ptr_array_index (n->attrs, j);
          if (a->type == LAMINA_ATTR_GRAPH && a->g)
            count += lamina_graph_count_nodes_recursive (a->g);
          for (guint k = 0; a->type == LAMINA_ATTR_GRAPHS && k < a->n; k++)
            if (a->graphs[k])
              count += lamina_graph_count_nodes_recursive (a->graphs[k]);
        }
    }
  return count;
}

void
lamina_model_parameter_totals (const LaminaModel *model, guint64 *n_params, guint64 *n_bytes)
{
  guint64 params = 0, bytes = 0;
  const LaminaGraph *g = model->graph;

  for (guint i = 0; g && i < g->tensors->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (g->tensors, i);
      gint64 numel;
      if (!t->is_constant || t->data == NULL)
        continue;
      numel = lamina_shape_numel (&t->shape);
      if (numel > 0)
        params += (guint64) numel;
      bytes += g_bytes_get_size (t->data);
    }
  if (n_params)
    *n_params = params;
  if (n_bytes)
    *n_bytes = bytes;
}

LaminaModel *
lamina_model_new (LaminaFormat format)
{
  LaminaModel *m = g_new0 (LaminaModel, 1);

  m->format = format;
  m->opsets = g_array_new (FALSE, TRUE, sizeof (LaminaOpset));
  m->metadata = g_array_new (FALSE, TRUE, sizeof (LaminaMetadata));
  m->graphs = g_ptr_array_new_with_free_func ((GDestroyNotify) lamina_graph_free);
  return m;
}

void
lamina_model_free (LaminaModel *m)
{
  if (m == NULL)
    return;
  g_free (m->path);
  g_free (m->format_version);
  g_free (m->producer);
  g_free (m->description);
  for (guint i = 0; i < m->opsets->len; i++)
    g_free (g_array_index (m->opsets, LaminaOpset, i).domain);
  g_array_unref (m->opsets);
  for (guint i = 0; i < m->metadata->len; i++)
    {
      g_free (g_array_index (m->metadata, LaminaMetadata, i).key);
      g_free (g_array_index (m->metadata, LaminaMetadata, i).value);
    }
  g_array_unref (m->metadata);
  g_ptr_array_unref (m->graphs);
  g_clear_pointer (&m->file_data, g_bytes_unref);
  g_free (m);
}

/* ---- kind detection ---------------------------------------------------- */

static gboolean
op_is_fixed_point (const char *op)
{
  /* QDQ pairs, QOperator ops, integer ops, and TFLite's quantize op. */
  static const char *const fixed_ops[] = {
    "ConvInteger", "DequantizeLinear", "DynamicQuantizeLinear", "MatMulInteger",
    "QLinearAdd", "QLinearAveragePool", "QLinearConcat", "QLinearConv",
    "QLinearGlobalAveragePool", "QLinearLeakyRelu", "QLinearMatMul", "QLinearMul",
    "QLinearSigmoid", "QLinearSoftmax", "QuantizeLinear",
  };
  for (guint i = 0; i < G_N_ELEMENTS (fixed_ops); i++)
    if (strcmp (op, fixed_ops[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
graph_has_integer_activations (const LaminaGraph *g)
{
  for (guint i = 0; i < g->tensors->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (g->tensors, i);
      if (!t->is_constant && t->quant != NULL &&
          (t->dtype == LAMINA_DTYPE_INT8 || t->dtype == LAMINA_DTYPE_UINT8 ||
           t->dtype == LAMINA_DTYPE_INT16))
        return TRUE;
    }
  return FALSE;
}

LaminaGraphKind
lamina_model_detect_kind (const LaminaModel *model)
{
  const LaminaGraph *g = model->graph;
  gboolean has_quantize = FALSE, has_dequantize = FALSE;

  if (model->format == LAMINA_FORMAT_OFFLINE)
    return LAMINA_KIND_OFFLINE;
  if (g == NULL)
    return LAMINA_KIND_FLOAT;
  if (model->format == LAMINA_FORMAT_TFLITE)
    return graph_has_integer_activations (g) ? LAMINA_KIND_FIXED : LAMINA_KIND_FLOAT;

  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (g->nodes, i);
      if (strcmp (n->op_type, "QuantizeLinear") == 0)
        has_quantize = TRUE;
      else if (strcmp (n->op_type, "DequantizeLinear") == 0)
        has_dequantize = TRUE;
      else if (op_is_fixed_point (n->op_type))
        return LAMINA_KIND_FIXED;
    }
  /* A lone DequantizeLinear only unpacks compressed weights: still float. */
  return has_quantize && has_dequantize ? LAMINA_KIND_FIXED : LAMINA_KIND_FLOAT;
}

/* ---- QDQ parameters --------------------------------------------------------------- */

/* Element i of a constant integer tensor of n elements. */
static gint64
constant_int (const LaminaTensor *t, gsize i)
{
  const guint8 *d = g_bytes_get_data (t->data, NULL);

  switch (t->dtype)
    {
    case LAMINA_DTYPE_INT8:   return ((const gint8 *) d)[i];
    case LAMINA_DTYPE_UINT8:  return d[i];
    case LAMINA_DTYPE_INT16:  return ((const gint16 *) d)[i];
    case LAMINA_DTYPE_UINT16: return ((const guint16 *) d)[i];
    case LAMINA_DTYPE_INT32:  return ((const gint32 *) d)[i];
    default:                  return 0;
    }
}

/* The node's parameters for tensor t, or NULL when they are not constants
 * of a size that fits t. */
static LaminaQuant *
qdq_quant (const LaminaNode *node, const LaminaTensor *t)
{
  const LaminaTensor *s = node->inputs->len > 1 ? g_ptr_array_index (node->inputs, 1) : NULL;
  const LaminaTensor *z = node->inputs->len > 2 ? g_ptr_array_index (node->inputs, 2) : NULL;
  gsize n = s && s->data && s->dtype == LAMINA_DTYPE_FLOAT32 ? g_bytes_get_size (s->data) / sizeof (float) : 0;
  gint64 axis = lamina_node_get_int (node, "axis", 1);
  LaminaQuant *q;

  if (n == 0 || n > G_MAXUINT || (z != NULL && (!z->data || !lamina_dtype_is_integer (z->dtype)
                                                 || g_bytes_get_size (z->data) != n * lamina_dtype_size (z->dtype))))
    return NULL;
  if (n > 1)
    {
      if (axis < 0)
        axis += t->shape.rank;
      if (t->shape.rank < 0 || axis < 0 || axis >= t->shape.rank || t->shape.dims[axis].value != (gint64) n)
        return NULL;
    }
  q = lamina_quant_new (n > 1 ? (int) axis : -1, (guint) n);
  memcpy (q->scale, g_bytes_get_data (s->data, NULL), n * sizeof (float));
  for (gsize i = 0; z != NULL && i < n; i++)
    q->zero_point[i] = constant_int (z, i);
  return q;
}

void
lamina_graph_attach_qdq_params (LaminaGraph *g)
{
  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *node = g_ptr_array_index (g->nodes, i);
      gboolean is_q = g_strcmp0 (node->op_type, "QuantizeLinear") == 0;
      LaminaTensor *t;

      if (!is_q && g_strcmp0 (node->op_type, "DequantizeLinear") != 0)
        continue;
      t = is_q ? (node->outputs->len ? g_ptr_array_index (node->outputs, 0) : NULL)
               : (node->inputs->len ? g_ptr_array_index (node->inputs, 0) : NULL);
      if (t != NULL && t->quant == NULL && lamina_dtype_is_integer (t->dtype))
        t->quant = qdq_quant (node, t);
    }
}
