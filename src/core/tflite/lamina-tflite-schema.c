/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tflite-schema.c: tables describing TFLite's schema (schema.fbs):
 * builtin operator names, tensor types and builtin options descriptors.
 */
#define G_LOG_DOMAIN "lamina-tflite"

#include "lamina-tflite-private.h"

/* ---- builtin operators ------------------------------------------------- */

/* Indexed by BuiltinOperator. Names are the schema's, in CamelCase as Netron
 * shows them (CONV_2D → Conv2D), acronyms kept (LSTM, RNN, 2D). */
static const char *const builtin_names[] = {
  [0] = "Add",
  [1] = "AveragePool2D",
  [2] = "Concatenation",
  [3] = "Conv2D",
  [4] = "DepthwiseConv2D",
  [5] = "DepthToSpace",
  [6] = "Dequantize",
  [7] = "EmbeddingLookup",
  [8] = "Floor",
  [9] = "FullyConnected",
  [10] = "HashtableLookup",
  [11] = "L2Normalization",
  [12] = "L2Pool2D",
  [13] = "LocalResponseNormalization",
  [14] = "Logistic",
  [15] = "LSHProjection",
  [16] = "LSTM",
  [17] = "MaxPool2D",
  [18] = "Mul",
  [19] = "Relu",
  [20] = "ReluN1To1",
  [21] = "Relu6",
  [22] = "Reshape",
  [23] = "ResizeBilinear",
  [24] = "RNN",
  [25] = "Softmax",
  [26] = "SpaceToDepth",
  [27] = "SVDF",
  [28] = "Tanh",
  [29] = "ConcatEmbeddings",
  [30] = "SkipGram",
  [31] = "Call",
  [32] = "Custom",
  [33] = "EmbeddingLookupSparse",
  [34] = "Pad",
  [35] = "UnidirectionalSequenceRNN",
  [36] = "Gather",
  [37] = "BatchToSpaceND",
  [38] = "SpaceToBatchND",
  [39] = "Transpose",
  [40] = "Mean",
  [41] = "Sub",
  [42] = "Div",
  [43] = "Squeeze",
  [44] = "UnidirectionalSequenceLSTM",
  [45] = "StridedSlice",
  [46] = "BidirectionalSequenceRNN",
  [47] = "Exp",
  [48] = "TopKV2",
  [49] = "Split",
  [50] = "LogSoftmax",
  [51] = "Delegate",
  [52] = "BidirectionalSequenceLSTM",
  [53] = "Cast",
  [54] = "PRelu",
  [55] = "Maximum",
  [56] = "ArgMax",
  [57] = "Minimum",
  [58] = "Less",
  [59] = "Neg",
  [60] = "PadV2",
  [61] = "Greater",
  [62] = "GreaterEqual",
  [63] = "LessEqual",
  [64] = "Select",
  [65] = "Slice",
  [66] = "Sin",
  [67] = "TransposeConv",
  [68] = "SparseToDense",
  [69] = "Tile",
  [70] = "ExpandDims",
  [71] = "Equal",
  [72] = "NotEqual",
  [73] = "Log",
  [74] = "Sum",
  [75] = "Sqrt",
  [76] = "Rsqrt",
  [77] = "Shape",
  [78] = "Pow",
  [79] = "ArgMin",
  [80] = "FakeQuant",
  [81] = "ReduceProd",
  [82] = "ReduceMax",
  [83] = "Pack",
  [84] = "LogicalOr",
  [85] = "OneHot",
  [86] = "LogicalAnd",
  [87] = "LogicalNot",
  [88] = "Unpack",
  [89] = "ReduceMin",
  [90] = "FloorDiv",
  [91] = "ReduceAny",
  [92] = "Square",
  [93] = "ZerosLike",
  [94] = "Fill",
  [95] = "FloorMod",
  [96] = "Range",
  [97] = "ResizeNearestNeighbor",
  [98] = "LeakyRelu",
  [99] = "SquaredDifference",
  [100] = "MirrorPad",
  [101] = "Abs",
  [102] = "SplitV",
  [103] = "Unique",
  [104] = "Ceil",
  [105] = "ReverseV2",
  [106] = "AddN",
  [107] = "GatherND",
  [108] = "Cos",
  [109] = "Where",
  [110] = "Rank",
  [111] = "Elu",
  [112] = "ReverseSequence",
  [113] = "MatrixDiag",
  [114] = "Quantize",
  [115] = "MatrixSetDiag",
  [116] = "Round",
  [117] = "HardSwish",
  [118] = "If",
  [119] = "While",
  [120] = "NonMaxSuppressionV4",
  [121] = "NonMaxSuppressionV5",
  [122] = "ScatterND",
  [123] = "SelectV2",
  [124] = "Densify",
  [125] = "SegmentSum",
  [126] = "BatchMatMul",
  [127] = "PlaceholderForGreaterOpCodes",
  [128] = "Cumsum",
  [129] = "CallOnce",
  [130] = "BroadcastTo",
  [131] = "RFFT2D",
  [132] = "Conv3D",
  [133] = "Imag",
  [134] = "Real",
  [135] = "ComplexAbs",
  [136] = "Hashtable",
  [137] = "HashtableFind",
  [138] = "HashtableImport",
  [139] = "HashtableSize",
  [140] = "ReduceAll",
  [141] = "Conv3DTranspose",
  [142] = "VarHandle",
  [143] = "ReadVariable",
  [144] = "AssignVariable",
  [145] = "BroadcastArgs",
  [146] = "RandomStandardNormal",
  [147] = "Bucketize",
  [148] = "RandomUniform",
  [149] = "Multinomial",
  [150] = "Gelu",
  [151] = "DynamicUpdateSlice",
  [152] = "Relu0To1",
  [153] = "UnsortedSegmentProd",
  [154] = "UnsortedSegmentMax",
  [155] = "UnsortedSegmentSum",
  [156] = "Atan2",
  [157] = "UnsortedSegmentMin",
  [158] = "Sign",
  [159] = "Bitcast",
  [160] = "BitwiseXor",
  [161] = "RightShift",
  [162] = "StablehloLogistic",
  [163] = "StablehloAdd",
  [164] = "StablehloDivide",
  [165] = "StablehloMultiply",
  [166] = "StablehloMaximum",
  [167] = "StablehloReshape",
  [168] = "StablehloClamp",
  [169] = "StablehloConcatenate",
  [170] = "StablehloBroadcastInDim",
  [171] = "StablehloConvolution",
  [172] = "StablehloSlice",
  [173] = "StablehloCustomCall",
  [174] = "StablehloReduce",
  [175] = "StablehloAbs",
  [176] = "StablehloAnd",
  [177] = "StablehloCosine",
  [178] = "StablehloExponential",
  [179] = "StablehloFloor",
  [180] = "StablehloLog",
  [181] = "StablehloMinimum",
  [182] = "StablehloNegate",
  [183] = "StablehloOr",
  [184] = "StablehloPower",
  [185] = "StablehloRemainder",
  [186] = "StablehloRsqrt",
  [187] = "StablehloSelect",
  [188] = "StablehloSubtract",
  [189] = "StablehloTanh",
  [190] = "StablehloScatter",
  [191] = "StablehloCompare",
  [192] = "StablehloConvert",
  [193] = "StablehloDynamicSlice",
  [194] = "StablehloDynamicUpdateSlice",
  [195] = "StablehloPad",
  [196] = "StablehloIota",
  [197] = "StablehloDotGeneral",
  [198] = "StablehloReduceWindow",
  [199] = "StablehloSort",
  [200] = "StablehloWhile",
  [201] = "StablehloGather",
  [202] = "StablehloTranspose",
  [203] = "Dilate",
  [204] = "StablehloRngBitGenerator",
  [205] = "ReduceWindow",
  [206] = "StablehloComposite",
  [207] = "Complex",
};
G_STATIC_ASSERT (G_N_ELEMENTS (builtin_names) == 208);

