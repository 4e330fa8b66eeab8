/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-value.h: a runtime tensor of the simulator — a dense, row-major
 * buffer with its dtype, shape and (for fixed graphs) quantization.
 * Plain C on purpose (like ggml's tensors): kernels touch thousands of them.
 *
 * Values are either borrowed views of constant data in the model file
 * (`owned == FALSE`, never written) or buffers of the engine's arena.
 */
#pragma once

#include <gio/gio.h>
#include "graph/lamina-graph.h"

G_BEGIN_DECLS

#define LAMINA_MAX_RANK 8

typedef struct {
  LaminaDType        dtype;
  int                rank;                    /* 0 for scalars */
  gint64             dims[LAMINA_MAX_RANK];
  gint64             numel;                   /* product of dims (1 for scalars) */
  void              *data;                    /* numel * lamina_dtype_size (dtype) bytes */
  gsize              nbytes;                  /* capacity of data */
  gboolean           owned;                   /* FALSE: borrowed constant, read-only */
  const LaminaQuant *quant;                   /* borrowed; NULL when not quantized */
} LaminaValue;

/* Sets dtype and shape; numel is computed. FALSE (+ error) when the shape
 * has negative dims, too many dims, or overflows. Does not allocate. */
gboolean     lamina_value_set_shape (LaminaValue *v, LaminaDType dtype, int rank,
                                     const gint64 *dims, GError **error);
/* Ensures an owned buffer of at least numel elements (grows; contents undefined). */
gboolean     lamina_value_alloc     (LaminaValue *v, GError **error);
/* A read-only view of a constant tensor of the graph (data mapped from the
 * file); FALSE when the tensor has no data or its size does not match. */
gboolean     lamina_value_from_constant (LaminaValue *v, const LaminaTensor *t, GError **error);
void         lamina_value_clear     (LaminaValue *v);   /* frees owned data */
/* An owned copy of v's data in out (cleared first; quant is borrowed as
 * v's is); FALSE + error when out of memory. */
gboolean     lamina_value_copy      (LaminaValue *out, const LaminaValue *v, GError **error);
gboolean     lamina_value_same_shape (const LaminaValue *a, const LaminaValue *b);
/* "float32[1,3,224,224]" for messages */
char        *lamina_value_describe  (const LaminaValue *v);

/* Reads element i of any numeric dtype as double / int64 (slow; for shape
 * inputs such as Reshape's `shape` or Slice's `starts`, never in hot loops). */
double       lamina_value_get_double (const LaminaValue *v, gint64 i);
gint64       lamina_value_get_int    (const LaminaValue *v, gint64 i);

#define LAMINA_VALUE_F32(v) ((float *) (v)->data)

G_END_DECLS
