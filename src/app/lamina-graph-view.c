/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-graph-view.c: the graph canvas.
 *
 * Drawing: the static scene of a region a little larger than what is visible
 * is recorded once per zoom level as a render node and reused while panning
 * inside it (GSK also keeps its rasterised texture), so a frame usually costs
 * a translation. Hover and selection are drawn on top by re-rendering only
 * the few boxes concerned.
 */
#define G_LOG_DOMAIN "lamina-graph-view"

#include <math.h>
#include <adwaita.h>
#include <glib/gi18n.h>
#include "lamina-graph-view.h"
#include "lamina-pan-zoom.h"
#include "render/lamina-colormap.h"
#include "render/lamina-render.h"

/* The cached region extends this fraction of the view beyond each edge. */
#define CACHE_MARGIN 0.25

/* The metric legend: margin from the canvas corner, padding, colour bar. */
#define LEGEND_MARGIN 12.0
#define LEGEND_PAD 8.0
#define LEGEND_BAR_W 180.0
#define LEGEND_BAR_H 10.0

struct _LaminaGraphView
{
  GtkWidget        parent_instance;

  LaminaDocument  *document;
  LaminaGraph     *graph;     /* of document: the one shown or being laid out */
  LaminaScene     *scene;
  GCancellable    *cancellable;
  LaminaViewport  *viewport;
  GSimpleActionGroup *actions;

  int              selected;
  int              selected_edge;
  int              hovered;
  GArray          *marks;     /* LaminaBoxMark per box, or NULL */

  /* metric colouring: values by node, and per box of the scene */
  GHashTable      *metric_values;
  GArray          *box_metric;    /* double per box (NaN: none), NULL without scene */
  char            *metric_title;
  char            *metric_unit;
  double           metric_worst, metric_best;
  gboolean         metric_past_best;   /* some value is better than metric_best */
  gboolean         initial_view_pending;
  gboolean         loading;
  double           fraction;

  /* cached static scene */
  GskRenderNode   *cache;
  LaminaRect       cache_rect;
  double           cache_zoom;
  gboolean         cache_dark;

  /* gestures */

  /* first frame bookkeeping */
  gboolean         frame_pending;
  gint64           first_frame_time;
  gulong           after_paint_id;
};

G_DEFINE_FINAL_TYPE (LaminaGraphView, lamina_graph_view, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_DOCUMENT, PROP_SCENE, PROP_SELECTED, PROP_SELECTED_EDGE, PROP_LOADING, PROP_FRACTION,
       PROP_HAS_NODE_METRIC, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { FIRST_FRAME, LAYOUT_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

static gboolean
is_dark (void)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

static void
invalidate_cache (LaminaGraphView *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
}

/* ---- drawing ----------------------------------------------------------- */

/* What every recording shares: style, simulator marks, the selected edge. */
static void
base_options (LaminaGraphView *self, LaminaRenderOptions *options, gboolean dark)
{
  lamina_render_options_init (options);
  options->dark = dark;
  options->selected_edge = self->selected_edge;
  if (self->marks != NULL)
    {
      options->marks = (const LaminaBoxMark *) self->marks->data;
      options->n_marks = self->marks->len;
    }
  if (self->box_metric != NULL)
    {
      options->metric = (const double *) self->box_metric->data;
      options->n_metric = self->box_metric->len;
      options->metric_worst = self->metric_worst;
      options->metric_best = self->metric_best;
    }
}

static gboolean
rect_contains (const LaminaRect *outer, const LaminaRect *inner)
{
  return inner->x >= outer->x && inner->y >= outer->y &&
         inner->x + inner->width <= outer->x + outer->width &&
         inner->y + inner->height <= outer->y + outer->height;
}

/* Records the scene in `rect` (layout units) at `zoom`, origin at rect's corner. */
static GskRenderNode *
record_scene (const LaminaLayout *layout, const LaminaRect *rect, double zoom,
              const LaminaRenderOptions *base)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, ceil (rect->width * zoom), ceil (rect->height * zoom));
  LaminaRenderOptions options = *base;
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);

  options.visible = rect;
  options.scale = zoom;
  cairo_scale (cr, zoom, zoom);
  cairo_translate (cr, -rect->x, -rect->y);
  lamina_render_graph (cr, layout, &options);
  cairo_destroy (cr);
  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

