/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-quantize.h: float graph → fixed graph in QDQ form (DESIGN.md,
 * "Numerics of the virtual NPU"), which lamina_onnx_write saves as an ONNX
 * file ONNX Runtime runs.
 *
 * Steps, in order:
 *  1. BatchNormalization is folded into the Conv before it.
 *  2. The default ONNX opset is raised to 13 (per-axis DequantizeLinear):
 *     Squeeze/Unsqueeze/ReduceSum `axes` and Split `split` become inputs,
 *     Softmax/LogSoftmax/Hardmax keep their pre-13 meaning.
 *  3. Every float32 activation (graph inputs and node outputs) gets
 *     QuantizeLinear → DequantizeLinear; consumers read the dequantized
 *     tensor. int8: asymmetric per tensor (zero point in −128..127, the
 *     range always contains 0); int16: symmetric (zero point 0), written in
 *     the com.microsoft domain as ONNX Runtime's own quantizer does (ONNX
 *     allows int16 there only from opset 21).
 *     Not quantized: the output of Conv/ConvTranspose/Gemm/MatMul/Add when
 *     its only reader is a Relu or Clip (the NPU fuses the clamp: the QDQ
 *     follows the activation), tensors kept float, tensors calibration
 *     never saw.
 *  4. Weights of Conv, ConvTranspose (group 1), Gemm and MatMul: int8
 *     symmetric (−127..127) per output channel (DequantizeLinear `axis`);
 *     their float32 bias becomes int32 with scale s_in·s_w[c], zero point 0.
 *     Other constants (Mul/Add operands, Resize scales, Clip bounds) stay
 *     float.
 *  5. Shared parameters: outputs of MaxPool, Reshape, Transpose, Slice,
 *     Squeeze, Unsqueeze, Flatten, Gather, Split, Resize, Pad, Identity,
 *     DepthToSpace, SpaceToDepth, Tile, Expand, GlobalMaxPool share their
 *     input's parameters, and Concat's inputs share its output's: each such
 *     set of tensors takes one range (the union of their calibrated ranges)
 *     — only among tensors of the same precision.
 *  6. Mixed precision: a rule (a string) matches a tensor by name, or a node
 *     by name or operator type (then the node's outputs). keep_float rules
 *     win over int16 rules, which win over the default `bits`. A node whose
 *     outputs are float keeps float weights.
 *
 * Provenance: the model's metadata_props entry "lamina.float_of" lists, for
 * every tensor the quantizer made or renamed, the float tensor it stands
 * for: one line per tensor, "FIXED<TAB>FLOAT", both names escaped with
 * g_strescape. Tensors not listed have the same name in both graphs.
 * lamina_quantize_float_of parses it.
 */
#pragma once

#include "graph/lamina-graph.h"
#include "quant/lamina-calibrate.h"

G_BEGIN_DECLS

#define LAMINA_QUANT_FLOAT_OF_KEY "lamina.float_of"

typedef enum {
  LAMINA_PRECISION_INT8 = 0,
  LAMINA_PRECISION_INT16,
  LAMINA_PRECISION_FLOAT,
} LaminaPrecision;

typedef struct {
  LaminaCalibMethod   method;
  double              percentile;    /* 0: LAMINA_CALIB_DEFAULT_PERCENTILE */
  int                 bits;          /* default activation bits: 8 or 16 (0 = 8) */
  const char *const  *keep_float;    /* rules, NULL-terminated; may be NULL */
  const char *const  *int16;
} LaminaQuantizeOptions;

typedef struct {
  guint n_bn_folded;
  guint n_int8, n_int16, n_float;   /* activation tensors by precision */
  guint n_fused;                    /* activations fused into the op before */
  guint n_weights;                  /* per-channel int8 weights */
  guint n_biases;                   /* int32 biases */
  guint n_unobserved;               /* float tensors calibration never saw */
} LaminaQuantizeStats;

/* Step 1 alone: a copy of model with every foldable BatchNormalization
 * folded (n_folded may be NULL). */
LaminaModel *lamina_fold_batchnorm (const LaminaModel *model, guint *n_folded, GError **error);
/* Step 2 alone: a copy at default opset >= 13. */
LaminaModel *lamina_upgrade_opset13 (const LaminaModel *model, GError **error);

/* The whole quantizer. `calib` observed `model` (or its BN-folded copy:
 * folding keeps the BatchNormalization's output name). stats may be NULL. */
LaminaModel *lamina_quantize (const LaminaModel *model, const LaminaCalibration *calib,
                              const LaminaQuantizeOptions *options, LaminaQuantizeStats *stats,
                              GError **error);

/* The [QUANTIZE] group of a preset file: keep_float= and int16= lists
 * (',' or ';' separated). Absent group or keys give empty lists. */
gboolean     lamina_quantize_preset_rules (const char *preset_path, GStrv *keep_float,
                                           GStrv *int16, GError **error);

/* "lamina.float_of" of a fixed model as fixed name → float name
 * (char* → char*); empty when the model has none. */
GHashTable  *lamina_quantize_float_of (const LaminaModel *fixed);

G_END_DECLS
