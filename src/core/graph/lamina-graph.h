/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-graph.h: the intermediate representation every loader produces and
 * every consumer (layout, render, simulator, quantizer, compiler) reads.
 *
 * The IR is plain C structs: a LaminaModel owns one or more LaminaGraphs
 * (graph 0 is the main graph; TFLite subgraphs and ONNX If/Loop/Scan bodies
 * are further graphs), a graph owns its LaminaNodes and LaminaTensors.
 * Pointers between them (node->inputs, tensor->producer ...) are borrowed and
 * valid as long as the model lives.
 *
 * Constant data is a GBytes; when the loader maps the file, the GBytes points
 * into the mapping, so opening a large model does not copy its weights.
 */
#pragma once

#include <glib.h>
#include "lamina-types.h"

G_BEGIN_DECLS

#define LAMINA_GRAPH_ERROR (lamina_graph_error_quark ())
GQuark lamina_graph_error_quark (void);

typedef enum {
  LAMINA_GRAPH_ERROR_INVALID,     /* structure is inconsistent */
  LAMINA_GRAPH_ERROR_CYCLE,       /* the graph has a cycle */
  LAMINA_GRAPH_ERROR_UNSUPPORTED, /* a feature Lamina does not handle */
} LaminaGraphError;

/* Element types. The numbering is Lamina's own; loaders map theirs. */
typedef enum {
  LAMINA_DTYPE_UNDEFINED = 0,
  LAMINA_DTYPE_FLOAT32,
  LAMINA_DTYPE_FLOAT16,
  LAMINA_DTYPE_BFLOAT16,
  LAMINA_DTYPE_FLOAT64,
  LAMINA_DTYPE_INT8,
  LAMINA_DTYPE_UINT8,
  LAMINA_DTYPE_INT16,
  LAMINA_DTYPE_UINT16,
  LAMINA_DTYPE_INT32,
  LAMINA_DTYPE_UINT32,
  LAMINA_DTYPE_INT64,
  LAMINA_DTYPE_UINT64,
  LAMINA_DTYPE_BOOL,
  LAMINA_DTYPE_STRING,
  LAMINA_DTYPE_COMPLEX64,
  LAMINA_DTYPE_COMPLEX128,
  LAMINA_DTYPE_INT4,
  LAMINA_DTYPE_UINT4,
  LAMINA_DTYPE_FLOAT8,   /* any of the float8 variants */
  LAMINA_N_DTYPES
} LaminaDType;

const char *lamina_dtype_name (LaminaDType dtype);      /* "float32", "int8" ... */
/* Size of one element in bytes; 0 for STRING/UNDEFINED, 1 for 4-bit types
 * (callers that pack nibbles handle that themselves). */
gsize       lamina_dtype_size (LaminaDType dtype);
gboolean    lamina_dtype_is_float (LaminaDType dtype);
gboolean    lamina_dtype_is_integer (LaminaDType dtype);
/* ONNX TensorProto.DataType code → dtype (files, Cast's `to`, EyeLike's
 * `dtype`); LAMINA_DTYPE_UNDEFINED for unknown codes. */
LaminaDType lamina_dtype_from_onnx (gint64 code);

/* A dimension: a known size (value >= 0), a named symbol ("batch", value -1),
 * or unknown (value -1, symbol NULL). */
typedef struct {
  gint64  value;
  char   *symbol;
} LaminaDim;

/* A shape. rank == -1 means the rank itself is unknown. */
typedef struct {
  int        rank;
  LaminaDim *dims;
} LaminaShape;

void     lamina_shape_init_unknown (LaminaShape *shape);
void     lamina_shape_set_rank (LaminaShape *shape, int rank);  /* dims unknown */
void     lamina_shape_set (LaminaShape *shape, int rank, const gint64 *dims);
void     lamina_shape_copy (LaminaShape *dst, const LaminaShape *src);
void     lamina_shape_clear (LaminaShape *shape);
gboolean lamina_shape_is_static (const LaminaShape *shape);
/* Number of elements; -1 when not static. Saturates at G_MAXINT64 → -1. */
gint64   lamina_shape_numel (const LaminaShape *shape);
/* "1×3×224×224", "?×3×H×W", "?" for unknown rank, "" for a scalar. */
char    *lamina_shape_to_string (const LaminaShape *shape);

/* Quantization parameters. axis == -1: per tensor (n == 1). Otherwise
 * per-axis with n == shape.dims[axis].value entries. */