static void
ensure_cache (LaminaGraphView *self, const LaminaRect *visible, double zoom, gboolean dark)
{
  const LaminaLayout *layout = lamina_scene_get_layout (self->scene);
  LaminaRenderOptions options;

  if (self->cache != NULL && self->cache_zoom == zoom && self->cache_dark == dark &&
      rect_contains (&self->cache_rect, visible))
    return;
  invalidate_cache (self);
  self->cache_rect.x = visible->x - visible->width * CACHE_MARGIN;
  self->cache_rect.y = visible->y - visible->height * CACHE_MARGIN;
  self->cache_rect.width = visible->width * (1 + 2 * CACHE_MARGIN);
  self->cache_rect.height = visible->height * (1 + 2 * CACHE_MARGIN);
  self->cache_zoom = zoom;
  self->cache_dark = dark;
  base_options (self, &options, dark);
  self->cache = record_scene (layout, &self->cache_rect, zoom, &options);
}

/* Redraws one box (with its highlight) over the cached scene. */
static void
snapshot_highlight (LaminaGraphView *self, GtkSnapshot *snapshot, int box_index,
                    gboolean selected, double zoom, gboolean dark)
{
  const LaminaLayout *layout = lamina_scene_get_layout (self->scene);
  const LaminaBox *box;
  LaminaRenderOptions options;
  LaminaRect area;
  g_autoptr(GskRenderNode) node = NULL;

  if (box_index < 0 || (guint) box_index >= layout->boxes->len)
    return;
  box = &g_array_index (layout->boxes, LaminaBox, box_index);
  /* the outline is drawn 2 units outside the box, 2 units wide; the area
   * starts on a whole pixel of the cache, or its text lands between
   * pixels and blurs over the cached text (visible on light headers) */
  area.x = self->cache_rect.x + floor ((box->rect.x - 4 - self->cache_rect.x) * zoom) / zoom;
  area.y = self->cache_rect.y + floor ((box->rect.y - 4 - self->cache_rect.y) * zoom) / zoom;
  area.width = box->rect.x + box->rect.width + 4 - area.x;
  area.height = box->rect.y + box->rect.height + 4 - area.y;
  base_options (self, &options, dark);
  if (selected)
    options.selected_box = box_index;
  else
    options.hovered_box = box_index;
  node = record_scene (layout, &area, zoom, &options);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((area.x - self->cache_rect.x) * zoom,
                                                         (area.y - self->cache_rect.y) * zoom));
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, area.width * zoom, area.height * zoom));
  gtk_snapshot_append_node (snapshot, node);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_restore (snapshot);
}

/* ---- metric legend -------------------------------------------------------- */

static void
legend_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y, double align)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - align * w, y);
  pango_cairo_show_layout (cr, layout);
}

/* Title, colour bar from best (left) to worst (right) with three numbers,
 * and the "no value" swatch, on a plate like the window's legend. */
