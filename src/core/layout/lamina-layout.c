/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-layout.c: a Sugiyama-style layered layout, top to bottom.
 *
 *   1. boxes     one per operator, one pill per graph input/output; Constant
 *                nodes (and TFLite DEQUANTIZE of float16 weights) are folded
 *                into their consumers as rows, as Netron does;
 *   2. layers    longest path from the inputs, sources pulled down next to
 *                their first consumer;
 *   3. dummies   edges spanning several layers get one dummy vertex per layer
 *                crossed, so they bend around boxes instead of through them;
 *   4. order     barycenter sweeps, keeping the order with the fewest
 *                crossings (counted exactly, Barth–Jünger–Mutzel);
 *   5. x         each layer placed at the weighted mean of its neighbours,
 *                subject to "no overlap" — an isotonic regression solved
 *                exactly by pool-adjacent-violators, alternating down and up;
 *                long edges weigh more so they run straight;
 *   6. y, edges  layers stacked; edges become polylines through their dummies
 *                with ports spread over the box sides; shape labels.
 *
 * We measured this against Graphviz dot on the 10,000-node generated model
 * (tests/gen-big-model.py, see README "Performance"): dot's network-simplex
 * ranking and positioning take minutes there, this takes well under a second.
 */
#define G_LOG_DOMAIN "lamina-layout"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-layout.h"

/* ---- options ------------------------------------------------------------ */

#define TEXT_PAD      6.0   /* must match lamina-render.c */
#define HEADER_EXTRA 10.0   /* header height = font px + this */
#define ROW_EXTRA     5.0   /* row height = font px + this */
#define BODY_PAD      4.0
#define MIN_BOX_WIDTH 36.0
#define DUMMY_WIDTH   8.0
#define PORT_SPACING 10.0
#define BOX_RADIUS_MARGIN 6.0 /* keep ports off the rounded corners */
#define MAX_LABEL_CHARS 40

void
lamina_layout_options_init (LaminaLayoutOptions *o)
{
  memset (o, 0, sizeof *o);
  o->header_px = 11;
  o->row_px = 9;
  o->edge_label_px = 10;
  o->node_sep = 20;
  o->layer_sep = 36;
  o->show_shapes = TRUE;
}

/* Used without a measuring callback (tests, headless tools): average glyph
 * widths of DejaVu Sans, close enough for box sizes. */
static double
estimate_text_width (const char *text, double px, gboolean bold, gpointer user_data)
{
  return g_utf8_strlen (text, -1) * px * (bold ? 0.66 : 0.6);
}

/* ---- input names shown on weight rows ------------------------------------ */

/* Operator input names as the ONNX and TFLite schemas give them, for the
 * rows "W ⟨…⟩". Sorted by strcmp ("PRelu" < "Pad") for bsearch. */
typedef struct {
  const char *op;
  const char *names;  /* comma separated, by input position */
} InputNames;

static const InputNames input_names[] = {
  { "Add", "A,B" },
  { "BatchNormalization", "X,scale,B,mean,var" },
  { "Clip", "input,min,max" },
  { "Concat", "" },
  { "Conv", "X,W,B" },
  { "Conv2D", "input,filter,bias" },
  { "ConvTranspose", "X,W,B" },
  { "DepthwiseConv2D", "input,filter,bias" },
  { "DequantizeLinear", "x,x_scale,x_zero_point" },
  { "Div", "A,B" },
  { "Equal", "A,B" },
  { "Expand", "input,shape" },
  { "FullyConnected", "input,weights,bias" },
  { "Gather", "data,indices" },
  { "Gemm", "A,B,C" },
  { "InstanceNormalization", "input,scale,B" },
  { "LayerNormalization", "X,Scale,B" },
  { "MatMul", "A,B" },
  { "Mul", "A,B" },
  { "PRelu", "X,slope" },
  { "Pad", "data,pads,constant_value,axes" },
  { "Pow", "X,Y" },
  { "QLinearConv", "x,x_scale,x_zero_point,w,w_scale,w_zero_point,y_scale,y_zero_point,B" },
  { "QLinearMatMul", "a,a_scale,a_zero_point,b,b_scale,b_zero_point,y_scale,y_zero_point" },
  { "QuantizeLinear", "x,y_scale,y_zero_point" },
  { "Range", "start,limit,delta" },
  { "ReduceMax", "data,axes" },
  { "ReduceMean", "data,axes" },
  { "ReduceMin", "data,axes" },
  { "ReduceSum", "data,axes" },
  { "Reshape", "data,shape" },
  { "Resize", "X,roi,scales,sizes" },
  { "ResizeBilinear", "input,size" },
  { "ResizeNearestNeighbor", "input,size" },
  { "Slice", "data,starts,ends,axes,steps" },
  { "Split", "input,split" },
  { "Squeeze", "data,axes" },
  { "StridedSlice", "input,begin,end,strides" },
  { "Sub", "A,B" },
  { "Tile", "input,repeats" },
  { "TopK", "X,K" },
  { "TransposeConv", "output_shape,weights,input,bias" },
  { "Unsqueeze", "data,axes" },
  { "Upsample", "X,scales" },
  { "Where", "condition,X,Y" },
};

static int
compare_input_names (const void *key, const void *item)
{
  return strcmp (key, ((const InputNames *) item)->op);
}