typedef struct {
  int      axis;
  guint    n;
  float   *scale;
  gint64  *zero_point;
  float   *min;   /* optional (TFLite records them), may be NULL */
  float   *max;
} LaminaQuant;

LaminaQuant *lamina_quant_new (int axis, guint n);
void         lamina_quant_free (LaminaQuant *q);
LaminaQuant *lamina_quant_copy (const LaminaQuant *q);

struct _LaminaTensor {
  char        *name;
  LaminaDType  dtype;
  LaminaShape  shape;
  LaminaQuant *quant;        /* NULL when the tensor has none */
  GBytes      *data;         /* constant contents, NULL for activations */
  char       **strings;      /* contents of a constant STRING tensor */
  gboolean     is_constant;  /* initializer, Constant output or TFLite buffer */
  gboolean     is_variable;  /* TFLite variable tensor */
  char        *doc;
  LaminaNode  *producer;     /* NULL for graph inputs and constants */
  GPtrArray   *consumers;    /* LaminaNode*, borrowed; a node appears once per use */
  guint        index;        /* position in graph->tensors */
};

typedef enum {
  LAMINA_ATTR_UNDEFINED = 0,
  LAMINA_ATTR_INT,
  LAMINA_ATTR_FLOAT,
  LAMINA_ATTR_STRING,
  LAMINA_ATTR_TENSOR,
  LAMINA_ATTR_GRAPH,
  LAMINA_ATTR_INTS,
  LAMINA_ATTR_FLOATS,
  LAMINA_ATTR_STRINGS,
  LAMINA_ATTR_TENSORS,
  LAMINA_ATTR_GRAPHS,
} LaminaAttrType;

typedef struct {
  char           *name;
  LaminaAttrType  type;
  gint64          i;
  double          f;
  char           *s;        /* STRING (NUL-terminated; may contain bytes) */
  LaminaTensor   *t;        /* TENSOR (owned by the attribute) */
  LaminaGraph    *g;        /* GRAPH (owned; also listed in model->graphs? no: owned here) */
  guint           n;        /* element count of the list types */
  gint64         *ints;
  double         *floats;
  char          **strings;
  LaminaTensor  **tensors;
  LaminaGraph   **graphs;
  char           *doc;
} LaminaAttr;

/* Human-readable value: "3", "[1, 1]", "\"NOTSET\"", "float32⟨32×3⟩" ... */
char *lamina_attr_format (const LaminaAttr *attr);

struct _LaminaNode {
  char        *name;       /* may be "" in files; never NULL */
  char        *op_type;    /* "Conv", "CONV_2D" is mapped to "Conv2D" ... */
  char        *domain;     /* "" for the default ONNX domain, "ai.onnx.ml", tflite: "" */
  char        *doc;
  gboolean     is_custom;  /* TFLite custom op / ONNX op in a non-standard domain */
  GPtrArray   *inputs;     /* LaminaTensor*, borrowed; NULL entry = omitted optional */
  GPtrArray   *outputs;    /* LaminaTensor*, borrowed; NULL entry = omitted optional */
  GPtrArray   *attrs;      /* LaminaAttr*, owned */
  guint        index;      /* position in graph->nodes (file order) */
  LaminaGraph *graph;      /* the graph that owns the node */
};

struct _LaminaGraph {
  char        *name;
  char        *doc;
  GPtrArray   *nodes;    /* LaminaNode*, owned, in file order */
  GPtrArray   *tensors;  /* LaminaTensor*, owned */
  GHashTable  *by_name;  /* char* → LaminaTensor*, borrowed */
  GPtrArray   *inputs;   /* LaminaTensor*, borrowed: non-constant graph inputs */
  GPtrArray   *outputs;  /* LaminaTensor*, borrowed */
  LaminaGraph *parent;   /* enclosing graph for subgraphs (outer-scope names) */
};

typedef enum {
  LAMINA_FORMAT_UNKNOWN = 0,
  LAMINA_FORMAT_ONNX,
  LAMINA_FORMAT_TFLITE,
  LAMINA_FORMAT_OFFLINE,
} LaminaFormat;

typedef enum {
  LAMINA_KIND_FLOAT = 0,
  LAMINA_KIND_FIXED,
  LAMINA_KIND_OFFLINE,
} LaminaGraphKind;

const char *lamina_format_name (LaminaFormat format);   /* "ONNX", "TFLite", "Lamina offline" */
const char *lamina_kind_name (LaminaGraphKind kind);    /* "float", "fixed", "offline" */

