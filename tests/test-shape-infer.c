/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-shape-infer: shapes Lamina infers for ONNX files that store none.
 * One hand-built graph per group of rules (expected shapes worked out by
 * hand from the ONNX operator specs), then the shared models, whose
 * expected shapes were computed independently with python3-onnx's
 * onnx.shape_inference.infer_shapes when the test was written.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include "lamina-model-load.h"
#include "graph/lamina-shape-infer.h"
#include "lamina-test-util.h"

static void
test_table_sorted (void)
{
  g_assert_true (lamina_shape_infer_table_is_sorted ());
}

static void
assert_shape (LaminaGraph *g, const char *name, const char *expected)
{
  LaminaTensor *t = lamina_graph_lookup_tensor (g, name);
  g_autofree char *text = NULL;

  g_assert_nonnull (t);
  text = lamina_shape_to_string (&t->shape);
  g_assert_cmpstr (text, ==, expected);
}

/* x[1,3,8,8] → Conv(w[4,3,3,3], stride 2, pads 1) → Relu → Add(b[4,1,1]) */
static void
test_conv_chain (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  gint64 xd[] = { 1, 3, 8, 8 }, wd[] = { 4, 3, 3, 3 }, bd[] = { 4, 1, 1 };
  LaminaTensor *x = lamina_graph_ensure_tensor (g, "x");
  LaminaTensor *w = lamina_graph_ensure_tensor (g, "w");
  LaminaTensor *b = lamina_graph_ensure_tensor (g, "b");
  LaminaNode *conv = lamina_graph_add_node (g, "conv", "Conv", "");
  LaminaNode *relu = lamina_graph_add_node (g, "relu", "Relu", "");
  LaminaNode *add = lamina_graph_add_node (g, "add", "Add", "");
  LaminaAttr *a;

  lamina_shape_set (&x->shape, 4, xd);
  lamina_shape_set (&w->shape, 4, wd);
  lamina_shape_set (&b->shape, 3, bd);
  x->dtype = w->dtype = b->dtype = LAMINA_DTYPE_FLOAT32;
  lamina_node_add_input (conv, x);
  lamina_node_add_input (conv, w);
  lamina_node_add_output (conv, lamina_graph_ensure_tensor (g, "c"));
  a = lamina_node_add_attr (conv, "strides", LAMINA_ATTR_INTS);
  a->n = 2;
  a->ints = g_new (gint64, 2);
  a->ints[0] = a->ints[1] = 2;
  a = lamina_node_add_attr (conv, "pads", LAMINA_ATTR_INTS);
  a->n = 4;
  a->ints = g_new (gint64, 4);
  for (int i = 0; i < 4; i++)
    a->ints[i] = 1;
  lamina_node_add_input (relu, lamina_graph_lookup_tensor (g, "c"));
  lamina_node_add_output (relu, lamina_graph_ensure_tensor (g, "r"));
  lamina_node_add_input (add, lamina_graph_lookup_tensor (g, "r"));
  lamina_node_add_input (add, b);
  lamina_node_add_output (add, lamina_graph_ensure_tensor (g, "y"));
  g_assert_true (lamina_graph_link (g, NULL));

  lamina_graph_infer_shapes (g);
  /* (8 + 2 - 3) / 2 + 1 = 4 */
  assert_shape (g, "c", "1×4×4×4");
  assert_shape (g, "r", "1×4×4×4");
  assert_shape (g, "y", "1×4×4×4");
  g_assert_cmpint (lamina_graph_lookup_tensor (g, "y")->dtype, ==, LAMINA_DTYPE_FLOAT32);
}

/* ---- a small graph builder --------------------------------------------- */