/* The schema name of input `index`, or the tensor's own name. */
static char *
input_label (const LaminaNode *node, guint index, const LaminaTensor *t)
{
  const InputNames *entry = bsearch (node->op_type, input_names, G_N_ELEMENTS (input_names),
                                     sizeof input_names[0], compare_input_names);

  if (entry != NULL)
    {
      g_auto(GStrv) names = g_strsplit (entry->names, ",", -1);
      if (index < g_strv_length (names))
        return g_strdup (names[index]);
    }
  if (g_utf8_strlen (t->name, -1) > 24)
    {
      g_autofree char *tail = g_utf8_substring (t->name, g_utf8_strlen (t->name, -1) - 20,
                                                g_utf8_strlen (t->name, -1));
      return g_strconcat ("…", tail, NULL);
    }
  return g_strdup (t->name[0] ? t->name : "?");
}

gboolean
lamina_layout_input_names_sorted (void)
{
  for (guint i = 1; i < G_N_ELEMENTS (input_names); i++)
    if (strcmp (input_names[i - 1].op, input_names[i].op) >= 0)
      return FALSE;
  return TRUE;
}

/* "= 1", "= 0.5" for scalars we can read; "⟨32×3×3×3⟩" otherwise. */
static char *
constant_value_text (const LaminaTensor *t)
{
  gsize size = 0;
  const guint8 *data = t->data ? g_bytes_get_data (t->data, &size) : NULL;
  g_autofree char *shape = NULL;

  if (data != NULL && lamina_shape_numel (&t->shape) == 1 && size == lamina_dtype_size (t->dtype))
    {
      gint64 i64;
      gint32 i32;
      float f32;
      switch (t->dtype)
        {
        case LAMINA_DTYPE_INT64:
          memcpy (&i64, data, 8);
          return g_strdup_printf ("= %" G_GINT64_FORMAT, i64);
        case LAMINA_DTYPE_INT32:
          memcpy (&i32, data, 4);
          return g_strdup_printf ("= %d", i32);
        case LAMINA_DTYPE_FLOAT32:
          memcpy (&f32, data, 4);
          return g_strdup_printf ("= %g", f32);
        default:
          break;
        }
    }
  shape = lamina_shape_to_string (&t->shape);
  return g_strdup_printf ("⟨%s⟩", shape);
}

/* ---- boxes --------------------------------------------------------------- */

/* A node drawn only as rows of its consumers: Constant nodes, and TFLite
 * DEQUANTIZE of constant float16 weights (a storage detail, not a layer). */
static gboolean
node_is_folded (const LaminaNode *node, GHashTable *graph_outputs)
{
  gboolean fold = FALSE;

  if (strcmp (node->op_type, "Constant") == 0)
    fold = TRUE;
  else if (strcmp (node->op_type, "Dequantize") == 0 && node->inputs->len == 1)
    {
      const LaminaTensor *in = g_ptr_array_index (node->inputs, 0);
      fold = in != NULL && in->is_constant && in->dtype == LAMINA_DTYPE_FLOAT16;
    }
  for (guint i = 0; fold && i < node->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (node->outputs, i);
      if (t != NULL && (g_hash_table_contains (graph_outputs, t) || t->consumers->len == 0))
        fold = FALSE;
    }
  return fold;
}

typedef struct {
  const LaminaGraph         *graph;
  const LaminaLayoutOptions *o;
  LaminaMeasureFunc          measure;
  gpointer                   measure_data;
  LaminaLayout              *layout;
  GHashTable                *folded;        /* LaminaNode* set */
  GHashTable                *graph_outputs; /* LaminaTensor* set */
  GHashTable                *input_pill;    /* LaminaTensor* → box index + 1 */
  GHashTable                *widths;        /* "px|bold|text" → double*: the same
                                              * few strings recur thousands of times */
} Builder;

/* The constant a tensor stands for when it is drawn as a row, or NULL when
 * the tensor is an activation (drawn as an edge). */
static LaminaTensor *
row_tensor (Builder *b, LaminaTensor *t)
{
  if (t->producer != NULL && g_hash_table_contains (b->folded, t->producer))
    {
      LaminaTensor *in = t->producer->inputs->len ? g_ptr_array_index (t->producer->inputs, 0) : NULL;
      return strcmp (t->producer->op_type, "Dequantize") == 0 && in != NULL ? in : t;
    }
  if (t->producer == NULL && t->is_constant)
    return t;
  return NULL;
}

static double
text_width (Builder *b, const char *text, double px, gboolean bold)
{
  char *key = g_strdup_printf ("%g|%d|%s", px, bold, text);
  double *width = g_hash_table_lookup (b->widths, key);

  if (width != NULL)
    {
      g_free (key);
      return *width;
    }
  width = g_new (double, 1);
  *width = b->measure (text, px, bold, b->measure_data);
  g_hash_table_insert (b->widths, key, width);
  return *width;
}

static guint
add_box (Builder *b, LaminaBoxKind kind, const char *title)
{
  LaminaBox box = { 0 };

  box.kind = kind;
  box.title = g_strdup (title);
  box.rows = g_array_new (FALSE, TRUE, sizeof (LaminaBoxRow));
  box.header_height = b->o->header_px + HEADER_EXTRA;
  box.rect.height = box.header_height;
  box.rect.width = MAX (MIN_BOX_WIDTH, text_width (b, title, b->o->header_px, FALSE) + 2 * TEXT_PAD + 4);
  g_array_append_val (b->layout->boxes, box);
  return b->layout->boxes->len - 1;
}

