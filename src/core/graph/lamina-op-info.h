/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-op-info.h: what Lamina knows about an operator by name: its
 * category (for the header colour, as Netron colours them) and a one-line
 * description. ONNX and TFLite names are looked up in sorted tables.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LAMINA_OP_CATEGORY_OTHER = 0,
  LAMINA_OP_CATEGORY_LAYER,         /* Conv, Gemm, MatMul, Conv2D ... */
  LAMINA_OP_CATEGORY_ACTIVATION,    /* Relu, Sigmoid, Softmax ... */
  LAMINA_OP_CATEGORY_POOL,          /* MaxPool, AveragePool ... */
  LAMINA_OP_CATEGORY_NORMALIZATION, /* BatchNormalization, LRN ... */
  LAMINA_OP_CATEGORY_TRANSFORM,     /* Pad, Resize, DepthToSpace ... */
  LAMINA_OP_CATEGORY_SHAPE,         /* Reshape, Flatten, Squeeze ... */
  LAMINA_OP_CATEGORY_TENSOR,        /* Concat, Split, Gather, Slice, Transpose ... */
  LAMINA_OP_CATEGORY_DROPOUT,       /* Dropout */
  LAMINA_OP_CATEGORY_DATA,          /* Constant, Identity-like data nodes */
  LAMINA_OP_CATEGORY_QUANTIZATION,  /* QuantizeLinear, DequantizeLinear, QUANTIZE ... */
  LAMINA_OP_CATEGORY_ATTENTION,     /* Attention, MultiHeadAttention ... */
  LAMINA_OP_CATEGORY_CONTROL,       /* If, Loop, Scan (drawn as "other" colour) */
  LAMINA_N_OP_CATEGORIES
} LaminaOpCategory;

LaminaOpCategory lamina_op_category (const char *op_type);
/* Translatable English name of the category ("Layer", "Activation" ...). */
const char      *lamina_op_category_name (LaminaOpCategory category);
/* Netron's header fill for a category, as 0..1 RGB. */
void             lamina_op_category_color (LaminaOpCategory category,
                                           double *r, double *g, double *b);
/* One-line description of the operator, or NULL when unknown. */
const char      *lamina_op_doc (const char *op_type);
/* For tests: the table is in strcmp order (bsearch needs it). */
gboolean         lamina_op_info_table_is_sorted (void);

G_END_DECLS
