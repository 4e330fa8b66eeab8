/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tflite-private.h: what the TFLite reader knows about the schema
 * (tensorflow/lite/schema/schema.fbs): field ids of the tables it reads,
 * builtin operator names, tensor types, and one descriptor per builtin
 * options table so options become attributes without a function per op.
 */
#pragma once

#include "graph/lamina-graph.h"
#include "lamina-flatbuf.h"

G_BEGIN_DECLS

/* Field ids (declaration order in schema.fbs; a union takes two ids: its
 * type byte, then its value). */
enum { MODEL_VERSION, MODEL_OPERATOR_CODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION,
       MODEL_BUFFERS, MODEL_METADATA_BUFFER, MODEL_METADATA, MODEL_SIGNATURE_DEFS };
enum { OPCODE_DEPRECATED_BUILTIN_CODE, OPCODE_CUSTOM_CODE, OPCODE_VERSION,
       OPCODE_BUILTIN_CODE };
enum { SUBGRAPH_TENSORS, SUBGRAPH_INPUTS, SUBGRAPH_OUTPUTS, SUBGRAPH_OPERATORS,
       SUBGRAPH_NAME };
enum { TENSOR_SHAPE, TENSOR_TYPE, TENSOR_BUFFER, TENSOR_NAME, TENSOR_QUANTIZATION,
       TENSOR_IS_VARIABLE, TENSOR_SPARSITY, TENSOR_SHAPE_SIGNATURE, TENSOR_HAS_RANK,
       TENSOR_VARIANT_TENSORS };
enum { QUANT_MIN, QUANT_MAX, QUANT_SCALE, QUANT_ZERO_POINT, QUANT_DETAILS_TYPE,
       QUANT_DETAILS, QUANT_QUANTIZED_DIMENSION };
enum { OP_OPCODE_INDEX, OP_INPUTS, OP_OUTPUTS, OP_BUILTIN_OPTIONS_TYPE,
       OP_BUILTIN_OPTIONS, OP_CUSTOM_OPTIONS, OP_CUSTOM_OPTIONS_FORMAT,
       OP_MUTATING_VARIABLE_INPUTS, OP_INTERMEDIATES, OP_LARGE_CUSTOM_OPTIONS_OFFSET,
       OP_LARGE_CUSTOM_OPTIONS_SIZE, OP_BUILTIN_OPTIONS_2_TYPE, OP_BUILTIN_OPTIONS_2 };
enum { BUFFER_DATA, BUFFER_OFFSET, BUFFER_SIZE };
enum { METADATA_NAME, METADATA_BUFFER };
enum { TENSORMAP_NAME, TENSORMAP_TENSOR_INDEX };
enum { SIGNATURE_INPUTS, SIGNATURE_OUTPUTS, SIGNATURE_KEY, SIGNATURE_DEPRECATED_TAG,
       SIGNATURE_SUBGRAPH_INDEX };

#define LAMINA_TFLITE_BUILTIN_CUSTOM      32
/* Files written since the builtin code grew past 127 store 127 in the old
 * int8 field and the real code in the int32 one. */
#define LAMINA_TFLITE_BUILTIN_PLACEHOLDER 127
#define LAMINA_TFLITE_CUSTOM_OPTIONS_FLEXBUFFERS 0

/* CamelCase name of a builtin operator ("Conv2D"), NULL when unknown. */
const char *lamina_tflite_builtin_name (gint64 code);
guint       lamina_tflite_n_builtins (void);

/* TensorType → Lamina dtype. *known is FALSE for values Lamina has no
 * dtype for (RESOURCE, VARIANT, newer types). */
LaminaDType lamina_tflite_dtype (gint64 tensor_type, gboolean *known);
/* Schema name of a TensorType ("FLOAT32"), NULL when out of range. */
const char *lamina_tflite_type_name (gint64 tensor_type);

typedef enum {
  LAMINA_TFLITE_OPT_INT,     /* scalar → LAMINA_ATTR_INT */
  LAMINA_TFLITE_OPT_BOOL,    /* scalar → LAMINA_ATTR_INT (0/1) */
  LAMINA_TFLITE_OPT_FLOAT,   /* scalar → LAMINA_ATTR_FLOAT */
  LAMINA_TFLITE_OPT_ENUM,    /* scalar → LAMINA_ATTR_STRING via enum_names */
  LAMINA_TFLITE_OPT_INTS,    /* vector → LAMINA_ATTR_INTS */
  LAMINA_TFLITE_OPT_FLOATS,  /* vector → LAMINA_ATTR_FLOATS */
  LAMINA_TFLITE_OPT_STRING,  /* string → LAMINA_ATTR_STRING */
} LaminaTfliteOptKind;

typedef struct {
  guint8              id;
  guint8              kind;        /* LaminaTfliteOptKind */
  guint8              scalar;      /* LaminaFbScalar of the value or elements */
  gboolean            only_if_set; /* no attribute when the field is absent */
  const char         *name;
  gint64              def;         /* schema default */
  const char *const  *enum_names;  /* NULL-terminated, for ENUM */
} LaminaTfliteOptField;

typedef struct {
  const char                 *name;      /* "Conv2DOptions" */
  const LaminaTfliteOptField *fields;
  guint                       n_fields;
} LaminaTfliteOptTable;

/* Descriptor of member `type` of union BuiltinOptions (or BuiltinOptions2),
 * NULL when unknown. Tables without fields have n_fields == 0. */
const LaminaTfliteOptTable *lamina_tflite_builtin_options (guint type);
const LaminaTfliteOptTable *lamina_tflite_builtin_options2 (guint type);

G_END_DECLS