/* "1×3×N×?" (N: a symbol, ?: unknown), "" a scalar, NULL unknown rank. */
static LaminaTensor *
tensor (LaminaGraph *g, const char *name, LaminaDType dtype, const char *shape)
{
  LaminaTensor *t = lamina_graph_ensure_tensor (g, name);
  g_auto(GStrv) parts = NULL;

  t->dtype = dtype;
  if (shape == NULL)
    return t;
  parts = shape[0] ? g_strsplit (shape, "×", -1) : g_new0 (char *, 1);
  lamina_shape_set_rank (&t->shape, (int) g_strv_length (parts));
  for (int i = 0; parts[i] != NULL; i++)
    if (g_ascii_isdigit (parts[i][0]))
      t->shape.dims[i].value = g_ascii_strtoll (parts[i], NULL, 10);
    else if (strcmp (parts[i], "?") != 0)
      t->shape.dims[i].symbol = g_strdup (parts[i]);
  return t;
}

/* A constant of `n` elements (rank 1, or a scalar when scalar is set). */
static LaminaTensor *
constant (LaminaGraph *g, const char *name, LaminaDType dtype, const void *data, gsize n, gboolean scalar)
{
  LaminaTensor *t = lamina_graph_ensure_tensor (g, name);
  gint64 dim = (gint64) n;

  t->dtype = dtype;
  t->is_constant = TRUE;
  lamina_shape_set (&t->shape, scalar ? 0 : 1, &dim);
  t->data = g_bytes_new (data, n * lamina_dtype_size (dtype));
  return t;
}

#define INTS(...) (const gint64[]) { __VA_ARGS__ }, sizeof ((const gint64[]) { __VA_ARGS__ }) / sizeof (gint64)
#define FLOATS(...) (const float[]) { __VA_ARGS__ }, sizeof ((const float[]) { __VA_ARGS__ }) / sizeof (float)
#define CONST_INTS(g, name, ...) constant (g, name, LAMINA_DTYPE_INT64, INTS (__VA_ARGS__), FALSE)
#define CONST_FLOATS(g, name, ...) constant (g, name, LAMINA_DTYPE_FLOAT32, FLOATS (__VA_ARGS__), FALSE)
#define SCALAR_INT(g, name, v) constant (g, name, LAMINA_DTYPE_INT64, INTS (v), TRUE)

/* op with comma-separated tensor names; an empty name is an omitted input. */
static LaminaNode *
node (LaminaGraph *g, const char *op, const char *inputs, const char *outputs)
{
  g_auto(GStrv) ins = g_strsplit (inputs, ",", -1);
  g_auto(GStrv) outs = g_strsplit (outputs, ",", -1);
  LaminaNode *n = lamina_graph_add_node (g, outputs, op, "");

  for (int i = 0; ins[i] != NULL; i++)
    lamina_node_add_input (n, ins[i][0] ? lamina_graph_ensure_tensor (g, ins[i]) : NULL);
  for (int i = 0; outs[i] != NULL; i++)
    lamina_node_add_output (n, lamina_graph_ensure_tensor (g, outs[i]));
  return n;
}

static void
set_ints (LaminaNode *n, const char *name, const gint64 *values, gsize count)
{
  LaminaAttr *a = lamina_node_add_attr (n, name, LAMINA_ATTR_INTS);

  a->n = (guint) count;
  a->ints = g_memdup2 (values, count * sizeof (gint64));
}

static void
set_floats (LaminaNode *n, const char *name, const float *values, gsize count)
{
  LaminaAttr *a = lamina_node_add_attr (n, name, LAMINA_ATTR_FLOATS);

  a->n = (guint) count;
  a->floats = g_new (double, count);
  for (gsize i = 0; i < count; i++)
    a->floats[i] = values[i];
}

static void
set_int (LaminaNode *n, const char *name, gint64 value)
{
  lamina_node_add_attr (n, name, LAMINA_ATTR_INT)->i = value;
}

static void
infer (LaminaGraph *g)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lamina_graph_link (g, &error));
  g_assert_no_error (error);
  lamina_graph_infer_shapes (g);
}

static void
assert_dtype (LaminaGraph *g, const char *name, LaminaDType dtype)
{
  g_assert_cmpstr (lamina_dtype_name (lamina_graph_lookup_tensor (g, name)->dtype), ==, lamina_dtype_name (dtype));
}

#define F32 LAMINA_DTYPE_FLOAT32
#define I64 LAMINA_DTYPE_INT64