static void
add_node_rows (Builder *b, LaminaBox *box, LaminaNode *node)
{
  double widest = 0;

  for (guint i = 0; i < node->inputs->len; i++)
    {
      LaminaTensor *t = g_ptr_array_index (node->inputs, i), *c;
      LaminaBoxRow row;
      if (t == NULL || (c = row_tensor (b, t)) == NULL)
        continue;
      row.label = input_label (node, i, t);
      row.value = constant_value_text (c);
      row.tensor = c;
      widest = MAX (widest, text_width (b, row.label, b->o->row_px, TRUE) + 3 +
                            text_width (b, row.value, b->o->row_px, FALSE));
      g_array_append_val (box->rows, row);
    }
  if (box->rows->len > 0)
    box->rect.height += box->rows->len * (b->o->row_px + ROW_EXTRA) + BODY_PAD;
  box->rect.width = MAX (box->rect.width, widest + 2 * TEXT_PAD);
}

static void
build_boxes (Builder *b, GPtrArray *order)
{
  LaminaGraph *graph = (LaminaGraph *) b->graph;

  for (guint i = 0; i < graph->inputs->len; i++)
    {
      LaminaTensor *t = g_ptr_array_index (graph->inputs, i);
      guint index = add_box (b, LAMINA_BOX_INPUT, t->name);
      g_array_index (b->layout->boxes, LaminaBox, index).tensor = t;
      g_hash_table_insert (b->input_pill, t, GUINT_TO_POINTER (index + 1));
    }
  for (guint i = 0; i < order->len; i++)
    {
      LaminaNode *node = g_ptr_array_index (order, i);
      guint index;
      if (g_hash_table_contains (b->folded, node))
        continue;
      index = add_box (b, LAMINA_BOX_NODE, node->op_type);
      g_array_index (b->layout->boxes, LaminaBox, index).node = node;
      add_node_rows (b, &g_array_index (b->layout->boxes, LaminaBox, index), node);
      g_hash_table_insert (b->layout->box_of_node, node, GUINT_TO_POINTER (index + 1));
    }
  for (guint i = 0; i < graph->outputs->len; i++)
    {
      LaminaTensor *t = g_ptr_array_index (graph->outputs, i);
      guint index = add_box (b, LAMINA_BOX_OUTPUT, t->name);
      g_array_index (b->layout->boxes, LaminaBox, index).tensor = t;
    }
}

/* The box an activation tensor comes out of: its producer's box, or the
 * input pill; -1 for tensors without either (outer-scope names). */
static int
source_box (Builder *b, const LaminaTensor *t)
{
  gpointer p;

  if (t->producer != NULL)
    p = g_hash_table_lookup (b->layout->box_of_node, t->producer);
  else
    p = g_hash_table_lookup (b->input_pill, t);
  return GPOINTER_TO_UINT (p) - 1;
}

static void
add_edge (Builder *b, int from, guint to, LaminaTensor *t)
{
  LaminaEdge e = { 0 };

  if (from < 0 || (guint) from == to)
    return;
  /* a node reading the same tensor twice (x * x) gets one edge */
  for (guint i = b->layout->edges->len; i-- > 0;)
    {
      const LaminaEdge *prev = &g_array_index (b->layout->edges, LaminaEdge, i);
      if (prev->to != to)
        break;
      if (prev->from == (guint) from && prev->tensor == t)
        return;
    }
  e.from = from;
  e.to = to;
  e.tensor = t;
  g_array_append_val (b->layout->edges, e);
}

static void
build_edges (Builder *b)
{
  LaminaLayout *layout = b->layout;

  for (guint i = 0; i < layout->boxes->len; i++)
    {
      LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      if (box->kind == LAMINA_BOX_OUTPUT)
        add_edge (b, source_box (b, box->tensor), i, box->tensor);
      else if (box->kind == LAMINA_BOX_NODE)
        for (guint k = 0; k < box->node->inputs->len; k++)
          {
            LaminaTensor *t = g_ptr_array_index (box->node->inputs, k);
            if (t != NULL && row_tensor (b, t) == NULL)
              add_edge (b, source_box (b, t), i, t);
          }
    }
}

/* ---- the layered graph: boxes plus dummies ------------------------------- */

typedef struct {
  int     box;     /* index into boxes, -1 for a dummy */
  int     layer;
  guint   pos;     /* position within its layer */
  double  width;
  double  x;       /* centre */
  GArray *up;      /* guint vertex ids of neighbours one layer up */
  GArray *down;
} Vertex;

typedef struct {
  GArray    *verts;   /* Vertex */
  GPtrArray *layers;  /* GArray of guint vertex ids, in order */
  GPtrArray *chains;  /* per edge: GArray of vertex ids from source to target */
} Layered;

static void
layered_clear (Layered *g)
{
  for (guint i = 0; g->verts && i < g->verts->len; i++)
    {
      Vertex *v = &g_array_index (g->verts, Vertex, i);
      g_array_unref (v->up);
      g_array_unref (v->down);
    }
  g_clear_pointer (&g->verts, g_array_unref);
  g_clear_pointer (&g->layers, g_ptr_array_unref);
  g_clear_pointer (&g->chains, g_ptr_array_unref);
}

static guint
add_vertex (Layered *g, int box, int layer, double width)
{
  Vertex v = { box, layer, 0, width, 0, g_array_new (FALSE, FALSE, sizeof (guint)),
               g_array_new (FALSE, FALSE, sizeof (guint)) };

  g_array_append_val (g->verts, v);
  return g->verts->len - 1;
}

#define VERT(g, i) (&g_array_index ((g)->verts, Vertex, (i)))