static void
draw_metric_legend (LaminaGraphView *self, cairo_t *cr, gboolean dark)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  g_autofree char *title = self->metric_unit && self->metric_unit[0]
                           ? g_strdup_printf ("%s (%s)", self->metric_title, self->metric_unit)
                           : g_strdup (self->metric_title);
  g_autofree char *best_value = lamina_render_format_metric (self->metric_best, NULL);
  /* values past the scale's end take its colour: "≥ 35.2" says so */
  g_autofree char *best = self->metric_past_best
                          ? g_strdup_printf ("%s %s", self->metric_worst < self->metric_best ? "≥" : "≤", best_value)
                          : g_strdup (best_value);
  g_autofree char *mid = lamina_render_format_metric ((self->metric_best + self->metric_worst) / 2, NULL);
  g_autofree char *worst = lamina_render_format_metric (self->metric_worst, NULL);
  double x = LEGEND_MARGIN + LEGEND_PAD, y = LEGEND_MARGIN + LEGEND_PAD, line, rgb[3], none[3];
  GdkRGBA fg;
  int tw, th;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  pango_layout_set_text (layout, title, -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  line = th;
  /* plate: title, bar, numbers, no-value row */
  cairo_rectangle (cr, LEGEND_MARGIN, LEGEND_MARGIN, MAX (LEGEND_BAR_W, tw) + 2 * LEGEND_PAD,
                   3 * line + LEGEND_BAR_H + 10 + 2 * LEGEND_PAD);
  cairo_set_source_rgba (cr, dark ? 0.14 : 0.98, dark ? 0.14 : 0.98, dark ? 0.14 : 0.98, 0.9);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.25);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  gdk_cairo_set_source_rgba (cr, &fg);
  legend_text (cr, layout, title, x, y, 0);
  y += line + 3;
  for (int i = 0; i < (int) LEGEND_BAR_W; i++)
    {
      lamina_colormap_inferno (i / (LEGEND_BAR_W - 1), rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle (cr, x + i, y, 1.5, LEGEND_BAR_H);
      cairo_fill (cr);
    }
  y += LEGEND_BAR_H + 2;
  gdk_cairo_set_source_rgba (cr, &fg);
  legend_text (cr, layout, best, x, y, 0);
  legend_text (cr, layout, mid, x + LEGEND_BAR_W / 2, y, 0.5);
  legend_text (cr, layout, worst, x + LEGEND_BAR_W, y, 1);
  y += line + 5;
  cairo_rectangle (cr, x + 0.5, y + (line - LEGEND_BAR_H) / 2 + 0.5, LEGEND_BAR_H - 1, LEGEND_BAR_H - 1);
  lamina_render_no_metric_color (dark, none);
  cairo_set_source_rgb (cr, none[0], none[1], none[2]);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
  cairo_stroke (cr);
  gdk_cairo_set_source_rgba (cr, &fg);
  legend_text (cr, layout, _("no value"), x + LEGEND_BAR_H + 5, y, 0);
}

static void
snapshot_metric_legend (LaminaGraphView *self, GtkSnapshot *snapshot, gboolean dark)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  cairo_t *cr;

  if (self->metric_values == NULL)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  draw_metric_legend (self, cr, dark);
  cairo_destroy (cr);
}

static void
lamina_graph_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LaminaGraphView *self = LAMINA_GRAPH_VIEW (widget);
  double zoom, ox, oy;
  gboolean dark = is_dark ();
  LaminaRect visible;

  if (self->scene == NULL)
    return;
  zoom = lamina_viewport_get_zoom (self->viewport);
  lamina_viewport_get_visible (self->viewport, &visible.x, &visible.y, &visible.width, &visible.height);
  lamina_viewport_get_origin (self->viewport, &ox, &oy);
  ensure_cache (self, &visible, zoom, dark);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                        gtk_widget_get_height (widget)));
  gtk_snapshot_save (snapshot);
  /* whole pixels keep the cached text crisp while panning */
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round ((self->cache_rect.x - ox) * zoom),
                                                         round ((self->cache_rect.y - oy) * zoom)));
  gtk_snapshot_append_node (snapshot, self->cache);
  if (self->hovered != self->selected)
    snapshot_highlight (self, snapshot, self->hovered, FALSE, zoom, dark);
  snapshot_highlight (self, snapshot, self->selected, TRUE, zoom, dark);
  gtk_snapshot_restore (snapshot);
  snapshot_metric_legend (self, snapshot, dark);
  gtk_snapshot_pop (snapshot);

  if (self->first_frame_time == 0)
    self->frame_pending = TRUE;
}