/* ---- constant propagation ----------------------------------------------- */

/* Shape → Gather → Unsqueeze → Concat → Reshape: x[N,3,4,5] → [N, -1] */
static void
test_shape_chain (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");

  tensor (g, "x", F32, "N×3×4×5");
  SCALAR_INT (g, "zero", 0);
  CONST_INTS (g, "minus1", -1);
  node (g, "Shape", "x", "s");
  node (g, "Gather", "s,zero", "batch");
  set_ints (node (g, "Unsqueeze", "batch", "batch1"), "axes", INTS (0));
  set_int (node (g, "Concat", "batch1,minus1", "target"), "axis", 0);
  node (g, "Reshape", "x,target", "y");
  infer (g);
  assert_shape (g, "s", "4");
  assert_dtype (g, "s", I64);
  assert_shape (g, "batch", "");
  assert_shape (g, "target", "2");
  /* N cancels: 3 × 4 × 5 = 60 */
  assert_shape (g, "y", "N×60");
}

/* Slice, Cast, Mul and Div on shape values drive Resize's sizes:
 * [2,3,8,12] → sizes = shape[0:2] ++ cast(shape[2:4]) × 3 / 2 */
static void
test_shape_arithmetic (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  LaminaNode *n;

  tensor (g, "x", F32, "2×3×8×12");
  CONST_INTS (g, "three", 3);
  CONST_INTS (g, "two", 2);
  node (g, "Shape", "x", "s");
  n = node (g, "Slice", "s", "nc");  /* opset 9: attributes */
  set_ints (n, "starts", INTS (0));
  set_ints (n, "ends", INTS (2));
  node (g, "Slice", "s,two,minus_none,", "hw");  /* starts 2, ends from input */
  CONST_INTS (g, "minus_none", 9223372036854775807);
  set_int (node (g, "Cast", "hw", "hw32"), "to", 6);
  node (g, "Mul", "hw32,three", "hw3");
  node (g, "Div", "hw3,two", "hw15");
  set_int (node (g, "Cast", "hw15", "hw64"), "to", 7);
  set_int (node (g, "Concat", "nc,hw64", "sizes"), "axis", 0);
  node (g, "Resize", "x,,,sizes", "y");
  infer (g);
  assert_shape (g, "hw", "2");
  assert_dtype (g, "hw32", LAMINA_DTYPE_INT32);
  assert_shape (g, "sizes", "4");
  assert_shape (g, "y", "2×3×12×18");
}

/* ConstantOfShape, Range, Add and Slice on values feed Tile's repeats. */
static void
test_constant_of_shape_range (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  LaminaNode *n;
  LaminaAttr *a;
  gint64 one = 1;

  tensor (g, "x", F32, "2×2");
  CONST_INTS (g, "len", 2);
  SCALAR_INT (g, "start", 1);
  SCALAR_INT (g, "limit", 5);
  SCALAR_INT (g, "delta", 1);
  CONST_INTS (g, "from", 1);
  CONST_INTS (g, "to", 3);
  n = node (g, "ConstantOfShape", "len", "ones");
  a = lamina_node_add_attr (n, "value", LAMINA_ATTR_TENSOR);
  a->t = lamina_tensor_new ("value");
  a->t->dtype = I64;
  lamina_shape_set (&a->t->shape, 1, &one);
  a->t->data = g_bytes_new (&one, 8);
  node (g, "Range", "start,limit,delta", "r");        /* 1, 2, 3, 4 */
  node (g, "Slice", "r,from,to", "r23");               /* 2, 3 */
  node (g, "Add", "r23,ones", "reps");                 /* 3, 4 */
  node (g, "Tile", "x,reps", "y");
  node (g, "ConstantOfShape", "reps", "filled");      /* default: float zeros */
  infer (g);
  assert_shape (g, "ones", "2");
  assert_dtype (g, "ones", I64);
  assert_shape (g, "r", "4");
  assert_shape (g, "y", "6×8");
  assert_shape (g, "filled", "3×4");
  assert_dtype (g, "filled", F32);
}

