/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-feature-map.c: feature-map grid (see lamina-feature-map.h).
 *
 * The whole grid is one cairo image surface; very large tensors are
 * subsampled (every s-th pixel) so the image stays under MAX_SIDE pixels a
 * side. Pan and zoom reuse LaminaViewport, as the graph canvas does.
 */
#define G_LOG_DOMAIN "lamina-feature-map"

#include <math.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>
#include "lamina-feature-map.h"
#include "lamina-viewport.h"

#define MAX_SIDE 4096
#define ZOOM_STEP 1.25
/* tiles are numbered once they are this large on screen */
#define LABEL_MIN_PX 40
/* values per channel looked at for its colour range */
#define MAX_SAMPLES 16384

struct _LaminaFeatureGrid
{
  cairo_surface_t *surface;
  guint            n_channels, cols, rows;
  int              tile_w, tile_h, gap;
  double          *ch_min, *ch_max;   /* per channel: the range the colours span */
};

struct _LaminaFeatureMap
{
  GtkWidget          parent_instance;
  LaminaFeatureGrid *grid;
  LaminaViewport    *viewport;
  gboolean           fit_pending;
  double             drag_last_x, drag_last_y;
  double             pointer_x, pointer_y;
};

G_DEFINE_FINAL_TYPE (LaminaFeatureMap, lamina_feature_map, GTK_TYPE_WIDGET)

/* ---- colour map ------------------------------------------------------------- */

/* matplotlib's viridis at 0, 0.1, …, 1 */
static const guint8 viridis_stops[11][3] = {
  { 0x44, 0x01, 0x54 }, { 0x48, 0x24, 0x75 }, { 0x41, 0x44, 0x87 }, { 0x35, 0x5f, 0x8d },
  { 0x2a, 0x78, 0x8e }, { 0x21, 0x91, 0x8c }, { 0x22, 0xa8, 0x84 }, { 0x44, 0xbf, 0x70 },
  { 0x7a, 0xd1, 0x51 }, { 0xbd, 0xdf, 0x26 }, { 0xfd, 0xe7, 0x25 },
};

void
lamina_viridis (double t, guint8 *r, guint8 *g, guint8 *b)
{
  double x = CLAMP (isnan (t) ? 0 : t, 0, 1) * 10;
  int i = MIN ((int) x, 9);
  double f = x - i;

  *r = (guint8) lround (viridis_stops[i][0] + f * (viridis_stops[i + 1][0] - viridis_stops[i][0]));
  *g = (guint8) lround (viridis_stops[i][1] + f * (viridis_stops[i + 1][1] - viridis_stops[i][1]));
  *b = (guint8) lround (viridis_stops[i][2] + f * (viridis_stops[i + 1][2] - viridis_stops[i][2]));
}

/* ---- grid image ---------------------------------------------------------------- */

typedef struct {
  const LaminaValue *v;
  gboolean           nhwc;
  gint64             c, h, w;
} Source;