/* Longest path from the sources; boxes are in topological order already
 * (inputs, nodes in topological order, outputs), so one pass suffices.
 * Then sources move down to just above their first consumer. */
static int *
assign_layers (const LaminaLayout *layout)
{
  guint n = layout->boxes->len;
  int *layer = g_new0 (int, n);
  int *min_succ = g_new (int, n);
  gboolean *has_pred = g_new0 (gboolean, n);

  for (guint i = 0; i < n; i++)
    min_succ[i] = G_MAXINT;
  /* edges are grouped by target in box order, so sources are final when read */
  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, i);
      layer[e->to] = MAX (layer[e->to], layer[e->from] + 1);
      has_pred[e->to] = TRUE;
    }
  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, i);
      min_succ[e->from] = MIN (min_succ[e->from], layer[e->to]);
    }
  for (guint i = 0; i < n; i++)
    if (!has_pred[i] && min_succ[i] != G_MAXINT)
      layer[i] = min_succ[i] - 1;
  g_free (min_succ);
  g_free (has_pred);
  return layer;
}

static void
link_vertices (Layered *g, guint upper, guint lower)
{
  g_array_append_val (VERT (g, upper)->down, lower);
  g_array_append_val (VERT (g, lower)->up, upper);
}

static void
build_layered (Layered *g, const LaminaLayout *layout, const int *layer)
{
  int n_layers = 0;

  g->verts = g_array_new (FALSE, FALSE, sizeof (Vertex));
  g->chains = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      add_vertex (g, i, layer[i], box->rect.width);
      n_layers = MAX (n_layers, layer[i] + 1);
    }
  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, i);
      GArray *chain = g_array_new (FALSE, FALSE, sizeof (guint));
      guint prev = e->from;
      g_array_append_val (chain, prev);
      for (int l = layer[e->from] + 1; l < layer[e->to]; l++)
        {
          guint d = add_vertex (g, -1, l, DUMMY_WIDTH);
          link_vertices (g, prev, d);
          g_array_append_val (chain, d);
          prev = d;
        }
      link_vertices (g, prev, e->to);
      g_array_append_val (chain, e->to);
      g_ptr_array_add (g->chains, chain);
    }
  g->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (int l = 0; l < n_layers; l++)
    g_ptr_array_add (g->layers, g_array_new (FALSE, FALSE, sizeof (guint)));
}

/* Initial order: depth-first from the sources, so that chains of the graph
 * start next to each other. */
static void
initial_order (Layered *g)
{
  guint n = g->verts->len;
  gboolean *seen = g_new0 (gboolean, n);
  GArray *stack = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint root = 0; root < n; root++)
    {
      if (seen[root] || VERT (g, root)->up->len > 0)
        continue;
      g_array_append_val (stack, root);
      while (stack->len > 0)
        {
          guint v = g_array_index (stack, guint, stack->len - 1);
          Vertex *vx = VERT (g, v);
          g_array_set_size (stack, stack->len - 1);
          if (seen[v])
            continue;
          seen[v] = TRUE;
          g_array_append_val (g_ptr_array_index (g->layers, vx->layer), v);
          for (guint k = vx->down->len; k-- > 0;)
            if (!seen[g_array_index (vx->down, guint, k)])
              g_array_append_val (stack, g_array_index (vx->down, guint, k));
        }
    }
  g_array_unref (stack);
  g_free (seen);
}

static void
update_positions (Layered *g)
{
  for (guint l = 0; l < g->layers->len; l++)
    {
      GArray *layer = g_ptr_array_index (g->layers, l);
      for (guint i = 0; i < layer->len; i++)
        VERT (g, g_array_index (layer, guint, i))->pos = i;
    }
}

/* ---- crossing minimisation -------------------------------------------- */

typedef struct { guint upper, lower; } Pair;

static int
compare_pairs (const void *a, const void *b)
{
  const Pair *p = a, *q = b;

  if (p->upper != q->upper)
    return p->upper < q->upper ? -1 : 1;
  return (p->lower > q->lower) - (p->lower < q->lower);
}

/* Crossings between layer l and l+1: edges sorted by upper position, then
 * inversions among the lower positions counted with a Fenwick tree. */
static guint64
count_crossings_between (Layered *g, guint l, GArray *pairs)
{
  GArray *upper = g_ptr_array_index (g->layers, l);
  GArray *lower = g_ptr_array_index (g->layers, l + 1);
  guint m = lower->len;
  guint64 crossings = 0, *tree;

  g_array_set_size (pairs, 0);
  for (guint i = 0; i < upper->len; i++)
    {
      Vertex *v = VERT (g, g_array_index (upper, guint, i));
      for (guint k = 0; k < v->down->len; k++)
        {
          Pair p = { v->pos, VERT (g, g_array_index (v->down, guint, k))->pos };
          g_array_append_val (pairs, p);
        }
    }
  qsort (pairs->data, pairs->len, sizeof (Pair), compare_pairs);
  tree = g_new0 (guint64, m + 1);
  for (guint i = 0; i < pairs->len; i++)
    {
      guint pos = g_array_index (pairs, Pair, i).lower + 1;
      guint64 not_greater = 0;
      for (guint j = pos; j > 0; j -= j & -j)
        not_greater += tree[j];
      crossings += i - not_greater;
      for (guint j = pos; j <= m; j += j & -j)
        tree[j]++;
    }
  g_free (tree);
  return crossings;
}

static guint64
count_crossings (Layered *g)
{
  GArray *pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  guint64 total = 0;

  for (guint l = 0; l + 1 < g->layers->len; l++)
    total += count_crossings_between (g, l, pairs);
  g_array_unref (pairs);
  return total;
}