/* Constant with value_ints, Gather with a negative index, Identity, and
 * Squeeze / Unsqueeze with axes as inputs (opset 13). */
static void
test_constant_gather_squeeze (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");

  tensor (g, "x", F32, "4×6");
  set_ints (node (g, "Constant", "", "c"), "value_ints", INTS (3, 8));
  SCALAR_INT (g, "last", -1);
  CONST_INTS (g, "axis0", 0);
  CONST_INTS (g, "three", 3);
  node (g, "Gather", "c,last", "eight");
  node (g, "Unsqueeze", "eight,axis0", "eight1");
  set_int (node (g, "Concat", "three,eight1", "target"), "axis", 0);
  node (g, "Identity", "target", "target2");
  node (g, "Reshape", "x,target2", "y");
  node (g, "Unsqueeze", "y,axis0", "y1");
  node (g, "Squeeze", "y1,axis0", "y2");
  infer (g);
  assert_shape (g, "c", "2");
  assert_shape (g, "y", "3×8");
  assert_shape (g, "y1", "1×3×8");
  assert_shape (g, "y2", "3×8");
}

/* Reshape learns the rank from the target's length even when its values
 * are unknown; [N,120,1,W] → [N,120,-1] keeps W; two -1 stay unknown. */
static void
test_reshape_partial (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  LaminaNode *n;

  tensor (g, "x", F32, "N×120×1×W");
  tensor (g, "target", I64, "3");   /* a graph input: values unknown */
  CONST_INTS (g, "rest", -1);
  CONST_INTS (g, "two_rest", -1, -1);
  node (g, "Reshape", "x,target", "a");
  node (g, "Shape", "x", "s");
  n = node (g, "Slice", "s", "nc");
  set_ints (n, "starts", INTS (0));
  set_ints (n, "ends", INTS (2));
  set_int (node (g, "Concat", "nc,rest", "t2"), "axis", 0);
  node (g, "Reshape", "x,t2", "b");
  node (g, "Reshape", "x,two_rest", "c");
  infer (g);
  assert_shape (g, "a", "?×?×?");
  assert_shape (g, "b", "N×120×W");
  assert_shape (g, "c", "?×?");
}

/* ---- operators ---------------------------------------------------------- */

static void
test_slice (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");

  tensor (g, "x", F32, "10×20");
  CONST_INTS (g, "starts", 1, -5);
  CONST_INTS (g, "ends", 9223372036854775807, -1);
  CONST_INTS (g, "axes", 0, 1);
  CONST_INTS (g, "steps", 3, 2);
  CONST_INTS (g, "rstart", -1);
  CONST_INTS (g, "rend", -9223372036854775807);
  CONST_INTS (g, "rstep", -1);
  CONST_INTS (g, "zero", 0);
  tensor (g, "dyn", I64, "1");
  node (g, "Slice", "x,starts,ends,axes,steps", "a");
  node (g, "Slice", "x,rstart,rend,zero,rstep", "b");
  node (g, "Slice", "x,dyn,dyn", "c");
  node (g, "Slice", "x,zero,zero,zero,zero", "d");  /* step 0: invalid */
  tensor (g, "s", F32, "N×20");
  CONST_INTS (g, "one", 1);
  node (g, "Slice", "s,zero,one", "e");    /* [0:1] of N: not N */
  CONST_INTS (g, "s0", 0, -5);
  node (g, "Slice", "s,s0,ends", "f");     /* [0:max] of N, [-5:-1] of 20 */
  infer (g);
  assert_shape (g, "e", "?×20");
  assert_shape (g, "f", "N×4");
  /* rows 1, 4, 7; columns 15, 17 */
  assert_shape (g, "a", "3×2");
  assert_shape (g, "b", "10×20");
  assert_shape (g, "c", "?×?");
  assert_shape (g, "d", "?×?");
}