static void
on_after_paint (GdkFrameClock *clock, LaminaGraphView *self)
{
  if (!self->frame_pending)
    return;
  self->frame_pending = FALSE;
  self->first_frame_time = g_get_monotonic_time ();
  g_signal_emit (self, signals[FIRST_FRAME], 0);
}

static void
lamina_graph_view_realize (GtkWidget *widget)
{
  LaminaGraphView *self = LAMINA_GRAPH_VIEW (widget);

  GTK_WIDGET_CLASS (lamina_graph_view_parent_class)->realize (widget);
  self->after_paint_id = g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                                           G_CALLBACK (on_after_paint), self);
}

static void
lamina_graph_view_unrealize (GtkWidget *widget)
{
  LaminaGraphView *self = LAMINA_GRAPH_VIEW (widget);

  g_clear_signal_handler (&self->after_paint_id, gtk_widget_get_frame_clock (widget));
  invalidate_cache (self);
  GTK_WIDGET_CLASS (lamina_graph_view_parent_class)->unrealize (widget);
}

/* ---- viewport ------------------------------------------------------------ */

/* Graphs that fit readably are shown whole; big ones start at 100 % on
 * their first input, as Netron does. */
static void
apply_initial_view (LaminaGraphView *self)
{
  const LaminaLayout *layout;
  double zoom, x;

  if (!self->initial_view_pending || self->scene == NULL || gtk_widget_get_width (GTK_WIDGET (self)) <= 0)
    return;
  self->initial_view_pending = FALSE;
  lamina_viewport_zoom_to_fit (self->viewport);
  zoom = lamina_viewport_get_zoom (self->viewport);
  if (zoom >= 0.6)
    return;
  layout = lamina_scene_get_layout (self->scene);
  x = layout->width / 2;
  for (guint i = 0, top = G_MAXUINT; i < layout->boxes->len; i++)
    {
      const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      if (top == G_MAXUINT || box->rect.y < g_array_index (layout->boxes, LaminaBox, top).rect.y)
        {
          top = i;
          x = box->rect.x + box->rect.width / 2;
        }
    }
  lamina_viewport_show_top (self->viewport, x);
}

static void
lamina_graph_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  LaminaGraphView *self = LAMINA_GRAPH_VIEW (widget);

  lamina_viewport_set_view_size (self->viewport, width, height);
  apply_initial_view (self);
}

static void
on_viewport_changed (LaminaGraphView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lamina_graph_view_zoom_to_fit (LaminaGraphView *self)
{
  g_return_if_fail (LAMINA_IS_GRAPH_VIEW (self));
  lamina_viewport_zoom_to_fit (self->viewport);
}

static void
fit_view (GtkWidget *widget)
{
  lamina_viewport_zoom_to_fit (LAMINA_GRAPH_VIEW (widget)->viewport);
}

/* ---- selection ----------------------------------------------------------- */

/* The selected edge is drawn in the cached scene (edges are long and
 * selections rare): changing it re-records the scene. */
static void
set_selected_edge (LaminaGraphView *self, int edge)
{
  if (edge == self->selected_edge)
    return;
  self->selected_edge = edge;
  invalidate_cache (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_EDGE]);
}

int
lamina_graph_view_get_selected (LaminaGraphView *self)
{
  g_return_val_if_fail (LAMINA_IS_GRAPH_VIEW (self), -1);
  return self->selected;
}