static double
source_at (const Source *s, gint64 c, gint64 y, gint64 x)
{
  gint64 i = s->nhwc ? (y * s->w + x) * s->c + c : (c * s->h + y) * s->w + x;

  if (s->v->dtype == LAMINA_DTYPE_FLOAT32)
    return LAMINA_VALUE_F32 (s->v)[i];
  return lamina_value_get_double (s->v, i);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The range a tile is stretched over: the 0.5th to 99.5th percentile of
 * (at most MAX_SAMPLES of) its finite values. A few outliers (common right
 * after a convolution) would otherwise leave the rest of the map flat. */
static void
channel_range (const Source *s, gint64 c, int step, double *samples, double *lo, double *hi)
{
  gint64 total = ((s->h + step - 1) / step) * ((s->w + step - 1) / step);
  gint64 stride = MAX (1, total / MAX_SAMPLES), k = 0;
  gsize n = 0;

  for (gint64 y = 0; y < s->h; y += step)
    for (gint64 x = 0; x < s->w; x += step, k++)
      {
        double v;
        if (k % stride != 0 || n >= MAX_SAMPLES)
          continue;
        v = source_at (s, c, y, x);
        if (isfinite (v))
          samples[n++] = v;
      }
  if (n == 0)
    {
      *lo = *hi = 0;
      return;
    }
  qsort (samples, n, sizeof *samples, compare_doubles);
  *lo = samples[(gsize) ((n - 1) * 0.005)];
  *hi = samples[(gsize) ceil ((n - 1) * 0.995)];
}

static void
paint_tile (const LaminaFeatureGrid *grid, const Source *s, guint c, int step)
{
  guint8 *pixels = cairo_image_surface_get_data (grid->surface);
  int stride = cairo_image_surface_get_stride (grid->surface);
  int x0 = (int) (c % grid->cols) * (grid->tile_w + grid->gap);
  int y0 = (int) (c / grid->cols) * (grid->tile_h + grid->gap);
  double lo = grid->ch_min[c], span = grid->ch_max[c] - grid->ch_min[c];

  for (int ty = 0; ty < grid->tile_h; ty++)
    {
      guint32 *row = (guint32 *) (pixels + (gsize) (y0 + ty) * stride) + x0;
      for (int tx = 0; tx < grid->tile_w; tx++)
        {
          double v = source_at (s, c, (gint64) ty * step, (gint64) tx * step);
          guint8 r = 255, g = 0, b = 255;   /* NaN: magenta, impossible to miss */
          if (!isnan (v))
            lamina_viridis (span > 0 ? (v - lo) / span : 0.5, &r, &g, &b);
          row[tx] = 0xff000000u | ((guint32) r << 16) | ((guint32) g << 8) | b;
        }
    }
}

/* Columns that make the grid roughly square. */
static guint
grid_columns (guint n, int tile_w, int tile_h)
{
  double cols = ceil (sqrt ((double) n * tile_h / MAX (tile_w, 1)));

  return (guint) CLAMP (cols, 1, n);
}

LaminaFeatureGrid *
lamina_feature_grid_new (const LaminaValue *v, gboolean nhwc)
{
  LaminaFeatureGrid *grid;
  Source s = { v, nhwc, 0, 0, 0 };
  g_autofree double *samples = NULL;
  int step = 1, width, height;

  if (v == NULL || v->rank != 4 || v->numel <= 0 || lamina_dtype_size (v->dtype) == 0 ||
      !(lamina_dtype_is_float (v->dtype) || lamina_dtype_is_integer (v->dtype)))
    return NULL;
  s.c = nhwc ? v->dims[3] : v->dims[1];
  s.h = nhwc ? v->dims[1] : v->dims[2];
  s.w = nhwc ? v->dims[2] : v->dims[3];
  grid = g_new0 (LaminaFeatureGrid, 1);
  grid->n_channels = (guint) MIN (s.c, 65536);
  for (;; step++)
    {
      grid->tile_w = (int) ((s.w + step - 1) / step);
      grid->tile_h = (int) ((s.h + step - 1) / step);
      grid->gap = MIN (grid->tile_w, grid->tile_h) >= 8 ? 2 : 1;
      grid->cols = grid_columns (grid->n_channels, grid->tile_w, grid->tile_h);
      grid->rows = (grid->n_channels + grid->cols - 1) / grid->cols;
      width = (int) grid->cols * (grid->tile_w + grid->gap) - grid->gap;
      height = (int) grid->rows * (grid->tile_h + grid->gap) - grid->gap;
      if ((width <= MAX_SIDE && height <= MAX_SIDE) || (grid->tile_w == 1 && grid->tile_h == 1))
        break;
    }
  if (width > MAX_SIDE * 4 || height > MAX_SIDE * 4)
    {
      /* tens of thousands of 1x1 channels: nothing to look at */
      g_free (grid);
      return NULL;
    }
  grid->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  grid->ch_min = g_new (double, grid->n_channels);
  grid->ch_max = g_new (double, grid->n_channels);
  samples = g_new (double, MAX_SAMPLES);
  cairo_surface_flush (grid->surface);
  for (guint c = 0; c < grid->n_channels; c++)
    {
      channel_range (&s, c, step, samples, &grid->ch_min[c], &grid->ch_max[c]);
      paint_tile (grid, &s, c, step);
    }
  cairo_surface_mark_dirty (grid->surface);
  return grid;
}

void
lamina_feature_grid_free (LaminaFeatureGrid *grid)
{
  if (grid == NULL)
    return;
  cairo_surface_destroy (grid->surface);
  g_free (grid->ch_min);
  g_free (grid->ch_max);
  g_free (grid);
}

guint
lamina_feature_grid_get_n_channels (const LaminaFeatureGrid *grid)
{
  return grid ? grid->n_channels : 0;
}

/* ---- widget ---------------------------------------------------------------------- */

static void
fit (LaminaFeatureMap *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double cw, ch;

  if (self->grid == NULL || w <= 0 || h <= 0)
    return;
  self->fit_pending = FALSE;
  cw = cairo_image_surface_get_width (self->grid->surface);
  ch = cairo_image_surface_get_height (self->grid->surface);
  /* small tensors are enlarged: 7×7 maps are unreadable at 1:1 */
  lamina_viewport_set_zoom (self->viewport, MIN ((w - 8) / cw, (h - 8) / ch));
  lamina_viewport_center_on (self->viewport, cw / 2, ch / 2);
}

static void
draw_labels (LaminaFeatureMap *self, cairo_t *cr, double zoom, double ox, double oy)
{
  const LaminaFeatureGrid *g = self->grid;
  PangoLayout *layout;
  PangoFontDescription *font;

  if (g->tile_w * zoom < LABEL_MIN_PX || g->tile_h * zoom < LABEL_MIN_PX)
    return;
  layout = pango_cairo_create_layout (cr);
  font = pango_font_description_from_string ("Sans 8");
  pango_layout_set_font_description (layout, font);
  for (guint c = 0; c < g->n_channels; c++)
    {
      double x = ((c % g->cols) * (g->tile_w + g->gap) - ox) * zoom;
      double y = ((c / g->cols) * (g->tile_h + g->gap) - oy) * zoom;
      char text[16];
      int tw, th;

      if (x > gtk_widget_get_width (GTK_WIDGET (self)) || y > gtk_widget_get_height (GTK_WIDGET (self)) ||
          x + g->tile_w * zoom < 0 || y + g->tile_h * zoom < 0)
        continue;
      g_snprintf (text, sizeof text, "%u", c);
      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
      cairo_rectangle (cr, x, y, tw + 4, th);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_move_to (cr, x + 2, y);
      pango_cairo_show_layout (cr, layout);
    }
  pango_font_description_free (font);
  g_object_unref (layout);
}

static void
lamina_feature_map_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LaminaFeatureMap *self = LAMINA_FEATURE_MAP (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  double zoom, ox, oy;
  cairo_t *cr;

  if (self->grid == NULL || w <= 0 || h <= 0)
    return;
  if (self->fit_pending)
    fit (self);
  zoom = lamina_viewport_get_zoom (self->viewport);
  lamina_viewport_get_origin (self->viewport, &ox, &oy);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_save (cr);
  cairo_scale (cr, zoom, zoom);
  cairo_translate (cr, -ox, -oy);
  cairo_set_source_surface (cr, self->grid->surface, 0, 0);
  /* enlarged: sharp pixels (values, not a photo); reduced: averaged */
  cairo_pattern_set_filter (cairo_get_source (cr), zoom >= 1.5 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_restore (cr);
  draw_labels (self, cr, zoom, ox, oy);
  cairo_destroy (cr);
}

static void
lamina_feature_map_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  LaminaFeatureMap *self = LAMINA_FEATURE_MAP (widget);

  lamina_viewport_set_view_size (self->viewport, width, height);
  if (self->fit_pending)
    fit (self);
}

static void
lamina_feature_map_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                            int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  *minimum = 64;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 300;
}