static void
test_resize (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");

  tensor (g, "x", F32, "N×3×5×7");
  CONST_FLOATS (g, "scales", 1, 1, 2, 1.5);
  CONST_FLOATS (g, "empty");
  tensor (g, "dyn", F32, "4");
  node (g, "Resize", "x,empty,scales", "a");          /* opset 11+ */
  node (g, "Resize", "x,scales", "b");                /* opset 10 */
  set_floats (node (g, "Upsample", "x", "c"), "scales", FLOATS (1, 1, 2, 2));  /* opset 7 */
  node (g, "Resize", "x,empty,dyn", "d");
  infer (g);
  /* floor(7 × 1.5) = 10; scale 1 keeps the symbol */
  assert_shape (g, "a", "N×3×10×10");
  assert_shape (g, "b", "N×3×10×10");
  assert_shape (g, "c", "N×3×10×14");
  assert_shape (g, "d", "?×?×?×?");
}

static void
test_split (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");

  tensor (g, "x", F32, "2×10×4");
  CONST_INTS (g, "sizes", 3, 7);
  set_int (node (g, "Split", "x,sizes", "a0,a1"), "axis", 1);
  set_int (node (g, "Split", "x", "b0,b1"), "axis", 1);
  set_ints (node (g, "Split", "x", "c0,c1"), "split", INTS (1, 1));
  set_int (node (g, "Split", "x", "d0,d1,d2"), "axis", -2);  /* opset 18: 4, 4, 2 */
  infer (g);
  assert_shape (g, "a0", "2×3×4");
  assert_shape (g, "a1", "2×7×4");
  assert_shape (g, "b0", "2×5×4");
  assert_shape (g, "b1", "2×5×4");
  assert_shape (g, "c1", "1×10×4");
  assert_shape (g, "d1", "2×4×4");
  assert_shape (g, "d2", "2×2×4");
}

static void
test_pad_expand_where (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");

  tensor (g, "x", F32, "1×3×4×4");
  tensor (g, "col", F32, "3×1");
  tensor (g, "cond", LAMINA_DTYPE_BOOL, "1×4");
  tensor (g, "y", F32, "");
  CONST_INTS (g, "pads", 0, 0, 1, 2, 0, 0, 3, 4);
  CONST_INTS (g, "target", 2, 1, 4);
  node (g, "Pad", "x,pads", "a");
  set_ints (node (g, "Pad", "x", "b"), "pads", INTS (0, 1, 0, 0, 0, 1, 0, 0));  /* opset < 11 */
  node (g, "Expand", "col,target", "c");
  node (g, "Where", "cond,col,y", "d");
  infer (g);
  assert_shape (g, "a", "1×3×8×10");
  assert_shape (g, "b", "1×5×4×4");
  assert_shape (g, "c", "2×3×4");
  assert_shape (g, "d", "3×4");
  assert_dtype (g, "d", F32);
}

static void
test_depth_space_topk_argmax (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");

  tensor (g, "x", F32, "1×8×2×3");
  tensor (g, "v", F32, "2×5×7");
  CONST_INTS (g, "k", 3);
  set_int (node (g, "DepthToSpace", "x", "a"), "blocksize", 2);
  set_int (node (g, "SpaceToDepth", "a", "b"), "blocksize", 2);
  node (g, "TopK", "v,k", "vals,idx");
  set_int (node (g, "ArgMax", "v", "am"), "axis", 1);
  set_int (node (g, "ArgMin", "v", "an"), "keepdims", 0);
  node (g, "Softmax", "v", "sm");
  node (g, "HardSwish", "v", "hs");
  node (g, "NonZero", "v", "nz");
  infer (g);
  assert_shape (g, "a", "1×2×4×6");
  assert_shape (g, "b", "1×8×2×3");
  assert_shape (g, "vals", "2×5×3");
  assert_shape (g, "idx", "2×5×3");
  assert_dtype (g, "idx", I64);
  assert_shape (g, "am", "2×1×7");
  assert_dtype (g, "am", I64);
  assert_shape (g, "an", "5×7");
  assert_shape (g, "sm", "2×5×7");
  assert_shape (g, "hs", "2×5×7");
  assert_shape (g, "nz", "3×?");
}