const char *
lamina_tflite_builtin_name (gint64 code)
{
  if (code < 0 || code >= (gint64) G_N_ELEMENTS (builtin_names))
    return NULL;
  return builtin_names[code];
}

guint
lamina_tflite_n_builtins (void)
{
  return G_N_ELEMENTS (builtin_names);
}

/* ---- tensor types ------------------------------------------------------ */

typedef struct {
  const char  *name;
  LaminaDType  dtype;
} TensorTypeInfo;

/* Indexed by TensorType. RESOURCE and VARIANT have no Lamina dtype. */
static const TensorTypeInfo tensor_types[] = {
  [0] = { "FLOAT32", LAMINA_DTYPE_FLOAT32 },
  [1] = { "FLOAT16", LAMINA_DTYPE_FLOAT16 },
  [2] = { "INT32", LAMINA_DTYPE_INT32 },
  [3] = { "UINT8", LAMINA_DTYPE_UINT8 },
  [4] = { "INT64", LAMINA_DTYPE_INT64 },
  [5] = { "STRING", LAMINA_DTYPE_STRING },
  [6] = { "BOOL", LAMINA_DTYPE_BOOL },
  [7] = { "INT16", LAMINA_DTYPE_INT16 },
  [8] = { "COMPLEX64", LAMINA_DTYPE_COMPLEX64 },
  [9] = { "INT8", LAMINA_DTYPE_INT8 },
  [10] = { "FLOAT64", LAMINA_DTYPE_FLOAT64 },
  [11] = { "COMPLEX128", LAMINA_DTYPE_COMPLEX128 },
  [12] = { "UINT64", LAMINA_DTYPE_UINT64 },
  [13] = { "RESOURCE", LAMINA_DTYPE_UNDEFINED },
  [14] = { "VARIANT", LAMINA_DTYPE_UNDEFINED },
  [15] = { "UINT32", LAMINA_DTYPE_UINT32 },
  [16] = { "UINT16", LAMINA_DTYPE_UINT16 },
  [17] = { "INT4", LAMINA_DTYPE_INT4 },
  [18] = { "BFLOAT16", LAMINA_DTYPE_BFLOAT16 },
};