static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  LaminaFeatureMap *self = LAMINA_FEATURE_MAP (widget);
  const LaminaFeatureGrid *g = self->grid;
  g_autofree char *text = NULL;
  double lx, ly;
  int col, row;
  guint c;

  if (g == NULL)
    return FALSE;
  lamina_viewport_view_to_layout (self->viewport, x, y, &lx, &ly);
  if (lx < 0 || ly < 0)
    return FALSE;
  col = (int) (lx / (g->tile_w + g->gap));
  row = (int) (ly / (g->tile_h + g->gap));
  c = (guint) row * g->cols + (guint) col;
  if ((guint) col >= g->cols || c >= g->n_channels || lx - col * (g->tile_w + g->gap) >= g->tile_w ||
      ly - row * (g->tile_h + g->gap) >= g->tile_h)
    return FALSE;
  text = g_strdup_printf (_("Channel %u: colours span %.4g … %.4g"), c, g->ch_min[c], g->ch_max[c]);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, LaminaFeatureMap *self)
{
  self->drag_last_x = 0;
  self->drag_last_y = 0;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, LaminaFeatureMap *self)
{
  lamina_viewport_pan (self->viewport, dx - self->drag_last_x, dy - self->drag_last_y);
  self->drag_last_x = dx;
  self->drag_last_y = dy;
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, LaminaFeatureMap *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
}

