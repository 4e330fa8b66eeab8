/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-layout.h: layered (Sugiyama-style) top-to-bottom layout of a graph,
 * shared by the window and by SVG/PNG/PDF export.
 *
 * The layout decides what is drawn and where: one box per operator (header
 * text plus one row per constant input, e.g. "W ⟨32×3×3×3⟩"), one pill per
 * graph input and output, and one polyline per edge with its shape label.
 * Constant nodes are folded into their consumers as rows, as Netron does.
 * Text is measured through a callback so the layout stays free of cairo/GTK.
 */
#pragma once

#include <gio/gio.h>
#include "lamina-types.h"
#include "graph/lamina-graph.h"

G_BEGIN_DECLS

typedef struct {
  double x, y, width, height;
} LaminaRect;

typedef enum {
  LAMINA_BOX_NODE,
  LAMINA_BOX_INPUT,   /* graph input pill */
  LAMINA_BOX_OUTPUT,  /* graph output pill */
} LaminaBoxKind;

typedef struct {
  char *label;   /* "W", "B", "indices" */
  char *value;   /* "⟨32×3×3×3⟩", "= 1" */
  LaminaTensor *tensor; /* the constant shown in this row (borrowed) */
} LaminaBoxRow;

typedef struct {
  LaminaBoxKind  kind;
  LaminaNode    *node;     /* for NODE boxes (borrowed) */
  LaminaTensor  *tensor;   /* for INPUT/OUTPUT pills (borrowed) */
  char          *title;    /* op type, or tensor name for pills */
  LaminaRect     rect;     /* in layout units (1 unit = 1 px at zoom 1) */
  double         header_height;
  GArray        *rows;     /* LaminaBoxRow */
  int            layer;    /* rank from the top */
} LaminaBox;

typedef struct {
  guint          from;     /* index into boxes */
  guint          to;
  LaminaTensor  *tensor;   /* the tensor the edge carries (borrowed) */
  char          *label;    /* shape text, "1×3×224×224", or NULL */
  double        *points;   /* x0,y0,x1,y1,... polyline through the layers */
  guint          n_points; /* number of (x,y) pairs */
  double         label_x, label_y;
} LaminaEdge;

struct _LaminaLayout {
  GArray     *boxes;   /* LaminaBox */
  GArray     *edges;   /* LaminaEdge */
  double      width, height;
  LaminaGraph *graph;  /* borrowed */
  GHashTable *box_of_node;  /* LaminaNode* → GUINT_TO_POINTER(index + 1) */
};

/* Returns the width of `text` in layout units at font size `px`. */
typedef double (*LaminaMeasureFunc) (const char *text, double px, gboolean bold, gpointer user_data);

typedef struct {
  LaminaMeasureFunc measure;      /* NULL: a built-in estimate for sans fonts */
  gpointer          measure_data;
  double            header_px;    /* 11 */
  double            row_px;       /* 9 */
  double            edge_label_px;/* 10 */
  double            node_sep;     /* horizontal gap between boxes */
  double            layer_sep;    /* vertical gap between layers */
  gboolean          show_shapes;  /* edge labels */
} LaminaLayoutOptions;

void          lamina_layout_options_init (LaminaLayoutOptions *options);

/* Computes the layout. Safe to call from a worker thread (it only reads the
 * graph). progress may be NULL; cancellable may be NULL. */
LaminaLayout *lamina_layout_compute (LaminaGraph               *graph,
                                     const LaminaLayoutOptions *options,
                                     LaminaProgressFunc         progress,
                                     gpointer                   progress_data,
                                     GCancellable              *cancellable,
                                     GError                   **error);
void          lamina_layout_free (LaminaLayout *layout);

/* Index of the box drawn for node, or -1 (e.g. folded Constant nodes). */
int           lamina_layout_box_for_node (const LaminaLayout *layout, const LaminaNode *node);
/* Index of the topmost box containing (x, y), or -1. */
int           lamina_layout_hit_box (const LaminaLayout *layout, double x, double y);
/* Index of an edge whose polyline passes within `tolerance` of (x, y), or -1. */
int           lamina_layout_hit_edge (const LaminaLayout *layout, double x, double y, double tolerance);

/* For tests: the table of operator input names is sorted. */
gboolean      lamina_layout_input_names_sorted (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaLayout, lamina_layout_free)

G_END_DECLS