LaminaDType
lamina_tflite_dtype (gint64 tensor_type, gboolean *known)
{
  LaminaDType dtype = LAMINA_DTYPE_UNDEFINED;

  if (tensor_type >= 0 && tensor_type < (gint64) G_N_ELEMENTS (tensor_types))
    dtype = tensor_types[tensor_type].dtype;
  if (known)
    *known = dtype != LAMINA_DTYPE_UNDEFINED;
  return dtype;
}

const char *
lamina_tflite_type_name (gint64 tensor_type)
{
  if (tensor_type < 0 || tensor_type >= (gint64) G_N_ELEMENTS (tensor_types))
    return NULL;
  return tensor_types[tensor_type].name;
}

/* ---- builtin options --------------------------------------------------- */

static const char *const tensor_type_names[] = {
  "FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16",
  "COMPLEX64", "INT8", "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT",
  "UINT32", "UINT16", "INT4", "BFLOAT16", NULL
};
static const char *const padding_names[] = { "SAME", "VALID", NULL };
static const char *const activation_names[] = {
  "NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT", NULL
};
static const char *const weights_format_names[] = { "DEFAULT", "SHUFFLED4x16INT8", NULL };
static const char *const lsh_type_names[] = { "UNKNOWN", "SPARSE", "DENSE", NULL };
static const char *const lstm_kernel_names[] = { "FULL", "BASIC", NULL };
static const char *const combiner_names[] = { "SUM", "MEAN", "SQRTN", NULL };
static const char *const mirror_pad_names[] = { "REFLECT", "SYMMETRIC", NULL };
static const char *const rng_names[] = { "DEFAULT", "PHILOX", "THREEFRY", NULL };
static const char *const comparison_direction_names[] = { "EQ", "NE", "GE", "GT", "LE", "LT", NULL };
static const char *const comparison_type_names[] = {
  "NOTYPE", "FLOAT", "FLOAT_TOTAL_ORDER", "SIGNED", "UNSIGNED", NULL
};
static const char *const reduce_window_names[] = {
  "UNSUPPORTED", "ADD", "MUL", "MINIMUM", "MAXIMUM", "ALL", "ANY", NULL
};
static const char *const options_format_names[] = { "FLEXBUFFERS", NULL };

/* Field constructors: (field id, attribute name[, default]). */
#define F_INT(i, n)          { i, LAMINA_TFLITE_OPT_INT, LAMINA_FB_INT32, FALSE, n, 0, NULL }
#define F_INT_D(i, n, d)     { i, LAMINA_TFLITE_OPT_INT, LAMINA_FB_INT32, FALSE, n, d, NULL }
#define F_UINT(i, n)         { i, LAMINA_TFLITE_OPT_INT, LAMINA_FB_UINT32, FALSE, n, 0, NULL }
#define F_LONG(i, n)         { i, LAMINA_TFLITE_OPT_INT, LAMINA_FB_INT64, FALSE, n, 0, NULL }
#define F_BOOL(i, n)         { i, LAMINA_TFLITE_OPT_BOOL, LAMINA_FB_BOOL, FALSE, n, 0, NULL }
#define F_BOOL_D(i, n, d)    { i, LAMINA_TFLITE_OPT_BOOL, LAMINA_FB_BOOL, FALSE, n, d, NULL }
#define F_FLOAT(i, n)        { i, LAMINA_TFLITE_OPT_FLOAT, LAMINA_FB_FLOAT32, FALSE, n, 0, NULL }
#define F_ENUM(i, n, e)      { i, LAMINA_TFLITE_OPT_ENUM, LAMINA_FB_INT8, FALSE, n, 0, e }
#define F_ENUM_K(i, n, e, k) { i, LAMINA_TFLITE_OPT_ENUM, k, FALSE, n, 0, e }
#define F_TYPE(i, n)         F_ENUM (i, n, tensor_type_names)
#define F_TYPE_OPT(i, n)     { i, LAMINA_TFLITE_OPT_ENUM, LAMINA_FB_INT8, TRUE, n, 0, tensor_type_names }
#define F_INTS(i, n)         { i, LAMINA_TFLITE_OPT_INTS, LAMINA_FB_INT32, TRUE, n, 0, NULL }
#define F_UINTS(i, n)        { i, LAMINA_TFLITE_OPT_INTS, LAMINA_FB_UINT32, TRUE, n, 0, NULL }
#define F_LONGS(i, n)        { i, LAMINA_TFLITE_OPT_INTS, LAMINA_FB_INT64, TRUE, n, 0, NULL }
#define F_BOOLS(i, n)        { i, LAMINA_TFLITE_OPT_INTS, LAMINA_FB_BOOL, TRUE, n, 0, NULL }
#define F_FLOATS(i, n)       { i, LAMINA_TFLITE_OPT_FLOATS, LAMINA_FB_FLOAT32, TRUE, n, 0, NULL }
#define F_STRING(i, n)       { i, LAMINA_TFLITE_OPT_STRING, LAMINA_FB_UINT8, TRUE, n, 0, NULL }
#define F_PADDING(i)         F_ENUM (i, "padding", padding_names)
#define F_ACT(i)             F_ENUM (i, "fused_activation_function", activation_names)
#define F_ASYM(i)            F_BOOL (i, "asymmetric_quantize_inputs")

