/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-op-info.c: operator categories (Netron's colouring) and one-line
 * descriptions, for ONNX names and the CamelCase TFLite names the TFLite
 * reader produces. One table in strcmp order, searched with bsearch.
 */
#define G_LOG_DOMAIN "lamina-graph"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-op-info.h"

typedef struct {
  const char       *op;
  LaminaOpCategory  category;
  const char       *doc;
} OpInfo;

#define L LAMINA_OP_CATEGORY_LAYER
#define A LAMINA_OP_CATEGORY_ACTIVATION
#define P LAMINA_OP_CATEGORY_POOL
#define N LAMINA_OP_CATEGORY_NORMALIZATION
#define T LAMINA_OP_CATEGORY_TRANSFORM
#define S LAMINA_OP_CATEGORY_SHAPE
#define X LAMINA_OP_CATEGORY_TENSOR
#define D LAMINA_OP_CATEGORY_DROPOUT
#define Q LAMINA_OP_CATEGORY_QUANTIZATION
#define C LAMINA_OP_CATEGORY_CONTROL
#define O LAMINA_OP_CATEGORY_OTHER

/* strcmp order: upper case sorts before lower case. */
static const OpInfo ops[] = {
  { "Add", O, N_("Element-wise addition with broadcasting") },
  { "ArgMax", O, N_("Index of the largest value along an axis") },
  { "Attention", LAMINA_OP_CATEGORY_ATTENTION, N_("Multi-head attention") },
  { "AveragePool", P, N_("Average over sliding windows") },
  { "AveragePool2D", P, N_("Average over sliding windows (NHWC)") },
  { "BatchNormalization", N, N_("Normalise with running mean and variance, then scale and shift") },
  { "Cast", O, N_("Convert elements to another data type") },
  { "Clip", A, N_("Limit values to [min, max]") },
  { "Concat", X, N_("Join tensors along an axis") },
  { "Concatenation", X, N_("Join tensors along an axis") },
  { "Constant", LAMINA_OP_CATEGORY_DATA, N_("A constant tensor") },
  { "Conv", L, N_("N-dimensional convolution") },
  { "Conv2D", L, N_("2-D convolution (NHWC)") },
  { "ConvInteger", L, N_("Integer convolution with zero points") },
  { "ConvTranspose", L, N_("Transposed (fractionally strided) convolution") },
  { "DepthToSpace", T, N_("Move depth blocks into spatial positions") },
  { "DepthwiseConv2D", L, N_("Depthwise 2-D convolution (NHWC)") },
  { "Dequantize", Q, N_("Convert quantized or float16 values to float32") },
  { "DequantizeLinear", Q, N_("(x − zero point) × scale") },
  { "Div", O, N_("Element-wise division with broadcasting") },
  { "Dropout", D, N_("Random zeroing at training time; identity at inference") },
  { "Elu", A, N_("Exponential linear unit") },
  { "Erf", O, N_("Gauss error function") },
  { "Exp", O, N_("Element-wise exponential") },
  { "Expand", X, N_("Broadcast a tensor to a shape") },
  { "Flatten", S, N_("Reshape to 2-D at an axis") },
  { "FullyConnected", L, N_("Matrix product with weights, plus bias") },
  { "Gather", X, N_("Take entries along an axis by index") },
  { "Gelu", A, N_("Gaussian error linear unit") },
  { "Gemm", L, N_("General matrix multiply: α·A·B + β·C") },
  { "GlobalAveragePool", P, N_("Average over all spatial positions") },
  { "GlobalMaxPool", P, N_("Maximum over all spatial positions") },
  { "HardSigmoid", A, N_("max(0, min(1, α·x + β))") },
  { "HardSwish", A, N_("x · HardSigmoid(x)") },
  { "Identity", O, N_("Output equals input") },
  { "If", C, N_("Run one of two subgraphs") },
  { "InstanceNormalization", N, N_("Normalise each channel of each sample") },
  { "LRN", N, N_("Local response normalisation") },
  { "LayerNormalization", N, N_("Normalise over the last axes, then scale and shift") },
  { "LeakyRelu", A, N_("x if x ≥ 0, else α·x") },
  { "Logistic", A, N_("Sigmoid: 1 / (1 + e^−x)") },
  { "Loop", C, N_("Run a subgraph repeatedly") },
  { "MatMul", L, N_("Matrix product (batched, NumPy semantics)") },
  { "MatMulInteger", L, N_("Integer matrix product with zero points") },
  { "MaxPool", P, N_("Maximum over sliding windows") },
  { "MaxPool2D", P, N_("Maximum over sliding windows (NHWC)") },
  { "Mul", O, N_("Element-wise multiplication with broadcasting") },
  { "PRelu", A, N_("x if x ≥ 0, else slope·x (learned slope)") },
  { "Pad", T, N_("Pad a tensor") },
  { "QLinearConv", L, N_("Quantized convolution") },
  { "QLinearMatMul", L, N_("Quantized matrix product") },
  { "Quantize", Q, N_("Convert float values to quantized integers") },
  { "QuantizeLinear", Q, N_("round(x / scale) + zero point, saturated") },
  { "ReduceMean", O, N_("Mean over axes") },
  { "Relu", A, N_("max(0, x)") },
  { "Relu6", A, N_("min(max(0, x), 6)") },
  { "Reshape", S, N_("Give a tensor a new shape") },
  { "Resize", T, N_("Resample a tensor (nearest, linear, cubic)") },
  { "ResizeBilinear", T, N_("Bilinear resampling (NHWC)") },
  { "ResizeNearestNeighbor", T, N_("Nearest-neighbour resampling (NHWC)") },
  { "Scan", C, N_("Run a subgraph over sequences") },
  { "Shape", S, N_("The shape of a tensor as a 1-D tensor") },
  { "Sigmoid", A, N_("1 / (1 + e^−x)") },
  { "Slice", X, N_("Take a strided sub-range along axes") },
  { "Softmax", A, N_("Normalised exponentials along an axis") },
  { "SpaceToDepth", T, N_("Move spatial blocks into depth") },
  { "Split", X, N_("Split a tensor into parts along an axis") },
  { "Squeeze", S, N_("Remove dimensions of size 1") },
  { "StridedSlice", X, N_("Take a strided sub-range (TFLite)") },
  { "Sub", O, N_("Element-wise subtraction with broadcasting") },
  { "Tanh", A, N_("Hyperbolic tangent") },
  { "Tile", X, N_("Repeat a tensor along axes") },
  { "Transpose", X, N_("Permute the axes of a tensor") },
  { "Unsqueeze", S, N_("Insert dimensions of size 1") },
  { "Upsample", T, N_("Resample a tensor (deprecated Resize)") },
};

static int
compare_op (const void *key, const void *entry)
{
  return strcmp (key, ((const OpInfo *) entry)->op);
}

static const OpInfo *
lookup (const char *op_type)
{
  if (op_type == NULL)
    return NULL;
  return bsearch (op_type, ops, G_N_ELEMENTS (ops), sizeof ops[0], compare_op);
}

gboolean
lamina_op_info_table_is_sorted (void)
{
  for (guint i = 1; i < G_N_ELEMENTS (ops); i++)
    if (strcmp (ops[i - 1].op, ops[i].op) >= 0)
      return FALSE;
  return TRUE;
}

LaminaOpCategory
lamina_op_category (const char *op_type)
{
  const OpInfo *info = lookup (op_type);

  if (info != NULL)
    return info->category;
  /* QLinear* and the like without an entry of their own */
  if (op_type && (g_str_has_prefix (op_type, "QLinear") || g_str_has_suffix (op_type, "Quantize")))
    return LAMINA_OP_CATEGORY_QUANTIZATION;
  return LAMINA_OP_CATEGORY_OTHER;
}

const char *
lamina_op_doc (const char *op_type)
{
  const OpInfo *info = lookup (op_type);

  return info ? _(info->doc) : NULL;
}

typedef struct {
  const char *name;
  guint8      r, g, b;
} CategoryStyle;

/* Netron's header fills, as measured (DESIGN.md). */
static const CategoryStyle styles[] = {
  [LAMINA_OP_CATEGORY_OTHER]         = { N_("Other"), 51, 51, 51 },
  [LAMINA_OP_CATEGORY_LAYER]         = { N_("Layer"), 51, 85, 136 },
  [LAMINA_OP_CATEGORY_ACTIVATION]    = { N_("Activation"), 112, 41, 33 },
  [LAMINA_OP_CATEGORY_POOL]          = { N_("Pooling"), 51, 85, 51 },
  [LAMINA_OP_CATEGORY_NORMALIZATION] = { N_("Normalization"), 51, 85, 68 },
  [LAMINA_OP_CATEGORY_TRANSFORM]     = { N_("Transform"), 51, 85, 68 },
  [LAMINA_OP_CATEGORY_SHAPE]         = { N_("Shape"), 108, 79, 71 },
  [LAMINA_OP_CATEGORY_TENSOR]        = { N_("Tensor"), 89, 66, 59 },
  [LAMINA_OP_CATEGORY_DROPOUT]       = { N_("Dropout"), 69, 71, 112 },
  [LAMINA_OP_CATEGORY_DATA]          = { N_("Data"), 85, 85, 85 },
  [LAMINA_OP_CATEGORY_QUANTIZATION]  = { N_("Quantization"), 80, 40, 0 },
  [LAMINA_OP_CATEGORY_ATTENTION]     = { N_("Attention"), 120, 60, 0 },
  [LAMINA_OP_CATEGORY_CONTROL]       = { N_("Control"), 51, 51, 51 },
};
G_STATIC_ASSERT (G_N_ELEMENTS (styles) == LAMINA_N_OP_CATEGORIES);

const char *
lamina_op_category_name (LaminaOpCategory category)
{
  if ((guint) category >= LAMINA_N_OP_CATEGORIES)
    category = LAMINA_OP_CATEGORY_OTHER;
  return _(styles[category].name);
}

void
lamina_op_category_color (LaminaOpCategory category, double *r, double *g, double *b)
{
  if ((guint) category >= LAMINA_N_OP_CATEGORIES)
    category = LAMINA_OP_CATEGORY_OTHER;
  *r = styles[category].r / 255.0;
  *g = styles[category].g / 255.0;
  *b = styles[category].b / 255.0;
}