/* Ctrl+scroll zooms; plain scrolling is left to the side panel around. */
static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, LaminaFeatureMap *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  gboolean wheel = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL;

  if (self->grid == NULL || !(state & GDK_CONTROL_MASK))
    return FALSE;
  lamina_viewport_zoom_at (self->viewport, wheel ? pow (ZOOM_STEP, -dy) : exp (-dy * 0.01),
                           self->pointer_x, self->pointer_y);
  return TRUE;
}

static void
on_double_click (GtkGestureClick *gesture, int n_press, double x, double y, LaminaFeatureMap *self)
{
  if (n_press == 2)
    fit (self);
}

void
lamina_feature_map_set_grid (LaminaFeatureMap *self, LaminaFeatureGrid *grid)
{
  g_return_if_fail (LAMINA_IS_FEATURE_MAP (self));

  g_clear_pointer (&self->grid, lamina_feature_grid_free);
  self->grid = grid;
  lamina_viewport_set_content_size (self->viewport, grid ? cairo_image_surface_get_width (grid->surface) : 0,
                                    grid ? cairo_image_surface_get_height (grid->surface) : 0);
  self->fit_pending = TRUE;
  fit (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lamina_feature_map_zoom_by (LaminaFeatureMap *self, double factor)
{
  g_return_if_fail (LAMINA_IS_FEATURE_MAP (self));
  lamina_viewport_zoom_at (self->viewport, factor, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
lamina_feature_map_zoom_fit (LaminaFeatureMap *self)
{
  g_return_if_fail (LAMINA_IS_FEATURE_MAP (self));
  fit (self);
}

static void
lamina_feature_map_dispose (GObject *object)
{
  LaminaFeatureMap *self = LAMINA_FEATURE_MAP (object);

  g_clear_pointer (&self->grid, lamina_feature_grid_free);
  g_clear_object (&self->viewport);
  G_OBJECT_CLASS (lamina_feature_map_parent_class)->dispose (object);
}

static void
lamina_feature_map_class_init (LaminaFeatureMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_feature_map_dispose;
  widget_class->snapshot = lamina_feature_map_snapshot;
  widget_class->size_allocate = lamina_feature_map_size_allocate;
  widget_class->measure = lamina_feature_map_measure;
  gtk_widget_class_set_css_name (widget_class, "lamina-feature-map");
}

static void
lamina_feature_map_init (LaminaFeatureMap *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->viewport = lamina_viewport_new ();
  g_signal_connect_object (self->viewport, "changed", G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (click, "pressed", G_CALLBACK (on_double_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
}

GtkWidget *
lamina_feature_map_new (void)
{
  return g_object_new (LAMINA_TYPE_FEATURE_MAP, NULL);
}