static const LaminaTfliteOptField conv2d[] = {
  F_PADDING (0), F_INT (1, "stride_w"), F_INT (2, "stride_h"), F_ACT (3),
  F_INT_D (4, "dilation_w_factor", 1), F_INT_D (5, "dilation_h_factor", 1),
  F_TYPE_OPT (6, "quantized_bias_type"),
};
static const LaminaTfliteOptField depthwise_conv2d[] = {
  F_PADDING (0), F_INT (1, "stride_w"), F_INT (2, "stride_h"), F_INT (3, "depth_multiplier"),
  F_ACT (4), F_INT_D (5, "dilation_w_factor", 1), F_INT_D (6, "dilation_h_factor", 1),
};
static const LaminaTfliteOptField concat_embeddings[] = {
  F_INT (0, "num_channels"), F_INTS (1, "num_columns_per_channel"),
  F_INTS (2, "embedding_dim_per_channel"),
};
static const LaminaTfliteOptField lsh_projection[] = { F_ENUM (0, "type", lsh_type_names) };
static const LaminaTfliteOptField pool2d[] = {
  F_PADDING (0), F_INT (1, "stride_w"), F_INT (2, "stride_h"), F_INT (3, "filter_width"),
  F_INT (4, "filter_height"), F_ACT (5),
};
static const LaminaTfliteOptField svdf[] = { F_INT (0, "rank"), F_ACT (1), F_ASYM (2) };
static const LaminaTfliteOptField rnn[] = { F_ACT (0), F_ASYM (1) };
static const LaminaTfliteOptField fully_connected[] = {
  F_ACT (0), F_ENUM (1, "weights_format", weights_format_names), F_BOOL (2, "keep_num_dims"),
  F_ASYM (3), F_TYPE_OPT (4, "quantized_bias_type"),
};
static const LaminaTfliteOptField softmax[] = { F_FLOAT (0, "beta") };
static const LaminaTfliteOptField concatenation[] = { F_INT (0, "axis"), F_ACT (1) };
static const LaminaTfliteOptField add_sub[] = { F_ACT (0), F_BOOL_D (1, "pot_scale_int16", 1) };
static const LaminaTfliteOptField activation_only[] = { F_ACT (0) };
static const LaminaTfliteOptField lrn[] = {
  F_INT (0, "radius"), F_FLOAT (1, "bias"), F_FLOAT (2, "alpha"), F_FLOAT (3, "beta"),
};
static const LaminaTfliteOptField lstm[] = {
  F_ACT (0), F_FLOAT (1, "cell_clip"), F_FLOAT (2, "proj_clip"),
  F_ENUM (3, "kernel_type", lstm_kernel_names), F_ASYM (4),
};
/* ids 0 and 1 (new_height, new_width) are deprecated */
static const LaminaTfliteOptField resize_bilinear[] = {
  F_BOOL (2, "align_corners"), F_BOOL (3, "half_pixel_centers"),
};
static const LaminaTfliteOptField call[] = { F_UINT (0, "subgraph") };
static const LaminaTfliteOptField reshape[] = { F_INTS (0, "new_shape") };
static const LaminaTfliteOptField skip_gram[] = {
  F_INT (0, "ngram_size"), F_INT (1, "max_skip_size"), F_BOOL (2, "include_all_ngrams"),
};
static const LaminaTfliteOptField block_size[] = { F_INT (0, "block_size") };
static const LaminaTfliteOptField embedding_lookup_sparse[] = {
  F_ENUM (0, "combiner", combiner_names),
};
static const LaminaTfliteOptField gather[] = { F_INT (0, "axis"), F_INT (1, "batch_dims") };
static const LaminaTfliteOptField reducer[] = { F_BOOL (0, "keep_dims") };
static const LaminaTfliteOptField squeeze[] = { F_INTS (0, "squeeze_dims") };
static const LaminaTfliteOptField sequence_rnn[] = {
  F_BOOL (0, "time_major"), F_ACT (1), F_ASYM (2),
};
static const LaminaTfliteOptField strided_slice[] = {
  F_INT (0, "begin_mask"), F_INT (1, "end_mask"), F_INT (2, "ellipsis_mask"),
  F_INT (3, "new_axis_mask"), F_INT (4, "shrink_axis_mask"), F_BOOL (5, "offset"),
};
static const LaminaTfliteOptField num_splits[] = { F_INT (0, "num_splits") };
static const LaminaTfliteOptField cast[] = {
  F_TYPE_OPT (0, "in_data_type"), F_TYPE_OPT (1, "out_data_type"),
};
static const LaminaTfliteOptField output_type[] = { F_TYPE (0, "output_type") };
static const LaminaTfliteOptField transpose_conv[] = {
  F_PADDING (0), F_INT (1, "stride_w"), F_INT (2, "stride_h"), F_ACT (3),
  F_TYPE_OPT (4, "quantized_bias_type"),
};
static const LaminaTfliteOptField sparse_to_dense[] = { F_BOOL (0, "validate_indices") };
static const LaminaTfliteOptField shape[] = { F_TYPE (0, "out_type") };
static const LaminaTfliteOptField fake_quant[] = {
  F_FLOAT (0, "min"), F_FLOAT (1, "max"), F_INT (2, "num_bits"), F_BOOL (3, "narrow_range"),
};
static const LaminaTfliteOptField pack[] = { F_INT (0, "values_count"), F_INT (1, "axis") };
static const LaminaTfliteOptField axis_only[] = { F_INT (0, "axis") };
static const LaminaTfliteOptField unpack[] = { F_INT (0, "num"), F_INT (1, "axis") };
static const LaminaTfliteOptField bidi_lstm[] = {
  F_ACT (0), F_FLOAT (1, "cell_clip"), F_FLOAT (2, "proj_clip"), F_BOOL (3, "merge_outputs"),
  F_BOOL_D (4, "time_major", 1), F_ASYM (5),
};
static const LaminaTfliteOptField bidi_rnn[] = {
  F_BOOL (0, "time_major"), F_ACT (1), F_BOOL (2, "merge_outputs"), F_ASYM (3),
};
static const LaminaTfliteOptField uni_lstm[] = {
  F_ACT (0), F_FLOAT (1, "cell_clip"), F_FLOAT (2, "proj_clip"), F_BOOL (3, "time_major"),
  F_ASYM (4), F_BOOL (5, "diagonal_recurrent_tensors"),
};
static const LaminaTfliteOptField resize_nearest[] = {
  F_BOOL (0, "align_corners"), F_BOOL (1, "half_pixel_centers"),
};
static const LaminaTfliteOptField leaky_relu[] = { F_FLOAT (0, "alpha") };
static const LaminaTfliteOptField mirror_pad[] = { F_ENUM (0, "mode", mirror_pad_names) };
static const LaminaTfliteOptField unique[] = {
  { 0, LAMINA_TFLITE_OPT_ENUM, LAMINA_FB_INT8, FALSE, "idx_out_type", 2, tensor_type_names },
};
static const LaminaTfliteOptField reverse_sequence[] = {
  F_INT (0, "seq_dim"), F_INT (1, "batch_dim"),
};
static const LaminaTfliteOptField if_options[] = {
  F_INT (0, "then_subgraph_index"), F_INT (1, "else_subgraph_index"),
};
static const LaminaTfliteOptField while_options[] = {
  F_INT (0, "cond_subgraph_index"), F_INT (1, "body_subgraph_index"),
};
static const LaminaTfliteOptField batch_matmul[] = {
  F_BOOL (0, "adj_x"), F_BOOL (1, "adj_y"), F_ASYM (2),
};
static const LaminaTfliteOptField cumsum[] = { F_BOOL (0, "exclusive"), F_BOOL (1, "reverse") };
static const LaminaTfliteOptField call_once[] = { F_INT (0, "init_subgraph_index") };
static const LaminaTfliteOptField conv3d[] = {
  F_PADDING (0), F_INT (1, "stride_d"), F_INT (2, "stride_w"), F_INT (3, "stride_h"), F_ACT (4),
  F_INT_D (5, "dilation_d_factor", 1), F_INT_D (6, "dilation_w_factor", 1),
  F_INT_D (7, "dilation_h_factor", 1),
};
static const LaminaTfliteOptField hashtable[] = {
  F_INT (0, "table_id"), F_TYPE (1, "key_dtype"), F_TYPE (2, "value_dtype"),
};
static const LaminaTfliteOptField var_handle[] = {
  F_STRING (0, "container"), F_STRING (1, "shared_name"),
};
static const LaminaTfliteOptField random_options[] = { F_LONG (0, "seed"), F_LONG (1, "seed2") };
static const LaminaTfliteOptField bucketize[] = { F_FLOATS (0, "boundaries") };
static const LaminaTfliteOptField gelu[] = { F_BOOL (0, "approximate") };