void
lamina_graph_view_select (LaminaGraphView *self, int box, gboolean center)
{
  const LaminaLayout *layout;

  g_return_if_fail (LAMINA_IS_GRAPH_VIEW (self));
  layout = self->scene ? lamina_scene_get_layout (self->scene) : NULL;
  if (layout == NULL || box < 0 || (guint) box >= layout->boxes->len)
    box = -1;
  if (box >= 0 && center)
    {
      const LaminaBox *b = &g_array_index (layout->boxes, LaminaBox, box);
      lamina_viewport_center_on (self->viewport, b->rect.x + b->rect.width / 2, b->rect.y + b->rect.height / 2);
    }
  if (box >= 0)
    set_selected_edge (self, -1);
  if (box == self->selected)
    return;
  self->selected = box;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

int
lamina_graph_view_get_selected_edge (LaminaGraphView *self)
{
  g_return_val_if_fail (LAMINA_IS_GRAPH_VIEW (self), -1);
  return self->selected_edge;
}

void
lamina_graph_view_select_edge (LaminaGraphView *self, int edge)
{
  const LaminaLayout *layout;

  g_return_if_fail (LAMINA_IS_GRAPH_VIEW (self));
  layout = self->scene ? lamina_scene_get_layout (self->scene) : NULL;
  if (layout == NULL || edge < 0 || (guint) edge >= layout->edges->len)
    edge = -1;
  /* one selection at a time: the side panel shows either */
  if (edge >= 0)
    lamina_graph_view_select (self, -1, FALSE);
  set_selected_edge (self, edge);
}

void
lamina_graph_view_set_marks (LaminaGraphView *self, GArray *marks)
{
  g_return_if_fail (LAMINA_IS_GRAPH_VIEW (self));

  if (marks == self->marks)
    {
      /* the same array, changed in place */
      invalidate_cache (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  g_clear_pointer (&self->marks, g_array_unref);
  self->marks = marks ? g_array_ref (marks) : NULL;
  invalidate_cache (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- metric colouring ------------------------------------------------------ */

/* The per-box values of the current scene from the node table. */
static void
update_box_metric (LaminaGraphView *self)
{
  const LaminaLayout *layout;
  GHashTableIter iter;
  gpointer node, value;
  double none = NAN;

  g_clear_pointer (&self->box_metric, g_array_unref);
  self->metric_past_best = FALSE;
  invalidate_cache (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (self->metric_values == NULL || self->scene == NULL)
    return;
  layout = lamina_scene_get_layout (self->scene);
  self->box_metric = g_array_sized_new (FALSE, FALSE, sizeof (double), layout->boxes->len);
  for (guint i = 0; i < layout->boxes->len; i++)
    g_array_append_val (self->box_metric, none);
  g_hash_table_iter_init (&iter, self->metric_values);
  while (g_hash_table_iter_next (&iter, &node, &value))
    {
      int box = lamina_layout_box_for_node (layout, node);
      double v = value ? *(const double *) value : NAN;
      if (box < 0 || isnan (v))
        continue;
      g_array_index (self->box_metric, double, box) = v;
      if (self->metric_worst < self->metric_best ? v > self->metric_best : v < self->metric_best)
        self->metric_past_best = TRUE;
    }
}

void
lamina_graph_view_set_node_metric (LaminaGraphView *self, GHashTable *values, const char *title,
                                   const char *unit, double worst, double best)
{
  gboolean had;

  g_return_if_fail (LAMINA_IS_GRAPH_VIEW (self));
  g_return_if_fail (values != NULL);
  had = self->metric_values != NULL;
  g_hash_table_ref (values);
  g_clear_pointer (&self->metric_values, g_hash_table_unref);
  self->metric_values = values;
  g_free (self->metric_title);
  self->metric_title = g_strdup (title ? title : "");
  g_free (self->metric_unit);
  self->metric_unit = g_strdup (unit);
  self->metric_worst = worst;
  self->metric_best = best;
  update_box_metric (self);
  if (!had)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_NODE_METRIC]);
}

void
lamina_graph_view_clear_node_metric (LaminaGraphView *self)
{
  g_return_if_fail (LAMINA_IS_GRAPH_VIEW (self));
  if (self->metric_values == NULL)
    return;
  g_clear_pointer (&self->metric_values, g_hash_table_unref);
  g_clear_pointer (&self->metric_title, g_free);
  g_clear_pointer (&self->metric_unit, g_free);
  update_box_metric (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_NODE_METRIC]);
}

gboolean
lamina_graph_view_has_node_metric (LaminaGraphView *self)
{
  g_return_val_if_fail (LAMINA_IS_GRAPH_VIEW (self), FALSE);
  return self->metric_values != NULL;
}

double
lamina_graph_view_get_box_metric (LaminaGraphView *self, int box)
{
  g_return_val_if_fail (LAMINA_IS_GRAPH_VIEW (self), NAN);
  if (self->box_metric == NULL || box < 0 || (guint) box >= self->box_metric->len)
    return NAN;
  return g_array_index (self->box_metric, double, box);
}

int
lamina_graph_view_find_box (LaminaGraphView *self, const LaminaNode *node)
{
  const LaminaLayout *layout;
  int box;

  g_return_val_if_fail (LAMINA_IS_GRAPH_VIEW (self), -1);
  if (self->scene == NULL || node == NULL)
    return -1;
  layout = lamina_scene_get_layout (self->scene);
  box = lamina_layout_box_for_node (layout, node);
  /* folded nodes (Constant) are drawn as a row of their first consumer */
  for (guint i = 0; box < 0 && i < node->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (node->outputs, i);
      for (guint j = 0; box < 0 && t && t->consumers && j < t->consumers->len; j++)
        box = lamina_layout_box_for_node (layout, g_ptr_array_index (t->consumers, j));
    }
  return box;
}

gboolean
lamina_graph_view_select_node (LaminaGraphView *self, const LaminaNode *node)
{
  int box = lamina_graph_view_find_box (self, node);

  if (box < 0)
    return FALSE;
  lamina_graph_view_select (self, box, TRUE);
  return TRUE;
}

static int
box_at (LaminaGraphView *self, double vx, double vy)
{
  double lx, ly;

  if (self->scene == NULL)
    return -1;
  lamina_viewport_view_to_layout (self->viewport, vx, vy, &lx, &ly);
  return lamina_layout_hit_box (lamina_scene_get_layout (self->scene), lx, ly);
}

/* ---- input ----------------------------------------------------------------- */

/* Edges are thin: accept clicks within a few pixels on screen. */
static int
edge_at (LaminaGraphView *self, double vx, double vy)
{
  double lx, ly;

  if (self->scene == NULL)
    return -1;
  lamina_viewport_view_to_layout (self->viewport, vx, vy, &lx, &ly);
  return lamina_layout_hit_edge (lamina_scene_get_layout (self->scene), lx, ly,
                                 5 / lamina_viewport_get_zoom (self->viewport));
}

static void
on_click_released (GtkGestureClick *gesture, int n_press, double x, double y, LaminaGraphView *self)
{
  int box = box_at (self, x, y);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (box < 0)
    {
      int edge = edge_at (self, x, y);
      if (edge >= 0)
        {
          lamina_graph_view_select_edge (self, edge);
          return;
        }
    }
  lamina_graph_view_select (self, box, FALSE);
}

static void
set_hovered (LaminaGraphView *self, int box)
{
  if (box == self->hovered)
    return;
  self->hovered = box;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), box >= 0 ? "pointer" : NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, LaminaGraphView *self)
{
  set_hovered (self, box_at (self, x, y));
}

static void
on_leave (GtkEventControllerMotion *controller, LaminaGraphView *self)
{
  set_hovered (self, -1);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, LaminaGraphView *self)
{
  /* zoom and pan keys are lamina-pan-zoom's; Escape clears the selection */
  if (keyval != GDK_KEY_Escape || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) ||
      (self->selected < 0 && self->selected_edge < 0))
    return FALSE;
  lamina_graph_view_select (self, -1, FALSE);
  set_selected_edge (self, -1);
  return TRUE;
}

/* ---- document and layout --------------------------------------------------- */

static void
set_loading (LaminaGraphView *self, gboolean loading, double fraction)
{
  if (self->loading != loading)
    {
      self->loading = loading;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
}

static void
set_scene (LaminaGraphView *self, LaminaScene *scene)
{
  const LaminaLayout *layout;

  if (!g_set_object (&self->scene, scene))
    return;
  invalidate_cache (self);
  self->selected = -1;
  self->selected_edge = -1;
  self->hovered = -1;
  g_clear_pointer (&self->marks, g_array_unref);
  update_box_metric (self);
  self->first_frame_time = 0;
  self->frame_pending = FALSE;
  layout = scene ? lamina_scene_get_layout (scene) : NULL;
  lamina_viewport_set_content_size (self->viewport, layout ? layout->width : 0, layout ? layout->height : 0);
  self->initial_view_pending = TRUE;
  apply_initial_view (self);
  lamina_pan_zoom_actions_set_enabled (self->actions, self->scene != NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCENE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_EDGE]);
}

static void
on_layout_progress (double fraction, const char *message, gpointer data)
{
  LaminaGraphView *self = data;

  set_loading (self, TRUE, fraction);
}

static void
on_scene_ready (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LaminaGraphView) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaScene) scene = lamina_scene_new_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  set_loading (self, FALSE, 1.0);
  if (scene == NULL)
    {
      g_signal_emit (self, signals[LAYOUT_FAILED], 0, error->message);
      return;
    }
  set_scene (self, scene);
}