typedef struct { guint vertex; double key; guint pos; } Keyed;

static int
compare_keyed (const void *a, const void *b)
{
  const Keyed *p = a, *q = b;

  if (p->key != q->key)
    return p->key < q->key ? -1 : 1;
  return (p->pos > q->pos) - (p->pos < q->pos);
}

/* Reorders one layer by the mean position of each vertex's neighbours in
 * the adjacent layer (up or down); vertices without any keep their place. */
static void
reorder_layer (Layered *g, GArray *layer, gboolean by_up)
{
  Keyed *keyed = g_new (Keyed, layer->len);

  for (guint i = 0; i < layer->len; i++)
    {
      Vertex *v = VERT (g, g_array_index (layer, guint, i));
      GArray *nb = by_up ? v->up : v->down;
      double sum = 0;
      for (guint k = 0; k < nb->len; k++)
        sum += VERT (g, g_array_index (nb, guint, k))->pos;
      keyed[i].vertex = g_array_index (layer, guint, i);
      keyed[i].key = nb->len ? sum / nb->len : v->pos;
      keyed[i].pos = i;
    }
  qsort (keyed, layer->len, sizeof (Keyed), compare_keyed);
  for (guint i = 0; i < layer->len; i++)
    {
      g_array_index (layer, guint, i) = keyed[i].vertex;
      VERT (g, keyed[i].vertex)->pos = i;
    }
  g_free (keyed);
}

static GPtrArray *
save_order (Layered *g)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (guint l = 0; l < g->layers->len; l++)
    {
      GArray *layer = g_ptr_array_index (g->layers, l);
      GArray *c = g_array_sized_new (FALSE, FALSE, sizeof (guint), layer->len);
      g_array_append_vals (c, layer->data, layer->len);
      g_ptr_array_add (copy, c);
    }
  return copy;
}

#define ORDER_SWEEPS 12

static gboolean
minimise_crossings (Layered *g, GCancellable *cancellable)
{
  guint64 best = count_crossings (g);
  GPtrArray *best_order = save_order (g);

  for (int sweep = 0; sweep < ORDER_SWEEPS && best > 0; sweep++)
    {
      gboolean down = sweep % 2 == 0;
      guint64 crossings;
      if (g_cancellable_is_cancelled (cancellable))
        break;
      for (guint i = 1; i < g->layers->len; i++)
        {
          guint l = down ? i : g->layers->len - 1 - i;
          reorder_layer (g, g_ptr_array_index (g->layers, l), down);
        }
      crossings = count_crossings (g);
      if (crossings < best)
        {
          best = crossings;
          g_ptr_array_unref (best_order);
          best_order = save_order (g);
        }
    }
  g_ptr_array_unref (g->layers);
  g->layers = best_order;
  update_positions (g);
  return !g_cancellable_is_cancelled (cancellable);
}

/* ---- x coordinates --------------------------------------------------- */

/* Heavier pull along long edges (dummy–dummy) so they run straight. */
static double
edge_weight (const Vertex *a, const Vertex *b)
{
  if (a->box < 0 && b->box < 0)
    return 8;
  return a->box < 0 || b->box < 0 ? 2 : 1;
}

typedef struct { double weight, sum, count_start; guint first; } Block;

/* Places the vertices of one layer at the weighted least-squares closest
 * positions to target[] that keep their order and minimum gaps: with
 * offsets o_i (cumulative gaps) this is isotonic regression of target − o,
 * solved exactly by pool-adjacent-violators. */
static void
place_layer (Layered *g, GArray *layer, const double *target, const double *weight, double sep)
{
  guint n = layer->len;
  double *offset = g_new (double, n);
  Block *blocks = g_new (Block, n);
  guint nb = 0;

  for (guint i = 0; i < n; i++)
    {
      Vertex *v = VERT (g, g_array_index (layer, guint, i));
      if (i == 0)
        offset[i] = 0;
      else
        {
          Vertex *u = VERT (g, g_array_index (layer, guint, i - 1));
          offset[i] = offset[i - 1] + (u->width + v->width) / 2 + sep;
        }
      blocks[nb] = (Block) { weight[i], weight[i] * (target[i] - offset[i]), 0, i };
      nb++;
      while (nb > 1 && blocks[nb - 2].sum / blocks[nb - 2].weight >= blocks[nb - 1].sum / blocks[nb - 1].weight)
        {
          blocks[nb - 2].weight += blocks[nb - 1].weight;
          blocks[nb - 2].sum += blocks[nb - 1].sum;
          nb--;
        }
    }
  for (guint b = 0; b < nb; b++)
    {
      guint end = b + 1 < nb ? blocks[b + 1].first : n;
      double y = blocks[b].sum / blocks[b].weight;
      for (guint i = blocks[b].first; i < end; i++)
        VERT (g, g_array_index (layer, guint, i))->x = y + offset[i];
    }
  g_free (blocks);
  g_free (offset);
}

/* One pass over the layers: each vertex is pulled towards its neighbours
 * in the layer above (down pass), below (up pass) or both. */