#define OPTS(n, f) { n, f, G_N_ELEMENTS (f) }
#define EMPTY(n)   { n, NULL, 0 }

/* Indexed by the BuiltinOptions union type (0 = NONE). */
static const LaminaTfliteOptTable builtin_options[] = {
  [1] = OPTS ("Conv2DOptions", conv2d),
  [2] = OPTS ("DepthwiseConv2DOptions", depthwise_conv2d),
  [3] = OPTS ("ConcatEmbeddingsOptions", concat_embeddings),
  [4] = OPTS ("LSHProjectionOptions", lsh_projection),
  [5] = OPTS ("Pool2DOptions", pool2d),
  [6] = OPTS ("SVDFOptions", svdf),
  [7] = OPTS ("RNNOptions", rnn),
  [8] = OPTS ("FullyConnectedOptions", fully_connected),
  [9] = OPTS ("SoftmaxOptions", softmax),
  [10] = OPTS ("ConcatenationOptions", concatenation),
  [11] = OPTS ("AddOptions", add_sub),
  [12] = OPTS ("L2NormOptions", activation_only),
  [13] = OPTS ("LocalResponseNormalizationOptions", lrn),
  [14] = OPTS ("LSTMOptions", lstm),
  [15] = OPTS ("ResizeBilinearOptions", resize_bilinear),
  [16] = OPTS ("CallOptions", call),
  [17] = OPTS ("ReshapeOptions", reshape),
  [18] = OPTS ("SkipGramOptions", skip_gram),
  [19] = OPTS ("SpaceToDepthOptions", block_size),
  [20] = OPTS ("EmbeddingLookupSparseOptions", embedding_lookup_sparse),
  [21] = OPTS ("MulOptions", activation_only),
  [22] = EMPTY ("PadOptions"),
  [23] = OPTS ("GatherOptions", gather),
  [24] = EMPTY ("BatchToSpaceNDOptions"),
  [25] = EMPTY ("SpaceToBatchNDOptions"),
  [26] = EMPTY ("TransposeOptions"),
  [27] = OPTS ("ReducerOptions", reducer),
  [28] = OPTS ("SubOptions", add_sub),
  [29] = OPTS ("DivOptions", activation_only),
  [30] = OPTS ("SqueezeOptions", squeeze),
  [31] = OPTS ("SequenceRNNOptions", sequence_rnn),
  [32] = OPTS ("StridedSliceOptions", strided_slice),
  [33] = EMPTY ("ExpOptions"),
  [34] = EMPTY ("TopKV2Options"),
  [35] = OPTS ("SplitOptions", num_splits),
  [36] = EMPTY ("LogSoftmaxOptions"),
  [37] = OPTS ("CastOptions", cast),
  [38] = EMPTY ("DequantizeOptions"),
  [39] = EMPTY ("MaximumMinimumOptions"),
  [40] = OPTS ("ArgMaxOptions", output_type),
  [41] = EMPTY ("LessOptions"),
  [42] = EMPTY ("NegOptions"),
  [43] = EMPTY ("PadV2Options"),
  [44] = EMPTY ("GreaterOptions"),
  [45] = EMPTY ("GreaterEqualOptions"),
  [46] = EMPTY ("LessEqualOptions"),
  [47] = EMPTY ("SelectOptions"),
  [48] = EMPTY ("SliceOptions"),
  [49] = OPTS ("TransposeConvOptions", transpose_conv),
  [50] = OPTS ("SparseToDenseOptions", sparse_to_dense),
  [51] = EMPTY ("TileOptions"),
  [52] = EMPTY ("ExpandDimsOptions"),
  [53] = EMPTY ("EqualOptions"),
  [54] = EMPTY ("NotEqualOptions"),
  [55] = OPTS ("ShapeOptions", shape),
  [56] = EMPTY ("PowOptions"),
  [57] = OPTS ("ArgMinOptions", output_type),
  [58] = OPTS ("FakeQuantOptions", fake_quant),
  [59] = OPTS ("PackOptions", pack),
  [60] = EMPTY ("LogicalOrOptions"),
  [61] = OPTS ("OneHotOptions", axis_only),
  [62] = EMPTY ("LogicalAndOptions"),
  [63] = EMPTY ("LogicalNotOptions"),
  [64] = OPTS ("UnpackOptions", unpack),
  [65] = EMPTY ("FloorDivOptions"),
  [66] = EMPTY ("SquareOptions"),
  [67] = EMPTY ("ZerosLikeOptions"),
  [68] = EMPTY ("FillOptions"),
  [69] = OPTS ("BidirectionalSequenceLSTMOptions", bidi_lstm),
  [70] = OPTS ("BidirectionalSequenceRNNOptions", bidi_rnn),
  [71] = OPTS ("UnidirectionalSequenceLSTMOptions", uni_lstm),
  [72] = EMPTY ("FloorModOptions"),
  [73] = EMPTY ("RangeOptions"),
  [74] = OPTS ("ResizeNearestNeighborOptions", resize_nearest),
  [75] = OPTS ("LeakyReluOptions", leaky_relu),
  [76] = EMPTY ("SquaredDifferenceOptions"),
  [77] = OPTS ("MirrorPadOptions", mirror_pad),
  [78] = EMPTY ("AbsOptions"),
  [79] = OPTS ("SplitVOptions", num_splits),
  [80] = OPTS ("UniqueOptions", unique),
  [81] = EMPTY ("ReverseV2Options"),
  [82] = EMPTY ("AddNOptions"),
  [83] = EMPTY ("GatherNdOptions"),
  [84] = EMPTY ("CosOptions"),
  [85] = EMPTY ("WhereOptions"),
  [86] = EMPTY ("RankOptions"),
  [87] = OPTS ("ReverseSequenceOptions", reverse_sequence),
  [88] = EMPTY ("MatrixDiagOptions"),
  [89] = EMPTY ("QuantizeOptions"),
  [90] = EMPTY ("MatrixSetDiagOptions"),
  [91] = EMPTY ("HardSwishOptions"),
  [92] = OPTS ("IfOptions", if_options),
  [93] = OPTS ("WhileOptions", while_options),
  [94] = OPTS ("DepthToSpaceOptions", block_size),
  [95] = EMPTY ("NonMaxSuppressionV4Options"),
  [96] = EMPTY ("NonMaxSuppressionV5Options"),
  [97] = EMPTY ("ScatterNdOptions"),
  [98] = EMPTY ("SelectV2Options"),
  [99] = EMPTY ("DensifyOptions"),
  [100] = EMPTY ("SegmentSumOptions"),
  [101] = OPTS ("BatchMatMulOptions", batch_matmul),
  [102] = OPTS ("CumsumOptions", cumsum),
  [103] = OPTS ("CallOnceOptions", call_once),
  [104] = EMPTY ("BroadcastToOptions"),
  [105] = EMPTY ("Rfft2dOptions"),
  [106] = OPTS ("Conv3DOptions", conv3d),
  [107] = OPTS ("HashtableOptions", hashtable),
  [108] = EMPTY ("HashtableFindOptions"),
  [109] = EMPTY ("HashtableImportOptions"),
  [110] = EMPTY ("HashtableSizeOptions"),
  [111] = OPTS ("VarHandleOptions", var_handle),
  [112] = EMPTY ("ReadVariableOptions"),
  [113] = EMPTY ("AssignVariableOptions"),
  [114] = OPTS ("RandomOptions", random_options),
  [115] = OPTS ("BucketizeOptions", bucketize),
  [116] = OPTS ("GeluOptions", gelu),
  [117] = EMPTY ("DynamicUpdateSliceOptions"),
  [118] = EMPTY ("UnsortedSegmentProdOptions"),
  [119] = EMPTY ("UnsortedSegmentMaxOptions"),
  [120] = EMPTY ("UnsortedSegmentMinOptions"),
  [121] = EMPTY ("UnsortedSegmentSumOptions"),
  [122] = EMPTY ("ATan2Options"),
  [123] = EMPTY ("SignOptions"),
  [124] = EMPTY ("BitcastOptions"),
  [125] = EMPTY ("BitwiseXorOptions"),
  [126] = EMPTY ("RightShiftOptions"),
};