static void
test_matmul (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");

  tensor (g, "a", F32, "2×1×4×5");
  tensor (g, "b", F32, "3×5×6");
  tensor (g, "v", F32, "5");
  tensor (g, "m", F32, "4×5");
  tensor (g, "s", F32, "B×4×5");
  node (g, "MatMul", "a,b", "ab");
  node (g, "MatMul", "v,b", "vb");
  node (g, "MatMul", "m,v", "mv");
  node (g, "MatMul", "s,b", "sb");
  infer (g);
  assert_shape (g, "ab", "2×3×4×6");
  assert_shape (g, "vb", "3×6");
  assert_shape (g, "mv", "4");
  assert_shape (g, "sb", "3×4×6");  /* B must be 1 or 3 */
}

static void
test_conv_transpose_and_same_conv (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  LaminaNode *n;

  tensor (g, "x", F32, "1×8×10×10");
  tensor (g, "w", F32, "8×4×2×2");
  tensor (g, "x5", F32, "1×8×5×5");
  tensor (g, "w3", F32, "8×4×3×3");
  tensor (g, "d", F32, "N×3×H×W");
  tensor (g, "k", F32, "16×3×3×3");
  set_ints (node (g, "ConvTranspose", "x,w", "a"), "strides", INTS (2, 2));
  n = node (g, "ConvTranspose", "x5,w3", "b");
  set_ints (n, "strides", INTS (2, 2));
  set_ints (n, "pads", INTS (1, 1, 1, 1));
  set_ints (n, "output_padding", INTS (1, 1));
  set_int (n, "group", 2);
  set_ints (node (g, "Conv", "d,k", "c"), "pads", INTS (1, 1, 1, 1));
  set_ints (node (g, "Conv", "d,k", "e"), "strides", INTS (2, 2));
  infer (g);
  assert_shape (g, "a", "1×4×20×20");
  /* 2 × (5 - 1) + 1 + 3 - 2 = 10 */
  assert_shape (g, "b", "1×8×10×10");
  assert_shape (g, "c", "N×16×H×W");
  assert_shape (g, "e", "N×16×?×?");
}

/* Hostile parameters leave shapes unknown (or without values) and never
 * allocate much: huge Range, huge ConstantOfShape, out-of-range axes. */
static void
test_hostile (void)
{
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");

  tensor (g, "x", F32, "2×3");
  SCALAR_INT (g, "zero", 0);
  SCALAR_INT (g, "big", 9223372036854775807);
  SCALAR_INT (g, "one", 1);
  SCALAR_INT (g, "axis9", 9);
  CONST_INTS (g, "huge", 1000000000, 1000000000);
  node (g, "Range", "zero,big,one", "r");
  node (g, "ConstantOfShape", "huge", "c");
  node (g, "Gather", "x,axis9", "gx");
  node (g, "Shape", "x", "s");
  node (g, "Gather", "s,axis9", "gs");
  node (g, "Unsqueeze", "x,axis9", "u");
  set_int (node (g, "Split", "x", "p0,p1"), "axis", 7);
  infer (g);
  assert_shape (g, "r", "?");
  assert_shape (g, "c", "1000000000×1000000000");
  assert_shape (g, "gs", "");  /* the index is out of range: no value */
  assert_shape (g, "u", "?");
  assert_shape (g, "p0", "?");
}

/* Tensors whose rank is unknown, and tensors with an unknown ("?", not
 * symbolic) dimension. */
static void
count_unknown (LaminaGraph *g, guint *n_rank, guint *n_dim)
{
  *n_rank = *n_dim = 0;
  for (guint i = 0; i < g->tensors->len; i++)
    {
      LaminaTensor *t = g_ptr_array_index (g->tensors, i);
      gboolean open = FALSE;
      for (int d = 0; d < t->shape.rank; d++)
        open |= t->shape.dims[d].value < 0 && t->shape.dims[d].symbol == NULL;
      *n_rank += t->shape.rank < 0;
      *n_dim += open;
    }
}