static void
place_pass (Layered *g, int direction, double sep)
{
  guint n_layers = g->layers->len;

  for (guint i = 0; i < n_layers; i++)
    {
      guint l = direction >= 0 ? i : n_layers - 1 - i;
      GArray *layer = g_ptr_array_index (g->layers, l);
      double *target = g_new (double, layer->len);
      double *weight = g_new (double, layer->len);
      for (guint k = 0; k < layer->len; k++)
        {
          Vertex *v = VERT (g, g_array_index (layer, guint, k));
          double sum = 0, w = 0;
          for (int side = 0; side < 2; side++)
            {
              GArray *nb = side == 0 ? v->up : v->down;
              if ((side == 0 && direction < 0) || (side == 1 && direction > 0))
                continue;
              for (guint j = 0; j < nb->len; j++)
                {
                  Vertex *u = VERT (g, g_array_index (nb, guint, j));
                  double ew = edge_weight (u, v);
                  sum += ew * u->x;
                  w += ew;
                }
            }
          /* no neighbours on that side: stay, with a weak pull */
          target[k] = w > 0 ? sum / w : v->x;
          weight[k] = w > 0 ? w : 0.1;
        }
      place_layer (g, layer, target, weight, sep);
      g_free (target);
      g_free (weight);
    }
}

#define PLACE_PASSES 8

static void
assign_x (Layered *g, double sep)
{
  /* start packed from the left, in order */
  for (guint l = 0; l < g->layers->len; l++)
    {
      GArray *layer = g_ptr_array_index (g->layers, l);
      double x = 0;
      for (guint k = 0; k < layer->len; k++)
        {
          Vertex *v = VERT (g, g_array_index (layer, guint, k));
          v->x = x + v->width / 2;
          x += v->width + sep;
        }
    }
  for (int pass = 0; pass < PLACE_PASSES; pass++)
    place_pass (g, pass % 2 == 0 ? 1 : -1, sep);
  place_pass (g, 0, sep);
  place_pass (g, 0, sep);
}

/* ---- y coordinates, boxes and edges ------------------------------------- */

static double *
assign_y (Layered *g, LaminaLayout *layout, double layer_sep, double **layer_height_out)
{
  guint n_layers = g->layers->len;
  double *top = g_new0 (double, n_layers + 1);
  double *height = g_new0 (double, n_layers + 1);
  double min_x = G_MAXDOUBLE, max_x = -G_MAXDOUBLE;

  for (guint i = 0; i < g->verts->len; i++)
    {
      Vertex *v = VERT (g, i);
      if (v->box >= 0)
        height[v->layer] = MAX (height[v->layer], g_array_index (layout->boxes, LaminaBox, v->box).rect.height);
      min_x = MIN (min_x, v->x - v->width / 2);
      max_x = MAX (max_x, v->x + v->width / 2);
    }
  for (guint l = 1; l <= n_layers; l++)
    top[l] = top[l - 1] + height[l - 1] + layer_sep;
  for (guint i = 0; i < g->verts->len; i++)
    {
      Vertex *v = VERT (g, i);
      v->x -= min_x;
      if (v->box >= 0)
        {
          LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, v->box);
          box->layer = v->layer;
          box->rect.x = v->x - box->rect.width / 2;
          box->rect.y = top[v->layer] + (height[v->layer] - box->rect.height) / 2;
        }
    }
  layout->width = g->verts->len ? max_x - min_x : 0;
  layout->height = n_layers ? top[n_layers] - layer_sep : 0;
  *layer_height_out = height;
  return top;
}

typedef struct { guint edge; double key; } PortKey;

static int
compare_port_keys (const void *a, const void *b)
{
  const PortKey *p = a, *q = b;

  if (p->key != q->key)
    return p->key < q->key ? -1 : 1;
  return (p->edge > q->edge) - (p->edge < q->edge);
}

static void
spread_ports (LaminaLayout *layout, const LaminaBox *box, GArray *side, gboolean outgoing, double *port_x)
{
  guint n_ports = 0, port = 0;
  LaminaTensor *last = NULL;
  double spacing;

  qsort (side->data, side->len, sizeof (PortKey), compare_port_keys);
  for (guint k = 0; k < side->len; k++)
    {
      const LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, g_array_index (side, PortKey, k).edge);
      n_ports += !outgoing || k == 0 || e->tensor != last;
      last = e->tensor;
    }
  spacing = n_ports > 1 ? MIN (PORT_SPACING, MAX (0, box->rect.width - 2 * BOX_RADIUS_MARGIN) / (n_ports - 1)) : 0;
  last = NULL;
  for (guint k = 0; k < side->len; k++)
    {
      guint ei = g_array_index (side, PortKey, k).edge;
      const LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, ei);
      if (k > 0 && (!outgoing || e->tensor != last))
        port++;
      last = e->tensor;
      port_x[ei] = box->rect.x + box->rect.width / 2 + (port - (n_ports - 1) / 2.0) * spacing;
    }
}

/* Spreads the ends of the edges at one side of a box over its width,
 * ordered by where each edge goes so they don't cross at the box. Edges
 * carrying the same tensor out of a box share one port, placed by the mean
 * position of their targets. */