/* ---- builtin options 2 (StableHLO) ------------------------------------- */

static const LaminaTfliteOptField shlo_concatenate[] = { F_LONG (0, "dimension") };
static const LaminaTfliteOptField shlo_broadcast_in_dim[] = { F_LONGS (0, "broadcast_dimensions") };
static const LaminaTfliteOptField shlo_slice[] = {
  F_LONGS (0, "start_indices"), F_LONGS (1, "limit_indices"), F_LONGS (2, "strides"),
};
static const LaminaTfliteOptField shlo_convolution[] = {
  F_LONGS (0, "window_strides"), F_LONGS (1, "padding"), F_LONGS (2, "lhs_dilation"),
  F_LONGS (3, "rhs_dilation"), F_BOOLS (4, "window_reversal"),
  F_LONG (5, "input_batch_dimension"), F_LONG (6, "input_feature_dimension"),
  F_LONGS (7, "input_spatial_dimensions"), F_LONG (8, "kernel_input_feature_dimension"),
  F_LONG (9, "kernel_output_feature_dimension"), F_LONGS (10, "kernel_spatial_dimensions"),
  F_LONG (11, "output_batch_dimension"), F_LONG (12, "output_feature_dimension"),
  F_LONGS (13, "output_spatial_dimensions"), F_LONG (14, "feature_group_count"),
  F_LONG (15, "batch_group_count"), F_UINTS (16, "precision_config"),
};
static const LaminaTfliteOptField shlo_custom_call[] = {
  F_STRING (0, "call_target_name"), F_BOOL (1, "has_side_effect"),
  F_STRING (2, "backend_config"), F_INT (3, "api_version"), F_INTS (4, "called_computations"),
};
static const LaminaTfliteOptField shlo_reduce[] = {
  F_LONGS (0, "dimensions"), F_INT (1, "body_subgraph_index"),
};
static const LaminaTfliteOptField shlo_scatter[] = {
  F_BOOL (0, "indices_are_sorted"), F_LONGS (1, "update_window_dims"),
  F_LONGS (2, "inserted_window_dims"), F_LONGS (3, "scatter_dims_to_operand_dims"),
  F_LONG (4, "index_vector_dim"), F_BOOL (5, "unique_indices"),
  F_INT (6, "update_computation_subgraph_index"),
};
static const LaminaTfliteOptField shlo_compare[] = {
  F_ENUM_K (0, "comparison_direction", comparison_direction_names, LAMINA_FB_UINT32),
  F_ENUM_K (1, "compare_type", comparison_type_names, LAMINA_FB_UINT32),
};
static const LaminaTfliteOptField shlo_dynamic_slice[] = { F_LONGS (0, "slice_sizes") };
static const LaminaTfliteOptField shlo_pad[] = {
  F_LONGS (0, "edge_padding_low"), F_LONGS (1, "edge_padding_high"),
  F_LONGS (2, "interior_padding"),
};
static const LaminaTfliteOptField shlo_iota[] = { F_LONG (0, "iota_dimension") };
static const LaminaTfliteOptField shlo_dot_general[] = {
  F_LONGS (0, "lhs_batching_dimensions"), F_LONGS (1, "rhs_batching_dimensions"),
  F_LONGS (2, "lhs_contracting_dimensions"), F_LONGS (3, "rhs_contracting_dimensions"),
  F_UINTS (4, "precision_config"),
};
static const LaminaTfliteOptField shlo_reduce_window[] = {
  F_LONGS (0, "window_dimensions"), F_LONGS (1, "window_strides"), F_LONGS (2, "base_dilations"),
  F_LONGS (3, "window_dilations"), F_LONGS (4, "padding"), F_INT (5, "body_subgraph_index"),
};
static const LaminaTfliteOptField shlo_sort[] = {
  F_LONG (0, "dimension"), F_BOOL (1, "is_stable"), F_INT (2, "comparator_subgraph_index"),
};
static const LaminaTfliteOptField shlo_gather[] = {
  F_LONGS (0, "offset_dims"), F_LONGS (1, "collapsed_slice_dims"), F_LONGS (2, "start_index_map"),
  F_LONG (3, "index_vector_dim"), F_LONGS (4, "slice_sizes"), F_BOOL (5, "indices_are_sorted"),
};
static const LaminaTfliteOptField shlo_transpose[] = { F_LONGS (0, "permutation") };
static const LaminaTfliteOptField shlo_rng[] = { F_ENUM (0, "algorithm", rng_names) };
static const LaminaTfliteOptField reduce_window[] = {
  F_ENUM_K (0, "reduce_function", reduce_window_names, LAMINA_FB_INT32),
};
static const LaminaTfliteOptField shlo_composite[] = {
  F_STRING (0, "name"), F_INT (1, "decomposition_subgraph_index"),
  F_ENUM (3, "composite_attributes_format", options_format_names), F_INT (4, "version"),
};