void
lamina_graph_view_show_graph (LaminaGraphView *self, LaminaDocument *document, LaminaGraph *graph)
{
  g_return_if_fail (LAMINA_IS_GRAPH_VIEW (self));
  g_return_if_fail (document == NULL || LAMINA_IS_DOCUMENT (document));

  if (document != NULL && graph == NULL)
    graph = lamina_document_get_model (document)->graph;
  if (document == self->document && graph == self->graph)
    return;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->graph = graph;
  /* the values are keyed by nodes of the old document */
  if (document != self->document)
    lamina_graph_view_clear_node_metric (self);
  set_scene (self, NULL);
  set_loading (self, document != NULL, 0.0);
  if (document != NULL)
    {
      self->cancellable = g_cancellable_new ();
      lamina_scene_new_async (document, graph, on_layout_progress, self, self->cancellable,
                              on_scene_ready, g_object_ref (self));
    }
  if (g_set_object (&self->document, document))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

void
lamina_graph_view_set_document (LaminaGraphView *self, LaminaDocument *document)
{
  lamina_graph_view_show_graph (self, document, NULL);
}

LaminaDocument *
lamina_graph_view_get_document (LaminaGraphView *self)
{
  g_return_val_if_fail (LAMINA_IS_GRAPH_VIEW (self), NULL);
  return self->document;
}

LaminaScene *
lamina_graph_view_get_scene (LaminaGraphView *self)
{
  g_return_val_if_fail (LAMINA_IS_GRAPH_VIEW (self), NULL);
  return self->scene;
}

LaminaViewport *
lamina_graph_view_get_viewport (LaminaGraphView *self)
{
  g_return_val_if_fail (LAMINA_IS_GRAPH_VIEW (self), NULL);
  return self->viewport;
}

GActionGroup *
lamina_graph_view_get_actions (LaminaGraphView *self)
{
  g_return_val_if_fail (LAMINA_IS_GRAPH_VIEW (self), NULL);
  return G_ACTION_GROUP (self->actions);
}

gint64
lamina_graph_view_get_first_frame_time (LaminaGraphView *self)
{
  g_return_val_if_fail (LAMINA_IS_GRAPH_VIEW (self), 0);
  return self->first_frame_time;
}

/* ---- GObject --------------------------------------------------------------- */

static void
lamina_graph_view_dispose (GObject *object)
{
  LaminaGraphView *self = LAMINA_GRAPH_VIEW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->scene);
  g_clear_object (&self->document);
  invalidate_cache (self);
  G_OBJECT_CLASS (lamina_graph_view_parent_class)->dispose (object);
}