static void
assign_ports (LaminaLayout *layout, Layered *g, gboolean outgoing, double *port_x)
{
  GArray **sides = g_new0 (GArray *, layout->boxes->len);
  double *next_x = g_new (double, layout->edges->len);
  g_autoptr(GHashTable) mean = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, i);
      GArray *chain = g_ptr_array_index (g->chains, i);
      double *acc = g_hash_table_lookup (mean, e->tensor);
      next_x[i] = VERT (g, g_array_index (chain, guint, outgoing ? 1 : chain->len - 2))->x;
      if (acc == NULL)
        g_hash_table_insert (mean, e->tensor, acc = g_new0 (double, 2));
      acc[0] += next_x[i];
      acc[1] += 1;
    }
  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, i);
      guint box = outgoing ? e->from : e->to;
      double *acc = g_hash_table_lookup (mean, e->tensor);
      PortKey k = { i, outgoing ? acc[0] / acc[1] : next_x[i] };
      if (sides[box] == NULL)
        sides[box] = g_array_new (FALSE, FALSE, sizeof (PortKey));
      g_array_append_val (sides[box], k);
    }
  for (guint b = 0; b < layout->boxes->len; b++)
    if (sides[b] != NULL)
      {
        spread_ports (layout, &g_array_index (layout->boxes, LaminaBox, b), sides[b], outgoing, port_x);
        g_array_unref (sides[b]);
      }
  g_free (next_x);
  g_free (sides);
}

static void
append_point (GArray *points, double x, double y)
{
  g_array_append_val (points, x);
  g_array_append_val (points, y);
}

/* "int8 s 0.0039 z -128" (per tensor) or "int8 ×24 scales" (per axis) of
 * a fixed tensor, NULL for others. */
static char *
quant_label (const LaminaTensor *t)
{
  const LaminaQuant *q = t->quant;

  if (q == NULL || q->n == 0)
    return NULL;
  if (q->n == 1)
    return g_strdup_printf ("%s s %.3g z %" G_GINT64_FORMAT, lamina_dtype_name (t->dtype), q->scale[0],
                            q->zero_point[0]);
  return g_strdup_printf ("%s ×%u scales", lamina_dtype_name (t->dtype), q->n);
}

/* The shape label sits beside the middle of the edge's first segment; a
 * tensor read by several boxes is labelled once. Fixed tensors add their
 * type, scale and zero point after the (shortened) shape. */
static void
label_edge (LaminaEdge *e, const LaminaLayoutOptions *o, GHashTable *labelled)
{
  g_autofree char *text = NULL, *quant = NULL;

  if (!o->show_shapes || e->n_points < 2 || g_hash_table_contains (labelled, e->tensor))
    return;
  g_hash_table_add (labelled, e->tensor);
  text = lamina_shape_to_string (&e->tensor->shape);
  quant = quant_label (e->tensor);
  if (text[0] == '\0' && quant == NULL)
    return;
  if (g_utf8_strlen (text, -1) > MAX_LABEL_CHARS)
    {
      char *cut = g_utf8_substring (text, 0, MAX_LABEL_CHARS - 1);
      g_free (text);
      text = g_strconcat (cut, "…", NULL);
      g_free (cut);
    }
  if (quant != NULL)
    {
      char *both = g_strconcat (text, text[0] ? "  " : "", quant, NULL);
      g_free (text);
      text = both;
    }
  e->label = g_steal_pointer (&text);
  e->label_x = (e->points[0] + e->points[2]) / 2 + 4;
  e->label_y = (e->points[1] + e->points[3]) / 2 - o->edge_label_px * 0.65;
}

static void
route_edges (Layered *g, LaminaLayout *layout, const LaminaLayoutOptions *o,
             const double *top, const double *height)
{
  double *out_x = g_new (double, layout->edges->len);
  double *in_x = g_new (double, layout->edges->len);
  g_autoptr(GHashTable) labelled = g_hash_table_new (NULL, NULL);

  assign_ports (layout, g, TRUE, out_x);
  assign_ports (layout, g, FALSE, in_x);
  for (guint i = 0; i < layout->edges->len; i++)
    {
      LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, i);
      GArray *chain = g_ptr_array_index (g->chains, i);
      const LaminaBox *from = &g_array_index (layout->boxes, LaminaBox, e->from);
      const LaminaBox *to = &g_array_index (layout->boxes, LaminaBox, e->to);
      GArray *points = g_array_new (FALSE, FALSE, sizeof (double));
      append_point (points, out_x[i], from->rect.y + from->rect.height);
      for (guint k = 1; k + 1 < chain->len; k++)
        {
          const Vertex *d = VERT (g, g_array_index (chain, guint, k));
          append_point (points, d->x, top[d->layer]);
          if (height[d->layer] > 0)
            append_point (points, d->x, top[d->layer] + height[d->layer]);
        }
      append_point (points, in_x[i], to->rect.y);
      e->n_points = points->len / 2;
      e->points = (double *) g_array_free (points, FALSE);
      label_edge (e, o, labelled);
    }
  g_free (out_x);
  g_free (in_x);
}

/* ---- the whole layout ----------------------------------------------------- */

static void
report (LaminaProgressFunc progress, gpointer data, double fraction, const char *message)
{
  if (progress != NULL)
    progress (fraction, message, data);
}

static LaminaLayout *
layout_new (LaminaGraph *graph)
{
  LaminaLayout *layout = g_new0 (LaminaLayout, 1);

  layout->graph = graph;
  layout->boxes = g_array_new (FALSE, TRUE, sizeof (LaminaBox));
  layout->edges = g_array_new (FALSE, TRUE, sizeof (LaminaEdge));
  layout->box_of_node = g_hash_table_new (NULL, NULL);
  return layout;
}

