/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-kernel.h: the one interface between the simulator and the
 * operators (ggml-style: one clear dispatch, one file per op family).
 *
 * A kernel is looked up once per node when the engine plans the graph
 * (lamina_kernel_lookup). For each run of the node the engine calls
 *   reshape  — from the input values (shapes, and the contents of small
 *              shape-like inputs such as Reshape's `shape`), set every
 *              output's dtype and shape with lamina_value_set_shape;
 *              the engine then allocates the outputs from its arena;
 *   run      — compute the outputs.
 * Both receive the node (attributes via lamina_node_get_int ...) and may
 * keep per-node state prepared once (packed weights, lookup tables):
 * `prepare` runs at plan time with constant inputs available; there
 * inputs computed at run time are NULL (node->inputs tells them apart from
 * omitted ones) and every output is NULL.
 *
 * TFLite operators (NHWC, fused activations, SAME/VALID padding) are kernels
 * of their own names in the same family files, sharing the ONNX kernels'
 * compute routines (e.g. one convolution routine with layout parameters) —
 * never a second copy of the arithmetic.
 *
 * Every family file has a reference path and, where it matters, a fast
 * path side by side, and a test that they agree.
 */
#pragma once

#include <gio/gio.h>
#include "lamina-value.h"
#include "lamina-parallel.h"

G_BEGIN_DECLS

#define LAMINA_KERNEL_ERROR (lamina_kernel_error_quark ())
GQuark lamina_kernel_error_quark (void);

typedef enum {
  LAMINA_KERNEL_ERROR_UNSUPPORTED,   /* operator, attribute value or dtype without a kernel */
  LAMINA_KERNEL_ERROR_INVALID,       /* inputs that break the operator's rules (shapes ...) */
} LaminaKernelError;

/* An activation the engine fused into the node before it (Relu, Clip ...):
 * every output element is clamped to [lo, hi] as it is written. */
typedef struct {
  float lo, hi;
} LaminaKernelClamp;

typedef struct {
  const LaminaNode   *node;
  const LaminaValue **inputs;     /* n_inputs entries; NULL = omitted optional input */
  guint               n_inputs;
  LaminaValue       **outputs;    /* n_outputs entries; NULL = output nobody reads */
  guint               n_outputs;
  gint64              opset;      /* opset of the node's domain */
  LaminaParallel     *parallel;   /* threads for heavy kernels; never NULL */
  gpointer            state;      /* what prepare returned, or NULL */
  const LaminaKernelClamp *clamp; /* NULL, or a fused activation (kernels with fuses_clamp) */
} LaminaKernelCall;

typedef struct {
  const char *op_type;           /* as in LaminaNode.op_type: "Conv", "Conv2D" (TFLite) */
  const char *domain;            /* "" for ONNX's default domain and TFLite builtins */
  gboolean  (*prepare) (LaminaKernelCall *call, gpointer *state, GError **error);  /* optional */
  gboolean  (*reshape) (LaminaKernelCall *call, GError **error);
  gboolean  (*run)     (LaminaKernelCall *call, GError **error);
  void      (*free_state) (gpointer state);                                        /* optional */
  gboolean    fuses_clamp;       /* run honours call->clamp (one float32 output) */
} LaminaKernel;

/* Each family file (lamina-ops-<family>.c) exports its table. */
#define LAMINA_DECLARE_KERNELS(family) \
  extern const LaminaKernel lamina_kernels_##family[]; \
  extern const guint lamina_n_kernels_##family

LAMINA_DECLARE_KERNELS (elementwise);   /* Add ... Where, activations, Clip, Cast */
LAMINA_DECLARE_KERNELS (reduce);        /* Reduce*, ArgMax, Softmax, norms, TopK */
LAMINA_DECLARE_KERNELS (conv);          /* Conv, ConvTranspose, pools, Gemm, MatMul */
LAMINA_DECLARE_KERNELS (tensor);        /* Reshape ... Resize: data movement */
/* The integer kernels (lamina-ops-int8.c): a registry of their own, since
 * their names repeat the float ones (Conv2D, Add ...) and a node's
 * quantization picks between them (lamina_kernel_lookup_node). */
LAMINA_DECLARE_KERNELS (integer);       /* int8/uint8/int16 activations, ONNX QLinear* */

/* The kernel for op_type in domain, or NULL: the float kernel, else the
 * integer one for operators without a float twin (QLinearConv ...). */
const LaminaKernel *lamina_kernel_lookup (const char *op_type, const char *domain);
/* The integer kernel for op_type in domain, or NULL. */
const LaminaKernel *lamina_kernel_lookup_integer (const char *op_type, const char *domain);
/* The kernel for a node: the integer kernel when the node's first input
 * (or, without inputs, its first output) is an int8/uint8/int16 tensor with
 * quantization parameters and the operator has an integer kernel;
 * lamina_kernel_fallback when it has only a float kernel; the float kernel
 * otherwise (as lamina_kernel_lookup). */
const LaminaKernel *lamina_kernel_lookup_node (const LaminaNode *node);
/* TRUE when the node's activations are quantized integers (as
 * lamina_kernel_lookup_node decides), its operator has no integer kernel
 * but a float one: it runs as dequantize → float → quantize ("float
 * fallback", lamina-ops-fallback.c), and `info` and the window say so. */
gboolean            lamina_kernel_node_needs_fallback (const LaminaNode *node);
/* The kernel lamina_kernel_lookup_node returns for such nodes. */
extern const LaminaKernel lamina_kernel_fallback;
/* All registered float kernels (for `info`'s supported list, tests);
 * integer-only kernels are not in this list. */
guint               lamina_kernel_count (void);
const LaminaKernel *lamina_kernel_nth   (guint i);

/* Narrows [*lo, *hi] (the node's own clamp, e.g. TFLite's fused activation)
 * by call->clamp, as applying one clamp after the other would. */
void     lamina_kernel_fused_clamp (const LaminaKernelCall *call, float *lo, float *hi);

/* Helpers shared by kernels: errors that name the node. */
gboolean lamina_kernel_fail (const LaminaKernelCall *call, GError **error, LaminaKernelError code,
                             const char *format, ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