static void
lamina_graph_view_finalize (GObject *object)
{
  LaminaGraphView *self = LAMINA_GRAPH_VIEW (object);

  g_clear_object (&self->viewport);
  g_clear_object (&self->actions);
  g_clear_pointer (&self->marks, g_array_unref);
  g_clear_pointer (&self->metric_values, g_hash_table_unref);
  g_clear_pointer (&self->box_metric, g_array_unref);
  g_free (self->metric_title);
  g_free (self->metric_unit);
  G_OBJECT_CLASS (lamina_graph_view_parent_class)->finalize (object);
}

static void
lamina_graph_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LaminaGraphView *self = LAMINA_GRAPH_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_SCENE:
      g_value_set_object (value, self->scene);
      break;
    case PROP_SELECTED:
      g_value_set_int (value, self->selected);
      break;
    case PROP_SELECTED_EDGE:
      g_value_set_int (value, self->selected_edge);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_HAS_NODE_METRIC:
      g_value_set_boolean (value, self->metric_values != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_graph_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LaminaGraphView *self = LAMINA_GRAPH_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      lamina_graph_view_set_document (self, g_value_get_object (value));
      break;
    case PROP_SELECTED:
      lamina_graph_view_select (self, g_value_get_int (value), FALSE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_graph_view_class_init (LaminaGraphViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lamina_graph_view_dispose;
  object_class->finalize = lamina_graph_view_finalize;
  object_class->get_property = lamina_graph_view_get_property;
  object_class->set_property = lamina_graph_view_set_property;
  widget_class->snapshot = lamina_graph_view_snapshot;
  widget_class->size_allocate = lamina_graph_view_size_allocate;
  widget_class->realize = lamina_graph_view_realize;
  widget_class->unrealize = lamina_graph_view_unrealize;

  properties[PROP_DOCUMENT] = g_param_spec_object ("document", NULL, NULL, LAMINA_TYPE_DOCUMENT,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCENE] = g_param_spec_object ("scene", NULL, NULL, LAMINA_TYPE_SCENE, ro);
  properties[PROP_SELECTED] = g_param_spec_int ("selected", NULL, NULL, -1, G_MAXINT, -1,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_EDGE] = g_param_spec_int ("selected-edge", NULL, NULL, -1, G_MAXINT, -1, ro);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_HAS_NODE_METRIC] = g_param_spec_boolean ("has-node-metric", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FIRST_FRAME] = g_signal_new ("first-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[LAYOUT_FAILED] = g_signal_new ("layout-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_set_css_name (widget_class, "lamina-graph-view");
}

static gboolean
has_content (GtkWidget *widget)
{
  LaminaGraphView *self = (LaminaGraphView *) widget;

  return self->scene != NULL;
}

static void
add_controllers (LaminaGraphView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *key = gtk_event_controller_key_new ();

  g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (widget, motion);
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (widget, key);
  lamina_pan_zoom_attach (widget, self->viewport, has_content);
}

static void
lamina_graph_view_init (LaminaGraphView *self)
{
  self->selected = -1;
  self->selected_edge = -1;
  self->hovered = -1;
  self->viewport = lamina_viewport_new ();
  g_signal_connect_swapped (self->viewport, "changed", G_CALLBACK (on_viewport_changed), self);
  self->actions = lamina_pan_zoom_actions_new (GTK_WIDGET (self), self->viewport, fit_view);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "canvas", G_ACTION_GROUP (self->actions));
  /* the view style class gives the canvas Adwaita's view background */
  gtk_widget_add_css_class (GTK_WIDGET (self), "view");
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  add_controllers (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
}

GtkWidget *
lamina_graph_view_new (void)
{
  return g_object_new (LAMINA_TYPE_GRAPH_VIEW, NULL);
}
