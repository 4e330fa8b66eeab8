/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-shape-private.h: shared by lamina-shape-infer.c (shape rules and
 * the operator table) and lamina-shape-fold.c (values of small tensors).
 *
 * Exporters compute shapes at run time: Shape → Gather → Unsqueeze →
 * Concat → Reshape. To label such edges, inference also tracks the values
 * of small tensors (shape vectors, scales, indices) in a side table that
 * lives only while inference runs; the graph itself is not changed.
 */
#pragma once

#include "lamina-graph.h"

G_BEGIN_DECLS

#define LAMINA_SHAPE_MAX_RANK 16
/* Larger tensors are never shape arithmetic: not worth tracking. */
#define LAMINA_SHAPE_MAX_VALUES 1024

/* Values of one tensor, row-major in the tensor's own (static) shape.
 * Stored as doubles (exact for integers below 2^53); NaN marks an element
 * that is not known, e.g. a dynamic dimension read by Shape, which may
 * still carry the dimension's symbol. */
typedef struct {
  gsize   n;
  double *v;
  char  **sym;  /* NULL, or n entries (each NULL or a symbol) */
} LaminaFoldValue;

/* Element-wise arithmetic of lamina_fold_elementwise. */
typedef enum {
  LAMINA_ARITH_NONE = 0,
  LAMINA_ARITH_ADD, LAMINA_ARITH_SUB, LAMINA_ARITH_MUL, LAMINA_ARITH_DIV, LAMINA_ARITH_MOD,
  LAMINA_ARITH_MAX, LAMINA_ARITH_MIN,
  LAMINA_ARITH_EQUAL, LAMINA_ARITH_LESS, LAMINA_ARITH_LESS_EQUAL,
  LAMINA_ARITH_GREATER, LAMINA_ARITH_GREATER_EQUAL,
  LAMINA_ARITH_AND, LAMINA_ARITH_OR, LAMINA_ARITH_XOR, LAMINA_ARITH_NOT,
  LAMINA_ARITH_NEG, LAMINA_ARITH_ABS, LAMINA_ARITH_FLOOR, LAMINA_ARITH_CEIL, LAMINA_ARITH_SQRT,
  LAMINA_N_ARITH
} LaminaArith;

typedef struct _LaminaInfer LaminaInfer;
typedef void (*LaminaInferFunc) (LaminaInfer *cx, LaminaNode *node);

typedef struct {
  const char      *op;
  LaminaInferFunc  infer;  /* shapes and dtypes of the outputs */
  LaminaInferFunc  fold;   /* values of the outputs, or NULL */
  LaminaDType      dtype;  /* output dtype when fixed by the operator */
  LaminaArith      arith;  /* for the element-wise folds */
} LaminaInferEntry;

struct _LaminaInfer {
  GHashTable             *values;  /* LaminaTensor* → LaminaFoldValue* */
  const LaminaInferEntry *entry;   /* the node's table row */
};

G_GNUC_INTERNAL const LaminaFoldValue *lamina_infer_value (LaminaInfer *cx, LaminaTensor *t);
G_GNUC_INTERNAL void lamina_infer_value_free (gpointer value);
/* Reads a value as integers; -1 when unknown, larger than max or not
 * integral. */
G_GNUC_INTERNAL int  lamina_infer_read_ints (LaminaInfer *cx, LaminaTensor *t, gint64 *out, int max);
/* Saturating conversion: values beyond gint64 clamp to its limits. */
G_GNUC_INTERNAL gint64 lamina_infer_clamp_i64 (double v);

/* An integer list given either as attribute `attr` (older opsets) or as
 * input `index` (newer ones). Returns its length, -1 when given but not
 * known (or longer than max), LAMINA_INFER_ABSENT when given neither way. */
#define LAMINA_INFER_ABSENT (-2)
G_GNUC_INTERNAL int  lamina_infer_read_list (LaminaInfer *cx, LaminaNode *n, const char *attr,
                                             guint index, gint64 *out, int max);
/* The dimensions [start, end) of a rank-`rank` input that Shape returns
 * (its start/end attributes, opset 15). */
G_GNUC_INTERNAL void lamina_infer_shape_range (const LaminaNode *n, int rank, int *start, int *end);

/* Folds (lamina-shape-fold.c) */
G_GNUC_INTERNAL void lamina_fold_copy (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_shape (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_size (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_gather (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_concat (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_slice (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_cast (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_elementwise (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_where (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_expand (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_constant (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_constant_of_shape (LaminaInfer *cx, LaminaNode *n);
G_GNUC_INTERNAL void lamina_fold_range (LaminaInfer *cx, LaminaNode *n);

/* Slice parameters of one axis after ONNX's clamping rules. */
typedef struct {
  gint64   start, step, len;
  gboolean whole;  /* the axis is kept as it is (its symbol too) */
} LaminaSliceAxis;

/* Fills one LaminaSliceAxis per dimension of a rank-`rank` input (axes the
 * node does not slice are whole); FALSE when the parameters are not
 * known. dims[i] < 0 (unknown) yields len -1 for a sliced axis, unless
 * the slice is [0:end] with step 1, which keeps it whole. */
G_GNUC_INTERNAL gboolean lamina_infer_slice_axes (LaminaInfer *cx, LaminaNode *n, int rank,
                                                  const gint64 *dims, LaminaSliceAxis *axes);

G_END_DECLS