/* Indexed by the BuiltinOptions2 union type (0 = NONE). */
static const LaminaTfliteOptTable builtin_options2[] = {
  [1] = OPTS ("StablehloConcatenateOptions", shlo_concatenate),
  [2] = OPTS ("StablehloBroadcastInDimOptions", shlo_broadcast_in_dim),
  [3] = OPTS ("StablehloSliceOptions", shlo_slice),
  [4] = OPTS ("StablehloConvolutionOptions", shlo_convolution),
  [5] = OPTS ("StablehloCustomCallOptions", shlo_custom_call),
  [6] = OPTS ("StablehloReduceOptions", shlo_reduce),
  [7] = OPTS ("StablehloScatterOptions", shlo_scatter),
  [8] = OPTS ("StablehloCompareOptions", shlo_compare),
  [9] = OPTS ("StablehloDynamicSliceOptions", shlo_dynamic_slice),
  [10] = OPTS ("StablehloPadOptions", shlo_pad),
  [11] = OPTS ("StablehloIotaOptions", shlo_iota),
  [12] = OPTS ("StablehloDotGeneralOptions", shlo_dot_general),
  [13] = OPTS ("StablehloReduceWindowOptions", shlo_reduce_window),
  [14] = OPTS ("StablehloSortOptions", shlo_sort),
  [15] = OPTS ("StablehloWhileOptions", while_options),
  [16] = OPTS ("StablehloGatherOptions", shlo_gather),
  [17] = OPTS ("StablehloTransposeOptions", shlo_transpose),
  [18] = EMPTY ("DilateOptions"),
  [19] = OPTS ("StablehloRngBitGeneratorOptions", shlo_rng),
  [20] = OPTS ("ReduceWindowOptions", reduce_window),
  [21] = OPTS ("StableHLOCompositeOptions", shlo_composite),
};

G_STATIC_ASSERT (G_N_ELEMENTS (builtin_options) == 127);
G_STATIC_ASSERT (G_N_ELEMENTS (builtin_options2) == 22);

const LaminaTfliteOptTable *
lamina_tflite_builtin_options (guint type)
{
  if (type == 0 || type >= G_N_ELEMENTS (builtin_options))
    return NULL;
  return &builtin_options[type];
}

const LaminaTfliteOptTable *
lamina_tflite_builtin_options2 (guint type)
{
  if (type == 0 || type >= G_N_ELEMENTS (builtin_options2))
    return NULL;
  return &builtin_options2[type];
}