typedef struct {
  char   *domain;
  gint64  version;
} LaminaOpset;

typedef struct {
  char *key;
  char *value;
} LaminaMetadata;

struct _LaminaModel {
  char            *path;        /* file the model was read from, or NULL */
  LaminaFormat     format;
  LaminaGraphKind  kind;
  char            *format_version;  /* "IR v7", "TFLite v3" */
  char            *producer;        /* "pytorch 1.9", "TOCO Converted." */
  char            *description;
  GArray          *opsets;     /* LaminaOpset */
  GArray          *metadata;   /* LaminaMetadata */
  LaminaGraph     *graph;      /* the main graph (== graphs[0]) */
  GPtrArray       *graphs;     /* LaminaGraph*, owned: all top-level graphs */
  GBytes          *file_data;  /* keeps the mapping alive for tensor->data */
};

/* --- construction (used by loaders) --- */
LaminaModel  *lamina_model_new (LaminaFormat format);
void          lamina_model_free (LaminaModel *model);
LaminaGraph  *lamina_graph_new (const char *name);
void          lamina_graph_free (LaminaGraph *graph);
/* Returns the tensor called name, creating an undefined one if absent. */
LaminaTensor *lamina_graph_ensure_tensor (LaminaGraph *graph, const char *name);
LaminaTensor *lamina_graph_lookup_tensor (LaminaGraph *graph, const char *name);
/* Adds a tensor with a unique name (a suffix is appended on collision). */
LaminaTensor *lamina_graph_add_tensor (LaminaGraph *graph, const char *name);
LaminaNode   *lamina_graph_add_node (LaminaGraph *graph, const char *name,
                                     const char *op_type, const char *domain);
void          lamina_node_add_input (LaminaNode *node, LaminaTensor *tensor);  /* NULL ok */
void          lamina_node_add_output (LaminaNode *node, LaminaTensor *tensor); /* NULL ok */
LaminaAttr   *lamina_node_add_attr (LaminaNode *node, const char *name, LaminaAttrType type);
LaminaTensor *lamina_tensor_new (const char *name);  /* a free-standing tensor (attributes) */
void          lamina_tensor_free (LaminaTensor *tensor);
void          lamina_attr_free (LaminaAttr *attr);

/* Fills producer/consumers from the nodes' inputs and outputs. Fails when a
 * tensor has two producers. Loaders call it once they are done. */
gboolean      lamina_graph_link (LaminaGraph *graph, GError **error);
/* ONNX QDQ graphs: gives the integer side of each QuantizeLinear (its
 * output) and DequantizeLinear (its input) the node's constant scale and
 * zero point as LaminaQuant, where the tensor has none, so that fixed
 * tensors show their parameters (panel, edge labels) as TFLite's do. */
void          lamina_graph_attach_qdq_params (LaminaGraph *graph);

/* --- queries --- */
const LaminaAttr *lamina_node_get_attr (const LaminaNode *node, const char *name);
gint64        lamina_node_get_int (const LaminaNode *node, const char *name, gint64 fallback);
double        lamina_node_get_float (const LaminaNode *node, const char *name, double fallback);
const char   *lamina_node_get_string (const LaminaNode *node, const char *name, const char *fallback);
/* Returns the list and its length, or NULL (and *n = 0) when absent. */
const gint64 *lamina_node_get_ints (const LaminaNode *node, const char *name, guint *n);

/* Nodes in an order where every producer comes before its consumers.
 * Returns a new array of borrowed LaminaNode*; fails on a cycle. */
GPtrArray    *lamina_graph_toposort (LaminaGraph *graph, GError **error);

/* Number of nodes in this graph and (recursively) in subgraph attributes. */
guint         lamina_graph_count_nodes_recursive (const LaminaGraph *graph);

/* Totals over constant tensors of the main graph (weights, biases ...). */
void          lamina_model_parameter_totals (const LaminaModel *model,
                                             guint64 *n_params, guint64 *n_bytes);

/* Detects the graph kind from content: offline for offline files, fixed when
 * the graph has QuantizeLinear/DequantizeLinear pairs, QLinear* / *Integer
 * operators, or (TFLite) quantized integer activations; float otherwise. */
LaminaGraphKind lamina_model_detect_kind (const LaminaModel *model);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaModel, lamina_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaGraph, lamina_graph_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaQuant, lamina_quant_free)

G_END_DECLS