/* Per shared model: tensors of unknown rank and with an unknown dimension
 * after inference (before this inference knew Slice, Resize and shape
 * values: 36, 27, 27, 140 and 43 of unknown rank), and shapes checked
 * against python3-onnx: onnx.shape_inference.infer_shapes on the model
 * after its Shape/Gather/Unsqueeze/Concat/Slice/Cast chains were evaluated
 * with numpy (ppocrv4 with x = 1×3×48×320 and 1×3×640×640; there N = 1,
 * and the dimensions we leave open are 40 / 160 / 320 in the reference). */
typedef struct {
  const char *model;
  guint       unknown_rank, unknown_dim;
  const char *shapes[2 * 10];  /* name, shape pairs */
} SharedCase;

static const SharedCase shared_cases[] = {
  { "yolo-fastestv2-coco-352.onnx", 0, 0, {
      "453", "1×24×44×44", "855", "1×24×88×88", "462", "1×48×44×44",
      "464", "24×2×1936", "465", "2×24×1936", "752", "1×192×22×22",
      "791", "484×12", "813", "484×95", "844", "121×95" } },
  { "ultraface-slim-320.onnx", 0, 0, {
      "329", "1×160×2", "375", "1×4420×4", "390", "1×4420×4", "395", "1×4420×2" } },
  { "ultraface-rfb-320.onnx", 0, 0, {
      "459", "1×4420×2", "460", "1×4420×4", "475", "1×4420×4", "480", "1×4420×2" } },
  { "ppocrv4-rec.onnx", 0, 392, {
      "flatten_14.tmp_0", "p2o.DynamicDimension.0×120×?",
      "reshape2_25.tmp_0", "p2o.DynamicDimension.0×?×3×8×15",
      "transpose_44.tmp_0_slice_0", "p2o.DynamicDimension.0×8×?×15",
      "reshape2_26.tmp_0", "p2o.DynamicDimension.0×?×120" } },
  { "ppocrv4-det.onnx", 0, 279, {
      "nearest_interp_v2_0.tmp_0", "p2o.DynamicDimension.0×96×?×?",
      "p2o.Concat.1", "p2o.DynamicDimension.0×96×?×?",
      "p2o.ConvTranspose.1", "p2o.DynamicDimension.0×24×?×?" } },
};

static void
test_shared (gconstpointer data)
{
  const SharedCase *c = data;
  g_autofree char *path = lamina_test_shared_model (c->model);
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(GError) error = NULL;
  guint n_rank, n_dim;

  if (path == NULL)
    return;
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  count_unknown (model->graph, &n_rank, &n_dim);
  g_assert_cmpuint (n_rank, ==, c->unknown_rank);
  g_assert_cmpuint (n_dim, ==, c->unknown_dim);
  for (guint i = 0; i < G_N_ELEMENTS (c->shapes) && c->shapes[i] != NULL; i += 2)
    assert_shape (model->graph, c->shapes[i], c->shapes[i + 1]);
}

int
main (int argc, char *argv[])
{
  static const struct { const char *path; GTestFunc func; } tests[] = {
    { "table-sorted", test_table_sorted },
    { "conv-chain", test_conv_chain },
    { "shape-chain", test_shape_chain },
    { "shape-arithmetic", test_shape_arithmetic },
    { "constant-of-shape-range", test_constant_of_shape_range },
    { "constant-gather-squeeze", test_constant_gather_squeeze },
    { "reshape-partial", test_reshape_partial },
    { "slice", test_slice },
    { "resize", test_resize },
    { "split", test_split },
    { "pad-expand-where", test_pad_expand_where },
    { "depth-space-topk-argmax", test_depth_space_topk_argmax },
    { "matmul", test_matmul },
    { "conv-transpose", test_conv_transpose_and_same_conv },
    { "hostile", test_hostile },
  };

  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      g_autofree char *path = g_strconcat ("/lamina/shape-infer/", tests[i].path, NULL);
      g_test_add_func (path, tests[i].func);
    }
  for (guint i = 0; i < G_N_ELEMENTS (shared_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/lamina/shape-infer/shared/", shared_cases[i].model, NULL);
      g_test_add_data_func (path, &shared_cases[i], test_shared);
    }
  return g_test_run ();
}