/* Boxes, rows and edges, before any geometry. */
static gboolean
build_graph (LaminaLayout *layout, const LaminaLayoutOptions *o, GError **error)
{
  LaminaGraph *graph = layout->graph;
  g_autoptr(GPtrArray) order = lamina_graph_toposort (graph, error);
  Builder b = { graph, o, o->measure ? o->measure : estimate_text_width, o->measure_data, layout };

  if (order == NULL)
    return FALSE;
  b.folded = g_hash_table_new (NULL, NULL);
  b.graph_outputs = g_hash_table_new (NULL, NULL);
  b.input_pill = g_hash_table_new (NULL, NULL);
  b.widths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < graph->outputs->len; i++)
    g_hash_table_add (b.graph_outputs, g_ptr_array_index (graph->outputs, i));
  for (guint i = 0; i < order->len; i++)
    if (node_is_folded (g_ptr_array_index (order, i), b.graph_outputs))
      g_hash_table_add (b.folded, g_ptr_array_index (order, i));
  build_boxes (&b, order);
  build_edges (&b);
  g_hash_table_unref (b.folded);
  g_hash_table_unref (b.graph_outputs);
  g_hash_table_unref (b.input_pill);
  g_hash_table_unref (b.widths);
  return TRUE;
}

LaminaLayout *
lamina_layout_compute (LaminaGraph               *graph,
                       const LaminaLayoutOptions *options,
                       LaminaProgressFunc         progress,
                       gpointer                   progress_data,
                       GCancellable              *cancellable,
                       GError                   **error)
{
  g_autoptr(LaminaLayout) layout = layout_new (graph);
  LaminaLayoutOptions defaults;
  Layered g = { 0 };
  g_autofree int *layer = NULL;
  g_autofree double *top = NULL, *height = NULL;

  g_return_val_if_fail (graph != NULL, NULL);
  if (options == NULL)
    {
      lamina_layout_options_init (&defaults);
      options = &defaults;
    }
  report (progress, progress_data, 0.0, _("Measuring boxes"));
  if (!build_graph (layout, options, error))
    return NULL;
  report (progress, progress_data, 0.2, _("Assigning layers"));
  layer = assign_layers (layout);
  build_layered (&g, layout, layer);
  initial_order (&g);
  update_positions (&g);
  report (progress, progress_data, 0.3, _("Reducing edge crossings"));
  if (!minimise_crossings (&g, cancellable) || g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      layered_clear (&g);
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }
  report (progress, progress_data, 0.7, _("Placing boxes"));
  assign_x (&g, options->node_sep);
  top = assign_y (&g, layout, options->layer_sep, &height);
  route_edges (&g, layout, options, top, height);
  layered_clear (&g);
  report (progress, progress_data, 1.0, NULL);
  return g_steal_pointer (&layout);
}

void
lamina_layout_free (LaminaLayout *layout)
{
  if (layout == NULL)
    return;
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      for (guint k = 0; k < box->rows->len; k++)
        {
          LaminaBoxRow *row = &g_array_index (box->rows, LaminaBoxRow, k);
          g_free (row->label);
          g_free (row->value);
        }
      g_array_unref (box->rows);
      g_free (box->title);
    }
  for (guint i = 0; i < layout->edges->len; i++)
    {
      LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, i);
      g_free (e->label);
      g_free (e->points);
    }
  g_array_unref (layout->boxes);
  g_array_unref (layout->edges);
  g_hash_table_unref (layout->box_of_node);
  g_free (layout);
}

/* ---- queries -------------------------------------------------------------- */

int
lamina_layout_box_for_node (const LaminaLayout *layout, const LaminaNode *node)
{
  return (int) GPOINTER_TO_UINT (g_hash_table_lookup (layout->box_of_node, node)) - 1;
}

int
lamina_layout_hit_box (const LaminaLayout *layout, double x, double y)
{
  /* boxes never overlap; scanning backwards finds the one drawn last */
  for (guint i = layout->boxes->len; i-- > 0;)
    {
      const LaminaRect *r = &g_array_index (layout->boxes, LaminaBox, i).rect;
      if (x >= r->x && x <= r->x + r->width && y >= r->y && y <= r->y + r->height)
        return i;
    }
  return -1;
}

static double
distance_to_segment (double px, double py, double x0, double y0, double x1, double y1)
{
  double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;

  t = CLAMP (t, 0, 1);
  return hypot (px - (x0 + t * dx), py - (y0 + t * dy));
}

/* Distance to the curve render draws: per segment a cubic with vertical
 * tangents, sampled finely enough for a pointer tolerance of a few px. */
static double
distance_to_edge (const LaminaEdge *e, double x, double y)
{
  double best = G_MAXDOUBLE;

  for (guint i = 1; i < e->n_points; i++)
    {
      double x0 = e->points[2 * i - 2], y0 = e->points[2 * i - 1];
      double x1 = e->points[2 * i], y1 = e->points[2 * i + 1];
      double px = x0, py = y0;
      for (int s = 1; s <= 12; s++)
        {
          double t = s / 12.0, u = 1 - t;
          /* control points (x0, y0 + dy) and (x1, y1 - dy), dy = (y1 - y0) / 2 */
          double cx = u * u * u * x0 + 3 * u * u * t * x0 + 3 * u * t * t * x1 + t * t * t * x1;
          double cy = y0 + (y1 - y0) * (3 * u * t * t * 0.5 + 3 * u * u * t * 0.5 + t * t * t);
          best = MIN (best, distance_to_segment (x, y, px, py, cx, cy));
          px = cx;
          py = cy;
        }
    }
  return best;
}

int
lamina_layout_hit_edge (const LaminaLayout *layout, double x, double y, double tolerance)
{
  int best = -1;
  double best_d = tolerance;

  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, i);
      double d = distance_to_edge (e, x, y);
      if (d <= best_d)
        {
          best_d = d;
          best = i;
        }
    }
  return best;
}
