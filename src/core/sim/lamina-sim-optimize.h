/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-sim-optimize.h: plan-time optimisations of the simulator (private
 * to src/core/sim). Apart from the QDQ rewrites below, none of them changes
 * what a run computes beyond float rounding; tests/test-sim-optimize.c
 * compares against unoptimised runs.
 *
 * Constant folding: a node whose inputs are all constants (a TFLite
 * Dequantize of float16 weights, an ONNX shape computation on constants)
 * runs once at plan time; its outputs become constants of the simulator, so
 * the kernels that read them pack them once in prepare. The node stays a
 * step of the schedule that takes no time; its outputs are readable from
 * the start, like those of Constant nodes.
 *
 * Fusion: a Conv may compute the BatchNormalization and Add/Sub/Mul/Div
 * by per-channel constants that alone read its output (filter and bias
 * rescaled into constants the simulator owns); a Conv/ConvTranspose/Gemm/
 * MatMul/FullyConnected (any kernel with fuses_clamp) the Relu or Clip that
 * alone reads its result, as a clamp applied while writing; and the
 * decomposed hard swish x · Clip (x + 3, 0, 6) / 6 runs as one HardSwish.
 * The head step then writes the last node's output and the absorbed steps
 * take no time.
 *
 * QDQ ONNX files run as their integer program, as ONNX Runtime and an NPU
 * run them:
 *  - DequantizeLinear (x_q) → Conv (int8 weights through DequantizeLinear,
 *    float or int32 bias) → [Relu | Clip] → QuantizeLinear is one
 *    QLinearConv with the clamp fused (requantized as ONNX Runtime does:
 *    the output differs from the graph run as written, where float sums
 *    break rounding ties differently);
 *  - DequantizeLinear → unary function (Sigmoid, Tanh ...) →
 *    QuantizeLinear on 8-bit per-tensor integers is one 256-entry table
 *    (LookupTable), built with the three nodes' own kernels: exact;
 *  - groups of DequantizeLinear → data movement (Reshape, Transpose,
 *    Gather, Concat, MaxPool, nearest Resize ...) → QuantizeLinear with one
 *    scale and zero point run the movement on the integers and the
 *    DequantizeLinear / QuantizeLinear steps as copies (exact); a Conv
 *    reading such a DequantizeLinear (one that also has other readers)
 *    joins the group as a QLinearConv. A group is live or not as a whole.
 *
 * A fusion is only used while nobody can see the tensors it skips: no
 * observer, keep_all off, none of them kept. Otherwise (the window,
 * --dump) every node runs as written, so the user sees every intermediate
 * value.
 */
#pragma once

#include "lamina-sim-private.h"

G_BEGIN_DECLS

#define LAMINA_SIM_FUSE_MAX 6

struct _LaminaSimFusion {
  guint               n_absorbed;
  guint               absorbed[LAMINA_SIM_FUSE_MAX];  /* later steps, in schedule order */
  const LaminaTensor *inner[LAMINA_SIM_FUSE_MAX];     /* tensors a fused run does not compute */
  guint               n_inner;                        /* (or computes differently): kept, they stop it */
  GPtrArray          *watch;                          /* more such tensors (shared by a group), or NULL */
  const LaminaTensor *result;        /* the last absorbed node's output, written by the head */
  const LaminaKernelClamp *clamp;    /* NULL or &clamp_value */
  LaminaKernelClamp   clamp_value;
  /* folded per-channel affine nodes (BatchNormalization, Mul ...): the
   * rewritten filter and bias, with the head kernel's state for them */
  LaminaValue         weight, bias;
  gpointer            state;
  /* the call's inputs when they differ from the head's: the rewritten
   * filter and bias, or the one input of a replacement kernel */
  const LaminaValue **inputs;
  guint               n_inputs;
  /* a replacement for the head's kernel (HardSwish for x·Clip(x+3,0,6)/6)
   * with its node in a graph of its own; source: the head input it reads */
  const LaminaKernel *kernel;
  LaminaGraph        *graph;
  const LaminaNode   *node;
  guint               source;
};

/* Largest output of a node folded at plan time: a constant stays in memory
 * for the simulator's life, an activation only until its last reader. */
#define LAMINA_SIM_FOLD_MAX_BYTES (64 << 20)

/* Runs the nodes whose inputs are all constants (after plan_reads, before
 * prepare). A node that fails is left to run time, which reports it. */
void     lamina_sim_fold_constants (LaminaSim *sim);
/* Finds the fusions (after prepare). */
void     lamina_sim_fuse           (LaminaSim *sim);
/* Whether a run may use f now. */
gboolean lamina_sim_fusion_live    (const LaminaSim *sim, const LaminaSimFusion *f);
void     lamina_sim_fusion_free    (LaminaSimFusion *f, const LaminaKernel *head_kernel);

G_END_DECLS
